#include "esser/adapters/aws/credentials.hpp"

#include <cstdlib>

namespace esser::adapters {

std::optional<std::string> process_environment(std::string_view name) {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr)
        return std::nullopt;
    return std::string(v);
}

namespace {
std::string non_empty(const environment_lookup& env, std::string_view name) {
    auto v = env(name);
    return v ? std::move(*v) : std::string();
}
}  // namespace

core::result<credentials> credentials_from_environment(const environment_lookup& env) {
    credentials c;
    c.access_key_id = non_empty(env, "AWS_ACCESS_KEY_ID");
    c.secret_access_key = non_empty(env, "AWS_SECRET_ACCESS_KEY");
    c.session_token = non_empty(env, "AWS_SESSION_TOKEN");
    if (c.session_token.empty())
        c.session_token = non_empty(env, "AWS_SECURITY_TOKEN");
    if (c.access_key_id.empty() && c.secret_access_key.empty()) {
        core::error e = core::error::invalid_argument(
            "Unable to locate credentials. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
            "AWS_SESSION_TOKEN for temporary credentials).");
        e.type = "NoCredentialsError";
        return core::fail(std::move(e));
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
        core::error e = core::error::invalid_argument(
            std::string("Partial credentials found in env, missing: ") +
            (c.access_key_id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"));
        e.type = "PartialCredentialsError";
        return core::fail(std::move(e));
    }
    return c;
}

}  // namespace esser::adapters

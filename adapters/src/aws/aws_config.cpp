#include "esser/adapters/aws/aws_config.hpp"

namespace esser::adapters {

namespace {

std::string non_empty(const environment_lookup& env, std::string_view name) {
    auto v = env(name);
    return v ? std::move(*v) : std::string();
}

core::unexpected<core::error> config_error(std::string type, std::string message) {
    core::error e = core::error::invalid_argument(std::move(message));
    e.type = std::move(type);
    return core::fail(std::move(e));
}

bool alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string dns_suffix(std::string_view region) {
    return region.substr(0, 3) == "cn-" ? ".amazonaws.com.cn" : ".amazonaws.com";
}

// The first set variable among `names` parsed as an endpoint, or the fallback.
core::result<url> endpoint_from(const environment_lookup& env,
                                std::initializer_list<std::string_view> names, url fallback) {
    for (auto name : names) {
        std::string v = non_empty(env, name);
        if (v.empty())
            continue;
        auto u = url::parse(v);
        if (!u) {
            core::error e = u.error();
            e.message = std::string(name) + ": " + e.message;
            return core::fail(std::move(e));
        }
        return u;
    }
    return fallback;
}

}  // namespace

bool valid_region_name(std::string_view r) noexcept {
    if (r.empty() || r.size() > 63)
        return false;
    if (!alnum(r.front()) || !alnum(r.back()))
        return false;
    for (char c : r)
        if (!alnum(c) && c != '-')
            return false;
    return true;
}

core::result<std::string> region_from_environment(const environment_lookup& env) {
    std::string region = non_empty(env, "AWS_REGION");
    const char* from = "AWS_REGION";
    if (region.empty()) {
        region = non_empty(env, "AWS_DEFAULT_REGION");
        from = "AWS_DEFAULT_REGION";
    }
    if (region.empty())
        return config_error("NoRegionError",
                            "You must specify a region: set AWS_REGION or AWS_DEFAULT_REGION.");
    if (!valid_region_name(region))
        return config_error("InvalidRegionError", std::string(from) + " '" + region +
                                                      "' is not a valid region name (expected "
                                                      "something like 'eu-west-1').");
    return region;
}

url regional_dynamodb_endpoint(std::string_view region) {
    return url{"https", "dynamodb." + std::string(region) + dns_suffix(region), 443, ""};
}

url regional_dynamodb_streams_endpoint(std::string_view region) {
    return url{"https", "streams.dynamodb." + std::string(region) + dns_suffix(region), 443, ""};
}

core::result<aws_config> aws_config::from_environment(const environment_lookup& env) {
    aws_config c;
    auto creds = credentials_from_environment(env);
    if (!creds)
        return core::fail(creds.error());
    c.creds = std::move(*creds);
    auto region = region_from_environment(env);
    if (!region)
        return core::fail(region.error());
    c.region = std::move(*region);
    auto ddb = endpoint_from(env, {"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"},
                             regional_dynamodb_endpoint(c.region));
    if (!ddb)
        return core::fail(ddb.error());
    c.dynamodb_endpoint = std::move(*ddb);
    auto streams = endpoint_from(env, {"AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "AWS_ENDPOINT_URL"},
                                 regional_dynamodb_streams_endpoint(c.region));
    if (!streams)
        return core::fail(streams.error());
    c.streams_endpoint = std::move(*streams);
    return c;
}

}  // namespace esser::adapters

#include "esser/emulator/lambda/function_config.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "esser/emulator/dynamo/document_reader.hpp"

namespace esser::emulator {

namespace {

core::error validation_exception(std::string message) {
    core::error e = core::error::validation(std::move(message));
    e.type = "ValidationException";
    return e;
}

core::error invalid_parameter(std::string message) {
    core::error e = core::error::validation(std::move(message));
    e.type = "InvalidParameterValueException";
    return e;
}

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool valid_name(std::string_view n) noexcept {
    return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), is_name_char);
}

// Versions are digits, aliases [A-Za-z0-9_-] starting with a letter or digit; $LATEST is the
// one special qualifier (AWS's Qualifier pattern, simplified to what we can serve).
bool valid_qualifier(std::string_view q) noexcept {
    if (q == "$LATEST")
        return true;
    return !q.empty() && q.size() <= 128 && std::all_of(q.begin(), q.end(), is_name_char);
}

bool all_digits(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos)
            return out;
        start = pos + 1;
    }
}

core::error bad_ref(std::string_view text) {
    return validation_exception(fmt::format(
        "1 validation error detected: Value '{}' at 'functionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: "
        "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?"
        "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        text));
}

}  // namespace

std::string_view to_string(function_kind k) noexcept {
    switch (k) {
        case function_kind::in_process:
            return "in-process";
        case function_kind::executable:
            return "executable";
        case function_kind::url:
            return "url";
    }
    return "unknown";
}

std::string function_arn(std::string_view region, std::string_view account, std::string_view name) {
    return fmt::format("arn:aws:lambda:{}:{}:function:{}", region, account, name);
}

core::result<function_ref> parse_function_ref(std::string_view text) {
    if (text.empty() || text.size() > 256)
        return core::fail(bad_ref(text));
    const auto parts = split(text, ':');
    function_ref ref;
    auto finish = [&](std::string_view name, std::string_view qualifier,
                      bool has_qualifier) -> core::result<function_ref> {
        if (!valid_name(name) || (has_qualifier && !valid_qualifier(qualifier)))
            return core::fail(bad_ref(text));
        ref.name = std::string(name);
        ref.qualifier = std::string(qualifier);
        return ref;
    };
    switch (parts.size()) {
        case 1:  // name
            return finish(parts[0], {}, false);
        case 2:  // name:qualifier
            return finish(parts[0], parts[1], true);
        case 3:  // account:function:name
        case 4:  // account:function:name:qualifier
            if (!all_digits(parts[0]) || parts[0].size() != 12 || parts[1] != "function")
                return core::fail(bad_ref(text));
            ref.account = std::string(parts[0]);
            return finish(parts[2], parts.size() == 4 ? parts[3] : std::string_view{},
                          parts.size() == 4);
        case 7:  // arn:aws:lambda:region:account:function:name
        case 8:  // ...:qualifier
            if (parts[0] != "arn" || parts[1].substr(0, 3) != "aws" || parts[2] != "lambda" ||
                parts[3].empty() || !all_digits(parts[4]) || parts[4].size() != 12 ||
                parts[5] != "function")
                return core::fail(bad_ref(text));
            ref.region = std::string(parts[3]);
            ref.account = std::string(parts[4]);
            return finish(parts[6], parts.size() == 8 ? parts[7] : std::string_view{},
                          parts.size() == 8);
        default:
            return core::fail(bad_ref(text));
    }
}

bool is_reserved_environment_variable(std::string_view name) noexcept {
    // AWS configuration-envvars "Reserved environment variables" (spec §5.2).
    static constexpr std::string_view reserved[] = {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "AWS_LAMBDA_MAX_CONCURRENCY",
    };
    return std::find(std::begin(reserved), std::end(reserved), name) != std::end(reserved);
}

nlohmann::json function_config_state(const function_config& c) {
    return {{"name", c.name},
            {"kind", to_string(c.kind)},
            {"description", c.description},
            {"runtime", c.runtime},
            {"handler", c.handler},
            {"command", c.command},
            {"working_directory", c.working_directory},
            {"url", c.url},
            {"environment", c.environment},
            {"timeout_ms", c.timeout.count()},
            {"memory_size_mb", c.memory_size_mb},
            {"max_concurrency", c.max_concurrency},
            {"init_timeout_ms", c.init_timeout.count()}};
}

core::result<function_config> function_config_from_state(const nlohmann::json& j) {
    document_reader r(j, "function state");
    function_config c;
    r.text("name", c.name);
    std::string kind;
    r.text("kind", kind);
    if (kind == to_string(function_kind::executable))
        c.kind = function_kind::executable;
    else if (kind == to_string(function_kind::url))
        c.kind = function_kind::url;
    else if (kind != to_string(function_kind::in_process))
        r.note("kind");
    r.text("description", c.description);
    r.text("runtime", c.runtime);
    r.text("handler", c.handler);
    r.strings("command", c.command);
    r.text("working_directory", c.working_directory);
    r.text("url", c.url);
    r.string_map("environment", c.environment);
    c.timeout = std::chrono::milliseconds(r.unsigned_number<std::uint32_t>("timeout_ms"));
    c.memory_size_mb = r.unsigned_number<std::uint32_t>("memory_size_mb");
    c.max_concurrency = r.unsigned_number<std::uint32_t>("max_concurrency");
    c.init_timeout = std::chrono::milliseconds(r.unsigned_number<std::uint32_t>("init_timeout_ms"));
    if (auto ok = r.result(); !ok)
        return core::fail(ok.error());
    return c;
}

core::result<void> validate_function_config(const function_config& c) {
    if (!valid_name(c.name)) {
        return core::fail(validation_exception(fmt::format(
            "1 validation error detected: Value '{}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64 and match "
            "[a-zA-Z0-9-_]+",
            c.name)));
    }
    using std::chrono::milliseconds;
    if (c.timeout <= milliseconds(0) || c.timeout > milliseconds(900'000)) {
        return core::fail(validation_exception(fmt::format(
            "1 validation error detected: Value '{}' at 'timeout' failed to satisfy constraint: "
            "Member must have value between 1 and 900 seconds",
            std::chrono::duration<double>(c.timeout).count())));
    }
    if (c.memory_size_mb < 128 || c.memory_size_mb > 10240) {
        return core::fail(validation_exception(
            fmt::format("1 validation error detected: Value '{}' at 'memorySize' failed to satisfy "
                        "constraint: Member must have value between 128 and 10240",
                        c.memory_size_mb)));
    }
    if (c.max_concurrency == 0 || c.max_concurrency > 1000) {
        return core::fail(invalid_parameter(
            fmt::format("max concurrency must be between 1 and 1000, got {}", c.max_concurrency)));
    }
    std::vector<std::string> reserved;
    for (const auto& [k, v] : c.environment) {
        if (is_reserved_environment_variable(k))
            reserved.push_back(k);
        if (k.empty() || k.find('=') != std::string::npos || k.find('\0') != std::string::npos ||
            v.find('\0') != std::string::npos) {
            return core::fail(invalid_parameter(
                fmt::format("environment variable name '{}' is not a valid name", k)));
        }
    }
    if (!reserved.empty()) {
        return core::fail(invalid_parameter(fmt::format(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not "
            "supported for modification. Reserved keys used in this request: {}",
            fmt::join(reserved, ", "))));
    }
    switch (c.kind) {
        case function_kind::in_process:
            break;
        case function_kind::executable:
            if (c.command.empty() || c.command[0].empty())
                return core::fail(invalid_parameter(
                    "an executable function needs a command: the program to run and its "
                    "arguments"));
            for (const auto& a : c.command)
                if (a.find('\0') != std::string::npos)
                    return core::fail(invalid_parameter("a command argument contains NUL"));
            if (c.init_timeout <= milliseconds(0))
                return core::fail(invalid_parameter("init timeout must be positive"));
            break;
        case function_kind::url:
            if (!(c.url.rfind("http://", 0) == 0 || c.url.rfind("https://", 0) == 0))
                return core::fail(invalid_parameter(fmt::format(
                    "a URL function needs an http:// or https:// URL, got '{}'", c.url)));
            break;
    }
    return {};
}

}  // namespace esser::emulator

#include "esser/emulator/lambda/lambda_routes.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/http/rest_error.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

core::error api_error(core::errc code, std::string type, std::string message) {
    core::error e;
    e.code = code;
    e.type = std::move(type);
    e.message = std::move(message);
    return e;
}

core::error validation_exception(std::string message) {
    return api_error(core::errc::validation, "ValidationException", std::move(message));
}

core::error invalid_parameter(std::string message) {
    return api_error(core::errc::validation, "InvalidParameterValueException", std::move(message));
}

// The one translator from service errors to Lambda's REST error answers.
http_response error_response(const core::error& e, std::string_view operation) {
    const std::string type = e.type.empty() ? std::string("ServiceException") : e.type;
    int status = 400;
    if (type == "ResourceNotFoundException")
        status = 404;
    else if (type == "ResourceConflictException")
        status = 409;
    else if (type == "TooManyRequestsException")
        status = 429;
    else if (type == "RequestTooLargeException")
        status = 413;
    else if (type == "ServiceException")
        status = 500;
    else if (type == "UnsupportedMediaTypeException")
        status = 415;
    const std::string_view fault = status >= 500 ? "Service" : "User";
    http_response r = lambda_error_response(status, type, e.message, fault);
    if (type == "TooManyRequestsException") {
        r = http_response::json(
            status, json{{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"},
                         {"Type", "User"},
                         {"message", e.message}});
        r.headers.set("x-amzn-ErrorType", type);
        r.headers.set("Retry-After", "1");
    }
    r.operation = std::string(operation);
    return r;
}

// "2024-01-01T00:00:00.000+0000": LastModified as Lambda writes it.
std::string lambda_timestamp(core::time_point t) {
    std::string s = core::format_rfc3339_ms(t);
    if (!s.empty() && s.back() == 'Z') {
        s.pop_back();
        s += "+0000";
    }
    return s;
}

json configuration_json(const function_info& f) {
    const auto& c = f.config;
    const auto timeout_ms = c.timeout.count();
    json j = {{"FunctionName", c.name},
              {"FunctionArn", f.arn},
              {"Runtime", c.runtime},
              {"Role", "arn:aws:iam::000000000000:role/esser-local"},
              {"Handler", c.handler},
              {"CodeSize", f.code_size},
              {"Description", c.description},
              {"Timeout", std::max<long long>(1, (timeout_ms + 999) / 1000)},
              {"MemorySize", c.memory_size_mb},
              {"LastModified", lambda_timestamp(f.last_modified)},
              {"Version", "$LATEST"},
              {"TracingConfig", {{"Mode", "PassThrough"}}},
              {"RevisionId", f.revision_id},
              {"State", "Active"},
              {"LastUpdateStatus", "Successful"},
              {"PackageType", "Zip"},
              {"Architectures", {"x86_64"}},
              {"EphemeralStorage", {{"Size", 512}}},
              {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + c.name}}}};
    if (!f.code_sha256.empty())
        j["CodeSha256"] = f.code_sha256;
    if (!c.environment.empty())
        j["Environment"] = {{"Variables", c.environment}};
    json esser = {{"Kind", to_string(c.kind)},
                  {"MaxConcurrency", c.max_concurrency},
                  {"TimeoutMs", timeout_ms}};
    if (c.kind == function_kind::executable) {
        esser["Command"] = c.command;
        esser["WorkingDirectory"] = c.working_directory;
        esser["InitTimeoutMs"] = c.init_timeout.count();
    } else if (c.kind == function_kind::url) {
        esser["Url"] = c.url;
    }
    j["Esser"] = std::move(esser);
    return j;
}

// Reads an optional member of `body` with a type check; errors name the member as AWS does.
template <class T>
core::result<bool> read_member(const json& body, const char* name, T& out) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
        return false;
    try {
        out = it->get<T>();
    } catch (const json::exception&) {
        return core::fail(api_error(
            core::errc::validation, "InvalidRequestContentException",
            fmt::format("Could not parse request body into json: member '{}' has the wrong type",
                        name)));
    }
    return true;
}

// An optional integer member within [lo, hi], with AWS's constraint message naming `field`.
core::result<bool> read_bounded(const json& body, const char* member, std::string_view field,
                                long long lo, long long hi, long long& out) {
    auto r = read_member(body, member, out);
    if (!r || !*r)
        return r;
    if (out < lo || out > hi) {
        return core::fail(validation_exception(fmt::format(
            "1 validation error detected: Value '{}' at '{}' failed to satisfy constraint: "
            "Member must have value {} {}",
            out, field, out < lo ? "greater than or equal to" : "less than or equal to",
            out < lo ? lo : hi)));
    }
    return true;
}

// The configuration members CreateFunction and UpdateFunctionConfiguration share (Runtime,
// Handler, Description, Timeout, MemorySize, Environment, Esser), applied to `c` when present.
core::result<void> apply_configuration(const json& body, function_config& c) {
    for (auto [member, target] : {std::pair{"Runtime", &c.runtime},
                                  {"Handler", &c.handler},
                                  {"Description", &c.description}}) {
        if (auto r = read_member(body, member, *target); !r)
            return core::fail(r.error());
    }
    long long timeout_s = 0;
    if (auto r = read_bounded(body, "Timeout", "timeout", 1, 900, timeout_s); !r)
        return core::fail(r.error());
    else if (*r)
        c.timeout = std::chrono::seconds(timeout_s);
    long long memory = 0;
    if (auto r = read_bounded(body, "MemorySize", "memorySize", 128, 10240, memory); !r)
        return core::fail(r.error());
    else if (*r)
        c.memory_size_mb = static_cast<std::uint32_t>(memory);
    if (auto env = body.find("Environment"); env != body.end() && !env->is_null()) {
        json vars = env->is_object() ? env->value("Variables", json::object()) : json();
        if (!vars.is_object())
            return core::fail(invalid_parameter("Environment.Variables must be an object"));
        c.environment.clear();  // Variables replaces the whole set, as on AWS
        for (auto& [k, v] : vars.items()) {
            if (!v.is_string())
                return core::fail(
                    invalid_parameter(fmt::format("Environment variable {} must be a string", k)));
            c.environment[k] = v.get<std::string>();
        }
    }
    if (auto esser = body.find("Esser"); esser != body.end() && !esser->is_null()) {
        if (!esser->is_object())
            return core::fail(invalid_parameter("Esser must be an object"));
        long long n = 0;
        if (auto r = read_member(*esser, "MaxConcurrency", n); !r)
            return core::fail(r.error());
        else if (*r) {
            if (n < 1 || n > 1000)
                return core::fail(invalid_parameter("Esser.MaxConcurrency must be 1..1000"));
            c.max_concurrency = static_cast<std::uint32_t>(n);
        }
        if (auto r = read_member(*esser, "TimeoutMs", n); !r)
            return core::fail(r.error());
        else if (*r) {
            if (n < 1 || n > 900'000)
                return core::fail(invalid_parameter("Esser.TimeoutMs must be 1..900000"));
            c.timeout = std::chrono::milliseconds(n);
        }
        if (auto r = read_member(*esser, "InitTimeoutMs", n); !r)
            return core::fail(r.error());
        else if (*r) {
            if (n < 1 || n > 900'000)
                return core::fail(invalid_parameter("Esser.InitTimeoutMs must be 1..900000"));
            c.init_timeout = std::chrono::milliseconds(n);
        }
    }
    return {};
}

// Code.ZipFile (base64 in JSON, as `--zip-file fileb://fn.zip` sends it) -> the zip's bytes.
core::result<std::string> zip_file_member(const json& code) {
    const json& z = code["ZipFile"];
    std::optional<std::string> bytes;
    if (z.is_string())
        bytes = base64_decode(z.get_ref<const std::string&>());
    if (!bytes) {
        return core::fail(invalid_parameter(
            "Could not unzip uploaded file. Please check your file, then try to upload again. "
            "(ZipFile is not base64)"));
    }
    return std::move(*bytes);
}

// CreateFunction's body -> function_config (and the zip's bytes for Code.ZipFile).
core::result<function_config> config_from_create(const json& body, std::string& zip) {
    function_config c;
    c.runtime.clear();
    if (auto r = read_member(body, "FunctionName", c.name); !r)
        return core::fail(r.error());
    else if (!*r)
        return core::fail(validation_exception(
            "1 validation error detected: Value null at 'functionName' failed to satisfy "
            "constraint: Member must not be null"));
    if (body.contains("PackageType") && body["PackageType"] != "Zip")
        return core::fail(invalid_parameter("esser-local runs Zip-type functions only"));
    if (auto ok = apply_configuration(body, c); !ok)
        return core::fail(ok.error());

    auto code = body.find("Code");
    if (code == body.end() || !code->is_object()) {
        return core::fail(validation_exception(
            "1 validation error detected: Value null at 'code' failed to satisfy constraint: "
            "Member must not be null"));
    }
    if (code->contains("S3Bucket") || code->contains("ImageUri")) {
        return core::fail(invalid_parameter(
            "esser-local does not read code from S3 or container images; give Code.ZipFile (a "
            "zip package), Code.EsserCommand (an executable custom runtime) or Code.EsserUrl (a "
            "URL function)"));
    }
    if (code->contains("ZipFile")) {
        if (c.runtime.empty())
            return core::fail(invalid_parameter(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages."));
        auto bytes = zip_file_member(*code);
        if (!bytes)
            return core::fail(bytes.error());
        zip = std::move(*bytes);
        c.kind = function_kind::executable;
    } else if (code->contains("EsserCommand")) {
        const json& cmd = (*code)["EsserCommand"];
        if (!cmd.is_array() || cmd.empty() ||
            !std::all_of(cmd.begin(), cmd.end(), [](const json& a) { return a.is_string(); }))
            return core::fail(invalid_parameter(
                "Code.EsserCommand must be a non-empty array of strings: the program and its "
                "arguments"));
        c.kind = function_kind::executable;
        c.command = cmd.get<std::vector<std::string>>();
        if (auto r = read_member(*code, "EsserWorkingDirectory", c.working_directory); !r)
            return core::fail(r.error());
        if (c.runtime.empty())
            c.runtime = "provided.al2023";
    } else if (code->contains("EsserUrl")) {
        c.kind = function_kind::url;
        if (auto r = read_member(*code, "EsserUrl", c.url); !r)
            return core::fail(r.error());
    } else {
        return core::fail(invalid_parameter(
            "Code must name the function's code: ZipFile, EsserCommand or EsserUrl"));
    }
    return c;
}

http_response create_function(lambda_service& s, const http_request& req) {
    constexpr std::string_view op = "lambda.CreateFunction";
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return error_response(api_error(core::errc::parse_error, "InvalidRequestContentException",
                                        "Could not parse request body into json"),
                              op);
    }
    std::string zip;
    auto cfg = config_from_create(body, zip);
    if (!cfg)
        return error_response(cfg.error(), op);
    const bool zipped = body["Code"].contains("ZipFile");
    auto created =
        zipped ? s.create_zip_function(std::move(*cfg), zip) : s.create_function(std::move(*cfg));
    if (!created)
        return error_response(created.error(), op);
    http_response r = http_response::json(201, configuration_json(*created));
    r.operation = std::string(op);
    return r;
}

// The function named by the path (with ?Qualifier=, which must be $LATEST or absent).
std::string path_function(const http_request& req) {
    std::string name(req.path_param("name"));
    if (auto q = req.query_param("Qualifier"); q && !q->empty())
        name += ":" + *q;
    return name;
}

http_response configuration_answer(core::result<function_info> f, std::string_view op) {
    if (!f)
        return error_response(f.error(), op);
    http_response r = http_response::json(200, configuration_json(*f));
    r.operation = std::string(op);
    return r;
}

json parse_body(const http_request& req) {
    json body = json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body),
                            nullptr, false);
    return body.is_object() ? body : json(json::value_t::discarded);
}

core::error unparsable_body() {
    return api_error(core::errc::parse_error, "InvalidRequestContentException",
                     "Could not parse request body into json");
}

// PUT /2015-03-31/functions/{name}/code: UpdateFunctionCode with ZipFile.
http_response update_function_code(lambda_service& s, const http_request& req) {
    constexpr std::string_view op = "lambda.UpdateFunctionCode";
    const json body = parse_body(req);
    if (body.is_discarded())
        return error_response(unparsable_body(), op);
    if (!body.contains("ZipFile")) {
        return error_response(
            invalid_parameter("esser-local updates code from ZipFile only (no S3 or image)"), op);
    }
    auto zip = zip_file_member(body);
    if (!zip)
        return error_response(zip.error(), op);
    return configuration_answer(s.update_function_code(path_function(req), *zip), op);
}

// PUT /2015-03-31/functions/{name}/configuration: UpdateFunctionConfiguration.
http_response update_function_configuration(lambda_service& s, const http_request& req) {
    constexpr std::string_view op = "lambda.UpdateFunctionConfiguration";
    const json body = parse_body(req);
    if (body.is_discarded())
        return error_response(unparsable_body(), op);
    return configuration_answer(
        s.update_function_configuration(
            path_function(req),
            [&body](function_config& c) { return apply_configuration(body, c); }),
        op);
}

http_response list_functions(lambda_service& s, const http_request& req) {
    constexpr std::string_view op = "lambda.ListFunctions";
    std::size_t max_items = 50;
    if (auto m = req.query_param("MaxItems")) {
        char* end = nullptr;
        const long v = std::strtol(m->c_str(), &end, 10);
        if (m->empty() || *end != '\0' || v < 1 || v > 10000) {
            return error_response(
                validation_exception(fmt::format(
                    "1 validation error detected: Value '{}' at 'maxItems' failed to satisfy "
                    "constraint: Member must have value between 1 and 10000",
                    *m)),
                op);
        }
        max_items = static_cast<std::size_t>(v);
    }
    // The marker is opaque to clients: the base64 of the last name returned.
    std::string after;
    if (auto m = req.query_param("Marker"); m && !m->empty()) {
        auto decoded = base64_decode(*m);
        if (!decoded)
            return error_response(invalid_parameter("Invalid pagination marker"), op);
        after = *decoded;
    }
    json functions = json::array();
    std::string last;
    bool more = false;
    for (const auto& f : s.list_functions()) {
        if (!after.empty() && f.config.name <= after)
            continue;
        if (functions.size() == max_items) {
            more = true;
            break;
        }
        functions.push_back(configuration_json(f));
        last = f.config.name;
    }
    json out = {{"Functions", std::move(functions)}};
    if (more)
        out["NextMarker"] = base64_encode(last);
    http_response r = http_response::json(200, out);
    r.operation = std::string(op);
    return r;
}

http_response get_function(lambda_service& s, const http_request& req, bool configuration_only) {
    const std::string_view op =
        configuration_only ? "lambda.GetFunctionConfiguration" : "lambda.GetFunction";
    auto f = s.get_function(path_function(req));
    if (!f)
        return error_response(f.error(), op);
    json cfg = configuration_json(*f);
    json out;
    if (configuration_only) {
        out = std::move(cfg);
    } else {
        std::string location;
        if (!f->code_directory.empty())
            location = f->code_directory;
        else if (f->config.kind == function_kind::executable)
            location = f->config.command.empty() ? "" : f->config.command[0];
        else if (f->config.kind == function_kind::url)
            location = f->config.url;
        out = {{"Configuration", std::move(cfg)},
               {"Code", {{"RepositoryType", "esser-local"}, {"Location", location}}}};
    }
    http_response r = http_response::json(200, out);
    r.operation = std::string(op);
    return r;
}

http_response delete_function(lambda_service& s, const http_request& req) {
    constexpr std::string_view op = "lambda.DeleteFunction";
    auto done = s.delete_function(path_function(req));
    if (!done)
        return error_response(done.error(), op);
    http_response r = http_response::empty(204);
    r.operation = std::string(op);
    return r;
}

http_response invoke_answer(core::result<invoke_response> out) {
    constexpr std::string_view op = "lambda.Invoke";
    if (!out)
        return error_response(out.error(), op);
    http_response r;
    r.status = out->status_code;
    r.operation = std::string(op);
    r.headers.set("x-amzn-RequestId", out->request_id);
    if (out->status_code == 200) {
        r.headers.set("Content-Type", "application/json");
        r.headers.set("X-Amz-Executed-Version", out->result.executed_version);
        if (out->result.status == invoke_status::function_error)
            r.headers.set("X-Amz-Function-Error", out->result.function_error.empty()
                                                      ? std::string("Unhandled")
                                                      : out->result.function_error);
        if (!out->log_result.empty())
            r.headers.set("X-Amz-Log-Result", out->log_result);
        r.body = out->body();
    }
    return r;
}

void invoke(lambda_service& s, http_request req, responder res) {
    invoke_request in;
    in.function_name = std::string(req.path_param("name"));
    if (auto q = req.query_param("Qualifier"))
        in.qualifier = *q;
    const auto type = req.headers.value_or("X-Amz-Invocation-Type", "RequestResponse");
    if (!parse_invocation_type(type, in.type)) {
        res.send(error_response(
            validation_exception(fmt::format(
                "1 validation error detected: Value '{}' at 'invocationType' failed to satisfy "
                "constraint: Member must satisfy enum value set: [Event, RequestResponse, "
                "DryRun]",
                type)),
            "lambda.Invoke"));
        return;
    }
    const auto log_type = req.headers.value_or("X-Amz-Log-Type", "None");
    if (log_type != "None" && log_type != "Tail") {
        res.send(error_response(
            validation_exception(fmt::format(
                "1 validation error detected: Value '{}' at 'logType' failed to satisfy "
                "constraint: Member must satisfy enum value set: [Tail, None]",
                log_type)),
            "lambda.Invoke"));
        return;
    }
    in.log_tail = log_type == "Tail";
    in.client_context = std::string(req.headers.value_or("X-Amz-Client-Context", ""));
    in.payload = std::move(req.body);
    s.invoke_async(std::move(in), [res](core::result<invoke_response> out) {
        res.send(invoke_answer(std::move(out)));
    });
}

}  // namespace

void register_lambda_routes(router& r, lambda_service& service) {
    lambda_service* s = &service;
    for (const char* path : {"/2015-03-31/functions", "/2015-03-31/functions/"}) {
        r.add_sync(
            "POST", path, [s](const http_request& q) { return create_function(*s, q); },
            "lambda.CreateFunction");
        r.add_sync(
            "GET", path, [s](const http_request& q) { return list_functions(*s, q); },
            "lambda.ListFunctions");
    }
    r.add_sync(
        "GET", "/2015-03-31/functions/{name}",
        [s](const http_request& q) { return get_function(*s, q, false); }, "lambda.GetFunction");
    r.add_sync(
        "GET", "/2015-03-31/functions/{name}/configuration",
        [s](const http_request& q) { return get_function(*s, q, true); },
        "lambda.GetFunctionConfiguration");
    r.add_sync(
        "PUT", "/2015-03-31/functions/{name}/code",
        [s](const http_request& q) { return update_function_code(*s, q); },
        "lambda.UpdateFunctionCode");
    r.add_sync(
        "PUT", "/2015-03-31/functions/{name}/configuration",
        [s](const http_request& q) { return update_function_configuration(*s, q); },
        "lambda.UpdateFunctionConfiguration");
    r.add_sync(
        "DELETE", "/2015-03-31/functions/{name}",
        [s](const http_request& q) { return delete_function(*s, q); }, "lambda.DeleteFunction");
    // Code uploads: the base64 of a zip of up to 50 MB in the JSON body. AWS refuses a larger
    // request with 413 RequestEntityTooLargeException "Request must be smaller than 69905067
    // bytes for the CreateFunction operation" (the same for UpdateFunctionCode).
    auto too_large = [](std::string_view operation) {
        return lambda_error_response(413, "RequestEntityTooLargeException",
                                     "Request must be smaller than " +
                                         std::to_string(max_code_request_bytes + 1) +
                                         " bytes for the " + std::string(operation) + " operation");
    };
    for (const char* path : {"/2015-03-31/functions", "/2015-03-31/functions/"})
        r.body_limit("POST", path, max_code_request_bytes, too_large("CreateFunction"));
    r.body_limit("PUT", "/2015-03-31/functions/{name}/code", max_code_request_bytes,
                 too_large("UpdateFunctionCode"));
    r.add(
        "POST", "/2015-03-31/functions/{name}/invocations",
        [s](http_request q, responder res) { invoke(*s, std::move(q), std::move(res)); },
        "lambda.Invoke");

    r.add_sync(
        "GET", "/esser/v1/lambda/functions/{name}/logs",
        [s](const http_request& q) {
            auto text = s->function_log_text(q.path_param("name"));
            if (!text) {
                core::error e = text.error();
                return esser_error_response(e);
            }
            return http_response::text(200, std::move(*text));
        },
        "lambda.logs");
    r.add_sync(
        "GET", "/esser/v1/lambda/failed-events",
        [s](const http_request&) {
            return http_response::json(200, json{{"events", s->failed_events()}});
        },
        "lambda.failed_events");
}

}  // namespace esser::emulator

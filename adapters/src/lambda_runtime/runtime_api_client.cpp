#include "esser/adapters/lambda_runtime/runtime_api_client.hpp"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace esser::adapters {

namespace {

constexpr std::string_view base = "/2018-06-01";

core::error api_unavailable(std::string message) {
    core::error e = core::error::unavailable(std::move(message));
    e.type = "Runtime.ApiUnavailable";
    return e;
}

// Request ids are UUIDs, but they come from the network: encode anything that is not an RFC 3986
// unreserved character so a hostile id cannot change the request line.
std::string encode_path_segment(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::optional<std::chrono::system_clock::time_point> parse_deadline(const std::string* h) {
    if (h == nullptr)
        return std::nullopt;
    std::int64_t ms = 0;
    const char* first = h->data();
    const char* last = h->data() + h->size();
    auto [p, ec] = std::from_chars(first, last, ms);
    if (ec != std::errc{} || p != last || ms <= 0)
        return std::nullopt;
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

std::string header_or_empty(const http_headers& h, std::string_view name) {
    const std::string* v = h.find(name);
    return v != nullptr ? *v : std::string();
}

}  // namespace

core::result<std::unique_ptr<runtime_api_client>> runtime_api_client::create(
    std::string_view runtime_api) {
    auto invalid = [&](std::string why) {
        core::error e = core::error::invalid_argument(
            fmt::format("AWS_LAMBDA_RUNTIME_API '{}' {}", runtime_api, why));
        e.type = "Runtime.InvalidEnvironment";
        return core::fail(std::move(e));
    };
    if (runtime_api.empty())
        return invalid("is empty: not running under a Lambda Runtime API");
    if (runtime_api.find("://") != std::string_view::npos ||
        runtime_api.find('/') != std::string_view::npos) {
        return invalid("must be host:port, without scheme or path");
    }
    auto origin = url::parse(fmt::format("http://{}", runtime_api));
    if (!origin)
        return invalid(origin.error().message);
    http_client_options opts;
    // /next is a long poll that may wait for hours between invocations: no practical timeout.
    opts.request_timeout = std::chrono::hours(24);
    opts.max_idle_connections = 2;
    opts.max_response_bytes = 16u << 20;  // 6 MB sync payload limit, with room to spare
    auto http = http_client::create(*origin, opts);
    if (!http)
        return core::fail(http.error());
    return std::unique_ptr<runtime_api_client>(new runtime_api_client(std::move(*http)));
}

runtime_api_client::runtime_api_client(std::unique_ptr<http_client> http)
    : http_(std::move(http)) {}

core::result<invocation> runtime_api_client::next() {
    http_request req;
    req.method = "GET";
    req.target = fmt::format("{}/runtime/invocation/next", base);
    auto res = http_->send(std::move(req));
    if (!res) {
        return core::fail(
            api_unavailable(fmt::format("Runtime API next failed: {}", res.error().message)));
    }
    last_status_ = res->status;
    if (res->status != 200) {
        last_body_ = res->body;
        return core::fail(api_unavailable(fmt::format("Runtime API next answered HTTP {}: {}",
                                                      res->status, res->body.substr(0, 200))));
    }
    invocation inv;
    inv.request_id = header_or_empty(res->headers, "Lambda-Runtime-Aws-Request-Id");
    if (inv.request_id.empty()) {
        core::error e = core::error::parse_error(
            "Runtime API next answered without Lambda-Runtime-Aws-Request-Id");
        e.type = "Runtime.InvalidResponse";
        return core::fail(std::move(e));
    }
    inv.deadline = parse_deadline(res->headers.find("Lambda-Runtime-Deadline-Ms"));
    inv.function_arn = header_or_empty(res->headers, "Lambda-Runtime-Invoked-Function-Arn");
    inv.trace_id = header_or_empty(res->headers, "Lambda-Runtime-Trace-Id");
    inv.client_context = header_or_empty(res->headers, "Lambda-Runtime-Client-Context");
    inv.cognito_identity = header_or_empty(res->headers, "Lambda-Runtime-Cognito-Identity");
    inv.payload = std::move(res->body);
    return inv;
}

core::result<post_status> runtime_api_client::post(std::string target, std::string body,
                                                   const std::string* error_type) {
    http_request req;
    req.method = "POST";
    req.target = std::move(target);
    req.headers.add("Content-Type", "application/json");
    if (error_type != nullptr) {
        // A header value cannot carry control characters; a type chosen by user code might.
        std::string type = *error_type;
        for (char& c : type) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                c = ' ';
        }
        req.headers.add("Lambda-Runtime-Function-Error-Type", std::move(type));
    }
    req.body = std::move(body);
    const std::string what = req.target;
    auto res = http_->send(std::move(req));
    if (!res) {
        return core::fail(api_unavailable(
            fmt::format("Runtime API POST {} failed: {}", what, res.error().message)));
    }
    last_status_ = res->status;
    last_body_ = res->body;
    switch (res->status) {
        case 200:
        case 202:
            return post_status::accepted;
        case 400:
        case 403:
        case 413:
            return post_status::rejected;
        default:
            return core::fail(
                api_unavailable(fmt::format("Runtime API POST {} answered HTTP {}: {}", what,
                                            res->status, res->body.substr(0, 200))));
    }
}

core::result<post_status> runtime_api_client::post_response(const std::string& request_id,
                                                            std::string payload) {
    return post(
        fmt::format("{}/runtime/invocation/{}/response", base, encode_path_segment(request_id)),
        std::move(payload), nullptr);
}

core::result<post_status> runtime_api_client::post_error(const std::string& request_id,
                                                         const function_error& e) {
    return post(
        fmt::format("{}/runtime/invocation/{}/error", base, encode_path_segment(request_id)),
        e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), &e.error_type);
}

core::result<post_status> runtime_api_client::post_init_error(const function_error& e) {
    return post(fmt::format("{}/runtime/init/error", base),
                e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                &e.error_type);
}

}  // namespace esser::adapters

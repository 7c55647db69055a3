#include "esser/adapters/lambda_runtime/command_function.hpp"

#include <array>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "esser/adapters/lambda_runtime/runtime_loop.hpp"

namespace esser::adapters {

namespace {

using nlohmann::json;

// RFC 4648 base64 (API Gateway's isBase64Encoded bodies). Strict: padding only at the end,
// no characters outside the alphabet; nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view in) {
    static const std::array<signed char, 256> table = [] {
        std::array<signed char, 256> t{};
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        return t;
    }();
    if (in.size() % 4 != 0)
        return std::nullopt;
    std::string out;
    out.reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = in[i + k];
            if (c == '=') {
                // '=' only in the last group, only in its last two places, and only trailing.
                if (i + 4 != in.size() || k < 2)
                    return std::nullopt;
                ++pad;
                v[k] = 0;
                continue;
            }
            if (pad > 0)
                return std::nullopt;
            v[k] = table[static_cast<unsigned char>(c)];
            if (v[k] < 0)
                return std::nullopt;
        }
        const std::uint32_t n =
            (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
        out.push_back(static_cast<char>((n >> 16) & 0xff));
        if (pad < 2)
            out.push_back(static_cast<char>((n >> 8) & 0xff));
        if (pad < 1)
            out.push_back(static_cast<char>(n & 0xff));
    }
    return out;
}

core::error shape_error(std::string message, std::vector<core::field_error> fields = {}) {
    core::error e = core::error::parse_error(std::move(message), std::move(fields));
    e.source = "event";
    return e;
}

// A header of an API Gateway / Function URL event, by case-insensitive name.
const json* find_header(const json* headers, std::string_view name) {
    if (headers == nullptr || !headers->is_object())
        return nullptr;
    for (auto it = headers->begin(); it != headers->end(); ++it) {
        const std::string& k = it.key();
        if (k.size() != name.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < k.size() && same; ++i) {
            same = std::tolower(static_cast<unsigned char>(k[i])) ==
                   std::tolower(static_cast<unsigned char>(name[i]));
        }
        if (same && it->is_string())
            return &*it;
    }
    return nullptr;
}

json proxy_response(int status, const json& body) {
    return json{{"statusCode", status},
                {"headers", {{"content-type", "application/json"}}},
                {"isBase64Encoded", false},
                {"body", body.dump(-1, ' ', false, json::error_handler_t::replace)}};
}

}  // namespace

std::string_view to_string(command_event_shape s) noexcept {
    switch (s) {
        case command_event_shape::esser:
            return "esser";
        case command_event_shape::seed:
            return "seed";
        case command_event_shape::api_gateway_v1:
            return "api_gateway_v1";
        case command_event_shape::http_api_v2:
            return "http_api_v2";
    }
    return "unknown";
}

command_function::command_function(std::shared_ptr<const core::domain> d,
                                   std::shared_ptr<const core::command_handler> handler)
    : domain_(std::move(d)), handler_(std::move(handler)) {}

int command_function::http_status(core::errc code) noexcept {
    switch (code) {
        case core::errc::validation:
        case core::errc::parse_error:
        case core::errc::invalid_argument:
            return 400;
        case core::errc::not_found:
            return 404;
        case core::errc::version_conflict:
            return 409;
        case core::errc::aggregate_deleted:
            return 410;
        case core::errc::vetoed:
            return 422;
        case core::errc::throttled:
            return 429;
        case core::errc::unavailable:
            return 503;
        case core::errc::timeout:
            return 504;
        case core::errc::remote:
            return 502;
        case core::errc::internal:
        case core::errc::invalid_domain:
            return 500;
    }
    return 500;
}

json command_function::error_body(const core::error& e) {
    json fields = json::array();
    for (const auto& f : e.fields) fields.push_back({{"pointer", f.pointer}, {"reason", f.reason}});
    json err{{"type", std::string(core::to_string(e.code))},
             {"message", e.message},
             {"fields", std::move(fields)}};
    if (!e.type.empty())
        err["aws_type"] = e.type;
    return json{{"error", std::move(err)}};
}

core::result<core::command> command_function::decode_seed(const json& body) const {
    std::vector<core::field_error> problems;
    auto str = [&](const char* name, bool required) -> std::string {
        auto it = body.find(name);
        if (it == body.end() || it->is_null()) {
            if (required)
                problems.push_back({fmt::format("/{}", name), "is required"});
            return {};
        }
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
            problems.push_back({fmt::format("/{}", name), "must be a non-empty string"});
            return {};
        }
        return it->get<std::string>();
    };
    core::command c;
    c.entity = str("AggregateName", true);
    c.id = str("AggregateId", false);
    const std::string event_name = str("EventName", true);
    c.command_id = str("CommandId", false);
    if (auto it = body.find("Payload"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) {
            problems.push_back({"/Payload", "must be a JSON object"});
        } else {
            c.data = *it;
        }
    }
    if (auto it = body.find("ExpectedVersion"); it != body.end()) {
        auto ev = core::expected_version::from_json(*it);
        if (!ev) {
            problems.push_back({"/ExpectedVersion", ev.error().message});
        } else {
            c.expected = *ev;
        }
    }
    if (!problems.empty())
        return core::fail(
            core::error::validation("the seed-shaped command event is invalid", problems));
    const core::entity_def* entity = domain_->find(c.entity);
    if (entity == nullptr) {
        return core::fail(core::error::not_found(
            fmt::format("no entity '{}' in domain '{}'", c.entity, domain_->name())));
    }
    // EventName names a command, or (as in the Python original) the event a command emits.
    if (entity->find_command(event_name) != nullptr) {
        c.name = event_name;
    } else {
        for (const auto& [name, def] : entity->commands) {
            for (const auto& t : def.events) {
                if (t.type == event_name)
                    c.name = name;
            }
            if (!c.name.empty())
                break;
        }
    }
    if (c.name.empty()) {
        return core::fail(core::error::not_found(fmt::format(
            "entity '{}' has no command named '{}' nor one that emits it", c.entity, event_name)));
    }
    return c;
}

core::result<core::command> command_function::decode_body(const json& body,
                                                          const json* http_headers) const {
    if (!body.is_object()) {
        return core::fail(
            shape_error("a command must be a JSON object", {{"", "must be a JSON object"}}));
    }
    if (body.contains("AggregateName"))
        return decode_seed(body);
    if (!body.contains("entity") && !body.contains("command")) {
        return core::fail(
            shape_error("not a command: expected {\"entity\", \"command\", ...} or the seed's "
                        "{\"AggregateName\", "
                        "\"EventName\", ...}",
                        {{"", "has neither entity/command nor AggregateName/EventName"}}));
    }
    auto c = core::command_from_json(body);
    if (!c)
        return c;
    if (c->command_id.empty()) {
        if (const json* key = find_header(http_headers, "Idempotency-Key"))
            c->command_id = key->get<std::string>();
    }
    return c;
}

core::result<command_event> command_function::decode(std::string_view payload,
                                                     command_event_shape* shape) const {
    json ev = json::parse(payload, nullptr, false);
    if (ev.is_discarded())
        return core::fail(shape_error("the event is not valid JSON"));
    command_event out;
    if (!ev.is_object())
        return core::fail(
            shape_error("the event must be a JSON object", {{"", "must be an object"}}));
    const bool v1 = ev.contains("httpMethod") && ev.contains("requestContext");
    const bool v2 = ev.value("version", json()) == "2.0" && ev.contains("requestContext");
    if (!v1 && !v2) {
        out.shape =
            ev.contains("AggregateName") ? command_event_shape::seed : command_event_shape::esser;
        if (shape != nullptr)
            *shape = out.shape;
        auto c = decode_body(ev, nullptr);
        if (!c)
            return core::fail(c.error());
        out.cmd = std::move(*c);
        return out;
    }
    out.shape = v1 ? command_event_shape::api_gateway_v1 : command_event_shape::http_api_v2;
    if (shape != nullptr)
        *shape = out.shape;
    const json* method = nullptr;
    if (v1) {
        method = &ev["httpMethod"];
    } else if (auto rc = ev.find("requestContext"); rc->is_object()) {
        if (auto h = rc->find("http"); h != rc->end() && h->is_object()) {
            if (auto m = h->find("method"); m != h->end())
                method = &*m;
        }
    }
    if (method == nullptr || !method->is_string()) {
        return core::fail(
            shape_error("the HTTP event has no method",
                        {{v1 ? "/httpMethod" : "/requestContext/http/method", "is required"}}));
    }
    if (*method != "POST") {
        core::error e = core::error::invalid_argument(fmt::format(
            "method {} is not allowed: send commands with POST", method->get<std::string>()));
        e.type = "MethodNotAllowed";
        return core::fail(std::move(e));
    }
    std::string body_text;
    if (auto b = ev.find("body"); b != ev.end() && b->is_string())
        body_text = b->get<std::string>();
    if (ev.value("isBase64Encoded", false)) {
        auto decoded = base64_decode(body_text);
        if (!decoded)
            return core::fail(shape_error("the body is marked isBase64Encoded but is not base64"));
        body_text = std::move(*decoded);
    }
    if (body_text.empty()) {
        return core::fail(shape_error("the request has no body: POST a command as JSON",
                                      {{"/body", "is empty"}}));
    }
    json body = json::parse(body_text, nullptr, false);
    if (body.is_discarded())
        return core::fail(shape_error("the request body is not valid JSON"));
    const json* headers = ev.contains("headers") ? &ev["headers"] : nullptr;
    auto c = decode_body(body, headers);
    if (!c)
        return core::fail(c.error());
    out.cmd = std::move(*c);
    return out;
}

invocation_result command_function::operator()(const invocation& inv) const {
    command_event_shape shape = command_event_shape::esser;
    auto decoded = decode(inv.payload, &shape);
    const bool http =
        shape == command_event_shape::api_gateway_v1 || shape == command_event_shape::http_api_v2;
    core::result<core::command_result> handled =
        decoded ? handler_->handle(decoded->cmd)
                : core::result<core::command_result>(core::fail(decoded.error()));
    if (http) {
        if (!handled) {
            const core::error& e = handled.error();
            const int status = e.type == "MethodNotAllowed" ? 405 : http_status(e.code);
            return invocation_result::success(proxy_response(status, error_body(e)).dump());
        }
        const bool created =
            !handled->duplicate && !handled->events.empty() && handled->events.front().version == 1;
        return invocation_result::success(
            proxy_response(created ? 201 : 200, json(*handled)).dump());
    }
    if (!handled)
        return invocation_result::failure(to_function_error(handled.error()));
    return invocation_result::success(
        json(*handled).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace esser::adapters

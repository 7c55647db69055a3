#include "esser/emulator/esm/esm_routes.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "esser/emulator/esm/esm_request.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/http/rest_error.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

// The one translator from mapping errors to Lambda's REST error answers.
http_response error_response(const core::error& e, std::string_view operation) {
    const std::string type = e.type.empty() ? std::string("ServiceException") : e.type;
    int status = 400;
    if (type == "ResourceNotFoundException")
        status = 404;
    else if (type == "ResourceConflictException" || type == "ResourceInUseException")
        status = 409;
    else if (type == "ServiceException")
        status = 500;
    http_response r =
        lambda_error_response(status, type, e.message, status >= 500 ? "Service" : "User");
    r.operation = std::string(operation);
    return r;
}

http_response answer(int status, const esm_info& info, std::string_view operation) {
    http_response r = http_response::json(status, esm_to_json(info));
    r.operation = std::string(operation);
    return r;
}

// Lambda answers a body it cannot parse with InvalidRequestContentException.
core::result<json> request_json(const http_request& q) {
    json body = json::parse(q.body.empty() ? std::string("{}") : q.body, nullptr, false);
    if (body.is_discarded()) {
        return core::fail(esm_error("InvalidRequestContentException",
                                    "Could not parse request body into json: the body is not "
                                    "valid JSON"));
    }
    return body;
}

http_response create(esm_service& s, const http_request& q) {
    constexpr std::string_view op = "lambda.CreateEventSourceMapping";
    auto body = request_json(q);
    if (!body)
        return error_response(body.error(), op);
    auto cfg = parse_create_request(*body);
    if (!cfg)
        return error_response(cfg.error(), op);
    auto info = s.create(std::move(*cfg));
    if (!info)
        return error_response(info.error(), op);
    return answer(202, *info, op);
}

std::optional<std::size_t> parse_size(std::string_view text) {
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
        return std::nullopt;
    return v;
}

http_response list(esm_service& s, const http_request& q) {
    constexpr std::string_view op = "lambda.ListEventSourceMappings";
    const std::string arn = q.query_param("EventSourceArn").value_or("");
    const std::string fn = q.query_param("FunctionName").value_or("");
    std::size_t max_items = 100;
    if (auto m = q.query_param("MaxItems")) {
        auto v = parse_size(*m);
        if (!v || *v < 1 || *v > 10000) {
            return error_response(
                esm_error("ValidationException",
                          "1 validation error detected: Value '" + *m +
                              "' at 'maxItems' failed to satisfy constraint: Member must have "
                              "value between 1 and 10000"),
                op);
        }
        max_items = *v;
    }
    std::size_t start = 0;
    if (auto m = q.query_param("Marker"); m && !m->empty()) {
        auto v = parse_size(*m);
        if (!v)
            return error_response(esm_error("InvalidParameterValueException", "Invalid marker"),
                                  op);
        start = *v;
    }
    const auto all = s.list(arn, fn);
    json items = json::array();
    for (std::size_t i = start; i < all.size() && items.size() < max_items; ++i)
        items.push_back(esm_to_json(all[i]));
    json out = {{"EventSourceMappings", std::move(items)}};
    if (start + max_items < all.size())
        out["NextMarker"] = std::to_string(start + max_items);
    http_response r = http_response::json(200, out);
    r.operation = std::string(op);
    return r;
}

http_response get(esm_service& s, const http_request& q) {
    constexpr std::string_view op = "lambda.GetEventSourceMapping";
    auto info = s.get(q.path_param("uuid"));
    return info ? answer(200, *info, op) : error_response(info.error(), op);
}

http_response update(esm_service& s, const http_request& q) {
    constexpr std::string_view op = "lambda.UpdateEventSourceMapping";
    auto body = request_json(q);
    if (!body)
        return error_response(body.error(), op);
    auto info = s.update(q.path_param("uuid"), *body);
    return info ? answer(202, *info, op) : error_response(info.error(), op);
}

http_response remove(esm_service& s, const http_request& q) {
    constexpr std::string_view op = "lambda.DeleteEventSourceMapping";
    auto info = s.remove(q.path_param("uuid"));
    return info ? answer(202, *info, op) : error_response(info.error(), op);
}

json message_json(const sqs_message& m) {
    return {{"MessageId", m.message_id},
            {"Body", m.body},
            {"MD5OfBody", m.md5_of_body},
            {"SentTimestamp", std::to_string(core::to_epoch_ms(m.sent_at))}};
}

json queue_json(const queue_info& q) {
    return {{"name", q.name},
            {"arn", q.arn},
            {"url", q.url},
            {"messages", q.messages},
            {"sent", q.sent}};
}

http_response queue_messages(sqs_service& qs, const http_request& q) {
    std::size_t max = SIZE_MAX;
    if (auto m = q.query_param("max")) {
        auto v = parse_size(*m);
        if (!v || *v == 0)
            return esser_error_response(
                core::error::validation("'max' must be a positive integer"));
        max = *v;
    }
    const auto consume = q.query_param("consume").value_or("false");
    if (consume != "true" && consume != "false")
        return esser_error_response(core::error::validation("'consume' must be true or false"));
    const std::string name(q.path_param("name"));
    auto msgs = consume == "true" ? qs.take(name, max) : qs.peek(name, max);
    if (!msgs)
        return esser_error_response(msgs.error());
    json out = json::array();
    for (const auto& m : *msgs) out.push_back(message_json(m));
    return http_response::json(200, json{{"messages", std::move(out)}});
}

}  // namespace

void register_esm_routes(router& r, esm_service& service) {
    esm_service* s = &service;
    for (const char* path :
         {"/2015-03-31/event-source-mappings", "/2015-03-31/event-source-mappings/"}) {
        r.add_sync(
            "POST", path, [s](const http_request& q) { return create(*s, q); },
            "lambda.CreateEventSourceMapping");
        r.add_sync(
            "GET", path, [s](const http_request& q) { return list(*s, q); },
            "lambda.ListEventSourceMappings");
    }
    r.add_sync(
        "GET", "/2015-03-31/event-source-mappings/{uuid}",
        [s](const http_request& q) { return get(*s, q); }, "lambda.GetEventSourceMapping");
    r.add_sync(
        "PUT", "/2015-03-31/event-source-mappings/{uuid}",
        [s](const http_request& q) { return update(*s, q); }, "lambda.UpdateEventSourceMapping");
    r.add_sync(
        "DELETE", "/2015-03-31/event-source-mappings/{uuid}",
        [s](const http_request& q) { return remove(*s, q); }, "lambda.DeleteEventSourceMapping");
}

void register_esser_esm_routes(router& r, esm_service& service, sqs_service& queues) {
    esm_service* s = &service;
    sqs_service* qs = &queues;
    r.add_sync(
        "POST", "/esser/v1/drain",
        [s](const http_request&) { return http_response::json(200, to_json(s->drain())); },
        "esser.drain");
    r.add_sync(
        "GET", "/esser/v1/event-source-mappings/{uuid}/status",
        [s](const http_request& q) {
            auto st = s->status(q.path_param("uuid"));
            if (!st) {
                core::error e = st.error();
                e.code = core::errc::not_found;
                return esser_error_response(e);
            }
            return http_response::json(200, *st);
        },
        "esser.esm_status");
    r.add_sync(
        "GET", "/esser/v1/queues",
        [qs](const http_request&) {
            json out = json::array();
            for (const auto& q : qs->list()) out.push_back(queue_json(q));
            return http_response::json(200, json{{"queues", std::move(out)}});
        },
        "esser.queues");
    r.add_sync(
        "POST", "/esser/v1/queues",
        [qs](const http_request& q) {
            json body = json::parse(q.body, nullptr, false);
            if (body.is_discarded() || !body.is_object() || !body.contains("name") ||
                !body["name"].is_string()) {
                return esser_error_response(
                    core::error::validation("the body must be a JSON object with a string 'name'"));
            }
            auto info = qs->create(body["name"].get<std::string>());
            if (!info)
                return esser_error_response(info.error());
            return http_response::json(201, queue_json(*info));
        },
        "esser.queue_create");
    r.add_sync(
        "GET", "/esser/v1/queues/{name}/messages",
        [qs](const http_request& q) { return queue_messages(*qs, q); }, "esser.queue_messages");
    r.add_sync(
        "DELETE", "/esser/v1/queues/{name}/messages",
        [qs](const http_request& q) {
            auto n = qs->purge(q.path_param("name"));
            if (!n)
                return esser_error_response(n.error());
            return http_response::json(200, json{{"purged", *n}});
        },
        "esser.queue_purge");
    r.add_sync(
        "DELETE", "/esser/v1/queues/{name}",
        [qs](const http_request& q) {
            auto ok = qs->remove(q.path_param("name"));
            if (!ok)
                return esser_error_response(ok.error());
            return http_response::empty(204);
        },
        "esser.queue_delete");
}

}  // namespace esser::emulator

#include "esser/emulator/sqs/sqs_front.hpp"

#include <cctype>
#include <memory>

#include <nlohmann/json.hpp>

#include "esser/emulator/http/sigv4_guard.hpp"
#include "esser/emulator/sqs/sqs_api.hpp"
#include "esser/emulator/sqs/sqs_error.hpp"
#include "esser/emulator/sqs/sqs_query_codec.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

constexpr std::string_view target_prefix = "AmazonSQS.";
constexpr std::string_view form_media = "application/x-www-form-urlencoded";

std::string media_type(std::string_view content_type) {
    std::string m(content_type.substr(0, content_type.find(';')));
    while (!m.empty() && std::isspace(static_cast<unsigned char>(m.back()))) m.pop_back();
    std::size_t i = 0;
    while (i < m.size() && std::isspace(static_cast<unsigned char>(m[i]))) ++i;
    m.erase(0, i);
    for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return m;
}

// A fixed metrics label per action (never user input).
std::string label_of(std::string_view action) {
    return sqs_api::serves(action) ? "sqs." + std::string(action) : std::string("sqs.unknown");
}

http_response json_answer(const core::result<json>& r, std::string_view action,
                          const std::string& request_id) {
    http_response res;
    if (r) {
        res.status = 200;
        res.body = r->dump(-1, ' ', false, json::error_handler_t::replace);
    } else {
        const sqs_wire_error w = to_sqs_wire_error(r.error());
        res.status = w.status;
        res.body = json{{"__type", w.json_type}, {"message", r.error().message}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
        res.headers.set("x-amzn-query-error", w.query_code + ";" + w.fault);
    }
    res.headers.set("Content-Type", "application/x-amz-json-1.0");
    res.headers.set("x-amzn-RequestId", request_id);
    res.operation = label_of(action);
    return res;
}

http_response xml_answer(const core::result<json>& r, std::string_view action,
                         const std::string& request_id) {
    http_response res;
    if (r) {
        res.status = 200;
        res.body = query_response_xml(action, *r, request_id);
    } else {
        const sqs_wire_error w = to_sqs_wire_error(r.error());
        res.status = w.status;
        res.body = query_error_xml(w, r.error().message, request_id);
    }
    res.headers.set("Content-Type", "text/xml");
    res.headers.set("x-amzn-RequestId", request_id);
    res.operation = label_of(action);
    return res;
}

}  // namespace

bool sqs_front::is_sqs_request(const http_request& req) {
    if (req.headers.value_or("X-Amz-Target").starts_with(target_prefix))
        return true;
    if (req.method == "POST")
        return media_type(req.headers.value_or("Content-Type")) == form_media;
    if (req.method == "GET") {
        const auto q = req.query();
        return q.starts_with("Action=") || q.find("&Action=") != std::string_view::npos;
    }
    return false;
}

void sqs_front::handle(http_request req, responder res) const {
    std::string request_id = ids_.uuid();
    const bool json_protocol = req.headers.value_or("X-Amz-Target").starts_with(target_prefix);
    if (signatures_) {
        // Before anything is parsed: an unsigned request learns nothing about the queues.
        if (auto who = signatures_->verify(req, "sqs"); !who) {
            const core::result<json> refused =
                core::fail(sqs_authentication_error(who.error().type, who.error().message));
            http_response answer = json_protocol ? json_answer(refused, "", request_id)
                                                 : xml_answer(refused, "", request_id);
            answer.operation = "sqs.auth.refused";
            res.send(std::move(answer));
            return;
        }
    }
    if (json_protocol)
        handle_json(std::move(req), std::move(res), std::move(request_id));
    else
        handle_query(std::move(req), std::move(res), std::move(request_id));
}

void sqs_front::handle_json(http_request req, responder res, std::string request_id) const {
    const std::string action(req.headers.value_or("X-Amz-Target").substr(target_prefix.size()));
    json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (req.method != "POST" || body.is_discarded() || !body.is_object()) {
        res.send(json_answer(core::fail(sqs_error(sqs_errors::serialization,
                                                  "The request body must be a JSON object.")),
                             action, request_id));
        return;
    }
    auto cancel = api_.call(action, body, [res, action, request_id](core::result<json> r) {
        res.send(json_answer(r, action, request_id));
    });
    if (cancel)
        res.on_cancel(std::move(cancel));
}

void sqs_front::handle_query(http_request req, responder res, std::string request_id) const {
    auto params = parse_form(req.query());
    if (params && req.method == "POST") {
        auto from_body = parse_form(req.body);
        if (!from_body)
            params = core::fail(from_body.error());
        else
            params->insert(params->end(), from_body->begin(), from_body->end());
    }
    if (!params) {
        res.send(xml_answer(core::fail(params.error()), "", request_id));
        return;
    }
    const std::string* action_param = form_value(*params, "Action");
    const std::string action = action_param ? *action_param : std::string();
    if (!sqs_api::serves(action)) {
        res.send(xml_answer(
            core::fail(sqs_error(
                sqs_errors::invalid_action,
                action.empty() ? std::string("The request must contain "
                                             "the parameter Action.")
                               : "The action " + action + " is not valid for this endpoint.")),
            action, request_id));
        return;
    }
    auto body = form_to_json(*params);
    if (!body) {
        res.send(xml_answer(core::fail(body.error()), action, request_id));
        return;
    }
    // A request posted to the queue URL names its queue by the path.
    if (!body->contains("QueueUrl") && req.path() != "/" && !req.path().empty())
        (*body)["QueueUrl"] = std::string(req.path());
    auto cancel = api_.call(action, *body, [res, action, request_id](core::result<json> r) {
        res.send(xml_answer(r, action, request_id));
    });
    if (cancel)
        res.on_cancel(std::move(cancel));
}

http_handler sqs_front::wrap(http_handler next) const {
    return [this, next = std::move(next)](http_request req, responder res) {
        if (is_sqs_request(req))
            handle(std::move(req), std::move(res));
        else if (next)
            next(std::move(req), std::move(res));
        else
            res.send(http_response::empty(404));
    };
}

}  // namespace esser::emulator

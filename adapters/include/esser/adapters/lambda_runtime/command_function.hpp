#pragma once
// The command Lambda: turns an invocation into a core::command, runs it through
// core::command_handler, and answers in the shape the caller used.
//
// Accepted events (the payload of one invocation):
//   esser command        {"entity", "command", "id", "data", "command_id", "expected_version", ...}
//                        (core/command.hpp, command_from_json)
//   seed (esser 0.x)     {"AggregateName": "Item", "AggregateId": "a1", "EventName":
//   "PriceUpdated",
//                         "Payload": {...}}; EventName names the command, or the event a command
//                        emits (as the Python original did); without AggregateId it must be a
//                        create command. Optional "CommandId", "ExpectedVersion".
//   API Gateway REST     {"httpMethod", "path", "headers", "body", "isBase64Encoded",
//     (payload 1.0)       "requestContext": {...}}, body = one of the two shapes above
//   HTTP API / Function  {"version": "2.0", "rawPath", "body", "isBase64Encoded",
//     URL (payload 2.0)   "requestContext": {"http": {"method", ...}}}, idem
//   An Idempotency-Key header on HTTP events becomes the command_id when the body has none.
//
// Answers:
//   direct invoke  success: the command_result JSON ({"entity","id","version","events","state",
//                  "duplicate"}); failure: a function error whose errorType is the errc name
//                  ("validation", "version_conflict", ...) and errorMessage error::describe().
//   HTTP events    always a response object {"statusCode", "headers", "body"} (API Gateway and
//                  Function URLs turn a function error into a bare 502): 201 created, 200
//                  otherwise; errors as {"error": {"type", "message", "fields": [{"pointer",
//                  "reason"}]}} with 400 validation/parse_error/invalid_argument, 404 not_found,
//                  405 a method other than POST, 409 version_conflict, 410 aggregate_deleted,
//                  422 vetoed, 429 throttled, 503 unavailable, 504 timeout, 502 remote,
//                  500 internal.
//   A payload that is not JSON, or JSON of no known shape: errc::parse_error (direct: function
//   error "parse_error"; HTTP: 400).
//
// Thread-safe as command_handler is.

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/adapters/lambda_runtime/invocation.hpp"
#include "esser/core/command.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/domain.hpp"

namespace esser::adapters {

enum class command_event_shape { esser, seed, api_gateway_v1, http_api_v2 };

std::string_view to_string(command_event_shape s) noexcept;

struct command_event {
    command_event_shape shape = command_event_shape::esser;
    core::command cmd;
};

class command_function {
public:
    command_function(std::shared_ptr<const core::domain> d,
                     std::shared_ptr<const core::command_handler> handler);

    // The runtime loop's handler.
    invocation_result operator()(const invocation& inv) const;

    // Decodes one payload (any accepted shape). For HTTP shapes the error of a bad body is the
    // same as for a bad direct payload; `shape` (when not null) is set as soon as it is known,
    // so the caller can answer in the right form.
    [[nodiscard]] core::result<command_event> decode(std::string_view payload,
                                                     command_event_shape* shape = nullptr) const;

    // The HTTP status for a failure of this kind.
    static int http_status(core::errc code) noexcept;
    // {"error": {"type", "message", "fields": [...]}}
    static nlohmann::json error_body(const core::error& e);

private:
    [[nodiscard]] core::result<core::command> decode_body(const nlohmann::json& body,
                                                          const nlohmann::json* http_headers) const;
    [[nodiscard]] core::result<core::command> decode_seed(const nlohmann::json& body) const;

    std::shared_ptr<const core::domain> domain_;
    std::shared_ptr<const core::command_handler> handler_;
};

}  // namespace esser::adapters

#pragma once
// One Lambda invocation as a custom runtime receives it, and what the runtime answers.
//
// The Runtime API (spec/streams-and-lambda.md §5.2, AWS "Using the Lambda runtime API for custom
// runtimes") hands the event bytes of GET /runtime/invocation/next with these headers:
//   Lambda-Runtime-Aws-Request-Id        request_id (required)
//   Lambda-Runtime-Deadline-Ms           deadline, absolute Unix epoch milliseconds
//   Lambda-Runtime-Invoked-Function-Arn  function_arn
//   Lambda-Runtime-Trace-Id              trace_id (X-Ray "Root=1-...;Parent=...;Sampled=...")
//   Lambda-Runtime-Client-Context        client_context (only when the caller sent one)
//   Lambda-Runtime-Cognito-Identity      cognito_identity (idem)
//
// A handler answers with invocation_result: a success payload (posted to .../response) or a
// function_error (posted to .../error with the Lambda-Runtime-Function-Error-Type header), which
// the invoker sees as X-Amz-Function-Error and the error object as the response body.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace esser::adapters {

struct invocation {
    std::string request_id;
    // Absolute deadline (Unix epoch); nullopt when the header was missing or not a number.
    std::optional<std::chrono::system_clock::time_point> deadline;
    std::string function_arn;
    std::string trace_id;
    std::string client_context;
    std::string cognito_identity;
    std::string payload;  // the event, as sent (JSON text for every AWS event source)

    // Time left before the deadline at `now` (zero once passed; hours when there is none).
    std::chrono::milliseconds remaining(
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;
};

// The error object Lambda shows the invoker: {"errorMessage", "errorType", "stackTrace"}.
struct function_error {
    std::string error_type;     // e.g. "ValidationError", "Runtime.MalformedEvent"
    std::string error_message;  // one line a user can act on
    std::vector<std::string> stack_trace;

    nlohmann::json to_json() const;
};

// What a handler produced for one invocation.
class invocation_result {
public:
    static invocation_result success(std::string payload) {
        return invocation_result(std::move(payload));
    }

    static invocation_result failure(function_error e) { return invocation_result(std::move(e)); }

    bool ok() const noexcept { return value_.index() == 0; }

    const std::string& payload() const { return std::get<0>(value_); }

    const function_error& error() const { return std::get<1>(value_); }

private:
    explicit invocation_result(std::string p) : value_(std::move(p)) {}

    explicit invocation_result(function_error e) : value_(std::move(e)) {}

    std::variant<std::string, function_error> value_;
};

}  // namespace esser::adapters

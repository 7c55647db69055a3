#pragma once
// A Lambda function as the emulator invokes it: the one interface behind in-process C++
// handlers, external executables served through the Lambda Runtime API, and HTTP URL functions
// (spec/streams-and-lambda.md §5).
//
// Callers: the Lambda Invoke API (HTTP front), event source mappings (emulator/lambda ESMs),
// Event-type asynchronous invokes, replay. They all go through invoke(), so every delivery
// semantic (timeouts, function errors, throttles) is decided in one place per function kind.
//
// Outcome model (what a caller needs to apply AWS's rules):
//  - success: the function returned; `payload` is what it returned (may be null/not JSON).
//  - function_error: the invoke happened and failed: the handler raised or reported an error,
//    timed out ("Task timed out after N.NN seconds"), or its runtime crashed/exited, failed its
//    init (/runtime/init/error, exit before the first /next: Runtime.ExitError) or could not be
//    executed at all (Runtime.InvalidEntrypoint) -- AWS reports all of these as Unhandled
//    function errors. AWS sends
//    these with X-Amz-Function-Error (`function_error` = "Unhandled" or "Handled") and HTTP 200;
//    event source mappings count them as retries (§4.3).
//  - throttled: no instance could take the invoke (TooManyRequestsException, 429); ESMs retry
//    these without counting an attempt.
//  - service_error: Lambda could not invoke (URL unreachable, no port or process could be
//    created for a runtime, the function was deleted or the service is shutting down, internal
//    fault): not a function error; ESMs retry without counting.

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"

namespace esser::emulator {

class stream_lambda_event;

struct invocation {
    std::string request_id;  // UUID; Lambda-Runtime-Aws-Request-Id
    nlohmann::json payload;  // the event, as the function receives it
    // Event source mappings set this instead of `payload`: the batch as typed stream records,
    // which renders the same event (document() == what payload would be, text() its dump()) on
    // demand and keeps it for the batch's retries. Read the event through event_document() /
    // event_text() below, which serve both; in-process functions with a stream-records handler
    // take the records without any JSON.
    std::shared_ptr<const stream_lambda_event> stream_event;
    // The event's exact bytes when the caller has them (the Invoke API): kinds that send bytes
    // (executable, url) send these unchanged, so key order and big numbers survive. Empty:
    // payload.dump() is sent.
    std::string raw_payload;
    // Clock time at which the invoke times out. The default (the epoch) means "now + the
    // function's configured timeout". Function kinds turn it into a budget (deadline - now) when
    // the invoke starts and measure that budget in real time: a process cannot be paused, so a
    // manual clock does not stop a runtime's timeout.
    core::time_point deadline;
    std::string invoked_function_arn;  // Lambda-Runtime-Invoked-Function-Arn
    std::string client_context;        // base64 JSON (X-Amz-Client-Context); may be empty
    std::string trace_id;              // Lambda-Runtime-Trace-Id; may be empty
};

// The event as a JSON document: stream_event's document() when set, else payload.
const nlohmann::json& event_document(const invocation& inv);
// The event's bytes as a function receives them: raw_payload when set, else stream_event's
// text() (its document's dump(), written without building it), else payload.dump().
std::string event_text(const invocation& inv);

enum class invoke_status : std::uint8_t { success, function_error, throttled, service_error };

struct invocation_result {
    invoke_status status = invoke_status::service_error;
    // success: the returned document. function_error: the error object
    // {"errorMessage","errorType","stackTrace"}. A runtime may return bytes that are not JSON:
    // then `payload_is_json` is false and `raw_payload` holds them (AWS passes them through).
    // Kinds that receive bytes (executable, url) also fill `raw_payload` next to a JSON payload:
    // the exact bytes, which the Invoke API returns unchanged (no re-serialisation).
    nlohmann::json payload;
    bool payload_is_json = true;
    std::string raw_payload;
    std::string function_error;  // "Unhandled" | "Handled" (function_error only)
    std::string error_message;   // throttled / service_error: why, in words
    std::string log_tail;        // the invoke's log lines (START/END/REPORT and output), if any
    std::string executed_version = "$LATEST";
};

// Implementations are thread-safe: invoke() may be called concurrently (each kind bounds its own
// concurrency and answers `throttled` beyond it). invoke() blocks until the outcome is known and
// never later than shortly after `deadline` (an executable's cold start may add its init
// timeout: AWS does not count the init phase against the function timeout either).
class lambda_function {
public:
    virtual ~lambda_function() = default;
    virtual invocation_result invoke(const invocation& inv) = 0;
};

}  // namespace esser::emulator

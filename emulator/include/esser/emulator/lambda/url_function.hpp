#pragma once
// url_function: a Lambda function that is an HTTP endpoint. Each invoke POSTs the event to the
// configured URL (spec/streams-and-lambda.md §5.1 outcome model; esser's own kind, handy for a
// function served by a dev server in another language):
//
//   POST <url>  Content-Type: application/json
//               Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
//               Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id,
//               Lambda-Runtime-Client-Context (when given): the Runtime API's headers
//   body        the event bytes
//
// Outcomes:
//  - 2xx: success, the response body as the result (JSON or raw bytes, passed through);
//  - any other status: an Unhandled function error. A body that is a JSON object with
//    "errorMessage" is the error object; otherwise {"errorType":"Function.HttpStatus<code>",
//    "errorMessage":"POST <url> answered <code>: <start of the body>"};
//  - no answer within the budget: Sandbox.Timedout "Task timed out after N.NN seconds";
//  - unreachable (resolve/connect/TLS failure before the request was sent): service_error,
//    which event source mappings retry without counting;
//  - the connection broke after the request went out: a function error (Function.HttpError):
//    the endpoint may have run;
//  - more than config.max_concurrency invokes at once: throttled.
// Keep-alive connections are pooled (adapters::http_client). Each invoke logs START, END and
// REPORT lines to the function's log.
//
// Thread-safe.

#include <atomic>
#include <memory>

#include "esser/core/clock.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_log.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::adapters {
class http_client;
}

namespace esser::emulator {

class url_function final : public lambda_function {
public:
    // `config.url` must be valid (validate_function_config); errors parsing it into an origin
    // are returned by create().
    static core::result<std::shared_ptr<url_function>> create(
        function_config config, std::shared_ptr<const core::clock> clock = nullptr,
        std::shared_ptr<function_log> log = nullptr);
    ~url_function() override;

    invocation_result invoke(const invocation& inv) override;

    const function_config& config() const { return config_; }

private:
    url_function(function_config config, std::shared_ptr<const core::clock> clock,
                 std::shared_ptr<function_log> log);

    function_config config_;
    std::string target_;  // path and query of the URL
    std::shared_ptr<const core::clock> clock_;
    std::shared_ptr<function_log> log_;
    std::unique_ptr<adapters::http_client> client_;
    std::atomic<std::uint32_t> active_{0};
};

}  // namespace esser::emulator

#pragma once
// in_process_function: a Lambda function whose handler is a C++ callable run on the invoking
// thread: the cheapest kind (no process, no serialisation), used for the domain's stream handler
// and for tests (spec/streams-and-lambda.md §5.1).
//
//   auto fn = std::make_shared<in_process_function>(cfg, [](const json& event,
//                                                           in_process_context& ctx)
//                                                           -> core::result<json> {
//       ctx.log("got " + event.dump());
//       return json{{"ok", true}};
//   });
//
// A function may also take DynamoDB stream batches as typed records (stream_records_handler):
// event source mappings then hand it their batch (stream_lambda_event: records(), and
// document()/text() if it wants them) and no JSON is built for it. Other events (the Invoke
// API) go to its JSON handler when it has one, else end in an Unhandled function error
// (errorType "Runtime.InvalidEvent": the function takes stream batches only).
//
// Outcomes:
//  - the handler returns a value: success with that document;
//  - it returns a core::error: an Unhandled function error {"errorMessage": e.message,
//    "errorType": e.type (or the errc name when empty), "stackTrace": []};
//  - it throws: an Unhandled function error whose errorType is the exception's type name;
//  - it returns after the budget ran out: Sandbox.Timedout "Task timed out after N.NN seconds"
//    and its result is discarded. A C++ handler cannot be interrupted; a long one should watch
//    ctx.remaining() itself;
//  - more than config.max_concurrency invokes at once: throttled.
// Each invoke writes START / handler lines / END / REPORT to the function's log.
//
// Thread-safe; the handler must be too when max_concurrency > 1.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_log.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::emulator {

class invoke_log;
class stream_lambda_event;

// What a handler knows about its invocation (the Lambda context object).
class in_process_context {
public:
    in_process_context(const invocation& inv, const function_config& cfg,
                       std::chrono::steady_clock::time_point deadline, invoke_log& log);

    const std::string& request_id() const { return inv_.request_id; }

    const std::string& invoked_function_arn() const { return inv_.invoked_function_arn; }

    const std::string& client_context() const { return inv_.client_context; }

    const std::string& trace_id() const { return inv_.trace_id; }

    const std::string& function_name() const { return cfg_.name; }

    unsigned memory_limit_mb() const { return cfg_.memory_size_mb; }

    // Real time left before the invoke times out (never negative).
    std::chrono::milliseconds remaining() const;
    // Writes one line to the function's log (what a handler would print).
    void log(std::string_view line) const;

private:
    const invocation& inv_;
    const function_config& cfg_;
    std::chrono::steady_clock::time_point deadline_;
    invoke_log& log_;
};

using in_process_handler =
    std::function<core::result<nlohmann::json>(const nlohmann::json& event, in_process_context&)>;
using stream_records_handler = std::function<core::result<nlohmann::json>(
    const stream_lambda_event& event, in_process_context&)>;

class in_process_function final : public lambda_function {
public:
    // `clock` turns invocation deadlines into budgets (null: the system clock); `log` receives
    // the invoke lines (null: none are kept beyond the result's log_tail).
    in_process_function(function_config config, in_process_handler handler,
                        std::shared_ptr<const core::clock> clock = nullptr,
                        std::shared_ptr<function_log> log = nullptr);
    // Takes stream batches as typed records; other events go to `other` (may be empty).
    in_process_function(function_config config, stream_records_handler records,
                        in_process_handler other,
                        std::shared_ptr<const core::clock> clock = nullptr,
                        std::shared_ptr<function_log> log = nullptr);

    invocation_result invoke(const invocation& inv) override;

    const function_config& config() const { return config_; }

private:
    function_config config_;
    in_process_handler handler_;
    stream_records_handler records_handler_;
    std::shared_ptr<const core::clock> clock_;
    std::shared_ptr<function_log> log_;
    std::atomic<std::uint32_t> active_{0};
};

}  // namespace esser::emulator

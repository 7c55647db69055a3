#pragma once
// The custom-runtime event loop: what a `bootstrap` does for its whole life (AWS "Building a
// custom runtime": initialise, then next -> handle -> response|error, forever).
//
//   run_bootstrap(env, init):
//     1. reads AWS_LAMBDA_RUNTIME_API (missing: message on stderr, exit code 1; there is
//        nobody to report to);
//     2. calls init(env); an error (or an escaping exception) is posted to /runtime/init/error
//        as a function_error (to_function_error) and the process exits 1;
//     3. runs runtime_loop with the handler init returned; returns the process exit code.
//
//   runtime_loop::run(handler):
//     - next(); sets _X_AMZN_TRACE_ID to the invocation's trace header (AWS: custom runtimes
//       take it from Lambda-Runtime-Trace-Id) so the X-Ray SDK and our logs see it;
//     - calls the handler; an exception escaping it becomes a function error of type
//       "Runtime.UnhandledException" (std::exception: its what()) so that one bad event never
//       kills the environment;
//     - posts the response or error; a rejected post (400/403/413) is logged and the loop goes
//       on; a failed next() or post (500, no answer) ends the loop with that error: the
//       environment is broken and Lambda replaces it.
//   It stops after options::max_invocations (0: never), which tests and benchmarks use.
//
// Not thread-safe: one loop per process, as Lambda runs one invocation at a time.

#include <cstdint>
#include <functional>
#include <memory>

#include "esser/adapters/aws/environment.hpp"
#include "esser/adapters/lambda_runtime/invocation.hpp"
#include "esser/adapters/lambda_runtime/runtime_api_client.hpp"
#include "esser/core/error.hpp"
#include "esser/core/log_sink.hpp"

namespace esser::adapters {

using invocation_handler = std::function<invocation_result(const invocation&)>;

struct runtime_loop_options {
    std::uint64_t max_invocations = 0;  // 0: run until the Runtime API fails
    bool set_trace_env = true;          // setenv("_X_AMZN_TRACE_ID", ...) per invocation
    core::logger log;
};

struct runtime_loop_stats {
    std::uint64_t invocations = 0;
    std::uint64_t succeeded = 0;       // posted as responses
    std::uint64_t failed = 0;          // posted as function errors (including exceptions)
    std::uint64_t rejected_posts = 0;  // posts the Runtime API refused (400/403/413)
};

class runtime_loop {
public:
    runtime_loop(runtime_api_client& api, runtime_loop_options opts = {});

    // Returns the statistics when max_invocations were handled, or the Runtime API error that
    // ended the loop.
    [[nodiscard]] core::result<runtime_loop_stats> run(const invocation_handler& handler);

    // Calls the handler, turning an escaping exception into a function error. Exposed for
    // tests and for hosts that drive invocations themselves.
    static invocation_result invoke(const invocation_handler& handler, const invocation& inv);

private:
    runtime_api_client& api_;
    runtime_loop_options opts_;
};

// What init receives: the process environment the function runs in.
struct lambda_environment {
    environment_lookup env = process_environment;
    // AWS_LAMBDA_RUNTIME_API, _HANDLER, AWS_LAMBDA_FUNCTION_NAME (empty when unset).
    std::string runtime_api() const;
    std::string handler() const;
    std::string function_name() const;
};

// init returns the handler to serve, or the error to post to /runtime/init/error.
using runtime_init = std::function<core::result<invocation_handler>(const lambda_environment&)>;

// The whole life of a bootstrap process; returns its exit code (0 only when a bounded loop
// finished). Logs go to `opts.log`.
int run_bootstrap(const lambda_environment& env, const runtime_init& init,
                  runtime_loop_options opts = {});

// The function_error for a core::error: errorType is the AWS type when the error has one (a
// remote error), else the errc name ("validation", ...); errorMessage is error::describe().
function_error to_function_error(const core::error& e);

}  // namespace esser::adapters

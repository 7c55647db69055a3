#pragma once
// runtime_function: a Lambda function that is an external program run as a custom runtime,
// exactly as AWS runs a `provided.*` function's bootstrap: the program loops on the Lambda
// Runtime API 2018-06-01 (GET /runtime/invocation/next, POST .../response or .../error),
// found through AWS_LAMBDA_RUNTIME_API (spec/streams-and-lambda.md §5.2).
//
// Instances (execution environments): each is one process in its own process group, with its
// own Runtime API server on 127.0.0.1:<ephemeral port>.
//  - An invoke takes an idle live instance (the most recently used: warm reuse), or starts a
//    new one while fewer than config.max_concurrency exist, or is throttled.
//  - A new instance has config.init_timeout to call /next for the first time; the invoke's
//    timeout budget starts when the runtime receives the event (Init Duration is reported
//    apart, as AWS does for on-demand functions).
//  - Timeout: the process group is killed (SIGKILL) and the invoke is an Unhandled function
//    error, Sandbox.Timedout "RequestId: <id> Error: Task timed out after N.NN seconds".
//  - Exit or crash mid-invoke (or before the first /next): Runtime.ExitError "RequestId: <id>
//    Error: Runtime exited with error: exit status 1" (or "signal: killed", ...).
//  - /runtime/init/error: that error object, Unhandled; the instance is killed.
//  - A program that cannot be executed: Runtime.InvalidEntrypoint, Unhandled.
//  - Runtimes that send garbage, never answer or exit mid-invocation end in one of the above
//    within the invoke's bound; nothing waits forever.
//  - Output: stdout and stderr, line by line, go to the function log between START and
//    END/REPORT lines (REPORT has Duration, Billed Duration, Memory Size, Max Memory Used from
//    the process's VmHWM, Init Duration on a cold start).
//  - Shutdown (shutdown(), the destructor): every process group is killed and reaped; invokes
//    in flight end with Runtime.ExitError, later ones with a service error.
//
// Environment of the process: AWS's reserved variables set by us (_HANDLER, AWS_REGION,
// AWS_DEFAULT_REGION, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
// AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME,
// AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY_ID/AWS_ACCESS_KEY/AWS_SECRET_ACCESS_KEY/
// AWS_SESSION_TOKEN (local dummy credentials), AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT,
// LAMBDA_RUNTIME_DIR), then LANG, TZ, PATH, LD_LIBRARY_PATH as AWS sets them, AWS_ENDPOINT_URL
// when options.endpoint_url is set, then the user's config.environment. Nothing is inherited
// from the emulator's own environment unless options.inherit_environment.
//
// Thread-safe. In-flight invokes keep the function alive (callers hold it by shared_ptr).

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_log.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::emulator {

class runtime_instance;

struct runtime_function_options {
    std::string region = "us-east-1";
    std::string account = "000000000000";
    // Given to the process as AWS_ENDPOINT_URL (AWS SDKs send their calls there): esser-local
    // sets its own URL so a function's DynamoDB client reaches the emulator. Empty: not set.
    std::string endpoint_url;
    // The credentials the process sees (AWS_ACCESS_KEY_ID, ...): local dummies.
    std::string access_key_id = "test";
    std::string secret_access_key = "test";
    std::string session_token = "test";
    // Given as AWS_CA_BUNDLE when not empty: the CAs an https endpoint_url needs trusted
    // (esser-local's own --tls-cert).
    std::string ca_bundle;
    // Start from the emulator's own environment (PATH, HOME, ...) before setting AWS's.
    bool inherit_environment = false;
    std::shared_ptr<const core::clock> clock;  // deadlines -> budgets; null: system clock
    std::shared_ptr<core::id_source> ids;      // request/trace ids, log stream names; null: random
    std::shared_ptr<function_log> log;         // null: a private one
    core::logger logger;                       // emulator-side diagnostics
};

class runtime_function final : public lambda_function {
public:
    // `config.kind` must be executable and valid (validate_function_config); a relative program
    // path is resolved against config.working_directory, or against the current directory when
    // that is empty (then the working directory becomes the program's directory).
    runtime_function(function_config config, runtime_function_options options = {});
    ~runtime_function() override;

    invocation_result invoke(const invocation& inv) override;

    // Kills every instance; later invokes answer a service error. Idempotent.
    void shutdown();

    const function_config& config() const { return config_; }

    const std::shared_ptr<function_log>& log() const { return log_; }

    struct instance_info {
        pid_t pid;
        std::string runtime_api;  // "127.0.0.1:<port>"
        bool busy;
    };

    // The live instances, most recently used first.
    std::vector<instance_info> instances() const;

private:
    struct slot {
        std::shared_ptr<runtime_instance> instance;
        bool busy = false;
        std::chrono::steady_clock::time_point last_used;
    };

    std::vector<std::string> environment_for_new_instance() const;
    // One attempt on one instance; nullopt when that instance died before taking the event.
    std::optional<invocation_result> invoke_once(const invocation& call,
                                                 std::chrono::nanoseconds budget);

    function_config config_;
    runtime_function_options options_;
    std::shared_ptr<function_log> log_;

    mutable std::mutex mu_;
    std::vector<slot> slots_;
    std::uint32_t starting_ = 0;
    bool shut_down_ = false;
};

}  // namespace esser::emulator

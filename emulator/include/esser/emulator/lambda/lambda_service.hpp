#pragma once
// lambda_service: esser-local's Lambda. It owns the function registry and the function objects
// (in-process, executable custom runtimes, URL), and implements the Invoke API's semantics
// (spec/streams-and-lambda.md §5.1, AWS API_Invoke):
//  - RequestResponse: runs the function and returns its outcome. A function error is still a
//    success of the call (HTTP 200 + X-Amz-Function-Error); a throttle is
//    TooManyRequestsException (429); Lambda failing to invoke is ServiceException (500).
//  - Event: queued and run soon (202); function errors retried twice with AWS's delays on the
//    clock (scaled by options.async_delay_scale); throttles and service errors retried with
//    backoff up to the maximum event age; what still fails becomes a failure record shaped like
//    AWS's on-failure invocation record (failed_events()).
//  - DryRun: checks the function and the payload, runs nothing (204).
//  - Request checks in AWS's order and words: the function name (ValidationException), the
//    function and qualifier (ResourceNotFoundException "Function not found: <arn>"), the size
//    (RequestTooLargeException, 6 MB synchronous / options.max_event_payload_bytes for Event),
//    the body (InvalidRequestContentException when not JSON; an empty body is {}), the client
//    context (base64 JSON, at most 3583 bytes).
//  - A response over 6 MB is the function error Function.ResponseSizeTooLarge.
//  - X-Amz-Log-Type Tail: base64 of the last 4 KB of the invoke's log.
// Errors are core::error values whose `type` is the AWS exception name (the REST layer,
// lambda_routes.hpp, maps it to the status code).
//
// Event source mappings and other in-process callers use invoke_function() (by name, the way
// an ESM invokes: synchronous, no log tail) or keep a handle from function().
//
// Thread-safe. Destroying the service (or shutdown()) kills every runtime process, stops the
// event queue (dropping queued events) and waits for invokes in flight.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_registry.hpp"
#include "esser/emulator/lambda/in_process_function.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"
#include "esser/emulator/lambda/zip_archive.hpp"

namespace esser::emulator {

class durability_sink;

struct lambda_service_options {
    std::string region = "us-east-1";
    std::string account = "000000000000";
    // Executable functions get it as AWS_ENDPOINT_URL (esser-local passes its own URL).
    std::string endpoint_url;
    // The credentials executable functions see (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    // AWS_SESSION_TOKEN; an empty token is passed empty): local dummies unless esser-local
    // verifies signatures (--credentials), whose key functions then sign with.
    std::string access_key_id = "test";
    std::string secret_access_key = "test";
    std::string session_token = "test";
    // Executable functions get it as AWS_CA_BUNDLE (esser-local's --tls-cert, so that they
    // trust its https endpoint). Empty: not set.
    std::string ca_bundle;
    // Executable functions start from the emulator's environment (off: AWS-like clean env).
    bool inherit_environment = false;

    std::size_t max_request_payload_bytes = 6u * 1024 * 1024;  // RequestResponse (6 MB)
    std::size_t max_event_payload_bytes = 1024u * 1024;        // Event (AWS quota: 1 MB)
    std::size_t function_log_bytes = 1u << 20;                 // kept per function

    // Event invokes (see the header comment).
    unsigned async_max_retries = 2;
    std::vector<core::duration> async_retry_delays = {std::chrono::minutes(1),
                                                      std::chrono::minutes(2)};
    double async_delay_scale = 1.0;
    core::duration async_max_event_age = std::chrono::hours(6);
    unsigned async_workers = 4;

    // Threads running RequestResponse invokes for the REST API (beyond them requests wait).
    std::size_t max_concurrent_requests = 256;

    // Zip packages (issue 13). Each package is unzipped into its own directory under
    // `code_directory`, removed when no version of the function uses it any more. Empty: a
    // private directory under $TMPDIR, removed with the service.
    std::string code_directory;
    // Under --data-dir (issue 9): where the zip package of every function version is kept as
    // <name>.<CodeSha256, URL-safe>.zip, so that restore_function can unzip it again (the
    // unzipped directories under code_directory are removed with the service). Empty: not kept.
    std::string package_store;
    // The python/nodejs runtime shims (zip_runtime.hpp); empty: default_runtime_directory().
    std::string runtime_directory;
    // Where python3/node are looked for (a PATH value); empty: default_interpreter_path().
    std::string interpreter_path;
    zip_limits zip;
};

enum class invocation_type : std::uint8_t { request_response, event, dry_run };

// Parses X-Amz-Invocation-Type ("RequestResponse" | "Event" | "DryRun"); false when unknown.
bool parse_invocation_type(std::string_view text, invocation_type& out) noexcept;

struct invoke_request {
    std::string function_name;  // name, name:qualifier, partial or full ARN
    std::string qualifier;      // ?Qualifier=; empty or "$LATEST" (versions/aliases: none yet)
    invocation_type type = invocation_type::request_response;
    bool log_tail = false;       // X-Amz-Log-Type: Tail
    std::string payload;         // the request body; empty means {}
    std::string client_context;  // X-Amz-Client-Context: base64 JSON; may be empty
};

struct invoke_response {
    int status_code = 200;  // 200 RequestResponse, 202 Event, 204 DryRun
    std::string request_id;
    invocation_result result;  // RequestResponse: the outcome (success or function_error)
    std::string log_result;    // base64 of the log tail's last 4 KB when log_tail was asked
    // The response body: the function's exact bytes, or its result serialised.
    std::string body() const;
};

class lambda_service {
public:
    // `clock` drives Event retry delays and timestamps (null: the system clock); `ids` makes
    // request ids (null: random).
    explicit lambda_service(lambda_service_options o = {},
                            std::shared_ptr<core::clock> clock = nullptr,
                            std::shared_ptr<core::id_source> ids = nullptr, core::logger log = {});
    ~lambda_service();
    lambda_service(const lambda_service&) = delete;
    lambda_service& operator=(const lambda_service&) = delete;

    // ----- Registry ------------------------------------------------------------------------
    // Creates an executable or URL function (kind from the config). Errors:
    // validate_function_config's, ResourceConflictException when the name exists,
    // InvalidParameterValueException for the in-process kind (use the overload below).
    core::result<function_info> create_function(function_config config);
    // Creates an in-process function running `handler`.
    core::result<function_info> create_function(function_config config, in_process_handler handler);
    // Creates an in-process function that takes DynamoDB stream batches as typed records
    // (in_process_function.hpp): event source mappings invoke `records` without building any
    // JSON; other events go to `other` (empty: they fail with Runtime.InvalidEvent).
    core::result<function_info> create_stream_function(function_config config,
                                                       stream_records_handler records,
                                                       in_process_handler other = {});
    // Registers a function object built elsewhere (a custom lambda_function).
    core::result<function_info> add_function(function_config config,
                                             std::shared_ptr<lambda_function> function,
                                             std::function<void()> shutdown = {});
    // Creates a function from a zip package (CreateFunction with Code.ZipFile, issue 13): `zip`
    // is unzipped into the function's own directory and run the way config.runtime says
    // (zip_runtime.hpp: provided.* -> the package's bootstrap, python3.x / nodejs<N>.x -> the
    // shims); config.kind, command and working_directory are set from it. Errors: the zip's
    // (InvalidParameterValueException "Could not unzip uploaded file..."), the runtime's
    // (ValidationException / InvalidParameterValueException, e.g. a missing interpreter), then
    // create_function's. Nothing is left on disk after an error.
    core::result<function_info> create_zip_function(function_config config, std::string_view zip);
    // UpdateFunctionCode: the function (a zip function, or an executable, which becomes one)
    // runs the new package from its next invoke; invokes in flight finish on the old code, whose
    // processes stop and directory goes when they are done. ResourceNotFoundException,
    // InvalidParameterValueException for URL and in-process functions, the zip's errors.
    core::result<function_info> update_function_code(std::string_view name_or_arn,
                                                     std::string_view zip);
    // UpdateFunctionConfiguration: `edit` changes a copy of the configuration (it may refuse
    // with an error); the result is validated like CreateFunction's and takes effect from the
    // next invoke (new instances; in-flight invokes finish on the old ones). The function's log
    // and event source mappings carry over. Not for in-process functions.
    core::result<function_info> update_function_configuration(
        std::string_view name_or_arn,
        const std::function<core::result<void>(function_config&)>& edit);
    // By name or ARN (qualifier ignored if $LATEST). ResourceNotFoundException when unknown.
    core::result<function_info> get_function(std::string_view name_or_arn) const;
    std::vector<function_info> list_functions() const;
    // Removes the function and stops its processes; invokes in flight end as the kind decides
    // (executables: Runtime.ExitError), queued events for it are dropped.
    core::result<void> delete_function(std::string_view name_or_arn);
    // The function's log (START/END/REPORT and output), most recent 1 MiB.
    core::result<std::string> function_log_text(std::string_view name_or_arn) const;

    // ----- Invoking ------------------------------------------------------------------------
    // The Invoke API. Blocks for RequestResponse until the function finishes.
    core::result<invoke_response> invoke(const invoke_request& request);
    // Same, run on the service's request threads; `done` is called there (or inline when the
    // request is answered without running anything: errors, Event, DryRun).
    void invoke_async(invoke_request request,
                      std::function<void(core::result<invoke_response>)> done);

    // For event source mappings and other in-process callers: a synchronous invoke of
    // `name_or_arn` with `event`, with a fresh request id and the configured timeout. Returns
    // the outcome, including throttled/service_error; ResourceNotFoundException when there is
    // no such function.
    core::result<invocation_result> invoke_function(std::string_view name_or_arn,
                                                    nlohmann::json event);
    // A handle to call repeatedly without a lookup. invoke() on it fills request_id,
    // invoked_function_arn and trace_id when empty; after the function is deleted it answers
    // service_error ("Function not found: <arn>"); a function re-created under the same name
    // needs a new handle. Updates (code, configuration) are followed: the handle invokes the
    // current version.
    core::result<std::shared_ptr<lambda_function>> function(std::string_view name_or_arn) const;

    // ----- Event invokes -------------------------------------------------------------------
    // Events queued or running.
    std::size_t pending_events() const;
    // Waits until no event is running or due now (retries scheduled later may remain).
    bool wait_for_events(std::chrono::milliseconds timeout) const;
    // Events that failed for good (AWS's on-failure record shape), oldest first.
    std::vector<nlohmann::json> failed_events() const;

    const lambda_service_options& options() const;
    std::string function_arn_of(std::string_view name) const;
    // Sets the endpoint_url given to executable functions created from now on (esser-local
    // learns its URL only once its server listens). Call it before serving: options() is not
    // synchronised with it.
    void set_endpoint_url(std::string url);

    // ----- Durability (--data-dir, issue 9) ----------------------------------------------------
    // Attaches the sink (nullptr detaches; after restoring, before traffic). From then on every
    // function created, updated or deleted through create_function(config),
    // create_zip_function, update_function_code and update_function_configuration (the Lambda
    // REST API's calls) or delete_function is recorded as a "function" document (its
    // configuration, and the package file under options.package_store for zip functions), and
    // those calls return once it is durable. In-process functions and add_function's are the
    // host's: never recorded.
    void set_durability(durability_sink* sink);
    // Creates a recorded function again (before set_durability): a zip function from its
    // package file, the others from their configuration, with CreateFunction's checks. Errors
    // name the function: a damaged document (errc::parse_error), a missing package file, or
    // what CreateFunction answers now (e.g. a program that no longer exists).
    core::result<void> restore_function(std::string_view state);

    // Kills every runtime process, stops the event queue and the request threads. Idempotent;
    // later invokes answer ServiceException.
    void shutdown();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace esser::emulator

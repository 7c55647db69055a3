#pragma once
// The configuration of one emulated Lambda function, the names that identify it, and the checks
// CreateFunction applies to both (spec/streams-and-lambda.md §5; AWS API_CreateFunction).
//
// A function is one of three kinds (lambda_function.hpp):
//  - in_process: a C++ handler called on the invoking thread (in_process_function.hpp);
//  - executable: an external program run as a custom runtime, served the Lambda Runtime API
//    2018-06-01 on a 127.0.0.1 port per instance (runtime_function.hpp, spec §5.2);
//  - url: an HTTP endpoint that receives the event as a POST (url_function.hpp).
//
// Units are finer than AWS's where tests need it: `timeout` is a duration (the REST API takes
// whole seconds, 1..900, as AWS does; C++ callers may give 50 ms).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::emulator {

enum class function_kind : std::uint8_t { in_process, executable, url };

// "in-process", "executable", "url": the spelling of the REST API's esser extension fields.
std::string_view to_string(function_kind k) noexcept;

struct function_config {
    // 1..64 characters of [A-Za-z0-9_-] (AWS's FunctionName without the ARN forms).
    std::string name;
    function_kind kind = function_kind::in_process;
    std::string description;
    // AWS's Runtime and Handler fields. For an executable, `handler` is passed as _HANDLER and
    // `runtime` is informational ("provided.al2023" by default, as a custom runtime is).
    std::string runtime = "provided.al2023";
    std::string handler;

    // executable: argv, [0] being the program (an absolute path, or one relative to
    // `working_directory`). The process runs with `working_directory` as its current directory
    // and LAMBDA_TASK_ROOT; empty means the program's directory.
    std::vector<std::string> command;
    std::string working_directory;

    // url: "http://host[:port]/path" (or https) that receives each event as a POST.
    std::string url;

    // User environment variables (executable kind; the other kinds keep them as configuration).
    // AWS's reserved names (spec §5.2) are refused by validate_function_config().
    std::map<std::string, std::string> environment;

    // How long one invoke may run (AWS default 3 s, 1..900 s through the API).
    std::chrono::milliseconds timeout{3000};
    std::uint32_t memory_size_mb = 128;  // AWS_LAMBDA_FUNCTION_MEMORY_SIZE; 128..10240
    // Concurrent invokes (executable: instances) the function may have, like reserved
    // concurrency; an invoke beyond it is throttled (TooManyRequestsException).
    std::uint32_t max_concurrency = 10;
    // executable: how long a new instance may take to reach its first /next before the invoke
    // that started it fails (AWS: 10 s for on-demand functions).
    std::chrono::milliseconds init_timeout{10000};
};

// "arn:aws:lambda:<region>:<account>:function:<name>"
std::string function_arn(std::string_view region, std::string_view account, std::string_view name);

// A function named the ways AWS accepts in a path or an ESM's FunctionName: "name",
// "name:qualifier", "<account>:function:name[:qualifier]" or the full ARN.
struct function_ref {
    std::string name;
    std::string qualifier;  // empty, "$LATEST", a version or an alias
    std::string region;     // from a full ARN; empty otherwise
    std::string account;    // from a full or partial ARN; empty otherwise
};

// Parses the forms above. Errors: errc::validation with type "ValidationException" (AWS's
// FunctionName pattern/length constraint).
core::result<function_ref> parse_function_ref(std::string_view text);

// A configuration as esser-local keeps it under --data-dir (issue 9; lambda_service::
// restore_function): every member, in esser's own member names. function_config_from_state
// refuses a document it did not write (a member missing or of the wrong type, an unknown kind)
// with errc::parse_error naming the member; the values are then checked by
// validate_function_config when the function is created again.
nlohmann::json function_config_state(const function_config& c);
core::result<function_config> function_config_from_state(const nlohmann::json& state);

// The environment variable names a user may not set (spec §5.2, AWS configuration-envvars).
bool is_reserved_environment_variable(std::string_view name) noexcept;

// Checks `c` the way CreateFunction does, kind by kind. Errors carry the AWS exception name in
// core::error::type: "ValidationException" for constraint violations (name, timeout, memory),
// "InvalidParameterValueException" for the rest (reserved environment variables, a missing
// command or URL, a malformed URL).
core::result<void> validate_function_config(const function_config& c);

}  // namespace esser::emulator

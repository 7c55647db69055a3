#pragma once
// invoke_log: the log lines of one invocation, written the way Lambda writes them to CloudWatch
// (START / output / END / REPORT), appended to the function's log as they come and kept for
// the invocation_result's log_tail (X-Amz-Log-Type: Tail, spec §5.1).
//
// Thread-safe: output lines may arrive from a process-supervisor thread while the invoking
// thread writes the platform lines.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "esser/emulator/lambda/function_log.hpp"

namespace esser::emulator {

class invoke_log {
public:
    // `log` may be null (nothing is forwarded; lines are still collected).
    invoke_log(function_log* log, std::string request_id);

    const std::string& request_id() const { return request_id_; }

    // "START RequestId: <id> Version: $LATEST"
    void start(std::string_view version = "$LATEST");
    // A line the function wrote.
    void output(std::string_view line);
    // "END RequestId: <id>" then "REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration:
    // 2 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB\t[Init Duration: 3.45 ms\t]
    // [Status: timeout]". `max_memory_mb` 0 leaves "Max Memory Used" out.
    void end(std::chrono::nanoseconds duration, unsigned memory_size_mb, unsigned max_memory_mb,
             std::optional<std::chrono::nanoseconds> init_duration = std::nullopt,
             std::string_view status = {});

    // The lines collected so far (each ending in '\n'); the last 64 KiB at most.
    std::string text() const;

private:
    void add(std::string_view line);

    function_log* log_;
    std::string request_id_;
    mutable std::mutex mu_;
    std::string lines_;
};

// "3.00": seconds with two decimals, as "Task timed out after 3.00 seconds" prints them.
std::string format_seconds(std::chrono::nanoseconds d);

}  // namespace esser::emulator

#pragma once
// What every function kind starts an invoke from (its time budget) and ends it with (the
// outcomes, reported the same way by all kinds, spec §5.1): the error objects Lambda itself
// produces for timeouts, crashes and oversized responses, and the result constructors.

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::emulator {

// The real time an invoke may take: `cfg.timeout` when inv.deadline is unset (the epoch),
// otherwise inv.deadline - clock.now() (zero when already past).
std::chrono::nanoseconds invoke_budget(const invocation& inv, const function_config& cfg,
                                       const core::clock& clock);

// Lambda's response limit for synchronous invokes: 6 MB plus 100 bytes of slack, as the
// Runtime API enforces it ("Exceeded maximum allowed payload size (6291556 bytes).").
inline constexpr std::size_t max_response_payload_bytes = 6u * 1024 * 1024 + 100;

// {"errorMessage": message, "errorType": type}: the shape of Lambda's own errors (no
// stackTrace, unlike errors the function reports).
nlohmann::json platform_error(std::string_view type, std::string_view message);

invocation_result success_result(nlohmann::json payload);
// A response whose bytes are not JSON: passed through as is (AWS does the same).
invocation_result raw_success_result(std::string bytes);
// An Unhandled function error with `payload` as the error object.
invocation_result function_error_result(nlohmann::json payload);
invocation_result throttled_result(std::string message);
invocation_result service_error_result(std::string message);

// Sandbox.Timedout: "RequestId: <id> Error: Task timed out after 3.00 seconds".
invocation_result timeout_result(std::string_view request_id, std::chrono::nanoseconds timeout);
// Function.ResponseSizeTooLarge, for a response over max_response_payload_bytes.
invocation_result response_too_large_result(std::size_t size);

// The function's response bytes as a result: `payload` parsed when they are JSON (and
// `raw_payload` keeping the exact bytes), otherwise payload_is_json = false. An empty body is
// not JSON: it is passed through as zero bytes.
invocation_result response_from_bytes(std::string bytes);

}  // namespace esser::emulator

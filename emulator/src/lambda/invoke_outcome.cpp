#include "invoke_outcome.hpp"

#include "invoke_log.hpp"
#include <fmt/format.h>

namespace esser::emulator {

std::chrono::nanoseconds invoke_budget(const invocation& inv, const function_config& cfg,
                                       const core::clock& clock) {
    if (inv.deadline == core::time_point{})
        return cfg.timeout;
    const auto left = inv.deadline - clock.now();
    return left > core::duration::zero()
               ? std::chrono::duration_cast<std::chrono::nanoseconds>(left)
               : std::chrono::nanoseconds::zero();
}

nlohmann::json platform_error(std::string_view type, std::string_view message) {
    return nlohmann::json{{"errorMessage", message}, {"errorType", type}};
}

invocation_result success_result(nlohmann::json payload) {
    invocation_result r;
    r.status = invoke_status::success;
    r.payload = std::move(payload);
    return r;
}

invocation_result raw_success_result(std::string bytes) {
    invocation_result r;
    r.status = invoke_status::success;
    r.payload_is_json = false;
    r.raw_payload = std::move(bytes);
    return r;
}

invocation_result function_error_result(nlohmann::json payload) {
    invocation_result r;
    r.status = invoke_status::function_error;
    r.function_error = "Unhandled";
    r.payload = std::move(payload);
    return r;
}

invocation_result throttled_result(std::string message) {
    invocation_result r;
    r.status = invoke_status::throttled;
    r.error_message = std::move(message);
    return r;
}

invocation_result service_error_result(std::string message) {
    invocation_result r;
    r.status = invoke_status::service_error;
    r.error_message = std::move(message);
    return r;
}

invocation_result timeout_result(std::string_view request_id, std::chrono::nanoseconds timeout) {
    return function_error_result(platform_error(
        "Sandbox.Timedout", fmt::format("RequestId: {} Error: Task timed out after {} seconds",
                                        request_id, format_seconds(timeout))));
}

invocation_result response_too_large_result(std::size_t size) {
    return function_error_result(platform_error(
        "Function.ResponseSizeTooLarge",
        fmt::format("Response payload size ({} bytes) exceeded maximum allowed payload size ({} "
                    "bytes).",
                    size, max_response_payload_bytes)));
}

invocation_result response_from_bytes(std::string bytes) {
    auto j = bytes.empty() ? nlohmann::json(nlohmann::json::value_t::discarded)
                           : nlohmann::json::parse(bytes, nullptr, false);
    if (j.is_discarded())
        return raw_success_result(std::move(bytes));
    invocation_result r = success_result(std::move(j));
    r.raw_payload = std::move(bytes);  // the exact bytes, for callers that pass them through
    return r;
}

}  // namespace esser::emulator

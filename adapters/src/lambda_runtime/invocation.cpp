#include "esser/adapters/lambda_runtime/invocation.hpp"

#include <nlohmann/json.hpp>

namespace esser::adapters {

std::chrono::milliseconds invocation::remaining(std::chrono::system_clock::time_point now) const {
    using std::chrono::milliseconds;
    if (!deadline)
        return std::chrono::hours(24);
    if (*deadline <= now)
        return milliseconds(0);
    return std::chrono::duration_cast<milliseconds>(*deadline - now);
}

nlohmann::json function_error::to_json() const {
    return nlohmann::json{
        {"errorMessage", error_message}, {"errorType", error_type}, {"stackTrace", stack_trace}};
}

}  // namespace esser::adapters

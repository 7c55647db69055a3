#include "esser/adapters/lambda_runtime/stream_function.hpp"

#include <nlohmann/json.hpp>

#include "esser/adapters/lambda_runtime/runtime_loop.hpp"

namespace esser::adapters {

stream_function::stream_function(std::shared_ptr<core::stream_handler> handler)
    : handler_(std::move(handler)) {}

invocation_result stream_function::operator()(const invocation& inv) const {
    const nlohmann::json ev = nlohmann::json::parse(inv.payload, nullptr, false);
    if (ev.is_discarded()) {
        core::error e = core::error::parse_error("the stream event is not valid JSON");
        e.source = "event";
        return invocation_result::failure(to_function_error(e));
    }
    auto out = handler_->handle(ev);
    if (!out)
        return invocation_result::failure(to_function_error(out.error()));
    return invocation_result::success(out->lambda_response().dump());
}

}  // namespace esser::adapters

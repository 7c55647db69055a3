#include "esser/emulator/lambda/stream_handler_function.hpp"

#include "esser/core/stream_handler.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"

namespace esser::emulator {

in_process_handler stream_handler_lambda(std::shared_ptr<core::stream_handler> handler,
                                         bool partial_batch_response) {
    return
        [handler = std::move(handler), partial_batch_response](
            const nlohmann::json& event, in_process_context& ctx) -> core::result<nlohmann::json> {
            auto r = handler->handle(event);
            if (!r)
                return core::fail(r.error());
            if (r->failure) {
                ctx.log("record " + r->failed_sequence_number.value_or("?") +
                        " failed: " + r->failure->describe());
                if (!partial_batch_response)
                    return core::fail(*r->failure);
            }
            return r->lambda_response();
        };
}

core::result<function_info> create_stream_handler_function(
    lambda_service& lambda, function_config config, std::shared_ptr<core::stream_handler> handler,
    bool partial_batch_response) {
    if (!handler)
        return core::fail(core::error::invalid_argument("a stream handler is required"));
    config.kind = function_kind::in_process;
    return lambda.create_function(
        std::move(config), stream_handler_lambda(std::move(handler), partial_batch_response));
}

}  // namespace esser::emulator

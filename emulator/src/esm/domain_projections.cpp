#include "esser/emulator/esm/domain_projections.hpp"

#include <vector>

#include "esser/core/aggregate_repository.hpp"
#include "esser/core/aggregate_state_projection.hpp"
#include "esser/core/read_store.hpp"
#include "esser/core/stream_handler.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/lambda/stream_handler_function.hpp"

namespace esser::emulator {

core::result<std::string> start_domain_projections(lambda_service& lambda, esm_service& mappings,
                                                   const domain_projections_params& p) {
    if (!p.domain || !p.read_store || !p.repository)
        return core::fail(core::error::invalid_argument(
            "start_domain_projections needs a domain, a read store and a repository"));
    if (p.drop) {
        for (const auto& [entity, def] : p.domain->entities()) {
            auto dropped =
                p.read_store->drop(core::aggregate_state_projection::collection_for(entity));
            if (!dropped)
                return core::fail(dropped.error());
        }
    }
    // A fresh projection and handler each time: their memories (states, applied versions)
    // belong to the events they saw.
    core::aggregate_state_projection::options po;
    po.load_state = core::state_loader_for(*p.repository);
    auto projection =
        std::make_shared<core::aggregate_state_projection>(p.domain, *p.read_store, std::move(po));
    core::stream_handler::options ho;
    ho.log = p.log;
    auto handler = std::make_shared<core::stream_handler>(
        p.domain, std::vector<std::shared_ptr<core::projection>>{std::move(projection)},
        std::move(ho));
    function_config fc;
    fc.name = p.function_name;
    fc.description =
        "esser: the domain's projections into the read store (" + p.read_store_kind + ")";
    if (auto made = create_stream_handler_function(lambda, std::move(fc), std::move(handler));
        !made)
        return core::fail(made.error());
    esm_config mc;
    mc.event_source_arn = p.events_stream_arn;
    mc.function_name = p.function_name;
    mc.starting_position = esm_starting_position::TRIM_HORIZON;
    mc.batch_size = 1000;
    mc.report_batch_item_failures = true;
    auto made = mappings.create(std::move(mc));
    if (!made)
        return core::fail(made.error());
    return made->uuid;
}

}  // namespace esser::emulator

#include "default_event_store.hpp"

#include <stdexcept>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/core/aggregate_repository.hpp"
#include "esser/core/memory_read_store.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/dynamo/in_process_transport.hpp"
#include "esser/emulator/esm/domain_projections.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

namespace esser::emulator::detail {

// Declaration order is construction order; destruction runs backwards: the mappings stop before
// the functions and queues they use, the engine lets go of the registry before it dies.
struct projection_runtime::parts {
    std::shared_ptr<core::manual_clock> clock;
    std::shared_ptr<core::id_source> ids;
    std::unique_ptr<stream_registry> streams;
    std::shared_ptr<dynamo_engine> engine;
    std::shared_ptr<adapters::dynamodb_event_store> store;
    core::memory_read_store read_store;
    std::unique_ptr<core::aggregate_repository> repository;
    std::unique_ptr<lambda_service> lambda;
    std::unique_ptr<sqs_service> queues;
    std::unique_ptr<esm_service> mappings;
    std::string function_name = "esser-projections";
};

projection_runtime::projection_runtime(std::unique_ptr<parts> p) : p_(std::move(p)) {}

projection_runtime::~projection_runtime() {
    p_->mappings.reset();
    // The store (shared with the fixture) keeps the engine alive: detach the registry first.
    p_->engine->set_observer(nullptr);
}

projection_runtime::drain_outcome projection_runtime::drain() {
    const esm_drain_report r = p_->mappings->drain();
    drain_outcome out;
    out.report = to_json(r);
    out.caught_up = r.idle;
    for (const auto& m : r.mappings) {
        if (!m.blocked_shards.empty() || m.batches_discarded > 0 || m.function_errors > 0)
            out.caught_up = false;
    }
    if (!out.caught_up) {
        if (auto log = p_->lambda->function_log_text(p_->function_name))
            out.report["function_log"] = *log;
    }
    return out;
}

core::read_store& projection_runtime::read_store() {
    return p_->read_store;
}

default_store make_default_store(std::shared_ptr<core::manual_clock> clock, std::uint64_t seed,
                                 std::shared_ptr<const core::domain> projections_of) {
    // The engine's own ids (table ids, request ids, and the stream and mapping ids of the
    // projection path) come from a seed derived from the scenario's, so they never shift the ids
    // the command handler draws.
    auto p = std::make_unique<projection_runtime::parts>();
    p->clock = clock;
    p->ids = std::make_shared<core::seeded_id_source>(seed ^ 0x5eed0fd1a2b3c4d5ULL);
    p->engine =
        std::make_shared<dynamo_engine>(dynamo_engine::options{.clock = clock, .ids = p->ids});
    if (projections_of) {
        p->streams = std::make_unique<stream_registry>(*clock, *p->ids);
        p->engine->set_observer(p->streams.get());
    }
    p->store = std::make_shared<adapters::dynamodb_event_store>(
        std::make_shared<in_process_transport>(p->engine));
    if (auto r = p->store->ensure_tables(); !r)
        throw std::runtime_error("harness: creating the event tables failed: " +
                                 r.error().describe());
    if (!projections_of)
        return {p->store, "dynamodb_event_store on the in-process DynamoDB engine", nullptr};

    // The projection path, as local_environment builds it (manual mode: drain delivers).
    p->repository = std::make_unique<core::aggregate_repository>(projections_of, *p->store);
    p->lambda = std::make_unique<lambda_service>(lambda_service_options{}, clock, p->ids);
    p->queues = std::make_unique<sqs_service>(*clock, *p->ids);
    p->mappings =
        std::make_unique<esm_service>(*p->lambda, *p->streams, *p->queues, *clock, *p->ids);
    const auto stream = p->streams->latest_stream(p->store->config().events_table);
    if (!stream)
        throw std::runtime_error("harness: the events table has no stream");
    domain_projections_params dp;
    dp.domain = std::move(projections_of);
    dp.read_store = &p->read_store;
    dp.repository = p->repository.get();
    dp.events_stream_arn = stream->arn;
    dp.function_name = p->function_name;
    dp.drop = false;
    if (auto started = start_domain_projections(*p->lambda, *p->mappings, dp); !started)
        throw std::runtime_error("harness: starting the projections failed: " +
                                 started.error().describe());
    auto store = p->store;
    return {std::move(store),
            "dynamodb_event_store on the in-process DynamoDB engine, projections through its "
            "stream, an event source mapping and the projector function into a memory read store",
            std::make_shared<projection_runtime>(std::move(p))};
}

}  // namespace esser::emulator::detail

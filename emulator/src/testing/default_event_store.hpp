#pragma once
// The event store an aggregate_fixture uses when options::store is null, and, with
// options::projections, the projection path behind it (private to the area).

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/event_store.hpp"
#include "esser/core/read_store.hpp"

namespace esser::emulator::detail {

// The projections of a fixture, wired as esser-local wires them (start_domain_projections): the
// engine's tables stream into a stream_registry, an event source mapping on the events stream
// invokes the in-process projector function (core stream_handler + aggregate_state_projection)
// into a memory read store. Nothing runs by itself (manual mode): drain() delivers.
class projection_runtime {
public:
    struct parts;
    explicit projection_runtime(std::unique_ptr<parts> p);
    ~projection_runtime();
    projection_runtime(const projection_runtime&) = delete;
    projection_runtime& operator=(const projection_runtime&) = delete;

    struct drain_outcome {
        bool caught_up = true;  // every mapping idle, nothing discarded, no function error
        nlohmann::json report;  // esm_drain_report as JSON, plus the projector's log on trouble
    };

    // Runs the mappings until idle (esm_service::drain).
    drain_outcome drain();
    core::read_store& read_store();

private:
    std::unique_ptr<parts> p_;
};

struct default_store {
    std::shared_ptr<core::event_store> store;
    // "dynamodb (in-process engine)" or what was used instead; for failure reports.
    const char* description = "";
    // Set when projections were asked for.
    std::shared_ptr<projection_runtime> projections;
};

// The production path: adapters::dynamodb_event_store over an in-process dynamo_engine that uses
// `clock` and ids seeded from `seed`, tables created. With `projections_of` (a domain), also the
// projection path above.
default_store make_default_store(std::shared_ptr<core::manual_clock> clock, std::uint64_t seed,
                                 std::shared_ptr<const core::domain> projections_of = nullptr);

}  // namespace esser::emulator::detail

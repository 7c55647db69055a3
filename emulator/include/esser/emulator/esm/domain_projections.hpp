#pragma once
// The domain's projections as esser-local runs them (DESIGN.md "Stream handler"; issues 5, 7
// and 9; spec/streams-and-lambda.md §2.5 and §4.4): the core stream_handler with the built-in
// aggregate_state_projection into a read store, as the in-process Lambda function
// `function_name`, fed by an event source mapping on the events table's stream (TRIM_HORIZON,
// BatchSize 1000, ReportBatchItemFailures, unbounded retries).
//
// One wiring for every caller: local_environment (esser-local, in real time or on
// POST /esser/v1/drain) and aggregate_fixture's projection steps (the given-when-then harness,
// drained with esm_service::drain on the manual clock), so what a projection scenario checks is
// what esser-local serves.
//
//   domain_projections_params p{.domain = d, .read_store = store, .repository = repo,
//                               .events_stream_arn = streams.latest_stream("events")->arn};
//   start_domain_projections(lambda, esm, p);   // then esm.drain() delivers the events
//
// Errors are values: the read store refusing the drop, CreateFunction's or
// CreateEventSourceMapping's errors (a function of that name already exists, ...).
// Not thread-safe against itself; the function and mapping it creates are.

#include <memory>
#include <string>

#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/log_sink.hpp"

namespace esser::core {
class aggregate_repository;
class read_store;
}  // namespace esser::core

namespace esser::emulator {

class esm_service;
class lambda_service;

struct domain_projections_params {
    std::shared_ptr<const core::domain> domain;
    // Where the states go; must outlive the function (the lambda_service holds it).
    core::read_store* read_store = nullptr;
    // Rebuilds a state across a gap (aggregate_state_projection's load_state); must outlive the
    // function.
    const core::aggregate_repository* repository = nullptr;
    // The events table's stream (stream_registry::latest_stream(...)->arn).
    std::string events_stream_arn;
    std::string function_name = "esser-projections";
    // Shown in the function's description: "memory", "sqlite", "postgres".
    std::string read_store_kind = "memory";
    // First empty the domain's collections (the events they describe are gone).
    bool drop = true;
    core::logger log;
};

// Creates the projector function and its mapping (see the header comment); returns the
// mapping's UUID.
[[nodiscard]] core::result<std::string> start_domain_projections(
    lambda_service& lambda, esm_service& mappings, const domain_projections_params& p);

}  // namespace esser::emulator

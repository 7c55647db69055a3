#pragma once
// The event store an aggregate_fixture uses when options::store is null (private to the area).

#include <memory>

#include "esser/core/clock.hpp"
#include "esser/core/event_store.hpp"

namespace esser::emulator::detail {

struct default_store {
    std::shared_ptr<core::event_store> store;
    // "dynamodb (in-process engine)" or what was used instead; for failure reports.
    const char* description = "";
};

// The production path: adapters::dynamodb_event_store over an in-process dynamo_engine that uses
// `clock` and ids seeded from `seed`, tables created.
default_store make_default_store(std::shared_ptr<core::clock> clock, std::uint64_t seed);

}  // namespace esser::emulator::detail

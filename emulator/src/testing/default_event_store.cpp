#include "default_event_store.hpp"

#include <stdexcept>

#if __has_include("esser/adapters/dynamodb/dynamodb_event_store.hpp")
#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/dynamo/in_process_transport.hpp"
#define ESSER_HARNESS_HAS_DYNAMODB_STORE 1
#else
// Transitional: until adapters::dynamodb_event_store is on main, the harness runs on the core
// test suite's in-memory store (same port contract, checked by the shared contract suite).
#include "core/memory_event_store.hpp"
#endif

namespace esser::emulator::detail {

default_store make_default_store(std::shared_ptr<core::clock> clock, std::uint64_t seed) {
#ifdef ESSER_HARNESS_HAS_DYNAMODB_STORE
    auto engine = std::make_shared<dynamo_engine>(dynamo_engine::options{
        .clock = std::move(clock),
        .ids = std::make_shared<core::seeded_id_source>(seed ^ 0x5eed0fd1a2b3c4d5ULL)});
    auto store = std::make_shared<adapters::dynamodb_event_store>(
        std::make_shared<in_process_transport>(engine));
    if (auto r = store->ensure_tables(); !r)
        throw std::runtime_error("harness: creating the event tables failed: " +
                                 r.error().describe());
    return {std::move(store), "dynamodb_event_store on the in-process engine"};
#else
    (void)clock;
    (void)seed;
    return {std::make_shared<testing::memory_event_store>(), "in-memory event store"};
#endif
}

}  // namespace esser::emulator::detail

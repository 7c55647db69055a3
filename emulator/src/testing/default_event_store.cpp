#include "default_event_store.hpp"

#include <stdexcept>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/dynamo/in_process_transport.hpp"

namespace esser::emulator::detail {

default_store make_default_store(std::shared_ptr<core::clock> clock, std::uint64_t seed) {
    // The engine's own ids (table ids, request ids) come from a seed derived from the
    // scenario's, so they never shift the ids the command handler draws.
    auto engine = std::make_shared<dynamo_engine>(dynamo_engine::options{
        .clock = std::move(clock),
        .ids = std::make_shared<core::seeded_id_source>(seed ^ 0x5eed0fd1a2b3c4d5ULL)});
    auto store = std::make_shared<adapters::dynamodb_event_store>(
        std::make_shared<in_process_transport>(engine));
    if (auto r = store->ensure_tables(); !r)
        throw std::runtime_error("harness: creating the event tables failed: " +
                                 r.error().describe());
    return {std::move(store), "dynamodb_event_store on the in-process DynamoDB engine"};
}

}  // namespace esser::emulator::detail

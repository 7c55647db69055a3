// Covers issue 2 (event store test double): the in-memory store passes the shared event_store
// contract suite, the same suite the DynamoDB store runs (issue 3).
#include "core/memory_event_store.hpp"

#include <memory>

#include "core/event_store_contract.hpp"

ESSER_EVENT_STORE_CONTRACT_TESTS("memory_event_store", "[core][memory_event_store]", [] {
    return std::make_unique<esser::testing::memory_event_store>();
})

TEST_CASE("memory_event_store counts what it reads", "[core][memory_event_store]") {
    esser::testing::memory_event_store store;
    const esser::core::stream_id s{"Item", "n"};
    REQUIRE(store.append(s, esser::testing::contract::make_events("Item", "n", 1, 10)));
    store.reset_counters();
    REQUIRE(store.read(s, 4, 8));
    CHECK(store.events_read() == 4);
}

#pragma once
// Stands in for tests/core/shop_fixture.hpp when the core shop suites are compiled into
// esser_adapters_dynamodb_shop_tests (issue 3: "the whole core test suite of the shop domain runs
// again on dynamodb_event_store over the in-process emulator"): the same fixture, with its store
// swapped for observed_dynamodb_store (dynamodb_event_store over the in-process emulator). The
// core test files compile unchanged; this directory comes first on their include path.
//
// The swap renames one token while the real fixture is read: `memory_event_store store;`
// becomes `observed_dynamodb_store store;`. The real memory_event_store header is included
// first, so its own declaration is untouched. The static_assert proves the swap happened.
#include <type_traits>

#include "core/memory_event_store.hpp"
#include "observed_store.hpp"

#define memory_event_store observed_dynamodb_store
#include ESSER_CORE_SHOP_FIXTURE
#undef memory_event_store

static_assert(std::is_same_v<decltype(esser::testing::shop_fixture::store),
                             esser::testing::observed_dynamodb_store>,
              "the shop fixture must run on dynamodb_event_store");

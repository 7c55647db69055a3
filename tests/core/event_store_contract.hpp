#pragma once
// The event_store contract as a reusable Catch2 suite (issue 2; reused by issue 3 for
// adapters::dynamodb_event_store). Every implementation of core::event_store must pass it.
//
// Use, in one test .cpp per implementation:
//
//   #include "core/event_store_contract.hpp"
//   ESSER_EVENT_STORE_CONTRACT_TESTS("dynamodb_event_store", "[adapters][dynamodb_event_store]",
//                                    [] { return make_store_over_fresh_emulator(); })
//
// The factory returns a std::unique_ptr<core::event_store> (or shared_ptr) to a store with no
// data; it is called once per test case. The first argument prefixes every test name, so
// several instantiations can live in one binary. Include path: the `tests/` folder (as set
// by esser_add_test_suite).
//
// What is checked (see the port's header, core/event_store.hpp):
//  - unknown streams read as empty, last_version 0;
//  - events read back equal to what was appended (data with exact numbers, unicode, nesting,
//    meta, at), in ascending numeric version order (12+ versions: 10 after 9);
//  - range reads (after, up_to];
//  - a batch is all-or-nothing; conflict iff a version exists; malformed batches are
//    invalid_argument and write nothing;
//  - streams are independent, including ids that share a prefix ("1" vs "10") or contain '#';
//  - concurrent appends of the same version: exactly one wins;
//  - snapshots: newest at or below a version; older saves are ignored; recent_commands kept.

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/event_store.hpp"

namespace esser::testing::contract {

inline core::event make_event(const std::string& entity, const std::string& id, std::uint64_t v,
                              nlohmann::json data = nlohmann::json::object()) {
    core::event e;
    e.entity = entity;
    e.id = id;
    e.version = v;
    e.type = v == 1 ? "ItemCreated" : "PriceUpdated";
    e.data = std::move(data);
    e.meta = {"ev-" + id + "-" + std::to_string(v), "cmd-" + std::to_string(v), "corr", "cmd"};
    e.at = "2024-01-01T00:00:00.000Z";
    return e;
}

inline std::vector<core::event> make_events(const std::string& entity, const std::string& id,
                                            std::uint64_t first, std::uint64_t last) {
    std::vector<core::event> out;
    for (std::uint64_t v = first; v <= last; ++v) {
        out.push_back(make_event(entity, id, v, {{"price", static_cast<double>(v) + 0.5}}));
    }
    return out;
}

inline std::vector<std::uint64_t> versions(const std::vector<core::event>& events) {
    std::vector<std::uint64_t> out;
    for (const auto& e : events) out.push_back(e.version);
    return out;
}

}  // namespace esser::testing::contract

// NOLINTBEGIN
#define ESSER_EVENT_STORE_CONTRACT_TESTS(NAME, TAGS, FACTORY)                                      \
    TEST_CASE(NAME " contract: an unknown stream reads as empty at version 0", TAGS) {             \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "nobody"};                                          \
        auto r = store->read(s);                                                                   \
        REQUIRE(r);                                                                                \
        CHECK(r->empty());                                                                         \
        auto v = store->last_version(s);                                                           \
        REQUIRE(v);                                                                                \
        CHECK(*v == 0);                                                                            \
        auto snap = store->load_snapshot(s);                                                       \
        REQUIRE(snap);                                                                             \
        CHECK_FALSE(snap->has_value());                                                            \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: an appended event reads back exactly", TAGS) {                      \
        using nlohmann::json;                                                                      \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "exact-1"};                                         \
        const json data = {                                                                        \
            {"name", "Yummy Choc \xC3\xA9\xE2\x82\xAC"},                                           \
            {"price", 10.5},                                                                       \
            {"tenth", 0.1},                                                                        \
            {"big", std::uint64_t{9007199254740993ULL}},                                           \
            {"max", std::numeric_limits<std::uint64_t>::max()},                                    \
            {"min", std::numeric_limits<std::int64_t>::min()},                                     \
            {"neg", -42},                                                                          \
            {"empty", ""},                                                                         \
            {"nested", {{"list", json::array({1, "two", nullptr, true, json::object()})}}},        \
            {"none", nullptr},                                                                     \
            {"flag", false}};                                                                      \
        auto e = esser::testing::contract::make_event("Item", "exact-1", 1, data);                 \
        auto r = store->append(s, {e});                                                            \
        REQUIRE(r);                                                                                \
        CHECK(*r == 1);                                                                            \
        auto back = store->read(s);                                                                \
        REQUIRE(back);                                                                             \
        REQUIRE(back->size() == 1);                                                                \
        CHECK(back->front() == e);                                                                 \
        CHECK(back->front().data.dump() == e.data.dump());                                         \
        CHECK(store->last_version(s).value() == 1);                                                \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: 15 versions read back in ascending numeric order", TAGS) {          \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "order-1"};                                         \
        using esser::testing::contract::make_events;                                               \
        REQUIRE(store->append(s, make_events("Item", "order-1", 1, 1)));                           \
        REQUIRE(store->append(s, make_events("Item", "order-1", 2, 9)));                           \
        REQUIRE(store->append(s, make_events("Item", "order-1", 10, 12)));                         \
        for (std::uint64_t v = 13; v <= 15; ++v) {                                                 \
            REQUIRE(store->append(s, make_events("Item", "order-1", v, v)));                       \
        }                                                                                          \
        auto all = store->read(s);                                                                 \
        REQUIRE(all);                                                                              \
        std::vector<std::uint64_t> expected;                                                       \
        for (std::uint64_t v = 1; v <= 15; ++v) expected.push_back(v);                             \
        CHECK(esser::testing::contract::versions(*all) == expected);                               \
        CHECK(store->last_version(s).value() == 15);                                               \
        SECTION("range reads are (after, up_to]") {                                                \
            auto mid = store->read(s, 8, 11);                                                      \
            REQUIRE(mid);                                                                          \
            CHECK(esser::testing::contract::versions(*mid) ==                                      \
                  std::vector<std::uint64_t>{9, 10, 11});                                          \
            auto tail = store->read(s, 13);                                                        \
            REQUIRE(tail);                                                                         \
            CHECK(esser::testing::contract::versions(*tail) ==                                     \
                  std::vector<std::uint64_t>{14, 15});                                             \
            CHECK(store->read(s, 15).value().empty());                                             \
            CHECK(store->read(s, 3, 3).value().empty());                                           \
            CHECK(store->read(s, 0, 1).value().size() == 1);                                       \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: appending an existing version is a conflict that writes nothing",   \
              TAGS) {                                                                              \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "conflict-1"};                                      \
        using esser::testing::contract::make_events;                                               \
        REQUIRE(store->append(s, make_events("Item", "conflict-1", 1, 3)));                        \
        SECTION("a single event") {                                                                \
            auto r = store->append(s, make_events("Item", "conflict-1", 3, 3));                    \
            REQUIRE_FALSE(r);                                                                      \
            CHECK(r.error().code == esser::core::errc::version_conflict);                          \
        }                                                                                          \
        SECTION("a batch overlapping at its start is written not at all") {                        \
            auto r = store->append(s, make_events("Item", "conflict-1", 3, 5));                    \
            REQUIRE_FALSE(r);                                                                      \
            CHECK(r.error().code == esser::core::errc::version_conflict);                          \
        }                                                                                          \
        SECTION("the creating event again") {                                                      \
            auto r = store->append(s, make_events("Item", "conflict-1", 1, 1));                    \
            REQUIRE_FALSE(r);                                                                      \
            CHECK(r.error().code == esser::core::errc::version_conflict);                          \
        }                                                                                          \
        CHECK(esser::testing::contract::versions(store->read(s).value()) ==                        \
              std::vector<std::uint64_t>{1, 2, 3});                                                \
        CHECK(store->read(s).value().back() == make_events("Item", "conflict-1", 3, 3).front());   \
        REQUIRE(store->append(s, make_events("Item", "conflict-1", 4, 5)));                        \
        CHECK(store->last_version(s).value() == 5);                                                \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: malformed batches are invalid_argument and write nothing", TAGS) {  \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "bad-1"};                                           \
        using esser::testing::contract::make_event;                                                \
        auto check_invalid = [&](std::vector<esser::core::event> batch) {                          \
            auto r = store->append(s, std::move(batch));                                           \
            REQUIRE_FALSE(r);                                                                      \
            CHECK(r.error().code == esser::core::errc::invalid_argument);                          \
        };                                                                                         \
        check_invalid({});                                                                         \
        check_invalid({make_event("Item", "other", 1)});                                           \
        check_invalid({make_event("Basket", "bad-1", 1)});                                         \
        check_invalid({make_event("Item", "bad-1", 0)});                                           \
        check_invalid({make_event("Item", "bad-1", 1), make_event("Item", "bad-1", 3)});           \
        check_invalid({make_event("Item", "bad-1", 1), make_event("Item", "other", 2)});           \
        CHECK(store->read(s).value().empty());                                                     \
        CHECK(store->read({"Item", "other"}).value().empty());                                     \
        CHECK(store->last_version(s).value() == 0);                                                \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: streams are independent, also with shared prefixes", TAGS) {        \
        auto store = (FACTORY)();                                                                  \
        using esser::testing::contract::make_events;                                               \
        REQUIRE(store->append({"Item", "1"}, make_events("Item", "1", 1, 2)));                     \
        REQUIRE(store->append({"Item", "10"}, make_events("Item", "10", 1, 3)));                   \
        REQUIRE(store->append({"Item", "1#2"}, make_events("Item", "1#2", 1, 1)));                 \
        REQUIRE(store->append({"Basket", "1"}, make_events("Basket", "1", 1, 4)));                 \
        CHECK(store->read({"Item", "1"}).value().size() == 2);                                     \
        CHECK(store->read({"Item", "10"}).value().size() == 3);                                    \
        CHECK(store->read({"Item", "1#2"}).value().size() == 1);                                   \
        CHECK(store->read({"Basket", "1"}).value().size() == 4);                                   \
        CHECK(store->last_version({"Item", "1"}).value() == 2);                                    \
        const auto item1 = store->read({"Item", "1"}).value();                                     \
        for (const auto& e : item1) CHECK(e.id == "1");                                            \
        /* the same version in another stream is not a conflict */                                 \
        CHECK(store->append({"Item", "2"}, make_events("Item", "2", 1, 1)));                       \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: concurrent appends of one version have exactly one winner", TAGS) { \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "race-1"};                                          \
        std::atomic<int> wins{0}, conflicts{0}, others{0};                                         \
        for (std::uint64_t v = 1; v <= 20; ++v) {                                                  \
            std::vector<std::thread> threads;                                                      \
            for (int t = 0; t < 4; ++t) {                                                          \
                threads.emplace_back([&, v, t] {                                                   \
                    auto e = esser::testing::contract::make_event("Item", "race-1", v,             \
                                                                  {{"writer", t}});                \
                    auto r = store->append(s, {e});                                                \
                    if (r) {                                                                       \
                        ++wins;                                                                    \
                    } else if (r.error().code == esser::core::errc::version_conflict) {            \
                        ++conflicts;                                                               \
                    } else {                                                                       \
                        ++others;                                                                  \
                    }                                                                              \
                });                                                                                \
            }                                                                                      \
            for (auto& th : threads) th.join();                                                    \
        }                                                                                          \
        CHECK(wins == 20);                                                                         \
        CHECK(conflicts == 60);                                                                    \
        CHECK(others == 0);                                                                        \
        CHECK(store->read(s).value().size() == 20);                                                \
    }                                                                                              \
                                                                                                   \
    TEST_CASE(NAME " contract: the newest snapshot at or below a version is loaded", TAGS) {       \
        auto store = (FACTORY)();                                                                  \
        const esser::core::stream_id s{"Item", "snap-1"};                                          \
        esser::core::snapshot five{s,                                                              \
                                   5,                                                              \
                                   {{"price", 5.5}, {"latest_version", 5}},                        \
                                   "2024-01-01T00:00:05.000Z",                                     \
                                   {{"cmd-a", 1, 2}, {"cmd-b", 3, 5}}};                            \
        REQUIRE(store->save_snapshot(five));                                                       \
        auto got = store->load_snapshot(s);                                                        \
        REQUIRE(got);                                                                              \
        REQUIRE(got->has_value());                                                                 \
        CHECK(**got == five);                                                                      \
        CHECK_FALSE(store->load_snapshot(s, 4).value().has_value());                               \
        CHECK(store->load_snapshot(s, 5).value().has_value());                                     \
        SECTION("an older snapshot is ignored") {                                                  \
            esser::core::snapshot three{s, 3, {{"price", 3.5}}, "2024-01-01T00:00:03.000Z", {}};   \
            REQUIRE(store->save_snapshot(three));                                                  \
            CHECK(store->load_snapshot(s).value().value().version == 5);                           \
        }                                                                                          \
        SECTION("a newer snapshot replaces it") {                                                  \
            esser::core::snapshot eight{s, 8, {{"price", 8.5}}, "2024-01-01T00:00:08.000Z", {}};   \
            REQUIRE(store->save_snapshot(eight));                                                  \
            CHECK(store->load_snapshot(s).value().value() == eight);                               \
            CHECK(store->load_snapshot(s, 100).value().value().version == 8);                      \
        }                                                                                          \
        CHECK_FALSE(store->load_snapshot({"Item", "snap-10"}).value().has_value());                \
    }
// NOLINTEND

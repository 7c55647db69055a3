// Covers issue 2 (snapshots): snapshots every N events; loading = latest snapshot at or below
// the target + later events; state_at(version); a bad snapshot is ignored, never trusted.
#include "esser/core/aggregate_repository.hpp"

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::core;
using nlohmann::json;

namespace {

struct counter_fixture {
    std::shared_ptr<const domain> d;
    esser::testing::memory_event_store store;
    manual_clock clock;
    seeded_id_source ids{5};
    std::unique_ptr<command_handler> handler;
    std::string id;

    // with_log: also keep every amount in /log (a state that grows with the stream).
    explicit counter_fixture(std::uint64_t every, bool with_log = true) {
        domain_builder b("t");
        auto& e =
            b.entity("Counter")
                .command("Create", command_kind::create, "Created",
                         json::parse(R"({"type":"object","properties":{}})"))
                .command("Add", command_kind::update, "Added",
                         json::parse(R"({"type":"object","properties":{"n":{"type":"integer"}}})"))
                .on("Added", reducer_step::increment("/total", "/n"))
                .snapshot_every(every);
        if (with_log)
            e.on("Added", reducer_step::append("/log", "/n"));
        d = b.build().value();
        handler = std::make_unique<command_handler>(d, store, clock, ids);
        id = handler->handle(command{"Counter", "Create", "c"}).value().stream.id;
    }

    void add(int n) {
        auto r = handler->handle(command{"Counter", "Add", id, {{"n", n}}});
        if (!r)
            FAIL(r.error().describe());
    }
};

}  // namespace

// The benchmark (bench-core) measures the same with 10,000 events; 2,000 keep the test fast.
TEST_CASE("an aggregate of 2,000 events with snapshots every 100 loads from at most 100 events",
          "[core][aggregate_repository]") {
    counter_fixture f(100, false);
    for (int i = 1; i < 2000; ++i) f.add(1);
    aggregate_repository repo(f.d, f.store);
    const stream_id s{"Counter", "c"};
    f.store.reset_counters();
    auto a = repo.load(s);
    REQUIRE(a);
    CHECK(a->version == 2000);
    CHECK(a->state["total"] == 1999);
    CHECK(f.store.events_read() <= 100);
    CHECK(f.store.load_snapshot(s).value().value().version == 2000);
    f.add(1);
    f.store.reset_counters();
    REQUIRE(repo.load(s).value().version == 2001);
    CHECK(f.store.events_read() == 1);
}

TEST_CASE("snapshots are taken each time the version crosses a multiple of N",
          "[core][aggregate_repository]") {
    counter_fixture f(3);
    const stream_id s{"Counter", "c"};
    CHECK_FALSE(f.store.load_snapshot(s).value().has_value());
    f.add(1);
    f.add(1);  // version 3
    auto snap = f.store.load_snapshot(s).value();
    REQUIRE(snap);
    CHECK(snap->version == 3);
    CHECK(snap->state == json{{"total", 2}, {"log", {1, 1}}, {"latest_version", 3}});
    CHECK(snap->recent_commands.size() == 3);
    f.add(1);
    f.add(1);
    CHECK(f.store.load_snapshot(s).value()->version == 3);
    f.add(1);  // version 6
    CHECK(f.store.load_snapshot(s).value()->version == 6);
}

TEST_CASE("state_at loads the latest snapshot at or below the target",
          "[core][aggregate_repository]") {
    counter_fixture f(4);
    for (int i = 1; i <= 10; ++i) f.add(i);  // versions 2..11, snapshot at 8 (latest kept)
    aggregate_repository repo(f.d, f.store);
    const stream_id s{"Counter", "c"};
    f.store.reset_counters();
    CHECK(repo.state_at(s, 9).value()["total"] == 36);  // 1+..+8
    CHECK(f.store.events_read() == 1);                  // snapshot 8 + event 9
    f.store.reset_counters();
    CHECK(repo.state_at(s, 5).value()["log"] == json{1, 2, 3, 4});  // below the snapshot: replay
    CHECK(f.store.events_read() == 5);
    CHECK(repo.state_at(s, 1).value() == json{{"latest_version", 1}});
    CHECK(repo.state_at(s, 11).value()["total"] == 55);
}

TEST_CASE("a corrupt snapshot is ignored and the stream replayed", "[core][aggregate_repository]") {
    counter_fixture f(2);
    for (int i = 1; i <= 5; ++i) f.add(i);
    const stream_id s{"Counter", "c"};
    aggregate_repository repo(f.d, f.store);
    const json good = repo.load(s).value().state;
    f.store.drop_snapshot(s);
    REQUIRE(f.store.save_snapshot(snapshot{s, 4, json("not an object"), "", {}}));
    CHECK(repo.load(s).value().state == good);
}

TEST_CASE("loading an unknown entity is not_found; an unknown id is version 0",
          "[core][aggregate_repository]") {
    counter_fixture f(0);
    aggregate_repository repo(f.d, f.store);
    auto unknown = repo.load({"Nope", "x"});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == errc::not_found);
    auto empty = repo.load({"Counter", "nobody"});
    REQUIRE(empty);
    CHECK_FALSE(empty->exists());
    CHECK(empty->state == json::object());
}

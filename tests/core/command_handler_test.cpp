// Covers issue 2 (command handler): the expected-version matrix (no_stream / any / exact,
// conflicts, bounded re-decide on `any`), idempotency on command_id (also for creates and across
// snapshots, with its documented window), multi-event commands, pre_save vetoes, and bad input.
#include "esser/core/command_handler.hpp"

#include <functional>

#include "core/memory_event_store.hpp"
#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::core;
using esser::testing::memory_event_store;
using esser::testing::pointers;
using esser::testing::shop_fixture;
using nlohmann::json;

namespace {

// A store that lets a test act right before an append reaches the real store, to simulate a
// concurrent writer winning the race.
class racing_store final : public event_store {
public:
    explicit racing_store(event_store& inner) : inner_(inner) {}

    std::function<void()> before_append;  // runs (and is cleared) before the next append
    int always_conflict = 0;              // > 0: that many appends fail with a conflict
    int appends_seen = 0;

    result<std::uint64_t> append(const stream_id& s, std::vector<event> events) override {
        ++appends_seen;
        if (before_append) {
            auto f = std::move(before_append);
            before_append = nullptr;
            f();
        }
        if (always_conflict > 0) {
            --always_conflict;
            return fail(error::version_conflict("injected conflict"));
        }
        return inner_.append(s, std::move(events));
    }

    result<std::vector<event>> read(const stream_id& s, std::uint64_t a, std::uint64_t b) override {
        return inner_.read(s, a, b);
    }

    result<std::optional<snapshot>> load_snapshot(const stream_id& s, std::uint64_t v) override {
        return inner_.load_snapshot(s, v);
    }

    result<void> save_snapshot(const snapshot& snap) override { return inner_.save_snapshot(snap); }

private:
    event_store& inner_;
};

command cmd(std::string entity, std::string name, std::string id, json data,
            expected_version ev = expected_version::any(), std::string command_id = "") {
    command c;
    c.entity = std::move(entity);
    c.name = std::move(name);
    c.id = std::move(id);
    c.data = std::move(data);
    c.expected = ev;
    c.command_id = std::move(command_id);
    return c;
}

}  // namespace

TEST_CASE("expected version matrix for create commands", "[core][command_handler]") {
    shop_fixture f;
    const json item = {{"name", "x"}, {"price", 1}};
    CHECK(f.send("Item", "CreateItem", "a", item, expected_version::no_stream()));
    CHECK(f.send("Item", "CreateItem", "b", item, expected_version::any()));
    CHECK(f.send("Item", "CreateItem", "c", item, expected_version::exact(0)));
    auto bad = f.send("Item", "CreateItem", "d", item, expected_version::exact(3));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::invalid_argument);
    for (auto ev :
         {expected_version::no_stream(), expected_version::any(), expected_version::exact(0)}) {
        auto again = f.send("Item", "CreateItem", "a", item, ev);
        REQUIRE_FALSE(again);
        CHECK(again.error().code == errc::version_conflict);
    }
}

TEST_CASE("expected version matrix for update commands", "[core][command_handler]") {
    shop_fixture f;
    const auto id = f.create_item("x", 1);
    SECTION("exact at the current version appends") {
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::exact(1));
        REQUIRE(r);
        CHECK(r->version == 2);
    }
    SECTION("exact at a stale version is a conflict and writes nothing") {
        REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 2}}));
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 3}}, expected_version::exact(1));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::version_conflict);
        CHECK_THAT(r.error().message, Catch::Contains("version 1") && Catch::Contains("version 2"));
        CHECK(f.store.last_version({"Item", id}).value() == 2);
    }
    SECTION("exact ahead of the stream is a conflict") {
        CHECK(f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::exact(5))
                  .error()
                  .code == errc::version_conflict);
    }
    SECTION("no_stream on an existing aggregate is a conflict") {
        CHECK(f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::no_stream())
                  .error()
                  .code == errc::version_conflict);
    }
    SECTION("any appends at whatever version the stream is") {
        REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 2}}));
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 3}}, expected_version::any());
        REQUIRE(r);
        CHECK(r->version == 3);
    }
    SECTION("an aggregate that does not exist is not_found") {
        auto r = f.send("Item", "UpdatePrice", "ghost", {{"price", 2}});
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::not_found);
    }
}

TEST_CASE("a retried command returns the original events and writes nothing",
          "[core][command_handler]") {
    shop_fixture f;
    const auto id = f.create_item("x", 1);
    auto first =
        f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::exact(1), "retry-me");
    REQUIRE(first);
    CHECK_FALSE(first->duplicate);
    const auto appends = f.store.appends();
    SECTION("with the same expected version") {
        auto again = f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::exact(1),
                            "retry-me");
        REQUIRE(again);
        CHECK(again->duplicate);
        CHECK(again->events == first->events);
        CHECK(again->version == 2);
        CHECK(again->state == first->state);
    }
    SECTION("even though x-diff would now refuse the payload") {
        auto again =
            f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::any(), "retry-me");
        REQUIRE(again);
        CHECK(again->duplicate);
    }
    SECTION("after the aggregate moved on: state as right after the original") {
        REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 3}}));
        const auto appends2 = f.store.appends();
        auto again = f.send("Item", "UpdatePrice", id, {{"price", 2}}, expected_version::exact(1),
                            "retry-me");
        REQUIRE(again);
        CHECK(again->duplicate);
        CHECK(again->version == 2);
        CHECK(again->state["price"] == 2);
        CHECK(f.store.appends() == appends2);
    }
    CHECK((f.store.appends() == appends || f.store.last_version({"Item", id}).value() == 3));
}

TEST_CASE("a retried create without an id finds its stream through the derived id",
          "[core][command_handler]") {
    shop_fixture f;
    const json item = {{"name", "x"}, {"price", 1}};
    auto first = f.send("Item", "CreateItem", "", item, expected_version::no_stream(), "create-1");
    REQUIRE(first);
    CHECK(first->stream.id == command_handler::derived_id("Item", "create-1"));
    auto again = f.send("Item", "CreateItem", "", item, expected_version::no_stream(), "create-1");
    REQUIRE(again);
    CHECK(again->duplicate);
    CHECK(again->stream == first->stream);
    CHECK(again->events == first->events);
    CHECK(f.store.read(first->stream).value().size() == 1);
    // A different command id is a different aggregate.
    auto other = f.send("Item", "CreateItem", "", item, expected_version::no_stream(), "create-2");
    REQUIRE(other);
    CHECK(other->stream.id != first->stream.id);
}

TEST_CASE("idempotency survives snapshots within the documented window",
          "[core][command_handler]") {
    domain_builder b("t");
    b.entity("Counter")
        .command("Create", command_kind::create, "Created",
                 json{{"type", "object"}, {"properties", json::object()}})
        .command("Add", command_kind::update, "Added",
                 json::parse(R"({"type":"object","properties":{"n":{"type":"integer"}}})"))
        .on("Added", reducer_step::increment("/total", "/n"))
        .snapshot_every(2)
        .keep_command_ids(5);
    auto d = b.build();
    REQUIRE(d);
    memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(1);
    command_handler h(*d, store, clk, ids);
    auto created =
        h.handle(cmd("Counter", "Create", "", json::object(), expected_version::any(), "c0"));
    REQUIRE(created);
    const auto id = created->stream.id;
    REQUIRE(h.handle(cmd("Counter", "Add", id, {{"n", 1}}, expected_version::any(), "a1")));
    for (int i = 2; i <= 4; ++i) {
        REQUIRE(h.handle(cmd("Counter", "Add", id, {{"n", 1}}, expected_version::any(),
                             "a" + std::to_string(i))));
    }
    // Versions: c0=1, a1=2, a2=3, a3=4, a4=5; snapshots at 2 and 4.
    REQUIRE(store.load_snapshot({"Counter", id}).value().value().version == 4);
    auto dup = h.handle(cmd("Counter", "Add", id, {{"n", 1}}, expected_version::any(), "a1"));
    REQUIRE(dup);
    CHECK(dup->duplicate);
    CHECK(dup->version == 2);
    CHECK(dup->state["total"] == 1);
    CHECK(store.last_version({"Counter", id}).value() == 5);

    SECTION("the creating command is recognised forever") {
        for (int i = 5; i <= 20; ++i) {
            REQUIRE(h.handle(cmd("Counter", "Add", id, {{"n", 1}}, expected_version::any(),
                                 "b" + std::to_string(i))));
        }
        auto again =
            h.handle(cmd("Counter", "Create", "", json::object(), expected_version::any(), "c0"));
        REQUIRE(again);
        CHECK(again->duplicate);
        CHECK(again->version == 1);
    }
    SECTION("an update older than keep_command_ids runs again (outside the window)") {
        for (int i = 5; i <= 20; ++i) {
            REQUIRE(h.handle(cmd("Counter", "Add", id, {{"n", 1}}, expected_version::any(),
                                 "b" + std::to_string(i))));
        }
        auto late = h.handle(cmd("Counter", "Add", id, {{"n", 1}}, expected_version::any(), "a1"));
        REQUIRE(late);
        CHECK_FALSE(late->duplicate);
    }
}

TEST_CASE("with `any`, a concurrent write makes the handler load and decide again",
          "[core][command_handler]") {
    shop_fixture f;
    const auto id = f.create_item("x", 1);
    racing_store racing(f.store);
    command_handler h(f.domain, racing, f.clock, f.ids);
    auto competitor = [&](double price) {
        return [&, price] { REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", price}})); };
    };
    SECTION("the command lands after the competitor") {
        racing.before_append = competitor(5);
        auto r = h.handle(cmd("Item", "UpdatePrice", id, {{"price", 7}}));
        REQUIRE(r);
        CHECK(r->version == 3);
        CHECK(racing.appends_seen == 2);
        CHECK(f.store.read({"Item", id}).value().at(1).data["price"] == 5);
    }
    SECTION("re-deciding re-validates: the competitor set the same price") {
        racing.before_append = competitor(7);
        auto r = h.handle(cmd("Item", "UpdatePrice", id, {{"price", 7}}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::validation);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/price"});
    }
    SECTION("with `exact`, the conflict is returned") {
        racing.before_append = competitor(5);
        auto r =
            h.handle(cmd("Item", "UpdatePrice", id, {{"price", 7}}, expected_version::exact(1)));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::version_conflict);
        CHECK(racing.appends_seen == 1);
    }
    SECTION("retries are bounded") {
        racing.always_conflict = 100;
        auto r = h.handle(cmd("Item", "UpdatePrice", id, {{"price", 7}}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::version_conflict);
        CHECK_THAT(r.error().message, Catch::Contains("gave up after 4 attempts"));
        CHECK(racing.appends_seen == 4);
    }
    SECTION("a concurrent retry of the same command is a duplicate, not a conflict") {
        racing.before_append = [&] {
            REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 7}}, expected_version::exact(1),
                           "same"));
        };
        auto r = h.handle(
            cmd("Item", "UpdatePrice", id, {{"price", 7}}, expected_version::exact(1), "same"));
        REQUIRE(r);
        CHECK(r->duplicate);
        CHECK(f.store.last_version({"Item", id}).value() == 2);
    }
}

TEST_CASE("a command may emit several events, appended atomically", "[core][command_handler]") {
    domain_builder b("orders");
    command_def place;
    place.name = "PlaceOrder";
    place.kind = command_kind::create;
    place.schema = json::parse(R"({"type":"object","required":["customer","total"],
        "properties":{"customer":{"type":"string"},"total":{"type":"number"}}})");
    place.events = {{"OrderPlaced", {"customer"}}, {"TotalSet", {"total"}}};
    b.entity("Order")
        .command(place)
        .on("OrderPlaced", reducer_step::merge())
        .on("TotalSet", reducer_step::set("/total"));
    auto d = b.build();
    REQUIRE(d);
    memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(7);
    command_handler h(*d, store, clk, ids);
    auto r = h.handle(cmd("Order", "PlaceOrder", "o-1", {{"customer", "ann"}, {"total", 9.5}}));
    REQUIRE(r);
    REQUIRE(r->events.size() == 2);
    CHECK(r->events[0].data == json{{"customer", "ann"}});
    CHECK(r->events[1].data == json{{"total", 9.5}});
    CHECK(r->events[1].version == 2);
    CHECK(r->events[0].meta.command_id == r->events[1].meta.command_id);
    CHECK(r->events[0].meta.event_id != r->events[1].meta.event_id);
    CHECK(store.appends() == 1);
    CHECK(r->state == json{{"customer", "ann"}, {"total", 9.5}, {"latest_version", 2}});
    auto dup = h.handle(cmd("Order", "PlaceOrder", "o-1", {{"customer", "ann"}, {"total", 9.5}},
                            expected_version::any(), r->events[0].meta.command_id));
    REQUIRE(dup);
    CHECK(dup->duplicate);
    CHECK(dup->events == r->events);
    CHECK(store.appends() == 1);
}

TEST_CASE("C++ decide functions choose the events", "[core][command_handler]") {
    domain_builder b("t");
    command_def split;
    split.name = "Split";
    split.kind = command_kind::create;
    split.schema =
        json::parse(R"({"type":"object","properties":{"parts":{"type":"integer","minimum":0}}})");
    split.decide = [](const decide_context& ctx) -> result<std::vector<new_event>> {
        std::vector<new_event> out;
        for (int i = 0; i < ctx.data.value("parts", 0); ++i)
            out.push_back({"PartAdded", {{"n", i}}});
        return out;
    };
    b.entity("Thing").command(split).on("PartAdded", reducer_step::append("/parts", "/n"));
    auto d = b.build();
    REQUIRE(d);
    memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(7);
    command_handler h(*d, store, clk, ids);
    auto three = h.handle(cmd("Thing", "Split", "t-1", {{"parts", 3}}));
    REQUIRE(three);
    CHECK(three->state["parts"] == json{0, 1, 2});
    auto none = h.handle(cmd("Thing", "Split", "t-2", {{"parts", 0}}));
    REQUIRE(none);
    CHECK(none->events.empty());
    CHECK(none->version == 0);
    CHECK(store.read({"Thing", "t-2"}).value().empty());
}

TEST_CASE("pre_save receivers may veto; received receivers see every command",
          "[core][command_handler]") {
    int received = 0;
    function_registry fns;
    fns.add_received("count", [&](const command&) { ++received; });
    fns.add_pre_save("cap_price", [](const pre_save_args& a) -> result<void> {
        for (const auto& e : a.events) {
            if (e.data.value("price", 0.0) > 100)
                return fail(error::vetoed("PriceTooHigh", "prices stop at 100"));
        }
        return {};
    });
    // The shop file with receivers added.
    auto text = read_json_file(esser::testing::shop_domain_path());
    REQUIRE(text);
    json with = *text;
    with["receivers"] = {
        {"received", {{{"function", "count"}}}},
        {"pre_save",
         {{{"entity", "Item"}, {"command", "UpdatePrice"}, {"function", "cap_price"}}}}};
    auto d = load_domain(with, fns, "shop+receivers");
    REQUIRE(d);
    memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(3);
    command_handler h(*d, store, clk, ids);
    auto created = h.handle(cmd("Item", "CreateItem", "i", {{"name", "x"}, {"price", 500}}));
    REQUIRE(created);  // the filter names UpdatePrice only
    auto vetoed = h.handle(cmd("Item", "UpdatePrice", "i", {{"price", 101}}));
    REQUIRE_FALSE(vetoed);
    CHECK(vetoed.error().code == errc::vetoed);
    CHECK(vetoed.error().type == "PriceTooHigh");
    CHECK(store.last_version({"Item", "i"}).value() == 1);
    CHECK(h.handle(cmd("Item", "UpdatePrice", "i", {{"price", 99}})));
    CHECK(received == 3);
}

TEST_CASE("an event the reducer cannot apply is never stored", "[core][command_handler]") {
    domain_builder b("t");
    b.entity("Acc")
        .command("Open", command_kind::create, "Opened",
                 json::parse(R"({"type":"object","properties":{"balance":{}}})"))
        .command("Deposit", command_kind::update, "Deposited",
                 json::parse(R"({"type":"object","properties":{"amount":{"type":"number"}}})"))
        .on("Opened", reducer_step::merge())
        .on("Deposited", reducer_step::increment("/balance", "/amount"));
    auto d = b.build();
    REQUIRE(d);
    memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(3);
    command_handler h(*d, store, clk, ids);
    REQUIRE(h.handle(cmd("Acc", "Open", "a", {{"balance", "lots"}})));
    auto r = h.handle(cmd("Acc", "Deposit", "a", {{"amount", 5}}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::internal);
    CHECK_THAT(r.error().message, Catch::Contains("refusing to store"));
    CHECK(store.last_version({"Acc", "a"}).value() == 1);
}

TEST_CASE("bad commands are typed errors naming what is wrong", "[core][command_handler]") {
    shop_fixture f;
    SECTION("unknown entity") {
        auto r = f.send("Itme", "CreateItem", "", json::object());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::not_found);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/entity"});
        CHECK_THAT(r.error().fields[0].reason, Catch::Contains("Basket, Item"));
    }
    SECTION("unknown command") {
        auto r = f.send("Item", "Frobnicate", "", json::object());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::not_found);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/command"});
        CHECK_THAT(r.error().fields[0].reason,
                   Catch::Contains("AddColors, CreateItem, DeleteItem, UpdatePrice"));
    }
    SECTION("payload not an object") {
        for (json data : {json::array({1}), json("x"), json(3), json(nullptr)}) {
            auto r = f.send("Item", "CreateItem", "", data);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == errc::validation);
            CHECK(pointers(r.error()) == std::vector<std::string>{""});
        }
    }
    SECTION("update without an id") {
        auto r = f.send("Item", "UpdatePrice", "", {{"price", 1}});
        REQUIRE_FALSE(r);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/id"});
    }
    CHECK(f.store.all_events().empty());
}

TEST_CASE("store failures are returned as they are", "[core][command_handler]") {
    struct broken_store final : event_store {
        result<std::uint64_t> append(const stream_id&, std::vector<event>) override {
            return fail(error::unavailable("disk on fire"));
        }

        result<std::vector<event>> read(const stream_id&, std::uint64_t, std::uint64_t) override {
            return std::vector<event>{};
        }

        result<std::optional<snapshot>> load_snapshot(const stream_id&, std::uint64_t) override {
            return std::optional<snapshot>{};
        }

        result<void> save_snapshot(const snapshot&) override { return {}; }
    } store;

    shop_fixture f;
    command_handler h(f.domain, store, f.clock, f.ids);
    auto r = h.handle(cmd("Item", "CreateItem", "x", {{"name", "a"}, {"price", 1}}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::unavailable);
    CHECK(r.error().retryable());
}

TEST_CASE("commands round-trip through their JSON form; malformed ones are listed",
          "[core][command_handler]") {
    auto c = command_from_json(json::parse(R"({"entity":"Item","command":"UpdatePrice","id":"i",
        "data":{"price":1},"command_id":"c","expected_version":3})"));
    REQUIRE(c);
    CHECK(c->expected == expected_version::exact(3));
    json back = *c;
    CHECK(back["expected_version"] == 3);
    CHECK(command_from_json(back).value().data == json{{"price", 1}});
    auto bad = command_from_json(
        json::parse(R"({"entity":1,"data":[],"expected_version":"soon","extra":true})"));
    REQUIRE_FALSE(bad);
    CHECK(pointers(bad.error()) ==
          std::vector<std::string>{"/extra", "/entity", "/command", "/data", "/expected_version"});
    CHECK_FALSE(command_from_json(json::array()));
}

TEST_CASE("a stale aggregate cache never changes an outcome", "[core][command_handler]") {
    // Two processes (two handlers with their own caches) writing the same store.
    shop_fixture f;
    command_handler other(f.domain, f.store, f.clock, f.ids);
    const auto id = f.create_item("x", 1);  // f.handler caches the item at version 1
    REQUIRE(other.handle(cmd("Item", "UpdatePrice", id, {{"price", 7}})));  // now at version 2

    SECTION("an append on a stale version lands after a fresh load") {
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 3}});
        REQUIRE(r);
        CHECK(r->version == 3);
        CHECK(r->state["price"] == 3);
    }
    SECTION("x-diff is judged on the current state, not the cached one") {
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 1}});  // cached price is 1
        REQUIRE(r);
        CHECK(r->version == 3);
        auto same = f.send("Item", "UpdatePrice", id, {{"price", 1}});
        REQUIRE_FALSE(same);
        CHECK(same.error().code == errc::validation);
    }
    SECTION("exact versions are judged on the current version") {
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 3}}, expected_version::exact(2));
        REQUIRE(r);
        CHECK(r->version == 3);
    }
    SECTION("a retry of a command another process handled is a duplicate") {
        REQUIRE(other.handle(
            cmd("Item", "UpdatePrice", id, {{"price", 9}}, expected_version::any(), "x")));
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 9}}, expected_version::any(), "x");
        REQUIRE(r);
        CHECK(r->duplicate);
        CHECK(f.store.last_version({"Item", id}).value() == 3);
    }
    SECTION("a deletion elsewhere is seen") {
        REQUIRE(other.handle(cmd("Item", "DeleteItem", id, {{"deleted_by", "o"}})));
        auto r = f.send("Item", "UpdatePrice", id, {{"price", 3}});
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::aggregate_deleted);
    }
}

TEST_CASE("the same commands give the same results with and without the cache",
          "[core][command_handler]") {
    auto run = [](std::size_t cache) {
        shop_fixture f;
        command_handler::options o;
        o.cache_capacity = cache;
        command_handler h(f.domain, f.store, f.clock, f.ids, o);
        std::vector<json> out;
        std::string id;
        for (int i = 0; i < 60; ++i) {
            auto c = i == 0 ? cmd("Item", "CreateItem", "", {{"name", "n"}, {"price", 0}},
                                  expected_version::any(), "c0")
                            : cmd("Item", "UpdatePrice", id, {{"price", i % 7}});
            auto r = h.handle(c);
            if (i == 0)
                id = r->stream.id;
            out.push_back(r ? json(*r) : json(r.error().describe()));
        }
        out.push_back(
            h.handle(cmd("Item", "UpdatePrice", id, {{"price", 5}}, expected_version::any(), "c0"))
                .has_value());
        return out;
    };
    CHECK(run(0) == run(10000));
    CHECK(run(1) == run(0));
}

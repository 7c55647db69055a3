// Covers issue 2 (domain model buildable from C++): the C++ builder produces the same model as
// the domain file, and reports every problem by the pointer a file would have.
#include "esser/core/domain.hpp"

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::core;
using esser::testing::pointers;
using nlohmann::json;

namespace {

// The shop's Item, written in C++.
std::shared_ptr<const domain> item_in_cpp() {
    const json create = json::parse(R"({"type":"object","required":["name","price"],
        "properties":{"name":{"type":"string","minLength":1},"price":{"type":"number","minimum":0}}})");
    const json update = json::parse(R"({"type":"object","required":["price"],
        "properties":{"price":{"type":"number","minimum":0,"x-diff":true}}})");
    domain_builder b("shop");
    b.entity("Item")
        .command("CreateItem", command_kind::create, "ItemCreated", create)
        .command("UpdatePrice", command_kind::update, "PriceUpdated", update)
        .on("ItemCreated", reducer_step::merge())
        .on("PriceUpdated", reducer_step::set("/price"))
        .snapshot_every(50);
    auto d = b.build();
    if (!d)
        FAIL(d.error().describe());
    return *d;
}

}  // namespace

TEST_CASE("a domain built in C++ behaves like the same domain loaded from its file",
          "[core][domain]") {
    esser::testing::shop_fixture from_file;
    esser::testing::memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(42);
    command_handler from_cpp(item_in_cpp(), store, clk, ids);

    command c{"Item", "CreateItem", "", {{"name", "Choc"}, {"price", 1.5}}};
    c.command_id = "same";
    auto a = from_file.handler.handle(c);
    auto b = from_cpp.handle(c);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->events == b->events);
    CHECK(a->state == b->state);
    c = command{"Item", "UpdatePrice", a->stream.id, {{"price", 1.5}}};
    auto ea = from_file.handler.handle(c);
    auto eb = from_cpp.handle(c);
    REQUIRE_FALSE(ea);
    REQUIRE_FALSE(eb);
    CHECK(ea.error().fields == eb.error().fields);
}

TEST_CASE("builder problems carry the pointers a domain file would have", "[core][domain]") {
    domain_builder b("bad");
    b.entity("Item")
        .initial_state(json::array())
        .command("Create", command_kind::create, "Created", json{{"type", "float"}})
        .command("Create", command_kind::create, "Created", json::object())
        .command("Ship", command_kind::update, "bad type!", json::object())
        .on("Created", reducer_step::set(""))
        .on("Created", reducer_step::set("/ok"));
    b.receivers().on_post_save({.entity = "Nope"}, [](const event&) {});
    auto d = b.build();
    REQUIRE_FALSE(d);
    CHECK(d.error().code == errc::invalid_domain);
    CHECK(pointers(d.error()) == std::vector<std::string>{
                                     "/entities/Item/commands/Create",
                                     "/entities/Item/reducer/on_Created/0/path",
                                     "/entities/Item/initial_state",
                                     "/entities/Item/commands/Create/schema/type",
                                     "/entities/Item/commands/Ship/event",
                                     "/receivers/post_save/0/entity",
                                 });
    CHECK_THAT(d.error().message, Catch::Contains("6 problems"));
    CHECK_FALSE(domain_builder("empty").build());
}

TEST_CASE("domain lookups name what exists", "[core][domain]") {
    auto d = item_in_cpp();
    CHECK(d->command("Item", "CreateItem"));
    auto e = d->command("Basket", "X");
    REQUIRE_FALSE(e);
    CHECK(pointers(e.error()) == std::vector<std::string>{"/entity"});
    auto c = d->command("Item", "X");
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error().fields[0].reason, Catch::Contains("CreateItem, UpdatePrice"));
}

// Covers issue 2 ("Tests"): the seed's behaviours on its shop domain (scenarios/shop/domain.json)
// through the command handler and an in-memory store, written fresh.
#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

#include "esser/core/aggregate_repository.hpp"

using namespace esser::core;
using esser::testing::pointers;
using esser::testing::shop_fixture;
using nlohmann::json;

TEST_CASE("CreateItem gives the state and version 1", "[core][shop]") {
    shop_fixture f;
    auto r = f.send("Item", "CreateItem", "", {{"name", "Yummy Choc"}, {"price", 10.5}},
                    expected_version::any(), "cmd-1");
    REQUIRE(r);
    CHECK(r->version == 1);
    CHECK(r->state == json{{"name", "Yummy Choc"}, {"price", 10.5}, {"latest_version", 1}});
    REQUIRE(r->events.size() == 1);
    const event& e = r->events[0];
    CHECK(e.type == "ItemCreated");
    CHECK(e.version == 1);
    CHECK(e.data == json{{"name", "Yummy Choc"}, {"price", 10.5}});
    CHECK(e.meta.command_id == "cmd-1");
    CHECK(e.meta.correlation_id == "cmd-1");
    CHECK(e.at == "2024-01-01T00:00:00.000Z");
    // The id derives from the command id (uuid5), so a retried create finds its stream.
    CHECK(r->stream.id == "1bc5d0b2-1f94-5ee8-9522-22c5172edc0b");
    CHECK(f.store.read(r->stream).value() == r->events);
}

TEST_CASE("UpdatePrice gives version 2", "[core][shop]") {
    shop_fixture f;
    const auto id = f.create_item();
    auto r = f.send("Item", "UpdatePrice", id, {{"price", 12.5}});
    REQUIRE(r);
    CHECK(r->version == 2);
    CHECK(r->state == json{{"name", "Yummy Choc"}, {"price", 12.5}, {"latest_version", 2}});
    CHECK(r->events.at(0).type == "PriceUpdated");
}

TEST_CASE("updating to the same price is a validation error naming /price", "[core][shop]") {
    shop_fixture f;
    const auto id = f.create_item("Yummy Choc", 10.5);
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 12.5}}));
    auto r = f.send("Item", "UpdatePrice", id, {{"price", 12.5}});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::validation);
    REQUIRE(pointers(r.error()) == std::vector<std::string>{"/price"});
    CHECK_THAT(r.error().fields[0].reason, Catch::Contains("already has the value 12.5"));
    CHECK(f.store.last_version({"Item", id}).value() == 2);
    // The integer 12 vs 12.0 in the state: the same number, also refused.
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 12}}));
    CHECK_FALSE(f.send("Item", "UpdatePrice", id, {{"price", 12.0}}));
}

TEST_CASE("after DeleteItem every command is refused", "[core][shop]") {
    shop_fixture f;
    const auto id = f.create_item();
    auto del = f.send("Item", "DeleteItem", id, {{"deleted_by", "alice"}});
    REQUIRE(del);
    CHECK(del->version == 2);
    CHECK(del->state["deleted"] == true);
    CHECK(del->state["deleted_by"] == "alice");
    for (auto [name, data] : {std::pair{"UpdatePrice", json{{"price", 1}}},
                              std::pair{"AddColors", json{{"colors", {"blue"}}}},
                              std::pair{"DeleteItem", json{{"deleted_by", "bob"}}}}) {
        INFO(name);
        auto r = f.send("Item", name, id, data);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::aggregate_deleted);
    }
    CHECK(f.store.last_version({"Item", id}).value() == 2);
}

TEST_CASE("a string price and an unknown field are rejected", "[core][shop]") {
    shop_fixture f;
    SECTION("string price") {
        auto r = f.send("Item", "CreateItem", "", {{"name", "x"}, {"price", "12.5"}});
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::validation);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/price"});
        CHECK(r.error().fields[0].reason == "must be of type number, not string");
    }
    SECTION("unknown field") {
        auto r = f.send("Item", "CreateItem", "", {{"name", "x"}, {"price", 1}, {"colour", "red"}});
        REQUIRE_FALSE(r);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/colour"});
        CHECK(r.error().fields[0].reason == "is not allowed (unknown field)");
    }
    SECTION("both, and a missing name, in one error") {
        auto r = f.send("Item", "CreateItem", "", {{"price", "1"}, {"colour", "red"}});
        REQUIRE_FALSE(r);
        CHECK(pointers(r.error()) == std::vector<std::string>{"/colour", "/name", "/price"});
    }
    CHECK(f.store.all_events().empty());
}

TEST_CASE("a second create with the same id is a conflict", "[core][shop]") {
    shop_fixture f;
    REQUIRE(f.send("Item", "CreateItem", "item-1", {{"name", "a"}, {"price", 1}}));
    auto r = f.send("Item", "CreateItem", "item-1", {{"name", "b"}, {"price", 2}});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::version_conflict);
    CHECK_THAT(r.error().message, Catch::Contains("already exists"));
    CHECK(f.store.read({"Item", "item-1"}).value().size() == 1);
}

TEST_CASE("AddColors keeps a set of the allowed colors", "[core][shop]") {
    shop_fixture f;
    const auto id = f.create_item();
    REQUIRE(f.send("Item", "AddColors", id, {{"colors", {"orange", "black"}}}));
    auto r = f.send("Item", "AddColors", id, {{"colors", {"black", "blue"}}});
    REQUIRE(r);
    CHECK(r->state["colors"] == json{"orange", "black", "blue"});
    auto bad = f.send("Item", "AddColors", id, {{"colors", {"red", "green", "green"}}});
    REQUIRE_FALSE(bad);
    CHECK(pointers(bad.error()) == std::vector<std::string>{"/colors", "/colors/0"});
    CHECK_THAT(bad.error().fields[1].reason, Catch::Contains("orange, black, white, blue, green"));
}

TEST_CASE("a basket is composed of items", "[core][shop]") {
    shop_fixture f;
    const auto choc = f.create_item("Choc", 2.5);
    const auto donut = f.create_item("Donut", 5.5);
    auto basket = f.send("Basket", "CreateBasket", "", {{"name", "weekly"}});
    REQUIRE(basket);
    const auto id = basket->stream.id;
    CHECK(basket->state ==
          json{{"name", "weekly"}, {"items", json::array()}, {"latest_version", 1}});
    REQUIRE(f.send("Basket", "AddItem", id, {{"item_id", choc}}));
    auto r = f.send("Basket", "AddItem", id, {{"item_id", donut}});
    REQUIRE(r);
    CHECK(r->state["items"] == json{choc, donut});
    SECTION("plain AddItem does not check the item") {
        CHECK(f.send("Basket", "AddItem", id, {{"item_id", "no-such-item"}}));
    }
    SECTION("with existence validation, unknown and deleted items are refused") {
        auto missing =
            f.send("Basket", "AddItemWithExistenceValidation", id, {{"item_id", "nope"}});
        REQUIRE_FALSE(missing);
        CHECK(missing.error().code == errc::validation);
        CHECK(pointers(missing.error()) == std::vector<std::string>{"/item_id"});
        CHECK(missing.error().fields[0].reason == "no Item with id 'nope' exists");
        REQUIRE(f.send("Item", "DeleteItem", donut, {{"deleted_by", "x"}}));
        auto deleted = f.send("Basket", "AddItemWithExistenceValidation", id, {{"item_id", donut}});
        REQUIRE_FALSE(deleted);
        CHECK_THAT(deleted.error().fields[0].reason, Catch::Contains("was deleted"));
        auto ok = f.send("Basket", "AddItemWithExistenceValidation", id, {{"item_id", choc}});
        REQUIRE(ok);
        CHECK(ok->state["items"] == json{choc, donut, choc});
    }
}

TEST_CASE("AddItemWithProjection stores the item's state in the event", "[core][shop]") {
    shop_fixture f;
    const auto choc = f.create_item("Choc", 2.5);
    REQUIRE(f.send("Item", "UpdatePrice", choc, {{"price", 3}}));
    const auto id = f.send("Basket", "CreateBasket", "", json::object()).value().stream.id;
    auto r = f.send("Basket", "AddItemWithProjection", id, {{"item_id", choc}});
    REQUIRE(r);
    const json projected = {{"id", choc}, {"name", "Choc"}, {"price", 3}, {"latest_version", 2}};
    CHECK(r->events.at(0).type == "ItemAddedWithProjection");
    CHECK(r->events.at(0).data == json{{"item_id", projected}});
    CHECK(r->state["items"] == json::array({projected}));
    // The event is a fact: later item changes do not alter the basket's history.
    REQUIRE(f.send("Item", "UpdatePrice", choc, {{"price", 4}}));
    aggregate_repository repo(f.domain, f.store);
    CHECK(repo.load({"Basket", id}).value().state["items"][0]["price"] == 3);
    auto missing = f.send("Basket", "AddItemWithProjection", id, {{"item_id", "nope"}});
    REQUIRE_FALSE(missing);
    CHECK(pointers(missing.error()) == std::vector<std::string>{"/item_id"});
}

TEST_CASE("state_at(2) after three events is the state after the second", "[core][shop]") {
    shop_fixture f;
    const auto id = f.create_item("Yummy Choc", 10.5);
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 12.5}}));
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 14.5}}));
    aggregate_repository repo(f.domain, f.store);
    CHECK(repo.state_at({"Item", id}, 2).value() ==
          json{{"name", "Yummy Choc"}, {"price", 12.5}, {"latest_version", 2}});
    CHECK(repo.state_at({"Item", id}, 3).value()["price"] == 14.5);
    CHECK(repo.state_at({"Item", id}, 0).value() == json::object());
    auto beyond = repo.state_at({"Item", id}, 4);
    REQUIRE_FALSE(beyond);
    CHECK(beyond.error().code == errc::not_found);
}

TEST_CASE("loading with and without snapshots gives identical state", "[core][shop]") {
    shop_fixture f;  // the shop snapshots every 50 events
    const auto id = f.create_item("Choc", 0);
    for (int i = 1; i <= 120; ++i) {
        REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", i}}));
        if (i % 7 == 0)
            REQUIRE(f.send("Item", "AddColors", id, {{"colors", {i % 2 ? "blue" : "green"}}}));
    }
    const stream_id s{"Item", id};
    aggregate_repository repo(f.domain, f.store);
    f.store.reset_counters();
    auto with = repo.load(s);
    REQUIRE(with);
    CHECK(f.store.load_snapshot(s).value().value().version == 100);
    CHECK(f.store.events_read() == with->version - 100);
    f.store.drop_snapshot(s);
    auto without = repo.load(s);
    REQUIRE(without);
    CHECK(with->version == without->version);
    CHECK(with->state == without->state);
    CHECK(with->state["price"] == 120);
    CHECK(with->state["colors"] == json{"blue", "green"});
}

TEST_CASE("12+ events fold in numeric version order", "[core][shop]") {
    shop_fixture f;
    const auto id = f.create_item("Choc", 0);
    for (int i = 1; i <= 14; ++i) REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", i * 10}}));
    aggregate_repository repo(f.domain, f.store);
    auto a = repo.load({"Item", id});
    REQUIRE(a);
    CHECK(a->version == 15);
    CHECK(a->state["price"] == 140);  // "10" sorting before "2" would end at a lower price
    CHECK(repo.state_at({"Item", id}, 10).value()["price"] == 90);
    CHECK(repo.state_at({"Item", id}, 2).value()["price"] == 10);
}

// Covers issue 2 (shared codecs): events and snapshots as DynamoDB items in DESIGN.md's layout,
// read back exactly; malformed items are typed errors naming every bad attribute.
#include "esser/core/event_item.hpp"

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::core;
using nlohmann::json;

namespace {
event sample() {
    return event{"Item",
                 "3f2a",
                 12,
                 "PriceUpdated",
                 json{{"price", 12.5}, {"tags", json::array({"a", "b"})}},
                 {"e-1", "c-1", "corr-1", "c-1"},
                 "2024-01-01T00:00:00.000Z"};
}
}  // namespace

TEST_CASE("an event becomes the DESIGN.md events-table item", "[core][event_item]") {
    auto item = event_to_item(sample());
    REQUIRE(item);
    const json expected = json::parse(R"({
      "pk": {"S": "Item#3f2a"}, "v": {"N": "12"}, "entity": {"S": "Item"}, "id": {"S": "3f2a"},
      "type": {"S": "PriceUpdated"},
      "data": {"M": {"price": {"N": "12.5"}, "tags": {"L": [{"S": "a"}, {"S": "b"}]}}},
      "meta": {"M": {"event_id": {"S": "e-1"}, "command_id": {"S": "c-1"},
                     "correlation_id": {"S": "corr-1"}, "causation_id": {"S": "c-1"}}},
      "at": {"S": "2024-01-01T00:00:00.000Z"}})");
    CHECK(*item == expected);
    auto back = event_from_item(*item);
    REQUIRE(back);
    CHECK(*back == sample());
    CHECK(event_item_key({"Item", "3f2a"}, 12) ==
          json{{"pk", {{"S", "Item#3f2a"}}}, {"v", {{"N", "12"}}}});
}

TEST_CASE("event_from_item lists every malformed attribute", "[core][event_item]") {
    auto item = event_to_item(sample()).value();
    item["v"] = json{{"N", "ten"}};
    item.erase("type");
    item["entity"] = json{{"N", "1"}};
    item["data"]["M"]["price"] = json{{"N", "0.1000000000000000000001"}};
    auto r = event_from_item(item);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::parse_error);
    CHECK(esser::testing::pointers(r.error()) ==
          std::vector<std::string>{"/v", "/entity", "/type", "/data/price"});
    SECTION("version zero and pk/entity disagreement") {
        auto i2 = event_to_item(sample()).value();
        i2["v"] = json{{"N", "0"}};
        i2["pk"] = json{{"S", "Basket#3f2a"}};
        auto r2 = event_from_item(i2);
        REQUIRE_FALSE(r2);
        CHECK(esser::testing::pointers(r2.error()) == std::vector<std::string>{"/v", "/pk"});
    }
    CHECK_FALSE(event_from_item(json::array()));
    CHECK_FALSE(event_from_item(json{{"pk", "Item#1"}}));
}

TEST_CASE("a snapshot becomes a snapshots-table item and back", "[core][event_item]") {
    snapshot s{{"Item", "a#b"},
               100,
               json{{"price", 3.25}, {"latest_version", 100}},
               "2024-01-01T00:00:00.000Z",
               {{"c-1", 98, 99}, {"c-2", 100, 100}}};
    auto item = snapshot_to_item(s);
    REQUIRE(item);
    CHECK((*item)["pk"] == json{{"S", "Item#a#b"}});
    CHECK((*item)["v"] == json{{"N", "100"}});
    CHECK((*item)["commands"]["L"][0]["M"]["first"] == json{{"N", "98"}});
    auto back = snapshot_from_item(*item);
    REQUIRE(back);
    CHECK(*back == s);
    SECTION("without recent commands there is no commands attribute") {
        s.recent_commands.clear();
        auto i2 = snapshot_to_item(s).value();
        CHECK_FALSE(i2.contains("commands"));
        CHECK(snapshot_from_item(i2).value() == s);
    }
    SECTION("malformed snapshot items") {
        auto bad = *item;
        bad["state"] = json{{"S", "x"}};
        bad["commands"]["L"][1]["M"].erase("id");
        bad["pk"] = json{{"S", "nohash"}};
        auto r = snapshot_from_item(bad);
        REQUIRE_FALSE(r);
        CHECK(esser::testing::pointers(r.error()) ==
              std::vector<std::string>{"/state", "/pk", "/commands/1/id"});
    }
}

TEST_CASE("stream keys split at the first '#'", "[core][event_item]") {
    CHECK(parse_stream_key("Item#a#b").value() == stream_id{"Item", "a#b"});
    CHECK_FALSE(parse_stream_key("Item"));
    CHECK_FALSE(parse_stream_key("#a"));
    CHECK_FALSE(parse_stream_key("Item#"));
}

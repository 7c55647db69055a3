// Issue 3: dynamodb_event_store over the in-process emulator: the event_store contract suite
// (tests/core/event_store_contract.hpp) plus what is specific to DynamoDB: the item layout of
// DESIGN.md, the requests it sends, conflicts mapped from DynamoDB's errors, the stream records
// its appends produce.
#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"

#include "core/event_store_contract.hpp"
#include "observed_store.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/table_observer.hpp"

using namespace esser;
using esser::testing::contract::make_event;
using esser::testing::contract::make_events;
using nlohmann::json;

ESSER_EVENT_STORE_CONTRACT_TESTS(
    "dynamodb_event_store", "[adapters][dynamodb][dynamodb_event_store]",
    [] { return std::make_unique<esser::testing::observed_dynamodb_store>(); })

namespace {

// A transport that records what the store sends.
struct recording_transport final : adapters::dynamodb_transport {
    std::shared_ptr<adapters::dynamodb_transport> inner;
    std::vector<std::pair<std::string, json>> calls;

    adapters::aws_result call(std::string_view op, const json& request) override {
        calls.emplace_back(std::string(op), request);
        return inner->call(op, request);
    }
};

struct counting_observer final : emulator::table_observer {
    std::vector<json> new_images;

    emulator::stream_identity stream_enabled(std::string_view, const std::string& arn,
                                             const emulator::key_schema&,
                                             emulator::stream_view_type,
                                             core::time_point) override {
        return {arn + "/stream/x", "x"};
    }

    void stream_disabled(std::string_view, core::time_point) override {}

    void item_changed(const emulator::item_change& c) override {
        if (c.new_image)
            new_images.push_back(emulator::to_json(*c.new_image));
    }
};

}  // namespace

TEST_CASE("dynamodb_event_store writes DESIGN.md's item layout with conditional puts",
          "[adapters][dynamodb][dynamodb_event_store]") {
    auto transport = std::make_shared<recording_transport>();
    transport->inner = esser::testing::fresh_emulator();
    adapters::dynamodb_event_store store(transport);
    const core::stream_id s{"Item", "a1"};
    REQUIRE(store.append(s, {make_event("Item", "a1", 1, {{"price", 10.5}})}).value() == 1);
    REQUIRE(transport->calls.back().first == "PutItem");
    const json& put = transport->calls.back().second;
    CHECK(put["ConditionExpression"] == "attribute_not_exists(pk)");
    CHECK(put["Item"]["pk"] == json{{"S", "Item#a1"}});
    CHECK(put["Item"]["v"] == json{{"N", "1"}});
    CHECK(put["Item"]["data"]["M"]["price"] == json{{"N", "10.5"}});
    // Several events: one TransactWriteItems of conditional puts.
    REQUIRE(store.append(s, make_events("Item", "a1", 2, 4)).value() == 4);
    REQUIRE(transport->calls.back().first == "TransactWriteItems");
    CHECK(transport->calls.back().second["TransactItems"].size() == 3);
    CHECK(transport->calls.back().second["TransactItems"][2]["Put"]["ConditionExpression"] ==
          "attribute_not_exists(pk)");
    // Reads are one consistent Query in version order.
    transport->calls.clear();
    CHECK(testing::contract::versions(store.read(s, 1, 3).value()) ==
          std::vector<std::uint64_t>{2, 3});
    REQUIRE(transport->calls.size() == 1);
    CHECK(transport->calls[0].second["KeyConditionExpression"] ==
          "pk = :pk AND v BETWEEN :lo AND :hi");
    CHECK(transport->calls[0].second["ConsistentRead"] == true);
    CHECK(store.last_version(s).value() == 4);
}

TEST_CASE("dynamodb_event_store maps DynamoDB's conflicts to version_conflict and writes nothing",
          "[adapters][dynamodb][dynamodb_event_store]") {
    esser::testing::observed_dynamodb_store store;
    const core::stream_id s{"Item", "a1"};
    REQUIRE(store.append(s, make_events("Item", "a1", 1, 3)));
    auto one = store.append(s, {make_event("Item", "a1", 3)});
    REQUIRE_FALSE(one);
    CHECK(one.error().code == core::errc::version_conflict);
    CHECK(one.error().type == "ConditionalCheckFailedException");
    auto many = store.append(s, make_events("Item", "a1", 3, 5));
    REQUIRE_FALSE(many);
    CHECK(many.error().code == core::errc::version_conflict);
    CHECK(many.error().type == "TransactionCanceledException");
    CHECK(store.last_version(s).value() == 3);
    auto too_many = store.append(s, make_events("Item", "a1", 4, 104));
    REQUIRE_FALSE(too_many);
    CHECK(too_many.error().code == core::errc::invalid_argument);
    CHECK(store.last_version(s).value() == 3);
}

TEST_CASE("dynamodb_event_store appends reach the stream as NEW_IMAGE records",
          "[adapters][dynamodb][dynamodb_event_store]") {
    esser::testing::observed_dynamodb_store store;
    counting_observer obs;
    store.engine().set_observer(&obs);
    const core::stream_id s{"Basket", "b1"};
    REQUIRE(store.append(s, make_events("Basket", "b1", 1, 12)));
    REQUIRE(obs.new_images.size() == 12);
    CHECK(core::event_from_item(obs.new_images[11]).value().version == 12);
    store.engine().set_observer(nullptr);
}

// Issue 3: dynamodb_client builds DynamoDB's wire requests and reads the responses, over the
// emulator's in-process transport.
#include "esser/adapters/dynamodb/dynamodb_client.hpp"

#include <catch2/catch.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/in_process_transport.hpp"

using namespace esser;
using nlohmann::json;

namespace {
struct client_fixture {
    std::shared_ptr<emulator::dynamo_engine> engine = [] {
        emulator::dynamo_engine::options o;
        o.clock = std::make_shared<core::manual_clock>();
        o.ids = std::make_shared<core::seeded_id_source>(1);
        return std::make_shared<emulator::dynamo_engine>(o);
    }();
    adapters::dynamodb_client db{std::make_shared<emulator::in_process_transport>(engine)};

    client_fixture() {
        auto r = db.create_table(
            {{"TableName", "things"},
             {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
             {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
             {"BillingMode", "PAY_PER_REQUEST"}});
        REQUIRE(r.has_value());
    }
};

json S(const std::string& s) {
    return {{"S", s}};
}
}  // namespace

TEST_CASE_METHOD(client_fixture, "the client puts, gets and deletes items",
                 "[adapters][dynamodb][dynamodb_client]") {
    auto put = db.put_item({.table = "things", .item = {{"pk", S("a")}, {"x", {{"N", "1"}}}}});
    REQUIRE(put.has_value());
    CHECK_FALSE(put->has_value());
    auto old = db.put_item({.table = "things",
                            .item = {{"pk", S("a")}, {"x", {{"N", "2"}}}},
                            .return_old_item = true});
    REQUIRE(old.has_value());
    CHECK((**old)["x"] == json{{"N", "1"}});
    auto got = db.get_item({.table = "things", .key = {{"pk", S("a")}}});
    REQUIRE(got.has_value());
    CHECK((**got)["x"] == json{{"N", "2"}});
    REQUIRE(db.delete_item({.table = "things", .key = {{"pk", S("a")}}}).has_value());
    CHECK_FALSE(db.get_item({.table = "things", .key = {{"pk", S("a")}}})->has_value());
}

TEST_CASE_METHOD(client_fixture, "the client passes AWS errors through unchanged",
                 "[adapters][dynamodb][dynamodb_client]") {
    auto r = db.get_item({.table = "missing", .key = {{"pk", S("a")}}});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().type == "ResourceNotFoundException");
    CHECK(adapters::to_core_error(r.error()).code == core::errc::not_found);
    auto t = db.transact_write({{.table = "things", .item = {{"pk", {{"N", "1"}}}}}});
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().type == "TransactionCanceledException");
    CHECK(t.error().extra["CancellationReasons"][0]["Code"] == "ValidationError");
    // An existing table counts as created.
    auto again = db.create_table(
        {{"TableName", "things"},
         {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
         {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
         {"BillingMode", "PAY_PER_REQUEST"}});
    REQUIRE(again.has_value());
    CHECK(again->is_null());
}

TEST_CASE_METHOD(client_fixture, "transact_write applies several puts atomically",
                 "[adapters][dynamodb][dynamodb_client]") {
    std::vector<adapters::transact_write_action> actions;
    for (const char* k : {"a", "b", "c"})
        actions.push_back({.table = "things", .item = {{"pk", S(k)}}});
    REQUIRE(db.transact_write(actions, "token-1").has_value());
    for (const char* k : {"a", "b", "c"})
        CHECK(db.get_item({.table = "things", .key = {{"pk", S(k)}}})->has_value());
}

TEST_CASE("the client builds DynamoDB's request bodies", "[adapters][dynamodb][dynamodb_client]") {
    adapters::query_request q;
    q.table = "events";
    q.key_condition = "pk = :pk";
    q.placeholders.values = {{":pk", S("Item#1")}};
    q.forward = false;
    q.limit = 1;
    CHECK(adapters::dynamodb_client::query_body(q) ==
          json{{"TableName", "events"},
               {"KeyConditionExpression", "pk = :pk"},
               {"ExpressionAttributeValues", {{":pk", S("Item#1")}}},
               {"ScanIndexForward", false},
               {"ConsistentRead", true},
               {"Limit", 1}});
    adapters::transact_write_action a{
        .table = "events", .item = {{"pk", S("x")}}, .condition = "attribute_not_exists(pk)"};
    CHECK(adapters::dynamodb_client::transact_write_body({a}, std::nullopt) ==
          json{{"TransactItems",
                {{{"Put",
                   {{"TableName", "events"},
                    {"Item", {{"pk", S("x")}}},
                    {"ConditionExpression", "attribute_not_exists(pk)"}}}}}}});
}

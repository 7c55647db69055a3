// Issue 10: the production transport against an independent DynamoDB implementation, dynalite
// (npm; its behaviour and messages were recorded against AWS). Covers what the event store
// needs from the wire: table creation, conditional puts (a conflict comes back typed and is not
// retried), reads, numeric sort-key order in queries, canonical numbers, AWS's own validation
// and not-found errors, dynalite's x-amz-crc32 checked by our CRC code, and keep-alive reuse.
// Installs dynalite under the build tree on first use; skips loudly only if npm is unreachable.
#include "adapters/support/dynalite_server.hpp"
#include <catch2/catch.hpp>

#include "esser/adapters/dynamodb/http_transport.hpp"

using namespace esser::adapters;
using esser::testing::dynalite_server;
using nlohmann::json;

namespace {

std::unique_ptr<http_transport> transport_to(const dynalite_server& d) {
    http_transport_options o;
    o.region = "us-east-1";
    o.dynamodb_endpoint = *url::parse(d.url());
    o.creds = {"AKIDLOCAL", "local-secret", ""};
    o.sleep = [](std::chrono::nanoseconds) {};
    auto t = http_transport::create(o);
    REQUIRE(t);
    return std::move(*t);
}

json event_item(const std::string& pk, int v) {
    return {{"pk", {{"S", pk}}},
            {"v", {{"N", std::to_string(v)}}},
            {"type", {{"S", "ItemAdded"}}},
            {"data", {{"M", {{"qty", {{"N", "1.50"}}}}}}}};
}

}  // namespace

TEST_CASE("http_transport works against dynalite as an event store needs",
          "[adapters][http_transport][dynalite]") {
    std::string skip;
    auto dynalite = dynalite_server::start(skip);
    if (!dynalite) {
        WARN("SKIPPED (loudly): " << skip);
        return;
    }
    auto t = transport_to(*dynalite);

    auto created = t->call("CreateTable", {{"TableName", "events"},
                                           {"KeySchema",
                                            {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                             {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                                           {"AttributeDefinitions",
                                            {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                             {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
                                           {"BillingMode", "PAY_PER_REQUEST"}});
    INFO((created ? created->dump() : created.error().type + ": " + created.error().message));
    REQUIRE(created);
    bool active = false;
    for (int i = 0; i < 100 && !active; ++i) {  // createTableMs is 0: active at once or nearly
        auto d = t->call("DescribeTable", {{"TableName", "events"}});
        REQUIRE(d);
        active = (*d)["Table"]["TableStatus"] == "ACTIVE";
    }
    REQUIRE(active);

    // Appends are conditional puts; versions 1, 2 and 10 (a string sort key would put 10 first).
    for (int v : {1, 2, 10}) {
        auto put = t->call("PutItem", {{"TableName", "events"},
                                       {"Item", event_item("Basket#1", v)},
                                       {"ConditionExpression", "attribute_not_exists(pk)"}});
        INFO(v << ": " << (put ? put->dump() : put.error().message));
        REQUIRE(put);
    }
    const auto before = t->stats();
    auto conflict = t->call("PutItem", {{"TableName", "events"},
                                        {"Item", event_item("Basket#1", 2)},
                                        {"ConditionExpression", "attribute_not_exists(pk)"}});
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().type == "ConditionalCheckFailedException");
    CHECK(conflict.error().message == "The conditional request failed");
    CHECK(to_core_error(conflict.error()).code == esser::core::errc::version_conflict);
    CHECK(t->stats().attempts == before.attempts + 1);  // not retried

    auto q = t->call("Query", {{"TableName", "events"},
                               {"KeyConditionExpression", "pk = :p AND v > :after"},
                               {"ExpressionAttributeValues",
                                {{":p", {{"S", "Basket#1"}}}, {":after", {{"N", "1"}}}}},
                               {"ConsistentRead", true}});
    REQUIRE(q);
    REQUIRE((*q)["Items"].size() == 2);
    CHECK((*q)["Items"][0]["v"]["N"] == "2");
    CHECK((*q)["Items"][1]["v"]["N"] == "10");
    // Numbers come back in canonical form, as from AWS (spec §2.2): "1.50" was stored.
    CHECK((*q)["Items"][1]["data"]["M"]["qty"]["N"] == "1.5");

    auto got = t->call("GetItem", {{"TableName", "events"},
                                   {"Key", {{"pk", {{"S", "Basket#1"}}}, {"v", {{"N", "1"}}}}}});
    REQUIRE(got);
    json expected = event_item("Basket#1", 1);
    expected["data"]["M"]["qty"]["N"] = "1.5";
    CHECK((*got)["Item"] == expected);

    // AWS's own errors, parsed from the wire.
    auto missing = t->call(
        "GetItem", {{"TableName", "nope"}, {"Key", {{"pk", {{"S", "a"}}}, {"v", {{"N", "1"}}}}}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().type == "ResourceNotFoundException");
    CHECK(missing.error().message == "Requested resource not found");
    auto invalid = t->call("GetItem", {{"TableName", "x"}, {"Key", json::object()}});
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().type == "ValidationException");
    CHECK(invalid.error().message.find("failed to satisfy constraint") != std::string::npos);

    // dynalite sends x-amz-crc32 on every response: all of them checked, none retried; and
    // every call went over the one keep-alive connection.
    const auto s = t->stats();
    CHECK(s.retries == 0);
    CHECK(s.dynamodb.connections_opened == 1);
    CHECK(s.dynamodb.requests == s.attempts);
}

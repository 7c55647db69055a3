// Covers issue 9, "Emulator persistence": with a sqlite_state_store attached, everything the
// engine and the streams hold comes back after a restart on the same database (tables with
// indexes, TTL and tags, items, streams with their shard lineage and records, sequence numbers
// that keep rising), deleted tables stay deleted, concurrent writers lose nothing (group
// commit), and a database that is not ours, or of another schema version, is refused untouched.
#include "esser/emulator/persist/sqlite_state_store.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "emulator/persist/persist_test_support.hpp"
#include <catch2/catch.hpp>
#include <sqlite3.h>

using namespace esser;
using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

json S_(const std::string& s) {
    return json{{"S", s}};
}

json N_(const std::string& n) {
    return json{{"N", n}};
}

json orders_table() {
    return {{"TableName", "Orders"},
            {"AttributeDefinitions",
             json::array({{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                          {{"AttributeName", "sk"}, {"AttributeType", "N"}},
                          {{"AttributeName", "status"}, {"AttributeType", "S"}}})},
            {"KeySchema", json::array({{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                       {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}})},
            {"GlobalSecondaryIndexes",
             json::array(
                 {{{"IndexName", "by_status"},
                   {"KeySchema", json::array({{{"AttributeName", "status"}, {"KeyType", "HASH"}}})},
                   {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}})},
            {"BillingMode", "PAY_PER_REQUEST"},
            {"StreamSpecification",
             {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}},
            {"Tags", json::array({{{"Key", "team"}, {"Value", "shop"}}})}};
}

json order(const std::string& pk, int sk, const std::string& status) {
    return {{"pk", S_(pk)}, {"sk", N_(std::to_string(sk))}, {"status", S_(status)}};
}

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("tables, items and streams come back after a restart on the same database",
          "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<core::manual_clock>();
    json described, items, by_status, tags, ttl, stream, plain_items;
    std::vector<json> records;
    std::string arn;
    {
        node n(dir.db(), clock, 1);
        arn = n.db("CreateTable", orders_table())["TableDescription"]["LatestStreamArn"];
        n.db("UpdateTimeToLive",
             {{"TableName", "Orders"},
              {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "expires"}}}});
        n.db("PutItem", {{"TableName", "Orders"}, {"Item", order("a", 1, "open")}});
        n.db("PutItem", {{"TableName", "Orders"}, {"Item", order("a", 2, "open")}});
        n.db("UpdateItem", {{"TableName", "Orders"},
                            {"Key", {{"pk", S_("a")}, {"sk", N_("1")}}},
                            {"UpdateExpression", "SET #s = :s"},
                            {"ExpressionAttributeNames", {{"#s", "status"}}},
                            {"ExpressionAttributeValues", {{":s", S_("paid")}}}});
        n.db("DeleteItem", {{"TableName", "Orders"}, {"Key", {{"pk", S_("a")}, {"sk", N_("2")}}}});
        n.db("TransactWriteItems",
             {{"TransactItems",
               json::array(
                   {{{"Put", {{"TableName", "Orders"}, {"Item", order("b", 1, "open")}}}},
                    {{"Put", {{"TableName", "Orders"}, {"Item", order("c", 1, "open")}}}}})}});
        // A second generation of shards (lineage), then writes on the children.
        REQUIRE(n.registry.rotate("Orders"));
        clock->advance(2s);
        n.db("BatchWriteItem",
             {{"RequestItems",
               {{"Orders", json::array({{{"PutRequest", {{"Item", order("d", 1, "open")}}}},
                                        {{"DeleteRequest",
                                          {{"Key", {{"pk", S_("c")}, {"sk", N_("1")}}}}}}})}}}});
        // A table without a stream, and one deleted (it must stay deleted).
        n.db("CreateTable",
             {{"TableName", "Plain"},
              {"AttributeDefinitions",
               json::array({{{"AttributeName", "id"}, {"AttributeType", "B"}}})},
              {"KeySchema", json::array({{{"AttributeName", "id"}, {"KeyType", "HASH"}}})},
              {"BillingMode", "PAY_PER_REQUEST"}});
        n.db("PutItem",
             {{"TableName", "Plain"}, {"Item", {{"id", {{"B", "AAE="}}}, {"n", N_("-1.50")}}}});
        n.db("CreateTable",
             {{"TableName", "Gone"},
              {"AttributeDefinitions",
               json::array({{{"AttributeName", "id"}, {"AttributeType", "S"}}})},
              {"KeySchema", json::array({{{"AttributeName", "id"}, {"KeyType", "HASH"}}})},
              {"BillingMode", "PAY_PER_REQUEST"}});
        n.db("PutItem", {{"TableName", "Gone"}, {"Item", {{"id", S_("x")}}}});
        n.db("DeleteTable", {{"TableName", "Gone"}});

        described = n.db("DescribeTable", {{"TableName", "Orders"}});
        items = n.scan("Orders");
        plain_items = n.scan("Plain");
        by_status = n.db("Query", {{"TableName", "Orders"},
                                   {"IndexName", "by_status"},
                                   {"KeyConditionExpression", "#s = :s"},
                                   {"ExpressionAttributeNames", {{"#s", "status"}}},
                                   {"ExpressionAttributeValues", {{":s", S_("open")}}}})["Items"];
        tags = n.db("ListTagsOfResource", {{"ResourceArn", described["Table"]["TableArn"]}});
        ttl = n.db("DescribeTimeToLive", {{"TableName", "Orders"}});
        stream = n.streams("DescribeStream", {{"StreamArn", arn}});
        records = n.records(arn);
        REQUIRE(records.size() == 8);
        REQUIRE(stream["StreamDescription"]["Shards"].size() == 2);
    }
    node n(dir.db(), clock, 2);
    CHECK(n.restored.tables == 2);
    CHECK(n.restored.items == 4);
    CHECK(n.restored.records == 8);
    CHECK(n.db("DescribeTable", {{"TableName", "Orders"}}) == described);
    CHECK(n.scan("Orders") == items);
    CHECK(n.scan("Plain") == plain_items);
    CHECK(n.db("Query", {{"TableName", "Orders"},
                         {"IndexName", "by_status"},
                         {"KeyConditionExpression", "#s = :s"},
                         {"ExpressionAttributeNames", {{"#s", "status"}}},
                         {"ExpressionAttributeValues", {{":s", S_("open")}}}})["Items"] ==
          by_status);
    CHECK(n.db("ListTagsOfResource", {{"ResourceArn", described["Table"]["TableArn"]}}) == tags);
    CHECK(n.db("DescribeTimeToLive", {{"TableName", "Orders"}}) == ttl);
    CHECK(n.db("ListTables", json::object())["TableNames"] == json::array({"Orders", "Plain"}));
    CHECK(n.streams("DescribeStream", {{"StreamArn", arn}}) == stream);
    CHECK(n.records(arn) == records);

    // Writes carry on in the same stream, on the open shard, with higher sequence numbers.
    n.db("PutItem", {{"TableName", "Orders"}, {"Item", order("e", 1, "open")}});
    const auto after = n.records(arn);
    REQUIRE(after.size() == records.size() + 1);
    const std::string last_before = records.back()["dynamodb"]["SequenceNumber"];
    const std::string newest = after.back()["dynamodb"]["SequenceNumber"];
    CHECK(compare_sequence_numbers(last_before, newest) == std::partial_ordering::less);
    CHECK(after.back()["dynamodb"]["NewImage"] == order("e", 1, "open"));
    // The deleted table's name is free again; a new table of that name starts empty.
    n.db(
        "CreateTable",
        {{"TableName", "Gone"},
         {"AttributeDefinitions", json::array({{{"AttributeName", "id"}, {"AttributeType", "S"}}})},
         {"KeySchema", json::array({{{"AttributeName", "id"}, {"KeyType", "HASH"}}})},
         {"BillingMode", "PAY_PER_REQUEST"}});
    CHECK(n.scan("Gone").empty());
}

TEST_CASE("a reset and a disabled stream are remembered across a restart",
          "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<core::manual_clock>();
    std::string arn;
    {
        node n(dir.db(), clock, 1);
        arn = n.db("CreateTable", orders_table())["TableDescription"]["LatestStreamArn"];
        n.db("PutItem", {{"TableName", "Orders"}, {"Item", order("a", 1, "open")}});
        n.db("UpdateTable",
             {{"TableName", "Orders"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
    }
    {
        node n(dir.db(), clock, 2);
        // The disabled stream is still readable (until trimmed), its shard closed.
        const auto d = n.streams("DescribeStream", {{"StreamArn", arn}})["StreamDescription"];
        CHECK(d["StreamStatus"] == "DISABLED");
        REQUIRE(d["Shards"].size() == 1);
        CHECK(d["Shards"][0]["SequenceNumberRange"].contains("EndingSequenceNumber"));
        CHECK(n.records(arn).size() == 1);
        CHECK_FALSE(n.db("DescribeTable", {{"TableName", "Orders"}})["Table"].contains(
            "StreamSpecification"));
        n.engine->reset();
        n.registry.reset();
    }
    node n(dir.db(), clock, 3);
    CHECK(n.restored.tables == 0);
    CHECK(n.restored.streams == 0);
    CHECK(n.db("ListTables", json::object())["TableNames"].empty());
}

TEST_CASE("concurrent writers lose nothing: every acknowledged write and its record come back",
          "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<core::manual_clock>();
    constexpr int writers = 4, per_writer = 150;
    std::string arn;
    {
        node n(dir.db(), clock, 1, durability_mode::full);
        arn = n.db("CreateTable", orders_table())["TableDescription"]["LatestStreamArn"];
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) {
            threads.emplace_back([&n, w] {
                for (int i = 0; i < per_writer; ++i) {
                    auto r = n.engine->dispatch(
                        "PutItem", {{"TableName", "Orders"},
                                    {"Item", order("w" + std::to_string(w), i, "open")},
                                    {"ConditionExpression", "attribute_not_exists(pk)"}});
                    if (!r)
                        FAIL_CHECK(r.error().message);
                }
            });
        }
        for (auto& t : threads) t.join();
    }
    node n(dir.db(), clock, 2);
    CHECK(n.restored.items == writers * per_writer);
    const auto recs = n.records(arn);
    REQUIRE(recs.size() == writers * per_writer);
    // Per item key, in each writer's order: sk 0, 1, 2, ... per partition key.
    std::map<std::string, int> next;
    for (const auto& r : recs) {
        const std::string pk = r["dynamodb"]["Keys"]["pk"]["S"];
        CHECK(r["dynamodb"]["Keys"]["sk"]["N"] == std::to_string(next[pk]++));
    }
}

TEST_CASE("a file that is not an emulator database is refused and left as it was",
          "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    SECTION("not SQLite at all") {
        {
            std::ofstream out(dir.db(), std::ios::binary);
            out << std::string(8192, 'x');
        }
        const std::string before = file_bytes(dir.db());
        auto s = sqlite_state_store::open({dir.db()});
        REQUIRE_FALSE(s);
        CHECK(s.error().code == core::errc::parse_error);
        CHECK_THAT(s.error().message, Catch::Contains("emulator.sqlite"));
        CHECK(file_bytes(dir.db()) == before);
    }
    SECTION("another schema version") {
        {
            auto s = sqlite_state_store::open({dir.db()});
            REQUIRE(s);
        }
        run_sql(dir.db(), "PRAGMA user_version=7");
        const std::string before = file_bytes(dir.db());
        auto s = sqlite_state_store::open({dir.db()});
        REQUIRE_FALSE(s);
        CHECK(s.error().code == core::errc::parse_error);
        CHECK_THAT(s.error().message, Catch::Contains("schema version 7"));
        CHECK(file_bytes(dir.db()) == before);
    }
    SECTION("someone else's SQLite database") {
        run_sql(dir.db(), "CREATE TABLE mine(x)");
        auto s = sqlite_state_store::open({dir.db()});
        REQUIRE_FALSE(s);
        CHECK_THAT(s.error().message, Catch::Contains("did not write"));
    }
    SECTION("a damaged table definition") {
        {
            auto s = sqlite_state_store::open({dir.db()});
            REQUIRE(s);
        }
        run_sql(dir.db(), "INSERT INTO tables VALUES('t1', '{\"name\":\"T\",\"keys\":7}')");
        auto s = sqlite_state_store::open({dir.db()});
        REQUIRE(s);
        auto clock = std::make_shared<core::manual_clock>();
        auto ids = std::make_shared<core::seeded_id_source>(1);
        stream_registry registry(*clock, *ids);
        dynamo_engine engine(dynamo_engine::options{.clock = clock, .ids = ids});
        auto r = (*s)->restore(engine, registry);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("cannot restore table T"));
    }
}

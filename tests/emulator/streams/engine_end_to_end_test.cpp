// Covers issue 4 end to end: the real engine (emulator/dynamo) with the stream registry attached
// as its table_observer, driven through DynamoDB's dispatch (CreateTable, UpdateTable, PutItem,
// UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, the TTL sweep) and read through
// the Streams JSON API (spec/streams-and-lambda.md §1.1, §3, §6 items 7, 15, 17).
#include <random>

#include "stream_test_support.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"

using namespace esser;
using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct engine_and_streams {
    explicit engine_and_streams(stream_options o = {}, std::uint64_t seed = 42)
        : ids(std::make_shared<core::seeded_id_source>(seed)),
          registry(*clock, *ids, std::move(o)),
          engine(make_engine()),
          api(registry) {
        engine->set_observer(&registry);
    }

    ~engine_and_streams() { engine->set_observer(nullptr); }

    std::unique_ptr<dynamo_engine> make_engine() {
        dynamo_engine::options o;
        o.clock = clock;
        o.ids = ids;
        o.region = "eu-west-1";
        o.account_id = "123456789012";
        return std::make_unique<dynamo_engine>(o);
    }

    json db(std::string_view op, const json& req) {
        auto r = engine->dispatch(op, req);
        if (!r)
            FAIL_CHECK(op << " failed: " << r.error().type << ": " << r.error().message);
        REQUIRE(r);
        return *r;
    }

    adapters::aws_error db_error(std::string_view op, const json& req) {
        auto r = engine->dispatch(op, req);
        REQUIRE_FALSE(r);
        return r.error();
    }

    json streams(std::string_view op, const json& req) {
        auto r = api.dispatch(op, req);
        if (!r)
            FAIL_CHECK(op << " failed: " << r.error().type << ": " << r.error().message);
        REQUIRE(r);
        return *r;
    }

    // pk (S) [+ sk (S)] table with a stream.
    std::string create_table(const std::string& name, const char* view, bool sort_key = false) {
        json defs = json::array({{{"AttributeName", "pk"}, {"AttributeType", "S"}}});
        json keys = json::array({{{"AttributeName", "pk"}, {"KeyType", "HASH"}}});
        if (sort_key) {
            defs.push_back({{"AttributeName", "sk"}, {"AttributeType", "S"}});
            keys.push_back({{"AttributeName", "sk"}, {"KeyType", "RANGE"}});
        }
        auto d = db("CreateTable",
                    {{"TableName", name},
                     {"AttributeDefinitions", defs},
                     {"KeySchema", keys},
                     {"BillingMode", "PAY_PER_REQUEST"},
                     {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", view}}}});
        return d["TableDescription"]["LatestStreamArn"];
    }

    // Every record of the stream, lineage order, through the JSON API.
    std::vector<json> drain(const std::string& arn) {
        reference_consumer c(api, arn);
        c.poll();
        return c.records();
    }

    std::shared_ptr<core::manual_clock> clock = std::make_shared<core::manual_clock>();
    std::shared_ptr<core::seeded_id_source> ids;
    stream_registry registry;  // outlives the engine (declared before it)
    std::unique_ptr<dynamo_engine> engine;
    streams_api api;
};

json S_(const std::string& s) {
    return json{{"S", s}};
}

json N_(const std::string& n) {
    return json{{"N", n}};
}

}  // namespace

TEST_CASE("the engine's LatestStreamArn is the stream ListStreams and DescribeStream serve",
          "[emulator][streams][end_to_end]") {
    engine_and_streams f;
    f.clock->advance(1500ms);
    const std::string arn = f.create_table("Orders", "NEW_AND_OLD_IMAGES");
    CHECK(arn ==
          "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-01-01T00:00:01.500");
    auto t = f.db("DescribeTable", {{"TableName", "Orders"}})["Table"];
    CHECK(t["LatestStreamArn"] == arn);
    CHECK(t["LatestStreamLabel"] == "2024-01-01T00:00:01.500");
    auto listed = f.streams("ListStreams", {{"TableName", "Orders"}})["Streams"];
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["StreamArn"] == arn);
    f.db("PutItem",
         {{"TableName", "Orders"}, {"Item", {{"pk", S_("o1")}, {"total", N_("12.50")}}}});
    auto recs = f.drain(arn);
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["awsRegion"] == "eu-west-1");
    CHECK(recs[0]["dynamodb"]["NewImage"] == json{{"pk", S_("o1")}, {"total", N_("12.5")}});
    // N "12.5": 3 significant digits -> ceil(3 / 2) + 1 = 3 bytes.
    CHECK(recs[0]["dynamodb"]["SizeBytes"] == (2 + 2) + (2 + 2) + (5 + 3));
}

TEST_CASE("§6.7 end to end: no-op writes and deletes of missing items make no record",
          "[emulator][streams][end_to_end]") {
    // Failed ConditionExpressions and cancelled transactions join this test when the expression
    // library is on main (the engine answers them with ValidationException until then).
    engine_and_streams f;
    const std::string arn = f.create_table("Things", "NEW_AND_OLD_IMAGES");
    const json item = {{"pk", S_("a")}, {"x", N_("1")}};
    f.db("PutItem", {{"TableName", "Things"}, {"Item", item}});  // INSERT a
    f.db("PutItem", {{"TableName", "Things"}, {"Item", item}});  // identical: none
    f.db("PutItem", {{"TableName", "Things"},
                     {"Item", {{"pk", S_("a")}, {"x", N_("1.0")}}}});  // same number: none
    f.db("UpdateItem",
         {{"TableName", "Things"}, {"Key", {{"pk", S_("a")}}}});  // changes nothing: none
    f.db("DeleteItem", {{"TableName", "Things"}, {"Key", {{"pk", S_("missing")}}}});  // none
    // A committed transaction: one record per changed item, none for the unchanged one.
    f.db("TransactWriteItems",
         {{"TransactItems",
           {{{"Put", {{"TableName", "Things"}, {"Item", {{"pk", S_("b")}}}}}},
            {{"Put", {{"TableName", "Things"}, {"Item", item}}}},
            {{"Delete", {{"TableName", "Things"}, {"Key", {{"pk", S_("nothing")}}}}}}}}});
    f.db("UpdateItem",
         {{"TableName", "Things"}, {"Key", {{"pk", S_("c")}}}});  // key-only item: INSERT c
    f.db("DeleteItem", {{"TableName", "Things"}, {"Key", {{"pk", S_("a")}}}});  // REMOVE a
    f.db("BatchWriteItem",
         {{"RequestItems",
           {{"Things",
             {{{"PutRequest", {{"Item", {{"pk", S_("b")}, {"y", S_("z")}}}}}},
              {{"DeleteRequest", {{"Key", {{"pk", S_("gone")}}}}}}}}}}});  // MODIFY b

    std::vector<std::string> got;
    for (const auto& r : f.drain(arn)) {
        got.push_back(r["eventName"].get<std::string>() + " " +
                      r["dynamodb"]["Keys"]["pk"]["S"].get<std::string>());
    }
    std::sort(got.begin(), got.end());  // order is per item only
    CHECK(got ==
          std::vector<std::string>{"INSERT a", "INSERT b", "INSERT c", "MODIFY b", "REMOVE a"});
}

TEST_CASE("§6.15 end to end: the TTL sweep's deletions carry userIdentity",
          "[emulator][streams][end_to_end]") {
    engine_and_streams f;
    const std::string arn = f.create_table("Sessions", "NEW_AND_OLD_IMAGES");
    f.db("UpdateTimeToLive",
         {{"TableName", "Sessions"},
          {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "expires"}}}});
    f.db("PutItem",
         {{"TableName", "Sessions"}, {"Item", {{"pk", S_("s1")}, {"expires", N_("1704067260")}}}});
    f.db("PutItem", {{"TableName", "Sessions"}, {"Item", {{"pk", S_("s2")}}}});
    f.db("DeleteItem", {{"TableName", "Sessions"}, {"Key", {{"pk", S_("s2")}}}});
    f.clock->advance(2min);
    CHECK(f.engine->sweep_expired_items() == 1);
    auto recs = f.drain(arn);
    REQUIRE(recs.size() == 4);
    int ttl_removes = 0;
    for (const auto& r : recs) {
        if (r.contains("userIdentity")) {
            ++ttl_removes;
            CHECK(r["eventName"] == "REMOVE");
            CHECK(r["dynamodb"]["Keys"]["pk"] == S_("s1"));
            CHECK(r["userIdentity"] ==
                  json{{"type", "Service"}, {"principalId", "dynamodb.amazonaws.com"}});
        }
    }
    CHECK(ttl_removes == 1);
}

TEST_CASE(
    "§6.17 end to end: UpdateTable disable then enable gives a new ARN and the old one drains",
    "[emulator][streams][end_to_end]") {
    engine_and_streams f;
    const std::string old_arn = f.create_table("Evt", "NEW_IMAGE");
    f.db("PutItem", {{"TableName", "Evt"}, {"Item", {{"pk", S_("a")}}}});
    f.db("UpdateTable",
         {{"TableName", "Evt"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
    auto renewed =
        f.db("UpdateTable",
             {{"TableName", "Evt"},
              {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "KEYS_ONLY"}}}});
    const std::string new_arn = renewed["TableDescription"]["LatestStreamArn"];
    CHECK(new_arn != old_arn);
    f.db("PutItem", {{"TableName", "Evt"}, {"Item", {{"pk", S_("b")}}}});
    auto old_desc = f.streams("DescribeStream", {{"StreamArn", old_arn}})["StreamDescription"];
    CHECK(old_desc["StreamStatus"] == "DISABLED");
    CHECK(old_desc["StreamViewType"] == "NEW_IMAGE");
    auto old_recs = f.drain(old_arn);
    REQUIRE(old_recs.size() == 1);
    CHECK(old_recs[0]["dynamodb"]["Keys"]["pk"] == S_("a"));
    auto new_recs = f.drain(new_arn);
    REQUIRE(new_recs.size() == 1);
    CHECK(new_recs[0]["dynamodb"]["Keys"]["pk"] == S_("b"));
    CHECK_FALSE(new_recs[0]["dynamodb"].contains("NewImage"));  // KEYS_ONLY now
    // Deleting the table ends its stream as well.
    f.db("DeleteTable", {{"TableName", "Evt"}});
    CHECK(f.streams("DescribeStream",
                    {{"StreamArn", new_arn}})["StreamDescription"]["StreamStatus"] == "DISABLED");
}

TEST_CASE("end-to-end property: engine writes, rotations and splits, every committed change once",
          "[emulator][streams][end_to_end][property]") {
    // The oracle is the table itself: GetItem before and after each write. A write whose
    // before and after differ committed exactly one change per item; equal means none.
    const char* views[] = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"};
    for (std::uint64_t seed = 11; seed <= 14; ++seed) {
        DYNAMIC_SECTION("seed " << seed) {
            std::mt19937_64 rng(seed);
            stream_options o;
            o.partitions = 1 + rng() % 3;
            o.rollover_interval = std::chrono::seconds(30 + rng() % 60);
            engine_and_streams f(o, seed);
            const std::string view = views[seed % 4];
            const std::string arn = f.create_table("Prop", view.c_str(), /*sort_key=*/true);
            reference_consumer consumer(f.api, arn);

            auto key = [&](int k) {
                return json{{"pk", S_("p" + std::to_string(k % 4))},
                            {"sk", S_("s" + std::to_string(k))}};
            };
            auto get = [&](const json& k) -> std::optional<json> {
                auto r =
                    f.db("GetItem", {{"TableName", "Prop"}, {"Key", k}, {"ConsistentRead", true}});
                if (!r.contains("Item"))
                    return std::nullopt;
                return r["Item"];
            };
            std::map<std::string, std::vector<std::pair<std::optional<json>, std::optional<json>>>>
                expected;
            auto observe = [&](const json& k, const std::optional<json>& before) {
                auto after = get(k);
                if (before != after)
                    expected[k.dump()].emplace_back(before, after);
            };
            auto one_write = [&](const json& k) -> json {
                // Puts of 0-2 attributes with few values (so many are no-ops), deletes, and
                // key-only UpdateItems (create a key-only item or change nothing).
                switch (rng() % 5) {
                    case 0:
                    case 1: {
                        json item = k;
                        if (rng() % 3 != 0)
                            item["a"] = N_(std::to_string(rng() % 3));
                        if (rng() % 2 == 0)
                            item["b"] = S_(std::to_string(rng() % 2));
                        return {{"Put", {{"TableName", "Prop"}, {"Item", item}}}};
                    }
                    case 2:
                        return {{"Update", {{"TableName", "Prop"}, {"Key", k}}}};
                    default:
                        return {{"Delete", {{"TableName", "Prop"}, {"Key", k}}}};
                }
            };
            for (int step = 0; step < 250; ++step) {
                const auto roll = rng() % 100;
                if (roll < 55) {
                    const json k = key(static_cast<int>(rng() % 10));
                    const auto before = get(k);
                    const json w = one_write(k);
                    const std::string kind = w.begin().key();
                    const json& body = w.begin().value();
                    const std::string op = kind == "Put"      ? "PutItem"
                                           : kind == "Update" ? "UpdateItem"
                                                              : "DeleteItem";
                    f.db(op, body);
                    observe(k, before);
                } else if (roll < 70) {
                    std::set<int> ks;
                    while (ks.size() < 3) ks.insert(static_cast<int>(rng() % 10));
                    json items = json::array();
                    std::vector<std::pair<json, std::optional<json>>> befores;
                    for (int k : ks) {
                        befores.emplace_back(key(k), get(key(k)));
                        json w = one_write(key(k));
                        if (w.contains("Update"))
                            w = {{"Delete", {{"TableName", "Prop"}, {"Key", key(k)}}}};
                        items.push_back(std::move(w));
                    }
                    f.db("TransactWriteItems", {{"TransactItems", items}});
                    for (const auto& [k, before] : befores) observe(k, before);
                } else if (roll < 80) {
                    f.clock->advance(std::chrono::milliseconds(rng() % 20000));
                } else if (roll < 85) {
                    REQUIRE(f.registry.rotate("Prop"));
                } else if (roll < 88) {
                    if (f.registry.describe(arn)->shards.size() < 40)
                        REQUIRE(f.registry.split("Prop", 2));
                } else {
                    consumer.poll();
                }
            }
            f.db("UpdateTable",
                 {{"TableName", "Prop"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
            consumer.poll();

            const bool with_new = view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES";
            const bool with_old = view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES";
            std::map<std::string, std::size_t> next;
            for (const auto& rec : consumer.records()) {
                const auto& d = rec["dynamodb"];
                const std::string k = d["Keys"].dump();
                const std::size_t i = next[k]++;
                INFO("seed " << seed << " key " << k << " #" << i);
                REQUIRE(i < expected[k].size());
                const auto& [before, after] = expected[k][i];
                CHECK(rec["eventName"] == (!before ? "INSERT" : !after ? "REMOVE" : "MODIFY"));
                if (with_new && after)
                    CHECK(d["NewImage"] == *after);
                else
                    CHECK_FALSE(d.contains("NewImage"));
                if (with_old && before)
                    CHECK(d["OldImage"] == *before);
                else
                    CHECK_FALSE(d.contains("OldImage"));
            }
            std::size_t total = 0;
            for (const auto& [k, list] : expected) {
                CHECK(next[k] == list.size());
                total += list.size();
            }
            CHECK(consumer.records().size() == total);
            CHECK(total > 40);
        }
    }
}

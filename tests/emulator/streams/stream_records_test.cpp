// Covers issue 4 (record contents): ARN and label formats, shard ids, eventName from the change,
// whole-item images per StreamViewType, SizeBytes by the spec's formula, whole-second
// ApproximateCreationDateTime, userIdentity on TTL deletes only (spec/streams-and-lambda.md
// §1.1, §1.2, §2.4, §3; §6 items 15 and 16).
#include <regex>

#include "stream_test_support.hpp"
#include <catch2/catch.hpp>

using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {
// Reads every record of every shard of the stream through the JSON API (TRIM_HORIZON).
std::vector<json> read_all(streams_fixture& f, const std::string& arn) {
    std::vector<json> out;
    for (const auto& shard : f.shards(arn)) {
        std::string it = f.iterator(arn, shard["ShardId"], "TRIM_HORIZON");
        for (int i = 0; i < 1000; ++i) {
            auto page = f.call("GetRecords", {{"ShardIterator", it}});
            for (auto& r : page["Records"]) out.push_back(r);
            if (!page.contains("NextShardIterator") || page["Records"].empty())
                break;
            it = page["NextShardIterator"];
        }
    }
    return out;
}
}  // namespace

TEST_CASE("stream ARN is the table ARN plus /stream/ and a millisecond label without Z",
          "[emulator][streams][stream_registry]") {
    streams_fixture f;
    f.clock.advance(1234ms);
    model_table t(f.registry, f.clock, "Orders");
    const auto id = t.enable(stream_view_type::NEW_IMAGE);
    CHECK(id.label == "2024-01-01T00:00:01.234");
    CHECK(id.arn ==
          "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:01.234");

    auto listed = f.call("ListStreams", json::object());
    REQUIRE(listed["Streams"].size() == 1);
    CHECK(listed["Streams"][0] ==
          json{{"StreamArn", id.arn}, {"TableName", "Orders"}, {"StreamLabel", id.label}});
    CHECK_FALSE(listed.contains("LastEvaluatedStreamArn"));

    auto d = f.call("DescribeStream", {{"StreamArn", id.arn}})["StreamDescription"];
    CHECK(d["StreamStatus"] == "ENABLED");
    CHECK(d["StreamViewType"] == "NEW_IMAGE");
    CHECK(d["TableName"] == "Orders");
    CHECK(d["StreamLabel"] == id.label);
    CHECK(d["KeySchema"] == json::parse(R"([{"AttributeName":"pk","KeyType":"HASH"}])"));
    CHECK(d["CreationRequestDateTime"].get<double>() == Approx(1704067201.234));
    REQUIRE(d["Shards"].size() == 1);
    const std::string shard_id = d["Shards"][0]["ShardId"];
    // shardId- + creation epoch ms zero-padded to 20 digits + - + 8 lower-case hex (§1.2).
    CHECK(std::regex_match(shard_id, std::regex("shardId-00000001704067201234-[0-9a-f]{8}")));
    CHECK_FALSE(d["Shards"][0].contains("ParentShardId"));
    CHECK_FALSE(d["Shards"][0]["SequenceNumberRange"].contains("EndingSequenceNumber"));
}

TEST_CASE("records carry eventName from the change and AWS's fixed fields",
          "[emulator][streams][stream_registry]") {
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::NEW_AND_OLD_IMAGES);
    f.clock.advance(999ms);  // 00:00:00.999 -> ApproximateCreationDateTime rounds down
    CHECK(t.put(make_item({{"pk", S("a")}, {"x", N(1)}})));
    CHECK(t.update(make_item({{"pk", S("a")}}), "x", N(2)));
    CHECK(t.remove(make_item({{"pk", S("a")}})));

    auto recs = read_all(f, id.arn);
    REQUIRE(recs.size() == 3);
    CHECK(recs[0]["eventName"] == "INSERT");
    CHECK(recs[1]["eventName"] == "MODIFY");
    CHECK(recs[2]["eventName"] == "REMOVE");
    std::set<std::string> event_ids;
    for (const auto& r : recs) {
        CHECK(r["eventVersion"] == "1.1");
        CHECK(r["eventSource"] == "aws:dynamodb");
        CHECK(r["awsRegion"] == "us-east-1");
        CHECK(std::regex_match(r["eventID"].get<std::string>(), std::regex("[0-9a-f]{32}")));
        event_ids.insert(r["eventID"].get<std::string>());
        // §6 item 16: whole seconds as a JSON integer, not ms, not fractional.
        CHECK(r["dynamodb"]["ApproximateCreationDateTime"].is_number_integer());
        CHECK(r["dynamodb"]["ApproximateCreationDateTime"] == 1704067200);
        CHECK(r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES");
        CHECK(r["dynamodb"]["Keys"] == json::parse(R"({"pk":{"S":"a"}})"));
        CHECK(r["dynamodb"]["SequenceNumber"].get<std::string>().size() >= 21);
        CHECK_FALSE(r.contains("userIdentity"));
    }
    CHECK(event_ids.size() == 3);
}

TEST_CASE("images are whole items per StreamViewType", "[emulator][streams][stream_registry]") {
    // §1.1 table: which of NewImage/OldImage appear for INSERT/MODIFY/REMOVE.
    struct expectation {
        stream_view_type view;
        bool insert_new, modify_new, modify_old, remove_old;
    };

    const expectation cases[] = {
        {stream_view_type::KEYS_ONLY, false, false, false, false},
        {stream_view_type::NEW_IMAGE, true, true, false, false},
        {stream_view_type::OLD_IMAGE, false, false, true, true},
        {stream_view_type::NEW_AND_OLD_IMAGES, true, true, true, true},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(stream_view_type_text(c.view)) {
            streams_fixture f;
            model_table t(f.registry, f.clock, "Tbl", /*with_sort_key=*/true);
            const auto id = t.enable(c.view);
            const auto key = make_item({{"pk", S("p")}, {"sk", S("s")}});
            t.put(make_item({{"pk", S("p")}, {"sk", S("s")}, {"a", N(1)}, {"b", S("x")}}));
            // A MODIFY that removes every non-key attribute still has a NewImage with the key.
            t.put(key);
            t.remove(key);
            auto recs = read_all(f, id.arn);
            REQUIRE(recs.size() == 3);
            const json full =
                json::parse(R"({"pk":{"S":"p"},"sk":{"S":"s"},"a":{"N":"1"},"b":{"S":"x"}})");
            const json key_only = json::parse(R"({"pk":{"S":"p"},"sk":{"S":"s"}})");
            auto& ins = recs[0]["dynamodb"];
            auto& mod = recs[1]["dynamodb"];
            auto& rem = recs[2]["dynamodb"];
            CHECK(ins.contains("NewImage") == c.insert_new);
            CHECK_FALSE(ins.contains("OldImage"));
            CHECK(mod.contains("NewImage") == c.modify_new);
            CHECK(mod.contains("OldImage") == c.modify_old);
            CHECK_FALSE(rem.contains("NewImage"));
            CHECK(rem.contains("OldImage") == c.remove_old);
            if (c.insert_new)
                CHECK(ins["NewImage"] == full);
            if (c.modify_new)
                CHECK(mod["NewImage"] == key_only);
            if (c.modify_old)
                CHECK(mod["OldImage"] == full);
            // An item holding only its key gives an OldImage holding just the key.
            if (c.remove_old)
                CHECK(rem["OldImage"] == key_only);
            for (auto& r : recs) CHECK(r["dynamodb"]["Keys"] == key_only);
        }
    }
}

TEST_CASE("SizeBytes follows the spec's formula on AWS's recorded TTL sample",
          "[emulator][streams][stream_registry]") {
    // localstack#11343: a TTL REMOVE of {id: <36-char S>, expires_at: N 1723213300} with
    // NEW_AND_OLD_IMAGES has SizeBytes 91 = key (2+36) + old image (2+36 + 10+5).
    const std::string uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const item keys = make_item({{"id", S(uuid)}});
    const item old = make_item({{"id", S(uuid)}, {"expires_at", N(1723213300)}});
    CHECK(record_size_bytes(keys, &old, nullptr) == 91);
    // Numbers: ceil(significant digits / 2) + 1, leading/trailing zeros trimmed.
    CHECK(record_size_bytes(make_item({{"n", N(0)}}), nullptr, nullptr) == 1 + 1);
    CHECK(record_size_bytes(make_item({{"n", N(123)}}), nullptr, nullptr) == 1 + 3);
    CHECK(record_size_bytes(make_item({{"n", N("0.0012")}}), nullptr, nullptr) == 1 + 2);
    // BOOL/NULL 1; B raw bytes; L 3 + sum(1 + element); M 3 + sum(1 + name + value).
    CHECK(record_size_bytes(
              make_item({{"b", attribute_value::boolean(true)}, {"z", attribute_value::null()}}),
              nullptr, nullptr) == 4);
    CHECK(record_size_bytes(make_item({{"bin", attribute_value::b("\x01\x02\x03")}}), nullptr,
                            nullptr) == 6);
    CHECK(record_size_bytes(make_item({{"l", attribute_value::l({S("ab"), N(5)})}}), nullptr,
                            nullptr) == 1 + 3 + (1 + 2) + (1 + 2));
    CHECK(record_size_bytes(make_item({{"m", attribute_value::m(make_item({{"k", S("v")}}))}}),
                            nullptr, nullptr) == 1 + 3 + (1 + 1 + 1));
    CHECK(record_size_bytes(make_item({{"ss", attribute_value::ss({"a", "bc"})}}), nullptr,
                            nullptr) == 2 + 3);
}

TEST_CASE("a TTL deletion carries userIdentity, user deletes do not",
          "[emulator][streams][stream_registry]") {
    // §2.4, §6 item 15, and the DynamoDB Local trap of PascalCase keys (dynamodb-api.md §7.4).
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::NEW_AND_OLD_IMAGES);
    t.put(make_item({{"pk", S("a")}}));
    t.put(make_item({{"pk", S("b")}}));
    t.remove(make_item({{"pk", S("a")}}), /*by_ttl=*/true);
    t.remove(make_item({{"pk", S("b")}}));
    auto recs = read_all(f, id.arn);
    REQUIRE(recs.size() == 4);
    CHECK(recs[2]["userIdentity"] ==
          json::parse(R"({"type":"Service","principalId":"dynamodb.amazonaws.com"})"));
    CHECK(recs[2]["eventName"] == "REMOVE");
    CHECK_FALSE(recs[3].contains("userIdentity"));
    CHECK_FALSE(recs[0].contains("userIdentity"));
}

TEST_CASE("the Lambda rendering adds eventSourceARN to the GetRecords rendering",
          "[emulator][streams][stream_registry]") {
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::NEW_IMAGE);
    t.put(make_item({{"pk", S("a")}, {"bin", attribute_value::b("foobar")}}));
    auto shards = f.registry.describe(id.arn);
    REQUIRE(shards);
    auto cursor = f.registry.open_cursor(id.arn, shards->shards[0].shard_id,
                                         shard_iterator_type::TRIM_HORIZON);
    REQUIRE(cursor);
    auto batch = f.registry.read(*cursor, 10);
    REQUIRE(batch);
    REQUIRE(batch->records.size() == 1);
    const json lambda = to_lambda_json(*batch->records[0], "us-east-1", id.arn);
    json expected = to_streams_json(*batch->records[0], "us-east-1");
    expected["eventSourceARN"] = id.arn;
    CHECK(lambda == expected);
    // Binary attributes appear base64-encoded (§2.5).
    CHECK(lambda["dynamodb"]["NewImage"]["bin"] == json{{"B", "Zm9vYmFy"}});
    CHECK(lambda["dynamodb"]["SizeBytes"] == (2 + 1) + (2 + 1) + (3 + 6));
}

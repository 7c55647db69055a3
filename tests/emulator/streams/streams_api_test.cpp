// Covers issue 4 (Streams API and bad input): ListStreams / DescribeStream paging and filters,
// GetShardIterator's validations, GetRecords' Limit, malformed ARNs, unknown shards, garbage and
// tampered iterators, wrong iterator/sequence combinations (spec/streams-and-lambda.md §1.2,
// §1.4, §1.5, §2; spec/dynamodb-api.md §1.4, §3.9). Error names are AWS's; messages where the
// spec pins them.
#include "stream_test_support.hpp"
#include <catch2/catch.hpp>

using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {
struct one_stream : streams_fixture {
    explicit one_stream(std::uint64_t seed = 42)
        : streams_fixture({}, seed), table(registry, clock, "Things") {
        id = table.enable(stream_view_type::KEYS_ONLY);
        shard = registry.describe(id.arn)->shards.at(0).shard_id;
    }

    model_table table;
    stream_identity id;
    std::string shard;
};

const std::string missing_arn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/Nope/stream/2024-01-01T00:00:00.000";
}  // namespace

TEST_CASE("unknown Streams operations are UnknownOperationException",
          "[emulator][streams][streams_api]") {
    one_stream f;
    CHECK(f.call_error("ListTables", json::object()).type == "UnknownOperationException");
    CHECK(f.call_error("getRecords", json::object()).type == "UnknownOperationException");
    CHECK(streams_api::handles("GetRecords"));
    CHECK_FALSE(streams_api::handles("PutItem"));
    CHECK(f.call_error("ListStreams", json::array()).type == "SerializationException");
}

TEST_CASE("ListStreams filters by table and pages with ExclusiveStartStreamArn",
          "[emulator][streams][streams_api]") {
    streams_fixture f;
    std::vector<std::unique_ptr<model_table>> tables;
    std::set<std::string> arns;
    for (const char* name : {"tab1", "tab2", "tab3", "tab4", "tab5"}) {
        tables.push_back(std::make_unique<model_table>(f.registry, f.clock, name));
        arns.insert(tables.back()->enable(stream_view_type::KEYS_ONLY).arn);
    }
    model_table no_stream(f.registry, f.clock, "quiet");
    CHECK(f.call("ListStreams", {{"TableName", "quiet"}}) == json{{"Streams", json::array()}});
    auto only = f.call("ListStreams", {{"TableName", "tab3"}});
    REQUIRE(only["Streams"].size() == 1);
    CHECK(only["Streams"][0]["TableName"] == "tab3");

    std::set<std::string> seen;
    json req{{"Limit", 2}};
    int pages = 0;
    for (;;) {
        auto page = f.call("ListStreams", req);
        ++pages;
        CHECK(page["Streams"].size() <= 2);
        for (auto& s : page["Streams"])
            CHECK(seen.insert(s["StreamArn"].get<std::string>()).second);
        if (!page.contains("LastEvaluatedStreamArn"))
            break;
        req["ExclusiveStartStreamArn"] = page["LastEvaluatedStreamArn"];
    }
    CHECK(pages == 3);
    CHECK(seen == arns);
    // A well-formed ARN that does not exist is a position, not an error.
    CHECK(f.call("ListStreams", {{"ExclusiveStartStreamArn", missing_arn}})["Streams"].is_array());
}

TEST_CASE("ListStreams rejects bad Limit, TableName and ExclusiveStartStreamArn",
          "[emulator][streams][streams_api]") {
    streams_fixture f;
    auto e = f.call_error("ListStreams", {{"Limit", 0}});
    CHECK(e.type == "ValidationException");
    CHECK(e.message ==
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
          "must have value greater than or equal to 1");
    e = f.call_error("ListStreams", {{"Limit", 101}});
    CHECK(e.message ==
          "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
          "Member must have value less than or equal to 100");
    e = f.call_error("ListStreams", {{"Limit", 0}, {"TableName", "a!"}});
    CHECK(e.message.starts_with("3 validation errors detected: "));
    // Alternator test_list_streams_with_nonexistent_last_stream: malformed -> ValidationException.
    e = f.call_error("ListStreams", {{"ExclusiveStartStreamArn",
                                      "kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas"}});
    CHECK(e.type == "ValidationException");
    e = f.call_error("ListStreams", {{"Limit", "10"}});
    CHECK(e.type == "SerializationException");
    CHECK(e.message == "STRING_VALUE can not be converted to an Integer");
    e = f.call_error("ListStreams", {{"TableName", 12}});
    CHECK(e.type == "SerializationException");
    CHECK(e.message == "NUMBER_VALUE cannot be converted to String");
}

TEST_CASE("DescribeStream pages shards sorted by id, parents first",
          "[emulator][streams][streams_api]") {
    stream_options o;
    o.partitions = 4;
    streams_fixture f(o);
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::KEYS_ONLY);
    f.clock.advance(1s);
    REQUIRE(f.registry.split("Tbl", 2));  // 4 closed parents, 8 children
    f.clock.advance(1s);
    REQUIRE(f.registry.rotate("Tbl"));  // 8 more closed, 8 open grandchildren

    std::vector<std::string> ids;
    json req{{"StreamArn", id.arn}, {"Limit", 5}};
    for (;;) {
        auto d = f.call("DescribeStream", req)["StreamDescription"];
        CHECK(d["Shards"].size() <= 5);
        for (auto& s : d["Shards"]) ids.push_back(s["ShardId"]);
        if (!d.contains("LastEvaluatedShardId"))
            break;
        CHECK(d["LastEvaluatedShardId"] == ids.back());  // Alternator list_shards / #7409
        req["ExclusiveStartShardId"] = d["LastEvaluatedShardId"];
    }
    REQUIRE(ids.size() == 20);
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index[ids[i]] = i;
    for (const auto& s : f.shards(id.arn)) {
        if (s.contains("ParentShardId"))
            CHECK(index.at(s["ParentShardId"]) < index.at(s["ShardId"]));
    }
    // The last id as ExclusiveStartShardId gives nothing; so does an id that does not exist.
    auto d =
        f.call("DescribeStream", {{"StreamArn", id.arn}, {"ExclusiveStartShardId", ids.back()}});
    CHECK(d["StreamDescription"]["Shards"] == json::array());
    d = f.call("DescribeStream", {{"StreamArn", id.arn},
                                  {"ExclusiveStartShardId",
                                   "zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks"}});
    CHECK(d["StreamDescription"]["Shards"] == json::array());
    CHECK_FALSE(d["StreamDescription"].contains("LastEvaluatedShardId"));
}

TEST_CASE("DescribeStream ShardFilter CHILD_SHARDS returns only a shard's children",
          "[emulator][streams][streams_api]") {
    one_stream f;
    f.clock.advance(1s);
    auto kids = f.registry.split("Things", 3);
    REQUIRE(kids);
    auto d = f.call("DescribeStream",
                    {{"StreamArn", f.id.arn},
                     {"ShardFilter", {{"Type", "CHILD_SHARDS"}, {"ShardId", f.shard}}}});
    std::vector<std::string> got;
    for (auto& s : d["StreamDescription"]["Shards"]) {
        got.push_back(s["ShardId"]);
        CHECK(s["ParentShardId"] == f.shard);
    }
    auto want = *kids;
    std::sort(want.begin(), want.end());
    CHECK(got == want);
    auto e = f.call_error(
        "DescribeStream",
        {{"StreamArn", f.id.arn}, {"ShardFilter", {{"Type", "PARENT"}, {"ShardId", f.shard}}}});
    CHECK(e.type == "ValidationException");
    CHECK(e.message ==
          "1 validation error detected: Value 'PARENT' at 'shardFilter.type' failed to satisfy "
          "constraint: Member must satisfy enum value set: [CHILD_SHARDS]");
    CHECK(f.call_error("DescribeStream", {{"StreamArn", f.id.arn}, {"ShardFilter", "x"}}).type ==
          "SerializationException");
}

TEST_CASE("DescribeStream and GetShardIterator tell malformed ARNs from unknown streams",
          "[emulator][streams][streams_api]") {
    one_stream f;
    // Alternator test_describe_nonexistent_stream: a malformed ARN is a ValidationException.
    auto e = f.call_error("DescribeStream",
                          {{"StreamArn", "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf"}});
    CHECK(e.type == "ValidationException");
    // Too short for the model (37..1024).
    e = f.call_error("DescribeStream", {{"StreamArn", "arn:aws:dynamodb"}});
    CHECK(e.message ==
          "1 validation error detected: Value 'arn:aws:dynamodb' at 'streamArn' failed to satisfy "
          "constraint: Member must have length greater than or equal to 37");
    e = f.call_error("DescribeStream", json::object());
    CHECK(e.message ==
          "1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: "
          "Member must not be null");
    // Well-formed but unknown: LocalStack's recording of AWS.
    e = f.call_error("DescribeStream", {{"StreamArn", missing_arn}});
    CHECK(e.type == "ResourceNotFoundException");
    CHECK(e.message == "Requested resource not found: Stream: " + missing_arn + " not found");
    e = f.call_error(
        "GetShardIterator",
        {{"StreamArn", missing_arn}, {"ShardId", f.shard}, {"ShardIteratorType", "LATEST"}});
    CHECK(e.type == "ResourceNotFoundException");
    e = f.call_error("GetShardIterator",
                     {{"StreamArn", "sdfadfsddafgdafsgjnadflkgnalngalsdfnlkasnlkasdfasdfasf"},
                      {"ShardId", f.shard},
                      {"ShardIteratorType", "LATEST"}});
    CHECK(e.type == "ValidationException");
    // Variations on the shape that are not stream ARNs.
    for (std::string bad :
         {f.id.arn + "x", f.id.arn.substr(0, f.id.arn.size() - 1) + "Z",
          std::string(
              "arn:aws:s3:us-east-1:123456789012:table/Things/stream/2024-01-01T00:00:00.000"),
          std::string(
              "arn:aws:dynamodb:us-east-1:12345:table/Things/stream/2024-01-01T00:00:00.000"),
          std::string(
              "arn:aws:dynamodb:us-east-1:123456789012:table/T!/stream/2024-01-01T00:00:00.000"),
          std::string(
              "arn:aws:dynamodb:us-east-1:123456789012:table/Things/2024-01-01T00:00:00.000")}) {
        INFO(bad);
        CHECK(f.call_error("DescribeStream", {{"StreamArn", bad}}).type == "ValidationException");
    }
}

TEST_CASE("GetShardIterator validates type, sequence number and shard as AWS does",
          "[emulator][streams][streams_api]") {
    // Alternator test_get_shard_iterator (run against AWS).
    one_stream f;
    const std::string seq =
        f.registry.describe(f.id.arn)->shards[0].starting_sequence_number.to_string();
    auto req = [&](const char* type, std::optional<std::string> s) {
        json r{{"StreamArn", f.id.arn}, {"ShardId", f.shard}, {"ShardIteratorType", type}};
        if (s)
            r["SequenceNumber"] = *s;
        return r;
    };
    for (const char* type : {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"}) {
        CHECK(f.call("GetShardIterator", req(type, seq))["ShardIterator"].is_string());
        CHECK(f.call_error("GetShardIterator", req(type, std::nullopt)).type ==
              "ValidationException");
    }
    for (const char* type : {"TRIM_HORIZON", "LATEST"}) {
        CHECK(f.call("GetShardIterator", req(type, std::nullopt))["ShardIterator"].is_string());
        CHECK(f.call_error("GetShardIterator", req(type, seq)).type == "ValidationException");
    }
    auto e = f.call_error("GetShardIterator", req("bulle", seq));
    CHECK(e.message ==
          "1 validation error detected: Value 'bulle' at 'shardIteratorType' failed to satisfy "
          "constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, "
          "AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
    e = f.call_error("GetShardIterator",
                     req("LATEST", "sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv"));
    CHECK(e.type == "ValidationException");
    e = f.call_error("GetShardIterator", req("AT_SEQUENCE_NUMBER", "40000000000000000000x1"));
    CHECK(e.type == "ValidationException");
    CHECK(e.message.find("Invalid SequenceNumber") != std::string::npos);
    e = f.call_error("GetShardIterator", req("AT_SEQUENCE_NUMBER", "1234"));  // under 21 chars
    CHECK(e.type == "ValidationException");
    // Unknown shard ids: ResourceNotFoundException, whatever their shape.
    for (const char* bad :
         {"semprinidfaasdasfsdvacsdcfsdsvsdvsdvsdvsdvsdv", "adfasdasdasdasdasdasdasdasdasasdasd",
          "shardId-00000001704067200000-00000000"}) {
        json r{{"StreamArn", f.id.arn}, {"ShardId", bad}, {"ShardIteratorType", "LATEST"}};
        CHECK(f.call_error("GetShardIterator", r).type == "ResourceNotFoundException");
    }
    // A combination error wins over the unknown shard (ValidationException before lookups).
    json r{{"StreamArn", f.id.arn},
           {"ShardId", "adfasdasdasdasdasdasdasdasdasasdasd"},
           {"ShardIteratorType", "AT_SEQUENCE_NUMBER"}};
    CHECK(f.call_error("GetShardIterator", r).type == "ValidationException");
    // Several violations are reported together.
    e = f.call_error("GetShardIterator", json{{"ShardIteratorType", "nope"}});
    CHECK(e.message ==
          "3 validation errors detected: Value null at 'streamArn' failed to satisfy constraint: "
          "Member must not be null; Value null at 'shardId' failed to satisfy constraint: Member "
          "must not be null; Value 'nope' at 'shardIteratorType' failed to satisfy constraint: "
          "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
          "AFTER_SEQUENCE_NUMBER]");
}

TEST_CASE("a sequence number from another shard is rejected", "[emulator][streams][streams_api]") {
    stream_options o;
    o.partitions = 2;
    streams_fixture f(o);
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::KEYS_ONLY);
    // Write until both shards hold a record.
    std::map<std::string, std::string> seq_by_shard;
    for (int i = 0; i < 50 && seq_by_shard.size() < 2; ++i) {
        t.put(make_item({{"pk", S("k" + std::to_string(i))}}));
        for (const auto& sh : f.shards(id.arn)) {
            auto page =
                f.call("GetRecords",
                       {{"ShardIterator", f.iterator(id.arn, sh["ShardId"], "TRIM_HORIZON")}});
            if (!page["Records"].empty()) {
                seq_by_shard[sh["ShardId"]] = page["Records"].back()["dynamodb"]["SequenceNumber"];
            }
        }
    }
    REQUIRE(seq_by_shard.size() == 2);
    auto a = seq_by_shard.begin();
    auto b = std::next(a);
    // b's last sequence number is beyond a's range or below it; either way not a's.
    const bool b_beyond_a = compare_sequence_numbers(b->second, a->second) > 0;
    json r{{"StreamArn", id.arn},
           {"ShardId", b_beyond_a ? a->first : b->first},
           {"ShardIteratorType", "AFTER_SEQUENCE_NUMBER"},
           {"SequenceNumber", b_beyond_a ? b->second : a->second}};
    auto e = f.call_error("GetShardIterator", r);
    CHECK(e.type == "ValidationException");
    CHECK(e.message.find("outside the shard's range") != std::string::npos);
}

TEST_CASE("GetRecords rejects Limit outside 1..1000 and garbage or tampered iterators",
          "[emulator][streams][streams_api]") {
    one_stream f;
    f.table.put(make_item({{"pk", S("a")}}));
    const std::string it = f.iterator(f.id.arn, f.shard, "TRIM_HORIZON");
    // AWS's look: the stream ARN, "|1|", an opaque payload.
    CHECK(it.starts_with(f.id.arn + "|1|"));

    auto e = f.call_error("GetRecords", {{"ShardIterator", it}, {"Limit", 1001}});
    CHECK(e.type == "ValidationException");
    CHECK(e.message ==
          "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: "
          "Member must have value less than or equal to 1000");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it}, {"Limit", 0}}).type ==
          "ValidationException");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it}, {"Limit", -5}}).type ==
          "ValidationException");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it}, {"Limit", 1.5}}).type ==
          "SerializationException");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it}, {"Limit", 18446744073709551615ULL}})
              .type == "ValidationException");
    CHECK(f.call("GetRecords", {{"ShardIterator", it}, {"Limit", 1000}})["Records"].size() == 1);
    CHECK(f.call("GetRecords", {{"ShardIterator", it}, {"Limit", 1}})["Records"].size() == 1);

    // Alternator test_get_records_nonexistent_iterator.
    e = f.call_error("GetRecords", {{"ShardIterator",
                                     "sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg"}});
    CHECK(e.type == "ValidationException");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", ""}}).type == "ValidationException");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", std::string(2049, 'a')}}).type ==
          "ValidationException");
    CHECK(f.call_error("GetRecords", json::object()).type == "ValidationException");
    // Every single-character edit of a valid iterator is rejected (the payload is signed and
    // the ARN is covered by the signature).
    int rejected = 0, tried = 0;
    for (std::size_t i = 0; i < it.size(); ++i) {
        for (char c : {'A', 'z', '0', '+', '/', '=', '|'}) {
            if (it[i] == c)
                continue;
            std::string bad = it;
            bad[i] = c;
            ++tried;
            auto r = f.api.dispatch("GetRecords", {{"ShardIterator", bad}});
            if (!r && r.error().type == "ValidationException")
                ++rejected;
            else
                UNSCOPED_INFO("accepted edit at " << i << ": " << bad);
        }
    }
    CHECK(rejected == tried);
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it.substr(0, it.size() - 4)}}).type ==
          "ValidationException");
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it + "AAAA"}}).type ==
          "ValidationException");
    // An iterator signed by another registry (another seed, so another key; same ARN) is
    // garbage here.
    one_stream other(7);
    REQUIRE(other.id.arn == f.id.arn);
    CHECK(other.call_error("GetRecords", {{"ShardIterator", it}}).type == "ValidationException");
}

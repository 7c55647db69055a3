// Covers issue 4, one test per tricky behaviour of spec/streams-and-lambda.md §6 items 1-7, 16,
// 17 and 18: each asserts what AWS does, driven through the JSON API with the manual clock. Items
// 3 (empty pages although records wait) and 18 (the readers-per-shard throttle) are switches
// (stream_options), off by default.
#include "stream_test_support.hpp"
#include <catch2/catch.hpp>

using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {
struct table_with_stream : streams_fixture {
    explicit table_with_stream(stream_options o = {},
                               stream_view_type view = stream_view_type::NEW_AND_OLD_IMAGES)
        : streams_fixture(std::move(o)), table(registry, clock, "Tbl") {
        id = table.enable(view);
    }

    json records(const std::string& iterator, int limit = 1000) {
        return call("GetRecords", {{"ShardIterator", iterator}, {"Limit", limit}});
    }

    model_table table;
    stream_identity id;
};

item key(const std::string& pk) {
    return make_item({{"pk", S(pk)}});
}

item row(const std::string& pk, std::int64_t v) {
    return make_item({{"pk", S(pk)}, {"v", N(v)}});
}
}  // namespace

TEST_CASE("§6.1 a shard rolls over about every 4 hours and a child takes new writes",
          "[emulator][streams][tricky]") {
    table_with_stream f;  // default rollover interval: 4 h
    f.table.put(row("a", 1));
    const auto before = f.shards(f.id.arn);
    REQUIRE(before.size() == 1);
    const std::string parent = before[0]["ShardId"];
    f.clock.advance(3h + 55min);
    // A consumer that listed shards once holds an iterator on the parent only.
    const std::string stale = f.iterator(f.id.arn, parent, "LATEST");
    f.clock.advance(5min);  // the manual clock's listener rolls the shard over right away
    auto after = f.shards(f.id.arn);
    REQUIRE(after.size() == 2);
    CHECK(after[0]["ShardId"] == parent);  // sorted: parent first
    CHECK(after[0]["SequenceNumberRange"].contains("EndingSequenceNumber"));
    CHECK(after[1]["ParentShardId"] == parent);
    CHECK_FALSE(after[1]["SequenceNumberRange"].contains("EndingSequenceNumber"));
    // The child's id carries its creation time: exactly 4 h after the parent's.
    const std::string child = after[1]["ShardId"];
    CHECK(child.substr(8, 20) == "00000001704081600000");

    f.table.put(row("a", 2));
    // The stale consumer sees the parent end (no NextShardIterator) and never the new write...
    auto page = f.records(stale);
    CHECK(page["Records"].empty());
    CHECK_FALSE(page.contains("NextShardIterator"));
    // ...which is in the child, after the parent's record in per-item order.
    auto kid = f.records(f.iterator(f.id.arn, child, "TRIM_HORIZON"));
    REQUIRE(kid["Records"].size() == 1);
    CHECK(kid["Records"][0]["dynamodb"]["NewImage"]["v"] == json{{"N", "2"}});
    CHECK(kid["Records"][0]["dynamodb"]["OldImage"]["v"] == json{{"N", "1"}});

    // A clock that jumps over several intervals yields one child, created at the last rollover
    // time due, not a chain of empty shards.
    f.clock.advance(13h);
    auto later = f.shards(f.id.arn);
    REQUIRE(later.size() == 3);
    CHECK(later[2]["ParentShardId"] == child);
    CHECK(later[2]["ShardId"].get<std::string>().substr(8, 20) == "00000001704124800000");  // +12 h
}

TEST_CASE("§6.1 rollover also happens lazily when no listener runs",
          "[emulator][streams][tricky]") {
    stream_options o;
    o.rollover_interval = 10s;
    o.follow_manual_clock = false;
    table_with_stream f(o);
    f.table.put(row("a", 1));
    f.clock.advance(10s);
    f.table.put(row("a", 2));  // the write itself closes the due shard first
    auto shards = f.shards(f.id.arn);
    REQUIRE(shards.size() == 2);
    auto p = f.records(f.iterator(f.id.arn, shards[0]["ShardId"], "TRIM_HORIZON"));
    auto c = f.records(f.iterator(f.id.arn, shards[1]["ShardId"], "TRIM_HORIZON"));
    REQUIRE(p["Records"].size() == 1);
    REQUIRE(c["Records"].size() == 1);
    CHECK_FALSE(p.contains("NextShardIterator"));
    CHECK(c.contains("NextShardIterator"));
}

TEST_CASE("§6.2 a closed shard read to its end has no NextShardIterator key at all",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    f.table.put(row("a", 1));
    f.table.put(row("a", 2));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    const std::string it = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    f.table.disable();  // closes every open shard (Alternator test_streams_closed_read)

    auto first = f.records(it, 1);
    REQUIRE(first["Records"].size() == 1);
    REQUIRE(first.contains("NextShardIterator"));
    // The final records and the missing iterator come in the same response.
    auto last = f.records(first["NextShardIterator"], 1000);
    CHECK(last["Records"].size() == 1);
    CHECK_FALSE(last.contains("NextShardIterator"));  // absent: not null, not ""
    // LATEST on a closed shard: nothing, and no iterator either.
    auto latest = f.records(f.iterator(f.id.arn, shard, "LATEST"));
    CHECK(latest == json{{"Records", json::array()}});
}

TEST_CASE("§6.3 an open shard with nothing new returns Records [] and a next iterator",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    auto empty = f.records(f.iterator(f.id.arn, shard, "LATEST"));
    CHECK(empty["Records"] == json::array());  // present and empty
    REQUIRE(empty["NextShardIterator"].is_string());

    // Reading the last record and then reading again returns empty; nothing is delivered twice
    // through one chain of iterators (Alternator test_streams_last_result).
    f.table.put(row("a", 1));
    auto one = f.records(empty["NextShardIterator"]);
    REQUIRE(one["Records"].size() == 1);
    auto again = f.records(one["NextShardIterator"]);
    CHECK(again["Records"] == json::array());
    f.table.put(row("a", 2));
    auto next = f.records(again["NextShardIterator"]);
    REQUIRE(next["Records"].size() == 1);
    CHECK(next["Records"][0]["eventName"] == "MODIFY");
}

namespace {
// Reads `want` records from the shard through one iterator chain with Limit 1; returns the
// number of records of each page (0 for an empty page). Bounded.
std::vector<std::size_t> page_sizes(table_with_stream& f, const std::string& shard,
                                    std::size_t want, std::vector<json>* out = nullptr) {
    std::vector<std::size_t> sizes;
    std::string it = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    std::size_t got = 0;
    for (int i = 0; i < 1000 && got < want; ++i) {
        auto page = f.records(it, 1);
        sizes.push_back(page["Records"].size());
        got += page["Records"].size();
        if (out != nullptr) {
            for (auto& r : page["Records"]) out->push_back(r);
        }
        if (!page.contains("NextShardIterator"))
            break;
        it = page["NextShardIterator"];
    }
    return sizes;
}

// What a new reader (a GetShardIterator at TRIM_HORIZON, then GetRecords) reads of the shard.
std::size_t new_reader_reads(table_with_stream& f, const std::string& shard) {
    return f.records(f.iterator(f.id.arn, shard, "TRIM_HORIZON"))["Records"].size();
}

stream_options empty_pages(double probability, std::uint64_t seed) {
    stream_options o;
    o.empty_page_probability = probability;
    o.empty_page_seed = seed;
    return o;
}
}  // namespace

TEST_CASE(
    "§6.3 switched on, open shards answer empty pages although records wait; same seed, "
    "same pages",
    "[emulator][streams][tricky]") {
    auto run = [](std::uint64_t seed, std::vector<json>* records) {
        table_with_stream f(empty_pages(0.5, seed));
        for (int v = 1; v <= 20; ++v) f.table.put(row("a", v));
        const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
        return page_sizes(f, shard, 20, records);
    };
    std::vector<json> records;
    const auto sizes = run(7, &records);
    // Every record arrives once and in order to a consumer that keeps polling...
    REQUIRE(records.size() == 20);
    for (std::size_t i = 0; i < records.size(); ++i) {
        CHECK(records[i]["dynamodb"]["NewImage"]["v"]["N"] == std::to_string(i + 1));
    }
    // ...but some polls came back empty, each with a next iterator at the same place.
    const auto empties = std::count(sizes.begin(), sizes.end(), std::size_t{0});
    CHECK(empties >= 5);
    CHECK(empties <= 40);
    CHECK(run(7, nullptr) == sizes);  // repeatable
    CHECK(run(8, nullptr) != sizes);  // another seed, other pages
}

TEST_CASE("§6.3 empty pages are off by default and never hide a closed shard's records",
          "[emulator][streams][tricky]") {
    {
        table_with_stream f;
        for (int v = 1; v <= 10; ++v) f.table.put(row("a", v));
        const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
        CHECK(page_sizes(f, shard, 10) == std::vector<std::size_t>(10, 1));
    }
    table_with_stream f(empty_pages(0.99, 1));
    for (int v = 1; v <= 10; ++v) f.table.put(row("a", v));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    f.table.disable();  // the shard closes with its 10 records
    const auto sizes = page_sizes(f, shard, 10);
    CHECK(sizes == std::vector<std::size_t>(10, 1));
}

TEST_CASE(
    "§6.18 switched on, a third reader of a shard gets LimitExceededException until a "
    "reader has been idle a second",
    "[emulator][streams][tricky]") {
    stream_options o;
    o.max_readers_per_shard = 2;
    table_with_stream f(o);
    f.table.put(row("a", 1));
    const auto shards = f.shards(f.id.arn);
    const std::string shard = shards[0]["ShardId"];
    const std::string r1 = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    const std::string r2 = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    const std::string r3 = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    auto p1 = f.records(r1);
    auto p2 = f.records(r2);
    CHECK(p1["Records"].size() == 1);
    CHECK(p2["Records"].size() == 1);
    auto refused = f.call_error("GetRecords", {{"ShardIterator", r3}});
    CHECK(refused.type == "LimitExceededException");
    CHECK(refused.message == "Rate exceeded");
    CHECK(esser::adapters::is_retryable(refused));

    // The two readers go on along their chains (a NextShardIterator is the same reader).
    f.clock.advance(600ms);
    auto n1 = f.records(p1["NextShardIterator"]);
    CHECK(n1["Records"].empty());
    // Reader 2 has been idle for a second now: reader 3 takes its place, reader 2 is refused.
    f.clock.advance(400ms);
    CHECK(f.records(r3)["Records"].size() == 1);
    CHECK(f.call_error("GetRecords", {{"ShardIterator", p2["NextShardIterator"]}}).type ==
          "LimitExceededException");
    // Readers of other shards do not count: after a rotation the child has room.
    f.clock.advance(1s);
    REQUIRE(f.registry.rotate("Tbl"));
    f.table.put(row("b", 1));
    std::string child;
    for (const auto& s : f.shards(f.id.arn)) {
        if (s.contains("ParentShardId") && s["ParentShardId"] == shard)
            child = s["ShardId"];
    }
    REQUIRE_FALSE(child.empty());
    CHECK(new_reader_reads(f, child) == 1);
    CHECK(new_reader_reads(f, child) == 1);
    CHECK(new_reader_reads(f, shard) == 1);
}

TEST_CASE("§6.18 without the switch any number of readers read a shard",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    f.table.put(row("a", 1));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    for (int i = 0; i < 10; ++i) CHECK(new_reader_reads(f, shard) == 1);
}

TEST_CASE("§1.5 a GetRecords response stops at 1 MB; the rest follows on the next page",
          "[emulator][streams][tricky]") {
    table_with_stream f({}, stream_view_type::NEW_IMAGE);
    const std::string blob(300 * 1024, 'x');  // ~300 KB items: three fit in 1 MB, four do not
    for (int i = 0; i < 5; ++i)
        f.table.put(make_item({{"pk", S("k" + std::to_string(i))}, {"blob", S(blob)}}));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    auto first = f.records(f.iterator(f.id.arn, shard, "TRIM_HORIZON"), 1000);
    CHECK(first["Records"].size() == 3);
    auto second = f.records(first["NextShardIterator"], 1000);
    CHECK(second["Records"].size() == 2);
    CHECK(f.records(second["NextShardIterator"])["Records"] == json::array());
    // The cap is configurable; a record larger than the cap still comes, alone.
    stream_options o;
    o.max_response_bytes = 1000;
    table_with_stream g(o, stream_view_type::NEW_IMAGE);
    for (int i = 0; i < 3; ++i)
        g.table.put(make_item({{"pk", S("k" + std::to_string(i))}, {"blob", S(blob)}}));
    const std::string gs = g.shards(g.id.arn)[0]["ShardId"];
    CHECK(g.records(g.iterator(g.id.arn, gs, "TRIM_HORIZON"))["Records"].size() == 1);
}

TEST_CASE("§6.4 iterators expire 15 minutes after issue and AFTER_SEQUENCE_NUMBER resumes",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    f.table.put(row("a", 1));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    const std::string it = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    auto page = f.records(it);
    REQUIRE(page["Records"].size() == 1);
    const std::string last_seq = page["Records"][0]["dynamodb"]["SequenceNumber"];
    const std::string next = page["NextShardIterator"];

    f.clock.advance(14min + 59s);
    CHECK(f.records(it)["Records"].size() == 1);  // still valid: reading does not consume
    f.clock.advance(1s);
    auto e = f.call_error("GetRecords", {{"ShardIterator", it}});
    CHECK(e.type == "ExpiredIteratorException");
    CHECK(e.status == 400);
    // NextShardIterator was issued at the same time: expired as well.
    CHECK(f.call_error("GetRecords", {{"ShardIterator", next}}).type == "ExpiredIteratorException");

    // A good consumer re-acquires after its checkpoint, not with LATEST/TRIM_HORIZON.
    f.table.put(row("a", 2));
    auto resumed = f.records(f.iterator(f.id.arn, shard, "AFTER_SEQUENCE_NUMBER", last_seq));
    REQUIRE(resumed["Records"].size() == 1);
    CHECK(resumed["Records"][0]["dynamodb"]["NewImage"]["v"] == json{{"N", "2"}});
    // Each GetRecords issues a fresh iterator with its own 15 minutes.
    f.clock.advance(10min);
    const std::string fresh = resumed["NextShardIterator"];
    auto p2 = f.records(fresh);
    f.clock.advance(10min);
    CHECK(f.records(p2["NextShardIterator"])["Records"] == json::array());
    CHECK(f.call_error("GetRecords", {{"ShardIterator", fresh}}).type ==
          "ExpiredIteratorException");
}

TEST_CASE("§6.4 the iterator lifetime is configurable", "[emulator][streams][tricky]") {
    stream_options o;
    o.iterator_ttl = 2s;
    table_with_stream f(o);
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    const std::string it = f.iterator(f.id.arn, shard, "LATEST");
    f.clock.advance(1999ms);
    CHECK(f.records(it)["Records"] == json::array());
    f.clock.advance(1ms);
    CHECK(f.call_error("GetRecords", {{"ShardIterator", it}}).type == "ExpiredIteratorException");
}

TEST_CASE("§6.5 records older than 24 hours are trimmed: TrimmedDataAccessException",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    f.table.put(row("a", 1));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    const std::string old_seq = f.records(
        f.iterator(f.id.arn, shard, "TRIM_HORIZON"))["Records"][0]["dynamodb"]["SequenceNumber"];
    f.clock.advance(1h);
    f.table.put(row("a", 2));

    // (b) an iterator obtained before the trim points at a trimmed record when it is used.
    f.clock.advance(22h + 55min);
    const std::string horizon = f.iterator(f.id.arn, shard, "TRIM_HORIZON");
    f.clock.advance(5min);  // now 24 h after the first record: it is trimmed
    auto e = f.call_error("GetRecords", {{"ShardIterator", horizon}});
    CHECK(e.type == "TrimmedDataAccessException");

    // (a) GetShardIterator with a sequence number older than the trim point.
    auto req = json{{"StreamArn", f.id.arn},
                    {"ShardId", shard},
                    {"ShardIteratorType", "AT_SEQUENCE_NUMBER"},
                    {"SequenceNumber", old_seq}};
    CHECK(f.call_error("GetShardIterator", req).type == "TrimmedDataAccessException");
    // AFTER the last trimmed record loses nothing: allowed.
    req["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
    auto after = f.records(f.call("GetShardIterator", req)["ShardIterator"]);
    REQUIRE(after["Records"].size() == 1);

    // An old checkpoint falls back to TRIM_HORIZON: the oldest record still held.
    auto fallback = f.records(f.iterator(f.id.arn, shard, "TRIM_HORIZON"));
    REQUIRE(fallback["Records"].size() == 1);
    CHECK(fallback["Records"][0]["dynamodb"]["NewImage"]["v"] == json{{"N", "2"}});

    f.clock.advance(1h);
    CHECK(f.records(f.iterator(f.id.arn, shard, "TRIM_HORIZON"))["Records"] == json::array());
}

TEST_CASE("§6.5 retention is configurable and closed shards go away with their data",
          "[emulator][streams][tricky]") {
    stream_options o;
    o.retention = 1h;
    o.rollover_interval = 20min;
    table_with_stream f(o);
    f.table.put(row("a", 1));
    const std::string first = f.shards(f.id.arn)[0]["ShardId"];
    f.clock.advance(30min);
    CHECK(f.shards(f.id.arn).size() == 2);
    f.clock.advance(50min);  // first shard closed at 20 min: gone at 80 min
    auto shards = f.shards(f.id.arn);
    for (const auto& s : shards) CHECK(s["ShardId"] != first);
    // Its child still names it as parent (consumers treat a missing parent as done).
    CHECK(shards[0]["ParentShardId"] == first);
    auto e = f.call_error(
        "GetShardIterator",
        {{"StreamArn", f.id.arn}, {"ShardId", first}, {"ShardIteratorType", "TRIM_HORIZON"}});
    CHECK(e.type == "ResourceNotFoundException");
}

TEST_CASE("§6.6 sequence numbers change length across rollovers and only integer order is right",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    std::vector<std::string> seqs;
    for (int gen = 0; gen < 4; ++gen) {
        f.table.put(row("a", gen));
        REQUIRE(f.registry.rotate("Tbl"));
    }
    // Read the lineage parent-first: the item's records in order.
    for (const auto& s : f.shards(f.id.arn)) {
        const json page = f.records(f.iterator(f.id.arn, s["ShardId"], "TRIM_HORIZON"));
        for (const auto& r : page["Records"]) seqs.push_back(r["dynamodb"]["SequenceNumber"]);
    }
    REQUIRE(seqs.size() == 4);
    CHECK(seqs[0].size() == 21);
    CHECK(seqs[1].size() == 22);
    CHECK(seqs[2].size() == 23);
    CHECK(seqs[3].size() == 24);
    for (std::size_t i = 1; i < seqs.size(); ++i) {
        CHECK((compare_sequence_numbers(seqs[i - 1], seqs[i]) < 0));
        // The classic bug: as strings, the older (shorter) number sorts after the newer one.
        CHECK(seqs[i - 1] > seqs[i]);
    }
    for (const auto& s : seqs) CHECK(s.size() <= 40);
}

TEST_CASE("§6.7 only committed changes make records: one per change, none for no-ops",
          "[emulator][streams][tricky]") {
    // The engine reports no no-op change (its contract, table_observer.hpp); the streams layer
    // must turn each reported change into exactly one record. model_table applies the engine's
    // rules: identical put, delete of a missing key -> no item_changed call.
    table_with_stream f;
    CHECK(f.table.put(row("a", 1)));
    CHECK_FALSE(f.table.put(row("a", 1)));        // identical item
    CHECK_FALSE(f.table.remove(key("missing")));  // delete of a missing key
    CHECK(f.table.update(key("a"), "v", N(2)));
    CHECK_FALSE(f.table.update(key("a"), "v", N(2)));  // same value
    CHECK(f.table.remove(key("a")));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    auto page = f.records(f.iterator(f.id.arn, shard, "TRIM_HORIZON"));
    REQUIRE(page["Records"].size() == 3);
    CHECK(page["Records"][0]["eventName"] == "INSERT");
    CHECK(page["Records"][1]["eventName"] == "MODIFY");
    CHECK(page["Records"][2]["eventName"] == "REMOVE");
}

TEST_CASE("§6.16 ApproximateCreationDateTime is whole epoch seconds in both renderings",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    f.clock.advance(1500ms);
    f.table.put(row("a", 1));
    const std::string shard = f.shards(f.id.arn)[0]["ShardId"];
    auto page = f.records(f.iterator(f.id.arn, shard, "TRIM_HORIZON"));
    const json& t = page["Records"][0]["dynamodb"]["ApproximateCreationDateTime"];
    CHECK(t.is_number_integer());
    CHECK(t.dump() == "1704067201");  // 10 digits: seconds, not ms, no fraction
    auto cursor = f.registry.open_cursor(f.id.arn, shard, shard_iterator_type::TRIM_HORIZON);
    auto batch = f.registry.read(*cursor, 1);
    const json lambda = to_lambda_json(*batch->records[0], "us-east-1", f.id.arn);
    CHECK(lambda["dynamodb"]["ApproximateCreationDateTime"].dump() == "1704067201");
}

TEST_CASE("§6.17 a disabled then re-enabled stream gets a new ARN and the old one drains",
          "[emulator][streams][tricky]") {
    table_with_stream f;
    f.table.put(row("a", 1));
    const std::string old_arn = f.id.arn;
    f.table.disable();
    const auto renewed = f.table.enable(stream_view_type::NEW_AND_OLD_IMAGES);  // same millisecond
    CHECK(renewed.arn != old_arn);
    CHECK(renewed.label == "2024-01-01T00:00:00.001");
    f.table.put(row("a", 2));

    // Both are listed; the old one is DISABLED with every shard closed and still readable.
    auto listed = f.call("ListStreams", {{"TableName", "Tbl"}})["Streams"];
    CHECK(listed.size() == 2);
    auto d = f.call("DescribeStream", {{"StreamArn", old_arn}})["StreamDescription"];
    CHECK(d["StreamStatus"] == "DISABLED");
    for (auto& s : d["Shards"]) CHECK(s["SequenceNumberRange"].contains("EndingSequenceNumber"));
    auto old_page = f.records(f.iterator(old_arn, d["Shards"][0]["ShardId"], "TRIM_HORIZON"));
    REQUIRE(old_page["Records"].size() == 1);  // drains the old data, then ends
    CHECK(old_page["Records"][0]["dynamodb"]["NewImage"]["v"] == json{{"N", "1"}});
    CHECK_FALSE(old_page.contains("NextShardIterator"));
    // New data only on the new stream.
    auto nd = f.call("DescribeStream", {{"StreamArn", renewed.arn}})["StreamDescription"];
    CHECK(nd["StreamStatus"] == "ENABLED");
    auto new_page = f.records(f.iterator(renewed.arn, nd["Shards"][0]["ShardId"], "TRIM_HORIZON"));
    REQUIRE(new_page["Records"].size() == 1);
    CHECK(new_page["Records"][0]["eventName"] == "MODIFY");
    CHECK(f.registry.latest_stream("Tbl")->arn == renewed.arn);

    // 24 h after it was disabled the old stream is gone.
    f.clock.advance(24h);
    listed = f.call("ListStreams", {{"TableName", "Tbl"}})["Streams"];
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["StreamArn"] == renewed.arn);
    CHECK(f.call_error("DescribeStream", {{"StreamArn", old_arn}}).type ==
          "ResourceNotFoundException");
}

TEST_CASE("§1.1 stream status can show ENABLING and DISABLING for a configured while",
          "[emulator][streams][tricky]") {
    stream_options o;
    o.status_transition = 5s;
    table_with_stream f(o);
    auto status = [&](const std::string& arn) {
        return f.call("DescribeStream", {{"StreamArn", arn}})["StreamDescription"]["StreamStatus"];
    };
    CHECK(status(f.id.arn) == "ENABLING");
    f.clock.advance(5s);
    CHECK(status(f.id.arn) == "ENABLED");
    f.table.disable();
    CHECK(status(f.id.arn) == "DISABLING");
    f.clock.advance(5s);
    CHECK(status(f.id.arn) == "DISABLED");
}

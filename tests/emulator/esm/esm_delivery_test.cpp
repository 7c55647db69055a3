// Issue 5 "Event source mappings", delivery (spec/streams-and-lambda.md §4.2-§4.5, §6.8-§6.10):
// batches in stream order, retries with AWS's recorded invoke counts, the on-failure record,
// bisect, partial batch responses (each success and malformed shape), poison records that
// block only their shard, throttles that do not count, parent shards before children,
// enable/disable resumption, filters, drain() reports. All with drain() and a manual clock.
#include <atomic>

#include "esm_test_support.hpp"

#include "esser/emulator/streams/stream_lambda_event.hpp"

using namespace esser::emulator;
using namespace esser::emulator::testing;
using esser::core::error;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

bool contains_key(const json& event, const std::string& pk) {
    for (const auto& k : keys_of(event))
        if (k == pk)
            return true;
    return false;
}

// Fails every batch that holds record `pk`.
esm_behaviour fail_on(std::string pk) {
    return [pk](const json& event) -> esser::core::result<json> {
        if (contains_key(event, pk))
            return esser::core::fail(error::validation("poison " + pk));
        return json(nullptr);
    };
}

void write(esm_fixture& f, std::initializer_list<const char*> pks) {
    for (const char* pk : pks) REQUIRE(f.table.put(pk_item(pk)));
}

}  // namespace

TEST_CASE(
    "a mapping delivers the stream in batches of BatchSize, in order, with the Lambda event "
    "shape",
    "[emulator][esm][delivery]") {
    esm_fixture f;
    f.add_function("f");
    write(f, {"a", "b", "c", "d", "e"});
    const auto uuid = f.map({{"BatchSize", 2}});
    auto report = f.esm.drain();
    CHECK(report.idle);
    REQUIRE(report.mappings.size() == 1);
    CHECK(report.mappings[0].invokes == 3);
    CHECK(report.mappings[0].records_delivered == 5);
    const auto calls = f.calls();
    REQUIRE(calls.size() == 3);
    CHECK(keys_of(calls[0]) == std::vector<std::string>{"a", "b"});
    CHECK(keys_of(calls[1]) == std::vector<std::string>{"c", "d"});
    CHECK(keys_of(calls[2]) == std::vector<std::string>{"e"});
    const json& rec = calls[0]["Records"][0];
    CHECK(rec["eventSourceARN"] == f.stream_arn);
    CHECK(rec["eventSource"] == "aws:dynamodb");
    CHECK(rec["eventName"] == "INSERT");
    CHECK(rec["dynamodb"]["NewImage"]["pk"]["S"] == "a");
    CHECK(f.esm.get(uuid)->last_processing_result == "OK");

    // Nothing new: nothing happens; a new write is delivered by the next drain.
    CHECK(f.esm.drain().mappings[0].invokes == 0);
    write(f, {"f"});
    CHECK(f.esm.drain().mappings[0].invokes == 1);
    CHECK(keys_of(f.calls().back()) == std::vector<std::string>{"f"});
}

TEST_CASE("a LATEST mapping delivers only what is written after it was created",
          "[emulator][esm][delivery]") {
    esm_fixture f;
    f.add_function("f");
    write(f, {"old1", "old2"});
    f.map({{"StartingPosition", "LATEST"}});
    write(f, {"new1"});
    f.esm.drain();
    CHECK(f.delivered() == std::vector<std::string>{"new1"});
}

TEST_CASE(
    "MaximumRetryAttempts bounds the invokes of a failing batch at 1 + retries, then the "
    "on-failure record goes to the queue",
    "[emulator][esm][delivery][retries]") {
    // AWS-REC (§4.3): MaximumRetryAttempts 1 -> approximateInvokeCount 2; 3 -> 4; 0 -> one.
    const auto [retries, invokes] = GENERATE(table<int, int>({{0, 1}, {1, 2}, {3, 4}}));
    esm_fixture f;
    f.add_function("f", fail_on("a"));
    write(f, {"a"});
    f.map({{"MaximumRetryAttempts", retries},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    auto report = f.esm.drain();
    CHECK(report.idle);
    CHECK(report.mappings[0].invokes == static_cast<std::uint64_t>(invokes));
    CHECK(report.mappings[0].batches_discarded == 1);
    CHECK(f.calls().size() == static_cast<std::size_t>(invokes));
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    const json& r = failures[0];
    CHECK(r["requestContext"]["condition"] == "RetryAttemptsExhausted");
    CHECK(r["requestContext"]["approximateInvokeCount"] == invokes);
    CHECK(r["requestContext"]["functionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:f");
    CHECK(r["responseContext"]["statusCode"] == 200);
    CHECK(r["responseContext"]["executedVersion"] == "$LATEST");
    CHECK(r["responseContext"]["functionError"] == "Unhandled");
    CHECK(r["version"] == "1.0");
    const json& info = r["DDBStreamBatchInfo"];
    const auto seq = sequences_of(f.calls()[0]).at(0);
    CHECK(info["startSequenceNumber"] == seq);
    CHECK(info["endSequenceNumber"] == seq);
    CHECK(info["batchSize"] == 1);
    CHECK(info["streamArn"] == f.stream_arn);
    CHECK(info["approximateArrivalOfFirstRecord"] == "2024-01-01T00:00:00Z");
    CHECK(r["timestamp"] == "2024-01-01T00:00:00.000Z");
    // The queue holds exactly the bytes of the §4.5 record, in AWS's member order.
    const auto raw = f.queues.peek("dlq");
    REQUIRE(raw);
    CHECK(raw->at(0).body.rfind("{\"requestContext\":{\"requestId\":", 0) == 0);
    // The shard moved on: a new record is delivered once.
    write(f, {"b"});
    f.esm.drain();
    CHECK(keys_of(f.calls().back()) == std::vector<std::string>{"b"});
}

TEST_CASE("a poison record blocks only its shard while the other shards progress",
          "[emulator][esm][delivery][retries]") {
    // §6.8: with the defaults (-1/-1) a failing batch is retried until the records expire.
    stream_options so;
    so.partitions = 4;
    esm_fixture f(so);
    f.add_function("f", fail_on("poison"));
    write(f, {"poison"});
    std::vector<std::string> others;
    for (int i = 0; i < 40; ++i) {
        others.push_back("k" + std::to_string(i));
        REQUIRE(f.table.put(pk_item(others.back())));
    }
    f.map(
        {{"BatchSize", 1}, {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    auto report = f.esm.drain();
    CHECK_FALSE(report.idle);
    REQUIRE(report.mappings[0].blocked_shards.size() == 1);
    // Every record not behind the poison one in its shard was delivered; the poison one was
    // tried drain_max_attempts (10) times in this drain.
    const auto delivered = f.delivered();
    const auto poison_tries = std::count(delivered.begin(), delivered.end(), "poison");
    CHECK(poison_tries == 10);
    const auto status = f.esm.status(report.mappings[0].uuid);
    REQUIRE(status);
    std::size_t waiting = 0;
    for (const auto& s : (*status)["Shards"]) waiting += s["waitingRecords"].get<std::size_t>();
    CHECK(waiting == 1);
    // Records of other shards all arrived; the blocked shard's later records did not.
    const std::size_t delivered_others = delivered.size() - static_cast<std::size_t>(poison_tries);
    CHECK(delivered_others < others.size());
    CHECK(delivered_others > 0);
    CHECK(f.failures().empty());

    // A later drain goes on retrying (nothing is lost); once the records are older than the
    // stream's retention the batch is discarded (RecordAgeExceeded) and the shard resumes.
    f.clock->advance(24h);
    report = f.esm.drain();
    CHECK(report.idle);
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["requestContext"]["condition"] == "RecordAgeExceeded");
    CHECK(failures[0]["requestContext"]["approximateInvokeCount"] == 10);
}

TEST_CASE("MaximumRecordAgeInSeconds discards a batch whose records grew too old",
          "[emulator][esm][delivery][retries]") {
    esm_fixture f;
    f.add_function("f", fail_on("a"));
    write(f, {"a"});
    f.map({{"MaximumRecordAgeInSeconds", 60},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    f.esm.drain();
    CHECK(f.failures().empty());
    f.clock->advance(61s);
    CHECK(f.esm.drain().idle);
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["requestContext"]["condition"] == "RecordAgeExceeded");
    CHECK(failures[0]["timestamp"] == "2024-01-01T00:01:01.000Z");
}

TEST_CASE("BisectBatchOnFunctionError isolates the bad record without using retries",
          "[emulator][esm][delivery][bisect]") {
    esm_fixture f;
    f.add_function("f", fail_on("c"));
    write(f, {"a", "b", "c", "d"});
    f.map({{"BatchSize", 4},
           {"BisectBatchOnFunctionError", true},
           {"MaximumRetryAttempts", 0},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    CHECK(f.esm.drain().idle);
    std::vector<std::vector<std::string>> batches;
    for (const auto& e : f.calls()) batches.push_back(keys_of(e));
    using v = std::vector<std::string>;
    CHECK(batches ==
          std::vector<v>{v{"a", "b", "c", "d"}, v{"a", "b"}, v{"c", "d"}, v{"c"}, v{"d"}});
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["DDBStreamBatchInfo"]["batchSize"] == 1);
    CHECK(failures[0]["DDBStreamBatchInfo"]["startSequenceNumber"] ==
          sequences_of(f.calls()[3]).at(0));
    CHECK(failures[0]["requestContext"]["approximateInvokeCount"] == 1);
}

// Issue 5 speed target: a function that takes typed records (create_stream_function) is
// handed the mapping's batches without JSON; it sees the same batches, in the same order, as a
// JSON function, bisect halves included, and their text is the JSON document's dump.
TEST_CASE("a function taking typed records gets the batches a JSON function gets",
          "[emulator][esm][delivery][bisect]") {
    esm_fixture f;
    f.add_function("f", fail_on("c"));
    std::vector<std::vector<std::string>> typed;
    std::size_t text_mismatches = 0;
    function_config c;
    c.name = "t";
    auto created = f.lambda.create_stream_function(
        c, [&](const stream_lambda_event& e, in_process_context&) -> esser::core::result<json> {
            std::vector<std::string> keys;
            bool poison = false;
            for (const auto& r : e.records()) {
                keys.push_back(r->keys().find("pk")->as_s());
                poison = poison || keys.back() == "c";
            }
            typed.push_back(keys);
            if (e.text() != e.document().dump())
                ++text_mismatches;
            if (poison)
                return esser::core::fail(error::validation("poison c"));
            return json(nullptr);
        });
    REQUIRE(created);
    write(f, {"a", "b", "c", "d"});
    const json config = {
        {"BatchSize", 4}, {"BisectBatchOnFunctionError", true}, {"MaximumRetryAttempts", 0}};
    f.map(config, "f");
    f.map(config, "t");
    CHECK(f.esm.drain().idle);
    std::vector<std::vector<std::string>> from_json;
    for (const auto& e : f.calls()) from_json.push_back(keys_of(e));
    using v = std::vector<std::string>;
    CHECK(typed == std::vector<v>{v{"a", "b", "c", "d"}, v{"a", "b"}, v{"c", "d"}, v{"c"}, v{"d"}});
    CHECK(from_json == typed);
    CHECK(text_mismatches == 0);
}

TEST_CASE("a partial batch response checkpoints at the lowest failed record, as AWS recorded",
          "[emulator][esm][delivery][partial]") {
    // AWS-REC (§4.4): BatchSize 3, MaximumRetryAttempts 3, record #6 always fails: records 1-5
    // delivered once, #6 five times; the OnFailure record covers #6 only with
    // approximateInvokeCount 4 and functionError null.
    esm_fixture f;
    f.add_function("f", [](const json& event) -> esser::core::result<json> {
        json failures = json::array();
        for (const auto& r : event["Records"])
            if (r["dynamodb"]["Keys"]["pk"]["S"] == "r6")
                failures.push_back({{"itemIdentifier", r["dynamodb"]["SequenceNumber"]}});
        return json{{"batchItemFailures", failures}};
    });
    write(f, {"r1", "r2", "r3", "r4", "r5", "r6"});
    f.map({{"BatchSize", 3},
           {"MaximumRetryAttempts", 3},
           {"FunctionResponseTypes", {"ReportBatchItemFailures"}},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    CHECK(f.esm.drain().idle);
    const auto d = f.delivered();
    for (const char* k : {"r1", "r2", "r3", "r4", "r5"})
        CHECK(std::count(d.begin(), d.end(), k) == 1);
    CHECK(std::count(d.begin(), d.end(), "r6") == 5);
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["DDBStreamBatchInfo"]["batchSize"] == 1);
    CHECK(failures[0]["requestContext"]["approximateInvokeCount"] == 4);
    CHECK(failures[0]["responseContext"]["functionError"].is_null());
}

TEST_CASE("records after the lowest reported failure are delivered again",
          "[emulator][esm][delivery][partial]") {
    esm_fixture f;
    std::atomic<int> n{0};
    f.add_function("f", [&n](const json& event) -> esser::core::result<json> {
        if (n++ == 0) {
            // First invoke: b and d fail; the retry starts at b (the lowest).
            return json{{"batchItemFailures",
                         {{{"itemIdentifier", sequences_of(event)[3]}},
                          {{"itemIdentifier", sequences_of(event)[1]}}}}};
        }
        return json{{"batchItemFailures", json::array()}};
    });
    write(f, {"a", "b", "c", "d"});
    f.map({{"BatchSize", 4}, {"FunctionResponseTypes", {"ReportBatchItemFailures"}}});
    CHECK(f.esm.drain().idle);
    using v = std::vector<std::string>;
    const auto calls = f.calls();
    REQUIRE(calls.size() == 2);
    CHECK(keys_of(calls[0]) == v{"a", "b", "c", "d"});
    CHECK(keys_of(calls[1]) == v{"b", "c", "d"});
}

TEST_CASE("partial batch responses of the success shapes checkpoint the whole batch",
          "[emulator][esm][delivery][partial]") {
    // AWS-REC (§4.4): [], null, {}, {"batchItemFailures":[]}, {"batchItemFailures":null} are each
    // invoked exactly once.
    const json response =
        GENERATE(json::array(), json(nullptr), json::object(),
                 json{{"batchItemFailures", json::array()}}, json{{"batchItemFailures", nullptr}});
    esm_fixture f;
    f.add_function("f", [response](const json&) -> esser::core::result<json> { return response; });
    write(f, {"a", "b"});
    f.map({{"MaximumRetryAttempts", 3},
           {"FunctionResponseTypes", {"ReportBatchItemFailures"}},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    CHECK(f.esm.drain().idle);
    CHECK(f.calls().size() == 1);
    CHECK(f.failures().empty());
}

TEST_CASE("malformed partial batch responses count as failures of the whole batch",
          "[emulator][esm][delivery][partial]") {
    // AWS-REC (§4.4): "" / null itemIdentifier, a bad key, an identifier not in the batch: 4
    // invokes with MaximumRetryAttempts 3, then OnFailure with functionError null.
    const json response = GENERATE(json{{"batchItemFailures", {{{"itemIdentifier", ""}}}}},
                                   json{{"batchItemFailures", {{{"itemIdentifier", nullptr}}}}},
                                   json{{"batchItemFailures", {{{"foo", 123}}}}},
                                   json{{"batchItemFailures", {{{"foo", nullptr}}}}},
                                   json{{"batchItemFailures", {{{"itemIdentifier", "123"}}}}});
    esm_fixture f;
    f.add_function("f", [response](const json&) -> esser::core::result<json> { return response; });
    write(f, {"a", "b"});
    f.map({{"MaximumRetryAttempts", 3},
           {"FunctionResponseTypes", {"ReportBatchItemFailures"}},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    CHECK(f.esm.drain().idle);
    CHECK(f.calls().size() == 4);
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["responseContext"]["functionError"].is_null());
    CHECK(failures[0]["requestContext"]["approximateInvokeCount"] == 4);
    CHECK(failures[0]["DDBStreamBatchInfo"]["batchSize"] == 2);
}

TEST_CASE("without ReportBatchItemFailures the response body is ignored",
          "[emulator][esm][delivery][partial]") {
    esm_fixture f;
    f.add_function("f", [](const json&) -> esser::core::result<json> {
        return json{{"batchItemFailures", {{{"itemIdentifier", ""}}}}};
    });
    write(f, {"a"});
    f.map();
    CHECK(f.esm.drain().idle);
    CHECK(f.calls().size() == 1);
}

namespace {

// A function that answers `throttled` a number of times, then succeeds, counting every call.
class throttling_function final : public lambda_function {
public:
    explicit throttling_function(int throttles) : throttles_(throttles) {}

    invocation_result invoke(const invocation&) override {
        ++calls;
        invocation_result r;
        if (throttles_-- > 0) {
            r.status = invoke_status::throttled;
            r.error_message = "Rate exceeded";
            return r;
        }
        r.status = invoke_status::success;
        r.payload = nullptr;
        return r;
    }

    std::atomic<int> calls{0};

private:
    std::atomic<int> throttles_;
};

}  // namespace

TEST_CASE("throttles are retried without counting toward MaximumRetryAttempts",
          "[emulator][esm][delivery][retries]") {
    esm_fixture f;
    auto fn = std::make_shared<throttling_function>(5);
    function_config c;
    c.name = "t";
    REQUIRE(f.lambda.add_function(c, fn));
    write(f, {"a"});
    const auto uuid =
        f.map({{"MaximumRetryAttempts", 0},
               {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}},
              "t");
    auto report = f.esm.drain();
    CHECK(report.idle);
    CHECK(fn->calls == 6);
    CHECK(report.mappings[0].throttles == 5);
    CHECK(report.mappings[0].batches_discarded == 0);
    CHECK(f.failures().empty());
    CHECK(f.esm.get(uuid)->last_processing_result == "OK");
}

TEST_CASE("a child shard is delivered only after its parent, across rotation and split",
          "[emulator][esm][delivery][lineage]") {
    esm_fixture f;
    std::atomic<bool> fail_parent{true};
    f.add_function("f", [&](const json& event) -> esser::core::result<json> {
        if (fail_parent && contains_key(event, "p2"))
            return esser::core::fail(error::validation("not yet"));
        return json(nullptr);
    });
    write(f, {"p1", "p2"});
    REQUIRE(f.registry.rotate("Tbl"));
    write(f, {"c1"});
    REQUIRE(f.registry.split("Tbl", 2));
    write(f, {"g1", "g2", "g3"});
    f.map({{"BatchSize", 1}});
    auto report = f.esm.drain();
    // p2 keeps failing: its shard is blocked and no descendant is read.
    CHECK_FALSE(report.idle);
    auto d = f.delivered();
    CHECK(std::count(d.begin(), d.end(), "c1") == 0);
    CHECK(std::count(d.begin(), d.end(), "g1") == 0);
    fail_parent = false;
    CHECK(f.esm.drain().idle);
    d = f.delivered();
    // Order: the parent's records, then the child's, then the grandchildren's.
    const auto pos = [&](const char* k) { return std::find(d.begin(), d.end(), k) - d.begin(); };
    CHECK(pos("p2") < pos("c1"));
    CHECK(pos("c1") < pos("g1"));
    CHECK(pos("c1") < pos("g2"));
    CHECK(pos("c1") < pos("g3"));
    for (const char* k : {"p1", "c1", "g1", "g2", "g3"})
        CHECK(std::count(d.begin(), d.end(), k) == 1);
}

TEST_CASE("disabling a mapping pauses it; enabling resumes from the checkpoint",
          "[emulator][esm][delivery][state]") {
    esm_fixture f;
    f.add_function("f");
    write(f, {"a", "b"});
    const auto uuid = f.map({{"BatchSize", 1}});
    f.esm.drain();
    auto off = f.esm.update(uuid, json{{"Enabled", false}});
    REQUIRE(off);
    CHECK(off->state == esm_state::Disabling);
    CHECK(f.esm.get(uuid)->state == esm_state::Disabled);
    write(f, {"c", "d"});
    f.esm.drain();
    CHECK(f.delivered() == std::vector<std::string>{"a", "b"});
    auto on = f.esm.update(uuid, json{{"Enabled", true}});
    REQUIRE(on);
    CHECK(on->state == esm_state::Enabling);
    CHECK(f.esm.drain().idle);
    CHECK(f.delivered() == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("filtered-out records are consumed silently and move the checkpoint",
          "[emulator][esm][delivery][filters]") {
    // §4.6, §6.13: no invoke, no retry, no destination; a batch with nothing left is not sent.
    esm_fixture f;
    f.add_function("f");
    REQUIRE(f.table.put(make_item({{"pk", S("a")}, {"kind", S("keep")}})));
    REQUIRE(f.table.put(make_item({{"pk", S("b")}, {"kind", S("drop")}})));
    REQUIRE(f.table.put(make_item({{"pk", S("c")}, {"kind", S("keep")}, {"n", N(101)}})));
    const auto uuid = f.map(
        {{"FilterCriteria",
          {{"Filters", {{{"Pattern", R"({"dynamodb":{"NewImage":{"kind":{"S":["keep"]}}}})"}}}}}}});
    auto report = f.esm.drain();
    CHECK(report.mappings[0].records_filtered == 1);
    CHECK(f.delivered() == std::vector<std::string>{"a", "c"});
    // A batch that is all filtered out makes no invoke, and the checkpoint still moves.
    REQUIRE(f.table.put(make_item({{"pk", S("d")}, {"kind", S("drop")}})));
    report = f.esm.drain();
    CHECK(report.mappings[0].invokes == 0);
    CHECK(report.mappings[0].records_filtered == 1);
    auto st = f.esm.status(uuid);
    REQUIRE(st);
    auto shard = f.registry.describe(f.stream_arn)->shards.at(0).shard_id;
    auto cur = f.registry.open_cursor(f.stream_arn, shard, shard_iterator_type::TRIM_HORIZON);
    auto all = f.registry.read(*cur, 100);
    REQUIRE(all->records.size() == 4);
    CHECK((*st)["Shards"][0]["checkpoint"] == all->records.back()->sequence.to_string());
}

TEST_CASE("numeric filters never match DynamoDB N values (they are strings in the event)",
          "[emulator][esm][delivery][filters]") {
    // AWS-REC numeric_filter: {"N":[{"numeric":[">",100]}]} does not match N "101".
    esm_fixture f;
    f.add_function("f");
    REQUIRE(f.table.put(make_item({{"pk", S("a")}, {"n", N(101)}})));
    f.map({{"FilterCriteria",
            {{"Filters",
              {{{"Pattern",
                 R"({"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",100]}]}}}})"}}}}}}});
    auto report = f.esm.drain();
    CHECK(report.mappings[0].invokes == 0);
    CHECK(report.mappings[0].records_filtered == 1);
}

TEST_CASE("ParallelizationFactor keeps order per item and lets other items pass a poison item",
          "[emulator][esm][delivery][parallel]") {
    esm_fixture f;
    f.add_function("f", fail_on("poison"));
    // Several versions of each item, interleaved.
    for (int v = 1; v <= 3; ++v)
        for (const char* pk : {"a", "b", "c", "d", "e", "f", "poison"})
            REQUIRE(f.table.put(pk_item(pk, v)));
    f.map({{"ParallelizationFactor", 10},
           {"MaximumRetryAttempts", 1},
           {"BatchSize", 100},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    CHECK(f.esm.drain().idle);
    // Per item, versions arrive in order; items other than the poison one arrive exactly once.
    std::map<std::string, std::vector<std::string>> versions;
    for (const auto& e : f.calls()) {
        for (const auto& r : e["Records"]) {
            versions[r["dynamodb"]["Keys"]["pk"]["S"].get<std::string>()].push_back(
                r["dynamodb"]["NewImage"]["v"]["N"].get<std::string>());
        }
    }
    for (const char* pk : {"a", "b", "c", "d", "e", "f"})
        CHECK(versions[pk] == std::vector<std::string>{"1", "2", "3"});
    // The poison item's lane: 2 invokes (1 + 1 retry), then discarded alone or with the items
    // that share its lane -- never the whole shard.
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["DDBStreamBatchInfo"]["batchSize"].get<int>() < 21);
}

TEST_CASE("a deleted function leaves the records in place until it exists again",
          "[emulator][esm][delivery][bad_input]") {
    // Lambda could not invoke: not a function error, not counted; no record is skipped.
    esm_fixture f;
    f.add_function("f");
    write(f, {"a"});
    f.map({{"MaximumRetryAttempts", 0}});
    REQUIRE(f.lambda.delete_function("f"));
    auto report = f.esm.drain();
    CHECK_FALSE(report.idle);
    CHECK(report.mappings[0].batches_discarded == 0);
    CHECK(report.mappings[0].invokes == 0);
    f.add_function("f");
    CHECK(f.esm.drain().idle);
    CHECK(f.delivered() == std::vector<std::string>{"a"});
}

TEST_CASE("tumbling windows pass the state between invokes and end with a final invoke",
          "[emulator][esm][delivery][windows]") {
    // §4.7: window/state/shardId/eventSourceARN/isFinalInvokeForWindow in the event; the
    // function returns {"state": ...}; the final invoke closes the window.
    esm_fixture f;
    f.add_function("f", [](const json& event) -> esser::core::result<json> {
        json state = event["state"];
        state["count"] = state.value("count", 0) + static_cast<int>(event["Records"].size());
        return json{{"state", state}};
    });
    write(f, {"a", "b", "c"});  // window [00:00:00, 00:00:30)
    f.map({{"BatchSize", 2}, {"TumblingWindowInSeconds", 30}});
    f.esm.drain();
    auto calls = f.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0]["state"] == json::object());
    CHECK(calls[0]["window"] ==
          json{{"start", "2024-01-01T00:00:00.000Z"}, {"end", "2024-01-01T00:00:30.000Z"}});
    CHECK(calls[0]["isFinalInvokeForWindow"] == false);
    CHECK(calls[0]["isWindowTerminatedEarly"] == false);
    CHECK(calls[0]["eventSourceARN"] == f.stream_arn);
    CHECK(calls[0]["shardId"].get<std::string>().rfind("shardId-", 0) == 0);
    CHECK(calls[1]["state"] == json{{"count", 2}});
    // The window is still open (the clock has not passed its end): no final invoke yet. A record
    // of the next window closes it first.
    f.clock->advance(31s);
    write(f, {"d"});
    f.esm.drain();
    calls = f.calls();
    REQUIRE(calls.size() == 4);
    CHECK(calls[2]["isFinalInvokeForWindow"] == true);
    CHECK(calls[2]["Records"].empty());
    CHECK(calls[2]["state"] == json{{"count", 3}});
    CHECK(calls[3]["state"] == json::object());
    CHECK(calls[3]["window"]["start"] == "2024-01-01T00:00:30.000Z");
    CHECK(keys_of(calls[3]) == std::vector<std::string>{"d"});
    // Time passing the window's end closes it too.
    f.clock->advance(30s);
    f.esm.drain();
    calls = f.calls();
    REQUIRE(calls.size() == 5);
    CHECK(calls[4]["isFinalInvokeForWindow"] == true);
    CHECK(calls[4]["state"] == json{{"count", 1}});
}

TEST_CASE("a tumbling-window response without state is a failure",
          "[emulator][esm][delivery][windows]") {
    esm_fixture f;
    f.add_function("f", [](const json&) -> esser::core::result<json> { return json::object(); });
    write(f, {"a"});
    f.map({{"TumblingWindowInSeconds", 30},
           {"MaximumRetryAttempts", 1},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    f.esm.drain();
    CHECK(f.calls().size() == 2);
    REQUIRE(f.failures().size() == 1);
    CHECK(f.failures()[0]["responseContext"]["functionError"].is_null());
}

TEST_CASE("a shard's end closes its window before the children start",
          "[emulator][esm][delivery][windows]") {
    esm_fixture f;
    f.add_function("f", [](const json& event) -> esser::core::result<json> {
        return json{{"state", event["state"]}};
    });
    write(f, {"a"});
    REQUIRE(f.registry.rotate("Tbl"));
    write(f, {"b"});
    f.map({{"TumblingWindowInSeconds", 60}});
    f.esm.drain();
    const auto calls = f.calls();
    REQUIRE(calls.size() == 3);
    CHECK(keys_of(calls[0]) == std::vector<std::string>{"a"});
    CHECK(calls[1]["isFinalInvokeForWindow"] == true);
    CHECK(calls[1]["shardId"] == calls[0]["shardId"]);
    CHECK(keys_of(calls[2]) == std::vector<std::string>{"b"});
    CHECK(calls[2]["shardId"] != calls[0]["shardId"]);
}

TEST_CASE("a mapping follows the stream across a clock jump past the retention period",
          "[emulator][esm][delivery]") {
    // Found by the e2e scenarios: with a manual clock moved two days on, records written after
    // the jump must still be delivered (the shards the mapping was reading have expired; their
    // successors hold the new records).
    esm_fixture f;
    f.add_function("f");
    write(f, {"a"});
    f.map();
    CHECK(f.esm.drain().idle);
    CHECK(f.delivered() == std::vector<std::string>{"a"});
    f.clock->advance(48h);
    write(f, {"b"});
    CHECK(f.esm.drain().idle);
    CHECK(f.delivered() == std::vector<std::string>{"a", "b"});
    f.clock->advance(25h);
    write(f, {"c"});
    CHECK(f.esm.drain().idle);
    CHECK(f.delivered() == std::vector<std::string>{"a", "b", "c"});
}

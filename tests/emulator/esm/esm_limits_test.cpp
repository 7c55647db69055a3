// Issue 5 "Event source mappings", the limits of a delivery (spec/streams-and-lambda.md):
//  - §4.1 / §5.1: an invoke's payload is capped at 6 MB; a batch stops growing before the
//    record that would take its event past the cap (the batch is then full: no batching-window
//    wait), and a record whose event alone is over the cap is discarded with the §4.5 condition
//    MaximumPayloadSizeExceeded (responseContext null) instead of blocking its shard;
//  - §4.7: a tumbling window whose state grows over 1 MB is terminated early: its final invoke
//    says isWindowTerminatedEarly, and the window's later records start a fresh state;
//  - §6.4: iterators expire after 15 minutes, and a mapping that sat on a failing batch longer
//    than that resumes after its checkpoint, never from LATEST or TRIM_HORIZON.
#include <string>
#include <vector>

#include "esm_test_support.hpp"

#include "esser/emulator/streams/stream_lambda_event.hpp"

using namespace esser::emulator;
using namespace esser::emulator::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t six_mb = 6u * 1024 * 1024;

// An item whose Lambda JSON is about `bytes` long.
item big_item(const std::string& pk, std::size_t bytes) {
    return make_item({{"pk", S(pk)}, {"blob", S(std::string(bytes, 'x'))}});
}

}  // namespace

TEST_CASE("a batch stops before the record that would take its event over 6 MB",
          "[emulator][esm][limits]") {
    esm_fixture f;
    std::vector<std::size_t> sizes;
    function_config c;
    c.name = "t";
    REQUIRE(f.lambda.create_stream_function(
        c, [&](const stream_lambda_event& e, in_process_context&) -> esser::core::result<json> {
            sizes.push_back(e.text().size());
            std::vector<std::string> keys;
            for (const auto& r : e.records()) keys.push_back(r->keys().find("pk")->as_s());
            f.events.push_back(json{{"keys", keys}});
            return json(nullptr);
        }));
    // NEW_AND_OLD_IMAGES inserts of ~1 MB items: six fit in 6 MB, the seventh does not.
    for (int i = 0; i < 14; ++i) REQUIRE(f.table.put(big_item("k" + std::to_string(i), 1000000)));
    f.map({{"BatchSize", 100}}, "t");
    CHECK(f.esm.drain().idle);
    REQUIRE(sizes.size() == 3);
    CHECK(sizes[0] <= six_mb);
    CHECK(sizes[1] <= six_mb);
    CHECK(sizes[0] > 5u * 1000000);  // the first batch holds as many records as fit
    std::vector<std::string> delivered;
    for (const auto& e : f.events)
        for (const auto& k : e["keys"]) delivered.push_back(k.get<std::string>());
    std::vector<std::string> expected;
    for (int i = 0; i < 14; ++i) expected.push_back("k" + std::to_string(i));
    CHECK(delivered == expected);  // in order, each once
    CHECK(f.events[0]["keys"].size() == 6);
}

TEST_CASE("a record whose event alone is over 6 MB is discarded as MaximumPayloadSizeExceeded",
          "[emulator][esm][limits][bad_input]") {
    esm_fixture f;
    f.add_function("f");
    REQUIRE(f.table.put(pk_item("a")));
    REQUIRE(f.table.put(big_item("huge", six_mb + 10)));
    REQUIRE(f.table.put(pk_item("b")));
    f.map({{"BatchSize", 10},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    auto report = f.esm.drain();
    CHECK(report.idle);
    CHECK(f.delivered() == std::vector<std::string>{"a", "b"});
    REQUIRE(report.mappings.size() == 1);
    CHECK(report.mappings[0].batches_discarded == 1);
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["requestContext"]["condition"] == "MaximumPayloadSizeExceeded");
    CHECK(failures[0]["requestContext"]["approximateInvokeCount"] == 0);
    CHECK(failures[0]["responseContext"].is_null());
    CHECK(failures[0]["DDBStreamBatchInfo"]["batchSize"] == 1);
}

TEST_CASE("a tumbling window whose state grows over 1 MB is terminated early",
          "[emulator][esm][limits][windows]") {
    esm_fixture f;
    // Each invoke adds 400 KB of state: after the third batch the state is over 1 MB.
    f.add_function("f", [](const json& event) -> esser::core::result<json> {
        json state = event["state"];
        if (!event["isFinalInvokeForWindow"].get<bool>()) {
            state["n"] = state.value("n", 0) + static_cast<int>(event["Records"].size());
            state["pad"] = state.value("pad", std::string()) + std::string(400 * 1024, 'p');
        }
        return json{{"state", state}};
    });
    for (const char* pk : {"a", "b", "c", "d", "e"}) REQUIRE(f.table.put(pk_item(pk)));
    f.map({{"BatchSize", 1}, {"TumblingWindowInSeconds", 60}});
    f.esm.drain();
    const auto calls = f.calls();
    // a, b, c (state now 1.2 MB), the early final invoke, then d and e in a fresh state.
    REQUIRE(calls.size() == 6);
    CHECK(keys_of(calls[2]) == std::vector<std::string>{"c"});
    CHECK(calls[3]["isFinalInvokeForWindow"] == true);
    CHECK(calls[3]["isWindowTerminatedEarly"] == true);
    CHECK(calls[3]["Records"].empty());
    CHECK(calls[3]["state"]["n"] == 3);
    CHECK(keys_of(calls[4]) == std::vector<std::string>{"d"});
    CHECK(calls[4]["state"] == json::object());
    CHECK(calls[4]["isWindowTerminatedEarly"] == false);
    CHECK(calls[4]["window"] == calls[0]["window"]);
    CHECK(calls[5]["state"]["n"] == 1);
    for (std::size_t i : {0, 1, 2, 4, 5}) CHECK(calls[i]["isWindowTerminatedEarly"] == false);
}

TEST_CASE("a mapping blocked past the iterator lifetime resumes after its checkpoint",
          "[emulator][esm][limits]") {
    // §6.4: LocalStack re-initialises from StartingPosition here and re-delivers or skips; the
    // mapping must go on exactly after the last record it finished.
    stream_options so;
    so.iterator_ttl = std::chrono::minutes(15);
    esm_fixture f(so);
    bool failing = true;
    f.add_function("f", [&](const json&) -> esser::core::result<json> {
        if (failing)
            return esser::core::fail(esser::core::error::validation("down"));
        return json(nullptr);
    });
    for (const char* pk : {"a", "b"}) REQUIRE(f.table.put(pk_item(pk)));
    f.map({{"BatchSize", 2}});
    failing = false;
    f.esm.drain();
    REQUIRE(f.delivered() == std::vector<std::string>{"a", "b"});
    failing = true;
    for (const char* pk : {"c", "d"}) REQUIRE(f.table.put(pk_item(pk)));
    CHECK_FALSE(f.esm.drain().idle);  // c, d keep failing
    f.clock->advance(20min);          // every iterator issued so far has expired
    CHECK_FALSE(f.esm.drain().idle);
    for (const char* pk : {"e"}) REQUIRE(f.table.put(pk_item(pk)));
    failing = false;
    CHECK(f.esm.drain().idle);
    std::vector<std::string> after;
    for (const auto& e : f.calls())
        if (!e["Records"].empty())
            after.push_back(keys_of(e).front());
    // Nothing before the checkpoint again (a, b once), c/d retried, then e: never skipped.
    const auto all = f.delivered();
    CHECK(std::count(all.begin(), all.end(), "a") == 1);
    CHECK(std::count(all.begin(), all.end(), "b") == 1);
    CHECK(std::count(all.begin(), all.end(), "e") == 1);
    CHECK(all.back() == "e");
    CHECK(std::count(all.begin(), all.end(), "c") >= 2);
}

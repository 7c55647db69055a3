// Issue 5 "Event source mappings", real-time mode and functions outside the process: pollers
// woken by appends deliver without drain(); a custom runtime (the lambda tests' C++ runtime)
// served through the Runtime API receives the batches; a runtime that dies at init fails every
// invoke, and the mapping keeps its records until its retry policy discards them -- none is
// skipped or lost.
#include <condition_variable>

#include "emulator/lambda/support/runtimes.hpp"
#include "esm_test_support.hpp"

using namespace esser::emulator;
using namespace esser::emulator::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Waits (bounded) until `pred` holds, polling every millisecond.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(1ms);
    }
    return pred();
}

}  // namespace

TEST_CASE("real-time pollers deliver appends without drain()", "[emulator][esm][realtime]") {
    esm_service_options eo;
    eo.real_time = true;
    esm_fixture f({}, eo);
    f.add_function("f");
    f.map({{"BatchSize", 10}});
    for (int i = 0; i < 25; ++i) REQUIRE(f.table.put(pk_item("k" + std::to_string(i))));
    REQUIRE(eventually([&] { return f.delivered().size() == 25; }));
    const auto d = f.delivered();
    for (int i = 0; i < 25; ++i) CHECK(d[static_cast<std::size_t>(i)] == "k" + std::to_string(i));
    // stop() joins the pollers; later writes wait for drain().
    f.esm.stop();
    REQUIRE(f.table.put(pk_item("late")));
    std::this_thread::sleep_for(30ms);
    CHECK(f.delivered().size() == 25);
    f.esm.drain();
    CHECK(f.delivered().back() == "late");
}

TEST_CASE("real-time retries of a failing batch end in the OnFailure queue",
          "[emulator][esm][realtime]") {
    esm_service_options eo;
    eo.real_time = true;
    eo.retry_delay = 1ms;
    esm_fixture f({}, eo);
    f.add_function("f", [](const json&) -> esser::core::result<json> {
        return esser::core::fail(esser::core::error::validation("no"));
    });
    f.map({{"MaximumRetryAttempts", 2},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    REQUIRE(f.table.put(pk_item("a")));
    REQUIRE(f.queues.wait_for("dlq", 1, 10s));
    CHECK(f.calls().size() == 3);
    CHECK(f.failures()[0]["requestContext"]["approximateInvokeCount"] == 3);
}

TEST_CASE("a custom runtime served through the Runtime API receives the batches",
          "[emulator][esm][runtime]") {
    esm_fixture f;
    REQUIRE(f.lambda.create_function(test_runtime_config("rt")));
    REQUIRE(f.table.put(pk_item("a")));
    REQUIRE(f.table.put(pk_item("b")));
    const auto uuid = f.map({}, "rt");
    auto report = f.esm.drain();
    CHECK(report.idle);
    CHECK(report.mappings[0].invokes == 1);
    CHECK(report.mappings[0].records_delivered == 2);
    CHECK(f.esm.get(uuid)->last_processing_result == "OK");
}

TEST_CASE(
    "a runtime that exits at init fails every invoke; the records are discarded by the "
    "retry policy, never skipped",
    "[emulator][esm][runtime][bad_input]") {
    esm_fixture f;
    REQUIRE(f.lambda.create_function(test_runtime_config("dead", {"--exit-at-init", "3"})));
    REQUIRE(f.table.put(pk_item("a")));
    REQUIRE(f.table.put(pk_item("b")));
    f.map({{"MaximumRetryAttempts", 1},
           {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}},
          "dead");
    auto report = f.esm.drain();
    CHECK(report.idle);
    CHECK(report.mappings[0].invokes == 2);
    CHECK(report.mappings[0].batches_discarded == 1);
    const auto failures = f.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0]["DDBStreamBatchInfo"]["batchSize"] == 2);
    CHECK(failures[0]["responseContext"]["functionError"] == "Unhandled");
}

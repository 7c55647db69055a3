// Issue 9: emulator persistence (--data-dir) speed targets, in process.
//
//  1. durability normal: conditional PutItem (attribute_not_exists(pk)) of event-store items on
//     the events table with its NEW_IMAGE stream, the engine and the streams recording to a
//     sqlite_state_store in a temporary directory, one thread. Target: >= 50,000 puts/s.
//  2. durability full: the same from 64 threads at once (group commit: one transaction and one
//     fsync per batch of concurrent requests). Target: >= 5,000 puts/s.
//  3. durability normal from 64 threads (group commit as in 2, without the fsync): what
//     concurrent in-process clients get.
//  4. for comparison, the same single-thread puts without a data dir (no sink attached).
// Rates are acknowledged puts per second of wall-clock time (the journal appends, the SQLite
// writes and fsyncs are part of what is measured); each figure is the median of several runs on
// a fresh database. In normal mode a put is acknowledged once its journal record is written, and
// a background applier writes the records to SQLite (bounded by the journal's limit: writers
// wait for it when it falls behind); rows 1b and 3b count until the store was closed, i.e. until
// every put is in SQLite and the journal is cut: the rate the applier sustains.
//
//   build/release/bench/bench-persist [puts-per-run [group]]   (default 50000; full mode: a fifth
//   of it; group: normal-1, full-64, normal-64 or memory, default all)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "bench_util.hpp"
#include <unistd.h>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/persist/sqlite_state_store.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

using namespace esser;
using namespace esser::emulator;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json put_request(long i) {
    const std::string id = "4f1c2a9e-6a7b-4c1d-9e8f-" + std::to_string(100000000000 + i);
    return {{"TableName", "events"},
            {"Item",
             {{"pk", {{"S", "Basket#" + id}}},
              {"v", {{"N", "1"}}},
              {"entity", {{"S", "Basket"}}},
              {"id", {{"S", id}}},
              {"type", {{"S", "BasketCreated"}}},
              {"data", {{"M", {{"owner", {{"S", "ann"}}}}}}},
              {"meta", {{"M", {{"event_id", {{"S", "01HQ7Z9K3M8N2P4R6T8V0X2Z4B"}}}}}}},
              {"at", {{"S", "2024-03-01T12:00:00.000Z"}}}}},
            {"ConditionExpression", "attribute_not_exists(pk)"}};
}

struct rates {
    double acknowledged = 0;  // puts per second until the last one was acknowledged
    double stored = 0;        // puts per second until the store was closed (all in SQLite)
};

// One run: a fresh engine, streams and (unless `mode` is null) store; `threads` clients share
// `requests`.
rates run(const std::vector<json>& requests, const durability_mode* mode, int threads) {
    const fs::path dir =
        fs::temp_directory_path() / ("esser-bench-persist-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto clock = std::make_shared<core::system_clock>();
    auto ids = std::make_shared<core::seeded_id_source>(1);
    std::unique_ptr<sqlite_state_store> store;
    stream_registry registry(*clock, *ids);
    dynamo_engine engine(dynamo_engine::options{.clock = clock, .ids = ids});
    engine.set_observer(&registry);
    if (mode) {
        auto s = sqlite_state_store::open({dir / "emulator.sqlite", *mode});
        if (!s) {
            std::fprintf(stderr, "%s\n", s.error().describe().c_str());
            std::exit(1);
        }
        store = std::move(*s);
        engine.set_durability(store.get());
        registry.set_durability(store.get());
    }
    if (!engine.dispatch("CreateTable",
                         adapters::dynamodb_event_store::events_table_definition("events")))
        std::abort();
    std::atomic<long> next{0}, failed{0};
    auto client = [&] {
        for (long i; (i = next.fetch_add(1)) < static_cast<long>(requests.size());) {
            if (!engine.dispatch("PutItem", requests[static_cast<std::size_t>(i)]))
                failed.fetch_add(1);
        }
    };
    const auto t0 = bench::steady::now();
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(client);
    client();
    for (auto& t : pool) t.join();
    const double seconds = bench::seconds_since(t0);
    if (failed.load() != 0) {
        std::fprintf(stderr, "%ld puts failed\n", failed.load());
        std::exit(1);
    }
    engine.set_durability(nullptr);
    registry.set_durability(nullptr);
    engine.set_observer(nullptr);
    store.reset();
    const double stored_seconds = bench::seconds_since(t0);
    fs::remove_all(dir);
    const auto n = static_cast<double>(requests.size());
    return {n / seconds, n / stored_seconds};
}

// Runs `one` `runs` times: the acknowledged and the stored rates of each run.
std::pair<std::vector<double>, std::vector<double>> repeat_rates(
    int runs, const std::function<rates()>& one) {
    std::vector<double> acknowledged, stored;
    for (int i = 0; i < runs; ++i) {
        const rates r = one();
        acknowledged.push_back(r.acknowledged);
        stored.push_back(r.stored);
    }
    return {acknowledged, stored};
}

}  // namespace

int main(int argc, char** argv) {
    const long puts = argc > 1 ? std::atol(argv[1]) : 50000;
    // An optional second argument runs one group of rows (for a profiler): normal-1, full-64,
    // normal-64 or memory.
    const std::string only = argc > 2 ? argv[2] : "";
    const auto wanted = [&](const char* group) { return only.empty() || only == group; };
    std::vector<json> requests;
    for (long i = 0; i < puts; ++i) requests.push_back(put_request(i));
    const std::vector<json> fewer(requests.begin(), requests.begin() + puts / 5);
    const durability_mode normal = durability_mode::normal, full = durability_mode::full;

    bench::report rep("persist");
    // Normal durability from `clients`: the acknowledged rate (with `target`) and the rate until
    // every put is in SQLite.
    const auto normal_rows = [&](int clients, double target, const char* clients_text) {
        auto rates = repeat_rates(5, [&] { return run(requests, &normal, clients); });
        const std::string name =
            std::string("conditional PutItem + stream, --data-dir, normal, ") + clients_text;
        rep.add(name, "puts/s", target, rates.first,
                clients == 1 ? "wall clock, acknowledged (journaled)"
                             : "wall clock, acknowledged (journaled), group commit");
        rep.add(name + ", until in SQLite", "puts/s", 0, rates.second,
                "wall clock, until the store closed");
    };
    if (wanted("normal-1"))
        normal_rows(1, 50000, "1 client");
    if (wanted("full-64"))
        rep.add("conditional PutItem + stream, --data-dir, full, 64 clients", "puts/s", 5000,
                repeat_rates(5, [&] { return run(fewer, &full, 64); }).first,
                "wall clock, group commit");
    if (wanted("normal-64"))
        normal_rows(64, 0, "64 clients");
    if (wanted("memory"))
        rep.add("conditional PutItem + stream, in memory, 1 client", "puts/s", 0,
                repeat_rates(5, [&] { return run(requests, nullptr, 1); }).first, "wall clock");
    rep.print();
    return 0;
}

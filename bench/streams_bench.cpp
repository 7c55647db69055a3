// Issue 4: DynamoDB Streams speed targets.
//
//  1. Write overhead: in-process PutItem throughput (dynamo_engine::dispatch, the request JSON
//     built beforehand) of event-store items (pk, v, entity, id, type, data M, meta M, at; about
//     330 bytes), on a table without a stream and on one with a NEW_AND_OLD_IMAGES stream
//     attached (stream_registry as the engine's observer). Target: the stream costs at most
//     20% of the throughput. Runs alternate between the two setups so machine load hits both.
//  2. Read throughput over 1,000,000 records held by one shard:
//       subscription  stream_registry::read(cursor, 1000): the Lambda ESM path (typed records)
//       get_records   stream_registry::get_records(iterator, 1000): the GetRecords logic with
//                     iterator decode/encode and the 1 MB cap, typed records, no JSON
//       dispatch      streams_api::dispatch("GetRecords"): the same plus the JSON response
//     Target: >= 2,000,000 records/s in process.
// Each figure is the median of several runs, as records (or puts) per second of wall-clock time
// and per second of this thread's CPU time (on a shared machine the CPU rate is the one-core
// throughput).
//
//   build/release/bench/bench-streams [puts-per-run] [records]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/streams/stream_registry.hpp"
#include "esser/emulator/streams/streams_api.hpp"

using namespace esser;
using namespace esser::emulator;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct rate {
    double wall = 0, cpu = 0;
};

template <class F>
rate measure(double n, F&& body) {
    const auto t0 = steady::now();
    const double c0 = thread_cpu_seconds();
    body();
    const double c = thread_cpu_seconds() - c0;
    const double w = std::chrono::duration<double>(steady::now() - t0).count();
    return {n / w, n / c};
}

rate median(std::vector<rate> v) {
    std::vector<double> w, c;
    for (const auto& r : v) {
        w.push_back(r.wall);
        c.push_back(r.cpu);
    }
    std::sort(w.begin(), w.end());
    std::sort(c.begin(), c.end());
    return {w[w.size() / 2], c[c.size() / 2]};
}

json event_item(long i) {
    const std::string id = "4f1c2a9e-6a7b-4c1d-9e8f-" + std::to_string(100000000000 + i / 10);
    return {
        {"pk", {{"S", "Basket#" + id}}},
        {"v", {{"N", std::to_string(i % 10 + 1)}}},
        {"entity", {{"S", "Basket"}}},
        {"id", {{"S", id}}},
        {"type", {{"S", "ItemAdded"}}},
        {"data", {{"M", {{"item", {{"S", "Item#42"}}}, {"quantity", {{"N", "2"}}}}}}},
        {"meta",
         {{"M",
           {{"event_id", {{"S", "01HQ7Z9K3M8N2P4R6T8V0X2Z4B"}}}, {"command_id", {{"S", "c-1"}}}}}}},
        {"at", {{"S", "2024-03-01T12:00:00.000Z"}}}};
}

json create_events_table(bool stream) {
    json r = {{"TableName", "events"},
              {"AttributeDefinitions",
               {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
              {"KeySchema",
               {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
              {"BillingMode", "PAY_PER_REQUEST"}};
    if (stream)
        r["StreamSpecification"] = {{"StreamEnabled", true},
                                    {"StreamViewType", "NEW_AND_OLD_IMAGES"}};
    return r;
}

// One run of `requests` PutItems on a fresh engine; the stream registry attached when `stream`.
rate put_run(const std::vector<json>& requests, bool stream) {
    auto clock = std::make_shared<core::manual_clock>();
    auto ids = std::make_shared<core::seeded_id_source>(1);
    stream_registry registry(*clock, *ids);
    dynamo_engine::options o;
    o.clock = clock;
    o.ids = ids;
    dynamo_engine engine(o);
    if (stream)
        engine.set_observer(&registry);
    if (!engine.dispatch("CreateTable", create_events_table(stream)))
        std::abort();
    bool ok = true;
    rate r = measure(double(requests.size()), [&] {
        for (const auto& req : requests) ok = engine.dispatch("PutItem", req).has_value() && ok;
    });
    if (!ok) {
        std::fprintf(stderr, "PutItem failed\n");
        std::exit(1);
    }
    engine.set_observer(nullptr);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const long puts = argc > 1 ? std::atol(argv[1]) : 100000;
    const long records = argc > 2 ? std::atol(argv[2]) : 1000000;
    constexpr int put_runs = 7;
    constexpr int read_runs = 5;

    // --- 1. PutItem with and without a stream ------------------------------------------------
    std::vector<json> requests;
    requests.reserve(static_cast<std::size_t>(puts));
    for (long i = 0; i < puts; ++i)
        requests.push_back({{"TableName", "events"}, {"Item", event_item(i)}});
    std::vector<rate> without, with;
    for (int run = 0; run < put_runs; ++run) {
        without.push_back(put_run(requests, false));
        with.push_back(put_run(requests, true));
    }
    const rate w0 = median(without), w1 = median(with);
    const double overhead_wall = 1.0 - w1.wall / w0.wall;
    const double overhead_cpu = 1.0 - w1.cpu / w0.cpu;

    // --- 2. Reading `records` records from one shard --------------------------------------------
    core::manual_clock clock;
    core::seeded_id_source ids(2);
    stream_registry registry(clock, ids);
    key_schema keys;
    keys.hash = key_attribute{"pk", value_type::S};
    keys.range = key_attribute{"v", value_type::N};
    const auto id =
        registry.stream_enabled("events", "arn:aws:dynamodb:us-east-1:123456789012:table/events",
                                keys, stream_view_type::NEW_IMAGE, clock.now());
    {
        item image = *read_attribute_map(event_item(0));
        item key_item;
        key_item.set("pk", *image.find("pk"));
        key_item.set("v", *image.find("v"));
        for (long i = 0; i < records; ++i) {
            item_change c;
            c.table = "events";
            c.keys = &key_item;
            c.new_image = &image;
            c.at = clock.now();
            registry.item_changed(c);
        }
    }
    const std::string shard = registry.describe(id.arn)->shards.at(0).shard_id;
    streams_api api(registry);

    std::vector<rate> sub, typed, wire;
    std::size_t checksum = 0;
    for (int run = 0; run < read_runs; ++run) {
        sub.push_back(measure(double(records), [&] {
            auto cursor = *registry.open_cursor(id.arn, shard, shard_iterator_type::TRIM_HORIZON);
            for (long n = 0; n < records;) {
                auto b = registry.read(cursor, 1000);
                n += static_cast<long>(b->records.size());
                checksum += b->records.back()->size_bytes;
                cursor = b->next;
            }
        }));
        typed.push_back(measure(double(records), [&] {
            std::string it =
                *registry.get_shard_iterator(id.arn, shard, shard_iterator_type::TRIM_HORIZON, {});
            for (long n = 0; n < records;) {
                auto p = registry.get_records(it, 1000);
                n += static_cast<long>(p->records.size());
                checksum += p->records.back()->size_bytes;
                it = std::move(*p->next_shard_iterator);
            }
        }));
    }
    // The JSON path is much slower: fewer records per run, same rate.
    const long wire_records = std::min<long>(records, 200000);
    for (int run = 0; run < read_runs; ++run) {
        wire.push_back(measure(double(wire_records), [&] {
            json it = (*api.dispatch("GetShardIterator",
                                     {{"StreamArn", id.arn},
                                      {"ShardId", shard},
                                      {"ShardIteratorType", "TRIM_HORIZON"}}))["ShardIterator"];
            for (long n = 0; n < wire_records;) {
                auto page = api.dispatch("GetRecords", {{"ShardIterator", it}, {"Limit", 1000}});
                n += static_cast<long>((*page)["Records"].size());
                checksum += (*page)["Records"].back()["dynamodb"]["SizeBytes"].get<std::size_t>();
                it = std::move((*page)["NextShardIterator"]);
            }
        }));
    }
    const rate rs = median(sub), rt = median(typed), rw = median(wire);

    std::printf("bench-streams (medians; wall-clock / thread CPU)\n");
    std::printf("  PutItem, no stream          %10.0f /s  %10.0f /s cpu   (%d runs x %ld)\n",
                w0.wall, w0.cpu, put_runs, puts);
    std::printf("  PutItem, NEW_AND_OLD stream %10.0f /s  %10.0f /s cpu\n", w1.wall, w1.cpu);
    std::printf("  stream overhead             %9.1f %%   %9.1f %% cpu     target <= 20 %%\n",
                overhead_wall * 100, overhead_cpu * 100);
    std::printf("  read, subscription API      %10.0f rec/s  %10.0f rec/s cpu  (%d runs x %ld)\n",
                rs.wall, rs.cpu, read_runs, records);
    std::printf(
        "  read, get_records (typed)   %10.0f rec/s  %10.0f rec/s cpu   target >= 2,000,000\n",
        rt.wall, rt.cpu);
    std::printf("  read, GetRecords JSON       %10.0f rec/s  %10.0f rec/s cpu  (%d runs x %ld)\n",
                rw.wall, rw.cpu, read_runs, wire_records);
    json summary = {{"bench", "streams"},
                    {"put_no_stream_per_s", w0.wall},
                    {"put_with_stream_per_s", w1.wall},
                    {"put_no_stream_per_cpu_s", w0.cpu},
                    {"put_with_stream_per_cpu_s", w1.cpu},
                    {"stream_overhead", overhead_wall},
                    {"stream_overhead_cpu", overhead_cpu},
                    {"read_subscription_per_s", rs.wall},
                    {"read_get_records_per_s", rt.wall},
                    {"read_get_records_json_per_s", rw.wall},
                    {"checksum", checksum}};
    std::printf("%s\n", summary.dump().c_str());
    return 0;
}

// Issue 5 "Event source mappings": real-time delivery from a DynamoDB stream to an in-process
// function through an event source mapping (esm_service with real_time pollers).
//
//  1. Throughput: R records already in one shard, a TRIM_HORIZON mapping with BatchSize 100
//     is created and the clock runs until the function has seen all R. Target >= 500,000
//     records/s. Measured for the three ways an in-process function can take the batch:
//       typed  the function takes the records (create_stream_function): nothing rendered;
//       text   it reads the event's bytes (stream_lambda_event::text(), what an executable or
//              URL function is sent), so every record is rendered to JSON text;
//       json   a JSON handler (create_function): every record becomes a nlohmann::json tree.
//     The target row is `typed` (the domain's own in-process functions); the others show what
//     the rendering costs.
//  2. Latency: a LATEST mapping idles; one record is appended, the time from the append call
//     to the handler's first line is measured; the next append waits for that invoke. Target
//     p99 <= 2 ms.
// Each part runs `runs` times (default 5); the median run is reported.
//
//   build/release/bench/bench-esm [records-per-run] [latency-samples]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/esm/esm_request.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"
#include "esser/emulator/streams/stream_lambda_event.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

using namespace esser;
using namespace esser::emulator;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

json event_item(long i) {
    const std::string id = "4f1c2a9e-6a7b-4c1d-9e8f-" + std::to_string(100000000000 + i / 10);
    return {{"pk", {{"S", "Basket#" + id}}},
            {"v", {{"N", std::to_string(i % 10 + 1)}}},
            {"entity", {{"S", "Basket"}}},
            {"type", {{"S", "ItemAdded"}}},
            {"data", {{"M", {{"item", {{"S", "Item#42"}}}, {"quantity", {{"N", "2"}}}}}}},
            {"at", {{"S", "2024-03-01T12:00:00.000Z"}}}};
}

enum class takes { typed, text, json };

// One stream, one function, one real-time mapping service.
struct rig {
    std::shared_ptr<core::system_clock> clock = std::make_shared<core::system_clock>();
    std::shared_ptr<core::seeded_id_source> ids = std::make_shared<core::seeded_id_source>(5);
    stream_registry registry{*clock, *ids};
    lambda_service lambda{lambda_service_options{}, clock, ids};
    sqs_service queues{*clock, *ids};
    esm_service esm;
    std::string arn;
    item image, key_item;
    std::atomic<long> seen{0};
    std::atomic<std::int64_t> last_invoke_ns{0};

    explicit rig(takes how = takes::typed)
        : esm(lambda, registry, queues, *clock, *ids, [] {
              esm_service_options o;
              o.real_time = true;
              return o;
          }()) {
        key_schema keys;
        keys.hash = key_attribute{"pk", value_type::S};
        keys.range = key_attribute{"v", value_type::N};
        arn = registry
                  .stream_enabled("events", "arn:aws:dynamodb:us-east-1:123456789012:table/events",
                                  keys, stream_view_type::NEW_IMAGE, clock->now())
                  .arn;
        image = *read_attribute_map(event_item(0));
        key_item.set("pk", *image.find("pk"));
        key_item.set("v", *image.find("v"));
        function_config c;
        c.name = "projector";
        auto created =
            how == takes::json
                ? lambda.create_function(
                      c,
                      [this](const json& event, in_process_context&) -> core::result<json> {
                          last_invoke_ns = steady::now().time_since_epoch().count();
                          seen += static_cast<long>(event["Records"].size());
                          return json(nullptr);
                      })
                : lambda.create_stream_function(
                      c,
                      [this, how](const stream_lambda_event& event,
                                  in_process_context&) -> core::result<json> {
                          last_invoke_ns = steady::now().time_since_epoch().count();
                          if (how == takes::text && event.text().size() < event.size())
                              return core::fail(core::error::internal("short event text"));
                          seen += static_cast<long>(event.size());
                          return json(nullptr);
                      });
        if (!created) {
            std::fprintf(stderr, "create_function: %s\n", created.error().message.c_str());
            std::exit(1);
        }
    }

    void append() {
        item_change c;
        c.table = "events";
        c.keys = &key_item;
        c.new_image = &image;
        c.at = clock->now();
        registry.item_changed(c);
    }

    void map(const char* position) {
        auto cfg = parse_create_request(json{{"EventSourceArn", arn},
                                             {"FunctionName", "projector"},
                                             {"StartingPosition", position},
                                             {"BatchSize", 100}});
        auto m = esm.create(std::move(*cfg));
        if (!m) {
            std::fprintf(stderr, "create mapping: %s\n", m.error().message.c_str());
            std::exit(1);
        }
    }
};

double throughput_run(long records, takes how) {
    rig r(how);
    for (long i = 0; i < records; ++i) r.append();
    const auto t0 = steady::now();
    r.map("TRIM_HORIZON");
    const auto limit = t0 + std::chrono::seconds(60);
    while (r.seen.load() < records && steady::now() < limit)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    const double s = std::chrono::duration<double>(steady::now() - t0).count();
    if (r.seen.load() != records) {
        std::fprintf(stderr, "delivered %ld of %ld records\n", r.seen.load(), records);
        std::exit(1);
    }
    return double(records) / s;
}

struct latency {
    double p50_us = 0, p99_us = 0, max_us = 0;
};

latency latency_run(long samples) {
    rig r;
    r.map("LATEST");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pollers idle
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(samples));
    for (long i = 0; i < samples; ++i) {
        const long before = r.seen.load();
        const auto t0 = steady::now();
        r.append();
        const auto limit = t0 + std::chrono::seconds(1);
        while (r.seen.load() == before && steady::now() < limit) std::this_thread::yield();
        if (r.seen.load() == before) {
            std::fprintf(stderr, "record %ld not delivered within 1 s\n", i);
            std::exit(1);
        }
        const double d = double(r.last_invoke_ns.load() - t0.time_since_epoch().count()) / 1000.0;
        us.push_back(d);
        // Let the poller go back to sleep, as between real writes.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[std::min(us.size() - 1, std::size_t(q * us.size()))]; };
    return {at(0.50), at(0.99), us.back()};
}

}  // namespace

int main(int argc, char** argv) {
    const long records = argc > 1 ? std::atol(argv[1]) : 200000;
    const long samples = argc > 2 ? std::atol(argv[2]) : 2000;
    constexpr int runs = 5;
    std::vector<double> rates, text_rates, json_rates;
    std::vector<latency> lats;
    for (int i = 0; i < runs; ++i) {
        rates.push_back(throughput_run(records, takes::typed));
        text_rates.push_back(throughput_run(records, takes::text));
        json_rates.push_back(throughput_run(records, takes::json));
    }
    for (int i = 0; i < runs; ++i) lats.push_back(latency_run(samples));
    std::sort(rates.begin(), rates.end());
    std::sort(text_rates.begin(), text_rates.end());
    std::sort(json_rates.begin(), json_rates.end());
    std::sort(lats.begin(), lats.end(),
              [](const latency& a, const latency& b) { return a.p99_us < b.p99_us; });
    const double rate = rates[runs / 2];
    const latency lat = lats[runs / 2];
    std::printf("event source mapping, real time, in-process function (median of %d runs)\n", runs);
    std::printf(
        "  throughput, BatchSize 100, %ld records, function takes typed records: %.0f records/s "
        "(target >= 500000)\n",
        records, rate);
    std::printf("  same, function reads the event text (executable/URL bytes): %.0f records/s\n",
                text_rates[runs / 2]);
    std::printf("  same, JSON handler (nlohmann::json event): %.0f records/s\n",
                json_rates[runs / 2]);
    std::printf(
        "  append-to-invoke latency, %ld samples: p50 %.1f us, p99 %.1f us, max %.1f us "
        "(target p99 <= 2000 us)\n",
        samples, lat.p50_us, lat.p99_us, lat.max_us);
    std::printf(
        "{\"bench\":\"esm\",\"records_per_s\":%.0f,\"text_records_per_s\":%.0f,"
        "\"json_records_per_s\":%.0f,\"latency_p50_us\":%.1f,\"latency_p99_us\":%.1f,"
        "\"latency_max_us\":%.1f}\n",
        rate, text_rates[runs / 2], json_rates[runs / 2], lat.p50_us, lat.p99_us, lat.max_us);
    return 0;
}

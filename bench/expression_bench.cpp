// Issue 3: the cost of the expression language on the engine's hot paths. The engine's targets
// (conditional PutItem >= 300,000/s, Query of 100 events >= 50,000/s, on one thread) leave the
// expression work well under a microsecond per request on the PutItem path, and a fraction of a
// microsecond per item on the Query path.
//
// Cases (each: seven runs, median reported per CPU-second of this thread and per wall-second):
//   put condition      compile_request of a PutItem with ConditionExpression
//                      "attribute_not_exists(pk)" + evaluate on a missing item (the event
//                      store's append; served by the per-thread compile cache)
//   update compile     compile_request of an UpdateItem with a condition, SET/REMOVE and
//                      three values (not cacheable: it has values) + evaluate + apply
//   query compile      compile_request of a Query with KeyConditionExpression (hash = :pk AND
//                      range BETWEEN) + resolve against the key schema
//   filter per item    FilterExpression "#t = :t AND size(#d) > :n" evaluated on one item
//   projection per item ProjectionExpression "pk, v, #d.quantity" applied to one item
//
//   build/release/bench/bench-expression [iterations-per-run]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/expression.hpp"

using namespace esser::emulator;  // NOLINT(google-build-using-namespace)
using steady = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct rates {
    std::vector<double> wall, cpu;
};

template <class F>
void measure(rates& r, long n, F&& body) {
    const auto t0 = steady::now();
    const double c0 = thread_cpu_seconds();
    for (long i = 0; i < n; ++i) body();
    const double c = thread_cpu_seconds() - c0;
    const double w = std::chrono::duration<double>(steady::now() - t0).count();
    r.wall.push_back(double(n) / w);
    r.cpu.push_back(double(n) / c);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

attribute_map item_of(const char* text) {
    return *read_attribute_map(json::parse(text));
}

}  // namespace

int main(int argc, char** argv) {
    const long per_run = argc > 1 ? std::atol(argv[1]) : 200000;
    constexpr int runs = 7;

    const json put =
        json::parse(R"j({"TableName":"events","Item":{"pk":{"S":"Basket#1"},"v":{"N":"1"}},)j"
                    R"j("ConditionExpression":"attribute_not_exists(pk)"})j");
    const json update = json::parse(
        R"j({"TableName":"snapshots","Key":{"pk":{"S":"Basket#1"}},)j"
        R"j("ConditionExpression":"attribute_not_exists(pk) OR v < :v",)j"
        R"j("UpdateExpression":"SET v = :v, #s = :s, n = if_not_exists(n, :z) + :one REMOVE x",)j"
        R"j("ExpressionAttributeNames":{"#s":"state"},)j"
        R"j("ExpressionAttributeValues":{":v":{"N":"17"},":s":{"M":{"items":{"L":[{"S":"a"}]}}},)j"
        R"j(":z":{"N":"0"},":one":{"N":"1"}}})j");
    const json query = json::parse(
        R"j({"TableName":"events","KeyConditionExpression":"pk = :pk AND v BETWEEN :a AND :b",)j"
        R"j("ExpressionAttributeValues":{":pk":{"S":"Basket#1"},":a":{"N":"1"},":b":{"N":"100"}}})j");
    const json scan =
        json::parse(R"j({"TableName":"events","FilterExpression":"#t = :t AND size(#d) > :n",)j"
                    R"j("ProjectionExpression":"pk, v, #d.quantity",)j"
                    R"j("ExpressionAttributeNames":{"#t":"type","#d":"data"},)j"
                    R"j("ExpressionAttributeValues":{":t":{"S":"ItemAdded"},":n":{"N":"1"}}})j");
    const key_schema events_keys{{"pk", value_type::S}, key_attribute{"v", value_type::N}};
    const attribute_map key = item_of(R"j({"pk":{"S":"Basket#1"}})j");
    const attribute_map stored =
        item_of(R"j({"pk":{"S":"Basket#1"},"v":{"N":"16"},"n":{"N":"3"},"x":{"S":"old"},)j"
                R"j("state":{"M":{"items":{"L":[]}}}})j");
    const attribute_map event =
        item_of(R"j({"pk":{"S":"Basket#4f1c2a9e"},"v":{"N":"17"},"entity":{"S":"Basket"},)j"
                R"j("id":{"S":"4f1c2a9e"},"type":{"S":"ItemAdded"},)j"
                R"j("data":{"M":{"item":{"S":"Item#42"},"quantity":{"N":"2"}}},)j"
                R"j("meta":{"M":{"event_id":{"S":"01HQ7Z9K3M8N2P4R6T8V0X2Z4B"}}},)j"
                R"j("at":{"S":"2024-03-01T12:00:00.000Z"}})j");
    const auto scan_compiled = *compile_request(scan, expression_context::scan);
    const attribute_map empty;

    rates r_put, r_update, r_query, r_filter, r_projection;
    std::size_t sink = 0;
    for (int run = 0; run < runs; ++run) {
        measure(r_put, per_run, [&] {
            auto c = compile_request(put, expression_context::put_item);
            sink += c->condition->evaluate(empty);
        });
        measure(r_update, per_run / 10, [&] {
            auto c = compile_request(update, expression_context::update_item);
            sink += c->condition->evaluate(stored);
            sink += c->update->apply(&stored, key)->size();
        });
        measure(r_query, per_run / 10, [&] {
            auto c = compile_request(query, expression_context::query);
            sink += c->key_condition->resolve(events_keys)
                        ->matches_range(attribute_value::n(decimal::from_int(5)));
        });
        measure(r_filter, per_run, [&] { sink += scan_compiled.filter->evaluate(event); });
        measure(r_projection, per_run,
                [&] { sink += scan_compiled.projection->apply(event).size(); });
    }

    struct row {
        const char* name;
        const rates& r;
    };

    const row rows[] = {{"put condition (compile + evaluate)", r_put},
                        {"update compile + evaluate + apply", r_update},
                        {"query key condition compile + resolve", r_query},
                        {"filter evaluate, per item", r_filter},
                        {"projection apply, per item", r_projection}};
    std::printf("%-40s %16s %16s\n", "benchmark (median of 7 runs)", "per CPU-second",
                "per wall-second");
    for (const row& x : rows) {
        std::printf("%-40s %16.0f %16.0f\n", x.name, median(x.r.cpu), median(x.r.wall));
    }
    std::printf(
        "{\"benchmark\":\"expression\",\"runs\":%d,\"iterations_per_run\":%ld,"
        "\"put_condition_per_cpu_s_median\":%.0f,\"update_per_cpu_s_median\":%.0f,"
        "\"query_compile_per_cpu_s_median\":%.0f,\"filter_item_per_cpu_s_median\":%.0f,"
        "\"projection_item_per_cpu_s_median\":%.0f,\"checksum\":%zu}\n",
        runs, per_run, median(r_put.cpu), median(r_update.cpu), median(r_query.cpu),
        median(r_filter.cpu), median(r_projection.cpu), sink);
    return 0;
}

// Benchmarks of the fake DynamoDB engine (issue 3), in process, one thread.
//
// Rates are computed from the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), because the build
// machines run several jobs at once and wall time measures the neighbours; the wall-time rate of
// the same runs is printed as the note. Each measurement is repeated and the median reported.
//
//   dispatch  the JSON entry point (dynamo_engine::dispatch), request objects built once and
//             reused as a client would; the response object is built and destroyed each time.
//   native    the engine's native reads (dynamo_engine::get_item / query): decoded keys in,
//             items out in the engine's encoding (encoded_item), decoded on demand.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

#include "bench_util.hpp"
#include <sys/resource.h>
#include <unistd.h>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"

namespace {

using namespace esser;
using nlohmann::json;

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::size_t rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

struct timing {
    double cpu_rate = 0;
    double wall_rate = 0;
};

template <class F>
timing measure(std::size_t n, F&& body) {
    const double c0 = thread_cpu_seconds();
    const auto w0 = bench::steady::now();
    for (std::size_t i = 0; i < n; ++i) body(i);
    const double cpu = thread_cpu_seconds() - c0;
    const double wall = bench::seconds_since(w0);
    return {static_cast<double>(n) / cpu, static_cast<double>(n) / wall};
}

std::string uuid_like(std::size_t i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08zx-0b1d-4a2b-9c3d-%012zx", i * 2654435761u % 0xffffffffu, i);
    return buf;
}

// A ~200-byte event item of DESIGN.md's layout (item_size 214 for one-digit versions).
json event_item(std::size_t aggregate, std::size_t version) {
    const std::string id = uuid_like(aggregate);
    return {{"pk", {{"S", "Item#" + id}}},
            {"v", {{"N", std::to_string(version)}}},
            {"entity", {{"S", "Item"}}},
            {"id", {{"S", id}}},
            {"type", {{"S", "ItemPriced"}}},
            {"data", {{"M", {{"price", {{"N", "12.5"}}}, {"currency", {{"S", "EUR"}}}}}}},
            {"meta", {{"M", {{"event_id", {{"S", uuid_like(aggregate * 1000 + version)}}}}}}},
            {"at", {{"S", "2024-01-01T00:00:00.000Z"}}}};
}

std::shared_ptr<emulator::dynamo_engine> make_engine() {
    auto e = std::make_shared<emulator::dynamo_engine>();
    auto r = e->dispatch("CreateTable", {{"TableName", "events"},
                                         {"AttributeDefinitions",
                                          {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                           {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
                                         {"KeySchema",
                                          {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                           {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                                         {"BillingMode", "PAY_PER_REQUEST"}});
    if (!r)
        std::abort();
    return e;
}

void require(const adapters::aws_result& r) {
    if (!r) {
        std::fprintf(stderr, "unexpected error: %s: %s\n", r.error().type.c_str(),
                     r.error().message.c_str());
        std::abort();
    }
}

}  // namespace

int main() {
    bench::report rep("dynamo");
    constexpr int runs = 5;
    std::vector<double> put_cpu, put_wall, cput_cpu, cput_wall, get_cpu, get_wall, nget_cpu,
        nget_wall, q_cpu, q_wall, nq_cpu, nq_wall, nqd_cpu, nqd_wall;

    for (int run = 0; run < runs; ++run) {
        auto engine = make_engine();
        // PutItem, unconditional and conditional (attribute_not_exists(pk): the event store's
        // append), 100 versions per aggregate.
        constexpr std::size_t puts = 100000;
        json put = {{"TableName", "events"}, {"Item", event_item(0, 1)}};
        auto t = measure(puts, [&](std::size_t i) {
            put["Item"]["pk"]["S"] = "Item#" + uuid_like(i / 100);
            put["Item"]["v"]["N"] = std::to_string(i % 100 + 1);
            require(engine->dispatch("PutItem", put));
        });
        put_cpu.push_back(t.cpu_rate);
        put_wall.push_back(t.wall_rate);
        json cput = {{"TableName", "events"},
                     {"Item", event_item(0, 1)},
                     {"ConditionExpression", "attribute_not_exists(pk)"}};
        // The probe uses a key the unconditional loop did not write (its condition must hold).
        cput["Item"]["pk"]["S"] = "Item#probe";
        bool conditions = engine->dispatch("PutItem", cput).has_value();
        if (conditions) {
            t = measure(puts, [&](std::size_t i) {
                cput["Item"]["pk"]["S"] = "Item#" + uuid_like(100000 + i / 100);
                cput["Item"]["v"]["N"] = std::to_string(i % 100 + 1);
                require(engine->dispatch("PutItem", cput));
            });
            cput_cpu.push_back(t.cpu_rate);
            cput_wall.push_back(t.wall_rate);
        }

        // GetItem of one event among 100,000.
        constexpr std::size_t gets = 200000;
        json get = {{"TableName", "events"},
                    {"Key", {{"pk", {{"S", "Item#" + uuid_like(42)}}}, {"v", {{"N", "7"}}}}}};
        t = measure(gets, [&](std::size_t i) { require(engine->dispatch("GetItem", get)); });
        get_cpu.push_back(t.cpu_rate);
        get_wall.push_back(t.wall_rate);
        const emulator::attribute_map key = emulator::read_attribute_map(get["Key"]).value();
        t = measure(gets, [&](std::size_t) {
            auto r = engine->get_item("events", key);
            if (!r || !*r)
                std::abort();
        });
        nget_cpu.push_back(t.cpu_rate);
        nget_wall.push_back(t.wall_rate);

        // Query of one aggregate's 100 events.
        constexpr std::size_t queries = 3000;
        if (conditions) {  // KeyConditionExpression needs the expression library too
            json q = {{"TableName", "events"},
                      {"KeyConditionExpression", "pk = :pk"},
                      {"ExpressionAttributeValues", {{":pk", {{"S", "Item#" + uuid_like(42)}}}}},
                      {"ConsistentRead", true}};
            t = measure(queries, [&](std::size_t) { require(engine->dispatch("Query", q)); });
            q_cpu.push_back(t.cpu_rate);
            q_wall.push_back(t.wall_rate);
        }
        emulator::dynamo_engine::query_spec spec;
        spec.table = "events";
        spec.key.hash = emulator::attribute_value::s("Item#" + uuid_like(42));
        t = measure(queries * 10, [&](std::size_t) {
            auto r = engine->query(spec);
            if (!r || r->items.size() != 100)
                std::abort();
        });
        nq_cpu.push_back(t.cpu_rate);
        nq_wall.push_back(t.wall_rate);
        t = measure(queries, [&](std::size_t) {
            auto r = engine->query(spec);
            std::size_t n = 0;
            for (const auto& item : r->items) n += item.decode().size();
            if (n != 800)
                std::abort();
        });
        nqd_cpu.push_back(t.cpu_rate);
        nqd_wall.push_back(t.wall_rate);
    }
    auto note = [](const std::vector<double>& wall) {
        return fmt::format("wall median {:.0f}/s", bench::median(wall));
    };
    rep.add("PutItem dispatch, ~200 B event item", "items/s cpu", 0, put_cpu, note(put_wall));
    if (!cput_cpu.empty()) {
        rep.add("PutItem dispatch, attribute_not_exists(pk)", "items/s cpu", 300000, cput_cpu,
                note(cput_wall));
    }
    rep.add("GetItem dispatch", "ops/s cpu", 0, get_cpu, note(get_wall));
    rep.add("GetItem native", "ops/s cpu", 500000, nget_cpu, note(nget_wall));
    if (!q_cpu.empty())
        rep.add("Query dispatch, 100 events", "queries/s cpu", 0, q_cpu, note(q_wall));
    rep.add("Query native, 100 events", "queries/s cpu", 50000, nq_cpu, note(nq_wall));
    rep.add("Query native, 100 events, each decoded", "queries/s cpu", 0, nqd_cpu, note(nqd_wall));

    // Memory: 1,000,000 event items (10,000 aggregates x 100 versions).
    {
        const std::size_t rss0 = rss_bytes();
        auto engine = make_engine();
        json put = {{"TableName", "events"}, {"Item", event_item(0, 1)}};
        for (std::size_t i = 0; i < 1000000; ++i) {
            put["Item"] = event_item(i / 100, i % 100 + 1);
            require(engine->dispatch("PutItem", put));
        }
        const std::size_t rss1 = rss_bytes();
        const auto m = engine->memory();
        const double raw = static_cast<double>(m.raw_item_bytes);
        const double held = static_cast<double>(m.item_bytes + m.structure_bytes);
        rep.add("memory held / raw item bytes, 1,000,000 items (engine accounting)", "ratio x100",
                0, {100.0 * held / raw},
                fmt::format("raw {:.1f} MB, held {:.1f} MB", raw / 1e6, held / 1e6));
        rep.add("RSS growth / raw item bytes, 1,000,000 items", "ratio x100", 0,
                {100.0 * static_cast<double>(rss1 - rss0) / raw},
                fmt::format("RSS +{:.1f} MB; target <= 200 (2x)",
                            static_cast<double>(rss1 - rss0) / 1e6));
    }
    rep.print();
    return 0;
}

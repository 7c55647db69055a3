// Issue 9: projection apply throughput into each read store.
//
// The built-in aggregate_state_projection applies a stream of events (10,000 Item aggregates,
// events round-robin over them: ItemCreated then ItemUpdated = set /price + increment /qty,
// states of about 100 bytes) in batches of `batch` events, each batch ending with flush() (what
// stream_handler does per Lambda batch; one read_store::write, one transaction). Fresh store per
// run; the first event of each aggregate reads the store (a miss), later ones fold the cached
// state. Targets: >= 50,000 events/s into SQLite, >= 20,000 events/s into PostgreSQL.
//
//   SQLite     a WAL file in a temporary directory, synchronous=NORMAL (the default options)
//   PostgreSQL a private server started here (Debian's PostgreSQL 15, default durability:
//              fsync on, synchronous_commit on), over TCP 127.0.0.1; or $ESSER_BENCH_PG_URL
//
// Figures: median of 5 runs, events per second of wall-clock time, for batches of 100 (the
// DynamoDB event source mapping's default BatchSize) and 1,000 unless a batch size is given.
// A durable PostgreSQL commit costs one WAL fsync: on a disk doing ~180 fsyncs/s
// (pg_test_fsync) batches of 100 cannot pass ~18,000 events/s whatever the client does; larger
// batches amortise it.
//
//   build/release/bench/bench-read_store [events-per-run] [batch]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapters/support/postgres_server.hpp"
#include <nlohmann/json.hpp>

#include "esser/adapters/postgres/postgres_read_store.hpp"
#include "esser/adapters/sqlite/sqlite_read_store.hpp"
#include "esser/core/aggregate_state_projection.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/memory_read_store.hpp"

using namespace esser;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr int runs = 5;
constexpr int aggregates = 10000;

std::shared_ptr<const core::domain> shop() {
    core::domain_builder b("bench");
    b.entity("Item")
        .command("CreateItem", core::command_kind::create, "ItemCreated", json{{"type", "object"}})
        .on("ItemCreated", core::reducer_step::merge())
        .on("ItemUpdated", core::reducer_step::set("/price"))
        .on("ItemUpdated", core::reducer_step::increment("/qty"));
    auto d = b.build();
    if (!d) {
        std::fprintf(stderr, "domain: %s\n", d.error().describe().c_str());
        std::exit(1);
    }
    return *d;
}

std::vector<core::event> make_events(std::size_t n) {
    std::vector<core::event> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        core::event e;
        e.entity = "Item";
        e.id = "item-" + std::to_string(i % aggregates);
        e.version = i / aggregates + 1;
        if (e.version == 1) {
            e.type = "ItemCreated";
            e.data = {{"name", "Yummy Choc " + std::to_string(i)}, {"price", 10.5}, {"qty", 1}};
        } else {
            e.type = "ItemUpdated";
            e.data = {{"price", 10.5 + double(e.version)}, {"qty", 2}};
        }
        e.meta = {"ev-" + std::to_string(i), "cmd-" + std::to_string(i), "corr", "cause"};
        e.at = "2024-01-01T00:00:00.000Z";
        out.push_back(std::move(e));
    }
    return out;
}

// Events per wall-clock second of one run, or a negative number on a failure (printed).
double run_once(const std::shared_ptr<const core::domain>& d, core::read_store& store,
                const std::vector<core::event>& events, std::size_t batch) {
    core::aggregate_state_projection proj(d, store);
    const auto t0 = steady::now();
    for (std::size_t i = 0; i < events.size(); i += batch) {
        const std::size_t end = std::min(events.size(), i + batch);
        for (std::size_t j = i; j < end; ++j) {
            if (auto r = proj.apply(events[j]); !r) {
                std::fprintf(stderr, "apply: %s\n", r.error().describe().c_str());
                return -1;
            }
        }
        if (auto r = proj.flush(); !r) {
            std::fprintf(stderr, "flush: %s\n", r.error().describe().c_str());
            return -1;
        }
    }
    const double w = std::chrono::duration<double>(steady::now() - t0).count();
    // Sanity: the last aggregate's row holds the last version.
    auto last = store.get("item", events.back().id);
    if (!last || !*last || (*last)->version != events.back().version) {
        std::fprintf(stderr, "the read store does not hold the last event\n");
        return -1;
    }
    return double(events.size()) / w;
}

template <class MakeStore>
double median_rate(const char* label, const std::shared_ptr<const core::domain>& d,
                   const std::vector<core::event>& events, std::size_t batch, MakeStore make) {
    std::vector<double> rates;
    for (int r = 0; r < runs; ++r) {
        auto store = make(r);
        if (!store)
            return -1;
        const double x = run_once(d, *store, events, batch);
        if (x < 0)
            return -1;
        rates.push_back(x);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("%-12s %12.0f events/s (median of %d; min %.0f, max %.0f)\n", label,
                rates[rates.size() / 2], runs, rates.front(), rates.back());
    return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    std::vector<std::size_t> batches = {100, 1000};
    if (argc > 2)
        batches = {std::strtoull(argv[2], nullptr, 10)};
    if (n < aggregates || batches[0] == 0) {
        std::fprintf(stderr, "usage: bench-read_store [events-per-run >= %d] [batch >= 1]\n",
                     aggregates);
        return 2;
    }
    const auto d = shop();
    const auto events = make_events(n);
    std::unique_ptr<testing::postgres_server> server;
    std::string url;
    if (const char* env = std::getenv("ESSER_BENCH_PG_URL"); env && *env) {
        url = env;
    } else {
        try {
            server = testing::postgres_server::start({.durable = true});
            url = server->url();
        } catch (const std::exception& e) {
            std::printf("postgres     skipped: %s\n", e.what());
        }
    }
    bool failed = false;
    for (const std::size_t batch : batches) {
        std::printf("projection apply: %zu events over %d aggregates, batches of %zu\n", n,
                    aggregates, batch);
        const double memory = median_rate("memory", d, events, batch, [](int) {
            return std::unique_ptr<core::read_store>(std::make_unique<core::memory_read_store>());
        });
        const auto dir = std::filesystem::temp_directory_path() / "esser-bench-read-store";
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        const double sqlite = median_rate("sqlite", d, events, batch, [&](int r) {
            adapters::sqlite_read_store::options o;
            o.path = (dir / ("run" + std::to_string(r) + ".db")).string();
            auto s = adapters::sqlite_read_store::open(o);
            if (!s)
                std::fprintf(stderr, "sqlite: %s\n", s.error().describe().c_str());
            return s ? std::unique_ptr<core::read_store>(std::move(*s)) : nullptr;
        });
        std::filesystem::remove_all(dir);
        double postgres = -1;
        if (!url.empty()) {
            postgres = median_rate("postgres", d, events, batch, [&](int) {
                adapters::postgres_read_store::options o;
                o.conninfo = url;
                auto s = adapters::postgres_read_store::open(o);
                if (!s) {
                    std::fprintf(stderr, "postgres: %s\n", s.error().describe().c_str());
                    return std::unique_ptr<core::read_store>();
                }
                if (auto dr = (*s)->drop("item"); !dr)
                    std::fprintf(stderr, "postgres drop: %s\n", dr.error().describe().c_str());
                return std::unique_ptr<core::read_store>(std::move(*s));
            });
        }
        std::printf(
            "{\"bench\":\"read_store\",\"events\":%zu,\"batch\":%zu,"
            "\"memory_events_per_s\":%.0f,\"sqlite_events_per_s\":%.0f,"
            "\"postgres_events_per_s\":%.0f,\"targets\":{\"sqlite\":50000,\"postgres\":20000}}\n",
            n, batch, memory, sqlite, postgres);
        failed = failed || sqlite < 0 || (!url.empty() && postgres < 0);
    }
    return failed ? 1 : 0;
}

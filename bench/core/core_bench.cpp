// bench-core: the core engine's speed targets (issue 2), measured on one thread.
//
//  1. fold with built-in reducers: events folded per second (target >= 1,000,000/s), on the
//     shop's Item reducer (set / union) and on a counter (increment), events pre-built in memory.
//  2. command handling: validate + decide + append to the in-memory store, through the real
//     command_handler with the shop domain (target >= 200,000 commands/s). Each command loads
//     its aggregate from the store (snapshot + tail), as the stateless command Lambda does.
//  3. loading an aggregate of 10,000 events with snapshots every 100: events read per load
//     (must be <= 100) and loads per second.
//
// Every measurement runs 5 times; the table shows median, min and max of per-thread CPU-time
// rates (bench_util.hpp).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "core/memory_event_store.hpp"
#include <fmt/format.h>

#include "esser/core/aggregate_repository.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/id_source.hpp"

namespace core = esser::core;
using esser::bench::cpu_timer;
using esser::bench::repeat;
using esser::testing::memory_event_store;
using nlohmann::json;

namespace {

constexpr int runs = 5;

std::shared_ptr<const core::domain> shop() {
    auto d = core::load_domain_file(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    if (!d) {
        fmt::print(stderr, "cannot load the shop domain: {}\n", d.error().describe());
        std::exit(1);
    }
    return *d;
}

core::event make_event(std::uint64_t v, std::string type, json data, core::seeded_id_source& ids) {
    core::event e;
    e.entity = "Item";
    e.id = "bench-item";
    e.version = v;
    e.type = std::move(type);
    e.data = std::move(data);
    e.meta.event_id = ids.uuid();
    e.meta.command_id = ids.uuid();
    e.meta.correlation_id = e.meta.command_id;
    e.meta.causation_id = e.meta.command_id;
    e.at = "2024-01-01T00:00:00.000Z";
    return e;
}

// Folds `events` (versions 1..n) `rounds` times; returns events per second.
double fold_rate(const core::entity_def& ent, const std::vector<core::event>& events, int rounds) {
    cpu_timer t;
    std::size_t folded = 0;
    for (int r = 0; r < rounds; ++r) {
        core::aggregate a;
        a.stream = {"Item", "bench-item"};
        a.state = ent.initial_state;
        if (auto res = ent.reduce.fold(a, events); !res) {
            fmt::print(stderr, "fold failed: {}\n", res.error().describe());
            std::exit(1);
        }
        folded += events.size();
    }
    return t.rate(static_cast<double>(folded));
}

}  // namespace

int main(int argc, char** argv) {
    // Optional argument: run only the sections whose name contains it (fold, commands, load).
    const std::string only = argc > 1 ? argv[1] : "";
    auto wanted = [&](const char* section) {
        return only.empty() || std::string(section).find(only) != std::string::npos;
    };
    auto d = shop();
    esser::bench::report rep("core");

    // 1. Fold.
    if (wanted("fold")) {
        core::seeded_id_source ids(1);
        const std::vector<std::string> colors = {"orange", "black", "white", "blue", "green"};
        std::vector<core::event> item_events;
        const std::uint64_t n = 100000;
        item_events.push_back(
            make_event(1, "ItemCreated", {{"name", "Choc"}, {"price", 1.5}}, ids));
        for (std::uint64_t v = 2; v <= n; ++v) {
            if (v % 2) {
                item_events.push_back(make_event(
                    v, "ColorsAdded", {{"colors", {colors[v % 5], colors[(v + 1) % 5]}}}, ids));
            } else {
                item_events.push_back(
                    make_event(v, "PriceUpdated", {{"price", static_cast<double>(v) / 4}}, ids));
            }
        }
        const auto& item = *d->find("Item");
        rep.add("fold: shop Item reducer (merge/set/union)", "events/s", 1e6,
                repeat(runs, [&] { return fold_rate(item, item_events, 10); }),
                "100k events x 10 per run");

        core::domain_builder b("bench");
        b.entity("Counter")
            .command("Add", core::command_kind::update, "Added", json::object())
            .on("Added", core::reducer_step::increment("/total", "/n"))
            .on("Added", core::reducer_step::set("/last", "/n"));
        auto counter = b.build().value();
        std::vector<core::event> counter_events;
        for (std::uint64_t v = 1; v <= n; ++v) {
            auto e = make_event(v, "Added", {{"n", v % 7}}, ids);
            e.entity = "Counter";
            counter_events.push_back(std::move(e));
        }
        rep.add(
            "fold: counter reducer (increment/set)", "events/s", 1e6,
            repeat(runs, [&] { return fold_rate(*counter->find("Counter"), counter_events, 10); }),
            "100k events x 10 per run");
    }

    // 2. Command handling through command_handler + the in-memory store.
    if (wanted("commands")) {
        const int items = 2000;
        const int updates_per_item = 20;  // stays below the shop's snapshot interval (50)
        std::vector<double> creates, updates, mixed;
        for (int r = 0; r < runs; ++r) {
            memory_event_store store;
            core::manual_clock clk;
            core::seeded_id_source ids(static_cast<std::uint64_t>(r) + 1);
            core::command_handler h(d, store, clk, ids);
            std::vector<std::string> ids_created;
            ids_created.reserve(items);
            cpu_timer t;
            for (int i = 0; i < items; ++i) {
                core::command c;
                c.entity = "Item";
                c.name = "CreateItem";
                c.data = {{"name", "Item " + std::to_string(i)}, {"price", 1.0}};
                auto res = h.handle(c);
                if (!res) {
                    fmt::print(stderr, "create failed: {}\n", res.error().describe());
                    return 1;
                }
                ids_created.push_back(res->stream.id);
            }
            creates.push_back(t.rate(items));
            t.restart();
            for (int u = 1; u <= updates_per_item; ++u) {
                for (int i = 0; i < items; ++i) {
                    core::command c;
                    c.entity = "Item";
                    c.name = "UpdatePrice";
                    c.id = ids_created[static_cast<std::size_t>(i)];
                    c.data = {{"price", 1.0 + u}};
                    auto res = h.handle(c);
                    if (!res) {
                        fmt::print(stderr, "update failed: {}\n", res.error().describe());
                        return 1;
                    }
                }
            }
            updates.push_back(t.rate(items * updates_per_item));
            // A mix as a shop sees it: baskets created, items added with and without checks.
            t.restart();
            int done = 0;
            for (int i = 0; i < items / 4; ++i) {
                core::command c;
                c.entity = "Basket";
                c.name = "CreateBasket";
                c.data = {{"name", "b"}};
                auto basket = h.handle(c);
                if (!basket)
                    return 1;
                ++done;
                for (int k = 0; k < 3; ++k) {
                    core::command add;
                    add.entity = "Basket";
                    add.id = basket->stream.id;
                    add.name = k == 2 ? "AddItemWithExistenceValidation" : "AddItem";
                    add.data = {
                        {"item_id", ids_created[static_cast<std::size_t>((i * 3 + k) % items)]}};
                    if (!h.handle(add))
                        return 1;
                    ++done;
                }
            }
            mixed.push_back(t.rate(done));
        }
        rep.add("commands: CreateItem (new aggregates)", "commands/s", 2e5, creates);
        rep.add("commands: UpdatePrice (x-diff; tails of 1-20 events)", "commands/s", 2e5, updates,
                "2000 items x 20");
        rep.add("commands: basket mix (create, add, add-with-exists)", "commands/s", 0, mixed);
    }

    // 3. Loading a 10,000-event aggregate with snapshots every 100.
    if (wanted("load")) {
        core::domain_builder b("bench");
        b.entity("Counter")
            .command("Create", core::command_kind::create, "Created", json{{"type", "object"}})
            .command("Add", core::command_kind::update, "Added",
                     json::parse(R"({"type":"object","properties":{"n":{"type":"integer"}}})"))
            .on("Added", core::reducer_step::increment("/total", "/n"))
            .snapshot_every(100);
        auto counter = b.build().value();
        memory_event_store store;
        core::manual_clock clk;
        core::seeded_id_source ids(9);
        core::command_handler h(counter, store, clk, ids);
        core::command c;
        c.entity = "Counter";
        c.name = "Create";
        c.id = "big";
        if (!h.handle(c))
            return 1;
        c.name = "Add";
        c.data = {{"n", 1}};
        for (int i = 2; i <= 10037; ++i) {  // ends 37 events past the last snapshot
            if (!h.handle(c))
                return 1;
        }
        core::aggregate_repository repo(counter, store);
        std::uint64_t read_per_load = 0;
        auto rates = repeat(runs, [&] {
            const int loads = 20000;
            store.reset_counters();
            cpu_timer t;
            for (int i = 0; i < loads; ++i) {
                auto a = repo.load({"Counter", "big"});
                if (!a || a->version != 10037)
                    std::exit(1);
            }
            const double rate = t.rate(loads);
            read_per_load = store.events_read() / loads;
            return rate;
        });
        if (read_per_load > 100) {
            fmt::print(stderr, "loading read {} events (> 100)\n", read_per_load);
            return 1;
        }
        rep.add("load: 10,037-event aggregate, snapshots every 100", "loads/s", 0, rates,
                fmt::format("{} events read per load (<= 100)", read_per_load));
    }

    rep.print();
    return 0;
}

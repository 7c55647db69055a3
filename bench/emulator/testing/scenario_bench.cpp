// bench-scenarios (issue 7): how fast the harness runs aggregate scenarios in process, and the
// CPU time of the whole shop scenario suite (files parsed, domain loaded, every scenario run).
//
//   build/release/bench/bench-scenarios [scenarios-per-run]
//
// Targets: >= 5,000 in-process aggregate scenarios/s; the shop suite in < 1 s of CPU (reported
// as suite runs per CPU-second, target 1).
#include <cstdlib>
#include <string>

#include "bench_util.hpp"

#include "esser/core/domain_file.hpp"
#include "esser/emulator/testing/aggregate_fixture.hpp"
#include "esser/emulator/testing/scenario_runner.hpp"

namespace {

using esser::emulator::aggregate_fixture;
using nlohmann::json;

}  // namespace

int main(int argc, char** argv) {
    const int per_run = argc > 1 ? std::atoi(argv[1]) : 5000;
    const std::string shop = std::string(ESSER_SOURCE_DIR) + "/scenarios/shop";
    auto domain = esser::core::load_domain_file(shop + "/domain.json");
    if (!domain) {
        fmt::print(stderr, "{}\n", domain.error().describe());
        return 1;
    }
    const json created = {{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 10.5}}}};
    const json update = {{"command", "UpdatePrice"}, {"data", {{"price", 12.5}}}};
    const json expected = {{"type", "PriceUpdated"}, {"data", {{"price", 12.5}}}};
    const json state = {{"name", "Choc"}, {"price", 12.5}, {"latest_version", 2}};

    esser::bench::report rep("scenarios");
    // One scenario: a fresh fixture (its own store), one given event, one command, two thens
    // (each with the determinism check).
    rep.add("in-process aggregate scenarios", "scenarios/s", 5000, esser::bench::repeat(5, [&] {
                esser::bench::cpu_timer t;
                for (int i = 0; i < per_run; ++i) {
                    aggregate_fixture fx(*domain);
                    fx.on("Item", "item-1")
                        .given({created})
                        .when(update)
                        .then_events({expected})
                        .then_state(state);
                }
                return t.rate(per_run);
            }));
    // Where the time of one scenario goes: a fixture alone (its engine and tables), no target.
    rep.add("fixture setup (engine + event tables)", "fixtures/s", 0, esser::bench::repeat(5, [&] {
                esser::bench::cpu_timer t;
                for (int i = 0; i < per_run; ++i) {
                    aggregate_fixture fx(*domain);
                }
                return t.rate(per_run);
            }));
    const std::size_t scenarios = esser::emulator::scenario_runner().run({shop}).size();
    rep.add("shop scenario suite (files + domain + run)", "suites/s", 1,
            esser::bench::repeat(
                5,
                [&] {
                    esser::bench::cpu_timer t;
                    esser::emulator::scenario_runner runner;
                    auto results = runner.run({shop});
                    for (const auto& r : results) {
                        // The end-to-end (http) scenarios are skipped: no esser-local here.
                        if (r.outcome != esser::emulator::scenario_result::status::passed &&
                            r.outcome != esser::emulator::scenario_result::status::skipped) {
                            fmt::print(stderr, "{} failed: {}\n", r.file, r.message);
                            std::exit(1);
                        }
                    }
                    return t.rate(1);
                }),
            fmt::format("({} scenarios)", scenarios));
    rep.print();
    return 0;
}

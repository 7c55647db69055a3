#pragma once
// Scenario files: given-when-then aggregate tests as data (issue 7; format documented in
// scenarios/README.md, after spec/testing-harness.md §3.2). One scenario per
// `<name>.scenario.json` file:
//
//   {"scenario": "updating to the same price is rejected",
//    "group": "shop/item",
//    "domain": "domain.json",                      // relative to the file; default: the nearest
//                                                  // domain.json in its folder or a parent
//    "seed": 42,
//    "clock": {"start": "2024-01-01T00:00:00Z", "tick": "1s"},
//    "aggregate": "Item", "id": "item-1",          // the default stream of the steps
//    "ignoring": ["/meta", "/at"],
//    "steps": [
//      {"given": [{"type": "ItemCreated", "data": {"name": "Choc", "price": 10.5}}]},
//      {"when": {"command": "UpdatePrice", "data": {"price": 10.5}}},
//      {"then": {"error": {"type": "validation", "pointer": "/price",
//                          "message": "already has the value"},
//                "events": {"match": "none"},
//                "state": {"match": "subset", "value": {"price": 10.5}}}}]}
//
// Instead of "steps", a scenario may use the spec's short form: top-level "given",
// "given_commands", "when" and "then", run in that order.
//
// Steps: given (events, or names from the scenario's "events" map), given_commands,
// given_nothing, advance ("25h"), when (a command or a list: one act), then (events / error /
// success / state / projection / ignoring), drain (projections), append (store level: {"append":
// "<id>", "entity"?, "events", "expect": "no_stream" | "any" | N, "result": "ok" | "conflict" |
// "idempotent"}), ignoring.
//
// parse_scenario() checks the whole document before anything runs, against the domain (entities
// and commands exist), and reports every problem with its JSON Pointer and what is expected
// (errc::parse_error, source = the file). run_scenario() runs it on an aggregate_fixture.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"

namespace esser::emulator {

struct scenario_step {
    enum class kind : std::uint8_t {
        given,
        given_commands,
        given_nothing,
        advance,
        when,
        then,
        append,
        ignoring,
        drain,
        // target "http" only (http_scenario.hpp): esser-local over its HTTP API.
        send,
        request,
        set_clock,
        rotate,
        projection,
        queue,
    };
    kind what = kind::given;
    std::string pointer;   // where the step is in the file ("/steps/2", or "/when" in short form)
    nlohmann::json body;   // the step's value, normalized (named events resolved, lists made)
    nlohmann::json extra;  // for append and every http step: the whole step object
};

// "given", "when", "send", ... (the step's name in files and reports).
std::string_view to_string(scenario_step::kind k) noexcept;

// Where a scenario runs: the in-process harness (aggregate_fixture), or a running esser-local
// reached over HTTP (run_http_scenario).
enum class scenario_target : std::uint8_t { in_process, http };

struct scenario {
    std::string file;  // as given to the loader
    std::string name;
    std::string description;
    std::string group;
    std::string domain_file;  // resolved path
    std::uint64_t seed = 42;
    core::time_point start =
        core::time_point(std::chrono::milliseconds(core::manual_clock::default_origin_ms));
    core::duration tick{0};
    std::string entity;  // default stream
    std::string id;
    std::vector<std::string> ignoring;
    nlohmann::json named_events = nlohmann::json::object();  // the file's "events" map
    bool check_determinism = true;
    scenario_target target = scenario_target::in_process;
    // http: POST /esser/v1/reset before the steps (the scenario starts from an empty emulator).
    bool reset = true;
    // A drain step or a then.projection check: the fixture runs with its projection path.
    bool projections = false;
    std::vector<scenario_step> steps;
    std::shared_ptr<const core::domain> domain;
};

// Loads a domain file (cached by the caller). Errors are the domain loader's.
using domain_loader =
    std::function<core::result<std::shared_ptr<const core::domain>>(const std::string& path)>;

// Parses and checks a scenario document. `file` names it in errors and anchors relative paths.
[[nodiscard]] core::result<scenario> parse_scenario(const nlohmann::json& doc,
                                                    const std::string& file,
                                                    const domain_loader& load_domain);

// Reads `path` (errc::parse_error with line and column for bad JSON, errc::not_found when
// unreadable) and parses it.
[[nodiscard]] core::result<scenario> load_scenario_file(const std::string& path,
                                                        const domain_loader& load_domain);

// Runs a parsed scenario. Success, or the failure report: "<pointer> (<step>): <what failed>"
// followed by the harness's story (diff, history, commands). `seed` overrides the file's.
[[nodiscard]] core::result<void> run_scenario(const scenario& s,
                                              std::optional<std::uint64_t> seed = std::nullopt);

}  // namespace esser::emulator

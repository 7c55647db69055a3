#pragma once
// The given-when-then harness for aggregates (issue 7; spec/testing-harness.md §3.1, after Axon's
// AggregateTestFixture, Eventuous and EventStoreDB's expected-version matrix).
//
//   auto domain = core::load_domain_file("scenarios/shop/domain.json").value();
//   emulator::aggregate_fixture fx(domain);           // seed 42, clock at 2024-01-01T00:00:00Z
//   fx.on("Item", "item-1")
//       .given({{{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 10.5}}}}})
//       .when({{"command", "UpdatePrice"}, {"data", {{"price", 10.5}}}})
//       .then_error("validation", "/price", "already has the value")
//       .then_no_events();
//
// Production path: by default the fixture runs the core command_handler on
// adapters::dynamodb_event_store over an in-process emulator::dynamo_engine (its own, with the
// fixture's clock and seeded ids), i.e. the same requests a command Lambda sends to DynamoDB.
// options::store replaces the store (any core::event_store).
//
// Steps:
//   given(events)            appends events to a stream as they are (type, data; optional at,
//                            meta); versions follow the stream, ids come from the seed
//   given_commands(cmds)     runs commands through the handler; each must succeed
//   given_nothing()          states that the history is empty
//   advance(d)               moves the manual clock
//   when(cmd) [when(cmd)...] runs commands; consecutive whens form one act (a failing command
//                            ends the act: later whens in it are not run)
//   then_events(list, mode)  the act's events: exact | prefix | contains | none (see below)
//   then_error(type, ptr, text)  the act failed with that errc name ("validation", or the
//                            spec's spelling "ValidationError"), a field at that JSON Pointer,
//                            and that text in the message or the field's reason
//   then_success()           the act did not fail
//   then_state(json, mode)   the aggregate's state (reloaded from the store) is exactly /
//                            a superset of `json`; then_state_at(stream, v, ...) at version v
//   ignoring(patterns)       JSON Pointer patterns (`*`, `**`) never compared from now on, in
//                            events (relative to each event) and in states
//   append(...).then_append(ok | conflict | idempotent)   store-level steps (below)
//   drain()                  (options::projections) delivers what the streams hold to the
//                            projections; fails when a batch stays failing
//   then_projection(name, id, json, mode)  drains, then the read-model row `id` of projection
//                            `name` ("item": the entity's collection) is exactly / a superset
//                            of `json`; then_no_projection_row(name, id): drains, no such row
//
// Event expectations are JSON objects naming only what matters: {"type": "PriceUpdated",
// "data": {"price": 12.5}}. Members left out (version, meta, at, entity, id) are not compared;
// "data" is compared exactly (the whole data), the other members as subsets ("meta":
// {"command_id": "c1"} ignores the event_id).
//
// Determinism: every then_* first folds each touched stream's full history (given and produced
// events) twice with the entity's reducer, from copies, and requires the same state both times,
// unchanged events, and the state the store's loading path (snapshots included) gives. A
// reducer that reads the outside world or mutates its input fails the test there. Opt out with
// options::check_determinism = false.
//
// Failures: a then_* that does not hold throws expectation_failure whose what() is the whole
// story: the check, expected vs actual as a JSON diff with paths, the given history, the
// commands of the act and what they produced. Catch2 reports it as the test's failure
// (REQUIRE_NOTHROW is not needed). A given step that cannot be set up throws it too.
//
// Projection steps (options::projections = true): the events take the real path, as
// esser-local wires it (emulator/esm/domain_projections.hpp): the fake table's stream, an event
// source mapping on it, the projector function (core stream_handler with the built-in
// aggregate_state_projection) into a memory read store. Nothing runs by itself: drain() (and
// every then_projection, which drains first) runs the mappings until idle on the manual clock,
// so there are no sleeps and the rows are deterministic:
//
//   aggregate_fixture fx(domain, {.projections = true});
//   fx.on("Item", "item-1").given_commands({{{"command", "CreateItem"}, ...}})
//     .when({{"command", "UpdatePrice"}, {"data", {{"price", 12.5}}}})
//     .then_projection("item", "item-1", {{"price", 12.5}}, diff_mode::subset);
//
// Store-level steps (EventStoreDB's idempotency matrix), on the event_store port itself:
//   auto e0 = fx.make_event("ItemCreated", {{"name","Choc"},{"price",1}});
//   fx.append(s, {e0}, expected_version::no_stream()).then_append(append_outcome::ok)
//     .append(s, {e0}, expected_version::any()).then_append(append_outcome::idempotent)
//     .append(s, {e1}, expected_version::exact(0)).then_append(append_outcome::conflict);
// Versions are assigned from the expected version (from the stream's last version for `any`).
// An append is idempotent when every event (by meta.event_id) is already in the stream: at
// exactly the positions an exact / no_stream append would write, anywhere for `any`; nothing
// is written then. Otherwise the store decides: ok, or version_conflict.
//
// Not thread-safe: one fixture per test. Deterministic: the same steps and seed give the same
// ids, timestamps and events on every run.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/command.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/event_store.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/read_store.hpp"
#include "esser/emulator/testing/json_diff.hpp"

namespace esser::emulator {

// A then_* that did not hold, or a given that could not be set up. what() is the readable report.
class expectation_failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class events_match : std::uint8_t {
    exact,     // the same number of events, each matching in order
    prefix,    // the act's first events match, in order; more may follow
    contains,  // each expected event matches a distinct produced event, in any order
    none,      // the act produced no event
};

// "exact" | "prefix" | "contains" | "none".
core::result<events_match> events_match_from_string(std::string_view s);
std::string_view to_string(events_match m) noexcept;

enum class append_outcome : std::uint8_t { ok, conflict, idempotent };

// "ok" | "conflict" | "idempotent".
core::result<append_outcome> append_outcome_from_string(std::string_view s);
std::string_view to_string(append_outcome o) noexcept;

// "validation", "ValidationError", "version_conflict", "VersionConflict", ... -> the errc name;
// false for an unknown name.
bool normalize_error_type(std::string_view type, std::string& errc_name);

class aggregate_fixture {
public:
    struct options {
        std::uint64_t seed = 42;
        core::time_point start =
            core::time_point(std::chrono::milliseconds(core::manual_clock::default_origin_ms));
        // Clock advance after every given event and every command (0: time moves only through
        // advance()).
        core::duration tick{0};
        bool check_determinism = true;
        // Null: dynamodb_event_store over a fresh in-process dynamo_engine (the default).
        std::shared_ptr<core::event_store> store;
        // Aggregate cache of the handler: off by default so that every command exercises the
        // store's loading path (turn it on to test with warm-Lambda behaviour).
        std::size_t cache_capacity = 0;
        // The projection path behind the default store (drain, then_projection). Needs the
        // default store (store must be null).
        bool projections = false;
    };

    explicit aggregate_fixture(std::shared_ptr<const core::domain> d);
    aggregate_fixture(std::shared_ptr<const core::domain> d, options opts);
    ~aggregate_fixture();
    aggregate_fixture(const aggregate_fixture&) = delete;
    aggregate_fixture& operator=(const aggregate_fixture&) = delete;

    // The stream steps use when they do not name one (events without entity/id, commands
    // without entity or id, then_state without a stream).
    aggregate_fixture& on(std::string entity, std::string id);

    // ---- given
    aggregate_fixture& given_nothing();
    // Events as JSON: {"type", "data"?, "at"?, "meta"?, "entity"?, "id"?}. entity/id default to
    // on()'s stream; version, meta ids and at are assigned when absent.
    aggregate_fixture& given(const std::vector<nlohmann::json>& events);
    aggregate_fixture& given(const core::stream_id& s, const std::vector<nlohmann::json>& events);
    // Commands as JSON (core/command.hpp's form; "command" may stand for "name", entity and id
    // default to on()'s stream). Each must succeed.
    aggregate_fixture& given_commands(const std::vector<nlohmann::json>& commands);
    aggregate_fixture& advance(core::duration d);

    // ---- when
    aggregate_fixture& when(const nlohmann::json& command);
    // A typed command (same defaults as the JSON form).
    aggregate_fixture& when_command(const core::command& c);

    // ---- then
    aggregate_fixture& then_events(const std::vector<nlohmann::json>& expected,
                                   events_match mode = events_match::exact);

    aggregate_fixture& then_no_events() { return then_events({}, events_match::none); }

    aggregate_fixture& then_error(std::string_view type, std::string_view pointer = "",
                                  std::string_view message_part = "");
    aggregate_fixture& then_success();
    // The state of the act's aggregate (the last command's stream; on()'s when it has none).
    aggregate_fixture& then_state(const nlohmann::json& expected,
                                  diff_mode mode = diff_mode::exact);
    aggregate_fixture& then_state(const core::stream_id& s, const nlohmann::json& expected,
                                  diff_mode mode = diff_mode::exact);
    // Time travel: the state right after event `version` of `s` (aggregate_repository::
    // state_at; 0 is the initial state).
    aggregate_fixture& then_state_at(const core::stream_id& s, std::uint64_t version,
                                     const nlohmann::json& expected,
                                     diff_mode mode = diff_mode::exact);
    aggregate_fixture& ignoring(const std::vector<std::string>& patterns);

    // ---- store level
    // An event of `type` with a fresh event_id from the seed; stream, version and at are filled
    // by append().
    core::event make_event(std::string type, nlohmann::json data = nlohmann::json::object());
    aggregate_fixture& append(const core::stream_id& s, std::vector<core::event> events,
                              core::expected_version expected);
    aggregate_fixture& then_append(append_outcome expected);

    // ---- projections (options::projections)
    // Runs the event source mappings until idle. Fails (expectation_failure) when a batch keeps
    // failing or was discarded, with the drain report and the projector's log.
    aggregate_fixture& drain();
    // Drains, then compares the body of row `id` of projection `name` (a read-store collection:
    // the entity's snake_case name for the built-in projection) with `expected`; a version, when
    // given, must equal the row's (the last event folded in). A missing row fails.
    aggregate_fixture& then_projection(const std::string& name, const std::string& id,
                                       const nlohmann::json& expected,
                                       diff_mode mode = diff_mode::exact,
                                       std::optional<std::uint64_t> version = std::nullopt);
    // Drains, then requires that projection `name` has no row `id`.
    aggregate_fixture& then_no_projection_row(const std::string& name, const std::string& id);
    // The read store of the projections (throws std::logic_error without options::projections).
    core::read_store& read_store();
    // The last drain's report (esm_drain_report as JSON); null before any drain.
    const nlohmann::json& last_drain() const;

    // Runs the determinism check now (then_* run it themselves).
    void verify_determinism();

    // ---- access
    core::manual_clock& clock();
    core::id_source& ids();
    core::event_store& store();
    const core::command_handler& handler() const;
    const core::domain& model() const;
    // The events the current act produced, in order.
    const std::vector<core::event>& produced() const;
    // The act's failure, if it failed.
    const std::optional<core::error>& failure() const;
    // The stream the act's last command targeted (on()'s stream before any when).
    core::stream_id act_stream() const;
    // A stream's events as stored (throws expectation_failure when the store fails).
    std::vector<core::event> history(const core::stream_id& s);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace esser::emulator

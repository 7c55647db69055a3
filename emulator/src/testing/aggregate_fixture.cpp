#include "esser/emulator/testing/aggregate_fixture.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "default_event_store.hpp"
#include <fmt/format.h>

namespace esser::emulator {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<std::string_view, core::errc>, 13> errc_names = {{
    {"internal", core::errc::internal},
    {"validation", core::errc::validation},
    {"version_conflict", core::errc::version_conflict},
    {"not_found", core::errc::not_found},
    {"aggregate_deleted", core::errc::aggregate_deleted},
    {"vetoed", core::errc::vetoed},
    {"invalid_domain", core::errc::invalid_domain},
    {"parse_error", core::errc::parse_error},
    {"throttled", core::errc::throttled},
    {"unavailable", core::errc::unavailable},
    {"timeout", core::errc::timeout},
    {"remote", core::errc::remote},
    {"invalid_argument", core::errc::invalid_argument},
}};

// "ValidationError" -> "validation", "VersionConflict" -> "version_conflict".
std::string snake_case(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            if (i > 0 && s[i - 1] != '_')
                out += '_';
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            out += c;
        }
    }
    return out;
}

std::string event_line(const core::event& e) {
    return fmt::format("{}#{} v{} {} {}", e.entity, e.id, e.version, e.type, short_json(e.data));
}

json event_json(const core::event& e) {
    json j;
    core::to_json(j, e);
    return j;
}

}  // namespace

bool normalize_error_type(std::string_view type, std::string& errc_name) {
    std::string t = snake_case(type);
    if (t.size() > 6 && t.ends_with("_error") && t != "parse_error")
        t.resize(t.size() - 6);
    if (t == "conflict" || t == "wrong_expected_version")
        t = "version_conflict";
    if (t == "deleted")
        t = "aggregate_deleted";
    if (t == "veto")
        t = "vetoed";
    for (const auto& [name, code] : errc_names) {
        if (name == t) {
            errc_name = t;
            return true;
        }
    }
    return false;
}

core::result<events_match> events_match_from_string(std::string_view s) {
    if (s == "exact")
        return events_match::exact;
    if (s == "prefix")
        return events_match::prefix;
    if (s == "contains")
        return events_match::contains;
    if (s == "none")
        return events_match::none;
    return core::fail(core::error::invalid_argument(fmt::format(
        "unknown events match '{}': use \"exact\", \"prefix\", \"contains\" or \"none\"", s)));
}

std::string_view to_string(events_match m) noexcept {
    switch (m) {
        case events_match::exact:
            return "exact";
        case events_match::prefix:
            return "prefix";
        case events_match::contains:
            return "contains";
        case events_match::none:
            return "none";
    }
    return "?";
}

core::result<append_outcome> append_outcome_from_string(std::string_view s) {
    if (s == "ok")
        return append_outcome::ok;
    if (s == "conflict")
        return append_outcome::conflict;
    if (s == "idempotent")
        return append_outcome::idempotent;
    return core::fail(core::error::invalid_argument(
        fmt::format("unknown append result '{}': use \"ok\", \"conflict\" or \"idempotent\"", s)));
}

std::string_view to_string(append_outcome o) noexcept {
    switch (o) {
        case append_outcome::ok:
            return "ok";
        case append_outcome::conflict:
            return "conflict";
        case append_outcome::idempotent:
            return "idempotent";
    }
    return "?";
}

struct aggregate_fixture::impl {
    std::shared_ptr<const core::domain> domain;
    options opts;
    std::shared_ptr<core::manual_clock> clock;
    std::shared_ptr<core::seeded_id_source> ids;
    std::shared_ptr<core::event_store> store;
    std::string store_description;
    std::shared_ptr<detail::projection_runtime> projections;
    json last_drain;
    std::unique_ptr<core::command_handler> handler;
    core::stream_id default_stream;
    path_filter ignore;
    std::vector<std::string> history_log;  // given steps and store-level steps, one per line
    std::set<core::stream_id> touched;
    // Whether the store changed since the last determinism check (then_* in a row check once).
    mutable bool dirty = true;
    // The states the last determinism check loaded through the store (the repository's path,
    // snapshots included), valid while !dirty: a then_state right after it compares against
    // the same load instead of loading the unchanged stream again.
    mutable std::map<core::stream_id, json> loaded_states;
    // Whether the store is the fixture's own (no other writer but store() callers), and the
    // last versions given() wrote, forgotten whenever anything else writes (commands, appends).
    bool own_store = false;
    std::map<core::stream_id, std::uint64_t> known_last;

    // The current act (consecutive whens).
    bool act_closed = true;
    std::vector<json> act_commands;
    std::vector<std::string> act_log;
    std::vector<core::event> produced;
    std::optional<core::error> failure;
    std::optional<core::stream_id> act_stream;
    std::optional<json> act_state;  // the handler's state after the act's last command

    struct append_record {
        std::string step;
        std::optional<append_outcome> outcome;
        std::optional<core::error> error;
    };

    std::optional<append_record> last_append;

    void tick() {
        if (opts.tick.count() > 0)
            clock->advance(opts.tick);
    }

    // The whole story, for failure reports.
    std::string context() const {
        std::string out = "given:\n";
        if (history_log.empty()) {
            out += "  (nothing)\n";
        } else {
            for (const auto& l : history_log) out += "  " + l + "\n";
        }
        if (!act_commands.empty()) {
            out += "when:\n";
            for (std::size_t i = 0; i < act_commands.size(); ++i) {
                out += "  " + short_json(act_commands[i], 400) + "\n";
                if (i < act_log.size())
                    out += "    -> " + act_log[i] + "\n";
            }
        }
        out += fmt::format("store: {}\n", store_description);
        return out;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw expectation_failure(what + "\n" + context());
    }

    // Fills entity/id defaults and turns "name" into "command" for command_from_json.
    json normalize_command(const json& in) const {
        if (!in.is_object())
            return in;
        json c = in;
        if (auto n = c.find("name"); n != c.end() && !c.contains("command")) {
            c["command"] = *n;
            c.erase("name");
        }
        if (!c.contains("entity") && !default_stream.entity.empty())
            c["entity"] = default_stream.entity;
        if (!c.contains("id") && !default_stream.id.empty() && c.contains("entity") &&
            c["entity"] == default_stream.entity) {
            c["id"] = default_stream.id;
        }
        return c;
    }

    core::result<core::command_result> run(const json& cmd_json) {
        auto cmd = core::command_from_json(cmd_json);
        if (!cmd) {
            core::error e = std::move(cmd).error();
            e.source = "command";
            return core::fail(std::move(e));
        }
        auto r = handler->handle(*cmd);
        dirty = true;
        known_last.clear();
        tick();
        if (r)
            touched.insert(r->stream);
        return r;
    }

    void close_act_check() {
        act_closed = true;
        if (opts.check_determinism)
            verify_determinism();
    }

    std::vector<core::event> read(const core::stream_id& s) const {
        auto r = store->read(s);
        if (!r)
            fail(
                fmt::format("reading {} from the store failed: {}", s.key(), r.error().describe()));
        return std::move(*r);
    }

    void verify_determinism() const {
        if (!dirty)
            return;
        loaded_states.clear();
        for (const auto& s : touched) {
            const core::entity_def* ent = domain->find(s.entity);
            if (!ent)
                continue;
            const std::vector<core::event> events = read(s);
            std::vector<core::event> copy1 = events;
            std::vector<core::event> copy2 = events;
            core::aggregate a1, a2;
            a1.stream = a2.stream = s;
            a1.state = a2.state = ent->initial_state;
            auto r1 = ent->reduce.fold(a1, copy1);
            auto r2 = ent->reduce.fold(a2, copy2);
            if (!r1 || !r2) {
                fail(fmt::format("determinism check: folding {} failed: {}", s.key(),
                                 (!r1 ? r1.error() : r2.error()).describe()));
            }
            if (auto d = json_diff(a1.state, a2.state, diff_mode::exact); !d.empty()) {
                fail(fmt::format(
                    "determinism check: folding {} twice gave different states (a reducer reads "
                    "something besides the state and the event):\n{}",
                    s.key(), format_differences(d)));
            }
            if (copy1 != events || copy2 != events) {
                fail(
                    fmt::format("determinism check: folding {} changed the events it was given "
                                "(a reducer mutates its input)",
                                s.key()));
            }
            auto loaded = handler->repository().load(s);
            if (!loaded) {
                fail(fmt::format("determinism check: loading {} failed: {}", s.key(),
                                 loaded.error().describe()));
            }
            if (auto d = json_diff(a1.state, loaded->state, diff_mode::exact); !d.empty()) {
                fail(fmt::format(
                    "determinism check: loading {} through the store (snapshots) differs from "
                    "folding its events (expected = fold, got = load):\n{}",
                    s.key(), format_differences(d)));
            }
            loaded_states.emplace(s, std::move(loaded->state));
        }
        dirty = false;
    }

    // The state of `s` as the store loads it: the determinism check's load when nothing was
    // written since, else a fresh load.
    core::result<json> load_state(const core::stream_id& s) const {
        if (!dirty) {
            if (auto it = loaded_states.find(s); it != loaded_states.end())
                return it->second;
        }
        auto loaded = handler->repository().load(s);
        if (!loaded)
            return core::fail(std::move(loaded).error());
        return std::move(loaded->state);
    }

    std::vector<json_difference> event_diffs(const json& expected, const core::event& actual,
                                             const std::string& base) const {
        if (!expected.is_object()) {
            throw std::invalid_argument(
                "an expected event must be a JSON object such as {\"type\": \"PriceUpdated\"}");
        }
        const json a = event_json(actual);
        // Members named are compared; "data" exactly (an extra data member is a difference),
        // the others as subsets (so "meta": {"command_id": ...} needs no event_id).
        json exp_rest = expected;
        json view = json::object();
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            if (auto f = a.find(it.key()); f != a.end())
                view[it.key()] = *f;
        }
        std::vector<json_difference> out;
        if (auto d = expected.find("data"); d != expected.end()) {
            json got = json::object();
            if (auto f = view.find("data"); f != view.end())
                got["data"] = *f;
            out = json_diff(json{{"data", *d}}, got, diff_mode::exact, ignore, base);
            exp_rest.erase("data");
            view.erase("data");
        }
        auto rest = json_diff(exp_rest, view, diff_mode::subset, ignore, base);
        out.insert(out.end(), rest.begin(), rest.end());
        return out;
    }

    std::string produced_text() const {
        if (failure)
            return "  (the act failed: " + failure->describe() + ")\n";
        if (produced.empty())
            return "  (no events)\n";
        std::string out;
        for (std::size_t i = 0; i < produced.size(); ++i)
            out += fmt::format("  [{}] {}\n", i, short_json(event_json(produced[i]), 400));
        return out;
    }
};

aggregate_fixture::aggregate_fixture(std::shared_ptr<const core::domain> d)
    : aggregate_fixture(std::move(d), options{}) {}

aggregate_fixture::aggregate_fixture(std::shared_ptr<const core::domain> d, options opts)
    : impl_(std::make_unique<impl>()) {
    if (!d)
        throw std::invalid_argument("aggregate_fixture needs a domain");
    impl_->domain = std::move(d);
    impl_->opts = std::move(opts);
    impl_->clock = std::make_shared<core::manual_clock>(impl_->opts.start);
    impl_->ids = std::make_shared<core::seeded_id_source>(impl_->opts.seed);
    if (impl_->opts.store && impl_->opts.projections)
        throw std::invalid_argument(
            "aggregate_fixture: options::projections needs the default store (the events must "
            "flow through the fake table's stream)");
    if (impl_->opts.store) {
        impl_->store = impl_->opts.store;
        impl_->store_description = "a caller-supplied event store";
    } else {
        auto ds = detail::make_default_store(impl_->clock, impl_->opts.seed,
                                             impl_->opts.projections ? impl_->domain : nullptr);
        impl_->own_store = true;
        impl_->store = std::move(ds.store);
        impl_->projections = std::move(ds.projections);
        impl_->store_description = ds.description;
    }
    core::command_handler::options ho;
    ho.cache_capacity = impl_->opts.cache_capacity;
    impl_->handler = std::make_unique<core::command_handler>(impl_->domain, *impl_->store,
                                                             *impl_->clock, *impl_->ids, ho);
}

aggregate_fixture::~aggregate_fixture() = default;

aggregate_fixture& aggregate_fixture::on(std::string entity, std::string id) {
    impl_->default_stream = {std::move(entity), std::move(id)};
    return *this;
}

aggregate_fixture& aggregate_fixture::given_nothing() {
    if (!impl_->history_log.empty())
        impl_->fail("given_nothing: the history is not empty");
    return *this;
}

aggregate_fixture& aggregate_fixture::given(const std::vector<json>& events) {
    return given(impl_->default_stream, events);
}

aggregate_fixture& aggregate_fixture::given(const core::stream_id& s,
                                            const std::vector<json>& events) {
    auto& m = *impl_;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const json& in = events[i];
        if (!in.is_object() || !in.contains("type") || !in["type"].is_string()) {
            m.fail(fmt::format("given event [{}] must be an object with a string \"type\", got {}",
                               i, short_json(in)));
        }
        core::stream_id target = s;
        if (auto e = in.find("entity"); e != in.end() && e->is_string())
            target.entity = e->get<std::string>();
        if (auto e = in.find("id"); e != in.end() && e->is_string())
            target.id = e->get<std::string>();
        if (target.entity.empty() || target.id.empty()) {
            m.fail(
                fmt::format("given event [{}] names no stream: call on(entity, id) or give "
                            "\"entity\" and \"id\"",
                            i));
        }
        if (!m.domain->find(target.entity)) {
            m.fail(fmt::format("given event [{}]: {}", i,
                               m.domain->entity(target.entity).error().describe()));
        }
        auto read_last = [&] {
            auto l = m.store->last_version(target);
            if (!l)
                m.fail(fmt::format("given: reading {} failed: {}", target.key(),
                                   l.error().describe()));
            return *l;
        };
        // The stream's last version without a read when the fixture knows it: it wrote the
        // stream's last event in this given step, or the stream of its own store was never
        // written. A wrong guess (someone wrote through store()) makes the conditional append
        // fail; then it reads and appends again.
        std::optional<std::uint64_t> last;
        bool guessed = false;
        if (auto k = m.known_last.find(target); k != m.known_last.end()) {
            last = k->second;
            guessed = true;
        } else if (m.own_store && !m.touched.contains(target)) {
            last = 0;
            guessed = true;
        } else {
            last = read_last();
        }
        json doc = in;
        doc["entity"] = target.entity;
        doc["id"] = target.id;
        if (!doc.contains("version"))
            doc["version"] = *last + 1;
        if (!doc.contains("data"))
            doc["data"] = json::object();
        if (!doc.contains("at"))
            doc["at"] = core::format_rfc3339_ms(m.clock->now());
        json meta = doc.value("meta", json::object());
        if (!meta.is_object())
            m.fail(fmt::format("given event [{}]: \"meta\" must be an object", i));
        if (!meta.contains("event_id"))
            meta["event_id"] = m.ids->uuid();
        if (!meta.contains("command_id"))
            meta["command_id"] = m.ids->uuid();
        if (!meta.contains("correlation_id"))
            meta["correlation_id"] = meta["command_id"];
        if (!meta.contains("causation_id"))
            meta["causation_id"] = meta["command_id"];
        doc["meta"] = meta;
        auto e = core::event_from_json(doc);
        if (!e)
            m.fail(fmt::format("given event [{}] is malformed: {}", i, e.error().describe()));
        auto r = m.store->append(target, {*e});
        if (!r && guessed && !in.contains("version") &&
            r.error().code == core::errc::version_conflict) {
            e->version = read_last() + 1;
            r = m.store->append(target, {*e});
        }
        if (!r) {
            m.fail(
                fmt::format("given event [{}] could not be stored: {}", i, r.error().describe()));
        }
        m.touched.insert(target);
        m.known_last[target] = e->version;
        m.dirty = true;
        m.history_log.push_back(event_line(*e));
        m.tick();
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::given_commands(const std::vector<json>& commands) {
    auto& m = *impl_;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const json c = m.normalize_command(commands[i]);
        auto r = m.run(c);
        if (!r) {
            m.fail(fmt::format("given command [{}] {} failed: {}", i, short_json(c, 400),
                               r.error().describe()));
        }
        std::string line = "command " + short_json(c);
        for (const auto& e : r->events) line += "\n    -> " + event_line(e);
        m.history_log.push_back(std::move(line));
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::advance(core::duration d) {
    if (d.count() < 0)
        throw std::invalid_argument("advance: the clock never goes backwards");
    impl_->clock->advance(d);
    impl_->history_log.push_back(fmt::format(
        "advance {} ms (now {})", std::chrono::duration_cast<std::chrono::milliseconds>(d).count(),
        core::format_rfc3339_ms(impl_->clock->now())));
    return *this;
}

aggregate_fixture& aggregate_fixture::when_command(const core::command& c) {
    json j;
    core::to_json(j, c);
    return when(j);
}

aggregate_fixture& aggregate_fixture::when(const json& command) {
    auto& m = *impl_;
    if (m.act_closed) {
        // A when after a then starts a new act; the previous act becomes history.
        for (std::size_t i = 0; i < m.act_commands.size(); ++i) {
            m.history_log.push_back("command " + short_json(m.act_commands[i]) +
                                    (i < m.act_log.size() ? "\n    -> " + m.act_log[i] : ""));
        }
        m.act_commands.clear();
        m.act_log.clear();
        m.produced.clear();
        m.failure.reset();
        m.act_stream.reset();
        m.act_state.reset();
        m.act_closed = false;
    }
    const json c = m.normalize_command(command);
    m.act_commands.push_back(c);
    if (m.failure) {
        m.act_log.push_back("not run: an earlier command of this act failed");
        return *this;
    }
    if (c.is_object()) {
        auto e = c.find("entity");
        auto i = c.find("id");
        if (e != c.end() && e->is_string() && i != c.end() && i->is_string())
            m.act_stream = core::stream_id{e->get<std::string>(), i->get<std::string>()};
    }
    auto r = m.run(c);
    if (!r) {
        m.act_log.push_back("error: " + r.error().describe());
        m.failure = std::move(r).error();
        return *this;
    }
    std::string line;
    for (const auto& e : r->events) {
        if (!line.empty())
            line += "\n    -> ";
        line += event_line(e);
    }
    if (r->duplicate)
        line += " (duplicate: nothing written)";
    m.act_log.push_back(line.empty() ? "(no events)" : line);
    m.act_stream = r->stream;
    m.act_state = r->state;
    m.produced.insert(m.produced.end(), r->events.begin(), r->events.end());
    return *this;
}

aggregate_fixture& aggregate_fixture::then_events(const std::vector<json>& expected,
                                                  events_match mode) {
    auto& m = *impl_;
    m.close_act_check();
    const std::string head = fmt::format("then_events ({})", to_string(mode));
    if (mode == events_match::none) {
        if (!expected.empty())
            throw std::invalid_argument("then_events: mode none takes no expected events");
        if (!m.produced.empty())
            m.fail(head + ": expected no events, got:\n" + m.produced_text());
        return *this;
    }
    if (m.failure && !expected.empty())
        m.fail(head + ": expected events, but the act failed: " + m.failure->describe());
    const auto& actual = m.produced;
    if (mode == events_match::exact || mode == events_match::prefix) {
        std::string report;
        if (mode == events_match::exact && actual.size() != expected.size()) {
            report += fmt::format("  expected {} events, got {}\n", expected.size(), actual.size());
        }
        if (mode == events_match::prefix && actual.size() < expected.size()) {
            report += fmt::format("  expected at least {} events, got {}\n", expected.size(),
                                  actual.size());
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (i >= actual.size()) {
                report +=
                    fmt::format("  [{}]: missing (expected {})\n", i, short_json(expected[i]));
                continue;
            }
            auto d = m.event_diffs(expected[i], actual[i], fmt::format("/{}", i));
            report += format_differences(d);
        }
        if (mode == events_match::exact) {
            for (std::size_t i = expected.size(); i < actual.size(); ++i) {
                report += fmt::format("  [{}]: unexpected {}\n", i,
                                      short_json(event_json(actual[i]), 400));
            }
        }
        if (!report.empty())
            m.fail(head + " failed (pointers: /<event index>/<member>):\n" + report +
                   "produced:\n" + m.produced_text());
        return *this;
    }
    // contains: each expected event matches a distinct produced one.
    std::vector<bool> used(actual.size(), false);
    std::string report;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        std::optional<std::size_t> best;
        std::vector<json_difference> best_diff;
        bool found = false;
        for (std::size_t j = 0; j < actual.size() && !found; ++j) {
            if (used[j])
                continue;
            auto d = m.event_diffs(expected[i], actual[j], fmt::format("/{}", j));
            if (d.empty()) {
                used[j] = true;
                found = true;
            } else if (!best || d.size() < best_diff.size()) {
                best = j;
                best_diff = std::move(d);
            }
        }
        if (found)
            continue;
        report += fmt::format("  expected event {} is not among the produced events",
                              short_json(expected[i]));
        if (best)
            report +=
                fmt::format("; closest is [{}]:\n{}", *best, format_differences(best_diff, "    "));
        else
            report += "\n";
    }
    if (!report.empty())
        m.fail(head + " failed:\n" + report + "produced:\n" + m.produced_text());
    return *this;
}

aggregate_fixture& aggregate_fixture::then_error(std::string_view type, std::string_view pointer,
                                                 std::string_view message_part) {
    auto& m = *impl_;
    m.close_act_check();
    const std::string head =
        fmt::format("then_error(type \"{}\"{}{})", type,
                    pointer.empty() ? "" : fmt::format(", pointer \"{}\"", pointer),
                    message_part.empty() ? "" : fmt::format(", message \"{}\"", message_part));
    if (!m.failure)
        m.fail(head + ": the act succeeded; produced:\n" + m.produced_text());
    const core::error& e = *m.failure;
    const std::string actual = e.describe();
    if (!type.empty()) {
        std::string name;
        const bool known = normalize_error_type(type, name);
        const bool ok =
            (known && name == core::to_string(e.code)) || (!e.type.empty() && e.type == type);
        if (!ok) {
            m.fail(fmt::format(
                "{}: the error is of type \"{}\"{}:\n  {}", head, core::to_string(e.code),
                known ? "" : fmt::format(" (and \"{}\" is no error type)", type), actual));
        }
    }
    std::string_view part = message_part;
    if (!part.empty() && part.front() == '~')
        part.remove_prefix(1);
    if (!pointer.empty()) {
        bool at = false;
        bool with_text = false;
        for (const auto& f : e.fields) {
            if (f.pointer != pointer)
                continue;
            at = true;
            if (part.empty() || f.reason.find(part) != std::string::npos ||
                e.message.find(part) != std::string::npos)
                with_text = true;
        }
        if (!at)
            m.fail(fmt::format("{}: no field error at {}:\n  {}", head, pointer, actual));
        if (!with_text)
            m.fail(fmt::format("{}: the error at {} does not mention \"{}\":\n  {}", head, pointer,
                               part, actual));
    } else if (!part.empty() && actual.find(part) == std::string::npos) {
        m.fail(fmt::format("{}: the error does not mention \"{}\":\n  {}", head, part, actual));
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::then_success() {
    auto& m = *impl_;
    m.close_act_check();
    if (m.failure)
        m.fail("then_success: the act failed: " + m.failure->describe());
    return *this;
}

aggregate_fixture& aggregate_fixture::then_state(const json& expected, diff_mode mode) {
    return then_state(act_stream(), expected, mode);
}

aggregate_fixture& aggregate_fixture::then_state(const core::stream_id& s, const json& expected,
                                                 diff_mode mode) {
    auto& m = *impl_;
    m.close_act_check();
    const std::string head = fmt::format("then_state of {} ({})", s.key(),
                                         mode == diff_mode::exact ? "exact" : "subset");
    auto loaded = m.load_state(s);
    if (!loaded)
        m.fail(fmt::format("{}: loading failed: {}", head, loaded.error().describe()));
    if (m.act_state && m.act_stream && *m.act_stream == s) {
        if (auto d = json_diff(*m.act_state, *loaded, diff_mode::exact); !d.empty()) {
            m.fail(
                fmt::format("{}: the state the command handler returned differs from the state "
                            "loaded from the store (expected = handler, got = store):\n{}",
                            head, format_differences(d)));
        }
    }
    if (auto d = json_diff(expected, *loaded, mode, m.ignore); !d.empty()) {
        m.fail(fmt::format("{} failed:\n{}state: {}", head, format_differences(d),
                           short_json(*loaded, 1000)));
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::then_state_at(const core::stream_id& s, std::uint64_t version,
                                                    const json& expected, diff_mode mode) {
    auto& m = *impl_;
    m.close_act_check();
    const std::string head = fmt::format("then_state of {} at version {} ({})", s.key(), version,
                                         mode == diff_mode::exact ? "exact" : "subset");
    auto state = m.handler->repository().state_at(s, version);
    if (!state)
        m.fail(fmt::format("{}: {}", head, state.error().describe()));
    if (auto d = json_diff(expected, *state, mode, m.ignore); !d.empty()) {
        m.fail(fmt::format("{} failed:\n{}state: {}", head, format_differences(d),
                           short_json(*state, 1000)));
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::ignoring(const std::vector<std::string>& patterns) {
    auto f = path_filter::make(patterns);
    if (!f)
        throw std::invalid_argument(f.error().message);
    impl_->ignore = impl_->ignore.combined(*f);
    return *this;
}

core::event aggregate_fixture::make_event(std::string type, json data) {
    core::event e;
    e.type = std::move(type);
    e.data = std::move(data);
    e.meta.event_id = impl_->ids->uuid();
    return e;
}

aggregate_fixture& aggregate_fixture::append(const core::stream_id& s,
                                             std::vector<core::event> events,
                                             core::expected_version expected) {
    auto& m = *impl_;
    if (events.empty())
        throw std::invalid_argument("append: no events");
    const std::vector<core::event> existing = m.read(s);
    const std::uint64_t last = existing.empty() ? 0 : existing.back().version;
    const std::uint64_t base =
        expected.what() == core::expected_version::kind::any ? last : expected.version();
    std::string names;
    for (auto& e : events) {
        if (e.meta.event_id.empty())
            e.meta.event_id = m.ids->uuid();
        if (!names.empty())
            names += ", ";
        names += e.type;
    }
    impl::append_record rec;
    rec.step = fmt::format("append {} [{}] expecting {}", s.key(), names, expected.to_string());

    auto position_of = [&](const std::string& event_id) -> std::optional<std::uint64_t> {
        for (const auto& x : existing) {
            if (x.meta.event_id == event_id)
                return x.version;
        }
        return std::nullopt;
    };
    bool idempotent = true;
    for (std::size_t i = 0; i < events.size() && idempotent; ++i) {
        auto at = position_of(events[i].meta.event_id);
        if (!at)
            idempotent = false;
        else if (expected.what() != core::expected_version::kind::any && *at != base + 1 + i)
            idempotent = false;
    }
    if (idempotent) {
        rec.outcome = append_outcome::idempotent;
    } else if (expected.what() != core::expected_version::kind::any && base != last) {
        // The port cannot see a gap (a conditional put on a free version succeeds), so a writer
        // that expects a version the stream is not at is refused here, as every real writer
        // (the command handler) does by reading first.
        rec.outcome = append_outcome::conflict;
        rec.error = core::error::version_conflict(
            fmt::format("{} is at version {}, not {}", s.key(), last, base));
    } else {
        for (std::size_t i = 0; i < events.size(); ++i) {
            auto& e = events[i];
            e.entity = s.entity;
            e.id = s.id;
            e.version = base + 1 + i;
            if (e.at.empty())
                e.at = core::format_rfc3339_ms(m.clock->now());
            if (e.meta.command_id.empty())
                e.meta.command_id = e.meta.event_id;
            if (e.meta.correlation_id.empty())
                e.meta.correlation_id = e.meta.command_id;
            if (e.meta.causation_id.empty())
                e.meta.causation_id = e.meta.command_id;
        }
        auto r = m.store->append(s, events);
        if (r) {
            rec.outcome = append_outcome::ok;
        } else if (r.error().code == core::errc::version_conflict) {
            rec.outcome = append_outcome::conflict;
            rec.error = std::move(r).error();
        } else {
            rec.error = std::move(r).error();
        }
        m.tick();
    }
    m.touched.insert(s);
    m.dirty = true;
    m.known_last.clear();
    m.history_log.push_back(
        rec.step + " -> " +
        (rec.outcome ? std::string(to_string(*rec.outcome)) : "error: " + rec.error->describe()));
    m.last_append = std::move(rec);
    return *this;
}

aggregate_fixture& aggregate_fixture::then_append(append_outcome expected) {
    auto& m = *impl_;
    if (!m.last_append)
        throw std::logic_error("then_append without an append step");
    if (m.opts.check_determinism)
        m.verify_determinism();
    const auto& rec = *m.last_append;
    if (!rec.outcome || *rec.outcome != expected) {
        m.fail(fmt::format("then_append: {} expected {}, got {}", rec.step, to_string(expected),
                           rec.outcome ? std::string(to_string(*rec.outcome))
                                       : "error: " + rec.error->describe()));
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::drain() {
    auto& m = *impl_;
    if (!m.projections)
        throw std::logic_error(
            "drain: the fixture has no projections (set aggregate_fixture::options::projections)");
    auto d = m.projections->drain();
    m.last_drain = d.report;
    if (!d.caught_up)
        m.fail(
            "drain: the projections did not catch up (a batch keeps failing or was "
            "discarded):\n  " +
            short_json(d.report, 4000));
    return *this;
}

aggregate_fixture& aggregate_fixture::then_projection(const std::string& name,
                                                      const std::string& id, const json& expected,
                                                      diff_mode mode,
                                                      std::optional<std::uint64_t> version) {
    auto& m = *impl_;
    m.close_act_check();
    drain();
    const std::string head = fmt::format("then_projection {}/{} ({})", name, id,
                                         mode == diff_mode::exact ? "exact" : "subset");
    auto row = m.projections->read_store().get(name, id);
    if (!row)
        m.fail(fmt::format("{}: reading the read store failed: {}", head, row.error().describe()));
    if (!*row) {
        core::list_query q;
        q.limit = 20;
        auto page = m.projections->read_store().list(name, q);
        std::string ids;
        if (page) {
            for (const auto& d : page->items) ids += (ids.empty() ? "" : ", ") + d.id;
        }
        m.fail(fmt::format("{}: no such row; the projection has {}", head,
                           ids.empty() ? std::string("no rows") : "rows " + ids));
    }
    const core::document& doc = **row;
    if (version && doc.version != *version)
        m.fail(fmt::format("{}: the row is at version {}, expected {}; row: {}", head, doc.version,
                           *version, short_json(doc.body, 1000)));
    if (auto d = json_diff(expected, doc.body, mode, m.ignore); !d.empty()) {
        m.fail(fmt::format("{} failed:\n{}row (version {}): {}", head, format_differences(d),
                           doc.version, short_json(doc.body, 1000)));
    }
    return *this;
}

aggregate_fixture& aggregate_fixture::then_no_projection_row(const std::string& name,
                                                             const std::string& id) {
    auto& m = *impl_;
    m.close_act_check();
    drain();
    auto row = m.projections->read_store().get(name, id);
    if (!row)
        m.fail(fmt::format("then_no_projection_row {}/{}: reading the read store failed: {}", name,
                           id, row.error().describe()));
    if (*row)
        m.fail(fmt::format("then_no_projection_row {}/{}: the row exists (version {}): {}", name,
                           id, (*row)->version, short_json((*row)->body, 1000)));
    return *this;
}

core::read_store& aggregate_fixture::read_store() {
    if (!impl_->projections)
        throw std::logic_error(
            "read_store: the fixture has no projections (set "
            "aggregate_fixture::options::projections)");
    return impl_->projections->read_store();
}

const json& aggregate_fixture::last_drain() const {
    return impl_->last_drain;
}

void aggregate_fixture::verify_determinism() {
    impl_->verify_determinism();
}

core::manual_clock& aggregate_fixture::clock() {
    return *impl_->clock;
}

core::id_source& aggregate_fixture::ids() {
    return *impl_->ids;
}

core::event_store& aggregate_fixture::store() {
    return *impl_->store;
}

const core::command_handler& aggregate_fixture::handler() const {
    return *impl_->handler;
}

const core::domain& aggregate_fixture::model() const {
    return *impl_->domain;
}

const std::vector<core::event>& aggregate_fixture::produced() const {
    return impl_->produced;
}

const std::optional<core::error>& aggregate_fixture::failure() const {
    return impl_->failure;
}

core::stream_id aggregate_fixture::act_stream() const {
    return impl_->act_stream ? *impl_->act_stream : impl_->default_stream;
}

std::vector<core::event> aggregate_fixture::history(const core::stream_id& s) {
    return impl_->read(s);
}

}  // namespace esser::emulator

#include "esser/core/command_handler.hpp"

#include <exception>
#include <limits>
#include <optional>

#include "aggregate_cache.hpp"
#include "json_path.hpp"
#include <fmt/format.h>

#include "esser/core/attribute_json.hpp"

namespace esser::core {

using nlohmann::json;

namespace {

// Every concrete location of a keyword's path in `data` (arrays expanded for `each` steps),
// as reference tokens.
void expand(const json& node, const std::vector<schema_keyword::step>& path, std::size_t i,
            detail::tokens& cur, std::vector<detail::tokens>& out) {
    if (i == path.size()) {
        out.push_back(cur);
        return;
    }
    const auto& step = path[i];
    if (step.each) {
        if (!node.is_array())
            return;
        for (std::size_t k = 0; k < node.size(); ++k) {
            cur.push_back(std::to_string(k));
            expand(node[k], path, i + 1, cur, out);
            cur.pop_back();
        }
        return;
    }
    const json* next = nullptr;
    if (node.is_object()) {
        auto it = node.find(step.name);
        if (it != node.end())
            next = &*it;
    } else if (node.is_array()) {
        std::size_t k;
        if (detail::array_index(step.name, k) && k < node.size())
            next = &node[k];
    }
    if (!next)
        return;  // absent: `required` is the schema's business
    cur.push_back(step.name);
    expand(*next, path, i + 1, cur, out);
    cur.pop_back();
}

// `at` for events: formatting is comparatively slow and many commands share a millisecond.
const std::string& timestamp(time_point t) {
    thread_local std::int64_t cached_ms = std::numeric_limits<std::int64_t>::min();
    thread_local std::string cached_text;
    const std::int64_t ms = to_epoch_ms(t);
    if (ms != cached_ms) {
        cached_text = format_rfc3339_ms(t);
        cached_ms = ms;
    }
    return cached_text;
}

std::string short_dump(const json& v) {
    std::string s = v.dump();
    if (s.size() > 80)
        s = s.substr(0, 77) + "...";
    return s;
}

}  // namespace

command_handler::command_handler(std::shared_ptr<const domain> d, event_store& store,
                                 const clock& clk, id_source& ids)
    : command_handler(std::move(d), store, clk, ids, options{}) {}

command_handler::command_handler(std::shared_ptr<const domain> d, event_store& store,
                                 const clock& clk, id_source& ids, options opts)
    : domain_(d), repo_(std::move(d), store), clock_(clk), ids_(ids), opts_(std::move(opts)) {
    if (opts_.cache_capacity > 0) {
        cache_ = std::make_unique<detail::aggregate_cache>(opts_.cache_capacity);
    }
}

command_handler::~command_handler() = default;

std::string command_handler::derived_id(const std::string& entity, const std::string& command_id) {
    return uuid_v5(esser_id_namespace, entity + "/" + command_id);
}

result<command_result> command_handler::handle(const command& c) const {
    auto found = domain_->command(c.entity, c.name);
    if (!found)
        return fail(std::move(found).error());
    const command_def& def = **found;
    const entity_def& ent = *domain_->find(c.entity);
    const bool creating = def.kind == command_kind::create;

    if (!c.data.is_object()) {
        return fail(error::validation(
            "the command's data must be a JSON object",
            {{"", fmt::format("must be a JSON object, not {}", c.data.type_name())}}));
    }
    if (auto r = domain_->receivers().emit_received(c); !r)
        return fail(std::move(r).error());
    if (auto r = def.compiled->validate(c.data); !r)
        return fail(std::move(r).error());

    const std::string command_id = c.command_id.empty() ? ids_.uuid() : c.command_id;
    stream_id stream{c.entity, c.id};
    if (creating) {
        if (c.expected.what() == expected_version::kind::exact && c.expected.version() != 0) {
            return fail(error::invalid_argument(fmt::format(
                "{} creates a new stream: expected_version must be any, no_stream or 0, not {}",
                c.name, c.expected.to_string())));
        }
        if (stream.id.empty())
            stream.id = derived_id(c.entity, command_id);
    } else if (stream.id.empty()) {
        return fail(
            error::validation(fmt::format("{} needs the id of the {} to change", c.name, c.entity),
                              {{"/id", "is required"}}));
    }

    // A retry of `command_id` already in the stream: the original events, nothing written.
    auto find_duplicate = [&](const aggregate& a) -> result<std::optional<command_result>> {
        const command_span* span = a.find_command(command_id);
        command_span created;
        if (!span && creating && a.exists() &&
            (a.recent_commands.empty() || a.recent_commands.front().first_version > 1)) {
            // The creating command may have left the window: check the stream's head.
            auto head = repo_.store().read(stream, 0, std::min<std::uint64_t>(a.version, 100));
            if (!head)
                return fail(std::move(head).error());
            for (const auto& e : *head) {
                if (e.meta.command_id != command_id)
                    break;
                if (created.command_id.empty())
                    created = {command_id, e.version, e.version};
                created.last_version = e.version;
            }
            if (!created.command_id.empty())
                span = &created;
        }
        if (!span)
            return std::optional<command_result>{};
        command_result r;
        r.stream = stream;
        r.duplicate = true;
        r.version = span->last_version;
        auto events = repo_.store().read(stream, span->first_version - 1, span->last_version);
        if (!events)
            return fail(std::move(events).error());
        r.events = std::move(*events);
        if (span->last_version == a.version) {
            r.state = a.state;
        } else {
            auto s = repo_.state_at(stream, span->last_version);
            if (!s)
                return fail(std::move(s).error());
            r.state = std::move(*s);
        }
        return std::optional<command_result>(std::move(r));
    };

    // One decision on `agg`: everything up to and including the append.
    struct step {
        enum class kind { done, conflict, failed } what;
        result<command_result> value;

        static step done(command_result r) { return {kind::done, std::move(r)}; }

        static step failed(error e) { return {kind::failed, fail(std::move(e))}; }

        static step conflict(error e) { return {kind::conflict, fail(std::move(e))}; }
    };

    auto attempt_once = [&](aggregate& agg) -> step {
        auto dup = find_duplicate(agg);
        if (!dup)
            return step::failed(std::move(dup).error());
        if (*dup)
            return step::done(std::move(**dup));

        if (creating && agg.exists()) {
            return step::failed(error::version_conflict(
                fmt::format("{} {} already exists (version {}); {} creates new aggregates only",
                            c.entity, stream.id, agg.version, c.name)));
        }
        if (!creating && !agg.exists()) {
            return step::failed(
                error::not_found(fmt::format("{} {} does not exist", c.entity, stream.id)));
        }
        if (agg.deleted) {
            return step::failed(error::aggregate_deleted(
                fmt::format("{} {} was deleted (version {}) and refuses further commands", c.entity,
                            stream.id, agg.version)));
        }
        if (c.expected.what() != expected_version::kind::any &&
            agg.version != c.expected.version()) {
            return step::failed(error::version_conflict(
                fmt::format("expected {} {} at version {}, but it is at version {}", c.entity,
                            stream.id, c.expected.version(), agg.version)));
        }

        // esser keywords, against the loaded state and the referenced aggregates.
        json data = c.data;
        {
            std::vector<field_error> problems;
            std::vector<std::pair<detail::tokens, json>> projections;
            for (const auto& k : def.compiled->keywords()) {
                std::vector<detail::tokens> locations;
                detail::tokens cur;
                expand(c.data, k.path, 0, cur, locations);
                for (const auto& loc : locations) {
                    const json& value = *detail::find(c.data, loc);
                    const std::string at = detail::join_pointer(loc);
                    if (k.what == schema_keyword::kind::diff) {
                        const json* now = detail::find(agg.state, loc);
                        if (now && *now == value) {
                            problems.push_back(
                                {at, fmt::format("already has the value {}; send a different value",
                                                 short_dump(value))});
                        }
                        continue;
                    }
                    // aggregate_exists / project: the value is an id (or, for aggregate_exists,
                    // an array of ids).
                    std::vector<std::pair<std::string, const json*>> ids;
                    if (value.is_array() && k.what == schema_keyword::kind::aggregate_exists) {
                        for (std::size_t i = 0; i < value.size(); ++i) {
                            ids.emplace_back(at + "/" + std::to_string(i), &value[i]);
                        }
                    } else {
                        ids.emplace_back(at, &value);
                    }
                    for (const auto& [where, idv] : ids) {
                        if (!idv->is_string() || idv->get_ref<const std::string&>().empty()) {
                            problems.push_back({where, fmt::format("must be the id of a {} (a "
                                                                   "non-empty string)",
                                                                   k.entity)});
                            continue;
                        }
                        const std::string& id = idv->get_ref<const std::string&>();
                        auto other = repo_.load({k.entity, id});
                        if (!other)
                            return step::failed(std::move(other).error());
                        if (!other->exists()) {
                            problems.push_back(
                                {where, fmt::format("no {} with id '{}' exists", k.entity, id)});
                            continue;
                        }
                        if (other->deleted) {
                            problems.push_back(
                                {where, fmt::format("{} '{}' was deleted", k.entity, id)});
                            continue;
                        }
                        if (k.what == schema_keyword::kind::project) {
                            json projected;
                            if (k.fields.empty()) {
                                projected = std::move(other->state);
                            } else {
                                projected = json::object();
                                for (const auto& f : k.fields) {
                                    if (auto it = other->state.find(f); it != other->state.end()) {
                                        projected[f] = *it;
                                    }
                                }
                            }
                            projected["id"] = id;
                            projections.emplace_back(loc, std::move(projected));
                        }
                    }
                }
            }
            if (!problems.empty()) {
                return step::failed(
                    error::validation("the command's data is invalid", std::move(problems)));
            }
            for (auto& [loc, v] : projections) {
                std::string why;
                if (json* slot = detail::find_or_create(data, loc, why))
                    *slot = std::move(v);
            }
        }

        // Decide.
        std::vector<new_event> decided;
        if (def.decide) {
            try {
                auto r = def.decide(decide_context{c, agg, data});
                if (!r)
                    return step::failed(std::move(r).error());
                decided = std::move(*r);
            } catch (const std::exception& ex) {
                return step::failed(error::internal(
                    fmt::format("decide function of {} threw: {}", c.name, ex.what())));
            }
            for (const auto& ne : decided) {
                if (ne.type.empty() || !ne.data.is_object()) {
                    return step::failed(error::internal(fmt::format(
                        "decide function of {} returned an event without a type or with "
                        "non-object data",
                        c.name)));
                }
            }
        } else {
            decided.reserve(def.events.size());
            for (std::size_t i = 0; i < def.events.size(); ++i) {
                const auto& t = def.events[i];
                json d;
                if (t.fields.empty()) {
                    d = (i + 1 == def.events.size()) ? std::move(data) : data;
                } else {
                    d = json::object();
                    for (const auto& f : t.fields) {
                        if (auto it = data.find(f); it != data.end())
                            d[f] = *it;
                    }
                }
                decided.push_back({t.type, std::move(d)});
            }
        }
        if (decided.empty()) {
            command_result r;
            r.stream = stream;
            r.version = agg.version;
            r.state = cache_ ? agg.state : std::move(agg.state);
            return step::done(std::move(r));
        }

        const std::string at = timestamp(clock_.now());
        std::vector<event> events;
        events.reserve(decided.size());
        for (std::size_t i = 0; i < decided.size(); ++i) {
            event e;
            e.entity = c.entity;
            e.id = stream.id;
            e.version = agg.version + 1 + i;
            e.type = std::move(decided[i].type);
            e.data = std::move(decided[i].data);
            e.meta.event_id = ids_.uuid();
            e.meta.command_id = command_id;
            e.meta.correlation_id = c.correlation_id.empty() ? command_id : c.correlation_id;
            e.meta.causation_id = c.causation_id.empty() ? command_id : c.causation_id;
            e.at = at;
            events.push_back(std::move(e));
        }

        if (auto r = domain_->receivers().emit_pre_save(pre_save_args{c, agg, events}); !r) {
            return step::failed(std::move(r).error());
        }

        // Fold before appending: an event the reducer cannot apply is never stored.
        const std::uint64_t before = agg.version;
        if (auto r = ent.reduce.fold(agg, events); !r) {
            error e = std::move(r).error();
            e.message = "refusing to store events the reducer cannot apply: " + e.message;
            return step::failed(std::move(e));
        }
        auto appended = repo_.store().append(stream, events);
        if (!appended) {
            if (appended.error().code == errc::version_conflict) {
                return step::conflict(std::move(appended).error());
            }
            return step::failed(std::move(appended).error());
        }

        const std::uint64_t every = ent.snapshots.every;
        if (every > 0 && before / every != agg.version / every) {
            if (auto s = repo_.save_snapshot(agg, at); !s) {
                // The events are stored; a missing snapshot only costs a longer replay.
                opts_.log.warn("snapshot of {} at version {} failed: {}", stream.key(), agg.version,
                               s.error().describe());
            }
        }
        command_result r;
        r.stream = stream;
        r.version = agg.version;
        r.state = cache_ ? agg.state : std::move(agg.state);
        r.events = std::move(events);
        return step::done(std::move(r));
    };

    const std::string key = stream.key();
    // The first attempt may start from an assumed state instead of a load: a cached aggregate,
    // or, for a create, the empty stream it expects. Either is trusted only if the conditional
    // append succeeds (it proves the assumption); every other outcome is re-checked on a fresh
    // load and does not count as a conflict retry.
    bool assume = true;
    for (unsigned attempt = 0;;) {
        aggregate agg;
        bool cached = false;
        if (assume) {
            assume = false;
            if (cache_) {
                if (auto a = cache_->take(key)) {
                    agg = std::move(*a);
                    cached = true;
                }
            }
            if (!cached && creating) {
                agg.stream = stream;
                agg.state = ent.initial_state;
                cached = true;
            }
        }
        if (!cached) {
            auto loaded = repo_.load(stream);
            if (!loaded)
                return fail(std::move(loaded).error());
            agg = std::move(*loaded);
        }
        step s = attempt_once(agg);
        if (s.what == step::kind::done) {
            if (cache_) {
                // Bound the remembered commands to what a fresh load would know at most.
                const auto& pol = ent.snapshots;
                if (pol.every > 0) {
                    const std::size_t keep = pol.keep_command_ids + pol.every;
                    if (agg.recent_commands.size() > keep + keep / 2) {
                        agg.recent_commands.erase(
                            agg.recent_commands.begin(),
                            agg.recent_commands.end() - static_cast<std::ptrdiff_t>(keep));
                    }
                }
                cache_->put(key, std::move(agg));
            }
            return std::move(s.value);
        }
        if (cached)
            continue;  // the assumed state may be stale: re-check on a fresh load
        if (s.what == step::kind::failed)
            return std::move(s.value);
        if (c.expected.what() == expected_version::kind::any &&
            attempt < opts_.max_conflict_retries) {
            ++attempt;
            continue;  // someone else wrote first: load again and decide again
        }
        // A concurrent retry of this very command may have won the race.
        auto again = repo_.load(stream);
        if (!again)
            return fail(std::move(again).error());
        auto dup2 = find_duplicate(*again);
        if (!dup2)
            return fail(std::move(dup2).error());
        if (*dup2)
            return std::move(**dup2);
        if (c.expected.what() == expected_version::kind::any) {
            return fail(error::version_conflict(
                fmt::format("{} {} kept changing: gave up after {} attempts", c.entity, stream.id,
                            attempt + 1)));
        }
        return std::move(s.value);
    }
}

}  // namespace esser::core

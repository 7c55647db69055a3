#include "esser/emulator/testing/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "esser/core/aggregate_state_projection.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/emulator/testing/aggregate_fixture.hpp"

namespace esser::emulator {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* top_level_members =
    "scenario, description, group, domain, seed, clock, aggregate, id, ignoring, events, "
    "check_determinism, target, reset, steps (or given, given_commands, given_nothing, when, "
    "then)";
constexpr const char* http_step_names =
    "send, request, drain, advance, set_clock, rotate, projection, queue, ignoring";
constexpr const char* step_names =
    "given, given_commands, given_nothing, advance, when, then, append, ignoring, drain";

std::string escape(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

struct checker {
    const scenario& s;
    const json& named_events;
    std::vector<core::field_error>& problems;
    bool s_projections = false;  // a step needs the projection path

    void problem(std::string pointer, std::string reason) {
        problems.push_back({std::move(pointer), std::move(reason)});
    }

    bool entity_ok(const std::string& entity, const std::string& at) {
        if (!s.domain)
            return true;  // already reported
        if (s.domain->find(entity))
            return true;
        std::string names;
        for (const auto& [n, e] : s.domain->entities()) names += (names.empty() ? "" : ", ") + n;
        problem(at, fmt::format("unknown entity '{}': the domain has {}", entity, names));
        return false;
    }

    // A given event: an object with a string "type", or the name of one of "events".
    void given_event(const json& e, const std::string& at, bool need_stream = true) {
        if (e.is_string()) {
            if (!named_events.is_object() || !named_events.contains(e.get<std::string>())) {
                problem(at, fmt::format("no event named '{}' in the scenario's \"events\"",
                                        e.get<std::string>()));
            } else if (need_stream && s.id.empty() &&
                       !named_events[e.get<std::string>()].contains("id")) {
                problem(at, "names no stream: set the scenario's \"id\" or the event's \"id\"");
            }
            return;
        }
        event_object(e, at, need_stream);
    }

    void event_object(const json& e, const std::string& at, bool need_stream) {
        if (!e.is_object()) {
            problem(at,
                    "must be an event object {\"type\": ..., \"data\": {...}} or an event name");
            return;
        }
        if (!e.contains("type") || !e["type"].is_string())
            problem(at + "/type", "is required: the event type, a string");
        if (e.contains("data") && !e["data"].is_object())
            problem(at + "/data", "must be an object");
        std::string entity = s.entity;
        if (auto it = e.find("entity"); it != e.end()) {
            if (!it->is_string()) {
                problem(at + "/entity", "must be a string");
                return;
            }
            entity = it->get<std::string>();
        }
        if (auto it = e.find("id"); it != e.end() && !it->is_string())
            problem(at + "/id", "must be a string");
        if (entity.empty()) {
            problem(at,
                    "names no entity: set the scenario's \"aggregate\" or the event's \"entity\"");
            return;
        }
        entity_ok(entity, e.contains("entity") ? at + "/entity" : "/aggregate");
        if (need_stream && !e.contains("id") && s.id.empty())
            problem(at, "names no stream: set the scenario's \"id\" or the event's \"id\"");
    }

    void command(const json& c, const std::string& at) {
        if (!c.is_object()) {
            problem(at, "must be a command object {\"command\": \"UpdatePrice\", \"data\": {...}}");
            return;
        }
        auto name = c.find("command");
        if (name == c.end())
            name = c.find("name");
        if (name == c.end() || !name->is_string()) {
            problem(at + "/command", "is required: the command's name, a string");
            return;
        }
        std::string entity = s.entity;
        if (auto it = c.find("entity"); it != c.end()) {
            if (!it->is_string()) {
                problem(at + "/entity", "must be a string");
                return;
            }
            entity = it->get<std::string>();
        }
        if (entity.empty()) {
            problem(at,
                    "names no entity: set the scenario's \"aggregate\" or the command's "
                    "\"entity\"");
            return;
        }
        if (!entity_ok(entity, c.contains("entity") ? at + "/entity" : "/aggregate"))
            return;
        const core::entity_def* ent = s.domain ? s.domain->find(entity) : nullptr;
        if (ent && !ent->find_command(name->get<std::string>())) {
            std::string names;
            for (const auto& [n, cd] : ent->commands) names += (names.empty() ? "" : ", ") + n;
            problem(at + "/command", fmt::format("unknown command '{}' of {}: it has {}",
                                                 name->get<std::string>(), entity, names));
        }
    }

    void patterns(const json& p, const std::string& at) {
        if (!p.is_array()) {
            problem(at, "must be a list of JSON Pointer patterns such as [\"/meta\", \"/**/at\"]");
            return;
        }
        for (std::size_t i = 0; i < p.size(); ++i) {
            if (!p[i].is_string()) {
                problem(fmt::format("{}/{}", at, i), "must be a string");
                continue;
            }
            if (auto f = path_filter::make({p[i].get<std::string>()}); !f)
                problem(fmt::format("{}/{}", at, i), f.error().message);
        }
    }

    void then(const json& t, const std::string& at) {
        if (!t.is_object() || t.empty()) {
            problem(at,
                    "must be an object with one or more of events, error, success, state, "
                    "projection, ignoring");
            return;
        }
        for (auto it = t.begin(); it != t.end(); ++it) {
            const std::string p = at + "/" + escape(it.key());
            const json& v = it.value();
            if (it.key() == "projection")
                s_projections = true;
            if (it.key() == "events") {
                if (v.is_array())
                    continue;
                if (!v.is_object()) {
                    problem(p,
                            "must be a list of expected events or {\"match\": ..., \"items\": "
                            "[...]}");
                    continue;
                }
                std::string match = "exact";
                if (auto m = v.find("match"); m != v.end()) {
                    if (!m->is_string() || !events_match_from_string(m->get<std::string>())) {
                        problem(p + "/match",
                                "must be \"exact\", \"prefix\", \"contains\" or \"none\"");
                        continue;
                    }
                    match = m->get<std::string>();
                }
                if (auto items = v.find("items"); items != v.end()) {
                    if (!items->is_array())
                        problem(p + "/items", "must be a list of expected events");
                    else if (match == "none" && !items->empty())
                        problem(p + "/items", "must be empty with \"match\": \"none\"");
                    else
                        for (std::size_t i = 0; i < items->size(); ++i)
                            if (!(*items)[i].is_object())
                                problem(fmt::format("{}/items/{}", p, i),
                                        "must be an object such as {\"type\": \"PriceUpdated\"}");
                } else if (match != "none") {
                    problem(p + "/items", "is required unless \"match\" is \"none\"");
                }
                for (auto m = v.begin(); m != v.end(); ++m)
                    if (m.key() != "match" && m.key() != "items")
                        problem(p + "/" + escape(m.key()),
                                "is not a member of events (match, items)");
            } else if (it.key() == "error") {
                if (v.is_string())
                    continue;
                if (!v.is_object()) {
                    problem(p, "must be an error type or {\"type\", \"pointer\", \"message\"}");
                    continue;
                }
                for (auto m = v.begin(); m != v.end(); ++m) {
                    if (m.key() != "type" && m.key() != "pointer" && m.key() != "path" &&
                        m.key() != "message")
                        problem(p + "/" + escape(m.key()),
                                "is not a member of error (type, pointer, message)");
                    else if (!m->is_string())
                        problem(p + "/" + escape(m.key()), "must be a string");
                }
                if (auto ty = v.find("type"); ty != v.end() && ty->is_string()) {
                    std::string n;
                    if (!normalize_error_type(ty->get<std::string>(), n))
                        problem(p + "/type",
                                "unknown error type: use validation, version_conflict, not_found, "
                                "aggregate_deleted, vetoed, ... (or ValidationError, ...)");
                }
            } else if (it.key() == "success") {
                if (!v.is_boolean() || !v.get<bool>())
                    problem(p, "must be true (to expect a failure, use \"error\")");
            } else if (it.key() == "state") {
                if (!v.is_object() || !v.contains("value")) {
                    problem(p, "must be {\"match\": \"exact\" | \"subset\", \"value\": {...}}");
                    continue;
                }
                for (auto m = v.begin(); m != v.end(); ++m) {
                    const std::string k = m.key();
                    if (k == "match") {
                        if (!m->is_string() || !diff_mode_from_string(m->get<std::string>()))
                            problem(p + "/match", "must be \"exact\" or \"subset\"");
                    } else if (k == "version") {
                        if (!m->is_number_unsigned())
                            problem(p + "/version",
                                    "must be a version number (0: the initial "
                                    "state)");
                    } else if (k == "entity" || k == "id") {
                        if (!m->is_string())
                            problem(p + "/" + k, "must be a string");
                        else if (k == "entity")
                            entity_ok(m->get<std::string>(), p + "/entity");
                    } else if (k != "value") {
                        problem(p + "/" + escape(k),
                                "is not a member of state (match, value, "
                                "entity, id, version)");
                    }
                }
            } else if (it.key() == "projection") {
                projection_rows(v, p);
            } else if (it.key() == "ignoring") {
                patterns(v, p);
            } else {
                problem(p,
                        "is not a then check (events, error, success, state, projection, "
                        "ignoring)");
            }
        }
    }

    // {"name": "item", "id": "item-1", "match"?: "exact" | "subset", "value": {...},
    //  "version"?: N} or {"name", "id", "missing": true}.
    // One expected row, or a non-empty list of them.
    void projection_rows(const json& v, const std::string& at) {
        if (!v.is_array()) {
            projection_row(v, at);
            return;
        }
        if (v.empty())
            problem(at, "must name at least one row");
        for (std::size_t i = 0; i < v.size(); ++i)
            projection_row(v[i], fmt::format("{}/{}", at, i));
    }

    void projection_row(const json& v, const std::string& at) {
        constexpr const char* shape =
            "must be {\"name\": \"item\", \"id\": \"item-1\", \"match\": \"exact\" | "
            "\"subset\", \"value\": {...}} or {\"name\", \"id\", \"missing\": true}";
        if (!v.is_object()) {
            problem(at, shape);
            return;
        }
        for (const char* key : {"name", "id"}) {
            auto m = v.find(key);
            if (m == v.end())
                problem(at + "/" + key,
                        std::string("is required: ") +
                            (std::string(key) == "name"
                                 ? "the projection's name (the entity's collection, \"item\")"
                                 : "the row's id (the aggregate id)"));
            else if (!m->is_string() || m->get<std::string>().empty())
                problem(at + "/" + key, "must be a non-empty string");
        }
        const bool missing = v.contains("missing");
        if (missing && v["missing"] != json(true))
            problem(at + "/missing", "must be true (to expect a row, give \"value\")");
        if (missing && (v.contains("value") || v.contains("match") || v.contains("version")))
            problem(at, "\"missing\" takes no value, match or version");
        if (!missing && !v.contains("value"))
            problem(at + "/value", "is required: the row's expected state (or \"missing\": true)");
        if (auto val = v.find("value"); val != v.end() && !val->is_object())
            problem(at + "/value", "must be an object: the row's state");
        if (auto m = v.find("match");
            m != v.end() && (!m->is_string() || !diff_mode_from_string(m->get<std::string>())))
            problem(at + "/match", "must be \"exact\" or \"subset\"");
        if (auto m = v.find("version");
            m != v.end() && !(m->is_number_integer() && m->get<std::int64_t>() >= 0))
            problem(at + "/version", "must be a version number: the last event folded in");
        for (auto m = v.begin(); m != v.end(); ++m) {
            const std::string& k = m.key();
            if (k != "name" && k != "id" && k != "match" && k != "value" && k != "version" &&
                k != "missing")
                problem(at + "/" + escape(k),
                        "is not a member of a projection check (name, id, match, value, "
                        "version, missing)");
        }
        if (auto n = v.find("name"); n != v.end() && n->is_string() && s.domain) {
            // The built-in projection's collections are the entities' snake_case names; a
            // custom projection's collection is unknown here, so only a near miss is flagged:
            // an entity's own name ("Item" for "item").
            for (const auto& [entity, def] : s.domain->entities()) {
                const std::string c = core::aggregate_state_projection::collection_for(entity);
                if (entity == n->get<std::string>() && c != entity)
                    problem(at + "/name",
                            fmt::format("the projection of {} is named \"{}\"", entity, c));
            }
        }
    }

    void append(const json& step, const std::string& at) {
        for (auto m = step.begin(); m != step.end(); ++m) {
            const std::string& k = m.key();
            if (k != "append" && k != "entity" && k != "events" && k != "expect" && k != "result")
                problem(
                    at + "/" + escape(k),
                    "is not a member of an append step (append, entity, events, expect, result)");
        }
        if (!step["append"].is_string())
            problem(at + "/append", "must be the aggregate id to append to");
        std::string entity = s.entity;
        if (auto e = step.find("entity"); e != step.end()) {
            if (!e->is_string())
                problem(at + "/entity", "must be a string");
            else
                entity = e->get<std::string>();
        }
        if (entity.empty())
            problem(at,
                    "names no entity: set the scenario's \"aggregate\" or the step's \"entity\"");
        else
            entity_ok(entity, step.contains("entity") ? at + "/entity" : "/aggregate");
        auto ev = step.find("events");
        if (ev == step.end() || !ev->is_array() || ev->empty()) {
            problem(at + "/events", "must be a non-empty list of event names or event objects");
        } else {
            for (std::size_t i = 0; i < ev->size(); ++i) {
                const json& e = (*ev)[i];
                const std::string p = fmt::format("{}/events/{}", at, i);
                if (e.is_string()) {
                    given_event(e, p, false);
                } else if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) {
                    problem(p, "must be an event name or an object with a string \"type\"");
                }
            }
        }
        if (auto x = step.find("expect"); x == step.end()) {
            problem(at + "/expect", "is required: \"no_stream\", \"any\" or a version number");
        } else if (!core::expected_version::from_json(*x)) {
            problem(at + "/expect", "must be \"no_stream\", \"any\" or a version number");
        }
        if (auto r = step.find("result"); r == step.end()) {
            problem(at + "/result", "is required: \"ok\", \"conflict\" or \"idempotent\"");
        } else if (!r->is_string() || !append_outcome_from_string(r->get<std::string>())) {
            problem(at + "/result", "must be \"ok\", \"conflict\" or \"idempotent\"");
        }
    }

    // ---- target "http" (http_scenario.hpp)

    // "expect": {"status"?: 100..599, "body"?: JSON (compared as a subset)}
    void http_expect(const json& e, const std::string& at) {
        if (!e.is_object()) {
            problem(at, "must be {\"status\": 200, \"body\": {...}}");
            return;
        }
        for (auto m = e.begin(); m != e.end(); ++m) {
            const std::string p = at + "/" + escape(m.key());
            if (m.key() == "status") {
                if (!m->is_number_integer() || m->get<std::int64_t>() < 100 ||
                    m->get<std::int64_t>() > 599)
                    problem(p, "must be an HTTP status code (100..599)");
            } else if (m.key() != "body") {
                problem(p, "is not a member of expect (status, body)");
            }
        }
    }

    // "save": {"name": "/pointer/into/the/response/body"}: later strings use ${name}.
    void http_save(const json& v, const std::string& at) {
        if (!v.is_object() || v.empty()) {
            problem(at,
                    "must map names to JSON Pointers into the response body: {\"item\": \"/id\"}");
            return;
        }
        for (auto m = v.begin(); m != v.end(); ++m) {
            const std::string p = at + "/" + escape(m.key());
            bool name_ok = !m.key().empty();
            for (char c : m.key())
                if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
                    name_ok = false;
            if (!name_ok || m.key() == "url")
                problem(p, "a saved name is letters, digits and _ (\"url\" is reserved)");
            if (!m->is_string() ||
                (!m->get<std::string>().empty() && m->get<std::string>().front() != '/'))
                problem(p, "must be a JSON Pointer such as \"/id\"");
        }
    }

    void http_step(const json& st, const std::string& at, std::vector<scenario_step>& out) {
        using k = scenario_step::kind;
        static const std::vector<std::pair<std::string, k>> kinds = {{"send", k::send},
                                                                     {"request", k::request},
                                                                     {"drain", k::drain},
                                                                     {"advance", k::advance},
                                                                     {"set_clock", k::set_clock},
                                                                     {"rotate", k::rotate},
                                                                     {"projection", k::projection},
                                                                     {"queue", k::queue},
                                                                     {"ignoring", k::ignoring}};
        std::optional<std::pair<std::string, k>> found;
        for (auto m = st.begin(); m != st.end(); ++m) {
            if (m.key() == "expect" || m.key() == "save")
                continue;
            auto kind = std::find_if(kinds.begin(), kinds.end(),
                                     [&](const auto& x) { return x.first == m.key(); });
            if (kind == kinds.end()) {
                problem(at + "/" + escape(m.key()),
                        fmt::format("unknown step '{}' of an http scenario: expected one of {} "
                                    "(with expect and save)",
                                    m.key(), http_step_names));
                return;
            }
            if (found) {
                problem(at, fmt::format("must hold exactly one step ({}); split it into several",
                                        http_step_names));
                return;
            }
            found = *kind;
        }
        if (!found) {
            problem(at, fmt::format("names no step: expected one of {}", http_step_names));
            return;
        }
        const std::string& key = found->first;
        const std::string p = at + "/" + key;
        const json& v = st[key];
        const bool takes_expect =
            found->second == k::send || found->second == k::request || found->second == k::drain;
        if (auto e = st.find("expect"); e != st.end()) {
            if (takes_expect)
                http_expect(*e, at + "/expect");
            else
                problem(at + "/expect", "only send, request and drain take expect");
        }
        if (auto sv = st.find("save"); sv != st.end()) {
            if (found->second == k::send || found->second == k::request)
                http_save(*sv, at + "/save");
            else
                problem(at + "/save", "only send and request take save");
        }
        switch (found->second) {
            case k::send:
                command(v, p);
                break;
            case k::request: {
                if (!v.is_object()) {
                    problem(p,
                            "must be {\"method\": \"GET\", \"path\": \"/esser/v1/...\", "
                            "\"body\"?: ...}");
                    break;
                }
                static const std::vector<std::string> methods = {"GET",    "POST",  "PUT",
                                                                 "DELETE", "PATCH", "HEAD"};
                auto m = v.find("method");
                if (m == v.end() || !m->is_string() ||
                    std::find(methods.begin(), methods.end(), m->get<std::string>()) ==
                        methods.end())
                    problem(p + "/method", "must be GET, POST, PUT, DELETE, PATCH or HEAD");
                auto path = v.find("path");
                if (path == v.end() || !path->is_string() || path->get<std::string>().empty() ||
                    path->get<std::string>().front() != '/')
                    problem(p + "/path", "must be the request target, starting with '/'");
                if (auto h = v.find("headers"); h != v.end()) {
                    if (!h->is_object())
                        problem(p + "/headers", "must map header names to strings");
                    else
                        for (auto x = h->begin(); x != h->end(); ++x)
                            if (!x->is_string())
                                problem(p + "/headers/" + escape(x.key()), "must be a string");
                }
                for (auto x = v.begin(); x != v.end(); ++x)
                    if (x.key() != "method" && x.key() != "path" && x.key() != "body" &&
                        x.key() != "headers")
                        problem(p + "/" + escape(x.key()),
                                "is not a member of request (method, path, headers, body)");
                break;
            }
            case k::drain:
                if (v != json(true))
                    problem(p, "must be true (POST /esser/v1/drain)");
                break;
            case k::advance:
                if (!v.is_string() || !core::parse_duration(v.get<std::string>()))
                    problem(p, "must be a duration such as \"250ms\", \"15s\", \"25h\" or \"1d\"");
                break;
            case k::set_clock:
                if (!v.is_string() || !core::parse_rfc3339(v.get<std::string>()))
                    problem(p, "must be an RFC 3339 time such as \"2024-01-02T00:00:00Z\"");
                break;
            case k::rotate:
                if (!v.is_string() || v.get<std::string>().empty())
                    problem(p, "must be a table name, e.g. \"events\"");
                break;
            case k::projection:
                projection_rows(v, p);
                break;
            case k::queue:
                queue(v, p);
                break;
            case k::ignoring:
                patterns(v, p);
                break;
            default:
                break;
        }
        scenario_step out_step;
        out_step.what = found->second;
        out_step.pointer = at;
        out_step.body = v;
        out_step.extra = st;
        out.push_back(std::move(out_step));
    }

    // {"name": "q", "count"?: N, "messages"?: [bodies, as subsets], "match"?: "contains" |
    //  "exact"}
    void queue(const json& v, const std::string& at) {
        if (!v.is_object()) {
            problem(at, "must be {\"name\": \"<queue>\", \"count\"?: N, \"messages\"?: [...]}");
            return;
        }
        if (auto n = v.find("name");
            n == v.end() || !n->is_string() || n->get<std::string>().empty())
            problem(at + "/name", "is required: the queue's name or ARN");
        if (auto c = v.find("count");
            c != v.end() && !(c->is_number_integer() && c->get<std::int64_t>() >= 0))
            problem(at + "/count", "must be the number of visible messages (>= 0)");
        if (auto m = v.find("messages"); m != v.end() && !m->is_array())
            problem(at + "/messages", "must be a list of expected message bodies");
        if (auto m = v.find("match");
            m != v.end() && (!m->is_string() || (m->get<std::string>() != "contains" &&
                                                 m->get<std::string>() != "exact")))
            problem(at + "/match", "must be \"contains\" or \"exact\"");
        for (auto m = v.begin(); m != v.end(); ++m)
            if (m.key() != "name" && m.key() != "count" && m.key() != "messages" &&
                m.key() != "match")
                problem(at + "/" + escape(m.key()),
                        "is not a member of queue (name, count, messages, match)");
    }

    // Checks one step and records it.
    void step(const std::string& key, const json& body, const json& whole, const std::string& at,
              std::vector<scenario_step>& out) {
        using k = scenario_step::kind;
        const std::string p = at + "/" + escape(key);
        scenario_step st;
        st.pointer = at.empty() ? p : at;
        st.body = body;
        if (key == "given") {
            st.what = k::given;
            if (!body.is_array()) {
                problem(p, "must be a list of events");
                return;
            }
            for (std::size_t i = 0; i < body.size(); ++i)
                given_event(body[i], fmt::format("{}/{}", p, i));
        } else if (key == "given_commands") {
            st.what = k::given_commands;
            if (!body.is_array()) {
                problem(p, "must be a list of commands");
                return;
            }
            for (std::size_t i = 0; i < body.size(); ++i)
                command(body[i], fmt::format("{}/{}", p, i));
        } else if (key == "given_nothing") {
            st.what = k::given_nothing;
            if (body != json(true))
                problem(p, "must be true");
        } else if (key == "advance") {
            st.what = k::advance;
            if (!body.is_string() || !core::parse_duration(body.get<std::string>()))
                problem(p, "must be a duration such as \"250ms\", \"15s\", \"25h\" or \"1d\"");
        } else if (key == "when") {
            st.what = k::when;
            if (body.is_array()) {
                if (body.empty())
                    problem(p, "must name at least one command");
                for (std::size_t i = 0; i < body.size(); ++i)
                    command(body[i], fmt::format("{}/{}", p, i));
            } else {
                command(body, p);
                st.body = json::array({body});
            }
        } else if (key == "then") {
            st.what = k::then;
            then(body, p);
        } else if (key == "append") {
            st.what = k::append;
            st.extra = whole;
            append(whole, at);
        } else if (key == "ignoring") {
            st.what = k::ignoring;
            patterns(body, p);
        } else if (key == "drain") {
            st.what = k::drain;
            s_projections = true;
            if (body != json(true))
                problem(p, "must be true (runs the event source mappings until idle)");
        } else {
            problem(p, fmt::format("unknown step '{}': expected one of {}", key, step_names));
            return;
        }
        out.push_back(std::move(st));
    }
};

std::optional<std::string> find_domain_file(const std::string& scenario_file) {
    std::error_code ec;
    fs::path dir = fs::absolute(fs::path(scenario_file), ec).parent_path();
    for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
        fs::path candidate = dir / "domain.json";
        if (fs::is_regular_file(candidate, ec))
            return candidate.string();
        if (dir == dir.parent_path())
            break;
        dir = dir.parent_path();
    }
    return std::nullopt;
}

}  // namespace

core::result<scenario> parse_scenario(const json& doc, const std::string& file,
                                      const domain_loader& load_domain) {
    scenario s;
    s.file = file;
    std::vector<core::field_error> problems;
    auto finish = [&]() -> core::result<scenario> {
        if (problems.empty())
            return s;
        const std::size_t n = problems.size();
        core::error e = core::error::parse_error(
            fmt::format("{} is not a valid scenario ({} problem{})", file, n, n == 1 ? "" : "s"),
            std::move(problems));
        e.source = file;
        return core::fail(std::move(e));
    };
    if (!doc.is_object()) {
        problems.push_back({"",
                            "a scenario file must be a JSON object {\"scenario\": ..., "
                            "\"steps\": [...]}"});
        return finish();
    }
    static const std::vector<std::string> known = {
        "scenario", "description", "group",          "domain",
        "seed",     "clock",       "aggregate",      "id",
        "stream",   "ignoring",    "events",         "check_determinism",
        "steps",    "given",       "given_commands", "given_nothing",
        "when",     "then",        "target",         "reset"};
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            problems.push_back(
                {"/" + escape(it.key()),
                 fmt::format("is not a member of a scenario (expected {})", top_level_members)});
    }
    auto str = [&](const char* key, std::string& out, bool required) {
        auto it = doc.find(key);
        if (it == doc.end()) {
            if (required)
                problems.push_back({std::string("/") + key, "is required: a string"});
            return;
        }
        if (!it->is_string() || (required && it->get<std::string>().empty())) {
            problems.push_back({std::string("/") + key, "must be a non-empty string"});
            return;
        }
        out = it->get<std::string>();
    };
    str("scenario", s.name, true);
    str("description", s.description, false);
    str("group", s.group, false);
    str("aggregate", s.entity, false);
    str("id", s.id, false);
    if (s.id.empty())
        str("stream", s.id, false);

    // The domain first: the steps are checked against it.
    std::string domain_path;
    if (auto d = doc.find("domain"); d != doc.end()) {
        if (!d->is_string() || d->get<std::string>().empty()) {
            problems.push_back(
                {"/domain", "must be the path of a domain file, relative to this file"});
        } else {
            fs::path p(d->get<std::string>());
            domain_path =
                p.is_absolute() ? p.string() : (fs::path(file).parent_path() / p).string();
        }
    } else if (auto found = find_domain_file(file)) {
        domain_path = *found;
    } else {
        problems.push_back({"/domain",
                            "no domain.json next to this file or in a parent folder: "
                            "name the domain file with \"domain\""});
    }
    if (!domain_path.empty()) {
        s.domain_file = domain_path;
        auto d = load_domain(domain_path);
        if (!d)
            problems.push_back({"/domain", "the domain does not load: " + d.error().describe()});
        else
            s.domain = *d;
    }
    if (s.domain && !s.entity.empty() && !s.domain->find(s.entity)) {
        std::string names;
        for (const auto& [n, e] : s.domain->entities()) names += (names.empty() ? "" : ", ") + n;
        problems.push_back(
            {"/aggregate", fmt::format("unknown entity '{}': the domain has {}", s.entity, names)});
    }

    if (auto it = doc.find("seed"); it != doc.end()) {
        if (!it->is_number_unsigned())
            problems.push_back({"/seed", "must be a non-negative integer"});
        else
            s.seed = it->get<std::uint64_t>();
    }
    if (auto it = doc.find("target"); it != doc.end()) {
        if (*it == "http")
            s.target = scenario_target::http;
        else if (*it != "in-process")
            problems.push_back({"/target", "must be \"in-process\" (the default) or \"http\""});
    }
    if (auto it = doc.find("reset"); it != doc.end()) {
        if (!it->is_boolean())
            problems.push_back({"/reset", "must be true or false"});
        else
            s.reset = it->get<bool>();
        if (s.target != scenario_target::http)
            problems.push_back({"/reset", "applies to \"target\": \"http\" only"});
    }
    if (auto it = doc.find("check_determinism"); it != doc.end()) {
        if (!it->is_boolean())
            problems.push_back({"/check_determinism", "must be true or false"});
        else
            s.check_determinism = it->get<bool>();
    }
    if (auto it = doc.find("clock"); it != doc.end()) {
        if (!it->is_object()) {
            problems.push_back({"/clock",
                                "must be {\"start\": \"2024-01-01T00:00:00Z\", "
                                "\"tick\": \"1s\"}"});
        } else {
            for (auto m = it->begin(); m != it->end(); ++m) {
                const std::string p = "/clock/" + escape(m.key());
                if (m.key() == "start") {
                    auto t = m->is_string() ? core::parse_rfc3339(m->get<std::string>())
                                            : core::result<core::time_point>(core::fail(
                                                  core::error::parse_error("not a string")));
                    if (!t)
                        problems.push_back({p,
                                            "must be an RFC 3339 time such as "
                                            "\"2024-01-01T00:00:00Z\""});
                    else
                        s.start = *t;
                } else if (m.key() == "tick") {
                    auto d = m->is_string() ? core::parse_duration(m->get<std::string>())
                                            : core::result<core::duration>(core::fail(
                                                  core::error::parse_error("not a string")));
                    if (!d)
                        problems.push_back({p, "must be a duration such as \"1s\" or \"250ms\""});
                    else
                        s.tick = *d;
                } else {
                    problems.push_back({p, "is not a member of clock (start, tick)"});
                }
            }
        }
    }

    json named = json::object();
    if (auto it = doc.find("events"); it != doc.end()) {
        if (!it->is_object())
            problems.push_back({"/events",
                                "must map event names to events: {\"e0\": {\"type\": "
                                "\"ItemCreated\", \"data\": {...}}}"});
        else
            named = *it;
    }
    s.named_events = named;
    checker c{s, named, problems};
    for (auto it = named.begin(); it != named.end(); ++it)
        c.event_object(it.value(), "/events/" + escape(it.key()), false);
    if (auto it = doc.find("ignoring"); it != doc.end()) {
        c.patterns(*it, "/ignoring");
        if (it->is_array())
            for (const auto& p : *it)
                if (p.is_string())
                    s.ignoring.push_back(p.get<std::string>());
    }

    const bool has_steps = doc.contains("steps");
    const bool has_short = doc.contains("given") || doc.contains("given_commands") ||
                           doc.contains("given_nothing") || doc.contains("when") ||
                           doc.contains("then");
    if (s.target == scenario_target::http) {
        const json* steps = has_steps ? &doc["steps"] : nullptr;
        if (has_short)
            problems.push_back({"/steps",
                                "an http scenario lists its steps in \"steps\" (given, when and "
                                "then are in-process steps)"});
        else if (!steps || !steps->is_array() || steps->empty())
            problems.push_back({"/steps", "must be a non-empty list of steps"});
        else
            for (std::size_t i = 0; i < steps->size(); ++i) {
                const std::string at = fmt::format("/steps/{}", i);
                const json& st = (*steps)[i];
                if (!st.is_object() || st.empty())
                    problems.push_back(
                        {at, fmt::format("must be an object with one step: {}", http_step_names)});
                else
                    c.http_step(st, at, s.steps);
            }
    } else if (has_steps && has_short) {
        problems.push_back({"/steps",
                            "use either \"steps\" or the short form (given, when, "
                            "then), not both"});
    } else if (has_steps) {
        const json& steps = doc["steps"];
        if (!steps.is_array() || steps.empty()) {
            problems.push_back({"/steps", "must be a non-empty list of steps"});
        } else {
            for (std::size_t i = 0; i < steps.size(); ++i) {
                const std::string at = fmt::format("/steps/{}", i);
                const json& st = steps[i];
                if (!st.is_object() || st.empty()) {
                    problems.push_back(
                        {at, fmt::format("must be an object with one step: {}", step_names)});
                    continue;
                }
                if (st.contains("append")) {
                    c.step("append", st["append"], st, at, s.steps);
                    continue;
                }
                if (st.size() != 1) {
                    problems.push_back({at, fmt::format("must hold exactly one step ({}); split "
                                                        "it into several",
                                                        step_names)});
                    continue;
                }
                c.step(st.begin().key(), st.begin().value(), st, at, s.steps);
            }
        }
    } else if (has_short) {
        for (const char* key : {"given_nothing", "given", "given_commands", "when", "then"}) {
            if (auto it = doc.find(key); it != doc.end())
                c.step(key, *it, *it, "", s.steps);
        }
    } else {
        problems.push_back({"/steps", "is required: the scenario's steps (or given/when/then)"});
    }
    s.projections = c.s_projections;
    return finish();
}

core::result<scenario> load_scenario_file(const std::string& path, const domain_loader& load) {
    auto doc = core::read_json_file(path);
    if (!doc) {
        core::error e = std::move(doc).error();
        e.source = path;
        return core::fail(std::move(e));
    }
    return parse_scenario(*doc, path, load);
}

std::string_view to_string(scenario_step::kind k) noexcept {
    switch (k) {
        case scenario_step::kind::given:
            return "given";
        case scenario_step::kind::given_commands:
            return "given_commands";
        case scenario_step::kind::given_nothing:
            return "given_nothing";
        case scenario_step::kind::advance:
            return "advance";
        case scenario_step::kind::when:
            return "when";
        case scenario_step::kind::then:
            return "then";
        case scenario_step::kind::append:
            return "append";
        case scenario_step::kind::ignoring:
            return "ignoring";
        case scenario_step::kind::drain:
            return "drain";
        case scenario_step::kind::send:
            return "send";
        case scenario_step::kind::request:
            return "request";
        case scenario_step::kind::set_clock:
            return "set_clock";
        case scenario_step::kind::rotate:
            return "rotate";
        case scenario_step::kind::projection:
            return "projection";
        case scenario_step::kind::queue:
            return "queue";
    }
    return "?";
}

namespace {

std::vector<std::string> strings(const json& a) {
    std::vector<std::string> out;
    for (const auto& x : a) out.push_back(x.get<std::string>());
    return out;
}

struct scenario_run {
    const scenario& s;
    aggregate_fixture& fx;
    const json& named_doc;
    std::map<std::string, core::event> named;

    const core::event& named_event(const std::string& name) {
        auto it = named.find(name);
        if (it == named.end()) {
            const json& d = named_doc.at(name);
            core::event e =
                fx.make_event(d.at("type").get<std::string>(), d.value("data", json::object()));
            it = named.emplace(name, std::move(e)).first;
        }
        return it->second;
    }

    json given_json(const json& e) {
        if (!e.is_string())
            return e;
        const json& d = named_doc.at(e.get<std::string>());
        const core::event& ne = named_event(e.get<std::string>());
        json out = d;
        out["meta"] = json{{"event_id", ne.meta.event_id}};
        return out;
    }

    void run(const scenario_step& st) {
        using k = scenario_step::kind;
        switch (st.what) {
            case k::given: {
                std::vector<json> events;
                for (const auto& e : st.body) events.push_back(given_json(e));
                fx.given(events);
                break;
            }
            case k::given_commands:
                fx.given_commands(st.body.get<std::vector<json>>());
                break;
            case k::given_nothing:
                fx.given_nothing();
                break;
            case k::advance:
                fx.advance(*core::parse_duration(st.body.get<std::string>()));
                break;
            case k::when:
                for (const auto& c : st.body) fx.when(c);
                break;
            case k::ignoring:
                fx.ignoring(strings(st.body));
                break;
            case k::drain:
                fx.drain();
                break;
            case k::append: {
                const json& a = st.extra;
                core::stream_id sid{a.value("entity", s.entity), a["append"].get<std::string>()};
                std::vector<core::event> events;
                for (const auto& e : a["events"]) {
                    if (e.is_string()) {
                        events.push_back(named_event(e.get<std::string>()));
                    } else {
                        events.push_back(fx.make_event(e["type"].get<std::string>(),
                                                       e.value("data", json::object())));
                    }
                }
                fx.append(sid, std::move(events), *core::expected_version::from_json(a["expect"]))
                    .then_append(*append_outcome_from_string(a["result"].get<std::string>()));
                break;
            }
            case k::then:
                then(st.body);
                break;
            default:
                throw std::logic_error(
                    fmt::format("the {} step needs \"target\": \"http\"", to_string(st.what)));
        }
    }

    void then(const json& t) {
        // Local ignores apply to this then only: run them on a copy of the filter? The fixture's
        // ignores are cumulative, so a then-level "ignoring" is applied first and stays, which is
        // what a reader of a scenario expects from a list of steps.
        if (auto ig = t.find("ignoring"); ig != t.end())
            fx.ignoring(strings(*ig));
        if (auto e = t.find("error"); e != t.end()) {
            if (e->is_string()) {
                fx.then_error(e->get<std::string>());
            } else {
                std::string pointer = e->value("pointer", std::string());
                if (pointer.empty())
                    pointer = e->value("path", std::string());
                fx.then_error(e->value("type", std::string()), pointer,
                              e->value("message", std::string()));
            }
        }
        if (t.contains("success"))
            fx.then_success();
        if (auto ev = t.find("events"); ev != t.end()) {
            if (ev->is_array()) {
                fx.then_events(ev->get<std::vector<json>>(), events_match::exact);
            } else {
                const auto mode =
                    *events_match_from_string(ev->value("match", std::string("exact")));
                fx.then_events(ev->value("items", json::array()).get<std::vector<json>>(), mode);
            }
        }
        if (auto st = t.find("state"); st != t.end()) {
            const auto mode = *diff_mode_from_string(st->value("match", std::string("exact")));
            if (st->contains("version")) {
                core::stream_id sid = fx.act_stream();
                sid.entity = st->value("entity", sid.entity);
                sid.id = st->value("id", sid.id);
                fx.then_state_at(sid, (*st)["version"].get<std::uint64_t>(), (*st)["value"], mode);
            } else if (st->contains("entity") || st->contains("id")) {
                core::stream_id sid = fx.act_stream();
                sid.entity = st->value("entity", sid.entity);
                sid.id = st->value("id", sid.id);
                fx.then_state(sid, (*st)["value"], mode);
            } else {
                fx.then_state((*st)["value"], mode);
            }
        }
        if (auto pr = t.find("projection"); pr != t.end()) {
            for (const json& row : pr->is_array() ? *pr : json::array({*pr})) {
                const std::string name = row["name"].get<std::string>();
                const std::string id = row["id"].get<std::string>();
                if (row.contains("missing")) {
                    fx.then_no_projection_row(name, id);
                    continue;
                }
                std::optional<std::uint64_t> version;
                if (auto v = row.find("version"); v != row.end())
                    version = v->get<std::uint64_t>();
                fx.then_projection(name, id, row["value"],
                                   *diff_mode_from_string(row.value("match", std::string("exact"))),
                                   version);
            }
        }
    }
};

}  // namespace

core::result<void> run_scenario(const scenario& s, std::optional<std::uint64_t> seed) {
    aggregate_fixture::options o;
    o.seed = seed.value_or(s.seed);
    o.start = s.start;
    o.tick = s.tick;
    o.check_determinism = s.check_determinism;
    o.projections = s.projections;
    const scenario_step* current = nullptr;
    try {
        aggregate_fixture fx(s.domain, o);
        fx.on(s.entity, s.id);
        if (!s.ignoring.empty())
            fx.ignoring(s.ignoring);
        scenario_run r{s, fx, s.named_events, {}};
        for (const auto& st : s.steps) {
            current = &st;
            r.run(st);
        }
    } catch (const expectation_failure& e) {
        core::error err = core::error::validation(fmt::format(
            "{} ({}): {}", current ? (current->pointer.empty() ? "/" : current->pointer) : "/",
            current ? to_string(current->what) : "setup", e.what()));
        err.source = s.file;
        return core::fail(std::move(err));
    } catch (const std::exception& e) {
        core::error err = core::error::internal(
            fmt::format("{} ({}): {}", current ? current->pointer : "/",
                        current ? to_string(current->what) : "setup", e.what()));
        err.source = s.file;
        return core::fail(std::move(err));
    }
    return {};
}

}  // namespace esser::emulator

#include "esser/core/domain_file.hpp"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "esser/core/attribute_json.hpp"

namespace esser::core {

using nlohmann::json;

namespace {

std::string child(const std::string& parent, std::string_view token) {
    std::string p = parent;
    append_pointer_token(p, token);
    return p;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty())
            out += ", ";
        out += s;
    }
    return out.empty() ? "(none registered)" : out;
}

// The seed's reducer naming: "ItemCreated" -> "item_created" (its camel_case_to_spaces).
std::string snake_case(std::string_view s) {
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (upper(c) && ((i > 0 && lower(s[i - 1])) || (i + 1 < s.size() && !upper(s[i + 1])))) {
            out.push_back('_');
        }
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    while (!out.empty() && out.front() == '_') out.erase(out.begin());
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

class reader {
public:
    reader(domain_builder& b, const function_registry& fns) : b_(b), fns_(fns) {}

    void problem(std::string pointer, std::string reason) {
        b_.add_problem({std::move(pointer), std::move(reason)});
    }

    // Rejects members outside `allowed` (besides "$comment", "description" and "x-..."), so a
    // typo is reported instead of silently ignored.
    void only(const json& obj, const std::string& at,
              std::initializer_list<std::string_view> allowed) {
        for (const auto& [k, v] : obj.items()) {
            if (k == "$comment" || k.rfind("x-", 0) == 0)
                continue;
            bool ok = false;
            for (auto a : allowed) ok = ok || a == k;
            if (!ok) {
                std::string list;
                for (auto a : allowed) {
                    if (!list.empty())
                        list += ", ";
                    list += a;
                }
                problem(child(at, k),
                        fmt::format("unknown member '{}'; expected one of: {}", k, list));
            }
        }
    }

    const json* object_member(const json& obj, const std::string& at, const char* name) {
        auto it = obj.find(name);
        if (it == obj.end())
            return nullptr;
        if (!it->is_object()) {
            problem(child(at, name), "must be a JSON object");
            return nullptr;
        }
        return &*it;
    }

    bool string_member(const json& obj, const std::string& at, const char* name, std::string& out) {
        auto it = obj.find(name);
        if (it == obj.end())
            return false;
        if (!it->is_string()) {
            problem(child(at, name), "must be a string");
            return false;
        }
        out = it->get<std::string>();
        return true;
    }

    void read(const json& doc) {
        if (!doc.is_object()) {
            problem("",
                    "a domain file must be a JSON object: {\"esser\": 1, \"name\": ..., "
                    "\"entities\": {...}}");
            return;
        }
        only(doc, "", {"esser", "name", "description", "entities", "receivers"});
        if (auto it = doc.find("esser"); it != doc.end() && *it != json(1)) {
            problem("/esser", "must be 1 (the domain file format version this esser reads)");
        }
        std::string text;
        if (string_member(doc, "", "description", text))
            b_.description(text);
        const json* entities = object_member(doc, "", "entities");
        if (!entities) {
            if (!doc.contains("entities")) {
                problem("/entities", "is required: an object mapping entity names to entities");
            }
            return;
        }
        for (const auto& [name, e] : entities->items()) read_entity(name, e);
        if (const json* rs = object_member(doc, "", "receivers"))
            read_receivers(*rs);
    }

private:
    void read_entity(const std::string& name, const json& e) {
        entity_builder& eb = b_.entity(name);
        const std::string at = eb.pointer();
        if (!e.is_object()) {
            problem(at, "an entity must be a JSON object with \"commands\" and \"reducer\"");
            return;
        }
        only(e, at, {"description", "initial_state", "snapshot", "commands", "reducer"});
        std::string text;
        if (string_member(e, at, "description", text))
            eb.description(text);
        if (auto it = e.find("initial_state"); it != e.end())
            eb.initial_state(*it);
        if (const json* s = object_member(e, at, "snapshot")) {
            const std::string sp = at + "/snapshot";
            only(*s, sp, {"every", "keep_command_ids"});
            if (auto it = s->find("every"); it != s->end()) {
                if (it->is_number_unsigned()) {
                    eb.snapshot_every(it->get<std::uint64_t>());
                } else {
                    problem(sp + "/every", "must be a non-negative integer (0: no snapshots)");
                }
            }
            if (auto it = s->find("keep_command_ids"); it != s->end()) {
                if (it->is_number_unsigned() && it->get<std::uint64_t>() <= 100000) {
                    eb.keep_command_ids(it->get<std::size_t>());
                } else {
                    problem(sp + "/keep_command_ids", "must be an integer from 0 to 100000");
                }
            }
        }
        std::set<std::string> declared;  // event types the file's commands emit
        bool has_decider = false;
        if (const json* cs = object_member(e, at, "commands")) {
            for (const auto& [cname, c] : cs->items()) {
                read_command(eb, cname, c, declared, has_decider);
            }
        } else if (!e.contains("commands")) {
            problem(at + "/commands", "is required: an object mapping command names to commands");
        }
        if (const json* r = object_member(e, at, "reducer")) {
            read_reducer(eb, *r, declared, has_decider);
        }
    }

    void read_command(entity_builder& eb, const std::string& name, const json& c,
                      std::set<std::string>& declared, bool& has_decider) {
        const std::string at = child(eb.pointer() + "/commands", name);
        if (!c.is_object()) {
            problem(at,
                    "a command must be a JSON object: {\"kind\": ..., \"event\": ..., "
                    "\"schema\": {...}}");
            return;
        }
        only(c, at, {"kind", "event", "events", "schema", "decide", "description"});
        command_def def;
        def.name = name;
        if (auto it = c.find("kind"); it != c.end()) {
            if (!it->is_string() ||
                !parse_command_kind(it->get_ref<const std::string&>(), def.kind)) {
                problem(at + "/kind", "must be \"create\", \"update\" or \"delete\"");
            }
        }
        string_member(c, at, "description", def.description);
        if (auto it = c.find("schema"); it != c.end())
            def.schema = *it;
        if (c.contains("event") && c.contains("events")) {
            problem(at + "/events", "give either \"event\" or \"events\", not both");
        }
        std::string type;
        if (string_member(c, at, "event", type))
            def.events.push_back({type, {}});
        if (auto it = c.find("events"); it != c.end()) {
            if (!it->is_array() || it->empty()) {
                problem(at + "/events",
                        "must be a non-empty array of event types or "
                        "{\"type\": ..., \"fields\": [...]}");
            } else {
                for (std::size_t i = 0; i < it->size(); ++i) {
                    const json& ev = (*it)[i];
                    const std::string ep = at + "/events/" + std::to_string(i);
                    if (ev.is_string()) {
                        def.events.push_back({ev.get<std::string>(), {}});
                    } else if (ev.is_object()) {
                        only(ev, ep, {"type", "fields"});
                        event_template t;
                        if (!string_member(ev, ep, "type", t.type)) {
                            problem(ep + "/type", "is required (the event type)");
                            continue;
                        }
                        if (auto f = ev.find("fields"); f != ev.end()) {
                            if (!f->is_array()) {
                                problem(ep + "/fields", "must be an array of payload member names");
                            } else {
                                for (const auto& x : *f) {
                                    if (x.is_string()) {
                                        t.fields.push_back(x.get<std::string>());
                                    } else {
                                        problem(ep + "/fields", "must contain only strings");
                                        break;
                                    }
                                }
                            }
                        }
                        def.events.push_back(std::move(t));
                    } else {
                        problem(ep, "must be an event type or {\"type\": ..., \"fields\": [...]}");
                    }
                }
            }
        }
        if (string_member(c, at, "decide", def.decide_name)) {
            has_decider = true;
            if (const decide_fn* fn = fns_.decider(def.decide_name)) {
                def.decide = *fn;
            } else {
                problem(at + "/decide",
                        fmt::format("no decide function named '{}' is registered (registered: {})",
                                    def.decide_name, join(fns_.names("decider"))));
                def.decide = [](const decide_context&) -> result<std::vector<new_event>> {
                    return std::vector<new_event>{};
                };  // placeholder so build() reports only the real problem
            }
        }
        for (const auto& t : def.events) declared.insert(t.type);
        eb.command(std::move(def));
    }

    void read_reducer(entity_builder& eb, const json& r, const std::set<std::string>& declared,
                      bool has_decider) {
        const std::string at = eb.pointer() + "/reducer";
        for (const auto& [key, spec] : r.items()) {
            if (key == "$comment" || key.rfind("x-", 0) == 0)
                continue;
            const std::string kp = child(at, key);
            if (key.rfind("on_", 0) != 0 || key.size() == 3) {
                problem(kp, "reducer members are named on_<EventType>, e.g. \"on_ItemCreated\"");
                continue;
            }
            const std::string x = key.substr(3);
            std::string type;
            if (declared.count(x)) {
                type = x;
            } else {
                std::vector<std::string> matches;
                for (const auto& t : declared) {
                    if (snake_case(t) == x)
                        matches.push_back(t);
                }
                if (matches.size() == 1) {
                    type = matches.front();
                } else if (has_decider) {
                    type = x;  // may come from a C++ decide function
                } else {
                    std::vector<std::string> all(declared.begin(), declared.end());
                    problem(kp, fmt::format("no command of {} emits an event '{}'; events: {}",
                                            eb.name(), x, join(all)));
                    continue;
                }
            }
            if (spec.is_array()) {
                if (spec.empty())
                    problem(kp, "must list at least one step");
                for (std::size_t i = 0; i < spec.size(); ++i) {
                    read_step(eb, type, spec[i], kp + "/" + std::to_string(i));
                }
            } else {
                read_step(eb, type, spec, kp);
            }
        }
    }

    void read_step(entity_builder& eb, const std::string& type, const json& spec,
                   const std::string& at) {
        reducer_step step;
        if (spec.is_string()) {
            const auto& name = spec.get_ref<const std::string&>();
            if (name == "merge") {
                eb.on(type, reducer_step::merge(), at);
            } else if (name == "delete") {
                eb.on(type, reducer_step::remove(), at);
            } else if (reducer_op op; parse_reducer_op(name, op)) {
                problem(at, fmt::format("'{}' needs parameters: write {{\"op\": \"{}\", \"path\": "
                                        "\"/member\"}}",
                                        name, name));
            } else {
                problem(at, fmt::format("unknown reducer op '{}'; use merge, set, unset, append, "
                                        "union, increment, delete or function",
                                        name));
            }
            return;
        }
        if (!spec.is_object()) {
            problem(at,
                    "a reducer step is an op name (\"merge\") or an object "
                    "{\"op\": \"set\", \"path\": \"/price\"}");
            return;
        }
        only(spec, at, {"op", "path", "from", "value", "fields", "name"});
        std::string op_name;
        if (!string_member(spec, at, "op", op_name)) {
            if (!spec.contains("op"))
                problem(at + "/op", "is required");
            return;
        }
        if (!parse_reducer_op(op_name, step.op)) {
            problem(at + "/op", fmt::format("unknown reducer op '{}'; use merge, set, unset, "
                                            "append, union, increment, delete or function",
                                            op_name));
            return;
        }
        string_member(spec, at, "path", step.path);
        std::string from;
        if (string_member(spec, at, "from", from))
            step.from = from;
        if (auto it = spec.find("value"); it != spec.end())
            step.value = *it;
        if (auto it = spec.find("fields"); it != spec.end()) {
            if (!it->is_array()) {
                problem(at + "/fields", "must be an array of member names");
                return;
            }
            for (const auto& f : *it) {
                if (!f.is_string()) {
                    problem(at + "/fields", "must contain only strings");
                    return;
                }
                step.fields.push_back(f.get<std::string>());
            }
        }
        if (step.from && step.value) {
            problem(at + "/value", "give either \"from\" or \"value\", not both");
            return;
        }
        if (step.op == reducer_op::function) {
            if (!string_member(spec, at, "name", step.fn_name)) {
                problem(at + "/name", "is required: the name of a registered C++ reducer function");
                return;
            }
            const reducer_fn* fn = fns_.reducer(step.fn_name);
            if (!fn) {
                problem(at + "/name",
                        fmt::format("no reducer function named '{}' is registered (registered: {})",
                                    step.fn_name, join(fns_.names("reducer"))));
                return;
            }
            step.fn = *fn;
        } else if (spec.contains("name")) {
            problem(at + "/name", "only \"function\" steps take a name");
            return;
        }
        eb.on(type, std::move(step), at);
    }

    void read_receivers(const json& rs) {
        only(rs, "/receivers", {"received", "pre_save", "post_save"});
        for (const char* signal : {"received", "pre_save", "post_save"}) {
            auto it = rs.find(signal);
            if (it == rs.end())
                continue;
            const std::string sp = std::string("/receivers/") + signal;
            if (!it->is_array()) {
                problem(sp,
                        "must be an array of {\"entity\", \"command\", \"event\", \"function\"}");
                continue;
            }
            for (std::size_t i = 0; i < it->size(); ++i) {
                const json& r = (*it)[i];
                const std::string at = sp + "/" + std::to_string(i);
                if (!r.is_object()) {
                    problem(at,
                            "a receiver is {\"function\": \"name\"} with optional \"entity\", "
                            "\"command\", \"event\" filters");
                    continue;
                }
                only(r, at, {"entity", "command", "event", "function"});
                sender_filter f;
                string_member(r, at, "entity", f.entity);
                string_member(r, at, "command", f.command);
                string_member(r, at, "event", f.event_type);
                std::string fn;
                if (!string_member(r, at, "function", fn)) {
                    problem(at + "/function", "is required: the name of a registered receiver");
                    continue;
                }
                if (!fns_.connect(signal, fn, f, b_.receivers())) {
                    problem(at + "/function",
                            fmt::format("no {} receiver named '{}' is registered (registered: {})",
                                        signal, fn, join(fns_.names(signal))));
                }
            }
        }
    }

    domain_builder& b_;
    const function_registry& fns_;
};

}  // namespace

domain_builder read_domain(const json& doc, const function_registry& fns) {
    std::string name = "domain";
    if (doc.is_object()) {
        if (auto it = doc.find("name"); it != doc.end() && it->is_string())
            name = it->get<std::string>();
    }
    domain_builder b(name);
    if (doc.is_object()) {
        if (auto it = doc.find("name"); it != doc.end() && !it->is_string()) {
            b.add_problem({"/name", "must be a string"});
        }
    }
    reader(b, fns).read(doc);
    return b;
}

result<std::shared_ptr<const domain>> load_domain(const json& doc, const function_registry& fns,
                                                  const std::string& source) {
    auto d = read_domain(doc, fns).build();
    if (!d) {
        error e = std::move(d).error();
        e.source = source;
        return fail(std::move(e));
    }
    return d;
}

result<json> parse_json_text(std::string_view text, const std::string& source) {
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::parse_error& ex) {
        // Line and column from the byte offset, for people reading the file in an editor.
        std::size_t line = 1, col = 1;
        const std::size_t end = std::min<std::size_t>(ex.byte == 0 ? 0 : ex.byte - 1, text.size());
        for (std::size_t i = 0; i < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        std::string what = ex.what();
        if (auto pos = what.find(": syntax error"); pos != std::string::npos) {
            what = what.substr(pos + 2);
        } else if (auto p2 = what.rfind("] "); p2 != std::string::npos) {
            what = what.substr(p2 + 2);
        }
        error e =
            error::parse_error(fmt::format("{} is not valid JSON", source),
                               {{"", fmt::format("line {}, column {}: {}", line, col, what)}});
        e.source = source;
        return fail(std::move(e));
    }
}

result<json> read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error e = error::not_found(fmt::format("cannot open {}", path));
        e.source = path;
        return fail(std::move(e));
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) {
        error e = error::unavailable(fmt::format("cannot read {}", path));
        e.source = path;
        return fail(std::move(e));
    }
    return parse_json_text(buf.str(), path);
}

result<std::shared_ptr<const domain>> load_domain_text(std::string_view text,
                                                       const function_registry& fns,
                                                       const std::string& source) {
    auto doc = parse_json_text(text, source);
    if (!doc)
        return fail(std::move(doc).error());
    return load_domain(*doc, fns, source);
}

result<std::shared_ptr<const domain>> load_domain_file(const std::string& path,
                                                       const function_registry& fns) {
    auto doc = read_json_file(path);
    if (!doc)
        return fail(std::move(doc).error());
    return load_domain(*doc, fns, path);
}

}  // namespace esser::core

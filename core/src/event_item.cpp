#include "esser/core/event_item.hpp"

#include <charconv>
#include <string>
#include <vector>

#include "esser/core/attribute_json.hpp"

namespace esser::core {

using nlohmann::json;

namespace {

json s_attr(const std::string& v) {
    return json{{"S", v}};
}

json n_attr(std::uint64_t v) {
    return json{{"N", std::to_string(v)}};
}

// Reads item attributes, collecting every problem instead of stopping at the first.
struct item_reader {
    const json& item;
    std::vector<field_error> problems;

    const json* attr(const char* name, const char* tag, bool required) {
        auto it = item.find(name);
        if (it == item.end()) {
            if (required)
                problems.push_back({std::string("/") + name, "is required"});
            return nullptr;
        }
        if (!it->is_object() || it->size() != 1 || !it->contains(tag)) {
            problems.push_back({std::string("/") + name, std::string("must be of type ") + tag});
            return nullptr;
        }
        return &(*it)[tag];
    }

    void str(const char* name, std::string& out, bool required) {
        if (const json* v = attr(name, "S", required)) {
            if (!v->is_string()) {
                problems.push_back({std::string("/") + name + "/S", "must be a string"});
                return;
            }
            out = v->get<std::string>();
        }
    }

    // A positive integer version in an N.
    void version(const char* name, std::uint64_t& out, bool allow_zero) {
        const json* v = attr(name, "N", true);
        if (!v)
            return;
        std::uint64_t n = 0;
        const std::string* text = v->is_string() ? &v->get_ref<const std::string&>() : nullptr;
        if (text) {
            auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
            if (ec != std::errc() || p != text->data() + text->size() || (!allow_zero && n == 0)) {
                text = nullptr;
            }
        }
        if (!text) {
            problems.push_back({std::string("/") + name, allow_zero
                                                             ? "must be a non-negative integer"
                                                             : "must be an integer >= 1"});
            return;
        }
        out = n;
    }

    // An M decoded to plain JSON.
    void map(const char* name, json& out, bool required) {
        const json* v = attr(name, "M", required);
        if (!v)
            return;
        auto r = from_attribute_map(*v, std::string("/") + name);
        if (!r) {
            for (auto& f : r.error().fields) problems.push_back(std::move(f));
            return;
        }
        out = std::move(*r);
    }
};

}  // namespace

json event_item_key(const stream_id& s, std::uint64_t version) {
    return json{{"pk", s_attr(s.key())}, {"v", n_attr(version)}};
}

json snapshot_item_key(const stream_id& s) {
    return json{{"pk", s_attr(s.key())}};
}

result<stream_id> parse_stream_key(std::string_view pk) {
    const auto hash = pk.find('#');
    if (hash == std::string_view::npos || hash == 0 || hash + 1 == pk.size()) {
        return fail(error::parse_error("malformed stream key",
                                       {{"/pk",
                                         "must be \"<entity>#<id>\" with both parts "
                                         "non-empty"}}));
    }
    return stream_id{std::string(pk.substr(0, hash)), std::string(pk.substr(hash + 1))};
}

result<json> event_to_item(const event& e) {
    auto data = to_attribute_map(e.data.is_null() ? json::object() : e.data, "/data");
    if (!data)
        return fail(std::move(data).error());
    json meta = json::object();
    meta["event_id"] = s_attr(e.meta.event_id);
    meta["command_id"] = s_attr(e.meta.command_id);
    meta["correlation_id"] = s_attr(e.meta.correlation_id);
    meta["causation_id"] = s_attr(e.meta.causation_id);
    json item = json::object();
    item["pk"] = s_attr(e.stream().key());
    item["v"] = n_attr(e.version);
    item["entity"] = s_attr(e.entity);
    item["id"] = s_attr(e.id);
    item["type"] = s_attr(e.type);
    item["data"] = json{{"M", std::move(*data)}};
    item["meta"] = json{{"M", std::move(meta)}};
    item["at"] = s_attr(e.at);
    return item;
}

result<event> event_from_item(const json& item) {
    if (!item.is_object()) {
        return fail(error::parse_error("malformed event item", {{"", "must be a JSON object"}}));
    }
    item_reader r{item, {}};
    event e;
    std::string pk;
    r.str("pk", pk, true);
    r.version("v", e.version, false);
    r.str("entity", e.entity, true);
    r.str("id", e.id, true);
    r.str("type", e.type, true);
    r.str("at", e.at, false);
    r.map("data", e.data, false);
    if (const json* meta = r.attr("meta", "M", false)) {
        if (!meta->is_object()) {
            r.problems.push_back({"/meta/M", "must be an object"});
        } else {
            auto field = [&](const char* name, std::string& out) {
                auto it = meta->find(name);
                if (it == meta->end())
                    return;
                if (it->is_object() && it->size() == 1 && it->contains("NULL"))
                    return;
                if (!it->is_object() || it->size() != 1 || !it->contains("S") ||
                    !(*it)["S"].is_string()) {
                    r.problems.push_back({std::string("/meta/") + name, "must be of type S"});
                    return;
                }
                out = (*it)["S"].get<std::string>();
            };
            field("event_id", e.meta.event_id);
            field("command_id", e.meta.command_id);
            field("correlation_id", e.meta.correlation_id);
            field("causation_id", e.meta.causation_id);
        }
    }
    if (!pk.empty() && !e.entity.empty() && !e.id.empty() && pk != e.stream().key()) {
        r.problems.push_back(
            {"/pk", "is \"" + pk + "\" but entity and id say \"" + e.stream().key() + "\""});
    }
    if (!r.problems.empty()) {
        return fail(error::parse_error("malformed event item", std::move(r.problems)));
    }
    return e;
}

result<json> snapshot_to_item(const snapshot& s) {
    auto state = to_attribute_map(s.state.is_null() ? json::object() : s.state, "/state");
    if (!state)
        return fail(std::move(state).error());
    json item = json::object();
    item["pk"] = s_attr(s.stream.key());
    item["v"] = n_attr(s.version);
    item["state"] = json{{"M", std::move(*state)}};
    item["at"] = s_attr(s.at);
    if (!s.recent_commands.empty()) {
        json list = json::array();
        for (const auto& c : s.recent_commands) {
            list.push_back(json{{"M",
                                 {{"id", s_attr(c.command_id)},
                                  {"first", n_attr(c.first_version)},
                                  {"last", n_attr(c.last_version)}}}});
        }
        item["commands"] = json{{"L", std::move(list)}};
    }
    return item;
}

result<snapshot> snapshot_from_item(const json& item) {
    if (!item.is_object()) {
        return fail(error::parse_error("malformed snapshot item", {{"", "must be a JSON object"}}));
    }
    item_reader r{item, {}};
    snapshot s;
    std::string pk;
    r.str("pk", pk, true);
    r.version("v", s.version, true);
    r.map("state", s.state, true);
    r.str("at", s.at, false);
    if (!pk.empty()) {
        if (auto id = parse_stream_key(pk)) {
            s.stream = std::move(*id);
        } else {
            r.problems.push_back({"/pk", "must be \"<entity>#<id>\""});
        }
    }
    if (const json* list = r.attr("commands", "L", false)) {
        if (!list->is_array()) {
            r.problems.push_back({"/commands/L", "must be an array"});
        } else {
            std::size_t i = 0;
            for (const auto& el : *list) {
                const std::string at = "/commands/" + std::to_string(i++);
                if (!el.is_object() || !el.contains("M") || !el["M"].is_object()) {
                    r.problems.push_back({at, "must be of type M"});
                    continue;
                }
                item_reader cr{el["M"], {}};
                command_span span;
                cr.str("id", span.command_id, true);
                cr.version("first", span.first_version, false);
                cr.version("last", span.last_version, false);
                for (auto& f : cr.problems) r.problems.push_back({at + f.pointer, f.reason});
                if (cr.problems.empty())
                    s.recent_commands.push_back(std::move(span));
            }
        }
    }
    if (!r.problems.empty()) {
        return fail(error::parse_error("malformed snapshot item", std::move(r.problems)));
    }
    return s;
}

}  // namespace esser::core

#include "esser/core/event.hpp"

namespace esser::core {

void to_json(nlohmann::json& j, const event& e) {
    j = nlohmann::json{{"entity", e.entity},
                       {"id", e.id},
                       {"version", e.version},
                       {"type", e.type},
                       {"data", e.data},
                       {"meta",
                        {{"event_id", e.meta.event_id},
                         {"command_id", e.meta.command_id},
                         {"correlation_id", e.meta.correlation_id},
                         {"causation_id", e.meta.causation_id}}},
                       {"at", e.at}};
}

void from_json(const nlohmann::json& j, event& e) {
    auto r = event_from_json(j);
    if (!r) throw nlohmann::json::other_error::create(501, r.error().describe(), &j);
    e = std::move(*r);
}

result<event> event_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return fail(error::parse_error("an event must be a JSON object", {{"", "not an object"}}));
    event e;
    std::vector<field_error> problems;
    auto str = [&](const char* key, std::string& out, bool required) {
        auto it = j.find(key);
        if (it == j.end()) {
            if (required) problems.push_back({std::string("/") + key, "is required"});
            return;
        }
        if (!it->is_string()) {
            problems.push_back({std::string("/") + key, "must be a string"});
            return;
        }
        out = it->get<std::string>();
    };
    str("entity", e.entity, true);
    str("id", e.id, true);
    str("type", e.type, true);
    str("at", e.at, false);
    if (auto it = j.find("version"); it == j.end()) {
        problems.push_back({"/version", "is required"});
    } else if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
        problems.push_back({"/version", "must be an integer >= 1"});
    } else {
        e.version = it->get<std::uint64_t>();
    }
    if (auto it = j.find("data"); it != j.end()) {
        if (!it->is_object()) {
            problems.push_back({"/data", "must be a JSON object"});
        } else {
            e.data = *it;
        }
    }
    if (auto it = j.find("meta"); it != j.end()) {
        if (!it->is_object()) {
            problems.push_back({"/meta", "must be a JSON object"});
        } else {
            auto m = [&](const char* key, std::string& out) {
                auto f = it->find(key);
                if (f == it->end() || f->is_null()) return;
                if (!f->is_string()) {
                    problems.push_back({std::string("/meta/") + key, "must be a string"});
                    return;
                }
                out = f->get<std::string>();
            };
            m("event_id", e.meta.event_id);
            m("command_id", e.meta.command_id);
            m("correlation_id", e.meta.correlation_id);
            m("causation_id", e.meta.causation_id);
        }
    }
    if (!problems.empty()) return fail(error::parse_error("malformed event", std::move(problems)));
    return e;
}

}  // namespace esser::core

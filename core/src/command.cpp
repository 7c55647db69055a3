#include "esser/core/command.hpp"

namespace esser::core {

using nlohmann::json;

result<command> command_from_json(const json& j) {
    if (!j.is_object()) {
        return fail(
            error::validation("a command must be a JSON object",
                              {{"", "must be {\"entity\", \"command\", \"id\", \"data\"}"}}));
    }
    command c;
    std::vector<field_error> problems;
    auto str = [&](const char* key, std::string& out, bool required) {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) {
            if (required)
                problems.push_back({std::string("/") + key, "is required"});
            return;
        }
        if (!it->is_string()) {
            problems.push_back({std::string("/") + key, "must be a string"});
            return;
        }
        out = it->get<std::string>();
    };
    for (const auto& [k, v] : j.items()) {
        static constexpr std::string_view known[] = {
            "entity",     "command",        "id",           "data",
            "command_id", "correlation_id", "causation_id", "expected_version"};
        bool ok = false;
        for (auto kk : known) ok = ok || kk == k;
        if (!ok)
            problems.push_back({"/" + k, "is not a member of a command"});
    }
    str("entity", c.entity, true);
    str("command", c.name, true);
    str("id", c.id, false);
    str("command_id", c.command_id, false);
    str("correlation_id", c.correlation_id, false);
    str("causation_id", c.causation_id, false);
    if (auto it = j.find("data"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) {
            problems.push_back({"/data", "must be a JSON object"});
        } else {
            c.data = *it;
        }
    }
    if (auto it = j.find("expected_version"); it != j.end() && !it->is_null()) {
        auto ev = expected_version::from_json(*it);
        if (!ev) {
            problems.push_back(
                {"/expected_version", "must be \"any\", \"no_stream\" or a non-negative integer"});
        } else {
            c.expected = *ev;
        }
    }
    if (!problems.empty())
        return fail(error::validation("malformed command", std::move(problems)));
    return c;
}

void to_json(json& j, const command& c) {
    j = json{{"entity", c.entity}, {"command", c.name}, {"data", c.data}};
    if (!c.id.empty())
        j["id"] = c.id;
    if (!c.command_id.empty())
        j["command_id"] = c.command_id;
    if (!c.correlation_id.empty())
        j["correlation_id"] = c.correlation_id;
    if (!c.causation_id.empty())
        j["causation_id"] = c.causation_id;
    if (c.expected.what() == expected_version::kind::exact) {
        j["expected_version"] = c.expected.version();
    } else {
        j["expected_version"] = c.expected.to_string();
    }
}

void to_json(json& j, const command_result& r) {
    j = json{{"entity", r.stream.entity}, {"id", r.stream.id}, {"version", r.version},
             {"events", r.events},        {"state", r.state},  {"duplicate", r.duplicate}};
}

}  // namespace esser::core

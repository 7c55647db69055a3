#include "esser/emulator/dynamo/key_schema.hpp"

namespace esser::emulator {

nlohmann::json key_attribute_state(const key_attribute& a) {
    return nlohmann::json::array({a.name, std::string(type_tag(a.type))});
}

std::optional<key_attribute> key_attribute_from_state(const nlohmann::json& j) {
    if (!j.is_array() || j.size() != 2 || !j[0].is_string() || !j[1].is_string())
        return std::nullopt;
    const std::string tag = j[1].get<std::string>();
    key_attribute a;
    a.name = j[0].get<std::string>();
    if (tag == "S")
        a.type = value_type::S;
    else if (tag == "N")
        a.type = value_type::N;
    else if (tag == "B")
        a.type = value_type::B;
    else
        return std::nullopt;
    return a;
}

nlohmann::json key_schema_state(const key_schema& k) {
    nlohmann::json j = {{"hash", key_attribute_state(k.hash)}};
    if (k.range)
        j["range"] = key_attribute_state(*k.range);
    return j;
}

std::optional<key_schema> key_schema_from_state(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("hash"))
        return std::nullopt;
    auto hash = key_attribute_from_state(j["hash"]);
    if (!hash)
        return std::nullopt;
    key_schema k;
    k.hash = *hash;
    if (j.contains("range")) {
        auto range = key_attribute_from_state(j["range"]);
        if (!range)
            return std::nullopt;
        k.range = *range;
    }
    return k;
}

}  // namespace esser::emulator

#pragma once
// A table's (or index's) primary key: a HASH attribute and an optional RANGE attribute, each of
// type S, N or B (spec/dynamodb-api.md §2.4, §3.1).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value.hpp"

namespace esser::emulator {

struct key_attribute {
    std::string name;
    value_type type = value_type::S;  // S, N or B only

    friend bool operator==(const key_attribute&, const key_attribute&) = default;
};

struct key_schema {
    key_attribute hash;
    std::optional<key_attribute> range;

    friend bool operator==(const key_schema&, const key_schema&) = default;
};

// The stored form of a key schema (--data-dir state files, not the wire's KeySchema):
// {"hash":["pk","S"],"range":["sk","N"]} (range absent without one).
nlohmann::json key_schema_state(const key_schema& k);
// The inverse; nullopt for anything else.
std::optional<key_schema> key_schema_from_state(const nlohmann::json& j);
// One attribute of it: ["pk","S"]; and back (S, N or B only).
nlohmann::json key_attribute_state(const key_attribute& a);
std::optional<key_attribute> key_attribute_from_state(const nlohmann::json& j);

}  // namespace esser::emulator

#pragma once
// A table's (or index's) primary key: a HASH attribute and an optional RANGE attribute, each of
// type S, N or B (spec/dynamodb-api.md §2.4, §3.1).

#include <optional>
#include <string>

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

}  // namespace esser::emulator

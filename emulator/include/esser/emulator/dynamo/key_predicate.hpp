#pragma once
// A Query's key condition, resolved: the partition key value and a predicate on the sort key
// (spec/dynamodb-api.md §4.4: `=` on the partition key; `=`, `<`, `<=`, `>`, `>=`, BETWEEN,
// begins_with on the sort key).

#include <cstdint>

#include "esser/emulator/dynamo/attribute_value.hpp"

namespace esser::emulator {

struct key_predicate {
    enum class op : std::uint8_t { none, eq, lt, le, gt, ge, between, begins_with };

    attribute_value hash;
    op range = op::none;
    attribute_value lower;  // eq/lt/le/gt/ge/begins_with operand, BETWEEN's lower bound
    attribute_value upper;  // BETWEEN's upper bound

    // Whether a sort key value satisfies the predicate (always for none). Values of another
    // type never match; S and B compare as unsigned bytes, N numerically (spec §2.5).
    bool matches(const attribute_value& sort_key) const;
};

}  // namespace esser::emulator

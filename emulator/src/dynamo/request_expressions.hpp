#pragma once
// The engine's view of a request's expressions (ConditionExpression, UpdateExpression,
// KeyConditionExpression, FilterExpression, ProjectionExpression with their placeholder maps),
// spec/dynamodb-api.md §4.
//
// The expression language itself (parser, evaluator, update application, projection) is the
// expression library's (esser/emulator/dynamo/expression.hpp); this adapter is the one place the
// engine touches it, so the engine's operations read the same whatever its internals are.
//
// Also here: the legacy AttributesToGet projection, which needs no expression language.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/expected.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/key_predicate.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"

namespace esser::emulator {

// Which request (or transaction action) is compiled: decides which expression fields are read.
enum class request_kind : std::uint8_t {
    put_item,
    delete_item,
    update_item,
    get_item,
    batch_get_item,
    query,
    scan,
    transact_condition_check,
    transact_put,
    transact_delete,
    transact_update,
    transact_get,
};

// A secondary index's name and key schema (for key-attribute checks).
struct named_index_keys {
    std::string name;
    key_schema keys;
};

class request_expressions {
public:
    // Compiles every expression of the request and checks the placeholder maps (spec §4.1),
    // giving AWS's ValidationException/SerializationException. Runs before the table lookup.
    static core::expected<request_expressions, adapters::aws_error> compile(
        const nlohmann::json& request, request_kind kind);

    bool has_condition() const;
    bool has_update() const;
    bool has_key_condition() const;
    bool has_filter() const;
    bool has_projection() const;

    // After the table lookup (UpdateItem): key attributes may not be updated, index keys keep
    // their types, no nested paths on keys.
    std::optional<adapters::aws_error> check_update_keys(
        const key_schema& table, const std::vector<named_index_keys>& indexes) const;
    // No nested paths on key attributes in any expression.
    std::optional<adapters::aws_error> check_nested_key_paths(
        const key_schema& table, const std::vector<named_index_keys>& indexes) const;
    // Query: the filter may not read key attributes of `keys`.
    std::optional<adapters::aws_error> check_filter_keys(const key_schema& keys) const;
    // Query: the key condition against the queried key schema.
    core::expected<key_predicate, adapters::aws_error> resolve_key_condition(
        const key_schema& keys) const;

    // Condition/filter on an item (a missing item is the empty map).
    bool condition_holds(const attribute_map& item) const;
    bool filter_holds(const attribute_map& item) const;
    // UpdateItem: the new item from the old one (or from `key` when there is none).
    core::expected<attribute_map, adapters::aws_error> apply_update(
        const attribute_map* old_item, const attribute_map& key,
        const std::vector<named_index_keys>& indexes) const;
    // ReturnValues UPDATED_OLD / UPDATED_NEW: `item` restricted to the paths the update wrote.
    attribute_map updated_part(const attribute_map& item) const;
    // ProjectionExpression applied to an item.
    attribute_map project(const attribute_map& item) const;
    // The top-level attributes the projection needs (sorted, unique), so only those are decoded.
    const std::vector<std::string>& projection_top_level() const;

    struct state;

private:
    std::shared_ptr<const state> s_;
};

}  // namespace esser::emulator

#pragma once
// dynamo_engine's private implementation: the table registry and the operations, split by
// family over engine_*.cpp (tables, items, reads, batches, transactions, TTL), as Alternator
// splits its executor.
//
// Every operation follows spec/dynamodb-api.md §1.4: dispatch() runs the schema passes (JSON
// types, then constraints); the operation then validates its values and expressions, looks the
// table up, checks keys against the schema, and only then takes the table's lock to evaluate
// conditions and commit.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "item_codec.hpp"
#include "response_text.hpp"
#include "table.hpp"
#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/adapters/dynamodb/transport.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/dynamo/table_observer.hpp"

namespace esser::emulator {

using adapters::aws_error;
using adapters::aws_result;
using nlohmann::json;

inline core::unexpected<aws_error> fail(aws_error e) {
    return core::unexpected<aws_error>(std::move(e));
}

// PutItem's Item in the stored encoding with its size, made by item_codec::encode_json in one
// walk before the schema pass (dispatch does it; options::one_walk_put_item).
struct encoded_put_item {
    std::string bytes;
    std::size_t size = 0;
    item_codec::attribute_index index;  // where its attributes are
};

class dynamo_engine::impl {
public:
    explicit impl(options o);

    options opts;
    std::atomic<table_observer*> observer{nullptr};
    // --data-dir (set_durability, before traffic); null: in memory only.
    durability_sink* sink = nullptr;

    // ---- registry ----
    mutable std::shared_mutex registry_mu;
    std::map<std::string, std::shared_ptr<table>, std::less<>>
        tables;  // by name (ListTables order)

    // Deleted tables still DELETING (status_transition_delay > 0): described and listed, not
    // usable, their name not reusable, until `until` (spec §3.1). Under registry_mu.
    struct deleting_table {
        json description;
        core::time_point until;
    };

    std::map<std::string, deleting_table, std::less<>> deleting;
    // The DELETING description of `name`, or null once gone (caller holds registry_mu).
    const json* deleting_description(std::string_view name) const;
    // ResourceInUseException for a change to a table that is DELETING.
    static aws_error table_being_deleted(std::string_view name);

    // The table for a table-level operation (any status), or null.
    std::shared_ptr<table> find_table(std::string_view name) const;
    // The table for an item operation: ResourceNotFoundException "Requested resource not found"
    // when missing or still CREATING (spec §3.1).
    core::expected<std::shared_ptr<table>, aws_error> item_table(std::string_view name) const;
    static aws_error table_not_found(std::string_view name);

    core::time_point now() const { return opts.clock->now(); }

    // ---- TransactWriteItems idempotency (ClientRequestToken, 10 minutes) ----
    struct token_entry {
        std::string request;  // canonical request text
        core::time_point expires;
    };

    std::mutex tokens_mu;
    std::unordered_map<std::string, token_entry> tokens;

    // ---- operations (engine_*.cpp) ----
    // The reads put their plain items into `deferred` when given (dispatch_text), else as
    // trees (response_text.hpp).
    aws_result create_table(const json& r);
    aws_result describe_table(const json& r);
    aws_result list_tables(const json& r);
    aws_result delete_table(const json& r);
    aws_result update_table(const json& r);
    aws_result describe_time_to_live(const json& r);
    aws_result update_time_to_live(const json& r);
    // `encoded`: the Item already encoded, or null (then read by the AttributeValue passes).
    aws_result put_item(const json& r, const encoded_put_item* encoded);
    aws_result get_item(const json& r, deferred_items* deferred);
    aws_result delete_item(const json& r);
    aws_result update_item(const json& r);
    aws_result query(const json& r, deferred_items* deferred);
    aws_result scan(const json& r, deferred_items* deferred);
    aws_result batch_get_item(const json& r, deferred_items* deferred);
    aws_result batch_write_item(const json& r);
    aws_result transact_write_items(const json& r);
    aws_result transact_get_items(const json& r, deferred_items* deferred);
    aws_result tag_resource(const json& r);
    aws_result untag_resource(const json& r);
    aws_result list_tags_of_resource(const json& r);
    aws_result describe_limits(const json& r);
    aws_result describe_endpoints(const json& r);

    std::size_t sweep_expired_items();

    // Native reads (dynamo_engine::get_item / query).
    core::expected<std::optional<encoded_item>, aws_error> native_get_item(
        std::string_view table, const attribute_map& key);
    core::expected<query_result, aws_error> native_query(const query_spec& q);

    // Announces a table's enabled stream to the observer (if any); records the identity.
    void announce_stream(table& t);
};

// ---- helpers shared by the operation files (engine_common.cpp) ----

// A Map<AttributeValue> member that passed the type pass, decoded with the AttributeValue
// rules; the ValidationException message on failure. Absent -> empty map.
core::expected<attribute_map, aws_error> read_map_member(const json& request,
                                                         std::string_view member);

// dynalite's validateExpressionParams (spec §4.1): mixing expression and legacy parameters,
// placeholder maps without expressions.
std::optional<aws_error> check_expression_params(const json& request,
                                                 std::initializer_list<const char*> expressions,
                                                 std::initializer_list<const char*> legacy);

// AttributesToGet: duplicates are refused ("Duplicate value in attribute name: a").
core::expected<std::vector<std::string>, aws_error> read_attributes_to_get(const json& request);

// The item restricted to top-level names (AttributesToGet).
attribute_map select_attributes(const attribute_map& item,
                                const std::vector<std::string>& sorted_names);

// ReturnConsumedCapacity: the ConsumedCapacity object for `units` on table `t` (null when
// the request did not ask for it). `index` names the index read, if any.
json consumed_capacity(const json& request, const table& t, double units,
                       const secondary_index* index = nullptr);
// A write's ConsumedCapacity: `units` on the table plus what each index cost
// (table::index_write_units); TOTAL sums them, INDEXES lists them (spec §3.8).
json write_capacity(const json& request, const table& t, double units,
                    const std::vector<std::pair<const secondary_index*, double>>& index_units);
// Whether the request asked for ConsumedCapacity (TOTAL or INDEXES).
bool wants_capacity(const json& request);
// Capacity units (spec §3.8): writes ceil(size/1KB), reads ceil(size/4KB), halved when
// eventually consistent.
double write_units(std::size_t size);
double read_units(std::size_t size, bool consistent);

}  // namespace esser::emulator

#pragma once
// One DynamoDB table of the fake engine: its definition (what DescribeTable shows), its items,
// its secondary indexes, and the single write path every operation commits through.
//
// Invariants:
//  - `mu` guards everything below `mu` (and the mutable parts of the definition: billing,
//    throughput, stream, TTL, GSIs); the definition fields above it never change after creation.
//  - Every stored item holds the table's key attributes with the declared types (checked by the
//    operations before commit()).
//  - Each index holds exactly one entry per base item that has all of the index's key
//    attributes with the declared types (sparse indexes), pointing at the item's current block.
//  - item_count/size_bytes are the exact count and the sum of DynamoDB item sizes (§2.3).
//  - A commit that changes nothing (same bytes, or deleting a missing item) touches nothing and
//    reports no change to the observer (spec §3.9: no-op writes write no stream record).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "item_store.hpp"
#include "request_expressions.hpp"
#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/durability_sink.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"
#include "esser/emulator/dynamo/table_observer.hpp"

namespace esser::emulator {

namespace item_codec {
class attribute_index;
}

enum class billing_mode : std::uint8_t { provisioned, pay_per_request };
enum class projection_kind : std::uint8_t { all, keys_only, include };

struct attribute_definition {
    std::string name;
    value_type type = value_type::S;
};

// The key of one item as stored: partition hash, partition key bytes, sort key bytes.
struct item_key {
    std::uint64_t hash = 0;
    std::string partition;
    std::string sort;
};

struct secondary_index {
    std::string name;
    bool global = false;
    key_schema keys;
    projection_kind projection = projection_kind::all;
    std::vector<std::string> non_key_attributes;  // as given (INCLUDE)
    std::vector<std::string> projected;           // sorted attribute names (empty for ALL)
    std::int64_t read_capacity = 0;
    std::int64_t write_capacity = 0;
    std::string arn;
    // A GSI that UpdateTable creates is CREATING (backfilling) until then (spec §3.2).
    core::time_point active_at{};

    partition_table<index_entry> entries;
    std::size_t item_count = 0;
    std::size_t size_bytes = 0;
};

class table {
public:
    // ---- definition (fixed at creation) ----
    std::string name;
    std::string arn;
    std::string id;
    key_schema keys;
    std::vector<attribute_definition> attribute_definitions;
    core::time_point created_at;
    core::time_point active_at;       // CREATING until then
    core::time_point updating_until;  // UPDATING (after UpdateTable, under mu) until then

    std::mutex mu;

    // ---- mutable definition (under mu) ----
    billing_mode billing = billing_mode::provisioned;
    std::int64_t read_capacity = 0;
    std::int64_t write_capacity = 0;
    std::optional<core::time_point> pay_per_request_since;
    bool stream_enabled = false;
    stream_view_type stream_view = stream_view_type::NEW_AND_OLD_IMAGES;
    std::optional<stream_identity> stream;  // set when an observer serves the stream
    bool ttl_enabled = false;
    std::string ttl_attribute;
    bool deletion_protection = false;
    std::string table_class;
    std::map<std::string, std::string> tags;  // TagResource / CreateTable Tags, by key
    std::vector<std::unique_ptr<secondary_index>> indexes;

    // ---- data (under mu) ----
    bool deleted = false;
    partition_table<stored_item> items;
    std::size_t item_count = 0;
    std::size_t size_bytes = 0;

    // ---- keys ----
    // The stored key of an item or of a Key parameter that passed the schema checks.
    item_key key_of(const attribute_map& item) const;
    // The same of an item in the stored encoding (item_codec) that passed check_item;
    // `index`, if given, locates its attributes (item_codec::encode_json).
    item_key key_of(std::string_view encoded,
                    const item_codec::attribute_index* index = nullptr) const;
    // The key attributes of an item, as an item.
    attribute_map key_attributes(const attribute_map& item) const;
    const attribute_definition* definition(std::string_view attribute) const;
    std::vector<named_index_keys> index_keys() const;

    // The write capacity a change of one item costs each secondary index (AWS's "GSI writes"
    // rules, the same for LSIs): one write to put an entry into the index or to delete it, two
    // when the change moves the entry to another index key (delete + put), one when only its
    // projected attributes change, none when the item is in the index in neither image or
    // nothing projected changes. Each write costs one unit per started KB of the entry
    // (its projected attributes). Indexes that cost nothing are left out.
    std::vector<std::pair<const secondary_index*, double>> index_write_units(
        const attribute_map* old_item, const attribute_map* new_item) const;
    const secondary_index* find_index(std::string_view index_name) const;

    // Spec §2.4 checks of a whole item (PutItem, BatchWriteItem and transaction Puts, and the
    // result of an update) against the key schema and the index key types. The message text of
    // the ValidationException, or nullopt.
    std::optional<std::string> check_item(const attribute_map& item) const;
    // The same of an item in the stored encoding (item_codec), `index` as for key_of.
    std::optional<std::string> check_item(std::string_view encoded,
                                          const item_codec::attribute_index* index = nullptr) const;
    // The same for a Key parameter (GetItem, DeleteItem, UpdateItem, BatchGet/Write Delete,
    // transactions): exactly the key attributes, with the declared types.
    std::optional<std::string> check_key(const attribute_map& key) const;

    // The block of the item at `k`, or null.
    const char* find(const item_key& k) const;

    // ---- the write path (caller holds mu) ----
    struct commit_context {
        table_observer* observer = nullptr;
        core::time_point at;
        bool by_ttl = false;
        // --data-dir: the item change (and, through the observer, its stream record) is
        // recorded here as one unit. Null: in memory only.
        durability_sink* sink = nullptr;
        // item_size(*new_item) when the caller has computed it already (0: computed here). It
        // is kept in the item's block (stored_item::size_of) for the reads.
        std::size_t new_item_size = 0;
    };

    // Replaces the item at `k` with `new_item` (null: deletes it). `old_block` is what find(k)
    // returned; `old_item` its decoded form if the caller has it (decoded here when needed).
    // Returns whether anything changed.
    bool commit(const item_key& k, const char* old_block, const attribute_map* old_item,
                const attribute_map* new_item, const commit_context& ctx);
    // The same with the new item already encoded (`encoded_new`, item_codec; null: deletes).
    // `new_item` is its decoded form if the caller has it, else null (decoded here when
    // indexes or the observer need it: see item_change for what the observer gets).
    bool commit_encoded(const item_key& k, const char* old_block, const attribute_map* old_item,
                        const std::string* encoded_new, const attribute_map* new_item,
                        const commit_context& ctx);

    // ---- durability (table_definition.cpp) ----
    // Everything about the table but its items, as JSON (what --data-dir stores).
    nlohmann::json definition() const;
    // A table from definition(); the error names what is wrong with a damaged definition.
    static core::expected<std::shared_ptr<table>, std::string> from_definition(
        const nlohmann::json& d);
    // Records the current definition (caller holds mu; no-op without a sink).
    void save_definition(durability_sink* sink) const;

    // DescribeTable's TableDescription at `now`; `status` overrides the computed one
    // (CreateTable says CREATING, DeleteTable DELETING).
    nlohmann::json describe(core::time_point now, const char* status = nullptr) const;

    // Bytes held by items and structure, for dynamo_engine::memory().
    std::size_t item_block_bytes() const;
    std::size_t structure_bytes() const;

private:
    void index_remove(secondary_index& ix, const attribute_map& old_item, const item_key& k);
    void index_insert(secondary_index& ix, const attribute_map& new_item, const item_key& k,
                      const char* block);
};

// Order-preserving tuple encoding of byte strings (0x00 -> 0x00 0xFF, then a 0x00 0x00
// terminator): memcmp order of the concatenation is the lexicographic order of the tuple.
void append_tuple_component(std::string_view bytes, std::string& out);

}  // namespace esser::emulator

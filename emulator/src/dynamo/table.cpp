#include "table.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>

#include "item_codec.hpp"

namespace esser::emulator {

using nlohmann::json;

void append_tuple_component(std::string_view bytes, std::string& out) {
    for (char c : bytes) {
        out.push_back(c);
        if (c == '\0')
            out.push_back(static_cast<char>(0xFF));
    }
    out.push_back('\0');
    out.push_back('\0');
}

namespace {

const std::string invalid = "One or more parameter values were invalid: ";

// What the §2.4 checks need of a value: its type and, for S and B, its byte length.
struct piece {
    value_type type;
    std::size_t size = 0;
};

piece piece_of(const attribute_value& v) {
    return {v.type(), v.type() == value_type::S   ? v.as_s().size()
                      : v.type() == value_type::B ? v.as_b().size()
                                                  : 0};
}

// The value of attribute `name` of an item held as a map or in the stored encoding.
std::optional<piece> piece_in(const attribute_map& item, std::string_view name) {
    const attribute_value* v = item.find(name);
    return v ? std::optional<piece>(piece_of(*v)) : std::nullopt;
}

piece piece_of(std::string_view encoded_value) {
    const auto t = static_cast<value_type>(encoded_value[0]);
    return {t,
            t == value_type::S || t == value_type::B ? item_codec::bytes_length(encoded_value) : 0};
}

// An encoded item with its key attributes' values: from its attribute index, or found in one
// scan.
struct encoded_lookup {
    std::string_view item;
    const key_schema& keys;
    const item_codec::attribute_index* index;
    std::optional<std::string_view> hash, range;

    encoded_lookup(std::string_view encoded, const key_schema& k,
                   const item_codec::attribute_index* ix)
        : item(encoded), keys(k), index(ix) {
        if (index) {
            hash = index->find(item, keys.hash.name);
            if (keys.range)
                range = index->find(item, keys.range->name);
            return;
        }
        auto [h, r] = item_codec::find_pair(item, keys.hash.name,
                                            keys.range ? keys.range->name : keys.hash.name);
        hash = h;
        if (keys.range)
            range = r;
    }

    std::optional<std::string_view> find(std::string_view name) const {
        if (name == keys.hash.name)
            return hash;
        if (keys.range && name == keys.range->name)
            return range;
        return index ? index->find(item, name) : item_codec::find(item, name);
    }
};

std::optional<piece> piece_in(const encoded_lookup& item, std::string_view name) {
    const auto v = item.find(name);
    return v ? std::optional<piece>(piece_of(*v)) : std::nullopt;
}

bool empty_key_piece(const piece& v) {
    return (v.type == value_type::S || v.type == value_type::B) && v.size == 0;
}

std::optional<std::string> check_key_size(const piece& v, bool is_hash) {
    if (v.type == value_type::N)
        return std::nullopt;
    const std::size_t n = v.size;
    if (is_hash && n > 2048)
        return invalid + "Size of hashkey has exceeded the maximum size limit of2048 bytes";
    if (!is_hash && n > 1024) {
        return invalid +
               "Aggregated size of all range keys has exceeded the size limit of 1024 bytes";
    }
    return std::nullopt;
}

double epoch_seconds(core::time_point t) {
    return static_cast<double>(core::to_epoch_ms(t)) / 1000.0;
}

json key_schema_json(const key_schema& k) {
    json out = json::array({{{"AttributeName", k.hash.name}, {"KeyType", "HASH"}}});
    if (k.range)
        out.push_back({{"AttributeName", k.range->name}, {"KeyType", "RANGE"}});
    return out;
}

const char* projection_name(projection_kind p) {
    switch (p) {
        case projection_kind::all:
            return "ALL";
        case projection_kind::keys_only:
            return "KEYS_ONLY";
        case projection_kind::include:
            return "INCLUDE";
    }
    return "ALL";
}

const char* view_name(stream_view_type v) {
    switch (v) {
        case stream_view_type::KEYS_ONLY:
            return "KEYS_ONLY";
        case stream_view_type::NEW_IMAGE:
            return "NEW_IMAGE";
        case stream_view_type::OLD_IMAGE:
            return "OLD_IMAGE";
        case stream_view_type::NEW_AND_OLD_IMAGES:
            return "NEW_AND_OLD_IMAGES";
    }
    return "NEW_AND_OLD_IMAGES";
}

// The index's key of an item, if the item has every index key attribute with its declared type.
std::optional<item_key> index_key_of(const table& t, const secondary_index& ix,
                                     const attribute_map& item, const item_key& base) {
    const attribute_value* h = item.find(ix.keys.hash.name);
    if (!h || h->type() != ix.keys.hash.type)
        return std::nullopt;
    const attribute_value* r = nullptr;
    if (ix.keys.range) {
        r = item.find(ix.keys.range->name);
        if (!r || r->type() != ix.keys.range->type)
            return std::nullopt;
    }
    item_key k;
    item_codec::append_key_bytes(*h, k.partition);
    k.hash = partition_hash(k.partition);
    if (r) {
        std::string rb;
        item_codec::append_key_bytes(*r, rb);
        append_tuple_component(rb, k.sort);
    }
    append_tuple_component(base.partition, k.sort);
    append_tuple_component(base.sort, k.sort);
    (void)t;
    return k;
}

std::size_t projected_size(const secondary_index& ix, const attribute_map& item) {
    if (ix.projection == projection_kind::all)
        return item_size(item);
    std::size_t n = 0;
    for (const auto& [name, v] : item) {
        if (std::binary_search(ix.projected.begin(), ix.projected.end(), name))
            n += name.size() + v.size_bytes();
    }
    return n;
}

// The attributes of an item an index holds (the whole item for ALL).
attribute_map projected_part(const secondary_index& ix, const attribute_map& item) {
    if (ix.projection == projection_kind::all)
        return item;
    attribute_map out;
    for (const auto& [name, v] : item) {
        if (std::binary_search(ix.projected.begin(), ix.projected.end(), name))
            out.append_sorted(name, v);
    }
    return out;
}

double entry_write_units(std::size_t size) {
    return std::max(1.0, std::ceil(static_cast<double>(size) / 1024.0));
}

}  // namespace

std::vector<std::pair<const secondary_index*, double>> table::index_write_units(
    const attribute_map* old_item, const attribute_map* new_item) const {
    std::vector<std::pair<const secondary_index*, double>> out;
    for (const auto& ix : indexes) {
        std::optional<item_key> ko, kn;
        if (old_item)
            ko = index_key_of(*this, *ix, *old_item, key_of(*old_item));
        if (new_item)
            kn = index_key_of(*this, *ix, *new_item, key_of(*new_item));
        double units = 0;
        if (ko && kn) {
            if (ko->partition != kn->partition || ko->sort != kn->sort) {
                units = entry_write_units(projected_size(*ix, *old_item)) +
                        entry_write_units(projected_size(*ix, *new_item));
            } else if (!(projected_part(*ix, *old_item) == projected_part(*ix, *new_item))) {
                units = entry_write_units(projected_size(*ix, *new_item));
            }
        } else if (ko) {
            units = entry_write_units(projected_size(*ix, *old_item));
        } else if (kn) {
            units = entry_write_units(projected_size(*ix, *new_item));
        }
        if (units > 0)
            out.emplace_back(ix.get(), units);
    }
    return out;
}

item_key table::key_of(std::string_view encoded, const item_codec::attribute_index* index) const {
    const encoded_lookup found(encoded, keys, index);
    item_key k;
    item_codec::append_key_bytes_of_encoded(*found.hash, k.partition);
    k.hash = partition_hash(k.partition);
    if (keys.range)
        item_codec::append_key_bytes_of_encoded(*found.range, k.sort);
    return k;
}

item_key table::key_of(const attribute_map& item) const {
    item_key k;
    item_codec::append_key_bytes(*item.find(keys.hash.name), k.partition);
    k.hash = partition_hash(k.partition);
    if (keys.range)
        item_codec::append_key_bytes(*item.find(keys.range->name), k.sort);
    return k;
}

attribute_map table::key_attributes(const attribute_map& item) const {
    attribute_map out;
    if (const auto* h = item.find(keys.hash.name))
        out.set(keys.hash.name, *h);
    if (keys.range) {
        if (const auto* r = item.find(keys.range->name))
            out.set(keys.range->name, *r);
    }
    return out;
}

const attribute_definition* table::definition(std::string_view attribute) const {
    for (const auto& d : attribute_definitions) {
        if (d.name == attribute)
            return &d;
    }
    return nullptr;
}

std::vector<named_index_keys> table::index_keys() const {
    std::vector<named_index_keys> out;
    out.reserve(indexes.size());
    for (const auto& ix : indexes) out.push_back({ix->name, ix->keys});
    return out;
}

const secondary_index* table::find_index(std::string_view index_name) const {
    for (const auto& ix : indexes) {
        if (ix->name == index_name)
            return ix.get();
    }
    return nullptr;
}

namespace {

// table::check_item of an item held as a map or encoded.
template <class Item>
std::optional<std::string> check_item_pieces(const table& t, const Item& item) {
    const auto& keys = t.keys;
    auto check_piece = [&](const key_attribute& k, bool is_hash) -> std::optional<std::string> {
        const std::optional<piece> v = piece_in(item, k.name);
        if (!v)
            return invalid + "Missing the key " + k.name + " in the item";
        if (v->type != k.type) {
            return invalid + "Type mismatch for key " + k.name +
                   " expected: " + std::string(type_tag(k.type)) +
                   " actual: " + std::string(type_tag(v->type));
        }
        if (empty_key_piece(*v)) {
            return "One or more parameter values are not valid. The AttributeValue for a key "
                   "attribute cannot "
                   "contain an empty " +
                   std::string(k.type == value_type::S ? "string" : "binary") +
                   " value. Key: " + k.name;
        }
        return check_key_size(*v, is_hash);
    };
    if (auto e = check_piece(keys.hash, true))
        return e;
    if (keys.range) {
        if (auto e = check_piece(*keys.range, false))
            return e;
    }
    // Index keys: GSIs (hash and range) first, then LSIs (range), as AWS reports them.
    auto check_index_attr = [&](const secondary_index& ix,
                                const key_attribute& k) -> std::optional<std::string> {
        const std::optional<piece> v = piece_in(item, k.name);
        if (!v)
            return std::nullopt;
        if (v->type != k.type) {
            return invalid + "Type mismatch for Index Key " + k.name +
                   " Expected: " + std::string(type_tag(k.type)) +
                   " Actual: " + std::string(type_tag(v->type)) + " IndexName: " + ix.name;
        }
        if (empty_key_piece(*v)) {
            return "One or more parameter values are not valid. A value specified for a secondary "
                   "index key is not "
                   "supported. The AttributeValue for a key attribute cannot contain an empty " +
                   std::string(k.type == value_type::S ? "string" : "binary") +
                   " value. IndexName: " + ix.name + ", IndexKey: " + k.name;
        }
        return std::nullopt;
    };
    for (const auto& ix : t.indexes) {
        if (!ix->global)
            continue;
        if (auto e = check_index_attr(*ix, ix->keys.hash))
            return e;
        if (ix->keys.range) {
            if (auto e = check_index_attr(*ix, *ix->keys.range))
                return e;
        }
    }
    for (const auto& ix : t.indexes) {
        if (ix->global || !ix->keys.range)
            continue;
        if (auto e = check_index_attr(*ix, *ix->keys.range))
            return e;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> table::check_item(const attribute_map& item) const {
    return check_item_pieces(*this, item);
}

std::optional<std::string> table::check_item(std::string_view encoded,
                                             const item_codec::attribute_index* index) const {
    return check_item_pieces(*this, encoded_lookup(encoded, keys, index));
}

std::optional<std::string> table::check_key(const attribute_map& key) const {
    const std::string mismatch = "The provided key element does not match the schema";
    const std::size_t expected = keys.range ? 2 : 1;
    if (key.size() != expected)
        return mismatch;
    auto check_piece = [&](const key_attribute& k, bool is_hash) -> std::optional<std::string> {
        const std::optional<piece> v = piece_in(key, k.name);
        if (!v || v->type != k.type)
            return mismatch;
        if (empty_key_piece(*v)) {
            return invalid + "The AttributeValue for a key attribute cannot contain an empty " +
                   std::string(k.type == value_type::S ? "string" : "binary") +
                   " value. Key: " + k.name;
        }
        return check_key_size(*v, is_hash);
    };
    if (auto e = check_piece(keys.hash, true))
        return e;
    if (keys.range)
        return check_piece(*keys.range, false);
    return std::nullopt;
}

const char* table::find(const item_key& k) const {
    const auto* p = items.find(k.hash, k.partition);
    if (!p)
        return nullptr;
    const auto* e = p->find(k.sort);
    return e ? e->block() : nullptr;
}

void table::index_remove(secondary_index& ix, const attribute_map& old_item, const item_key& k) {
    auto ik = index_key_of(*this, ix, old_item, k);
    if (!ik)
        return;
    auto* p = ix.entries.find(ik->hash, ik->partition);
    if (!p)
        return;
    const std::size_t i = p->lower(ik->sort);
    if (i >= p->entries.size() || p->entries[i].sort != ik->sort)
        return;
    p->entries.erase(p->entries.begin() + static_cast<std::ptrdiff_t>(i));
    ix.entries.erase_if_empty(ik->hash, ik->partition);
    --ix.item_count;
    ix.size_bytes -= std::min(ix.size_bytes, projected_size(ix, old_item));
}

void table::index_insert(secondary_index& ix, const attribute_map& new_item, const item_key& k,
                         const char* block) {
    auto ik = index_key_of(*this, ix, new_item, k);
    if (!ik)
        return;
    auto& p = ix.entries.find_or_insert(ik->hash, ik->partition);
    const std::size_t i = p.lower(ik->sort);
    p.entries.insert(p.entries.begin() + static_cast<std::ptrdiff_t>(i),
                     index_entry{std::move(ik->sort), block});
    ++ix.item_count;
    ix.size_bytes += projected_size(ix, new_item);
}

bool table::commit(const item_key& k, const char* old_block, const attribute_map* old_item,
                   const attribute_map* new_item, const commit_context& ctx) {
    std::string encoded;
    if (new_item)
        item_codec::encode(*new_item, encoded);
    return commit_encoded(k, old_block, old_item, new_item ? &encoded : nullptr, new_item, ctx);
}

bool table::commit_encoded(const item_key& k, const char* old_block, const attribute_map* old_item,
                           const std::string* encoded_new, const attribute_map* new_item,
                           const commit_context& ctx) {
    const std::string_view encoded = encoded_new ? std::string_view(*encoded_new) : "";
    if (encoded_new) {
        if (old_block && stored_item::item_of(old_block) == encoded)
            return false;  // no change
    } else if (!old_block) {
        return false;  // deleting nothing
    }
    const bool streaming = ctx.observer != nullptr && stream_enabled;
    // The item change and its stream record form one durable unit.
    durability_group durable(ctx.sink);
    if (ctx.sink != nullptr) {
        std::string key;
        append_tuple_component(k.partition, key);
        key += k.sort;
        if (encoded_new)
            record_durable(*ctx.sink, item_saved{id, std::move(key), *encoded_new});
        else
            record_durable(*ctx.sink, item_removed{id, std::move(key)});
    }
    // Decoded images are needed by the indexes and by an observer that asks for them (the
    // stream registry reads the encodings instead).
    const bool wants_decoded = streaming && ctx.observer->wants_decoded_images();
    const bool decode = wants_decoded || !indexes.empty();
    attribute_map old_local;
    if (old_block && !old_item && decode) {
        old_local = item_codec::decode(stored_item::item_of(old_block));
        old_item = &old_local;
    }
    attribute_map new_local;
    if (encoded_new && !new_item && decode) {
        new_local = item_codec::decode(encoded);
        new_item = &new_local;
    }
    // The old block stays alive until the observer has seen its encoding.
    stored_item old_kept;
    // Index entries point at the old block: drop them before the block goes.
    if (old_block) {
        for (auto& ix : indexes) index_remove(*ix, *old_item, k);
        --item_count;
        size_bytes -= std::min(size_bytes, stored_item::size_of(old_block));
    }
    const char* new_block = nullptr;
    if (encoded_new) {
        auto& p = items.find_or_insert(k.hash, k.partition);
        const std::size_t i = p.lower(k.sort);
        const std::size_t new_size =
            ctx.new_item_size ? ctx.new_item_size : item_codec::item_size(encoded);
        // The reads trust the stored size (1 MB pages, capacity units): a caller's must be right.
        assert(new_size == item_codec::item_size(encoded));
        stored_item s(k.sort, encoded, new_size);
        new_block = s.block();
        if (i < p.entries.size() && p.entries[i].sort_key() == k.sort) {
            old_kept = std::move(p.entries[i]);
            p.entries[i] = std::move(s);
        } else {
            p.entries.insert(p.entries.begin() + static_cast<std::ptrdiff_t>(i), std::move(s));
        }
        ++item_count;
        size_bytes += new_size;
        for (auto& ix : indexes) index_insert(*ix, *new_item, k, new_block);
    } else {
        auto* p = items.find(k.hash, k.partition);
        const std::size_t i = p->lower(k.sort);
        old_kept = std::move(p->entries[i]);
        p->entries.erase(p->entries.begin() + static_cast<std::ptrdiff_t>(i));
        items.erase_if_empty(k.hash, k.partition);
    }
    if (streaming) {
        item_change change;
        change.table = name;
        attribute_map key_item;
        if (wants_decoded) {
            key_item = key_attributes(new_item ? *new_item : *old_item);
            change.keys = &key_item;
            change.old_image = old_block ? old_item : nullptr;
            change.new_image = new_item;
        }
        if (old_block)
            change.old_encoded = stored_item::item_of(old_block);
        if (encoded_new)
            change.new_encoded = encoded;
        change.by_ttl = ctx.by_ttl;
        change.at = ctx.at;
        ctx.observer->item_changed(change);
    }
    return true;
}

json table::describe(core::time_point now, const char* status) const {
    json d = json::object();
    json defs = json::array();
    for (const auto& a : attribute_definitions) {
        defs.push_back(
            {{"AttributeName", a.name}, {"AttributeType", std::string(type_tag(a.type))}});
    }
    d["AttributeDefinitions"] = std::move(defs);
    d["TableName"] = name;
    d["KeySchema"] = key_schema_json(keys);
    d["TableStatus"] = status                 ? status
                       : now < active_at      ? "CREATING"
                       : now < updating_until ? "UPDATING"
                                              : "ACTIVE";
    d["CreationDateTime"] = epoch_seconds(created_at);
    d["ProvisionedThroughput"] = {{"NumberOfDecreasesToday", 0},
                                  {"ReadCapacityUnits", read_capacity},
                                  {"WriteCapacityUnits", write_capacity}};
    d["TableSizeBytes"] = size_bytes;
    d["ItemCount"] = item_count;
    d["TableArn"] = arn;
    d["TableId"] = id;
    if (billing == billing_mode::pay_per_request) {
        d["BillingModeSummary"] = {{"BillingMode", "PAY_PER_REQUEST"},
                                   {"LastUpdateToPayPerRequestDateTime",
                                    epoch_seconds(pay_per_request_since.value_or(created_at))}};
        d["TableThroughputModeSummary"] = {{"TableThroughputMode", "PAY_PER_REQUEST"}};
    }
    json lsis = json::array(), gsis = json::array();
    for (const auto& ix : indexes) {
        json j = {{"IndexName", ix->name}, {"KeySchema", key_schema_json(ix->keys)}};
        json projection = {{"ProjectionType", projection_name(ix->projection)}};
        if (ix->projection == projection_kind::include)
            projection["NonKeyAttributes"] = ix->non_key_attributes;
        j["Projection"] = std::move(projection);
        j["IndexSizeBytes"] = ix->size_bytes;
        j["ItemCount"] = ix->item_count;
        j["IndexArn"] = ix->arn;
        if (ix->global) {
            const bool backfilling = now < ix->active_at;
            j["IndexStatus"] = backfilling ? "CREATING" : "ACTIVE";
            if (backfilling)
                j["Backfilling"] = true;
            j["ProvisionedThroughput"] = {{"NumberOfDecreasesToday", 0},
                                          {"ReadCapacityUnits", ix->read_capacity},
                                          {"WriteCapacityUnits", ix->write_capacity}};
            gsis.push_back(std::move(j));
        } else {
            lsis.push_back(std::move(j));
        }
    }
    if (!lsis.empty())
        d["LocalSecondaryIndexes"] = std::move(lsis);
    if (!gsis.empty())
        d["GlobalSecondaryIndexes"] = std::move(gsis);
    if (stream_enabled) {
        d["StreamSpecification"] = {{"StreamEnabled", true},
                                    {"StreamViewType", view_name(stream_view)}};
    }
    if (stream) {
        d["LatestStreamLabel"] = stream->label;
        d["LatestStreamArn"] = stream->arn;
    }
    if (!table_class.empty()) {
        d["TableClassSummary"] = {{"TableClass", table_class}};
    }
    d["DeletionProtectionEnabled"] = deletion_protection;
    return d;
}

std::size_t table::item_block_bytes() const {
    std::size_t n = 0;
    const_cast<partition_table<stored_item>&>(items).for_each([&](const partition<stored_item>& p) {
        for (const auto& e : p.entries) n += e.block_size();
        return true;
    });
    return n;
}

std::size_t table::structure_bytes() const {
    std::size_t n = items.overhead_bytes();
    for (const auto& ix : indexes) {
        n += ix->entries.overhead_bytes();
        const_cast<partition_table<index_entry>&>(ix->entries)
            .for_each([&](const partition<index_entry>& p) {
                for (const auto& e : p.entries)
                    n += e.sort.capacity() > 15 ? e.sort.capacity() + 1 : 0;
                return true;
            });
    }
    return n;
}

}  // namespace esser::emulator

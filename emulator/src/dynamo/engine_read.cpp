// Query and Scan (spec/dynamodb-api.md §3.4, §3.5): key-ordered (Query) or hash-ordered (Scan)
// evaluation that stops at Limit items evaluated or 1 MB read, the filter applied afterwards,
// LastEvaluatedKey whenever evaluation stopped early (§7 trap 1), Select, projections,
// ExclusiveStartKey checks in dynalite's order (actions/query.js, actions/scan.js).
#include <algorithm>

#include "engine_impl.hpp"
#include "item_codec.hpp"
#include "legacy_parameters.hpp"
#include "partition_scan.hpp"
#include "request_schema.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator {

namespace {

constexpr std::size_t page_bytes = 1024 * 1024;

std::string str(const json& j, std::string_view name) {
    const json* m = schema::member(j, name);
    return m && m->is_string() ? m->get<std::string>() : std::string();
}

// ExclusiveStartKey values: AWS prefixes some messages and not others (dynalite, verified).
std::optional<aws_error> check_start_key_values(const json& r) {
    const json* esk = schema::member(r, "ExclusiveStartKey");
    if (!esk)
        return std::nullopt;
    for (const auto& [name, v] : esk->items()) {
        auto av = attribute_value_from_json(v, 1);
        if (av)
            continue;
        const std::string& msg = av.error();
        const bool bare = msg.find("contains duplicates") != std::string::npos ||
                          msg.find("number set") != std::string::npos ||
                          msg.find("numeric value") != std::string::npos ||
                          msg.find("significant digits") != std::string::npos ||
                          msg.find("number with magnitude") != std::string::npos;
        return aws_error::validation(bare ? msg : "The provided starting key is invalid: " + msg);
    }
    return std::nullopt;
}

// A Key piece check (dynalite validateKeyPiece): missing or mistyped, empty, too large.
std::optional<std::string> check_key_piece(const attribute_map& key, const key_attribute& k,
                                           bool is_hash) {
    const attribute_value* v = key.find(k.name);
    if (!v || v->type() != k.type)
        return std::string("The provided key element does not match the schema");
    const bool empty = (v->type() == value_type::S && v->as_s().empty()) ||
                       (v->type() == value_type::B && v->as_b().empty());
    if (empty) {
        return "One or more parameter values were invalid: The AttributeValue for a key attribute "
               "cannot contain an empty " +
               std::string(k.type == value_type::S ? "string" : "binary") +
               " value. Key: " + k.name;
    }
    const std::size_t n = v->type() == value_type::S   ? v->as_s().size()
                          : v->type() == value_type::B ? v->as_b().size()
                                                       : 0;
    if (is_hash && n > 2048) {
        return std::string(
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
            "size limit of2048 bytes");
    }
    if (!is_hash && n > 1024) {
        return std::string(
            "One or more parameter values were invalid: Aggregated size of all range keys has "
            "exceeded the size limit of 1024 bytes");
    }
    return std::nullopt;
}

// The names LastEvaluatedKey carries: the table key, plus the index key for an index read.
// The index a Query or Scan names (null for none), or the error AWS gives: an unknown index, a
// consistent read of a GSI, or a GSI still backfilling after UpdateTable created it (spec §3.2).
core::expected<const secondary_index*, aws_error> readable_index(const table& t,
                                                                 std::string_view name,
                                                                 bool consistent,
                                                                 core::time_point now) {
    if (name.empty())
        return static_cast<const secondary_index*>(nullptr);
    const secondary_index* ix = t.find_index(name);
    if (!ix) {
        return fail(aws_error::validation("The table does not have the specified index: " +
                                          std::string(name)));
    }
    if (ix->global && consistent) {
        return fail(aws_error::validation(
            "Consistent reads are not supported on global secondary indexes"));
    }
    if (ix->global && now < ix->active_at) {
        return fail(aws_error::validation("Cannot read from backfilling global secondary index: " +
                                          std::string(name)));
    }
    return ix;
}

std::vector<std::string> start_key_names(const table& t, const secondary_index* ix) {
    std::vector<std::string> names = {t.keys.hash.name};
    if (t.keys.range)
        names.push_back(t.keys.range->name);
    if (ix) {
        for (const key_attribute* k :
             {&ix->keys.hash, ix->keys.range ? &*ix->keys.range : nullptr}) {
            if (k && std::find(names.begin(), names.end(), k->name) == names.end())
                names.push_back(k->name);
        }
    }
    return names;
}

// The stored position of an ExclusiveStartKey in the table or index.
item_key table_position(const table& t, const attribute_map& esk) {
    return t.key_of(esk);
}

item_key index_position(const table& t, const secondary_index& ix, const attribute_map& esk) {
    const item_key base = t.key_of(esk);
    item_key k;
    item_codec::append_key_bytes(*esk.find(ix.keys.hash.name), k.partition);
    k.hash = partition_hash(k.partition);
    if (ix.keys.range) {
        std::string rb;
        item_codec::append_key_bytes(*esk.find(ix.keys.range->name), rb);
        append_tuple_component(rb, k.sort);
    }
    append_tuple_component(base.partition, k.sort);
    append_tuple_component(base.sort, k.sort);
    return k;
}

enum class select_mode { all_attributes, all_projected, specific, count };

// Collects one page: counts evaluated items, stops at Limit or 1 MB, filters, projects.
class page_builder {
public:
    page_builder(const request_expressions& ex, std::optional<std::int64_t> limit,
                 select_mode select, const secondary_index* ix,
                 std::vector<std::string> attributes_to_get, std::vector<std::string> key_names,
                 deferred_items* deferred)
        : ex_(ex),
          limit_(limit),
          select_(select),
          ix_(ix),
          attributes_to_get_(std::move(attributes_to_get)),
          key_names_(std::move(key_names)),
          plain_(!ex_.has_filter() && !ex_.has_projection() && attributes_to_get_.empty() &&
                 (ix_ == nullptr || ix_->projection == projection_kind::all ||
                  select_ == select_mode::all_attributes)),
          deferred_(deferred),
          first_deferred_(deferred ? deferred->size() : 0) {}

    // Whether evaluation may take another item.
    bool open() const { return !(limit_ && scanned_ >= *limit_) && size_ < page_bytes; }

    void add(const char* block) {
        const std::string_view bytes = stored_item::item_of(block);
        ++scanned_;
        const std::size_t size = stored_item::size_of(block);
        size_ += size;
        last_ = block;
        if (plain_) {
            ++count_;
            read_bytes_ += size;
            if (select_ == select_mode::count)
                return;
            // A text answer's plain page is one node for all its items (finish()).
            if (deferred_)
                deferred_->add(bytes);
            else
                items_.push_back(item_codec::to_json(bytes));
            return;
        }
        attribute_map item = item_codec::decode(bytes);
        read_bytes_ += size;
        if (ex_.has_filter() && !ex_.filter_holds(item))
            return;
        ++count_;
        if (select_ == select_mode::count)
            return;
        if (ix_ && ix_->projection != projection_kind::all &&
            select_ != select_mode::all_attributes) {
            item = select_attributes(item, ix_->projected);
        }
        if (ex_.has_projection()) {
            item = ex_.project(item);
        } else if (!attributes_to_get_.empty()) {
            item = select_attributes(item, attributes_to_get_);
        }
        items_.push_back(to_json(item));
    }

    json finish(const json& r, const table& t) {
        json out = json::object();
        if (select_ != select_mode::count) {
            if (plain_ && deferred_) {
                out["Items"] =
                    deferred_items::list_node(first_deferred_, deferred_->size() - first_deferred_);
            } else {
                out["Items"] = std::move(items_);
            }
        }
        out["Count"] = count_;
        out["ScannedCount"] = scanned_;
        if (!open() && last_) {
            const attribute_map last =
                item_codec::decode_some(stored_item::item_of(last_), sorted(key_names_));
            out["LastEvaluatedKey"] = to_json(last);
        }
        const bool consistent =
            schema::member(r, "ConsistentRead") && schema::json_bool(r["ConsistentRead"]);
        if (json c = consumed_capacity(r, t, read_units(read_bytes_, consistent), ix_);
            !c.is_null()) {
            out["ConsumedCapacity"] = std::move(c);
        }
        return out;
    }

private:
    static std::vector<std::string> sorted(std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    }

    const request_expressions& ex_;
    std::optional<std::int64_t> limit_;
    select_mode select_;
    const secondary_index* ix_;
    std::vector<std::string> attributes_to_get_;
    std::vector<std::string> key_names_;
    const bool plain_;  // items go into the answer whole (no filter, projection, index subset)
    deferred_items* deferred_;
    const std::uint32_t first_deferred_;
    json items_ = json::array();
    std::int64_t scanned_ = 0;
    std::int64_t count_ = 0;
    std::size_t size_ = 0;
    std::size_t read_bytes_ = 0;
    const char* last_ = nullptr;
};

// Select and its interplay with projections and indexes.
core::expected<select_mode, aws_error> read_select(const json& r, bool has_projection,
                                                   bool has_index) {
    const std::string s = str(r, "Select");
    if (s == "ALL_PROJECTED_ATTRIBUTES" && !has_index) {
        return fail(aws_error::validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"));
    }
    if (has_projection && !s.empty() && s != "SPECIFIC_ATTRIBUTES") {
        return fail(aws_error::validation("Cannot specify the " +
                                          std::string(schema::member(r, "AttributesToGet")
                                                          ? "AttributesToGet"
                                                          : "ProjectionExpression") +
                                          " when choosing to get " + s));
    }
    if (s == "COUNT")
        return select_mode::count;
    if (s == "ALL_ATTRIBUTES")
        return select_mode::all_attributes;
    if (s == "SPECIFIC_ATTRIBUTES" || has_projection)
        return select_mode::specific;
    return has_index ? select_mode::all_projected : select_mode::all_attributes;
}

}  // namespace

aws_result dynamo_engine::impl::query(const json& r, deferred_items* deferred) {
    if (auto e = check_expression_params(
            r, {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
            {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"})) {
        return fail(*e);
    }
    auto attrs = read_attributes_to_get(r);
    if (!attrs)
        return fail(attrs.error());
    if (auto e = check_start_key_values(r))
        return fail(*e);
    if (!schema::member(r, "KeyConditions") && !schema::member(r, "KeyConditionExpression")) {
        return fail(
            aws_error::validation("Either the KeyConditions or KeyConditionExpression parameter "
                                  "must be specified in the request."));
    }
    auto ex = compile_with_legacy(r, request_kind::query);
    if (!ex)
        return fail(ex.error());
    const std::string index_name = str(r, "IndexName");
    auto select = read_select(r, ex->has_projection() || !attrs->empty(), !index_name.empty());
    if (!select)
        return fail(select.error());

    auto found = item_table(str(r, "TableName"));
    if (!found)
        return fail(found.error());
    table& t = **found;
    const bool consistent =
        schema::member(r, "ConsistentRead") && schema::json_bool(r["ConsistentRead"]);
    auto readable = readable_index(t, index_name, consistent, now());
    if (!readable)
        return fail(readable.error());
    const secondary_index* ix = *readable;
    const key_schema& qkeys = ix ? ix->keys : t.keys;
    const auto names = start_key_names(t, ix);
    auto esk = read_map_member(r, "ExclusiveStartKey");
    if (!esk)
        return fail(esk.error());
    const bool has_esk = schema::member(r, "ExclusiveStartKey") != nullptr;
    if (has_esk) {
        if (esk->size() != names.size())
            return fail(aws_error::validation("The provided starting key is invalid"));
        for (const key_attribute* k : {&qkeys.hash, qkeys.range ? &*qkeys.range : nullptr}) {
            if (!k)
                continue;
            if (!esk->find(k->name))
                return fail(aws_error::validation("The provided starting key is invalid"));
            if (auto m = check_key_piece(*esk, *k, k == &qkeys.hash))
                return fail(aws_error::validation(*m));
        }
    }
    auto pred = has_legacy_key_conditions(r) ? legacy_key_predicate(r, qkeys)
                                             : ex->resolve_key_condition(qkeys);
    if (!pred)
        return fail(pred.error());
    if (has_esk) {
        if (auto m = t.check_key(t.key_attributes(*esk))) {
            return fail(aws_error::validation("The provided starting key is invalid: " + *m));
        }
        const attribute_value& esk_hash = *esk->find(qkeys.hash.name);
        if (pred->range == key_predicate::op::none) {
            if (!(esk_hash == pred->hash)) {
                return fail(
                    aws_error::validation("The provided starting key is outside query boundaries "
                                          "based on provided conditions"));
            }
        } else {
            if (!pred->matches(*esk->find(qkeys.range->name))) {
                return fail(aws_error::validation(
                    "The provided starting key does not match the range key predicate"));
            }
            if (!(esk_hash == pred->hash)) {
                return fail(aws_error::validation(
                    "The query can return at most one row and cannot be restarted"));
            }
        }
    }
    if (auto e = ex->check_nested_key_paths(t.keys, t.index_keys()))
        return fail(*e);
    if (auto e = check_legacy_query_filter_keys(r, qkeys))
        return fail(*e);
    if (ex->has_filter()) {
        if (auto e = ex->check_filter_keys(qkeys))
            return fail(*e);
    }
    if (ix && ix->global && *select == select_mode::all_attributes &&
        ix->projection != projection_kind::all) {
        return fail(
            aws_error::validation("One or more parameter values were invalid: Select type "
                                  "ALL_ATTRIBUTES is not supported for global secondary index " +
                                  ix->name + " because its projection type is not ALL"));
    }

    std::optional<std::int64_t> limit;
    if (const json* l = schema::member(r, "Limit"))
        limit = schema::json_int(*l);
    const bool forward =
        !schema::member(r, "ScanIndexForward") || schema::json_bool(r["ScanIndexForward"]);
    page_builder page(*ex, limit, *select, ix, *attrs, names, deferred);
    const range_bounds bounds = range_bounds::of(*pred);
    const std::string hash_bytes = item_codec::key_bytes(pred->hash);
    const std::uint64_t h = partition_hash(hash_bytes);

    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    std::optional<std::string> start;
    if (has_esk)
        start = ix ? index_position(t, *ix, *esk).sort : table_position(t, *esk).sort;
    if (ix) {
        if (const auto* p = const_cast<secondary_index*>(ix)->entries.find(h, hash_bytes)) {
            scan_partition(
                p->entries, [](const index_entry& e) { return e.block; }, bounds, true, forward,
                start ? &*start : nullptr, page);
        }
    } else if (const auto* p = t.items.find(h, hash_bytes)) {
        scan_partition(
            p->entries, [](const stored_item& e) { return e.block(); }, bounds, false, forward,
            start ? &*start : nullptr, page);
    }
    return page.finish(r, t);
}

aws_result dynamo_engine::impl::scan(const json& r, deferred_items* deferred) {
    if (auto e =
            check_expression_params(r, {"ProjectionExpression", "FilterExpression"},
                                    {"AttributesToGet", "ScanFilter", "ConditionalOperator"})) {
        return fail(*e);
    }
    auto attrs = read_attributes_to_get(r);
    if (!attrs)
        return fail(attrs.error());
    if (auto e = check_start_key_values(r))
        return fail(*e);
    const json* segment_json = schema::member(r, "Segment");
    const json* total_json = schema::member(r, "TotalSegments");
    const std::int64_t segment = segment_json ? schema::json_int(*segment_json) : 0;
    const std::int64_t total = total_json ? schema::json_int(*total_json) : 0;
    if (segment_json && segment != 0 && !total_json) {
        return fail(
            aws_error::validation("The TotalSegments parameter is required but was not present in "
                                  "the request when Segment parameter is present"));
    }
    if (total_json) {
        if (!segment_json) {
            return fail(
                aws_error::validation("The Segment parameter is required but was not present in "
                                      "the request when parameter TotalSegments is present"));
        }
        if (segment >= total) {
            return fail(
                aws_error::validation("The Segment parameter is zero-based and must be less than "
                                      "parameter TotalSegments: Segment: " +
                                      std::to_string(segment) +
                                      " is not less than TotalSegments: " + std::to_string(total)));
        }
    }
    auto ex = compile_with_legacy(r, request_kind::scan);
    if (!ex)
        return fail(ex.error());
    const std::string index_name = str(r, "IndexName");
    auto select = read_select(r, ex->has_projection() || !attrs->empty(), !index_name.empty());
    if (!select)
        return fail(select.error());

    auto found = item_table(str(r, "TableName"));
    if (!found)
        return fail(found.error());
    table& t = **found;
    const bool consistent =
        schema::member(r, "ConsistentRead") && schema::json_bool(r["ConsistentRead"]);
    auto readable = readable_index(t, index_name, consistent, now());
    if (!readable)
        return fail(readable.error());
    const secondary_index* ix = *readable;
    const auto names = start_key_names(t, ix);
    auto esk = read_map_member(r, "ExclusiveStartKey");
    if (!esk)
        return fail(esk.error());
    const bool has_esk = schema::member(r, "ExclusiveStartKey") != nullptr;
    if (has_esk && esk->size() != names.size()) {
        return fail(aws_error::validation(ix ? "The provided starting key is invalid"
                                             : "The provided starting key is invalid: The provided "
                                               "key element does not match the schema"));
    }
    if (has_esk && ix) {
        for (const key_attribute* k :
             {&ix->keys.hash, ix->keys.range ? &*ix->keys.range : nullptr}) {
            if (!k)
                continue;
            if (!esk->find(k->name))
                return fail(aws_error::validation("The provided starting key is invalid"));
            if (auto m = check_key_piece(*esk, *k, k == &ix->keys.hash))
                return fail(aws_error::validation(*m));
        }
    }
    if (ix && ix->global && *select == select_mode::all_attributes &&
        ix->projection != projection_kind::all) {
        return fail(
            aws_error::validation("One or more parameter values were invalid: Select type "
                                  "ALL_ATTRIBUTES is not supported for global secondary index " +
                                  ix->name + " because its projection type is not ALL"));
    }
    if (has_esk) {
        if (auto m = t.check_key(t.key_attributes(*esk))) {
            return fail(aws_error::validation("The provided starting key is invalid: " + *m));
        }
    }
    // Segment s of S covers partition hashes [s * 2^64 / S, (s + 1) * 2^64 / S).
    using u128 = unsigned __int128;
    const std::int64_t segments = total_json ? total : 1;
    const std::uint64_t lo = static_cast<std::uint64_t>((static_cast<u128>(segment) << 64) /
                                                        static_cast<u128>(segments));
    const u128 hi = (static_cast<u128>(segment + 1) << 64) / static_cast<u128>(segments);
    std::optional<item_key> start;
    if (has_esk) {
        start = ix ? index_position(t, *ix, *esk) : table_position(t, *esk);
        if (start->hash < lo || static_cast<u128>(start->hash) >= hi) {
            return fail(aws_error::validation(
                "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                "ExclusiveStartKey with correct Segment. TotalSegments: " +
                std::to_string(segments) + " Segment: " + std::to_string(segment)));
        }
    }
    if (auto e = ex->check_nested_key_paths(t.keys, t.index_keys()))
        return fail(*e);

    std::optional<std::int64_t> limit;
    if (const json* l = schema::member(r, "Limit"))
        limit = schema::json_int(*l);
    page_builder page(*ex, limit, *select, ix, *attrs, names, deferred);

    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    auto walk = [&](auto& store, auto&& block_of) {
        const std::uint64_t from = start ? start->hash : lo;
        bool first = start.has_value();
        // The start key's own partition continues after the start key; later partitions in full.
        if (start) {
            if (auto* p = store.find(start->hash, start->partition)) {
                const std::size_t i0 = p->lower(start->sort, true);
                for (std::size_t i = i0; i < p->entries.size() && page.open(); ++i)
                    page.add(block_of(p->entries[i]));
            }
        }
        store.for_each_from(from, start ? std::string_view(start->partition) : std::string_view(),
                            first, [&](auto& p) {
                                if (static_cast<u128>(p.hash) >= hi)
                                    return false;
                                for (std::size_t i = 0; i < p.entries.size(); ++i) {
                                    if (!page.open())
                                        return false;
                                    page.add(block_of(p.entries[i]));
                                }
                                return page.open();
                            });
    };
    if (ix) {
        walk(const_cast<secondary_index*>(ix)->entries,
             [](const index_entry& e) { return e.block; });
    } else {
        walk(t.items, [](const stored_item& e) { return e.block(); });
    }
    return page.finish(r, t);
}

}  // namespace esser::emulator

namespace esser::emulator {

namespace {

// The native Query's page: copies of the matching items' bytes.
class encoded_page {
public:
    explicit encoded_page(std::optional<std::int64_t> limit) : limit_(limit) {}

    bool open() const { return !(limit_ && scanned_ >= *limit_) && size_ < page_bytes; }

    void add(const char* block) {
        const std::string_view bytes = stored_item::item_of(block);
        ++scanned_;
        size_ += stored_item::size_of(block);
        last_ = block;
        items_.emplace_back(std::string(bytes));
    }

    std::vector<encoded_item> items_;
    const char* last_ = nullptr;

private:
    std::optional<std::int64_t> limit_;
    std::int64_t scanned_ = 0;
    std::size_t size_ = 0;
};

}  // namespace

core::expected<dynamo_engine::query_result, aws_error> dynamo_engine::impl::native_query(
    const query_spec& q) {
    auto found = item_table(q.table);
    if (!found)
        return fail(found.error());
    table& t = **found;
    auto readable = readable_index(t, q.index, false, now());
    if (!readable)
        return fail(readable.error());
    const secondary_index* ix = *readable;
    const key_schema& qkeys = ix ? ix->keys : t.keys;
    const std::string mismatch =
        "One or more parameter values were invalid: Condition parameter type does not match schema "
        "type";
    if (q.key.hash.type() != qkeys.hash.type)
        return fail(aws_error::validation(mismatch));
    if (q.key.range != key_predicate::op::none) {
        if (!qkeys.range)
            return fail(aws_error::validation("Query key condition not supported"));
        if (q.key.lower.type() != qkeys.range->type || (q.key.range == key_predicate::op::between &&
                                                        q.key.upper.type() != qkeys.range->type)) {
            return fail(aws_error::validation(mismatch));
        }
    }
    const auto names = start_key_names(t, ix);
    std::optional<std::string> start;
    if (q.exclusive_start_key) {
        const attribute_map& esk = *q.exclusive_start_key;
        if (esk.size() != names.size())
            return fail(aws_error::validation("The provided starting key is invalid"));
        for (const key_attribute* k : {&qkeys.hash, qkeys.range ? &*qkeys.range : nullptr}) {
            if (!k)
                continue;
            if (auto m = check_key_piece(esk, *k, k == &qkeys.hash))
                return fail(aws_error::validation(*m));
        }
        if (auto m = t.check_key(t.key_attributes(esk)))
            return fail(aws_error::validation("The provided starting key is invalid: " + *m));
        if (!(*esk.find(qkeys.hash.name) == q.key.hash)) {
            return fail(
                aws_error::validation("The provided starting key is outside query boundaries based "
                                      "on provided conditions"));
        }
        start = ix ? index_position(t, *ix, esk).sort : table_position(t, esk).sort;
    }
    const range_bounds bounds = range_bounds::of(q.key);
    const std::string hash_bytes = item_codec::key_bytes(q.key.hash);
    const std::uint64_t h = partition_hash(hash_bytes);
    encoded_page page(q.limit);
    query_result out;
    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    if (ix) {
        if (const auto* p = const_cast<secondary_index*>(ix)->entries.find(h, hash_bytes)) {
            scan_partition(
                p->entries, [](const index_entry& e) { return e.block; }, bounds, true, q.forward,
                start ? &*start : nullptr, page);
        }
    } else if (const auto* p = t.items.find(h, hash_bytes)) {
        scan_partition(
            p->entries, [](const stored_item& e) { return e.block(); }, bounds, false, q.forward,
            start ? &*start : nullptr, page);
    }
    if (!page.open() && page.last_) {
        std::vector<std::string> sorted_names = names;
        std::sort(sorted_names.begin(), sorted_names.end());
        out.last_evaluated_key =
            item_codec::decode_some(stored_item::item_of(page.last_), sorted_names);
    }
    out.items = std::move(page.items_);
    return out;
}

}  // namespace esser::emulator

// Single-item operations: PutItem, GetItem, DeleteItem, UpdateItem (spec/dynamodb-api.md §3.3).
// Order of checks (§1.4): expression/legacy parameter mix, AttributeValues, ReturnValues, item
// size, expressions -> table lookup -> key schema -> (lock) condition -> commit.
#include "engine_impl.hpp"
#include "item_codec.hpp"
#include "legacy_parameters.hpp"
#include "request_schema.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator {

namespace {

// A string member (type-checked by the schema pass), or "" when absent.
std::string_view str(const json& j, std::string_view name) {
    const json* m = schema::member(j, name);
    return m && m->is_string() ? std::string_view(m->get_ref<const std::string&>())
                               : std::string_view();
}

const attribute_map& empty_item() {
    static const attribute_map empty;
    return empty;
}

aws_error condition_failed(const json& r, const std::optional<attribute_map>& old_item) {
    const bool want_item = str(r, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD";
    return aws_error::conditional_check_failed(want_item && old_item ? to_json(*old_item)
                                                                     : json(nullptr));
}

}  // namespace

aws_result dynamo_engine::impl::put_item(const json& r, const encoded_put_item* encoded) {
    if (auto e = check_expression_params(r, {"ConditionExpression"}, {"Expected"}))
        return fail(*e);
    // The item: encoded already (dispatch's one walk found it plainly valid), or read here by
    // the AttributeValue pass, which gives AWS's error.
    std::optional<attribute_map> item;
    if (!encoded) {
        auto read = read_map_member(r, "Item");
        if (!read)
            return fail(read.error());
        item = std::move(*read);
    }
    const std::string_view rv = str(r, "ReturnValues");
    if (!rv.empty() && rv != "ALL_OLD" && rv != "NONE") {
        return fail(aws_error::validation("ReturnValues can only be ALL_OLD or NONE"));
    }
    const std::size_t size = encoded ? encoded->size : item_size(*item);
    if (size > opts.max_item_size)
        return fail(aws_error::validation("Item size has exceeded the maximum allowed size"));
    auto ex = compile_with_legacy(r, request_kind::put_item);
    if (!ex)
        return fail(ex.error());

    auto found = item_table(str(r, "TableName"));
    if (!found)
        return fail(found.error());
    table& t = **found;
    if (auto m = encoded ? t.check_item(encoded->bytes, &encoded->index) : t.check_item(*item))
        return fail(aws_error::validation(*m));
    if (ex->has_condition()) {
        if (auto e = ex->check_nested_key_paths(t.keys, t.index_keys()))
            return fail(*e);
    }
    const item_key k = encoded ? t.key_of(encoded->bytes, &encoded->index) : t.key_of(*item);
    const bool want_old = rv == "ALL_OLD";
    const bool want_capacity = schema::member(r, "ReturnConsumedCapacity") != nullptr;

    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    const char* old = t.find(k);
    std::optional<attribute_map> old_item;
    const bool index_capacity = wants_capacity(r) && !t.indexes.empty();
    if (old && (ex->has_condition() || want_old || index_capacity))
        old_item = item_codec::decode(stored_item::item_of(old));
    if (ex->has_condition() && !ex->condition_holds(old_item ? *old_item : empty_item())) {
        return fail(condition_failed(r, old_item));
    }
    const std::size_t old_size = old && want_capacity ? stored_item::size_of(old) : 0;
    json out = json::object();
    if (want_old && old_item)
        out["Attributes"] = to_json(*old_item);
    if (index_capacity && !item)
        item = item_codec::decode(encoded->bytes);
    const auto index_units = index_capacity
                                 ? t.index_write_units(old_item ? &*old_item : nullptr, &*item)
                                 : std::vector<std::pair<const secondary_index*, double>>{};
    const table::commit_context ctx{observer.load(), now(), false, sink, size};
    if (encoded) {
        t.commit_encoded(k, old, old_item ? &*old_item : nullptr, &encoded->bytes,
                         item ? &*item : nullptr, ctx);
    } else {
        t.commit(k, old, old_item ? &*old_item : nullptr, &*item, ctx);
    }
    if (json c = write_capacity(r, t, write_units(std::max(size, old_size)), index_units);
        !c.is_null()) {
        out["ConsumedCapacity"] = std::move(c);
    }
    return out;
}

aws_result dynamo_engine::impl::get_item(const json& r, deferred_items* deferred) {
    if (auto e = check_expression_params(r, {"ProjectionExpression"}, {"AttributesToGet"}))
        return fail(*e);
    auto key = read_map_member(r, "Key");
    if (!key)
        return fail(key.error());
    auto attrs = read_attributes_to_get(r);
    if (!attrs)
        return fail(attrs.error());
    auto ex = request_expressions::compile(r, request_kind::get_item);
    if (!ex)
        return fail(ex.error());

    auto found = item_table(str(r, "TableName"));
    if (!found)
        return fail(found.error());
    table& t = **found;
    if (auto m = t.check_key(*key))
        return fail(aws_error::validation(*m));
    if (ex->has_projection()) {
        if (auto e = ex->check_nested_key_paths(t.keys, t.index_keys()))
            return fail(*e);
    }
    const item_key k = t.key_of(*key);
    const bool consistent =
        schema::member(r, "ConsistentRead") && schema::json_bool(r["ConsistentRead"]);

    json out = json::object();
    std::size_t size = 0;
    {
        std::lock_guard lock(t.mu);
        if (t.deleted)
            return fail(aws_error::resource_not_found());
        if (const char* block = t.find(k)) {
            const std::string_view bytes = stored_item::item_of(block);
            size = stored_item::size_of(block);
            if (ex->has_projection()) {
                out["Item"] = to_json(
                    ex->project(item_codec::decode_some(bytes, ex->projection_top_level())));
            } else if (!attrs->empty()) {
                out["Item"] = to_json(item_codec::decode_some(bytes, *attrs));
            } else {
                out["Item"] = response_item(bytes, deferred);
            }
        }
    }
    if (json c = consumed_capacity(r, t, read_units(size, consistent)); !c.is_null())
        out["ConsumedCapacity"] = std::move(c);
    return out;
}

core::expected<std::optional<encoded_item>, aws_error> dynamo_engine::impl::native_get_item(
    std::string_view table_name, const attribute_map& key) {
    auto found = item_table(table_name);
    if (!found)
        return fail(found.error());
    table& t = **found;
    if (auto m = t.check_key(key))
        return fail(aws_error::validation(*m));
    const item_key k = t.key_of(key);
    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    const char* block = t.find(k);
    if (!block)
        return std::optional<encoded_item>();
    return std::optional<encoded_item>(encoded_item(std::string(stored_item::item_of(block))));
}

aws_result dynamo_engine::impl::delete_item(const json& r) {
    if (auto e = check_expression_params(r, {"ConditionExpression"}, {"Expected"}))
        return fail(*e);
    auto key = read_map_member(r, "Key");
    if (!key)
        return fail(key.error());
    const std::string_view rv = str(r, "ReturnValues");
    if (!rv.empty() && rv != "ALL_OLD" && rv != "NONE") {
        return fail(aws_error::validation("ReturnValues can only be ALL_OLD or NONE"));
    }
    auto ex = compile_with_legacy(r, request_kind::delete_item);
    if (!ex)
        return fail(ex.error());

    auto found = item_table(str(r, "TableName"));
    if (!found)
        return fail(found.error());
    table& t = **found;
    if (auto m = t.check_key(*key))
        return fail(aws_error::validation(*m));
    if (ex->has_condition()) {
        if (auto e = ex->check_nested_key_paths(t.keys, t.index_keys()))
            return fail(*e);
    }
    const item_key k = t.key_of(*key);

    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    const char* old = t.find(k);
    std::optional<attribute_map> old_item;
    if (old)
        old_item = item_codec::decode(stored_item::item_of(old));
    if (ex->has_condition() && !ex->condition_holds(old_item ? *old_item : empty_item())) {
        return fail(condition_failed(r, old_item));
    }
    json out = json::object();
    if (rv == "ALL_OLD" && old_item)
        out["Attributes"] = to_json(*old_item);
    const std::size_t old_size = old_item ? item_size(*old_item) : 0;
    const auto index_units = wants_capacity(r)
                                 ? t.index_write_units(old_item ? &*old_item : nullptr, nullptr)
                                 : std::vector<std::pair<const secondary_index*, double>>{};
    t.commit(k, old, old_item ? &*old_item : nullptr, nullptr,
             {observer.load(), now(), false, sink});
    if (json c = write_capacity(r, t, write_units(old_size), index_units); !c.is_null())
        out["ConsumedCapacity"] = std::move(c);
    return out;
}

aws_result dynamo_engine::impl::update_item(const json& r) {
    if (auto e = check_expression_params(r, {"UpdateExpression", "ConditionExpression"},
                                         {"AttributeUpdates", "Expected"})) {
        return fail(*e);
    }
    auto key = read_map_member(r, "Key");
    if (!key)
        return fail(key.error());
    auto ex = compile_with_legacy(r, request_kind::update_item);
    if (!ex)
        return fail(ex.error());

    auto found = item_table(str(r, "TableName"));
    if (!found)
        return fail(found.error());
    table& t = **found;
    if (auto m = t.check_key(*key))
        return fail(aws_error::validation(*m));
    const auto indexes = t.index_keys();
    if (ex->has_update()) {
        if (auto e = ex->check_update_keys(t.keys, indexes))
            return fail(*e);
    }
    if (auto e = ex->check_nested_key_paths(t.keys, indexes))
        return fail(*e);
    const item_key k = t.key_of(*key);
    const std::string_view rv = str(r, "ReturnValues");

    std::lock_guard lock(t.mu);
    if (t.deleted)
        return fail(aws_error::resource_not_found());
    const char* old = t.find(k);
    std::optional<attribute_map> old_item;
    if (old)
        old_item = item_codec::decode(stored_item::item_of(old));
    if (ex->has_condition() && !ex->condition_holds(old_item ? *old_item : empty_item())) {
        return fail(condition_failed(r, old_item));
    }
    auto new_item = ex->apply_update(old_item ? &*old_item : nullptr, *key, indexes);
    if (!new_item)
        return fail(legacy_update_error(r, new_item.error()));
    const std::size_t size = item_size(*new_item);
    if (size > opts.max_item_size) {
        return fail(
            aws_error::validation("Item size to update has exceeded the maximum allowed size"));
    }
    json out = json::object();
    if (rv == "ALL_OLD" && old_item) {
        out["Attributes"] = to_json(*old_item);
    } else if (rv == "UPDATED_OLD" && old_item) {
        if (attribute_map part = ex->updated_part(*old_item); !part.empty())
            out["Attributes"] = to_json(part);
    } else if (rv == "ALL_NEW") {
        out["Attributes"] = to_json(*new_item);
    } else if (rv == "UPDATED_NEW") {
        if (attribute_map part = ex->updated_part(*new_item); !part.empty())
            out["Attributes"] = to_json(part);
    }
    const std::size_t old_size = old_item ? item_size(*old_item) : 0;
    const auto index_units = wants_capacity(r)
                                 ? t.index_write_units(old_item ? &*old_item : nullptr, &*new_item)
                                 : std::vector<std::pair<const secondary_index*, double>>{};
    t.commit(k, old, old_item ? &*old_item : nullptr, &*new_item,
             {observer.load(), now(), false, sink});
    if (json c = write_capacity(r, t, write_units(std::max(size, old_size)), index_units);
        !c.is_null()) {
        out["ConsumedCapacity"] = std::move(c);
    }
    return out;
}

}  // namespace esser::emulator

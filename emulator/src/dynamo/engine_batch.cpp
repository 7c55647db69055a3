// BatchGetItem and BatchWriteItem (spec/dynamodb-api.md §3.6; checks in dynalite's order,
// validations/batch*.js and actions/batch*.js).
//
// BatchWriteItem validates every request of every table first and only then applies them, so a
// refused batch changes nothing. It never leaves UnprocessedItems (the emulator does not
// throttle). BatchGetItem returns items in request order per table (AWS promises no order) and
// moves keys to UnprocessedKeys once the response passes 16 MB.
#include <map>
#include <set>

#include "engine_impl.hpp"
#include "item_codec.hpp"
#include "request_schema.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator {

namespace {

constexpr std::size_t response_limit = 16 * 1024 * 1024;

// Identity of a key independent of any schema (duplicate detection before the table lookup).
std::string canonical(const attribute_map& key) {
    return item_codec::encode(key);
}

json capacity_entry(const json& r, const std::string& table_name, double units) {
    const json* mode = schema::member(r, "ReturnConsumedCapacity");
    json c = {{"TableName", table_name}, {"CapacityUnits", units}};
    if (mode && mode->get<std::string>() == "INDEXES")
        c["Table"] = {{"CapacityUnits", units}};
    return c;
}

}  // namespace

aws_result dynamo_engine::impl::batch_get_item(const json& r, deferred_items* deferred) {
    struct table_request {
        std::string name;
        std::vector<attribute_map> keys;
        std::vector<std::string> attributes;
        std::optional<request_expressions> ex;
        bool consistent = false;
        const json* source = nullptr;
    };

    std::vector<table_request> requests;
    std::size_t total = 0;
    for (const auto& [name, spec] : r["RequestItems"].items()) {
        table_request tr;
        tr.name = name;
        tr.source = &spec;
        if (auto e = check_expression_params(spec, {"ProjectionExpression"}, {"AttributesToGet"}))
            return fail(*e);
        auto attrs = read_attributes_to_get(spec);
        if (!attrs)
            return fail(attrs.error());
        tr.attributes = std::move(*attrs);
        auto ex = request_expressions::compile(spec, request_kind::batch_get_item);
        if (!ex)
            return fail(ex.error());
        tr.ex = std::move(*ex);
        tr.consistent =
            schema::member(spec, "ConsistentRead") && schema::json_bool(spec["ConsistentRead"]);
        std::set<std::string> seen;
        for (const auto& k : spec["Keys"]) {
            auto key = attribute_map_from_json(k);
            if (!key)
                return fail(aws_error::validation(key.error()));
            if (!seen.insert(canonical(*key)).second) {
                return fail(
                    aws_error::validation("Provided list of item keys contains duplicates"));
            }
            tr.keys.push_back(std::move(*key));
            if (++total > 100)
                return fail(
                    aws_error::validation("Too many items requested for the BatchGetItem call"));
        }
        requests.push_back(std::move(tr));
    }
    std::vector<std::shared_ptr<table>> tables_found;
    for (const auto& tr : requests) {
        auto t = item_table(tr.name);
        if (!t)
            return fail(t.error());
        for (const auto& k : tr.keys) {
            if (auto m = (*t)->check_key(k))
                return fail(aws_error::validation(*m));
        }
        if (tr.ex->has_projection()) {
            if (auto e = tr.ex->check_nested_key_paths((*t)->keys, (*t)->index_keys()))
                return fail(*e);
        }
        tables_found.push_back(*t);
    }

    json responses = json::object();
    json unprocessed = json::object();
    json capacity = json::array();
    std::size_t response_size = 0;
    for (std::size_t ti = 0; ti < requests.size(); ++ti) {
        const auto& tr = requests[ti];
        table& t = *tables_found[ti];
        json items = json::array();
        double units = 0;
        {
            std::lock_guard lock(t.mu);
            if (t.deleted)
                return fail(aws_error::resource_not_found());
            for (const auto& k : tr.keys) {
                const char* block = t.find(t.key_of(k));
                if (!block)
                    continue;
                const std::string_view bytes = stored_item::item_of(block);
                const std::size_t size = stored_item::size_of(block);
                if (response_size + size > response_limit) {
                    json& u = unprocessed[tr.name];
                    if (u.is_null()) {
                        u = json::object();
                        u["Keys"] = json::array();
                        for (const char* m : {"ProjectionExpression", "ExpressionAttributeNames",
                                              "AttributesToGet", "ConsistentRead"}) {
                            if (const json* x = schema::member(*tr.source, m))
                                u[m] = *x;
                        }
                    }
                    u["Keys"].push_back(to_json(k));
                    continue;
                }
                response_size += size;
                units += read_units(size, tr.consistent);
                if (tr.ex->has_projection()) {
                    items.push_back(to_json(tr.ex->project(
                        item_codec::decode_some(bytes, tr.ex->projection_top_level()))));
                } else if (!tr.attributes.empty()) {
                    items.push_back(to_json(item_codec::decode_some(bytes, tr.attributes)));
                } else {
                    items.push_back(response_item(bytes, deferred));
                }
            }
        }
        responses[tr.name] = std::move(items);
        if (wants_capacity(r))
            capacity.push_back(capacity_entry(r, tr.name, units));
    }
    json out = {{"Responses", std::move(responses)}, {"UnprocessedKeys", std::move(unprocessed)}};
    if (wants_capacity(r))
        out["ConsumedCapacity"] = std::move(capacity);
    return out;
}

aws_result dynamo_engine::impl::batch_write_item(const json& r) {
    struct write {
        item_key key;
        std::optional<attribute_map> item;  // put; none: delete
        attribute_map key_attributes;       // delete
    };

    struct table_writes {
        std::string name;
        std::vector<write> writes;
        std::shared_ptr<table> t;
    };

    const json& request_items = r["RequestItems"];
    // Values first (before any table lookup), as AWS validates the whole request.
    for (const auto& [name, reqs] : request_items.items()) {
        for (const auto& req : reqs) {
            if (!req.is_object() || req.empty()) {
                return fail(aws_error::validation(
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly "
                    "one of the supported datatypes"));
            }
        }
        for (const auto& req : reqs) {
            if (const json* put = schema::member(req, "PutRequest")) {
                auto item = attribute_map_from_json((*put)["Item"]);
                if (!item)
                    return fail(aws_error::validation(item.error()));
                if (item_size(*item) > opts.max_item_size) {
                    return fail(
                        aws_error::validation("Item size has exceeded the maximum allowed size"));
                }
            } else if (const json* del = schema::member(req, "DeleteRequest")) {
                auto key = attribute_map_from_json((*del)["Key"]);
                if (!key)
                    return fail(aws_error::validation(key.error()));
            }
        }
    }
    std::vector<table_writes> all;
    for (const auto& [name, reqs] : request_items.items()) {
        table_writes tw;
        tw.name = name;
        auto t = item_table(name);
        if (!t)
            return fail(t.error());
        tw.t = *t;
        std::set<std::pair<std::string, std::string>> seen;
        for (const auto& req : reqs) {
            write w;
            if (const json* put = schema::member(req, "PutRequest")) {
                attribute_map item = *attribute_map_from_json((*put)["Item"]);
                if (auto m = tw.t->check_item(item)) {
                    const bool key_shape = m->find("Missing the key") != std::string::npos ||
                                           m->find("Type mismatch for key") != std::string::npos;
                    return fail(aws_error::validation(
                        key_shape ? "The provided key element does not match the schema" : *m));
                }
                w.key = tw.t->key_of(item);
                w.item = std::move(item);
            } else if (const json* del = schema::member(req, "DeleteRequest")) {
                attribute_map key = *attribute_map_from_json((*del)["Key"]);
                if (auto m = tw.t->check_key(key))
                    return fail(aws_error::validation(*m));
                w.key = tw.t->key_of(key);
                w.key_attributes = std::move(key);
            } else {
                continue;
            }
            if (!seen.insert({w.key.partition, w.key.sort}).second) {
                return fail(
                    aws_error::validation("Provided list of item keys contains duplicates"));
            }
            tw.writes.push_back(std::move(w));
        }
        all.push_back(std::move(tw));
    }

    json capacity = json::array();
    const bool want_capacity = wants_capacity(r);
    for (auto& tw : all) {
        table& t = *tw.t;
        double units = 0;
        std::map<const secondary_index*, double> index_units;  // in index order below
        std::lock_guard lock(t.mu);
        if (t.deleted)
            return fail(aws_error::resource_not_found());
        for (auto& w : tw.writes) {
            const char* old = t.find(w.key);
            const std::size_t old_size = old ? stored_item::size_of(old) : 0;
            const std::size_t new_size = w.item ? item_size(*w.item) : 0;
            units += write_units(std::max(old_size, new_size));
            std::optional<attribute_map> old_item;
            if (want_capacity && !t.indexes.empty()) {
                if (old)
                    old_item = item_codec::decode(stored_item::item_of(old));
                for (const auto& [ix, u] : t.index_write_units(old_item ? &*old_item : nullptr,
                                                               w.item ? &*w.item : nullptr)) {
                    index_units[ix] += u;
                }
            }
            t.commit(w.key, old, old_item ? &*old_item : nullptr, w.item ? &*w.item : nullptr,
                     {observer.load(), now(), false, sink});
        }
        if (want_capacity) {
            std::vector<std::pair<const secondary_index*, double>> per_index;
            for (const auto& ix : t.indexes) {
                if (auto it = index_units.find(ix.get()); it != index_units.end())
                    per_index.emplace_back(ix.get(), it->second);
            }
            capacity.push_back(write_capacity(r, t, units, per_index));
        }
    }
    json out = {{"UnprocessedItems", json::object()}};
    if (wants_capacity(r))
        out["ConsumedCapacity"] = std::move(capacity);
    return out;
}

}  // namespace esser::emulator

// Table operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable,
// DescribeTimeToLive, UpdateTimeToLive (spec/dynamodb-api.md §3.1, §3.2; validation messages
// from dynalite validations/createTable.js and actions/updateTable.js, verified against AWS).
#include <algorithm>
#include <set>

#include "engine_impl.hpp"
#include "item_codec.hpp"
#include "request_schema.hpp"

namespace esser::emulator {

namespace {

const std::string invalid = "One or more parameter values were invalid: ";

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
}

std::string str(const json& j, std::string_view name) {
    const json* m = schema::member(j, name);
    return m && m->is_string() ? m->get<std::string>() : std::string();
}

value_type parse_type(const std::string& t) {
    return t == "N" ? value_type::N : t == "B" ? value_type::B : value_type::S;
}

std::optional<stream_view_type> parse_view(const std::string& v) {
    if (v == "KEYS_ONLY")
        return stream_view_type::KEYS_ONLY;
    if (v == "NEW_IMAGE")
        return stream_view_type::NEW_IMAGE;
    if (v == "OLD_IMAGE")
        return stream_view_type::OLD_IMAGE;
    if (v == "NEW_AND_OLD_IMAGES")
        return stream_view_type::NEW_AND_OLD_IMAGES;
    return std::nullopt;
}

std::vector<std::string> key_names(const json& key_schema_json) {
    std::vector<std::string> out;
    for (const auto& k : key_schema_json) out.push_back(str(k, "AttributeName"));
    return out;
}

// The checks an index definition goes through, in AWS's order (dynalite createTable custom).
std::optional<aws_error> check_index_keys(const json& ix, const std::vector<std::string>& defns) {
    const json& ks = ix["KeySchema"];
    const auto keys = key_names(ks);
    for (const auto& k : keys) {
        if (std::find(defns.begin(), defns.end(), k) == defns.end()) {
            return aws_error::validation(
                invalid +
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                join(keys) + "], AttributeDefinitions: [" + join(defns) + "]");
        }
    }
    if (keys.size() > 1 && keys[0] == keys[1]) {
        return aws_error::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    if (str(ks[0], "KeyType") != "HASH") {
        return aws_error::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    }
    if (ks.size() > 1 && str(ks[1], "KeyType") != "RANGE") {
        return aws_error::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    return std::nullopt;
}

std::optional<aws_error> check_projection(const json& ix) {
    const json& p = ix["Projection"];
    const json* type = schema::member(p, "ProjectionType");
    if (!type)
        return aws_error::validation(invalid + "Unknown ProjectionType: null");
    if (schema::member(p, "NonKeyAttributes") && type->get<std::string>() != "INCLUDE") {
        return aws_error::validation(invalid + "ProjectionType is " + type->get<std::string>() +
                                     ", but NonKeyAttributes is specified");
    }
    return std::nullopt;
}

key_schema make_key_schema(const json& ks, const std::vector<attribute_definition>& defs) {
    auto type_of = [&](const std::string& name) {
        for (const auto& d : defs) {
            if (d.name == name)
                return d.type;
        }
        return value_type::S;
    };
    key_schema k;
    k.hash.name = str(ks[0], "AttributeName");
    k.hash.type = type_of(k.hash.name);
    if (ks.size() > 1) {
        key_attribute r;
        r.name = str(ks[1], "AttributeName");
        r.type = type_of(r.name);
        k.range = r;
    }
    return k;
}

std::unique_ptr<secondary_index> make_index(const json& ix, bool global, const table& t,
                                            bool pay_per_request) {
    auto out = std::make_unique<secondary_index>();
    out->name = str(ix, "IndexName");
    out->global = global;
    out->keys = make_key_schema(ix["KeySchema"], t.attribute_definitions);
    const std::string type = str(ix["Projection"], "ProjectionType");
    out->projection = type == "KEYS_ONLY" ? projection_kind::keys_only
                      : type == "INCLUDE" ? projection_kind::include
                                          : projection_kind::all;
    if (const json* nk = schema::member(ix["Projection"], "NonKeyAttributes")) {
        for (const auto& a : *nk) out->non_key_attributes.push_back(a.get<std::string>());
    }
    if (out->projection != projection_kind::all) {
        std::set<std::string> names(out->non_key_attributes.begin(), out->non_key_attributes.end());
        names.insert(t.keys.hash.name);
        if (t.keys.range)
            names.insert(t.keys.range->name);
        names.insert(out->keys.hash.name);
        if (out->keys.range)
            names.insert(out->keys.range->name);
        out->projected.assign(names.begin(), names.end());
    }
    if (global && !pay_per_request) {
        if (const json* pt = schema::member(ix, "ProvisionedThroughput")) {
            out->read_capacity = schema::json_int((*pt)["ReadCapacityUnits"]);
            out->write_capacity = schema::json_int((*pt)["WriteCapacityUnits"]);
        }
    }
    out->arn = t.arn + "/index/" + out->name;
    return out;
}

// Fills a new index from the table's items (UpdateTable GSI Create).
void backfill(table& t, secondary_index& ix) {
    t.items.for_each([&](const partition<stored_item>& p) {
        for (const auto& e : p.entries) {
            const attribute_map item = item_codec::decode(e.item());
            const attribute_value* h = item.find(ix.keys.hash.name);
            if (!h || h->type() != ix.keys.hash.type)
                continue;
            const attribute_value* r = ix.keys.range ? item.find(ix.keys.range->name) : nullptr;
            if (ix.keys.range && (!r || r->type() != ix.keys.range->type))
                continue;
            item_key ik;
            item_codec::append_key_bytes(*h, ik.partition);
            ik.hash = partition_hash(ik.partition);
            if (r) {
                std::string rb;
                item_codec::append_key_bytes(*r, rb);
                append_tuple_component(rb, ik.sort);
            }
            append_tuple_component(p.key, ik.sort);
            append_tuple_component(e.sort_key(), ik.sort);
            auto& ip = ix.entries.find_or_insert(ik.hash, ik.partition);
            const std::size_t i = ip.lower(ik.sort);
            ip.entries.insert(ip.entries.begin() + static_cast<std::ptrdiff_t>(i),
                              index_entry{ik.sort, e.block()});
            ++ix.item_count;
            ix.size_bytes += item_size(item);
        }
        return true;
    });
}

std::optional<aws_error> throughput_bounds(const json* pt) {
    if (!pt)
        return std::nullopt;
    for (const char* n : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
        const json* v = schema::member(*pt, n);
        if (v && schema::json_int(*v) > 1000000000000LL) {
            return aws_error::validation("Given value " + std::to_string(schema::json_int(*v)) +
                                         " for " + n + " is out of bounds");
        }
    }
    return std::nullopt;
}

}  // namespace

aws_result dynamo_engine::impl::create_table(const json& r) {
    const std::string name = str(r, "TableName");
    const bool pay_per_request = str(r, "BillingMode") == "PAY_PER_REQUEST";
    const json* pt = schema::member(r, "ProvisionedThroughput");
    if (pay_per_request) {
        if (pt) {
            return fail(
                aws_error::validation(invalid +
                                      "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                      "specified when BillingMode is PAY_PER_REQUEST"));
        }
    } else {
        if (!pt || !schema::member(*pt, "ReadCapacityUnits") ||
            !schema::member(*pt, "WriteCapacityUnits")) {
            return fail(aws_error::validation(invalid +
                                              "ReadCapacityUnits and WriteCapacityUnits must both "
                                              "be specified when BillingMode is PROVISIONED"));
        }
        if (auto e = throughput_bounds(pt))
            return fail(*e);
    }

    const json& defs_json = r["AttributeDefinitions"];
    const json& ks = r["KeySchema"];
    std::vector<std::string> defns;
    for (const auto& d : defs_json) defns.push_back(str(d, "AttributeName"));
    const auto keys = key_names(ks);
    if (keys.size() > defns.size()) {
        return fail(aws_error::validation(
            "Invalid KeySchema: Some index key attribute have no definition"));
    }
    for (const auto& k : keys) {
        if (std::find(defns.begin(), defns.end(), k) == defns.end()) {
            return fail(aws_error::validation(
                invalid +
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                join(keys) + "], AttributeDefinitions: [" + join(defns) + "]"));
        }
    }
    if (keys.size() > 1 && keys[0] == keys[1]) {
        return fail(aws_error::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"));
    }
    if (str(ks[0], "KeyType") != "HASH") {
        return fail(aws_error::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"));
    }
    if (ks.size() > 1 && str(ks[1], "KeyType") != "RANGE") {
        return fail(aws_error::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"));
    }
    const json* lsis = schema::member(r, "LocalSecondaryIndexes");
    const json* gsis = schema::member(r, "GlobalSecondaryIndexes");
    if (!lsis && !gsis && keys.size() != defns.size()) {
        return fail(
            aws_error::validation(invalid +
                                  "Number of attributes in KeySchema does not exactly match number "
                                  "of attributes defined in AttributeDefinitions"));
    }
    std::set<std::string> index_names;
    std::set<std::string> used(keys.begin(), keys.end());
    if (lsis) {
        if (lsis->empty())
            return fail(aws_error::validation(invalid + "List of LocalSecondaryIndexes is empty"));
        if (keys.size() != 2) {
            return fail(aws_error::validation(invalid +
                                              "Table KeySchema does not have a range key, which is "
                                              "required when specifying a LocalSecondaryIndex"));
        }
        for (const auto& ix : *lsis) {
            if (auto e = check_index_keys(ix, defns))
                return fail(*e);
            const auto ik = key_names(ix["KeySchema"]);
            const std::string ixname = str(ix, "IndexName");
            if (ik.size() != 2) {
                return fail(aws_error::validation(
                    invalid + "Index KeySchema does not have a range key for index: " + ixname));
            }
            if (ik[0] != keys[0]) {
                return fail(aws_error::validation(invalid +
                                                  "Index KeySchema does not have the same leading "
                                                  "hash key as table KeySchema for index: " +
                                                  ixname + ". index hash key: " + ik[0] +
                                                  ", table hash key: " + keys[0]));
            }
            if (auto e = check_projection(ix))
                return fail(*e);
            if (!index_names.insert(ixname).second) {
                return fail(aws_error::validation(invalid + "Duplicate index name: " + ixname));
            }
            used.insert(ik.begin(), ik.end());
        }
        if (lsis->size() > 5) {
            return fail(aws_error::validation(
                invalid + "Number of LocalSecondaryIndexes exceeds per-table limit of 5"));
        }
    }
    if (gsis) {
        if (gsis->empty())
            return fail(aws_error::validation(invalid + "List of GlobalSecondaryIndexes is empty"));
        for (const auto& ix : *gsis) {
            if (auto e = check_index_keys(ix, defns))
                return fail(*e);
            if (auto e = check_projection(ix))
                return fail(*e);
            const std::string ixname = str(ix, "IndexName");
            if (pay_per_request && schema::member(ix, "ProvisionedThroughput")) {
                return fail(aws_error::validation(
                    invalid + "ProvisionedThroughput should not be specified for index: " + ixname +
                    " when BillingMode is PAY_PER_REQUEST"));
            }
            if (!pay_per_request && !schema::member(ix, "ProvisionedThroughput")) {
                return fail(aws_error::validation(
                    invalid + "ProvisionedThroughput must be specified for index: " + ixname));
            }
            if (!index_names.insert(ixname).second) {
                return fail(aws_error::validation(invalid + "Duplicate index name: " + ixname));
            }
            const auto ik = key_names(ix["KeySchema"]);
            used.insert(ik.begin(), ik.end());
        }
        if (gsis->size() > 20) {
            return fail(aws_error::validation(
                invalid + "GlobalSecondaryIndex count exceeds the per-table limit of 20"));
        }
    }
    if ((lsis || gsis) && used.size() != std::set<std::string>(defns.begin(), defns.end()).size()) {
        return fail(aws_error::validation(
            invalid + "Some AttributeDefinitions are not used. AttributeDefinitions: [" +
            join(defns) + "], keys used: [" +
            join(std::vector<std::string>(used.begin(), used.end())) + "]"));
    }
    std::optional<stream_view_type> view;
    bool stream_on = false;
    if (const json* ss = schema::member(r, "StreamSpecification")) {
        const json* enabled = schema::member(*ss, "StreamEnabled");
        stream_on = enabled && schema::json_bool(*enabled);
        if (stream_on) {
            view = parse_view(str(*ss, "StreamViewType"));
            if (!view) {
                return fail(aws_error::validation(
                    invalid + "StreamViewType is required when StreamEnabled is true"));
            }
        }
    }

    auto t = std::make_shared<table>();
    t->name = name;
    t->arn = "arn:aws:dynamodb:" + opts.region + ":" + opts.account_id + ":table/" + name;
    t->id = opts.ids->uuid();
    for (const auto& d : defs_json) {
        if (!t->definition(str(d, "AttributeName"))) {
            t->attribute_definitions.push_back(
                {str(d, "AttributeName"), parse_type(str(d, "AttributeType"))});
        }
    }
    t->keys = make_key_schema(ks, t->attribute_definitions);
    t->created_at = now();
    t->active_at = t->created_at + opts.status_transition_delay;
    t->billing = pay_per_request ? billing_mode::pay_per_request : billing_mode::provisioned;
    if (pay_per_request)
        t->pay_per_request_since = t->created_at;
    if (pt) {
        t->read_capacity = schema::json_int((*pt)["ReadCapacityUnits"]);
        t->write_capacity = schema::json_int((*pt)["WriteCapacityUnits"]);
    }
    if (lsis) {
        for (const auto& ix : *lsis)
            t->indexes.push_back(make_index(ix, false, *t, pay_per_request));
    }
    if (gsis) {
        for (const auto& ix : *gsis)
            t->indexes.push_back(make_index(ix, true, *t, pay_per_request));
    }
    if (const json* dp = schema::member(r, "DeletionProtectionEnabled"))
        t->deletion_protection = schema::json_bool(*dp);
    t->table_class = str(r, "TableClass");
    if (const json* tags = schema::member(r, "Tags")) {
        for (const auto& tag : *tags) t->tags[str(tag, "Key")] = str(tag, "Value");
    }
    t->stream_enabled = stream_on;
    if (view)
        t->stream_view = *view;

    {
        std::unique_lock lock(registry_mu);
        if (tables.count(name))
            return fail(aws_error::resource_in_use("Table already exists: " + name));
        if (deleting_description(name))
            return fail(table_being_deleted(name));
        tables.emplace(name, t);
    }
    std::lock_guard lock(t->mu);
    durability_group durable(sink);
    announce_stream(*t);
    t->save_definition(sink);
    json d = t->describe(now(), "CREATING");
    if (d.contains("GlobalSecondaryIndexes")) {
        for (auto& g : d["GlobalSecondaryIndexes"]) g["IndexStatus"] = "CREATING";
    }
    return json{{"TableDescription", std::move(d)}};
}

aws_result dynamo_engine::impl::describe_table(const json& r) {
    const std::string name = str(r, "TableName");
    auto t = find_table(name);
    if (!t) {
        std::shared_lock lock(registry_mu);
        if (const json* d = deleting_description(name))
            return json{{"Table", *d}};
        return fail(table_not_found(name));
    }
    std::lock_guard lock(t->mu);
    return json{{"Table", t->describe(now())}};
}

aws_result dynamo_engine::impl::list_tables(const json& r) {
    std::size_t limit = 100;
    if (const json* l = schema::member(r, "Limit"))
        limit = static_cast<std::size_t>(schema::json_int(*l));
    const std::string start = str(r, "ExclusiveStartTableName");
    json names = json::array();
    bool more = false;
    {
        // The live tables and those still DELETING, merged in name order.
        std::shared_lock lock(registry_mu);
        auto it = start.empty() ? tables.begin() : tables.upper_bound(start);
        auto dt = start.empty() ? deleting.begin() : deleting.upper_bound(start);
        const auto now_ = now();
        for (;;) {
            while (dt != deleting.end() && now_ >= dt->second.until) ++dt;
            const bool live = it != tables.end();
            if (!live && dt == deleting.end())
                break;
            if (names.size() == limit) {
                more = true;
                break;
            }
            if (live && (dt == deleting.end() || it->first < dt->first))
                names.push_back((it++)->first);
            else
                names.push_back((dt++)->first);
        }
    }
    json out = {{"TableNames", names}};
    if (more && !names.empty())
        out["LastEvaluatedTableName"] = names.back();
    return out;
}

aws_result dynamo_engine::impl::delete_table(const json& r) {
    const std::string name = str(r, "TableName");
    auto t = find_table(name);
    if (!t) {
        std::shared_lock lock(registry_mu);
        if (deleting_description(name))
            return fail(table_being_deleted(name));
        return fail(table_not_found(name));
    }
    std::lock_guard lock(t->mu);
    if (now() < t->active_at) {
        return fail(aws_error::resource_in_use(
            "Attempt to change a resource which is still in use: Table is being created: " + name));
    }
    if (t->deletion_protection) {
        return fail(
            aws_error::validation("Resource cannot be deleted as it is currently protected against "
                                  "deletion. Disable deletion protection first."));
    }
    json d = t->describe(now(), "DELETING");
    {
        std::unique_lock rlock(registry_mu);
        auto it = tables.find(name);
        if (it == tables.end() || it->second != t)
            return fail(table_not_found(name));
        tables.erase(it);
        // Still described and listed as DELETING for the delay (spec §3.1); in the same
        // critical section, so the name is never free in between.
        if (opts.status_transition_delay > core::duration::zero()) {
            std::erase_if(deleting, [&](const auto& e) { return now() >= e.second.until; });
            deleting[name] = {d, now() + opts.status_transition_delay};
        }
    }
    t->deleted = true;
    durability_group durable(sink);
    if (table_observer* o = observer.load(); o && t->stream_enabled)
        o->stream_disabled(t->name, now());
    if (sink != nullptr)
        record_durable(*sink, table_dropped{t->id});
    t->items.clear();
    for (auto& ix : t->indexes) ix->entries.clear();
    return json{{"TableDescription", std::move(d)}};
}

aws_result dynamo_engine::impl::update_table(const json& r) {
    const std::string name = str(r, "TableName");
    const json* pt = schema::member(r, "ProvisionedThroughput");
    const json* billing = schema::member(r, "BillingMode");
    const json* gsi_updates = schema::member(r, "GlobalSecondaryIndexUpdates");
    const json* ss = schema::member(r, "StreamSpecification");
    const bool anything = pt || billing || ss || (gsi_updates && !gsi_updates->empty()) ||
                          schema::member(r, "SSESpecification") ||
                          schema::member(r, "ReplicaUpdates") || schema::member(r, "TableClass") ||
                          schema::member(r, "DeletionProtectionEnabled");
    if (!anything) {
        return fail(
            aws_error::validation("At least one of ProvisionedThroughput, BillingMode, "
                                  "UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
                                  "SSESpecification or ReplicaUpdates is required"));
    }
    if (billing && billing->get<std::string>() == "PROVISIONED" && !pt) {
        return fail(aws_error::validation(
            invalid + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"));
    }
    if (auto e = throughput_bounds(pt))
        return fail(*e);
    if (gsi_updates) {
        std::set<std::string> seen;
        for (const auto& u : *gsi_updates) {
            const json* which = schema::member(u, "Update");
            if (!which)
                which = schema::member(u, "Create");
            if (!which)
                which = schema::member(u, "Delete");
            if (!which) {
                return fail(aws_error::validation(
                    invalid +
                    "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                    "GlobalSecondaryIndexUpdate.Delete must not be null"));
            }
            const std::string ixname = str(*which, "IndexName");
            if (!seen.insert(ixname).second) {
                return fail(aws_error::validation(invalid +
                                                  "Only one global secondary index update per "
                                                  "index is allowed simultaneously. Index: " +
                                                  ixname));
            }
        }
    }

    auto t = find_table(name);
    if (!t)
        return fail(table_not_found(name));
    std::lock_guard lock(t->mu);
    if (now() < t->updating_until) {
        return fail(aws_error::resource_in_use(
            "Attempt to change a resource which is still in use: Table is being updated: " + name));
    }
    const bool table_ppr = t->billing == billing_mode::pay_per_request;
    const bool target_ppr = billing ? billing->get<std::string>() == "PAY_PER_REQUEST" : table_ppr;
    if (pt && target_ppr) {
        return fail(aws_error::validation(invalid +
                                          "Neither ReadCapacityUnits nor WriteCapacityUnits can "
                                          "be specified when BillingMode is PAY_PER_REQUEST"));
    }
    std::int64_t read = t->read_capacity, write = t->write_capacity;
    if (pt) {
        read = schema::json_int((*pt)["ReadCapacityUnits"]);
        write = schema::json_int((*pt)["WriteCapacityUnits"]);
        if (!table_ppr && read == t->read_capacity && write == t->write_capacity) {
            return fail(aws_error::validation(
                "The provisioned throughput for the table will not change. The requested value "
                "equals the current value. "
                "Current ReadCapacityUnits provisioned for the table: " +
                std::to_string(t->read_capacity) + ". Requested ReadCapacityUnits: " +
                std::to_string(read) + ". Current WriteCapacityUnits provisioned for the table: " +
                std::to_string(t->write_capacity) +
                ". Requested WriteCapacityUnits: " + std::to_string(write) +
                ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to "
                "request higher limits."));
        }
    }
    // Stream changes are checked before anything is applied, so a refused request changes nothing.
    std::optional<bool> stream_change;
    std::optional<stream_view_type> view;
    if (ss) {
        const json* enabled = schema::member(*ss, "StreamEnabled");
        const bool on = enabled && schema::json_bool(*enabled);
        if (on) {
            if (t->stream_enabled) {
                return fail(aws_error::validation(
                    "Table already has an enabled stream: TableName: " + name));
            }
            view = parse_view(str(*ss, "StreamViewType"));
            if (!view)
                return fail(aws_error::validation(
                    invalid + "StreamViewType is required when StreamEnabled is true"));
        } else if (!t->stream_enabled) {
            return fail(
                aws_error::validation("Table has no stream to disable: TableName: " + name));
        }
        stream_change = on;
    }
    // GSI updates, validated against the table before applying any.
    std::vector<attribute_definition> new_defs = t->attribute_definitions;
    if (const json* defs = schema::member(r, "AttributeDefinitions")) {
        for (const auto& d : *defs) {
            const std::string an = str(d, "AttributeName");
            const value_type at = parse_type(str(d, "AttributeType"));
            auto it = std::find_if(new_defs.begin(), new_defs.end(),
                                   [&](const auto& x) { return x.name == an; });
            if (it == new_defs.end()) {
                new_defs.push_back({an, at});
            } else if (it->type != at) {
                return fail(
                    aws_error::validation(invalid + "Cannot change the type of attribute " + an));
            }
        }
    }
    std::vector<std::string> def_names;
    for (const auto& d : new_defs) def_names.push_back(d.name);
    if (gsi_updates) {
        for (const auto& u : *gsi_updates) {
            if (const json* c = schema::member(u, "Create")) {
                if (auto e = check_index_keys(*c, def_names))
                    return fail(*e);
                if (auto e = check_projection(*c))
                    return fail(*e);
                if (t->find_index(str(*c, "IndexName"))) {
                    return fail(aws_error::validation(
                        invalid + "Index already exists: " + str(*c, "IndexName")));
                }
            } else {
                const json* x = schema::member(u, "Update");
                if (!x)
                    x = schema::member(u, "Delete");
                const auto* ix = t->find_index(str(*x, "IndexName"));
                if (!ix || !ix->global) {
                    return fail(aws_error::resource_not_found(
                        "Requested resource not found: Requested global secondary index: " +
                        str(*x, "IndexName") + " not found"));
                }
            }
        }
    }

    // Apply (the definition and the stream change it makes: one durable unit).
    durability_group durable(sink);
    if (billing) {
        if (target_ppr && !table_ppr) {
            t->billing = billing_mode::pay_per_request;
            t->pay_per_request_since = now();
            t->read_capacity = t->write_capacity = 0;
            for (auto& ix : t->indexes) ix->read_capacity = ix->write_capacity = 0;
        } else if (!target_ppr && table_ppr) {
            t->billing = billing_mode::provisioned;
        }
    }
    if (pt) {
        t->read_capacity = read;
        t->write_capacity = write;
    }
    t->attribute_definitions = new_defs;
    if (gsi_updates) {
        for (const auto& u : *gsi_updates) {
            if (const json* c = schema::member(u, "Create")) {
                auto ix = make_index(*c, true, *t, t->billing == billing_mode::pay_per_request);
                ix->active_at = now() + opts.status_transition_delay;
                backfill(*t, *ix);
                t->indexes.push_back(std::move(ix));
            } else if (const json* d = schema::member(u, "Delete")) {
                const std::string ixname = str(*d, "IndexName");
                t->indexes.erase(std::remove_if(t->indexes.begin(), t->indexes.end(),
                                                [&](const auto& ix) { return ix->name == ixname; }),
                                 t->indexes.end());
            } else if (const json* up = schema::member(u, "Update")) {
                for (auto& ix : t->indexes) {
                    if (ix->name != str(*up, "IndexName"))
                        continue;
                    const json& ipt = (*up)["ProvisionedThroughput"];
                    ix->read_capacity = schema::json_int(ipt["ReadCapacityUnits"]);
                    ix->write_capacity = schema::json_int(ipt["WriteCapacityUnits"]);
                }
            }
        }
    }
    if (const json* dp = schema::member(r, "DeletionProtectionEnabled"))
        t->deletion_protection = schema::json_bool(*dp);
    if (const json* tc = schema::member(r, "TableClass"))
        t->table_class = tc->get<std::string>();
    if (stream_change) {
        if (*stream_change) {
            t->stream_enabled = true;
            t->stream_view = *view;
            announce_stream(*t);
        } else {
            t->stream_enabled = false;
            if (table_observer* o = observer.load())
                o->stream_disabled(t->name, now());
        }
    }
    t->updating_until = now() + opts.status_transition_delay;
    t->save_definition(sink);
    return json{{"TableDescription", t->describe(now(), "UPDATING")}};
}

aws_result dynamo_engine::impl::describe_time_to_live(const json& r) {
    const std::string name = str(r, "TableName");
    auto t = find_table(name);
    if (!t)
        return fail(table_not_found(name));
    std::lock_guard lock(t->mu);
    json d = {{"TimeToLiveStatus", t->ttl_enabled ? "ENABLED" : "DISABLED"}};
    if (t->ttl_enabled)
        d["AttributeName"] = t->ttl_attribute;
    return json{{"TimeToLiveDescription", std::move(d)}};
}

aws_result dynamo_engine::impl::update_time_to_live(const json& r) {
    const std::string name = str(r, "TableName");
    const json& spec = r["TimeToLiveSpecification"];
    const json* enabled_json = schema::member(spec, "Enabled");
    if (!enabled_json) {
        return fail(
            aws_error::validation("1 validation error detected: Value null at "
                                  "'timeToLiveSpecification.enabled' failed to satisfy "
                                  "constraint: Member must not be null"));
    }
    const bool enabled = schema::json_bool(*enabled_json);
    const std::string attribute = str(spec, "AttributeName");
    auto t = find_table(name);
    if (!t)
        return fail(table_not_found(name));
    std::lock_guard lock(t->mu);
    if (enabled && t->ttl_enabled)
        return fail(aws_error::validation("TimeToLive is already enabled"));
    if (!enabled && !t->ttl_enabled)
        return fail(aws_error::validation("TimeToLive is already disabled"));
    t->ttl_enabled = enabled;
    t->ttl_attribute = enabled ? attribute : std::string();
    t->save_definition(sink);
    return json{{"TimeToLiveSpecification", {{"Enabled", enabled}, {"AttributeName", attribute}}}};
}

}  // namespace esser::emulator

// TransactWriteItems and TransactGetItems (spec/dynamodb-api.md §3.7).
//
// The validation split AWS makes (alternator test_transact.py, run against AWS):
//  - request-level: JSON types, constraints, "TransactItems can only contain one of ...",
//    AttributeValues, expressions and placeholders, the payload size -> one ValidationException
//    (or SerializationException) for the whole request;
//  - item-level: key schema (wrong/missing key attributes, empty or oversized keys), item size,
//    runtime update errors -> TransactionCanceledException whose first bad action carries a
//    ValidationError reason and every other action "None"; nothing else is evaluated.
// Then: same item twice -> ValidationException; every condition is evaluated (no short cut) and
// any failure cancels with ConditionalCheckFailed reasons in request order; otherwise all writes
// commit while every involved table is locked (tables locked in name order: no deadlock).
// ClientRequestToken: a repeat of a successful transaction with the same token within 10 minutes
// (clock time) succeeds without effect; with different parameters it is an
// IdempotentParameterMismatchException.
#include <algorithm>
#include <map>
#include <set>

#include "engine_impl.hpp"
#include "item_codec.hpp"
#include "request_schema.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator {

namespace {

constexpr std::size_t max_payload = 4 * 1024 * 1024;
constexpr auto token_lifetime = std::chrono::minutes(10);

std::string str(const json& j, std::string_view name) {
    const json* m = schema::member(j, name);
    return m && m->is_string() ? m->get<std::string>() : std::string();
}

enum class action_kind { condition_check, put, del, update };

struct action {
    action_kind kind = action_kind::put;
    const json* spec = nullptr;
    std::string table_name;
    std::optional<request_expressions> ex;
    attribute_map item;  // put
    attribute_map key;   // others
    std::shared_ptr<table> t;
    item_key k;
};

// Locks a set of tables in name order for the lifetime of the object.
class table_locks {
public:
    explicit table_locks(std::vector<std::shared_ptr<table>> tables) {
        std::sort(tables.begin(), tables.end(),
                  [](const auto& a, const auto& b) { return a->name < b->name; });
        tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
        for (auto& t : tables) locks_.emplace_back(t->mu);
        tables_ = std::move(tables);
    }

    bool any_deleted() const {
        return std::any_of(tables_.begin(), tables_.end(),
                           [](const auto& t) { return t->deleted; });
    }

private:
    std::vector<std::shared_ptr<table>> tables_;
    std::vector<std::unique_lock<std::mutex>> locks_;
};

json reason_none() {
    return json{{"Code", "None"}};
}

aws_error cancel_with_validation(std::size_t n, std::size_t bad, const std::string& message) {
    json reasons = json::array();
    for (std::size_t i = 0; i < n; ++i) {
        reasons.push_back(i == bad ? json{{"Code", "ValidationError"}, {"Message", message}}
                                   : reason_none());
    }
    return aws_error::transaction_canceled(std::move(reasons));
}

// Index units a table's writes cost, per index, summed (write_capacity lists them).
using index_units_by_table =
    std::map<std::string, std::map<const secondary_index*, double>, std::less<>>;

json capacity_array(const json& r, const std::vector<std::pair<std::string, double>>& per_table,
                    const index_units_by_table& per_index = {}) {
    if (!wants_capacity(r))
        return nullptr;
    const bool indexes = r["ReturnConsumedCapacity"].get_ref<const std::string&>() == "INDEXES";
    std::map<std::string, double> units;
    for (const auto& [name, u] : per_table) units[name] += u;
    json out = json::array();
    for (const auto& [name, u] : units) {
        double total = u;
        json c = {{"TableName", name}};
        if (indexes)
            c["Table"] = {{"CapacityUnits", u}};
        if (auto it = per_index.find(name); it != per_index.end()) {
            for (const auto& [ix, iu] : it->second) {
                total += iu;
                if (indexes) {
                    c[ix->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"][ix->name] = {
                        {"CapacityUnits", iu}};
                }
            }
        }
        c["CapacityUnits"] = total;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

aws_result dynamo_engine::impl::transact_write_items(const json& r) {
    const json& items = r["TransactItems"];
    std::vector<action> actions;
    actions.reserve(items.size());
    std::size_t payload = 0;
    // Request-level validation.
    for (const auto& entry : items) {
        int kinds = 0;
        action a;
        for (const auto& [name, kind] :
             {std::pair{"ConditionCheck", action_kind::condition_check},
              std::pair{"Put", action_kind::put}, std::pair{"Delete", action_kind::del},
              std::pair{"Update", action_kind::update}}) {
            if (const json* x = schema::member(entry, name)) {
                ++kinds;
                a.kind = kind;
                a.spec = x;
            }
        }
        if (kinds != 1) {
            return fail(aws_error::validation(
                "TransactItems can only contain one of Check, Put, Update or Delete"));
        }
        const json& spec = *a.spec;
        a.table_name = str(spec, "TableName");
        if (a.kind == action_kind::put) {
            auto item = read_map_member(spec, "Item");
            if (!item)
                return fail(item.error());
            a.item = std::move(*item);
            payload += item_size(a.item);
        } else {
            auto key = read_map_member(spec, "Key");
            if (!key)
                return fail(key.error());
            a.key = std::move(*key);
            payload += item_size(a.key);
        }
        const request_kind kind = a.kind == action_kind::condition_check
                                      ? request_kind::transact_condition_check
                                  : a.kind == action_kind::put ? request_kind::transact_put
                                  : a.kind == action_kind::del ? request_kind::transact_delete
                                                               : request_kind::transact_update;
        auto ex = request_expressions::compile(spec, kind);
        if (!ex)
            return fail(ex.error());
        a.ex = std::move(*ex);
        for (const char* f : {"ConditionExpression", "UpdateExpression"}) {
            if (const json* e = schema::member(spec, f))
                payload += e->get_ref<const std::string&>().size();
        }
        actions.push_back(std::move(a));
    }
    if (payload > max_payload) {
        return fail(
            aws_error::validation("Transaction request payload size cannot exceed 4 MB (total "
                                  "transaction payload size cannot exceed 4194304 bytes)"));
    }

    // Idempotency: a repeat within the window does nothing more.
    const std::string token = str(r, "ClientRequestToken");
    std::string canonical;
    if (!token.empty()) {
        json c = r;
        c.erase("ClientRequestToken");
        c.erase("ReturnConsumedCapacity");
        canonical = c.dump();
        std::lock_guard lock(tokens_mu);
        const auto t_now = now();
        for (auto it = tokens.begin(); it != tokens.end();) {
            it = it->second.expires <= t_now ? tokens.erase(it) : std::next(it);
        }
        if (auto it = tokens.find(token); it != tokens.end()) {
            if (it->second.request != canonical) {
                return fail(aws_error::idempotent_parameter_mismatch(
                    "DynamoDB rejected the request because you retried a request with a different "
                    "payload but with an "
                    "idempotent token that was already used."));
            }
            return json::object();
        }
    }

    // Tables, then item-level validation (first bad action only).
    for (auto& a : actions) {
        auto t = item_table(a.table_name);
        if (!t)
            return fail(t.error());
        a.t = *t;
    }
    for (std::size_t i = 0; i < actions.size(); ++i) {
        action& a = actions[i];
        std::optional<std::string> m;
        if (a.kind == action_kind::put) {
            m = a.t->check_item(a.item);
            if (!m && item_size(a.item) > opts.max_item_size)
                m = "Item size has exceeded the maximum allowed size";
        } else {
            m = a.t->check_key(a.key);
        }
        if (m)
            return fail(cancel_with_validation(actions.size(), i, *m));
        const auto indexes = a.t->index_keys();
        if (a.kind == action_kind::update && a.ex->has_update()) {
            if (auto e = a.ex->check_update_keys(a.t->keys, indexes))
                return fail(*e);
        }
        if (auto e = a.ex->check_nested_key_paths(a.t->keys, indexes))
            return fail(*e);
        a.k = a.t->key_of(a.kind == action_kind::put ? a.item : a.key);
    }
    {
        std::set<std::tuple<std::string, std::string, std::string>> seen;
        for (const auto& a : actions) {
            if (!seen.insert({a.table_name, a.k.partition, a.k.sort}).second) {
                return fail(aws_error::validation(
                    "Transaction request cannot include multiple operations on one item"));
            }
        }
    }

    std::vector<std::shared_ptr<table>> involved;
    for (const auto& a : actions) involved.push_back(a.t);
    table_locks locks(involved);
    if (locks.any_deleted())
        return fail(aws_error::resource_not_found());

    // Evaluate every action against the current state; nothing is written yet.
    struct outcome {
        const char* old = nullptr;
        std::optional<attribute_map> old_item;
        std::optional<attribute_map> new_item;  // put/update result
    };

    std::vector<outcome> outcomes(actions.size());
    json reasons = json::array();
    bool cancelled = false;
    std::optional<std::size_t> invalid_at;
    std::string invalid_message;
    static const attribute_map empty;
    for (std::size_t i = 0; i < actions.size(); ++i) {
        action& a = actions[i];
        outcome& o = outcomes[i];
        o.old = a.t->find(a.k);
        if (o.old)
            o.old_item = item_codec::decode(stored_item::item_of(o.old));
        json reason = reason_none();
        if (a.ex->has_condition() && !a.ex->condition_holds(o.old_item ? *o.old_item : empty)) {
            reason = {{"Code", "ConditionalCheckFailed"},
                      {"Message", "The conditional request failed"}};
            if (str(*a.spec, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD" && o.old_item) {
                reason["Item"] = to_json(*o.old_item);
            }
            cancelled = true;
        } else if (a.kind == action_kind::update) {
            auto updated =
                a.ex->apply_update(o.old_item ? &*o.old_item : nullptr, a.key, a.t->index_keys());
            if (!updated) {
                if (!invalid_at) {
                    invalid_at = i;
                    invalid_message = updated.error().message;
                }
            } else if (item_size(*updated) > opts.max_item_size) {
                if (!invalid_at) {
                    invalid_at = i;
                    invalid_message = "Item size to update has exceeded the maximum allowed size";
                }
            } else {
                o.new_item = std::move(*updated);
            }
        } else if (a.kind == action_kind::put) {
            o.new_item = a.item;
        }
        reasons.push_back(std::move(reason));
    }
    if (invalid_at)
        return fail(cancel_with_validation(actions.size(), *invalid_at, invalid_message));
    if (cancelled)
        return fail(aws_error::transaction_canceled(std::move(reasons)));

    std::vector<std::pair<std::string, double>> units;
    index_units_by_table index_units;
    const bool want_capacity = wants_capacity(r);
    const auto at = now();
    // Every write of the transaction and their stream records: one durable unit.
    durability_group durable(sink);
    for (std::size_t i = 0; i < actions.size(); ++i) {
        action& a = actions[i];
        outcome& o = outcomes[i];
        const std::size_t old_size = o.old_item ? item_size(*o.old_item) : 0;
        const std::size_t new_size = o.new_item ? item_size(*o.new_item) : 0;
        units.emplace_back(a.table_name, 2 * write_units(std::max(old_size, new_size)));
        if (a.kind == action_kind::condition_check)
            continue;
        // Transactional writes cost twice, on the indexes as on the table.
        if (want_capacity) {
            for (const auto& [ix, u] :
                 a.t->index_write_units(o.old_item ? &*o.old_item : nullptr,
                                        a.kind == action_kind::del ? nullptr : &*o.new_item)) {
                index_units[a.table_name][ix] += 2 * u;
            }
        }
        // Blocks move when written: re-find (an earlier action of this transaction never
        // touches the same item, but the pointer is cheap to refresh).
        const char* old = a.t->find(a.k);
        a.t->commit(a.k, old, o.old_item ? &*o.old_item : nullptr,
                    a.kind == action_kind::del ? nullptr : &*o.new_item,
                    {observer.load(), at, false, sink});
    }
    if (!token.empty()) {
        std::lock_guard lock(tokens_mu);
        tokens[token] = token_entry{canonical, now() + token_lifetime};
    }
    json out = json::object();
    if (json c = capacity_array(r, units, index_units); !c.is_null())
        out["ConsumedCapacity"] = std::move(c);
    return out;
}

aws_result dynamo_engine::impl::transact_get_items(const json& r, deferred_items* deferred) {
    struct get {
        std::string table_name;
        attribute_map key;
        std::optional<request_expressions> ex;
        std::shared_ptr<table> t;
        item_key k;
    };

    std::vector<get> gets;
    for (const auto& entry : r["TransactItems"]) {
        const json& spec = entry["Get"];
        get g;
        g.table_name = str(spec, "TableName");
        auto key = read_map_member(spec, "Key");
        if (!key)
            return fail(key.error());
        g.key = std::move(*key);
        auto ex = request_expressions::compile(spec, request_kind::transact_get);
        if (!ex)
            return fail(ex.error());
        g.ex = std::move(*ex);
        gets.push_back(std::move(g));
    }
    for (auto& g : gets) {
        auto t = item_table(g.table_name);
        if (!t)
            return fail(t.error());
        g.t = *t;
    }
    for (std::size_t i = 0; i < gets.size(); ++i) {
        get& g = gets[i];
        if (auto m = g.t->check_key(g.key))
            return fail(cancel_with_validation(gets.size(), i, *m));
        if (auto e = g.ex->check_nested_key_paths(g.t->keys, g.t->index_keys()))
            return fail(*e);
        g.k = g.t->key_of(g.key);
    }
    {
        std::set<std::tuple<std::string, std::string, std::string>> seen;
        for (const auto& g : gets) {
            if (!seen.insert({g.table_name, g.k.partition, g.k.sort}).second) {
                return fail(aws_error::validation(
                    "Transaction request cannot include multiple operations on one item"));
            }
        }
    }
    std::vector<std::shared_ptr<table>> involved;
    for (const auto& g : gets) involved.push_back(g.t);
    table_locks locks(involved);
    if (locks.any_deleted())
        return fail(aws_error::resource_not_found());
    json responses = json::array();
    std::vector<std::pair<std::string, double>> units;
    for (const auto& g : gets) {
        json one = json::object();
        std::size_t size = 0;
        if (const char* block = g.t->find(g.k)) {
            const std::string_view bytes = stored_item::item_of(block);
            size = stored_item::size_of(block);
            one["Item"] = g.ex->has_projection() ? to_json(g.ex->project(item_codec::decode_some(
                                                       bytes, g.ex->projection_top_level())))
                                                 : response_item(bytes, deferred);
        }
        units.emplace_back(g.table_name, 2 * read_units(size, true));
        responses.push_back(std::move(one));
    }
    json out = {{"Responses", std::move(responses)}};
    if (json c = capacity_array(r, units); !c.is_null())
        out["ConsumedCapacity"] = std::move(c);
    return out;
}

}  // namespace esser::emulator

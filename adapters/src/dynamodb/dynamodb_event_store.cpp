#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "esser/core/event_item.hpp"

namespace esser::adapters {

using nlohmann::json;

namespace {

constexpr std::size_t max_transaction_items = 100;

json number(std::uint64_t v) {
    return {{"N", std::to_string(v)}};
}

core::error conflict_or_core(const aws_error& e, const core::stream_id& s) {
    core::error out = to_core_error(e);
    if (out.code == core::errc::version_conflict) {
        out.message =
            "stream " + s.key() + " already has one of the appended versions (" + e.type + ")";
    }
    return out;
}

// The contract's batch rules (core/event_store.hpp): checked before any request.
std::optional<core::error> check_batch(const core::stream_id& s,
                                       const std::vector<core::event>& events) {
    if (events.empty())
        return core::error::invalid_argument("append of an empty batch");
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (e.entity != s.entity || e.id != s.id) {
            return core::error::invalid_argument("event " + std::to_string(i) +
                                                 " belongs to stream " + e.stream().key() +
                                                 ", not " + s.key());
        }
        if (e.version == 0)
            return core::error::invalid_argument("event " + std::to_string(i) + " has version 0");
        if (i > 0 && e.version != events[i - 1].version + 1) {
            return core::error::invalid_argument(
                "versions are not consecutive at event " + std::to_string(i) + " (" +
                std::to_string(events[i - 1].version) + " then " + std::to_string(e.version) + ")");
        }
    }
    if (events.size() > max_transaction_items) {
        return core::error::invalid_argument(
            "at most " + std::to_string(max_transaction_items) +
            " events per append (the TransactWriteItems limit), got " +
            std::to_string(events.size()));
    }
    return std::nullopt;
}

}  // namespace

dynamodb_event_store::dynamodb_event_store(std::shared_ptr<dynamodb_transport> transport)
    : dynamodb_event_store(std::move(transport), options{}) {}

dynamodb_event_store::dynamodb_event_store(std::shared_ptr<dynamodb_transport> transport,
                                           options opts)
    : db_(std::move(transport)), opts_(std::move(opts)) {}

core::result<std::uint64_t> dynamodb_event_store::append(const core::stream_id& s,
                                                         std::vector<core::event> events) {
    if (auto e = check_batch(s, events))
        return core::fail(std::move(*e));
    std::vector<json> items;
    items.reserve(events.size());
    for (const auto& e : events) {
        auto item = core::event_to_item(e);
        if (!item)
            return core::fail(std::move(item).error());
        items.push_back(std::move(*item));
    }
    const std::string condition = "attribute_not_exists(pk)";
    if (items.size() == 1) {
        auto r = db_.put_item({.table = opts_.events_table,
                               .item = std::move(items.front()),
                               .condition = condition});
        if (!r)
            return core::fail(conflict_or_core(r.error(), s));
        return events.back().version;
    }
    std::vector<transact_write_action> actions;
    actions.reserve(items.size());
    for (auto& item : items) {
        transact_write_action a;
        a.table = opts_.events_table;
        a.item = std::move(item);
        a.condition = condition;
        actions.push_back(std::move(a));
    }
    auto r = db_.transact_write(actions);
    if (!r)
        return core::fail(conflict_or_core(r.error(), s));
    return events.back().version;
}

core::result<std::vector<core::event>> dynamodb_event_store::read(const core::stream_id& s,
                                                                  std::uint64_t after,
                                                                  std::uint64_t up_to) {
    std::vector<core::event> out;
    if (after >= up_to)
        return out;
    query_request q;
    q.table = opts_.events_table;
    q.key_condition = "pk = :pk AND v BETWEEN :lo AND :hi";
    q.placeholders.values = {
        {":pk", {{"S", s.key()}}}, {":lo", number(after + 1)}, {":hi", number(up_to)}};
    auto items = db_.query_all(q);
    if (!items)
        return core::fail(to_core_error(items.error()));
    out.reserve(items->size());
    for (const auto& item : *items) {
        auto e = core::event_from_item(item);
        if (!e)
            return core::fail(std::move(e).error());
        out.push_back(std::move(*e));
    }
    return out;
}

core::result<std::uint64_t> dynamodb_event_store::last_version(const core::stream_id& s) {
    query_request q;
    q.table = opts_.events_table;
    q.key_condition = "pk = :pk";
    q.placeholders.values = {{":pk", {{"S", s.key()}}}};
    q.forward = false;
    q.limit = 1;
    auto page = db_.query(q);
    if (!page)
        return core::fail(to_core_error(page.error()));
    if (page->items.empty())
        return std::uint64_t{0};
    auto e = core::event_from_item(page->items.front());
    if (!e)
        return core::fail(std::move(e).error());
    return e->version;
}

core::result<std::optional<core::snapshot>> dynamodb_event_store::load_snapshot(
    const core::stream_id& s, std::uint64_t at_or_below) {
    auto item = db_.get_item({.table = opts_.snapshots_table, .key = core::snapshot_item_key(s)});
    if (!item)
        return core::fail(to_core_error(item.error()));
    if (!*item)
        return std::optional<core::snapshot>();
    auto snap = core::snapshot_from_item(**item);
    if (!snap)
        return core::fail(std::move(snap).error());
    if (snap->version > at_or_below)
        return std::optional<core::snapshot>();
    return std::optional<core::snapshot>(std::move(*snap));
}

core::result<void> dynamodb_event_store::save_snapshot(const core::snapshot& snap) {
    auto item = core::snapshot_to_item(snap);
    if (!item)
        return core::fail(std::move(item).error());
    put_item_request p;
    p.table = opts_.snapshots_table;
    p.item = std::move(*item);
    p.condition = "attribute_not_exists(pk) OR v < :v";
    p.placeholders.values = {{":v", number(snap.version)}};
    auto r = db_.put_item(p);
    if (!r && r.error().type != "ConditionalCheckFailedException")
        return core::fail(to_core_error(r.error()));
    return {};  // an older (or equal) snapshot than the stored one is ignored, per the contract
}

json dynamodb_event_store::events_table_definition(const std::string& name) {
    return {{"TableName", name},
            {"AttributeDefinitions",
             {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
              {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
            {"KeySchema",
             {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
              {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
            {"BillingMode", "PAY_PER_REQUEST"},
            {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}}}};
}

json dynamodb_event_store::snapshots_table_definition(const std::string& name) {
    return {{"TableName", name},
            {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
            {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
            {"BillingMode", "PAY_PER_REQUEST"}};
}

core::result<void> dynamodb_event_store::ensure_tables() {
    // Whether CreateTable already answered the table ACTIVE (the in-process engine does): then
    // there is nothing to wait for and no DescribeTable to send.
    bool active[2] = {false, false};
    int i = 0;
    for (const json& def : {events_table_definition(opts_.events_table),
                            snapshots_table_definition(opts_.snapshots_table)}) {
        auto r = db_.create_table(def, true);
        if (!r)
            return core::fail(to_core_error(r.error()));
        active[i++] = r->is_object() && r->value("TableStatus", "") == "ACTIVE";
    }
    // A new table is CREATING until DynamoDB (and dynalite) makes it ACTIVE; writes before then
    // fail with ResourceNotFoundException. Wait, bounded (about 100 s; real DynamoDB needs
    // seconds).
    i = 0;
    for (const std::string* name : {&opts_.events_table, &opts_.snapshots_table}) {
        if (active[i++])
            continue;
        auto pause = std::chrono::milliseconds(5);
        for (int attempt = 0;; ++attempt) {
            auto d = db_.call("DescribeTable", json{{"TableName", *name}});
            if (!d)
                return core::fail(to_core_error(d.error()));
            if ((*d).value("Table", json::object()).value("TableStatus", "") == "ACTIVE")
                break;
            if (attempt == 200) {
                return core::fail(core::error::timeout("table " + *name +
                                                       " did not become ACTIVE within a minute"));
            }
            std::this_thread::sleep_for(pause);
            pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::milliseconds(500));
        }
    }
    return {};
}

}  // namespace esser::adapters

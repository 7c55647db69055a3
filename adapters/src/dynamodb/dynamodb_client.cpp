#include "esser/adapters/dynamodb/dynamodb_client.hpp"

namespace esser::adapters {

using nlohmann::json;

namespace {

core::unexpected<aws_error> fail(aws_error e) {
    return core::unexpected<aws_error>(std::move(e));
}

void add_placeholders(json& body, const expression_placeholders& p) {
    if (p.names.is_object() && !p.names.empty())
        body["ExpressionAttributeNames"] = p.names;
    if (p.values.is_object() && !p.values.empty())
        body["ExpressionAttributeValues"] = p.values;
}

}  // namespace

dynamodb_client::dynamodb_client(std::shared_ptr<dynamodb_transport> transport)
    : transport_(std::move(transport)) {}

aws_result dynamodb_client::call(std::string_view operation, const json& request) const {
    return transport_->call(operation, request);
}

json dynamodb_client::put_item_body(const put_item_request& r) {
    json body = {{"TableName", r.table}, {"Item", r.item}};
    if (r.condition)
        body["ConditionExpression"] = *r.condition;
    add_placeholders(body, r.placeholders);
    if (r.return_old_item)
        body["ReturnValues"] = "ALL_OLD";
    if (r.old_item_on_condition_failure)
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
    return body;
}

aws_expected<std::optional<json>> dynamodb_client::put_item(const put_item_request& r) const {
    auto res = call("PutItem", put_item_body(r));
    if (!res)
        return fail(std::move(res).error());
    if (auto it = res->find("Attributes"); it != res->end())
        return std::optional<json>(*it);
    return std::optional<json>();
}

aws_expected<std::optional<json>> dynamodb_client::get_item(const get_item_request& r) const {
    json body = {{"TableName", r.table}, {"Key", r.key}, {"ConsistentRead", r.consistent}};
    if (r.projection)
        body["ProjectionExpression"] = *r.projection;
    if (r.projection_names.is_object() && !r.projection_names.empty()) {
        body["ExpressionAttributeNames"] = r.projection_names;
    }
    auto res = call("GetItem", body);
    if (!res)
        return fail(std::move(res).error());
    if (auto it = res->find("Item"); it != res->end())
        return std::optional<json>(*it);
    return std::optional<json>();
}

aws_expected<void> dynamodb_client::delete_item(const delete_item_request& r) const {
    json body = {{"TableName", r.table}, {"Key", r.key}};
    if (r.condition)
        body["ConditionExpression"] = *r.condition;
    add_placeholders(body, r.placeholders);
    auto res = call("DeleteItem", body);
    if (!res)
        return fail(std::move(res).error());
    return {};
}

json dynamodb_client::query_body(const query_request& r) {
    json body = {{"TableName", r.table},
                 {"KeyConditionExpression", r.key_condition},
                 {"ScanIndexForward", r.forward},
                 {"ConsistentRead", r.consistent}};
    if (r.index)
        body["IndexName"] = *r.index;
    if (r.filter)
        body["FilterExpression"] = *r.filter;
    if (r.projection)
        body["ProjectionExpression"] = *r.projection;
    add_placeholders(body, r.placeholders);
    if (r.limit)
        body["Limit"] = *r.limit;
    if (r.exclusive_start_key)
        body["ExclusiveStartKey"] = *r.exclusive_start_key;
    return body;
}

aws_expected<query_page> dynamodb_client::query(const query_request& r) const {
    auto res = call("Query", query_body(r));
    if (!res)
        return fail(std::move(res).error());
    query_page page;
    if (auto it = res->find("Items"); it != res->end() && it->is_array()) {
        page.items.reserve(it->size());
        for (auto& i : *it) page.items.push_back(std::move(i));
    }
    if (auto it = res->find("LastEvaluatedKey"); it != res->end())
        page.last_evaluated_key = std::move(*it);
    page.scanned_count = res->value("ScannedCount", std::int64_t{0});
    return page;
}

aws_expected<std::vector<json>> dynamodb_client::query_all(query_request r,
                                                           std::size_t max_pages) const {
    std::vector<json> all;
    for (std::size_t pages = 0; pages < max_pages; ++pages) {
        auto page = query(r);
        if (!page)
            return fail(std::move(page).error());
        for (auto& i : page->items) all.push_back(std::move(i));
        if (!page->last_evaluated_key)
            return all;
        r.exclusive_start_key = std::move(page->last_evaluated_key);
    }
    return fail(
        aws_error::internal("Query did not finish within " + std::to_string(max_pages) + " pages"));
}

json dynamodb_client::transact_write_body(const std::vector<transact_write_action>& actions,
                                          const std::optional<std::string>& token) {
    json items = json::array();
    for (const auto& a : actions) {
        json spec = {{"TableName", a.table}};
        const char* name = "Put";
        switch (a.what) {
            case transact_write_action::kind::put:
                spec["Item"] = a.item;
                break;
            case transact_write_action::kind::update:
                name = "Update";
                spec["Key"] = a.key;
                if (a.update)
                    spec["UpdateExpression"] = *a.update;
                break;
            case transact_write_action::kind::del:
                name = "Delete";
                spec["Key"] = a.key;
                break;
            case transact_write_action::kind::condition_check:
                name = "ConditionCheck";
                spec["Key"] = a.key;
                break;
        }
        if (a.condition)
            spec["ConditionExpression"] = *a.condition;
        add_placeholders(spec, a.placeholders);
        if (a.old_item_on_condition_failure)
            spec["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
        items.push_back({{name, std::move(spec)}});
    }
    json body = {{"TransactItems", std::move(items)}};
    if (token)
        body["ClientRequestToken"] = *token;
    return body;
}

aws_expected<void> dynamodb_client::transact_write(
    const std::vector<transact_write_action>& actions,
    std::optional<std::string> client_request_token) const {
    auto res = call("TransactWriteItems", transact_write_body(actions, client_request_token));
    if (!res)
        return fail(std::move(res).error());
    return {};
}

aws_expected<json> dynamodb_client::create_table(const json& request, bool exists_ok) const {
    auto res = call("CreateTable", request);
    if (!res) {
        if (exists_ok && res.error().type == "ResourceInUseException")
            return json(nullptr);
        return fail(std::move(res).error());
    }
    return res->value("TableDescription", json(nullptr));
}

}  // namespace esser::adapters

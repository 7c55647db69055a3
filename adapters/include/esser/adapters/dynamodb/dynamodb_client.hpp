#pragma once
// A small DynamoDB client over any dynamodb_transport: typed helpers for the operations the
// event store (and esser's own tooling) uses, building the exact wire requests of the DynamoDB
// API (spec/dynamodb-api.md §3) and reading the responses back.
//
//   dynamodb_client db(transport);                 // emulator::in_process_transport or HTTPS
//   auto put = db.put_item({.table = "events", .item = item,
//                           .condition = "attribute_not_exists(pk)"});
//   if (!put && put.error().type == "ConditionalCheckFailedException") ...
//
// Items, keys and ExpressionAttributeValues are AttributeValue JSON ({"pk":{"S":"a"}}); see
// core/attribute_json.hpp for plain JSON <-> AttributeValue. Errors are the service's AWS
// errors, unchanged (aws_error: type, message, extra such as CancellationReasons); map them
// with to_core_error() at the boundary that needs core errors.
//
// Thread-safe: the client holds no mutable state; the transport is thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/adapters/dynamodb/transport.hpp"
#include "esser/core/expected.hpp"

namespace esser::adapters {

template <class T>
using aws_expected = core::expected<T, aws_error>;

// Placeholders shared by the request types: {"#n": "name"} and {":v": {"S": "x"}}. Empty
// objects are left out of the request (DynamoDB refuses empty maps).
struct expression_placeholders {
    nlohmann::json names = nlohmann::json::object();
    nlohmann::json values = nlohmann::json::object();
};

struct put_item_request {
    std::string table;
    nlohmann::json item;
    std::optional<std::string> condition;  // ConditionExpression
    expression_placeholders placeholders;
    bool return_old_item = false;                // ReturnValues ALL_OLD
    bool old_item_on_condition_failure = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};

struct get_item_request {
    std::string table;
    nlohmann::json key;
    bool consistent = true;
    std::optional<std::string> projection;
    nlohmann::json projection_names = nlohmann::json::object();
};

struct delete_item_request {
    std::string table;
    nlohmann::json key;
    std::optional<std::string> condition;
    expression_placeholders placeholders;
};

struct query_request {
    std::string table;
    std::optional<std::string> index;
    std::string key_condition;  // KeyConditionExpression
    std::optional<std::string> filter;
    std::optional<std::string> projection;
    expression_placeholders placeholders;
    std::optional<std::int64_t> limit;
    bool forward = true;     // ScanIndexForward
    bool consistent = true;  // ConsistentRead (must be false on a GSI)
    std::optional<nlohmann::json> exclusive_start_key;
};

struct query_page {
    std::vector<nlohmann::json> items;
    std::optional<nlohmann::json> last_evaluated_key;
    std::int64_t scanned_count = 0;
};

// One TransactWriteItems action.
struct transact_write_action {
    enum class kind { put, update, del, condition_check };
    kind what = kind::put;
    std::string table;
    nlohmann::json item;                   // put
    nlohmann::json key;                    // update, delete, condition_check
    std::optional<std::string> update;     // UpdateExpression
    std::optional<std::string> condition;  // required for condition_check
    expression_placeholders placeholders;
    bool old_item_on_condition_failure = false;
};

class dynamodb_client {
public:
    explicit dynamodb_client(std::shared_ptr<dynamodb_transport> transport);

    // Any operation, as is.
    aws_result call(std::string_view operation, const nlohmann::json& request) const;

    // The old item when asked for and present.
    aws_expected<std::optional<nlohmann::json>> put_item(const put_item_request& r) const;
    aws_expected<std::optional<nlohmann::json>> get_item(const get_item_request& r) const;
    aws_expected<void> delete_item(const delete_item_request& r) const;
    // One page; follow last_evaluated_key (or use query_all).
    aws_expected<query_page> query(const query_request& r) const;
    // Every page, concatenated (bounded by `max_pages` as a guard against a faulty server).
    aws_expected<std::vector<nlohmann::json>> query_all(query_request r,
                                                        std::size_t max_pages = 100000) const;
    // All or nothing; TransactionCanceledException carries CancellationReasons in `extra`.
    aws_expected<void> transact_write(const std::vector<transact_write_action>& actions,
                                      std::optional<std::string> client_request_token = {}) const;

    // CreateTable; an existing table (ResourceInUseException) counts as success when
    // `exists_ok`. Returns the TableDescription (or null when it already existed).
    aws_expected<nlohmann::json> create_table(const nlohmann::json& request,
                                              bool exists_ok = true) const;

    // The request bodies the helpers send (exposed for tests and for callers batching them).
    static nlohmann::json put_item_body(const put_item_request& r);
    static nlohmann::json query_body(const query_request& r);
    static nlohmann::json transact_write_body(const std::vector<transact_write_action>& actions,
                                              const std::optional<std::string>& token);

private:
    std::shared_ptr<dynamodb_transport> transport_;
};

}  // namespace esser::adapters

#pragma once
// The pre-2014 request parameters (spec/dynamodb-api.md §4.7; issue 12): Expected with
// ConditionalOperator (PutItem, DeleteItem, UpdateItem), AttributeUpdates (UpdateItem),
// KeyConditions and QueryFilter (Query), ScanFilter (Scan). Older SDKs, the Java
// DynamoDBMapper and ORMs such as PynamoDB still send them.
//
// How: they are checked with AWS's messages (dynalite validations/index.js, whose texts were
// recorded against DynamoDB; the ConditionalOperator rules from AWS's DAX client
// RequestValidator) and then rewritten into the equivalent expressions over generated
// placeholders (#legacyN, :legacyN), so the engine evaluates one language with one set of
// semantics. The legacy comparison operators map one to one: EQ =, NE <>, LE <=, LT <, GE >=,
// GT >, NULL attribute_not_exists, NOT_NULL attribute_exists, CONTAINS contains, NOT_CONTAINS
// NOT contains, BEGINS_WITH begins_with, IN IN, BETWEEN BETWEEN; AND/OR per ConditionalOperator
// (AND by default). AttributeUpdates: PUT -> SET, DELETE without value -> REMOVE, DELETE with a
// set -> DELETE, ADD of a number or set -> ADD, ADD of a list -> SET list_append (appends, as
// AWS does).
//
// KeyConditions are not rewritten: after the table lookup the Query resolves them straight into
// its key predicate (legacy_key_predicate), with the legacy key-condition messages.
// AttributesToGet is not rewritten: the operations apply it themselves (engine_common.cpp).
// Mixing legacy and expression parameters is refused earlier, by check_expression_params().

#include <optional>

#include "request_expressions.hpp"
#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/expected.hpp"
#include "esser/emulator/dynamo/key_predicate.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"

namespace esser::emulator {

// nullopt when `request` has no legacy parameter to rewrite for `kind`; otherwise a copy in
// which Expected/ConditionalOperator/AttributeUpdates/KeyConditions/QueryFilter/ScanFilter are
// replaced by ConditionExpression/UpdateExpression/FilterExpression with their
// ExpressionAttributeNames/Values (AttributesToGet removed; KeyConditions kept: see
// legacy_key_predicate). Errors are AWS's
// ValidationExceptions for malformed legacy parameters. Runs before the table lookup.
core::expected<std::optional<nlohmann::json>, adapters::aws_error> rewrite_legacy_parameters(
    const nlohmann::json& request, request_kind kind);

// Rewrites (when needed) and compiles: what the operations call instead of
// request_expressions::compile.
core::expected<request_expressions, adapters::aws_error> compile_with_legacy(
    const nlohmann::json& request, request_kind kind);

// Whether a Query uses KeyConditions (and no KeyConditionExpression).
bool has_legacy_key_conditions(const nlohmann::json& request);

// Query with KeyConditions, after the table (or index) lookup: AWS's key checks in AWS's order
// ("Query condition missed key schema element: <k>", "Query key condition not supported",
// "Attempted conditional constraint is not an indexable operation", "... Condition parameter
// type does not match schema type"), then the resolved predicate. Precondition:
// has_legacy_key_conditions(request) and rewrite_legacy_parameters() accepted the request.
core::expected<key_predicate, adapters::aws_error> legacy_key_predicate(
    const nlohmann::json& request, const key_schema& keys);

// Query with QueryFilter: it may not name a key attribute of the queried key schema.
std::optional<adapters::aws_error> check_legacy_query_filter_keys(const nlohmann::json& request,
                                                                  const key_schema& keys);

// UpdateItem with AttributeUpdates: the rewritten update's operand-type failures carry the
// legacy API's message ("Type mismatch for attribute to update"); other errors pass through.
adapters::aws_error legacy_update_error(const nlohmann::json& request, adapters::aws_error e);

}  // namespace esser::emulator

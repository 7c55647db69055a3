#pragma once
// DynamoDB's expression language, as a library the engine calls (spec/dynamodb-api.md §4, §5):
// ConditionExpression, UpdateExpression, KeyConditionExpression, FilterExpression and
// ProjectionExpression, with their ExpressionAttributeNames / ExpressionAttributeValues.
//
// How the engine uses it, per request:
//
//   1. Validation (before the table lookup, spec §1.4 step 8):
//        auto compiled = compile_request(request_json, expression_context::update_item);
//        if (!compiled) return compiled.error();          // an AWS error, ready to send
//      This reads the expression fields of the operation, checks the placeholder maps, parses
//      every expression present, resolves `#name`/`:value`, and checks undefined and unused
//      placeholders across all the expressions of the request (§4.1). All the messages are
//      AWS's own, e.g. `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a ="`.
//   2. After the table lookup, checks that need the key schema:
//        update->check_keys(table_keys, indexes)           (UpdateItem: key attributes)
//        key_condition->resolve(query_keys)                (Query: hash value, range predicate)
//        check_filter_keys(*filter, query_keys)            (Query: no key attribute in filter)
//        check_nested_key_paths(x.nested_attributes(), table_keys, indexes)
//   3. Execution:
//        condition->evaluate(old_item_or_empty)            -> bool
//        update->apply(old_item_or_null, key, indexes)     -> new item, or a runtime error
//        project_paths(old_item, update->updated_paths())  -> ReturnValues UPDATED_OLD
//        filter->evaluate(item), projection->apply(item)
//
// Errors: every failure is an adapters::aws_error (ValidationException, or SerializationException
// for a field of the wrong JSON type), returned as a value; nothing here throws for bad input.
// Runtime update errors ("An operand in the update expression has an incorrect data type", ...)
// are ValidationExceptions too, as on AWS.
//
// Thread safety: compiled expressions are immutable and cheap to copy (they share one
// program); evaluate/apply/project may run concurrently from several threads.
// Performance: compiling `attribute_not_exists(pk)` and evaluating it take well under a
// microsecond; no regex, a handful of allocations per compiled expression.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/expected.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/document_path.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"

namespace esser::emulator {

namespace expression_detail {
struct program;  // the compiled form shared by the handles below (src/dynamo/expression_ast.hpp)
struct access;   // builds the handles (src/dynamo)
}  // namespace expression_detail

// The operation (or transaction action) whose request is compiled. It decides which expression
// fields are read, which legacy (pre-expression) fields conflict with them, and the wording of
// "ExpressionAttributeValues can only be specified when using expressions: ... is null".
//   context                     expression fields read                  conflicting legacy fields
//   put_item, delete_item       ConditionExpression                     Expected
//   update_item                 UpdateExpression, ConditionExpression   AttributeUpdates, Expected
//   get_item, batch_get_item    ProjectionExpression                    AttributesToGet
//   query                       ProjectionExpression, FilterExpression, AttributesToGet,
//                               KeyConditionExpression                  QueryFilter,
//                                                                       ConditionalOperator,
//                                                                       KeyConditions
//   scan                        ProjectionExpression, FilterExpression  AttributesToGet,
//                                                                       ScanFilter,
//                                                                       ConditionalOperator
//   transact_condition_check,   ConditionExpression                     (none)
//   transact_put, transact_delete
//   transact_update             UpdateExpression, ConditionExpression   (none)
//   transact_get                ProjectionExpression                    (none)
// For batch_get_item pass one RequestItems entry ({Keys, ProjectionExpression, ...}); for the
// transact_* contexts pass the action object ({TableName, Key, ConditionExpression, ...}).
// Contexts without a value-taking expression (get_item, batch_get_item, transact_get) ignore
// ExpressionAttributeValues, which is not a member of those requests.
enum class expression_context : std::uint8_t {
    put_item,
    delete_item,
    update_item,
    get_item,
    batch_get_item,
    query,
    scan,
    transact_condition_check,
    transact_put,
    transact_delete,
    transact_update,
    transact_get,
};

// A secondary index's name and key schema, for the checks that involve index key attributes.
struct index_keys {
    std::string_view name;             // IndexName, as it appears in messages
    const key_schema* keys = nullptr;  // never null
};

// A ConditionExpression or a FilterExpression (same grammar, spec §4.3).
class condition_expression {
public:
    // Whether the condition holds for `item`. A missing item is evaluated as an empty item, so
    // attribute_not_exists(pk) is true for it (§3.3). Type rules of §2.5: comparing different
    // types is false, `<>` is true when an operand is missing, sets compare as sets.
    bool evaluate(const attribute_map& item) const;

    // The top-level attribute names the expression reads (sorted, unique), and those it reads
    // with a nested step (`a.b`, `a[1]`), for the key-attribute checks below.
    std::span<const std::string> attributes() const;
    std::span<const std::string> nested_attributes() const;

private:
    friend struct expression_detail::access;
    std::shared_ptr<const expression_detail::program> program_;
};

// An UpdateExpression (spec §4.5).
class update_expression {
public:
    // Checks against the table's key schema and its indexes' (spec §3.3), in AWS's order:
    //   "One or more parameter values were invalid: Cannot update attribute a. This attribute
    //    is part of the key"                      (any action whose path starts at a key attr)
    //   "One or more parameter values were invalid: Type mismatch for Index Key c Expected: S
    //    Actual: N IndexName: i"                  (SET of an index key to a value of other type)
    //   "Key attributes must be scalars; list random access '[]' and map lookup '.' are not
    //    allowed: Key: a" / "...: IndexKey: d"   (a nested path on a key attribute anywhere)
    std::optional<adapters::aws_error> check_keys(const key_schema& table,
                                                  std::span<const index_keys> indexes = {}) const;

    // Applies the update. `old_item` is the stored item, or null when there is none; then the
    // update starts from `key` (UpdateItem upserts, §3.3). Every operand is read from the old
    // item, before any action writes (§4.5). Returns the new item, or one of AWS's runtime
    // errors (ValidationException):
    //   "An operand in the update expression has an incorrect data type"
    //   "The provided expression refers to an attribute that does not exist in the item"
    //   "The document path provided in the update expression is invalid for update"
    //   "The update expression attempted to update the secondary index key to unsupported type"
    //   number overflow/underflow texts of decimal arithmetic
    // List semantics: SET a[i] past the end appends (several in index order); REMOVE a[i]
    // shifts later elements down; indexes always refer to the old list. DELETE that empties a
    // set removes the attribute. The item size limit is the caller's check.
    core::expected<attribute_map, adapters::aws_error> apply(
        const attribute_map* old_item, const attribute_map& key,
        std::span<const index_keys> indexes = {}) const;

    // The paths the update writes (targets of SET/REMOVE/ADD/DELETE), in expression order.
    // ReturnValues UPDATED_OLD is project_paths(old_item, updated_paths()); UPDATED_NEW is the
    // same on the new item (spec §7 trap 9).
    std::span<const document_path> updated_paths() const;

    // As for condition_expression: every top-level name read or written.
    std::span<const std::string> attributes() const;
    std::span<const std::string> nested_attributes() const;

private:
    friend struct expression_detail::access;
    std::shared_ptr<const expression_detail::program> program_;
};

// A key condition resolved against the key schema of the table or index queried.
enum class range_operator : std::uint8_t { none, eq, lt, le, gt, ge, between, begins_with };

struct key_condition {
    // The partition key value (the only operator allowed on it is `=`). Never null.
    const attribute_value* hash = nullptr;
    range_operator range = range_operator::none;
    // The operand of eq/lt/le/gt/ge/begins_with, or BETWEEN's lower bound; null for none.
    const attribute_value* lower = nullptr;
    // BETWEEN's upper bound; null otherwise.
    const attribute_value* upper = nullptr;

    // Whether a sort key value satisfies the range condition (always true for none). Values of
    // another type never match. S and B compare as unsigned bytes, N numerically (§2.5).
    bool matches_range(const attribute_value& sort_key) const;
};

// A KeyConditionExpression (spec §4.4). Its structural rules ("Invalid operator used in
// KeyConditionExpression: OR", "KeyConditionExpressions must only contain one condition per
// key", ...) are checked at compile time; the schema rules when resolved.
class key_condition_expression {
public:
    // After the table lookup, against the queried table's or index's key schema:
    //   "Query key condition not supported"
    //   "Query condition missed key schema element: <name>"
    //   "One or more parameter values were invalid: Condition parameter type does not match
    //    schema type"
    // The returned pointers refer into this expression: keep it alive while using them.
    core::expected<key_condition, adapters::aws_error> resolve(const key_schema& keys) const;

    // The attribute names the condition constrains (one or two).
    std::span<const std::string> attributes() const;

private:
    friend struct expression_detail::access;
    std::shared_ptr<const expression_detail::program> program_;
};

// A ProjectionExpression (spec §4.6).
class projection_expression {
public:
    // The projected item: project_paths(item, paths()).
    attribute_map apply(const attribute_map& item) const;
    std::span<const document_path> paths() const;
    std::span<const std::string> attributes() const;
    std::span<const std::string> nested_attributes() const;

private:
    friend struct expression_detail::access;
    std::shared_ptr<const expression_detail::program> program_;
};

// The expressions of one request; each is present iff its field was in the request.
struct compiled_expressions {
    std::optional<condition_expression> condition;
    std::optional<update_expression> update;
    std::optional<key_condition_expression> key_condition;
    std::optional<condition_expression> filter;
    std::optional<projection_expression> projection;
};

// Reads and compiles the expressions of a request (the whole request object of PutItem,
// UpdateItem, Query..., or one BatchGetItem/TransactItems entry, see expression_context).
// Checks, in AWS's order (dynalite validations/index.js, whose tests ran against AWS):
//   1. an expression field or a placeholder map of the wrong JSON type -> SerializationException
//      (e.g. "NUMBER_VALUE cannot be converted to String"); JSON null counts as absent
//   2. "Can not use both expression and non-expression parameters in the same request:
//       Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
//   3. "ExpressionAttributeNames can only be specified when using expressions"
//      "ExpressionAttributeValues can only be specified when using expressions:
//       UpdateExpression and ConditionExpression are null"
//   4. (query) "Either the KeyConditions or KeyConditionExpression parameter must be specified
//       in the request."
//   5. "ExpressionAttributeNames must not be empty", "ExpressionAttributeNames contains invalid
//      key: Syntax error; key: \"k\"", "ExpressionAttributeNames contains invalid value: Empty
//      attribute name for key #k"; the same for ExpressionAttributeValues, whose values must be
//      valid AttributeValues: "ExpressionAttributeValues contains invalid value: <message> for
//      key :v"
//   6. each expression in the order Update, Condition, KeyCondition, Filter, Projection:
//      "Invalid <Kind>Expression: <problem>" (size limit, empty, syntax with token and context,
//      redundant parentheses, functions, reserved words, undefined placeholders, operand
//      types, path overlap...), then the KeyConditionExpression structure (§4.4)
//   7. "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}",
//      then the same for ExpressionAttributeValues.
// Legacy fields (Expected, AttributeUpdates, KeyConditions...) are not compiled here; the
// engine decides what to do with them.
core::expected<compiled_expressions, adapters::aws_error> compile_request(
    const nlohmann::json& request, expression_context context);

// The same compilation from decoded inputs (in-process callers, tests). Steps 6 and 7 only: the
// maps must already be valid (keys `#[A-Za-z0-9_]+` / `:[A-Za-z0-9_]+`, values checked).
struct expression_source {
    std::optional<std::string_view> condition;
    std::optional<std::string_view> update;
    std::optional<std::string_view> key_condition;
    std::optional<std::string_view> filter;
    std::optional<std::string_view> projection;
    // ExpressionAttributeNames: "#placeholder" -> attribute name. Views must outlive the call.
    std::vector<std::pair<std::string_view, std::string_view>> names;
    // ExpressionAttributeValues: ":placeholder" -> value.
    attribute_map values;
};

core::expected<compiled_expressions, adapters::aws_error> compile_expressions(
    expression_source source);

// Query: "Filter Expression can only contain non-primary key attributes: Primary key attribute:
// <a>" when the filter reads the hash or range attribute of `keys` (the table's or index's).
std::optional<adapters::aws_error> check_filter_keys(const condition_expression& filter,
                                                     const key_schema& keys);

// "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed:
// Key: <a>" (table key) or "...: IndexKey: <a>" (index key), when one of `nested_attributes`
// (from any compiled expression) is a key attribute. Table keys are checked first.
std::optional<adapters::aws_error> check_nested_key_paths(
    std::span<const std::string> nested_attributes, const key_schema& table,
    std::span<const index_keys> indexes = {});

}  // namespace esser::emulator

// Issue 3: the engine's operations with expressions (spec/dynamodb-api.md §3.3-§3.7, §4):
// conditional writes, ReturnValues, updates, Query through dispatch (Limit before the filter),
// placeholders across expressions, and transactions with conditions.
#include "engine_fixture.hpp"

using namespace esser::test;
using namespace esser;

namespace {
const std::string invalid = "One or more parameter values were invalid: ";

json event(const std::string& pk, int v, json extra = json::object()) {
    json item = {{"pk", S(pk)}, {"v", N(std::to_string(v))}};
    for (auto& [k, x] : extra.items()) item[k] = x;
    return item;
}

struct expression_fixture : engine_fixture {
    expression_fixture() { create_events_table("events"); }

    json append(const std::string& pk, int v, json extra = json::object()) {
        return ok("PutItem", {{"TableName", "events"},
                              {"Item", event(pk, v, std::move(extra))},
                              {"ConditionExpression", "attribute_not_exists(pk)"}});
    }

    json query(json r) {
        r["TableName"] = "events";
        return ok("Query", r);
    }

    std::vector<std::string> versions(const json& items) {
        std::vector<std::string> out;
        for (const auto& i : items) out.push_back(i["v"]["N"]);
        return out;
    }
};

using v = std::vector<std::string>;
}  // namespace

TEST_CASE_METHOD(expression_fixture, "a conditional put appends once and then conflicts",
                 "[emulator][dynamo][engine_expressions]") {
    append("Item#1", 1, {{"x", S("first")}});
    const json before = scan_all("events");
    auto e = err("PutItem", {{"TableName", "events"},
                             {"Item", event("Item#1", 1, {{"x", S("second")}})},
                             {"ConditionExpression", "attribute_not_exists(pk)"}});
    CHECK(e.type == "ConditionalCheckFailedException");
    CHECK(e.message == "The conditional request failed");
    CHECK(e.to_json() ==
          json{{"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
               {"message", "The conditional request failed"}});
    CHECK(scan_all("events") == before);
    // With ReturnValuesOnConditionCheckFailure the old item comes back in the error.
    e = err("PutItem", {{"TableName", "events"},
                        {"Item", event("Item#1", 1)},
                        {"ConditionExpression", "attribute_not_exists(pk)"},
                        {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}});
    CHECK(e.extra["Item"] == event("Item#1", 1, {{"x", S("first")}}));
}

TEST_CASE_METHOD(expression_fixture, "conditions see a missing item as empty",
                 "[emulator][dynamo][engine_expressions]") {
    auto e = err("DeleteItem", {{"TableName", "events"},
                                {"Key", event("nope", 1)},
                                {"ConditionExpression", "attribute_exists(pk)"}});
    CHECK(e.type == "ConditionalCheckFailedException");
    append("Item#1", 1, {{"n", N("5")}});
    ok("DeleteItem", {{"TableName", "events"},
                      {"Key", event("Item#1", 1)},
                      {"ConditionExpression", "n = :five"},
                      {"ExpressionAttributeValues", {{":five", N("5.0")}}}});
    CHECK(item_count("events") == 0);
}

TEST_CASE_METHOD(expression_fixture, "UpdateItem upserts and returns the paths it wrote",
                 "[emulator][dynamo][engine_expressions]") {
    json r = ok("UpdateItem", {{"TableName", "events"},
                               {"Key", event("Item#1", 1)},
                               {"UpdateExpression", "SET a = :a, b = :b"},
                               {"ExpressionAttributeValues", {{":a", N("1")}, {":b", S("x")}}},
                               {"ReturnValues", "ALL_NEW"}});
    CHECK(r["Attributes"] == event("Item#1", 1, {{"a", N("1")}, {"b", S("x")}}));
    r = ok("UpdateItem", {{"TableName", "events"},
                          {"Key", event("Item#1", 1)},
                          {"UpdateExpression", "ADD a :one"},
                          {"ExpressionAttributeValues", {{":one", N("1")}}},
                          {"ReturnValues", "UPDATED_OLD"}});
    CHECK(r["Attributes"] == json{{"a", N("1")}});  // spec §7 trap 9: the old value
    r = ok("UpdateItem", {{"TableName", "events"},
                          {"Key", event("Item#1", 1)},
                          {"UpdateExpression", "SET a = a + :one REMOVE b"},
                          {"ExpressionAttributeValues", {{":one", N("0.5")}}},
                          {"ReturnValues", "UPDATED_NEW"}});
    CHECK(r["Attributes"] == json{{"a", N("2.5")}});
    CHECK(validation("UpdateItem", {{"TableName", "events"},
                                    {"Key", event("Item#1", 1)},
                                    {"UpdateExpression", "SET v = :one"},
                                    {"ExpressionAttributeValues", {{":one", N("1")}}}}) ==
          invalid + "Cannot update attribute v. This attribute is part of the key");
    // A value operand of the wrong type is caught when the expression is compiled; an attribute
    // of the wrong type only when the update runs.
    CHECK(validation("UpdateItem", {{"TableName", "events"},
                                    {"Key", event("Item#1", 1)},
                                    {"UpdateExpression", "SET a = a + :s"},
                                    {"ExpressionAttributeValues", {{":s", S("x")}}}}) ==
          "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
          "function: +, operand type: S");
    ok("UpdateItem", {{"TableName", "events"},
                      {"Key", event("Item#1", 1)},
                      {"UpdateExpression", "SET c = :s"},
                      {"ExpressionAttributeValues", {{":s", S("x")}}}});
    CHECK(validation("UpdateItem", {{"TableName", "events"},
                                    {"Key", event("Item#1", 1)},
                                    {"UpdateExpression", "SET a = c + :one"},
                                    {"ExpressionAttributeValues", {{":one", N("1")}}}}) ==
          "An operand in the update expression has an incorrect data type");
    ok("UpdateItem",
       {{"TableName", "events"}, {"Key", event("Item#1", 1)}, {"UpdateExpression", "REMOVE c"}});
    auto e =
        err("UpdateItem", {{"TableName", "events"},
                           {"Key", event("Item#1", 1)},
                           {"UpdateExpression", "SET a = :big"},
                           {"ConditionExpression", "a = :zero"},
                           {"ExpressionAttributeValues", {{":big", N("1")}, {":zero", N("0")}}},
                           {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}});
    CHECK(e.type == "ConditionalCheckFailedException");
    CHECK(e.extra["Item"]["a"] == N("2.5"));
    CHECK(ok("GetItem", {{"TableName", "events"}, {"Key", event("Item#1", 1)}})["Item"] ==
          event("Item#1", 1, {{"a", N("2.5")}}));
}

TEST_CASE_METHOD(expression_fixture, "an update past the item size limit is refused",
                 "[emulator][dynamo][engine_expressions]") {
    engine = make(1000);
    create_events_table("events");
    append("Item#1", 1);
    CHECK(validation("UpdateItem",
                     {{"TableName", "events"},
                      {"Key", event("Item#1", 1)},
                      {"UpdateExpression", "SET a = :a"},
                      {"ExpressionAttributeValues", {{":a", S(std::string(1000, 'x'))}}}}) ==
          "Item size to update has exceeded the maximum allowed size");
}

TEST_CASE_METHOD(expression_fixture, "Query reads a stream in numeric version order, both ways",
                 "[emulator][dynamo][engine_expressions]") {
    for (int i : {3, 12, 1, 10, 2, 11, 9, 4, 5, 8, 6, 7}) append("Item#1", i);
    append("Item#2", 1);
    json r = query({{"KeyConditionExpression", "pk = :pk"},
                    {"ExpressionAttributeValues", {{":pk", S("Item#1")}}}});
    CHECK(versions(r["Items"]) == v{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"});
    CHECK(r["Count"] == 12);
    CHECK_FALSE(r.contains("LastEvaluatedKey"));
    r = query(
        {{"KeyConditionExpression", "pk = :pk AND v BETWEEN :lo AND :hi"},
         {"ExpressionAttributeValues", {{":pk", S("Item#1")}, {":lo", N("9")}, {":hi", N("11")}}},
         {"ScanIndexForward", false}});
    CHECK(versions(r["Items"]) == v{"11", "10", "9"});
    r = query({{"KeyConditionExpression", "pk = :pk"},
               {"ExpressionAttributeValues", {{":pk", S("Item#1")}}},
               {"ScanIndexForward", false},
               {"Limit", 1}});
    CHECK(versions(r["Items"]) == v{"12"});
    CHECK(r["LastEvaluatedKey"] == event("Item#1", 12));
}

TEST_CASE_METHOD(expression_fixture, "Query applies Limit before the filter",
                 "[emulator][dynamo][engine_expressions]") {
    // spec §7 trap 1 (getmoto/moto#3909): an empty page with a LastEvaluatedKey.
    append("Item#1", 1, {{"kind", S("a")}});
    append("Item#1", 2, {{"kind", S("b")}});
    append("Item#1", 3, {{"kind", S("a")}});
    json base = {{"KeyConditionExpression", "pk = :pk"},
                 {"FilterExpression", "kind = :b"},
                 {"ExpressionAttributeValues", {{":pk", S("Item#1")}, {":b", S("b")}}},
                 {"Limit", 1}};
    json r = query(base);
    CHECK(r["Items"] == json::array());
    CHECK(r["Count"] == 0);
    CHECK(r["ScannedCount"] == 1);
    REQUIRE(r.contains("LastEvaluatedKey"));
    base["ExclusiveStartKey"] = r["LastEvaluatedKey"];
    r = query(base);
    CHECK(versions(r["Items"]) == v{"2"});
    json all = query({{"KeyConditionExpression", "pk = :pk"},
                      {"FilterExpression", "kind = :a"},
                      {"ExpressionAttributeValues", {{":pk", S("Item#1")}, {":a", S("a")}}},
                      {"Select", "COUNT"}});
    CHECK(all["Count"] == 2);
    CHECK(all["ScannedCount"] == 3);
    CHECK_FALSE(all.contains("Items"));
}

TEST_CASE_METHOD(expression_fixture, "Query's checks against the key schema",
                 "[emulator][dynamo][engine_expressions]") {
    append("Item#1", 1);
    CHECK(
        validation("Query",
                   {{"TableName", "events"},
                    {"KeyConditionExpression", "pk = :pk"},
                    {"FilterExpression", "v > :z"},
                    {"ExpressionAttributeValues", {{":pk", S("Item#1")}, {":z", N("0")}}}}) ==
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: v");
    CHECK(validation("Query", {{"TableName", "events"},
                               {"KeyConditionExpression", "v = :v"},
                               {"ExpressionAttributeValues", {{":v", N("1")}}}}) ==
          "Query condition missed key schema element: pk");
    CHECK(validation("Query", {{"TableName", "events"},
                               {"KeyConditionExpression", "pk = :pk"},
                               {"ExpressionAttributeValues", {{":pk", N("1")}}}}) ==
          invalid + "Condition parameter type does not match schema type");
    CHECK(validation("Query", {{"TableName", "events"},
                               {"IndexName", "nope"},
                               {"KeyConditionExpression", "pk = :pk"},
                               {"ExpressionAttributeValues", {{":pk", S("Item#1")}}}}) ==
          "The table does not have the specified index: nope");
    CHECK(validation("Query", {{"TableName", "events"},
                               {"KeyConditionExpression", "pk = :pk"},
                               {"ExpressionAttributeValues", {{":pk", S("Item#1")}}},
                               {"ExclusiveStartKey", event("Item#2", 1)}}) ==
          "The provided starting key is outside query boundaries based on provided conditions");
    CHECK(
        validation("Query", {{"TableName", "events"},
                             {"KeyConditionExpression", "pk = :pk AND v > :v"},
                             {"ExpressionAttributeValues", {{":pk", S("Item#1")}, {":v", N("5")}}},
                             {"ExclusiveStartKey", event("Item#1", 1)}}) ==
        "The provided starting key does not match the range key predicate");
    auto e = err("Query", {{"TableName", "missing"},
                           {"KeyConditionExpression", "pk = :pk"},
                           {"ExpressionAttributeValues", {{":pk", S("a")}}}});
    CHECK(e.type == "ResourceNotFoundException");
    // Invalid expressions win over a missing table (spec §1.4 step 8).
    CHECK(validation("Query", {{"TableName", "missing"}, {"KeyConditionExpression", "pk = :pk"}}) ==
          "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
          "defined; attribute value: :pk");
}

TEST_CASE_METHOD(expression_fixture, "placeholders are checked across all expressions of a request",
                 "[emulator][dynamo][engine_expressions]") {
    CHECK(validation("PutItem", {{"TableName", "events"},
                                 {"Item", event("Item#1", 1)},
                                 {"ConditionExpression", "attribute_not_exists(pk)"},
                                 {"ExpressionAttributeValues", {{":v", N("1")}}}}) ==
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}");
    CHECK(validation("PutItem", {{"TableName", "events"},
                                 {"Item", event("Item#1", 1)},
                                 {"ConditionExpression", "x = :v"}}) ==
          "Invalid ConditionExpression: An expression attribute value used in expression is not "
          "defined; attribute value: :v");
    CHECK(validation("UpdateItem",
                     {{"TableName", "events"},
                      {"Key", event("Item#1", 1)},
                      {"UpdateExpression", "SET #a = :a"},
                      {"ConditionExpression", "attribute_exists(#b)"},
                      {"ExpressionAttributeNames", {{"#a", "a"}, {"#b", "b"}, {"#c", "c"}}},
                      {"ExpressionAttributeValues", {{":a", N("1")}}}}) ==
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c}");
    CHECK(validation("PutItem", {{"TableName", "events"},
                                 {"Item", event("Item#1", 1)},
                                 {"ConditionExpression", "data = :d"},
                                 {"ExpressionAttributeValues", {{":d", N("1")}}}}) ==
          "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
          "data");
    CHECK(item_count("events") == 0);
}

TEST_CASE_METHOD(expression_fixture, "GetItem and Scan project and filter",
                 "[emulator][dynamo][engine_expressions]") {
    append(
        "Item#1", 1,
        {{"data", {{"M", {{"a", N("1")}, {"b", N("2")}}}}}, {"tags", {{"L", {S("x"), S("y")}}}}});
    json r = ok("GetItem", {{"TableName", "events"},
                            {"Key", event("Item#1", 1)},
                            {"ProjectionExpression", "#d.b, tags[1]"},
                            {"ExpressionAttributeNames", {{"#d", "data"}}}});
    CHECK(r["Item"] == json{{"data", {{"M", {{"b", N("2")}}}}}, {"tags", {{"L", {S("y")}}}}});
    append("Item#2", 1, {{"n", N("3")}});
    r = ok("Scan", {{"TableName", "events"},
                    {"FilterExpression", "n > :two"},
                    {"ExpressionAttributeValues", {{":two", N("2")}}}});
    CHECK(r["Count"] == 1);
    CHECK(r["ScannedCount"] == 2);
    CHECK(r["Items"][0]["pk"] == S("Item#2"));
}

TEST_CASE_METHOD(expression_fixture,
                 "a transaction with a failed condition writes nothing and says why",
                 "[emulator][dynamo][engine_expressions]") {
    append("Item#1", 1, {{"x", S("old")}});
    json tx = {{"TransactItems",
                {{{"Put", {{"TableName", "events"}, {"Item", event("Item#2", 1)}}}},
                 {{"Put",
                   {{"TableName", "events"},
                    {"Item", event("Item#1", 1)},
                    {"ConditionExpression", "attribute_not_exists(pk)"},
                    {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}}}},
                 {{"ConditionCheck",
                   {{"TableName", "events"},
                    {"Key", event("Item#3", 1)},
                    {"ConditionExpression", "attribute_exists(pk)"}}}}}}};
    auto e = err("TransactWriteItems", tx);
    CHECK(e.type == "TransactionCanceledException");
    CHECK(e.message ==
          "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
          "ConditionalCheckFailed, ConditionalCheckFailed]");
    const json& reasons = e.extra["CancellationReasons"];
    CHECK(reasons[0] == json{{"Code", "None"}});
    CHECK(reasons[1]["Message"] == "The conditional request failed");
    CHECK(reasons[1]["Item"] == event("Item#1", 1, {{"x", S("old")}}));
    CHECK_FALSE(reasons[2].contains("Item"));
    CHECK(item_count("events") == 1);
    // Expression errors are one ValidationException for the whole request.
    tx["TransactItems"][1]["Put"]["ConditionExpression"] = "hello!";
    CHECK(validation("TransactWriteItems", tx)
              .rfind("Invalid ConditionExpression: Syntax error", 0) == 0);
    // Everything true: all actions apply.
    json good = {{"TransactItems",
                  {{{"Put",
                     {{"TableName", "events"},
                      {"Item", event("Item#1", 2)},
                      {"ConditionExpression", "attribute_not_exists(pk)"}}}},
                   {{"Update",
                     {{"TableName", "events"},
                      {"Key", event("Item#1", 1)},
                      {"UpdateExpression", "SET x = :n"},
                      {"ExpressionAttributeValues", {{":n", S("new")}}}}}},
                   {{"ConditionCheck",
                     {{"TableName", "events"},
                      {"Key", event("Item#1", 1)},
                      {"ConditionExpression", "attribute_exists(pk)"}}}}}}};
    CHECK(validation("TransactWriteItems", good) ==
          "Transaction request cannot include multiple operations on one item");
    good["TransactItems"].erase(2);
    ok("TransactWriteItems", good);
    CHECK(item_count("events") == 2);
    CHECK(ok("GetItem", {{"TableName", "events"}, {"Key", event("Item#1", 1)}})["Item"]["x"] ==
          S("new"));
}

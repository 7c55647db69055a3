// Issue 12: the pre-2014 parameters (spec/dynamodb-api.md §4.7) through dispatch(): Expected
// with ConditionalOperator, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter,
// AttributesToGet; their behaviour, AWS's messages for malformed ones (dynalite's validation
// texts, the DAX client's ConditionalOperator rules) and the mixing rule with expressions.
// Every refused request leaves the table unchanged.
#include "emulator/dynamo/engine_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::test;

namespace {

const std::string invalid = "One or more parameter values were invalid: ";

struct legacy_fixture : engine_fixture {
    legacy_fixture() {
        create_hash_table("things");
        create_events_table("events");
    }

    void put(const json& item) { ok("PutItem", {{"TableName", "things"}, {"Item", item}}); }

    json get(const std::string& pk) {
        return ok("GetItem", {{"TableName", "things"}, {"Key", {{"pk", S(pk)}}}})
            .value("Item", json());
    }

    // A PutItem of {pk: a, n: 2} guarded by `expected` (and `op`): whether it was written.
    bool put_if(const json& expected, const std::string& op = "") {
        json r = {{"TableName", "things"},
                  {"Item", {{"pk", S("a")}, {"n", N("2")}}},
                  {"Expected", expected}};
        if (!op.empty())
            r["ConditionalOperator"] = op;
        auto res = call("PutItem", r);
        if (!res) {
            CHECK(res.error().type == "ConditionalCheckFailedException");
            CHECK(res.error().message == "The conditional request failed");
        }
        return res.has_value();
    }

    json cond(const std::string& op, json values = json::array()) {
        json c = {{"ComparisonOperator", op}};
        if (!values.empty())
            c["AttributeValueList"] = std::move(values);
        return c;
    }
};

}  // namespace

TEST_CASE_METHOD(legacy_fixture, "legacy Expected guards writes like the equivalent conditions",
                 "[emulator][dynamo][engine_legacy]") {
    // Exists false on a missing item: the classic create-only put (PynamoDB, DynamoDBMapper).
    CHECK(put_if({{"pk", {{"Exists", false}}}}));
    CHECK(get("a")["n"] == N("2"));
    CHECK_FALSE(put_if({{"pk", {{"Exists", false}}}}));
    // Value alone (Exists defaults to true) and Exists true with Value: equality.
    CHECK(put_if({{"n", {{"Value", N("2")}}}}));
    CHECK(put_if({{"n", {{"Value", N("2")}, {"Exists", true}}}}));
    CHECK_FALSE(put_if({{"n", {{"Value", N("3")}}}}));
    CHECK_FALSE(put_if({{"n", {{"Value", S("2")}}}}));  // another type never equals
    // Comparison operators with Value or AttributeValueList.
    CHECK(put_if({{"n", cond("GT", {N("1")})}}));
    CHECK_FALSE(put_if({{"n", cond("LT", {N("2")})}}));
    CHECK(put_if({{"n", {{"ComparisonOperator", "LE"}, {"Value", N("2")}}}}));
    CHECK(put_if({{"n", cond("BETWEEN", {N("1"), N("2")})}}));
    CHECK(put_if({{"n", cond("IN", {N("7"), N("2")})}}));
    CHECK_FALSE(put_if({{"n", cond("IN", {N("7"), N("8")})}}));
    CHECK(put_if({{"n", cond("NOT_NULL")}}));
    CHECK(put_if({{"gone", cond("NULL")}}));
    CHECK_FALSE(put_if({{"n", cond("NULL")}}));
    CHECK(put_if({{"gone", cond("NE", {N("2")})}}));  // a missing attribute is "not equal"
    CHECK_FALSE(put_if({{"n", cond("NE", {N("2")})}}));
    // Each successful put_if replaces the item with {pk, n}: restore s and tags before each.
    const json full = {
        {"pk", S("a")}, {"n", N("2")}, {"s", S("hello")}, {"tags", {{"SS", {"x", "y"}}}}};
    for (const auto& [attr, c] :
         std::vector<std::pair<std::string, json>>{{"s", cond("BEGINS_WITH", {S("he")})},
                                                   {"s", cond("CONTAINS", {S("ell")})},
                                                   {"tags", cond("CONTAINS", {S("x")})},
                                                   {"s", cond("NOT_CONTAINS", {S("zz")})},
                                                   {"gone", cond("NOT_CONTAINS", {S("zz")})}}) {
        put(full);
        CHECK(put_if({{attr, c}}));
    }
    put(full);
    CHECK_FALSE(put_if({{"s", cond("CONTAINS", {S("zz")})}}));
    put(full);
    CHECK_FALSE(put_if({{"tags", cond("NOT_CONTAINS", {S("y")})}}));
}

TEST_CASE_METHOD(legacy_fixture, "ConditionalOperator joins Expected entries with AND or OR",
                 "[emulator][dynamo][engine_legacy]") {
    put({{"pk", S("a")}, {"n", N("2")}});
    const json one_true = {{"n", {{"Value", N("2")}}}, {"m", {{"Value", N("9")}}}};
    CHECK_FALSE(put_if(one_true));  // AND by default
    CHECK_FALSE(put_if(one_true, "AND"));
    CHECK(put_if(one_true, "OR"));
    CHECK_FALSE(put_if({{"n", {{"Value", N("1")}}}, {"m", {{"Value", N("9")}}}}, "OR"));
}

TEST_CASE_METHOD(legacy_fixture, "a failed legacy condition can return the old item",
                 "[emulator][dynamo][engine_legacy]") {
    put({{"pk", S("a")}, {"n", N("2")}});
    auto e = err("DeleteItem", {{"TableName", "things"},
                                {"Key", {{"pk", S("a")}}},
                                {"Expected", {{"n", {{"Value", N("5")}}}}},
                                {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}});
    CHECK(e.type == "ConditionalCheckFailedException");
    CHECK(e.extra["Item"]["n"] == N("2"));
    ok("DeleteItem", {{"TableName", "things"},
                      {"Key", {{"pk", S("a")}}},
                      {"Expected", {{"n", {{"Value", N("2")}}}}}});
    CHECK(get("a").is_null());
}

TEST_CASE_METHOD(legacy_fixture, "malformed Expected entries get AWS's messages and write nothing",
                 "[emulator][dynamo][engine_legacy]") {
    auto msg = [&](const json& expected, const std::string& op = "") {
        json r = {{"TableName", "things"}, {"Item", {{"pk", S("a")}}}, {"Expected", expected}};
        if (!op.empty())
            r["ConditionalOperator"] = op;
        return validation("PutItem", r);
    };
    CHECK(msg({{"a", {{"Exists", true}}}}) ==
          invalid + "Value must be provided when Exists is true for Attribute: a");
    CHECK(msg({{"a", json::object()}}) ==
          invalid + "Value must be provided when Exists is null for Attribute: a");
    CHECK(msg({{"a", {{"Exists", false}, {"Value", S("x")}}}}) ==
          invalid + "Value cannot be used when Exists is false for Attribute: a");
    CHECK(msg({{"a", {{"Value", S("x")}, {"AttributeValueList", {S("x")}}}}}) ==
          invalid + "Value and AttributeValueList cannot be used together for Attribute: a");
    CHECK(msg({{"a", {{"ComparisonOperator", "EQ"}, {"Exists", true}}}}) ==
          invalid + "Exists and ComparisonOperator cannot be used together for Attribute: a");
    CHECK(msg({{"a", {{"AttributeValueList", {S("x")}}}}}) ==
          invalid +
              "AttributeValueList can only be used with a ComparisonOperator for Attribute: a");
    CHECK(msg({{"a", {{"ComparisonOperator", "EQ"}}}}) ==
          invalid +
              "Value or AttributeValueList must be used with ComparisonOperator: EQ for "
              "Attribute: a");
    CHECK(msg({{"a", cond("NULL", {S("x")})}}) ==
          invalid + "Invalid number of argument(s) for the NULL ComparisonOperator");
    CHECK(msg({{"a", cond("BETWEEN", {S("x")})}}) ==
          invalid + "Invalid number of argument(s) for the BETWEEN ComparisonOperator");
    CHECK(msg({{"a", cond("IN", {S("x"), N("1")})}}) ==
          invalid + "AttributeValues inside AttributeValueList must be of same type");
    CHECK(msg({{"a", cond("BETWEEN", {N("5"), N("1")})}}) ==
          "The BETWEEN condition was provided a range where the lower bound is greater than the "
          "upper bound");
    CHECK(msg({{"a", cond("BEGINS_WITH", {N("5")})}}) ==
          invalid + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
    CHECK(msg({{"a", {{"Value", {{"N", "x1"}}}}}}).find("numeric value") != std::string::npos);
    // ConditionalOperator needs two or more entries (AWS's DAX client's RequestValidator).
    CHECK(msg({{"a", {{"Exists", false}}}}, "OR") ==
          "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    CHECK(validation("PutItem", {{"TableName", "things"},
                                 {"Item", {{"pk", S("a")}}},
                                 {"ConditionalOperator", "AND"}}) ==
          "ConditionalOperator cannot be used without Filter or Expected");
    // Mixing with an expression.
    CHECK(validation("PutItem", {{"TableName", "things"},
                                 {"Item", {{"pk", S("a")}}},
                                 {"Expected", {{"a", {{"Exists", false}}}}},
                                 {"ConditionExpression", "attribute_not_exists(pk)"}}) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}");
    CHECK(item_count("things") == 0);
}

TEST_CASE_METHOD(legacy_fixture, "AttributeUpdates PUT, DELETE and ADD update like AWS",
                 "[emulator][dynamo][engine_legacy]") {
    auto update = [&](const json& updates, const std::string& rv = "ALL_NEW") {
        return ok("UpdateItem", {{"TableName", "things"},
                                 {"Key", {{"pk", S("a")}}},
                                 {"AttributeUpdates", updates},
                                 {"ReturnValues", rv}})
            .value("Attributes", json());
    };
    // On a missing item: PUT and ADD create it with the key.
    auto a = update({{"name", {{"Action", "PUT"}, {"Value", S("x")}}},
                     {"count", {{"Action", "ADD"}, {"Value", N("5")}}},
                     {"tags", {{"Action", "ADD"}, {"Value", {{"SS", {"a", "b"}}}}}},
                     {"log", {{"Action", "ADD"}, {"Value", {{"L", {S("1")}}}}}}});
    CHECK(a == json{{"pk", S("a")},
                    {"name", S("x")},
                    {"count", N("5")},
                    {"tags", {{"SS", {"a", "b"}}}},
                    {"log", {{"L", {S("1")}}}}});
    // Action defaults to PUT; ADD adds numbers, unions sets, appends to lists; DELETE removes
    // an attribute, or elements of a set.
    a = update({{"name", {{"Value", S("y")}}},
                {"count", {{"Action", "ADD"}, {"Value", N("-1.5")}}},
                {"tags", {{"Action", "DELETE"}, {"Value", {{"SS", {"a"}}}}}},
                {"log", {{"Action", "ADD"}, {"Value", {{"L", {S("2")}}}}}}});
    CHECK(a["name"] == S("y"));
    CHECK(a["count"] == N("3.5"));
    CHECK(a["tags"] == json{{"SS", {"b"}}});
    CHECK(a["log"] == json{{"L", {S("1"), S("2")}}});
    // UPDATED_OLD: only the updated attributes, from the old item.
    a = update({{"name", {{"Action", "DELETE"}}}}, "UPDATED_OLD");
    CHECK(a == json{{"name", S("y")}});
    CHECK_FALSE(get("a").contains("name"));
    // No updates at all: the item is created from its key (or left as it is).
    ok("UpdateItem",
       {{"TableName", "things"}, {"Key", {{"pk", S("b")}}}, {"AttributeUpdates", json::object()}});
    CHECK(get("b") == json{{"pk", S("b")}});
    // Together with Expected.
    auto e = err("UpdateItem", {{"TableName", "things"},
                                {"Key", {{"pk", S("a")}}},
                                {"AttributeUpdates", {{"count", {{"Value", N("0")}}}}},
                                {"Expected", {{"count", {{"Value", N("99")}}}}}});
    CHECK(e.type == "ConditionalCheckFailedException");
    CHECK(get("a")["count"] == N("3.5"));
}

TEST_CASE_METHOD(legacy_fixture, "malformed AttributeUpdates get AWS's messages and write nothing",
                 "[emulator][dynamo][engine_legacy]") {
    put({{"pk", S("a")}, {"s", S("text")}});
    auto msg = [&](const json& updates) {
        return validation(
            "UpdateItem",
            {{"TableName", "things"}, {"Key", {{"pk", S("a")}}}, {"AttributeUpdates", updates}});
    };
    CHECK(msg({{"x", {{"Action", "PUT"}}}}) ==
          invalid + "Only DELETE action is allowed when no attribute value is specified");
    CHECK(msg({{"x", {{"Action", "DELETE"}, {"Value", S("v")}}}}) ==
          invalid + "DELETE action with value is not supported for the type S");
    CHECK(msg({{"x", {{"Action", "ADD"}, {"Value", S("v")}}}}) ==
          invalid + "ADD action is not supported for the type S");
    CHECK(msg({{"x", {{"Action", "MERGE"}, {"Value", S("v")}}}}) ==
          "1 validation error detected: Value 'MERGE' at 'attributeUpdates.x.member.action' "
          "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
    CHECK(msg({{"pk", {{"Value", S("b")}}}}) ==
          invalid + "Cannot update attribute pk. This attribute is part of the key");
    CHECK(msg({{"s", {{"Action", "ADD"}, {"Value", N("1")}}}}) ==
          "Type mismatch for attribute to update");
    CHECK(validation("UpdateItem", {{"TableName", "things"},
                                    {"Key", {{"pk", S("a")}}},
                                    {"AttributeUpdates", {{"s", {{"Value", S("v")}}}}},
                                    {"UpdateExpression", "SET s = :v"},
                                    {"ExpressionAttributeValues", {{":v", S("v")}}}}) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {AttributeUpdates} Expression parameters: "
          "{UpdateExpression}");
    CHECK(get("a") == json{{"pk", S("a")}, {"s", S("text")}});
}

TEST_CASE_METHOD(legacy_fixture, "Query with KeyConditions, QueryFilter and AttributesToGet",
                 "[emulator][dynamo][engine_legacy]") {
    for (int v = 1; v <= 12; ++v) {
        ok("PutItem", {{"TableName", "events"},
                       {"Item",
                        {{"pk", S("Item#1")},
                         {"v", N(std::to_string(v))},
                         {"type", S(v % 2 ? "odd" : "even")},
                         {"x", N(std::to_string(v * 10))}}}});
    }
    ok("PutItem", {{"TableName", "events"}, {"Item", {{"pk", S("Item#2")}, {"v", N("1")}}}});
    auto versions = [](const json& items) {
        std::vector<std::string> out;
        for (const auto& i : items) out.push_back(i["v"]["N"]);
        return out;
    };
    auto q = [&](json extra) {
        json r = {{"TableName", "events"}};
        r.update(extra);
        return ok("Query", r);
    };
    const json hash = {
        {"pk", {{"ComparisonOperator", "EQ"}, {"AttributeValueList", {S("Item#1")}}}}};
    CHECK(q({{"KeyConditions", hash}})["Count"] == 12);
    json kc = hash;
    kc["v"] = {{"ComparisonOperator", "BETWEEN"}, {"AttributeValueList", {N("9"), N("11")}}};
    CHECK(versions(q({{"KeyConditions", kc}})["Items"]) ==
          std::vector<std::string>{"9", "10", "11"});
    kc["v"] = {{"ComparisonOperator", "GT"}, {"AttributeValueList", {N("10")}}};
    auto r = q({{"KeyConditions", kc}, {"ScanIndexForward", false}});
    CHECK(versions(r["Items"]) == std::vector<std::string>{"12", "11"});
    // QueryFilter (AND/OR) and AttributesToGet; Limit counts before the filter.
    r = q({{"KeyConditions", hash},
           {"QueryFilter",
            {{"type", {{"ComparisonOperator", "EQ"}, {"AttributeValueList", {S("even")}}}},
             {"x", {{"ComparisonOperator", "GE"}, {"AttributeValueList", {N("100")}}}}}},
           {"AttributesToGet", {"v"}}});
    CHECK(r["Items"] == json{{{"v", N("10")}}, {{"v", N("12")}}});
    CHECK(r["ScannedCount"] == 12);
    r = q({{"KeyConditions", hash},
           {"QueryFilter",
            {{"type", {{"ComparisonOperator", "EQ"}, {"AttributeValueList", {S("even")}}}},
             {"x", {{"ComparisonOperator", "GE"}, {"AttributeValueList", {N("100")}}}}}},
           {"ConditionalOperator", "OR"}});
    CHECK(versions(r["Items"]) == std::vector<std::string>{"2", "4", "6", "8", "10", "11", "12"});
    r = q({{"KeyConditions", hash},
           {"QueryFilter", {{"type", {{"ComparisonOperator", "NULL"}}}}},
           {"Limit", 3}});
    CHECK(r["Items"].empty());
    CHECK(r["ScannedCount"] == 3);
    CHECK(r["LastEvaluatedKey"] == json{{"pk", S("Item#1")}, {"v", N("3")}});
    // KeyConditions with expression parameters for the rest is allowed, as AWS allows it.
    r = q({{"KeyConditions", hash},
           {"FilterExpression", "#t = :t"},
           {"ExpressionAttributeNames", {{"#t", "type"}}},
           {"ExpressionAttributeValues", {{":t", S("odd")}}}});
    CHECK(r["Count"] == 6);
}

TEST_CASE_METHOD(legacy_fixture, "malformed KeyConditions and QueryFilter get AWS's messages",
                 "[emulator][dynamo][engine_legacy]") {
    auto msg = [&](json extra) {
        json r = {{"TableName", "events"}};
        r.update(extra);
        return validation("Query", r);
    };
    auto c = [](const std::string& op, json values) {
        return json{{"ComparisonOperator", op}, {"AttributeValueList", std::move(values)}};
    };
    const json pk_eq = c("EQ", {S("Item#1")});
    CHECK(msg({{"KeyConditions", {{"v", c("EQ", {N("1")})}}}}) ==
          "Query condition missed key schema element: pk");
    CHECK(msg({{"KeyConditions", {{"pk", pk_eq}, {"x", c("EQ", {N("1")})}}}}) ==
          "Query condition missed key schema element: v");
    CHECK(msg({{"KeyConditions", {{"pk", c("BEGINS_WITH", {S("I")})}}}}) ==
          "Query key condition not supported");
    CHECK(msg({{"KeyConditions", {{"pk", pk_eq}, {"v", c("NE", {N("1")})}}}}) ==
          "Attempted conditional constraint is not an indexable operation");
    CHECK(msg({{"KeyConditions", {{"pk", c("EQ", {N("1")})}}}}) ==
          invalid + "Condition parameter type does not match schema type");
    CHECK(msg({{"KeyConditions", json::object()}}) == "Conditions can be of length 1 or 2 only");
    CHECK(msg({{"KeyConditions", {{"pk", c("EQ", json::array())}}}}) ==
          invalid + "Invalid number of argument(s) for the EQ ComparisonOperator");
    CHECK(msg({{"KeyConditions", {{"pk", c("LIKE", {S("x")})}}}}).find("enum value set") !=
          std::string::npos);
    CHECK(msg({{"KeyConditions", {{"pk", pk_eq}}}, {"QueryFilter", {{"v", c("EQ", {N("1")})}}}}) ==
          "QueryFilter can only contain non-primary key attributes: Primary key attribute: v");
    CHECK(msg({{"KeyConditions", {{"pk", pk_eq}}},
               {"QueryFilter", {{"x", c("CONTAINS", {{{"SS", {"a"}}}})}}}}) ==
          invalid + "ComparisonOperator CONTAINS is not valid for SS AttributeValue type");
    CHECK(msg({{"KeyConditions", {{"pk", pk_eq}}}, {"ConditionalOperator", "OR"}}) ==
          "ConditionalOperator cannot be used without Filter or Expected");
    CHECK(msg({{"KeyConditionExpression", "pk = :p"},
               {"ExpressionAttributeValues", {{":p", S("x")}}},
               {"KeyConditions", {{"pk", pk_eq}}}}) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {KeyConditions} Expression parameters: "
          "{KeyConditionExpression}");
}

TEST_CASE_METHOD(legacy_fixture, "Scan with ScanFilter", "[emulator][dynamo][engine_legacy]") {
    put({{"pk", S("a")}, {"n", N("1")}});
    put({{"pk", S("b")}, {"n", N("2")}, {"s", S("x")}});
    put({{"pk", S("c")}, {"n", N("3")}});
    auto r =
        ok("Scan",
           {{"TableName", "things"},
            {"ScanFilter",
             {{"n", {{"ComparisonOperator", "IN"}, {"AttributeValueList", {N("1"), N("3")}}}}}}});
    CHECK(r["Count"] == 2);
    r = ok("Scan", {{"TableName", "things"},
                    {"ScanFilter",
                     {{"s", {{"ComparisonOperator", "NOT_NULL"}}},
                      {"n", {{"ComparisonOperator", "EQ"}, {"AttributeValueList", {N("3")}}}}}},
                    {"ConditionalOperator", "OR"},
                    {"AttributesToGet", {"pk"}}});
    CHECK(r["Count"] == 2);
    for (const auto& item : r["Items"]) CHECK(item.size() == 1);
    CHECK(validation("Scan", {{"TableName", "things"},
                              {"ScanFilter", {{"n", {{"ComparisonOperator", "NULL"}}}}},
                              {"FilterExpression", "attribute_exists(n)"}}) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}");
}

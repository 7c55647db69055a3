// compile_request(): the expression fields of whole requests, placeholder maps, reserved words,
// KeyConditionExpression rules and the key-attribute checks (issue 3, "The expression language,
// complete"; spec/dynamodb-api.md §1.4, §3.4, §4.1, §4.4, §5). Messages are from dynalite's
// test suite (run against AWS) unless noted.

#include "emulator/dynamo/expression_test_util.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/expression.hpp"
#include "esser/emulator/dynamo/reserved_words.hpp"

using namespace esser::emulator;           // NOLINT(google-build-using-namespace)
using namespace esser::emulator::testing;  // NOLINT(google-build-using-namespace)

namespace {

std::string query_error(std::string_view key_condition, std::string_view values = "",
                        std::string_view names = "") {
    nlohmann::json request = {{"TableName", "t"}, {"KeyConditionExpression", key_condition}};
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    if (!values.empty())
        request["ExpressionAttributeValues"] = nlohmann::json::parse(values);
    return compile_error(request.dump(), expression_context::query);
}

key_condition_expression key_condition_of(std::string_view expression, std::string_view values) {
    nlohmann::json request = {{"TableName", "t"},
                              {"KeyConditionExpression", expression},
                              {"ExpressionAttributeValues", nlohmann::json::parse(values)}};
    return *compile_ok(request.dump(), expression_context::query).key_condition;
}

}  // namespace

TEST_CASE("expression and legacy parameters cannot be mixed", "[emulator][dynamo][expression]") {
    CHECK(compile_error(R"({"TableName":"abc","Expected":{"a":{}},"AttributeUpdates":{},
        "ConditionExpression":"","UpdateExpression":""})",
                        expression_context::update_item) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: "
          "{UpdateExpression, ConditionExpression}");
    CHECK(compile_error(R"({"TableName":"abc","AttributesToGet":["a"],"QueryFilter":{},
        "ConditionalOperator":"OR","KeyConditions":{},"ProjectionExpression":"",
        "FilterExpression":"","KeyConditionExpression":"","ExpressionAttributeNames":{},
        "ExpressionAttributeValues":{}})",
                        expression_context::query) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator, "
          "KeyConditions} Expression parameters: {ProjectionExpression, FilterExpression, "
          "KeyConditionExpression}");
    // KeyConditions with only the other expressions is not counted as mixing.
    CHECK(compile_error(R"({"TableName":"abc","QueryFilter":{},"AttributesToGet":["a"],
        "KeyConditions":{},"ConditionalOperator":"OR","FilterExpression":"",
        "ProjectionExpression":""})",
                        expression_context::query) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator} "
          "Expression parameters: {ProjectionExpression, FilterExpression}");
    CHECK(compile_error(R"({"Expected":{},"ConditionExpression":"a = b"})",
                        expression_context::put_item) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}");
    // Transaction actions have no legacy fields: unknown members are ignored.
    CHECK(compile_error(R"({"Expected":{},"ConditionExpression":"a = b"})",
                        expression_context::transact_put) == "");
}

TEST_CASE("placeholder maps need an expression to use them", "[emulator][dynamo][expression]") {
    CHECK(compile_error(R"({"ExpressionAttributeNames":{}})", expression_context::put_item) ==
          "ExpressionAttributeNames can only be specified when using expressions");
    CHECK(compile_error(R"({"ExpressionAttributeValues":{}})", expression_context::put_item) ==
          "ExpressionAttributeValues can only be specified when using expressions: "
          "ConditionExpression is null");
    CHECK(compile_error(R"({"ExpressionAttributeValues":{}})", expression_context::update_item) ==
          "ExpressionAttributeValues can only be specified when using expressions: "
          "UpdateExpression and ConditionExpression are null");
    CHECK(compile_error(R"({"ExpressionAttributeValues":{},"ProjectionExpression":"a"})",
                        expression_context::query) ==
          "ExpressionAttributeValues can only be specified when using expressions: "
          "FilterExpression and KeyConditionExpression are null");
    CHECK(compile_error(R"({"ExpressionAttributeValues":{}})", expression_context::scan) ==
          "ExpressionAttributeValues can only be specified when using expressions: "
          "FilterExpression is null");
    // GetItem has no ExpressionAttributeValues member: it is ignored.
    CHECK(compile_error(R"({"ProjectionExpression":"a","ExpressionAttributeValues":{":v":1}})",
                        expression_context::get_item) == "");
    CHECK(compile_error(R"({"ExpressionAttributeNames":null,"ConditionExpression":null})",
                        expression_context::put_item) == "");
}

TEST_CASE("placeholder maps are validated", "[emulator][dynamo][expression]") {
    CHECK(compile_error(R"({"KeyConditionExpression":"","ExpressionAttributeNames":{},
                            "ExpressionAttributeValues":{}})",
                        expression_context::query) == "ExpressionAttributeNames must not be empty");
    CHECK(compile_error(R"({"KeyConditionExpression":"","ExpressionAttributeNames":{"a":"a"},
                            "ExpressionAttributeValues":{}})",
                        expression_context::query) ==
          "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
    for (const char* key : {"#", "#a-b", "#a.b", "a#", "#\xC3\xBC"}) {
        INFO(key);
        nlohmann::json r = {{"ConditionExpression", "a = b"},
                            {"ExpressionAttributeNames", {{key, "x"}}}};
        CHECK(compile_error(r.dump(), expression_context::put_item) ==
              std::string("ExpressionAttributeNames contains invalid key: Syntax error; key: \"") +
                  key + "\"");
    }
    CHECK(compile_error(R"({"KeyConditionExpression":"","ExpressionAttributeValues":{}})",
                        expression_context::query) ==
          "ExpressionAttributeValues must not be empty");
    CHECK(compile_error(
              R"({"KeyConditionExpression":"","ExpressionAttributeValues":{"a":{"S":"b"}}})",
              expression_context::query) ==
          "ExpressionAttributeValues contains invalid key: Syntax error; key: \"a\"");
    CHECK(compile_error(R"({"ConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{}}})",
                        expression_context::put_item) ==
          "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
          "must contain exactly one of the supported datatypes for key :a");
    CHECK(compile_error(R"({"ConditionExpression":"a = :a",
                            "ExpressionAttributeValues":{":a":{"SS":[]}}})",
                        expression_context::put_item) ==
          "ExpressionAttributeValues contains invalid value: One or more parameter values were "
          "invalid: An string set  may not be empty for key :a");
    CHECK(compile_error(R"({"ConditionExpression":"a = :a",
                            "ExpressionAttributeValues":{":a":{"N":"x"}}})",
                        expression_context::put_item) ==
          "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to "
          "a numeric value: x for key :a");
    CHECK(compile_error(R"({"ConditionExpression":"#n = a","ExpressionAttributeNames":{"#n":""}})",
                        expression_context::put_item) ==
          "ExpressionAttributeNames contains invalid value: Empty attribute name for key #n");
}

TEST_CASE("fields of the wrong JSON type are serialization errors",
          "[emulator][dynamo][expression]") {
    CHECK(compile_error(R"({"ConditionExpression":23})", expression_context::put_item) ==
          "SerializationException: NUMBER_VALUE cannot be converted to String");
    CHECK(compile_error(R"({"ConditionExpression":true})", expression_context::put_item) ==
          "SerializationException: TRUE_VALUE cannot be converted to String");
    CHECK(compile_error(R"({"ConditionExpression":34.56})", expression_context::put_item) ==
          "SerializationException: DECIMAL_VALUE cannot be converted to String");
    CHECK(compile_error(R"({"ConditionExpression":[]})", expression_context::put_item) ==
          "SerializationException: Unrecognized collection type class java.lang.String");
    CHECK(compile_error(R"({"ConditionExpression":{}})", expression_context::put_item) ==
          "SerializationException: Start of structure or map found where not expected");
    CHECK(compile_error(R"({"ConditionExpression":"a=b","ExpressionAttributeNames":{"#a":1}})",
                        expression_context::put_item) ==
          "SerializationException: NUMBER_VALUE cannot be converted to String");
    CHECK(compile_error(R"({"ConditionExpression":"a=b","ExpressionAttributeNames":[]})",
                        expression_context::put_item) ==
          "SerializationException: Unrecognized collection type java.util.Map<java.lang.String, "
          "java.lang.String>");
    CHECK_THAT(
        compile_error(R"({"ConditionExpression":"a=:v","ExpressionAttributeValues":{":v":5}})",
                      expression_context::put_item),
        Catch::StartsWith("SerializationException: "));
}

TEST_CASE("a query needs a key condition", "[emulator][dynamo][expression]") {
    CHECK(compile_error(R"({"TableName":"t"})", expression_context::query) ==
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    CHECK(compile_error(R"({"KeyConditionExpression":"","FilterExpression":"",
        "ProjectionExpression":"","ExpressionAttributeValues":{":0":{"S":"b"}}})",
                        expression_context::query) ==
          "Invalid KeyConditionExpression: The expression can not be empty;");
    CHECK(compile_error(R"j({"KeyConditionExpression":"attribute_type(a, :a)","FilterExpression":"",
        "ProjectionExpression":"","ExpressionAttributeValues":{":a":{"S":"N"}}})j",
                        expression_context::query) ==
          "Invalid FilterExpression: The expression can not be empty;");
    CHECK(compile_error(R"j({"KeyConditionExpression":"attribute_type(a, :a)",
        "FilterExpression":"a > b","ProjectionExpression":"","ExpressionAttributeValues":{":a":{"S":"N"}}})j",
                        expression_context::query) ==
          "Invalid ProjectionExpression: The expression can not be empty;");
}

TEST_CASE("key conditions are restricted", "[emulator][dynamo][expression]") {
    SECTION("syntax and operand types come first") {
        for (const char* e : {"things are not gonna be ok", "a > 4", "(size(a))[0] > a"}) {
            INFO(e);
            CHECK_THAT(query_error(e),
                       Catch::StartsWith("Invalid KeyConditionExpression: Syntax error; "));
        }
        CHECK_THAT(query_error("attribute_type(a, b)"),
                   Catch::StartsWith("Invalid KeyConditionExpression: Incorrect operand type for "
                                     "operator or function; operator or function: attribute_type, "
                                     "operand type:"));
        CHECK(query_error("attribute_type(a, :a)", R"({":a":{"S":"S"}})") ==
              "Invalid operator used in KeyConditionExpression: attribute_type");
    }
    SECTION("invalid operators") {
        const std::pair<const char*, const char*> cases[] = {
            {"a > b and size(b) > c or a > c", "OR"},
            {"a in (b, size(c), d)", "IN"},
            {"attribute_exists(a)", "attribute_exists"},
            {"attribute_not_exists(a)", "attribute_not_exists"},
            {"contains(a.d, b)", "contains"},
            {"not a > b", "NOT"},
            {"a <> b", "<>"},
        };
        for (const auto& [e, op] : cases) {
            INFO(e);
            CHECK(query_error(e) ==
                  std::string("Invalid operator used in KeyConditionExpression: ") + op);
        }
    }
    SECTION("structure") {
        const char* ab = R"({":a":{"S":"1"},":b":{"S":"1"}})";
        CHECK(query_error(":a between size(b) and size(a) and b > :b", ab) ==
              "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
              "attribute as its first operand");
        CHECK(query_error("begins_with(:a, b) and a > :b", ab) ==
              "Invalid condition in KeyConditionExpression: begins_with operator must have the "
              "key attribute as its first operand");
        for (const char* e : {"size(b) > a AND a.b > b AND b > c", "a > size(b.d)",
                              "a between size(b) and size(a)"}) {
            INFO(e);
            CHECK(query_error(e) == "KeyConditionExpressions cannot contain nested operations");
        }
        for (const char* e :
             {"b > a.b", "b between c[1] and d", "a between b and size(a)", "begins_with(a, b)"}) {
            INFO(e);
            CHECK(query_error(e) ==
                  "Invalid condition in KeyConditionExpression: Multiple "
                  "attribute names used in one condition");
        }
        for (const char* e : {"b.d > a AND c.d > e.f", "a.d > c", "b[0] > a"}) {
            INFO(e);
            CHECK(query_error(e) ==
                  "KeyConditionExpressions cannot have conditions on nested attributes");
        }
        const char* n = R"({":a":{"N":"1"},":b":{"N":"1"}})";
        for (const char* e : {":b > :a AND a < :b", ":a > b AND :a < :b"}) {
            INFO(e);
            CHECK(query_error(e, n) ==
                  "Invalid condition in KeyConditionExpression: No key attribute specified");
        }
        for (const char* e : {"b > :a AND b < :a and c = :a and d = :a",
                              "(a > :a and b > :a) and (b > :a and c > :a)"}) {
            INFO(e);
            CHECK(query_error(e, R"({":a":{"N":"1"}})") ==
                  "KeyConditionExpressions must only contain one condition per key");
        }
        CHECK(query_error("a = :a and b = :a and c = :a", R"({":a":{"N":"1"}})") ==
              "Conditions can be of length 1 or 2 only");
        CHECK(query_error("a between :b and :a", R"({":a":{"S":"a"},":b":{"N":"1"}})") ==
              "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for "
              "lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound "
              "operand: AttributeValue: {S:a}");
    }
}

TEST_CASE("a key condition resolves against the queried key schema",
          "[emulator][dynamo][expression]") {
    const key_schema hash_only{{"a", value_type::S}, std::nullopt};
    const key_schema range_s{{"a", value_type::S}, key_attribute{"b", value_type::S}};
    const key_schema range_n{{"a", value_type::S}, key_attribute{"v", value_type::N}};
    const char* s = R"({":a":{"S":"1"}})";
    SECTION("unsupported conditions and missing keys") {
        for (const char* e : {"a > :a", "a < :a", ":a <= a", ":a >= a", "begins_with(a, :a)",
                              "a between :a and :a", "a = :a AND b = :a", "y = :a and z = :a"}) {
            INFO(e);
            auto r = key_condition_of(e, s).resolve(hash_only);
            REQUIRE_FALSE(r);
            CHECK(r.error().message == "Query key condition not supported");
        }
        CHECK(key_condition_of("b = :a", s).resolve(range_s).error().message ==
              "Query condition missed key schema element: a");
        CHECK(key_condition_of("a = :a and c = :a", s).resolve(range_s).error().message ==
              "Query condition missed key schema element: b");
        CHECK(key_condition_of("a = :a", R"({":a":{"N":"1"}})").resolve(range_s).error().message ==
              "One or more parameter values were invalid: Condition parameter type does not match "
              "schema type");
        CHECK(key_condition_of("a = :a and v > :b", R"({":a":{"S":"1"},":b":{"S":"1"}})")
                  .resolve(range_n)
                  .error()
                  .message ==
              "One or more parameter values were invalid: Condition parameter type does not match "
              "schema type");
    }
    SECTION("the hash value and a range predicate for an ordered scan") {
        auto kc = key_condition_of("a = :h", R"({":h":{"S":"Item#1"}})");
        auto r = kc.resolve(range_n);
        REQUIRE(r);
        CHECK(r->hash->as_s() == "Item#1");
        CHECK(r->range == range_operator::none);
        CHECK(r->matches_range(attribute_value::n(decimal::from_int(5))));

        auto kc2 = key_condition_of(":lo <= v AND a = :h", R"({":h":{"S":"x"},":lo":{"N":"10"}})");
        auto r2 = kc2.resolve(range_n);
        REQUIRE(r2);
        CHECK(r2->range == range_operator::ge);  // mirrored
        CHECK(r2->lower->as_n() == decimal::from_int(10));
        CHECK(r2->matches_range(attribute_value::n(decimal::from_int(10))));
        CHECK_FALSE(r2->matches_range(attribute_value::n(decimal::from_int(9))));
        CHECK_FALSE(r2->matches_range(attribute_value::s("10")));

        auto kc3 = key_condition_of("a = :h AND v BETWEEN :lo AND :hi",
                                    R"({":h":{"S":"x"},":lo":{"N":"2"},":hi":{"N":"12"}})");
        auto r3 = kc3.resolve(range_n);
        REQUIRE(r3);
        CHECK(r3->range == range_operator::between);
        CHECK(r3->matches_range(attribute_value::n(decimal::from_int(12))));
        CHECK_FALSE(r3->matches_range(attribute_value::n(decimal::from_int(13))));

        auto kc4 = key_condition_of("begins_with(b, :p) AND a = :h",
                                    R"({":h":{"S":"x"},":p":{"S":"ab"}})");
        auto r4 = kc4.resolve(range_s);
        REQUIRE(r4);
        CHECK(r4->range == range_operator::begins_with);
        CHECK(r4->matches_range(attribute_value::s("abc")));
        CHECK_FALSE(r4->matches_range(attribute_value::s("b")));
        auto a = kc4.attributes();
        CHECK(std::vector<std::string>(a.begin(), a.end()) == std::vector<std::string>{"a", "b"});
    }
}

TEST_CASE("filters and projections cannot touch key attributes that way",
          "[emulator][dynamo][expression]") {
    const key_schema table{{"a", value_type::S}, key_attribute{"b", value_type::S}};
    const key_schema index{{"c", value_type::S}, key_attribute{"d", value_type::S}};
    const index_keys indexes[] = {{"index4", &index}};
    for (const char* e : {"attribute_exists(a.b) AND b = :b", "a = :b", "a[1] = :b"}) {
        INFO(e);
        nlohmann::json r = {
            {"KeyConditionExpression", "a = :a"},
            {"FilterExpression", e},
            {"ExpressionAttributeValues", {{":a", {{"S", "1"}}}, {":b", {{"N", "1"}}}}}};
        auto c = compile_ok(r.dump(), expression_context::query);
        auto err = check_filter_keys(*c.filter, table);
        REQUIRE(err);
        CHECK(err->message ==
              "Filter Expression can only contain non-primary key attributes: Primary key "
              "attribute: a");
    }
    auto c = compile_ok(R"({"KeyConditionExpression":"a = :a","FilterExpression":"d[1] = :b",
                           "ExpressionAttributeValues":{":a":{"S":"1"},":b":{"N":"1"}}})",
                        expression_context::query);
    CHECK_FALSE(check_filter_keys(*c.filter, table));
    CHECK(check_nested_key_paths(c.filter->nested_attributes(), table, indexes)->message ==
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: IndexKey: d");
    auto p = compile_ok(R"({"ProjectionExpression":"x, a.b"})", expression_context::get_item);
    CHECK(check_nested_key_paths(p.projection->nested_attributes(), table)->message ==
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: Key: a");
}

TEST_CASE("unused placeholders are checked across all expressions of a request",
          "[emulator][dynamo][expression]") {
    CHECK(compile_error(R"({"KeyConditionExpression":"#k = :k","FilterExpression":"#f > :f",
        "ProjectionExpression":"#p","ExpressionAttributeNames":{"#k":"a","#f":"b","#p":"c"},
        "ExpressionAttributeValues":{":k":{"S":"x"},":f":{"N":"1"}}})",
                        expression_context::query) == "");
    CHECK(compile_error(R"({"KeyConditionExpression":"#k = :k","ProjectionExpression":"#p",
        "ExpressionAttributeNames":{"#k":"a","#f":"b","#p":"c","#z":"d"},
        "ExpressionAttributeValues":{":k":{"S":"x"},":f":{"N":"1"}}})",
                        expression_context::query) ==
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {#f, #z}");
    CHECK(compile_error(R"({"KeyConditionExpression":"#k = :k","ProjectionExpression":"#p",
        "ExpressionAttributeNames":{"#k":"a","#p":"c"},
        "ExpressionAttributeValues":{":k":{"S":"x"},":f":{"N":"1"}}})",
                        expression_context::query) ==
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {:f}");
}

TEST_CASE("the reserved word list is AWS's", "[emulator][dynamo][expression]") {
    CHECK(reserved_word_count() == 573);
    // spec §4.1: event-store names that are reserved, and some that are not.
    for (const char* w :
         {"DATA",   "TYPE",     "TIMESTAMP", "SEQUENCE",      "STREAM", "KEY",      "NAME",
          "STATUS", "COUNT",    "VALUE",     "SIZE",          "DATE",   "USER",     "TTL",
          "ITEMS",  "POSITION", "AGGREGATE", "OWNER",         "abort",  "Absolute", "zone",
          "ADD",    "SET",      "DELETE",    "LOCALTIMESTAMP"}) {
        INFO(w);
        CHECK(is_reserved_word(w));
    }
    for (const char* w : {"VERSION", "EVENT", "ID", "PK", "SK", "REVISION", "REMOVE", "", "A1",
                          "LOCALTIMESTAMPS", "ABORT_"}) {
        INFO(w);
        CHECK_FALSE(is_reserved_word(w));
    }
}

TEST_CASE("compile_expressions takes decoded inputs", "[emulator][dynamo][expression]") {
    expression_source src;
    src.condition = "attribute_not_exists(#p) OR v < :v";
    src.names = {{"#p", "pk"}};
    src.values = attribute_map({{":v", attribute_value::n(decimal::from_int(3))}});
    auto c = compile_expressions(std::move(src));
    REQUIRE(c);
    CHECK(c->condition->evaluate(attribute_map{}));
    auto stored = make_item(R"({"pk":{"S":"x"},"v":{"N":"5"}})");
    CHECK_FALSE(c->condition->evaluate(stored));
}

TEST_CASE("cached compilations respect each request's names", "[emulator][dynamo][expression]") {
    // Expressions without values are cached per thread by (text, names): a second request with
    // the same text must still count its names as used, and other names must not reuse it.
    const auto x = make_item(R"({"x":{"N":"1"}})");
    const std::string cond = R"j({"ConditionExpression":"attribute_exists(#a)",)j";
    for (int round = 0; round < 2; ++round) {
        auto a = compile_ok(cond + R"("ExpressionAttributeNames":{"#a":"x"}})",
                            expression_context::put_item);
        CHECK(a.condition->evaluate(x));
        auto b = compile_ok(cond + R"("ExpressionAttributeNames":{"#a":"y"}})",
                            expression_context::put_item);
        CHECK_FALSE(b.condition->evaluate(x));
        CHECK(compile_error(cond + R"("ExpressionAttributeNames":{"#a":"x","#b":"y"}})",
                            expression_context::put_item) ==
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
        // The same text as a filter is compiled for its own kind.
        CHECK(compile_error(R"j({"FilterExpression":"attribute_exists(#a)",)j"
                            R"("ExpressionAttributeNames":{"#a":"x"}})",
                            expression_context::scan) == "");
    }
    // Many distinct expressions: the cache stays bounded and results stay right.
    for (int i = 0; i < 1000; ++i) {
        const std::string name = "a" + std::to_string(i);
        nlohmann::json r = {{"ConditionExpression", "attribute_not_exists(" + name + ")"}};
        auto c = compile_request(r, expression_context::put_item);
        REQUIRE(c);
        CHECK_FALSE(c->condition->evaluate(make_item("{\"" + name + "\":{\"N\":\"1\"}}")));
    }
}

// UpdateExpression: syntax, semantic errors, key checks and application (issue 3, "The
// expression language, complete"; spec/dynamodb-api.md §3.3, §4.5). Expected messages and
// behaviours come from dynalite's test/updateItem.js and Alternator's test_update_expression.py,
// both run against AWS, and moto's tokenizer tests for the token/near format.

#include "emulator/dynamo/expression_test_util.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/expression.hpp"

using namespace esser::emulator;           // NOLINT(google-build-using-namespace)
using namespace esser::emulator::testing;  // NOLINT(google-build-using-namespace)

namespace {

std::string update_error(std::string_view expression, std::string_view names = "",
                         std::string_view values = "", std::string_view condition = "") {
    nlohmann::json request = {{"TableName", "t"}, {"UpdateExpression", expression}};
    if (!condition.empty())
        request["ConditionExpression"] = condition;
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    if (!values.empty())
        request["ExpressionAttributeValues"] = nlohmann::json::parse(values);
    return compile_error(request.dump(), expression_context::update_item);
}

update_expression compile_update(std::string_view expression, std::string_view values = "",
                                 std::string_view names = "") {
    nlohmann::json request = {{"TableName", "t"}, {"UpdateExpression", expression}};
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    if (!values.empty())
        request["ExpressionAttributeValues"] = nlohmann::json::parse(values);
    return *compile_ok(request.dump(), expression_context::update_item).update;
}

const attribute_map key_p = make_item(R"({"p":{"S":"k"}})");

// Applies to `old_json` (or to a missing item when empty); returns the new item as JSON, or
// "error: <message>".
nlohmann::json apply(std::string_view expression, std::string_view old_json,
                     std::string_view values = "", std::string_view names = "") {
    const auto u = compile_update(expression, values, names);
    std::optional<attribute_map> old;
    if (!old_json.empty())
        old = make_item(old_json);
    auto r = u.apply(old ? &*old : nullptr, key_p);
    if (!r)
        return "error: " + r.error().message;
    return to_json(*r);
}

nlohmann::json j(std::string_view text) {
    return nlohmann::json::parse(text);
}

}  // namespace

TEST_CASE("update syntax errors are reported as syntax errors", "[emulator][dynamo][expression]") {
    // dynalite test/updateItem.js "should return ValidationException for syntax errors".
    const char* expressions[] = {
        "whatever",
        "set a",
        "add a",
        "delete a",
        "set a=set",
        "remove a = b",
        "add a = b",
        "delete a = b",
        "delete a b",
        "delete a if_not_exist(b)",
        "add abort b",
        "add a if_not_exist(b)",
        "remove a b",
        "set a b",
        "set :a = b",
        "add :a b",
        "delete :a b",
        "remove :a",
        "set a = b / c",
        "set a = b * c",
        "set a[1] = \"eight\"",
        "set a[1] = 1",
        "SET a = if_not_exist(a, 100)",
        "SET if_not_exist(a, b) = a",
        "set (a = (b + c))",
        "set a = (b.c).d + e",
        "set a = (b.c)[0] + e",
        "set a = b + c + d",
        // Alternator (AWS-run): names start with a letter; no index placeholders; no nesting
        // of + inside a function; a lone ":" or "#".
        "SET _123 = :v",
        "SET 123a = :v",
        "SET hi-there = :v",
        "SET a[:xyz] = :v",
        "SET a[#xyz] = :v",
        "SET c = if_not_exists(c, :a+:b)",
        "SET a = :",
        "SET # = :v",
        "SET a = _f(b)",
        "HELLO b = :v",
        "SET a = :v SET",
        "SET a = :v,",
    };
    for (const char* e : expressions) {
        INFO(e);
        CHECK_THAT(update_error(e), Catch::StartsWith("Invalid UpdateExpression: Syntax error; "));
    }
    // Valid on AWS (commented out of dynalite's syntax-error list after running on AWS).
    for (const char* e : {"set a[1] = b", "set a.b = b", "SET a = if_not_exists(a, b) + b",
                          "SET a = if_not_exists(a, if_not_exists(a, b))", "set a = (b + c)",
                          "set a = ((b.c.d)+(e))", "  set   b=a  ", "sEt a = b REMOVE c"}) {
        INFO(e);
        CHECK(update_error(e) == "");
    }
}

TEST_CASE("update syntax errors name the token and context as AWS does",
          "[emulator][dynamo][expression]") {
    // moto tests/test_dynamodb/test_dynamodb_expressions.py (format checked against AWS).
    const std::tuple<const char*, const char*, const char*> cases[] = {
        {"SET attrName = 3", "3", "= 3"},
        {"SET attrName = 34", "34", "= 34"},
        {"SET MyStr[ 3", "<EOF>", "3"},
        {"SET MyStr[3 )", ")", "3 )"},
        {"SET MyStr[3)", ")", "3)"},
        {"SET 2", "2", "SET 2"},
        {"2", "2", "2"},
        {"SET )", ")", "SET )"},
        {"SET ) 3", ")", "SET ) 3"},
        {"SET MyStr[ 3 ", "<EOF>", "3 "},
        {"SET MyStr = (:_val", "<EOF>", ":_val"},
        {"SET MyStr = (:_val ", "<EOF>", ":_val "},
        {"SET MyStr = [:_val", "[", "= [:_val"},
        {"SET MyStr = [:_val  ", "[", "= [:_val"},
        {"SET MyStr = (:_val + (:val2", "<EOF>", ":val2"},
        {"SET MyStr = ):_val", ")", "= ):_val"},
        {"SET MyStr = ]:_val", "]", "= ]:_val"},
        {"SET MyStr = ):_val + :val2", ")", "= ):_val"},
        {"RESET NonExistent", "RESET", "RESET NonExistent"},
        {"RESET NonExistent value", "RESET", "RESET NonExistent"},
        {"  RESET NonExistent value", "RESET", "  RESET NonExistent"},
        {"RESET", "RESET", "RESET"},
        {"SET a[0].b = 5", "5", "= 5"},
        {"SET a [  2 ]. b = 5", "5", "= 5"},
        {"SET a [2][ 3  ]. b = 5", "5", "= 5"},
        {"SET a . b = 5", "5", "= 5"},
        {"SET a [  [2] ]. b = 5", "[", "[  [2"},
        {"SET a [2 1]. b = 5", "1", "2 1]"},
        {"SET #a a = 5", "a", "#a a ="},
        {"SET #a.a = 5", "5", "= 5"},
        {"SET MyStr = NoExist + + :_val ", "+", "+ + :_val"},
        {"SET MyStr = myNum + 1", "1", "+ 1"},
        {"SET MyStr = myNum Mystr2 myNum2", "Mystr2", "myNum Mystr2 myNum2"},
        {"SET _123 = :v", "_", "SET _123"},
        {"SET a = :v,", "<EOF>", ","},
    };
    for (const auto& [e, tok, near] : cases) {
        INFO(e);
        CHECK(update_error(e) == std::string("Invalid UpdateExpression: Syntax error; token: \"") +
                                     tok + "\", near: \"" + near + "\"");
    }
}

TEST_CASE("update semantic errors use AWS's messages", "[emulator][dynamo][expression]") {
    const char* names = R"({"#a":"a","#b":"b"})";
    const char* values = R"({":a":{"S":"a"},":b":{"S":"a"}})";
    SECTION("reserved words, as written") {
        CHECK(update_error(" set #c = :c set abOrt = true ", names, values) ==
              "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
              "abOrt");
        CHECK(update_error(" remove Absolute ", names, values) ==
              "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
              "Absolute");
    }
    SECTION("unknown functions") {
        CHECK(update_error("set #c = if_not_exist(:c) set c = d", names, values) ==
              "Invalid UpdateExpression: Invalid function name; function: if_not_exist");
        CHECK(update_error("SET a = f123_hi(b,c,d)") ==
              "Invalid UpdateExpression: Invalid function name; function: f123_hi");
        CHECK(update_error("SET a = LIST_APPEND(b, c)") ==
              "Invalid UpdateExpression: Invalid function name; function: LIST_APPEND");
    }
    SECTION("sections used twice") {
        const std::pair<const char*, const char*> cases[] = {
            {"set a = #c set c = :d", "SET"},
            {"remove #d set a = b remove e", "REMOVE"},
            {"add #d :e set a = b add e :f", "ADD"},
            {"delete #d :e set a = b delete #e :f", "DELETE"},
        };
        for (const auto& [e, section] : cases) {
            INFO(e);
            CHECK(update_error(e, names, values) ==
                  std::string("Invalid UpdateExpression: The \"") + section +
                      "\" section can only be used once in an update expression;");
        }
    }
    SECTION("undefined placeholders") {
        CHECK(update_error("SET #c = if_not_exists(:c)", names, values) ==
              "Invalid UpdateExpression: An expression attribute name used in the document path "
              "is not defined; attribute name: #c");
        CHECK(update_error("SET #a = if_not_exists(:c)", names, values) ==
              "Invalid UpdateExpression: An expression attribute value used in expression is not "
              "defined; attribute value: :c");
    }
    SECTION("overlapping and conflicting paths, after names are resolved") {
        const char* n = R"({"#b":"b","#c":"c","#d":"[3]"})";
        CHECK(update_error("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
                           R"({"#c":"c"})") ==
              "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
              "or rewrite one of these paths; path one: [c, [1], a], path two: [c]");
        CHECK(update_error("set #c[3].#d = a, #c[3] = a", R"({"#c":"c","#d":"[3]"})") ==
              "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
              "or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]");
        CHECK(update_error("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)",
                           R"({"#c":"c","#d":"[3]"})") ==
              "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
              "or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]");
        CHECK(update_error("remove a.#c set a[1] = #d", R"({"#c":"c","#d":"[3]"})") ==
              "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
              "or rewrite one of these paths; path one: [a, c], path two: [a, [1]]");
        (void)n;
        // alternator test_update_expression_multi_overlap(_nested): all overlap.
        for (const char* e :
             {"SET a = :v1, a.b = :v2", "SET a.b = :v1, a = :v2", "SET a.b = :v1, a.b = :v2",
              "SET a.b = :v1, a.b.c = :v2", "SET a.b.c = :v1, a.b = :v2",
              "SET a.b = :v1, a.b.c.d.e = :v2", "SET a = :v1, a[1] = :v2",
              "SET a[1] = :v1, a = :v2", "SET a[1][1] = :v1, a[1] = :v2",
              "SET a[1][1][1][1] = :v1, a[1][1][1][1] = :v2", "REMOVE a SET a = :v1, b = :v2",
              "SET a = :v1 REMOVE a SET b = :v2"}) {
            INFO(e);
            CHECK_THAT(update_error(e, "", R"({":v1":{"N":"1"},":v2":{"N":"2"}})"),
                       Catch::Contains("overlap") || Catch::Contains("\"SET\" section"));
        }
        CHECK_THAT(update_error("SET a.b.c = :v1, a.b[2] = :v2", "",
                                R"({":v1":{"N":"1"},":v2":{"N":"2"}})"),
                   Catch::Contains("conflict"));
        CHECK(update_error("SET a.b = :v1, a.c.d = :v2, b.x = :v1 REMOVE a.x, b.y", "",
                           R"({":v1":{"N":"1"},":v2":{"N":"2"}})") == "");
    }
    SECTION("ADD and DELETE operand types") {
        const std::tuple<const char*, const char*, const char*, const char*> cases[] = {
            {"set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", R"({"S":"a"})", "ADD",
             "STRING"},
            {"delete a.b :a", R"({"S":"a"})", "DELETE", "STRING"},
            {"add a.b :a", R"({"NULL":true})", "ADD", "NULL"},
            {"delete a.b :a", R"({"NULL":true})", "DELETE", "NULL"},
            {"add a.b :a", R"({"BOOL":false})", "ADD", "BOOLEAN"},
            {"delete a.b :a", R"({"BOOL":false})", "DELETE", "BOOLEAN"},
            {"add a.b :a", R"({"B":"YQ=="})", "ADD", "BINARY"},
            {"delete a.b :a", R"({"B":"YQ=="})", "DELETE", "BINARY"},
            {"add a.b :a", R"({"M":{"a":{"L":[{"N":"1"}]}}})", "ADD", "MAP"},
            {"delete a.b :a", R"({"M":{"a":{"L":[{"N":"1"}]}}})", "DELETE", "MAP"},
            {"add a.b :a", R"({"L":[{"N":"1"}]})", "ADD", "LIST"},
            {"delete a.b :a", R"({"L":[{"N":"1"}]})", "DELETE", "LIST"},
            {"delete a.b :a", R"({"N":"1"})", "DELETE", "NUMBER"},
        };
        for (const auto& [e, v, op, type] : cases) {
            INFO(e);
            CHECK(update_error(e, "", std::string(R"({":b":{"S":"a"},":a":)") + v + "}") ==
                  std::string("Invalid UpdateExpression: Incorrect operand type for operator or "
                              "function; operator: ") +
                      op + ", operand type: " + type);
        }
    }
    SECTION("function arity, path requirement and operand types") {
        CHECK(update_error("set a = if_not_exists(c)") ==
              "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
              "operator or function: if_not_exists, number of operands: 1");
        CHECK(update_error("set a = list_append(c)") ==
              "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
              "operator or function: list_append, number of operands: 1");
        CHECK(update_error("set a = if_not_exists(:a, c)", "", R"({":a":{"S":"a"}})") ==
              "Invalid UpdateExpression: Operator or function requires a document path; operator "
              "or function: if_not_exists");
        CHECK(update_error("set a = if_not_exists(if_not_exists(a, b), c)") ==
              "Invalid UpdateExpression: Operator or function requires a document path; operator "
              "or function: if_not_exists");
        const char* vals = R"({":a":{"S":"a"},":b":{"N":"1"},":c":{"B":"YQ=="},
            ":d":{"BOOL":false},":e":{"NULL":true},":f":{"SS":["a"]},":g":{"NS":["1"]},
            ":h":{"BS":["YQ=="]},":i":{"M":{}},":j":{"L":[]}})";
        const std::tuple<const char*, const char*, const char*> cases[] = {
            {"list_append(:a, a)", "list_append", "S"},
            {"list_append(a, :b)", "list_append", "N"},
            {"list_append(:c, a)", "list_append", "B"},
            {"list_append(:d, a)", "list_append", "BOOL"},
            {"list_append(:e, a)", "list_append", "NULL"},
            {"list_append(:f, a)", "list_append", "SS"},
            {"list_append(:g, a)", "list_append", "NS"},
            {"list_append(:h, a)", "list_append", "BS"},
            {"list_append(:i, a)", "list_append", "M"},
            {"a + :a", "+", "S"},
            {":a + :c", "+", "S"},
            {":c + a", "+", "B"},
            {"a + :d", "+", "BOOL"},
            {"a + :e", "+", "NULL"},
            {"a + :f", "+", "SS"},
            {"a + :g", "+", "NS"},
            {"a + :h", "+", "BS"},
            {"a + :i", "+", "M"},
            {"a + :j", "+", "L"},
            {"a - :a", "-", "S"},
            {":a - :c", "-", "S"},
            {":c - a", "-", "B"},
            {"a - :j", "-", "L"},
        };
        for (const auto& [rhs, f, type] : cases) {
            INFO(rhs);
            nlohmann::json v = j(vals);
            // Keep only the values the expression uses (the others would be "unused").
            nlohmann::json used = nlohmann::json::object();
            for (auto& [k, x] : v.items()) {
                if (std::string(rhs).find(k) != std::string::npos)
                    used[k] = x;
            }
            CHECK(update_error(std::string("set a = ") + rhs, "", used.dump()) ==
                  std::string("Invalid UpdateExpression: Incorrect operand type for operator or "
                              "function; operator or function: ") +
                      f + ", operand type: " + type);
        }
    }
    SECTION("list_append cannot nest list_append; functions from conditions are misused") {
        const char* vals = R"({":v1":{"L":[]},":v2":{"L":[]},":v3":{"L":[]}})";
        CHECK(update_error("SET a = list_append(list_append(:v1, :v2), :v3)", "", vals) ==
              "Invalid UpdateExpression: The function is not allowed to be used this way in an "
              "expression; function: list_append");
        CHECK(update_error("SET a = list_append(if_not_exists(a, :v1), :v2)", "",
                           R"({":v1":{"L":[]},":v2":{"L":[]}})") == "");
        CHECK(update_error("SET a = size(b)") ==
              "Invalid UpdateExpression: The function is not allowed to be used this way in an "
              "expression; function: size");
    }
}

TEST_CASE("placeholders are checked across the update and the condition",
          "[emulator][dynamo][expression]") {
    // dynalite "should return ValidationException for extra ExpressionAttributeNames/Values".
    CHECK(update_error("remove a set b = list_append(b, if_not_exists(a, :a))",
                       R"({"#a":"a","#b":"b"})", R"({":a":{"S":"a"},":b":{"S":"a"}})", "a = :b") ==
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}");
    CHECK(update_error("remove a", "", R"({":a":{"S":"a"},":b":{"S":"a"},":c":{"S":"a"}})",
                       "a = :b") ==
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}");
    // Used in either expression counts (alternator test_update_condition_unused_entries_*).
    CHECK(update_error("SET #name1 = :val3", R"({"#name1":"a","#name2":"b"})",
                       R"({":val1":{"N":"1"},":val2":{"N":"2"},":val3":{"N":"3"}})",
                       "#name1 = :val1 OR #name2 = :val2") == "");
    // The update is compiled first: its errors win over the condition's.
    CHECK(update_error("SET a = :x", "", "", "b = :y") ==
          "Invalid UpdateExpression: An expression attribute value used in expression is not "
          "defined; attribute value: :x");
}

TEST_CASE("the key attributes cannot be updated", "[emulator][dynamo][expression]") {
    key_schema table{{"a", value_type::S}, std::nullopt};
    for (const char* e : {"add a.b :a", "remove d set b = :a, a = :a", "set a = a.b + a[1]"}) {
        INFO(e);
        auto u = compile_update(
            e, std::string(e).find(":a") != std::string::npos ? R"({":a":{"N":"1"}})" : "");
        auto err = u.check_keys(table);
        REQUIRE(err);
        CHECK(err->message ==
              "One or more parameter values were invalid: Cannot update attribute a. This "
              "attribute is part of the key");
    }
    auto del = compile_update("delete b :a remove a", R"({":a":{"NS":["1"]}})");
    CHECK(del.check_keys(table)->message ==
          "One or more parameter values were invalid: Cannot update attribute a. This attribute "
          "is part of the key");
    key_schema range_table{{"a", value_type::S}, key_attribute{"b", value_type::S}};
    CHECK(compile_update("set d[1] = :a add b.b :a", R"({":a":{"N":"1"}})")
              .check_keys(range_table)
              ->message ==
          "One or more parameter values were invalid: Cannot update attribute b. This attribute "
          "is part of the key");

    // Index keys: a constant of the wrong type, then nested paths anywhere.
    key_schema index3{{"c", value_type::S}, key_attribute{"d", value_type::S}};
    const index_keys indexes[] = {{"index3", &index3}};
    CHECK(compile_update("set d.a = a add c :a", R"({":a":{"N":"1"}})")
              .check_keys(range_table, indexes)
              ->message ==
          "One or more parameter values were invalid: Type mismatch for Index Key c Expected: S "
          "Actual: N IndexName: index3");
    CHECK(compile_update("set e = c[1], c = a + :a", R"({":a":{"N":"1"}})")
              .check_keys(range_table, indexes)
              ->message ==
          "One or more parameter values were invalid: Type mismatch for Index Key c Expected: S "
          "Actual: N IndexName: index3");
    for (const char* e : {"set d[1] = :a", "set e = list_append(a, b), f = d[1]"}) {
        INFO(e);
        auto u = compile_update(
            e, std::string(e).find(":a") != std::string::npos ? R"({":a":{"N":"1"}})" : "");
        CHECK(u.check_keys(range_table, indexes)->message ==
              "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
              "allowed: IndexKey: d");
    }
    CHECK_FALSE(
        compile_update("SET x = :a", R"({":a":{"N":"1"}})").check_keys(range_table, indexes));
}

TEST_CASE("SET writes values read from the old item", "[emulator][dynamo][expression]") {
    CHECK(apply("SET b = :v", R"({"p":{"S":"k"},"a":{"S":"hi"}})", R"({":v":{"S":"x"}})") ==
          j(R"({"p":{"S":"k"},"a":{"S":"hi"},"b":{"S":"x"}})"));
    // A missing item starts as its key.
    CHECK(apply("SET b = :v", "", R"({":v":{"N":"4"}})") == j(R"({"p":{"S":"k"},"b":{"N":"4"}})"));
    CHECK(apply("SET b = p", "") == j(R"({"p":{"S":"k"},"b":{"S":"k"}})"));
    // Operands are read before anything is written.
    CHECK(apply("SET x = :v, y = x", R"({"p":{"S":"k"}})", R"({":v":{"N":"1"}})") ==
          "error: The provided expression refers to an attribute that does not exist in the item");
    CHECK(apply("REMOVE a SET b = a", R"({"p":{"S":"k"},"a":{"S":"hello"}})") ==
          j(R"({"p":{"S":"k"},"b":{"S":"hello"}})"));
    CHECK(apply("SET a = b, b = a", R"({"p":{"S":"k"},"a":{"N":"1"},"b":{"N":"2"}})") ==
          j(R"({"p":{"S":"k"},"a":{"N":"2"},"b":{"N":"1"}})"));
    CHECK(apply("SET z = z", R"({"p":{"S":"k"}})") ==
          "error: The provided expression refers to an attribute that does not exist in the item");
    CHECK(apply("SET #a = :v", "", R"({":v":{"N":"3"}})", R"({"#a":"a.b"})") ==
          j(R"({"p":{"S":"k"},"a.b":{"N":"3"}})"));
}

TEST_CASE("SET arithmetic, if_not_exists and list_append", "[emulator][dynamo][expression]") {
    const char* it = R"({"p":{"S":"k"},"n":{"N":"2"},"l":{"L":[{"S":"hi"},{"N":"2"}]},
                        "s":{"S":"x"}})";
    CHECK(apply("SET m = :seven - n", it, R"({":seven":{"N":"7"}})")["m"] == j(R"({"N":"5"})"));
    CHECK(apply("SET n = n + :v", it, R"({":v":{"N":"0.5"}})")["n"] == j(R"({"N":"2.5"})"));
    CHECK(apply("SET n = s + :v", it, R"({":v":{"N":"1"}})") ==
          "error: An operand in the update expression has an incorrect data type");
    CHECK(apply("SET n = zz + :v", it, R"({":v":{"N":"1"}})") ==
          "error: The provided expression refers to an attribute that does not exist in the item");
    CHECK(apply("SET n = if_not_exists(zz, :z) + :v", it,
                R"({":v":{"N":"5"},":z":{"N":"0"}})")["n"] == j(R"({"N":"5"})"));
    CHECK(apply("SET n = if_not_exists(n, :z) + :v", it,
                R"({":v":{"N":"5"},":z":{"N":"0"}})")["n"] == j(R"({"N":"7"})"));
    CHECK(apply("SET x = if_not_exists(b, if_not_exists(n, :v))", it, R"({":v":{"N":"4"}})")["x"] ==
          j(R"({"N":"2"})"));
    CHECK(apply("SET l = list_append(l, :v)", it, R"({":v":{"L":[{"N":"4"}]}})")["l"] ==
          j(R"({"L":[{"S":"hi"},{"N":"2"},{"N":"4"}]})"));
    CHECK(apply("SET l = list_append(:v, l)", it, R"({":v":{"L":[{"S":"dog"}]}})")["l"] ==
          j(R"({"L":[{"S":"dog"},{"S":"hi"},{"N":"2"}]})"));
    CHECK(apply("SET c = list_append(l, l)", it)["c"]["L"].size() == 4);
    CHECK(apply("SET a = list_append(zz, :v)", it, R"({":v":{"L":[]}})") ==
          "error: The provided expression refers to an attribute that does not exist in the item");
    CHECK(apply("SET a = list_append(s, :v)", it, R"({":v":{"L":[]}})") ==
          "error: An operand in the update expression has an incorrect data type");
    CHECK(apply("SET a = list_append(if_not_exists(zz, :e), :v)", it,
                R"({":e":{"L":[]},":v":{"L":[{"N":"1"}]}})")["a"] == j(R"({"L":[{"N":"1"}]})"));
    // Exact decimal arithmetic; more than 38 digits is the overflow error (alternator).
    CHECK(apply("SET n = :a + :b", it, R"({":a":{"N":"1e50"},":b":{"N":"1"}})") ==
          "error: Number overflow. Attempting to store a number with magnitude larger than "
          "supported range");
    CHECK(apply("SET n = :a - :b", it, R"({":a":{"N":"0.1"},":b":{"N":"0.3"}})")["n"] ==
          j(R"({"N":"-0.2"})"));
}

TEST_CASE("nested SET and REMOVE follow AWS's path rules", "[emulator][dynamo][expression]") {
    const char* it = R"({"p":{"S":"k"},"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},
        {"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}},"q":{"N":"2"}}}]}}},
        "s":{"S":"hello"},"l":{"L":[{"S":"one"},{"S":"two"},{"S":"three"}]}})";
    CHECK(apply("SET a.c[1].#n.y[1] = :v", it, R"({":v":{"N":"9"}})",
                R"({"#n":"x"})")["a"]["M"]["c"]["L"][1]["M"]["x"]["M"]["y"] ==
          j(R"({"L":[{"N":"3"},{"N":"9"},{"N":"7"}]})"));
    CHECK(apply("REMOVE a.c[1].x.y[1], a.c[1].q", it)["a"]["M"]["c"]["L"][1] ==
          j(R"({"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"7"}]}}}}})"));
    CHECK(apply("SET a.d = :v", it, R"({":v":{"N":"1"}})")["a"]["M"]["d"] == j(R"({"N":"1"})"));
    // A missing or non-container parent is an error; a missing leaf is not.
    for (const char* e :
         {"SET s.c = :v", "SET l.c = :v", "SET zz.c = :v", "REMOVE s.c", "REMOVE l.c",
          "REMOVE zz.c", "SET s[0] = :v", "SET zz[0] = :v", "REMOVE s[0]", "REMOVE zz[0]",
          "ADD zz.c :v", "DELETE s.c :w", "SET a.c[5].x = :v"}) {
        INFO(e);
        const std::string ex(e);
        std::string values;
        if (ex.find(":v") != std::string::npos)
            values = R"({":v":{"N":"7"}})";
        if (ex.find(":w") != std::string::npos)
            values = R"({":w":{"SS":["a"]}})";
        CHECK(apply(e, it, values) ==
              "error: The document path provided in the update expression is invalid for update");
    }
    CHECK(apply("REMOVE a.zz, l[7], zz", it) == apply("REMOVE qq", it));
    // On an item that does not exist, REMOVE of anything is a no-op; SET is still an error.
    CHECK(apply("REMOVE x.y, z[0]", "") == j(R"({"p":{"S":"k"}})"));
    CHECK(apply("SET c.c = :v", "", R"({":v":{"N":"7"}})") ==
          "error: The document path provided in the update expression is invalid for update");
    // Removing the last member leaves an empty map or list.
    CHECK(apply("REMOVE a.b, a.c", it)["a"] == j(R"({"M":{}})"));
    CHECK(apply("REMOVE l[0], l[1], l[2]", it)["l"] == j(R"({"L":[]})"));
}

TEST_CASE("list indexes refer to the old list", "[emulator][dynamo][expression]") {
    const char* it = R"({"p":{"S":"k"},"a":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"5"},
        {"N":"6"},{"N":"7"}]}})";
    const auto expect = j(R"({"L":[{"N":"2"},{"N":"4"},{"N":"17"},{"N":"6"},{"N":"7"}]})");
    CHECK(apply("REMOVE a[1] SET a[3] = :v", it, R"({":v":{"N":"17"}})")["a"] == expect);
    CHECK(apply("SET a[3] = :v REMOVE a[1]", it, R"({":v":{"N":"17"}})")["a"] == expect);
    CHECK(apply("REMOVE a[0], a[2], a[5]", it)["a"] ==
          j(R"({"L":[{"N":"3"},{"N":"5"},{"N":"6"}]})"));
    CHECK(apply("REMOVE a[17]", it)["a"] == j(it)["a"]);
    // Past the end appends, several in index order (alternator, AWS docs).
    const char* three = R"({"p":{"S":"k"},"a":{"L":[{"S":"one"},{"S":"two"},{"S":"three"}]}})";
    CHECK(apply("SET a[7] = :v", three, R"({":v":{"S":"hello"}})")["a"] ==
          j(R"({"L":[{"S":"one"},{"S":"two"},{"S":"three"},{"S":"hello"}]})"));
    CHECK(apply("SET a[84] = :a1, a[37] = :a2, a[17] = :a3, a[50] = :a4", three,
                R"({":a1":{"S":"a1"},":a2":{"S":"a2"},":a3":{"S":"a3"},":a4":{"S":"a4"}})")["a"] ==
          j(R"({"L":[{"S":"one"},{"S":"two"},{"S":"three"},{"S":"a3"},{"S":"a2"},{"S":"a4"},
                     {"S":"a1"}]})"));
    CHECK(apply("SET a[9] = :v REMOVE a[0]", three, R"({":v":{"S":"x"}})")["a"] ==
          j(R"({"L":[{"S":"two"},{"S":"three"},{"S":"x"}]})"));
    // Removing an element and something nested in a later one.
    const char* nested = R"({"p":{"S":"k"},"a":{"L":[{"N":"0"},{"M":{"x":{"N":"1"}}},
        {"M":{"x":{"N":"2"},"y":{"N":"3"}}}]}})";
    CHECK(apply("REMOVE a[1], a[2].x", nested)["a"] ==
          j(R"({"L":[{"N":"0"},{"M":{"y":{"N":"3"}}}]})"));
}

TEST_CASE("ADD and DELETE on numbers and sets", "[emulator][dynamo][expression]") {
    const char* it = R"({"p":{"S":"k"},"n":{"N":"3"},"s":{"S":"hi"},
        "ss":{"SS":["cat","dog","mouse"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AQ=="]},
        "l":{"L":[{"N":"1"}]}})";
    CHECK(apply("ADD n :v", it, R"({":v":{"N":"4"}})")["n"] == j(R"({"N":"7"})"));
    CHECK(apply("ADD fresh :v", it, R"({":v":{"N":"-8"}})")["fresh"] == j(R"({"N":"-8"})"));
    CHECK(apply("ADD b :v", "", R"({":v":{"N":"8"}})") == j(R"({"p":{"S":"k"},"b":{"N":"8"}})"));
    CHECK(apply("ADD s :v", it, R"({":v":{"N":"1"}})") ==
          "error: An operand in the update expression has an incorrect data type");
    CHECK(apply("ADD ss :v", it, R"({":v":{"SS":["pig","dog"]}})")["ss"] ==
          j(R"({"SS":["cat","dog","mouse","pig"]})"));
    CHECK(apply("ADD ns :v", it, R"({":v":{"NS":["2.0","3"]}})")["ns"] ==
          j(R"({"NS":["1","2","3"]})"));
    CHECK(apply("ADD bs :v", it, R"({":v":{"BS":["Ag=="]}})")["bs"] ==
          j(R"({"BS":["AQ==","Ag=="]})"));
    CHECK(apply("ADD newset :v", it, R"({":v":{"SS":["x"]}})")["newset"] == j(R"({"SS":["x"]})"));
    CHECK(apply("ADD ss :v", it, R"({":v":{"NS":["1"]}})") ==
          "error: An operand in the update expression has an incorrect data type");
    CHECK(apply("ADD l :v", it, R"({":v":{"NS":["1"]}})") ==
          "error: An operand in the update expression has an incorrect data type");
    CHECK(apply("ADD n :v", it, R"({":v":{"N":"9.9999999999999999999999999999999999999e125"}})") ==
          "error: Number overflow. Attempting to store a number with magnitude larger than "
          "supported range");
    CHECK(apply("DELETE ss :v", it, R"({":v":{"SS":["cat","mouse","pig"]}})")["ss"] ==
          j(R"({"SS":["dog"]})"));
    // Emptying a set removes the attribute; DELETE on a missing one does nothing.
    CHECK_FALSE(apply("DELETE bs :v", it, R"({":v":{"BS":["AQ=="]}})").contains("bs"));
    CHECK(apply("DELETE zz :v", it, R"({":v":{"SS":["a"]}})") == j(it));
    CHECK(apply("DELETE ss :v", it, R"({":v":{"NS":["1"]}})") ==
          "error: An operand in the update expression has an incorrect data type");
    // A set inside a list (alternator test_update_condition_eq_nested_set).
    const char* nested = R"({"p":{"S":"k"},"a":{"M":{"d":{"L":[{"S":"e"},{"SS":["g","h"]}]}}}})";
    CHECK(apply("ADD a.d[1] :v", nested, R"({":v":{"SS":["l"]}})")["a"]["M"]["d"]["L"][1] ==
          j(R"({"SS":["g","h","l"]})"));
    CHECK(apply("DELETE a.d[1] :v", nested, R"({":v":{"SS":["g","h"]}})")["a"]["M"]["d"] ==
          j(R"({"L":[{"S":"e"}]})"));
}

TEST_CASE("an index key set to another type fails at run time", "[emulator][dynamo][expression]") {
    key_schema index{{"c", value_type::S}, std::nullopt};
    const index_keys indexes[] = {{"i", &index}};
    auto u = compile_update("SET c = e");
    auto old = make_item(R"({"p":{"S":"k"},"e":{"N":"1"}})");
    auto r = u.apply(&old, key_p, indexes);
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "The update expression attempted to update the secondary index key to unsupported type");
    auto ok = make_item(R"({"p":{"S":"k"},"e":{"S":"x"}})");
    CHECK(u.apply(&ok, key_p, indexes));
}

TEST_CASE("UPDATED_OLD and UPDATED_NEW project the updated paths",
          "[emulator][dynamo][expression]") {
    // spec §7 trap 9: UPDATED_OLD comes from the old item.
    const auto u = compile_update("ADD n :one SET a.b = :v, l[1] = :v REMOVE gone",
                                  R"({":one":{"N":"1"},":v":{"S":"new"}})");
    const auto old = make_item(R"({"p":{"S":"k"},"n":{"N":"1"},"a":{"M":{"b":{"S":"old"},
        "c":{"N":"1"}}},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]},"gone":{"S":"bye"},
        "keep":{"N":"1"}})");
    auto updated = u.apply(&old, key_p);
    REQUIRE(updated);
    CHECK(to_json(project_paths(old, u.updated_paths())) ==
          j(R"({"n":{"N":"1"},"a":{"M":{"b":{"S":"old"}}},"l":{"L":[{"N":"1"}]},
                "gone":{"S":"bye"}})"));
    CHECK(to_json(project_paths(*updated, u.updated_paths())) ==
          j(R"({"n":{"N":"2"},"a":{"M":{"b":{"S":"new"}}},"l":{"L":[{"S":"new"}]}})"));
}

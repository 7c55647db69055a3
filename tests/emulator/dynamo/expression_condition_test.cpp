// Condition and filter expressions: syntax, semantic errors and evaluation (issue 3, "The
// expression language, complete"; spec/dynamodb-api.md §2.5, §4.1-§4.3). The error cases and
// their expected messages are AWS's: dynalite's test/scan.js and test/query.js validations and
// Alternator's test_condition_expression.py ran against real DynamoDB.

#include "emulator/dynamo/expression_test_util.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/expression.hpp"

using namespace esser::emulator;           // NOLINT(google-build-using-namespace)
using namespace esser::emulator::testing;  // NOLINT(google-build-using-namespace)

namespace {

bool holds(std::string_view condition, std::string_view item_json, std::string_view values = "",
           std::string_view names = "") {
    nlohmann::json request = {{"TableName", "t"}, {"ConditionExpression", condition}};
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    if (!values.empty())
        request["ExpressionAttributeValues"] = nlohmann::json::parse(values);
    auto c = compile_ok(request.dump(), expression_context::put_item);
    return c.condition->evaluate(make_item(item_json));
}

}  // namespace

TEST_CASE("syntax errors in a filter are reported as syntax errors",
          "[emulator][dynamo][expression]") {
    // dynalite test/scan.js "should return ValidationException for syntax errors" (AWS-run).
    const char* expressions[] = {
        "things are not gonna be ok",
        "a > 4",
        "attribute_exists(Pictures-RearView)",
        "attribute_exists(\"Pictures.RearView\")",
        "attribute_exists(Pictures..RearView)",
        "attribute_exists(Pi#ctures.RearView)",
        "attribute_exists(asdf[a])",
        "a in b, c",
        "a > between",
        "a in b",
        "a in (b,c,)",
        "(a)between(b.(c.d))and(c)",
        "(a)between(b.c.d)and((c)",
        "#$.b > a",
        "a > :things.stuff",
        "b[:a] > a",
        "b[#_] > a",
        "\xC3\xBC > a",
        "(a)between(b.c[4.5].#d)and(:a)",
        "size(a).b > a",
        "(size(a)).b > a",
        "size(a)[0] > a",
        "(size(a))[0] > a",
        // Alternator: a bare value is not a condition; IN needs at least one operand.
        "a",
        ":val",
        "NOT a",
        "a AND :val",
        "a IN ()",
    };
    for (const char* e : expressions) {
        INFO(e);
        CHECK_THAT(filter_error(e), Catch::StartsWith("Invalid FilterExpression: Syntax error; "));
    }
}

TEST_CASE("syntax errors name the bad token and its context as AWS does",
          "[emulator][dynamo][expression]") {
    // The token is the first one that cannot continue the expression; "near" runs from the
    // token before it to the token after it (moto's tests, checked against AWS, pin the rule).
    CHECK(filter_error("a > 4") ==
          "Invalid FilterExpression: Syntax error; token: \"4\", near: \"> 4\"");
    CHECK(filter_error("a = b = c") ==
          "Invalid FilterExpression: Syntax error; token: \"=\", near: \"b = c\"");
    CHECK(filter_error("a =") ==
          "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
    CHECK(filter_error("a = b AND ") ==
          "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"AND \"");
    CHECK(filter_error("things are not") ==
          "Invalid FilterExpression: Syntax error; token: \"are\", near: \"things are not\"");
    CHECK(filter_error("  ) a") ==
          "Invalid FilterExpression: Syntax error; token: \")\", near: \"  ) a\"");
    CHECK(filter_error("   ") ==
          "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"   \"");
    CHECK(filter_error("a > \xC3\xBC") ==
          "Invalid FilterExpression: Syntax error; token: \"\xC3\xBC\", near: \"> \xC3\xBC\"");
    CHECK(filter_error("a <> b!") ==
          "Invalid FilterExpression: Syntax error; token: \"!\", near: \"b!\"");
}

TEST_CASE("an empty expression and an oversized one are rejected before parsing",
          "[emulator][dynamo][expression]") {
    CHECK(filter_error("") == "Invalid FilterExpression: The expression can not be empty;");
    // 4 KB is allowed, one byte more is not (alternator test_limits.py, AWS's message).
    const std::string ok = "a" + std::string(4091, ' ') + " = a";
    REQUIRE(ok.size() == 4096);
    CHECK(filter_error(ok) ==
          "Invalid FilterExpression: The first operand must be distinct from "
          "the remaining operands for this operator or function; operator: "
          "=, first operand: [a]");
    const std::string big = std::string(15000, '(');
    CHECK(filter_error(big) ==
          "Invalid FilterExpression: Expression size has exceeded the maximum "
          "allowed size; expression size: 15000");
}

TEST_CASE("more than 300 operators are rejected", "[emulator][dynamo][expression]") {
    // alternator test_limits.py: 299 operators pass, AWS reports "operator count: 301".
    std::string cond = "a<b";
    for (int i = 0; i < 149; ++i) cond = "a<b or (" + cond + ")";
    CHECK(filter_error(cond) == "");
    cond = "a<b or (" + cond + ")";
    cond = "a<b or (" + cond + ")";
    CHECK(filter_error(cond) ==
          "Invalid FilterExpression: The expression contains too many "
          "operators; operator count: 303");
    std::string nots;
    for (int i = 0; i < 1000; ++i) nots += "not ";
    CHECK_THAT(filter_error(nots + "a<b"), Catch::Contains("too many operators"));
}

TEST_CASE("IN takes at most 100 operands", "[emulator][dynamo][expression]") {
    auto in_list = [](int n) {
        std::string list;
        nlohmann::json values = nlohmann::json::object();
        for (int i = 0; i < n; ++i) {
            if (i > 0)
                list += ",";
            list += ":v" + std::to_string(i);
            values[":v" + std::to_string(i)] = {{"N", std::to_string(i)}};
        }
        return filter_error("a IN (" + list + ")", "", values.dump());
    };
    CHECK(in_list(99) == "");
    CHECK(in_list(100) ==
          "Invalid FilterExpression: The IN operator is provided with too many "
          "operands; number of operands: 101");
}

TEST_CASE("redundant parentheses are rejected", "[emulator][dynamo][expression]") {
    const char* expressions[] = {
        "a=a and a > ((views))",          "(a)between(((b.c)).d)and(c)",
        "a > whatever((:things), ((a)))", "a=a AND ((a=a AND a=a)) AND a=a",
        "a=a OR ((a=a OR a=a)) OR a=a",   "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))", "((p <> :p))",
    };
    for (const char* e : expressions) {
        INFO(e);
        CHECK(filter_error(e) ==
              "Invalid FilterExpression: The expression has redundant parentheses;");
    }
    // One pair around anything is fine, and "((a) = b)" puts one pair around each of two things.
    CHECK(filter_error("(a = b)") == "");
    CHECK(filter_error("((a) = b)") == "");
    CHECK(filter_error("((a < b) and b < c)") == "");
    CHECK(filter_error("(b.c).d = a") == "");
}

TEST_CASE("deep nesting fails cleanly without exhausting the stack",
          "[emulator][dynamo][expression]") {
    // alternator test_limits.py test_deeply_nested_expression_*: all fail with a
    // ValidationException about the expression, never a crash.
    CHECK_THAT(filter_error(std::string(4096, '(')),
               Catch::StartsWith("Invalid FilterExpression: "));
    CHECK_THAT(filter_error(std::string(2046, '(') + "a<b" + std::string(2046, ')')),
               Catch::StartsWith("Invalid FilterExpression: "));
    std::string calls = "a < ";
    for (int i = 0; i < 1355; ++i) calls += "f(";
    calls += "b" + std::string(1355, ')');
    CHECK_THAT(filter_error(calls), Catch::StartsWith("Invalid FilterExpression: "));
    std::string sizes = "a < ";
    for (int i = 0; i < 680; ++i) sizes += "size(";
    sizes += "b" + std::string(680, ')');
    CHECK(filter_error(sizes) ==
          "Invalid FilterExpression: The expression contains too many "
          "operators; operator count: 681");
}

TEST_CASE("unknown functions are named", "[emulator][dynamo][expression]") {
    CHECK(filter_error("a=a and whatever((:things)) > a") ==
          "Invalid FilterExpression: Invalid function name; function: whatever");
    CHECK(filter_error("attRIbute_exIsts((views), #a)") ==
          "Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts");
}

TEST_CASE("functions used where they do not belong are rejected",
          "[emulator][dynamo][expression]") {
    const std::pair<const char*, const char*> cases[] = {
        {"a=a and attribute_exists((views), (#a)) > b", "attribute_exists"},
        {"attribute_not_exists(things) > b", "attribute_not_exists"},
        {"attribute_type(things, :a) > b", "attribute_type"},
        {"begins_with(things, a) > b", "begins_with"},
        {"contains(:things, c) > b", "contains"},
        {"size(contains(a, b)) > a", "contains"},
        {"size(things)", "size"},
        {"a between b and attribute_exists(things)", "attribute_exists"},
        {"a in (b, attribute_exists(things))", "attribute_exists"},
        // Update functions are known but not allowed in conditions (alternator, AWS-run).
        {"if_not_exists(a, a) = :arg", "if_not_exists"},
        {"list_append(a, a) = :arg", "list_append"},
        {"a = b AND size(c)", "size"},
    };
    for (const auto& [e, f] : cases) {
        INFO(e);
        CHECK(filter_error(e) == std::string("Invalid FilterExpression: The function is not "
                                             "allowed to be used this way in an expression; "
                                             "function: ") +
                                     f);
    }
}

TEST_CASE("reserved words are rejected as written, whatever their case",
          "[emulator][dynamo][expression]") {
    CHECK(
        filter_error("attribute_exists(views, #a)") ==
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views");
    CHECK(
        filter_error(":a < abOrT") ==
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT");
    CHECK(filter_error("a.b.Data = c") ==
          "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: Data");
    CHECK(filter_error("#d = c", R"({"#d":"data"})") == "");
}

TEST_CASE("undefined placeholders are named", "[emulator][dynamo][expression]") {
    const std::pair<const char*, const char*> names[] = {
        {"attribute_exists(#Pictures.RearView, :a) and a=a", "#Pictures"},
        {"begins_with(Pictures.#RearView)", "#RearView"},
        {"(#P between :lo and :hi) and (#PC in (:cat1, :cat2))", "#P"},
        {"#4g > a", "#4g"},
        {"#_ > a", "#_"},
        {"(a)between(b.c[45].#d)and(:a)", "#d"},
    };
    for (const auto& [e, n] : names) {
        INFO(e);
        CHECK(filter_error(e) == std::string("Invalid FilterExpression: An expression attribute "
                                             "name used in the document path is not defined; "
                                             "attribute name: ") +
                                     n);
    }
    const std::pair<const char*, const char*> values[] = {
        {"begins_with(:hello, #a, #b)", ":hello"},
        {":a < :b", ":a"},
        {":_ > a", ":_"},
    };
    for (const auto& [e, v] : values) {
        INFO(e);
        CHECK(filter_error(e) == std::string("Invalid FilterExpression: An expression attribute "
                                             "value used in expression is not defined; attribute "
                                             "value: ") +
                                     v);
    }
}

TEST_CASE("functions check their number of operands", "[emulator][dynamo][expression]") {
    const std::tuple<const char*, const char*, int> cases[] = {
        {"attribute_exists(things, a) and a=a", "attribute_exists", 2},
        {"attribute_not_exists(things, b)", "attribute_not_exists", 2},
        {"attribute_type(things)", "attribute_type", 1},
        {"begins_with(things)", "begins_with", 1},
        {"begins_with(things, size(a), b)", "begins_with", 3},
        {"contains(things)", "contains", 1},
        {"size(things, a) > b", "size", 2},
    };
    for (const auto& [e, f, n] : cases) {
        INFO(e);
        CHECK(filter_error(e) ==
              "Invalid FilterExpression: Incorrect number of operands for "
              "operator or function; operator or function: " +
                  std::string(f) + ", number of operands: " + std::to_string(n));
    }
}

TEST_CASE("functions check the types of constant operands", "[emulator][dynamo][expression]") {
    const std::tuple<const char*, const char*, const char*> cases[] = {
        {"attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", R"({"N":"1"})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"N":"1"})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"B":"YQ=="})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"BOOL":true})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"NULL":true})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"L":[]})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"M":{}})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"SS":["1"]})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"NS":["1"]})"},
        {"attribute_type(a, :a)", "attribute_type", R"({"BS":["YQ=="]})"},
        {"begins_with(a, size(a)) and a=:a", "begins_with", R"({"N":"1"})"},
        {"begins_with(a, :a)", "begins_with", R"({"N":"1"})"},
        {"begins_with(a, :a)", "begins_with", R"({"BOOL":true})"},
        {"begins_with(a, :a)", "begins_with", R"({"NULL":true})"},
        {"begins_with(a, :a)", "begins_with", R"({"L":[]})"},
        {"begins_with(a, :a)", "begins_with", R"({"M":{}})"},
        {"begins_with(a, :a)", "begins_with", R"({"SS":["1"]})"},
        {"begins_with(:a, a)", "begins_with", R"({"NS":["1"]})"},
        {"begins_with(:a, a)", "begins_with", R"({"BS":["YQ=="]})"},
        {"size(size(a)) > :a", "size", R"({"N":"1"})"},
        {"attribute_not_exists(size(:a))", "size", R"({"N":"1"})"},
        {"size(:a) > a", "size", R"({"BOOL":true})"},
        {"size(:a) > a", "size", R"({"NULL":true})"},
    };
    for (const auto& [e, f, v] : cases) {
        INFO(e << " with :a = " << v);
        const auto value = nlohmann::json::parse(v);
        const std::string type = value.begin().key();
        CHECK(filter_error(e, "", std::string(R"({":a":)") + v + "}") ==
              "Invalid FilterExpression: Incorrect operand type for operator or function; "
              "operator or function: " +
                  std::string(f) + ", operand type: " + type);
    }
    CHECK(filter_error("attribute_type(a, :a)", "", R"({":a":{"S":"1"}})") ==
          "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: "
          "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    CHECK(filter_error("attribute_type(a, b)") ==
          "Invalid FilterExpression: Incorrect operand type for operator or function; operator "
          "or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
    // An ordering comparison with a constant that has no order (alternator, AWS-run: a
    // ValidationException, not a failed condition).
    CHECK(filter_error("a < :l", "", R"({":l":{"L":[]}})") ==
          "Invalid FilterExpression: Incorrect operand type for operator or function; operator "
          "or function: <, operand type: L");
    CHECK(filter_error("a = :l", "", R"({":l":{"L":[]}})") == "");
}

TEST_CASE("path-only functions reject values", "[emulator][dynamo][expression]") {
    CHECK(filter_error("attribute_exists(:a) and a=a", "", R"({":a":{"S":"1"}})") ==
          "Invalid FilterExpression: Operator or function requires a document path; operator or "
          "function: attribute_exists");
    CHECK(filter_error("attribute_not_exists(size(:a))", "", R"({":a":{"S":"1"}})") ==
          "Invalid FilterExpression: Operator or function requires a document path; operator or "
          "function: attribute_not_exists");
}

TEST_CASE("operands must be distinct", "[emulator][dynamo][expression]") {
    const std::tuple<const char*, const char*, const char*> cases[] = {
        {"a = a AND #a = b AND :views > a", "=", "[a]"},
        {"#a <> a", "<>", "[a]"},
        {"a > #a", ">", "[a]"},
        {"((a=a) OR (a=a))", "=", "[a]"},
        {"((a=a) AND (a=a))", "=", "[a]"},
        {"contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"},
        {"attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"},
        {"begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"},
    };
    for (const auto& [e, op, path] : cases) {
        INFO(e);
        CHECK(filter_error(e, R"({"#a":"a"})",
                           e == std::string("a = a AND #a = b AND :views > a")
                               ? R"({":views":{"S":"v"}})"
                               : "") ==
              std::string("Invalid FilterExpression: The first operand must be distinct from the "
                          "remaining operands for this operator or function; operator: ") +
                  op + ", first operand: " + path);
    }
}

TEST_CASE("BETWEEN checks constant bounds", "[emulator][dynamo][expression]") {
    CHECK(filter_error("a between :b and :a", "", R"({":a":{"S":"a"},":b":{"N":"1"}})") ==
          "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and "
          "upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
          "AttributeValue: {S:a}");
    CHECK(filter_error("a between :b and :a", "", R"({":a":{"S":"a"},":b":{"S":"b"}})") ==
          "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than "
          "or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound "
          "operand: AttributeValue: {S:a}");
    CHECK(filter_error("a between :b and :a", "", R"({":a":{"N":"1.50"},":b":{"N":"2"}})") ==
          "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than "
          "or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound "
          "operand: AttributeValue: {N:1.5}");
    CHECK(filter_error("a between :b and :a", "", R"({":a":{"B":"AQI="},":b":{"B":"/w=="}})") ==
          "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than "
          "or equal to lower bound; lower bound operand: AttributeValue: {B:/w==}, upper bound "
          "operand: AttributeValue: {B:AQI=}");
    // Bounds read from the item are not checked: a wrong order is just false.
    CHECK(filter_error("a between b and :a", "", R"({":a":{"N":"1"}})") == "");
}

TEST_CASE("problems are reported in AWS's priority order", "[emulator][dynamo][expression]") {
    // Redundant parentheses beat everything but syntax; unknown functions beat misuse, which
    // beats reserved words, which beat per-condition problems.
    CHECK(filter_error("((views)) = whatever(a) AND #x = :y") ==
          "Invalid FilterExpression: The expression has redundant parentheses;");
    CHECK(filter_error("views = whatever(a) AND attribute_exists(a) = b") ==
          "Invalid FilterExpression: Invalid function name; function: whatever");
    CHECK(filter_error("views = b AND attribute_exists(a) = b") ==
          "Invalid FilterExpression: The function is not allowed to be used this way in an "
          "expression; function: attribute_exists");
    CHECK(
        filter_error("#x = :y AND views = b") ==
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views");
    // The first faulty condition wins; within it, undefined placeholders come first.
    CHECK(filter_error("a = a AND #x = b") ==
          "Invalid FilterExpression: The first operand must be distinct from the remaining "
          "operands for this operator or function; operator: =, first operand: [a]");
    CHECK(filter_error("contains(a, a, #x) AND b = c") ==
          "Invalid FilterExpression: An expression attribute name used in the document path is "
          "not defined; attribute name: #x");
}

TEST_CASE("keywords and function names follow AWS's case rules", "[emulator][dynamo][expression]") {
    // Keywords are case-insensitive; function names are not.
    CHECK(holds("a < b aNd b < c Or NoT a = a1", R"({"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}})"));
    CHECK(holds("a bEtWeEn b And c", R"({"a":{"N":"2"},"b":{"N":"1"},"c":{"N":"3"}})"));
    CHECK(holds("a iN (b, c)", R"({"a":{"N":"3"},"b":{"N":"1"},"c":{"N":"3"}})"));
    CHECK(filter_error("ATTRIBUTE_EXISTS(a)") ==
          "Invalid FilterExpression: Invalid function name; function: ATTRIBUTE_EXISTS");
    // Whitespace is free around every token, including path separators.
    CHECK(holds("attribute_exists ( a . b [ 0 ] )", R"({"a":{"M":{"b":{"L":[{"N":"1"}]}}}})"));
}

TEST_CASE("AND binds tighter than OR, NOT tighter than AND", "[emulator][dynamo][expression]") {
    const char* it = R"({"t":{"BOOL":true},"f":{"BOOL":false}})";
    const char* v = R"({":t":{"BOOL":true}})";
    // t OR f AND f == t OR (f AND f) == true ((t OR f) AND f would be false)
    CHECK(holds("t = :t OR f = :t AND f = :t", it, v));
    // NOT f AND f == (NOT f) AND f == false (NOT (f AND f) would be true)
    CHECK_FALSE(holds("NOT f = :t AND f = :t", it, v));
    CHECK(holds("NOT (f = :t AND f = :t)", it, v));
    CHECK(holds("NOT NOT NOT NOT t = :t", it, v));
    CHECK(holds("(t = :t OR f = :t) AND (t = :t AND (f = :t OR t = :t))", it, v));
    // BETWEEN's AND belongs to BETWEEN (alternator test_update_condition_between_before_and).
    CHECK(holds("b BETWEEN a AND c AND a < b", R"({"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}})"));
}

TEST_CASE("comparisons follow DynamoDB's type rules", "[emulator][dynamo][expression]") {
    const char* it = R"({
        "n":{"N":"10"}, "n2":{"N":"10.0"}, "s":{"S":"abc"}, "b":{"B":"AQID"},
        "t":{"BOOL":true}, "nul":{"NULL":true},
        "l":{"L":[{"S":"x"},{"N":"1"}]}, "m":{"M":{"k":{"S":"v"}}},
        "ss":{"SS":["b","a"]}, "ns":{"NS":["2","1.0"]}, "bs":{"BS":["AQ=="]},
        "hi":{"B":"/w=="}, "lo":{"B":"fw=="}})";
    SECTION("equality needs the same type and value; sets are unordered") {
        CHECK(holds("n = n2", it));
        CHECK(holds("n = :v", it, R"({":v":{"N":"1e1"}})"));
        CHECK_FALSE(holds("n = :v", it, R"({":v":{"S":"10"}})"));
        CHECK(holds("ss = :v", it, R"({":v":{"SS":["a","b"]}})"));
        CHECK(holds("ns = :v", it, R"({":v":{"NS":["1","2"]}})"));
        CHECK(holds("l = :v", it, R"({":v":{"L":[{"S":"x"},{"N":"1.00"}]}})"));
        CHECK_FALSE(holds("l = :v", it, R"({":v":{"L":[{"N":"1"},{"S":"x"}]}})"));
        CHECK(holds("m = :v", it, R"({":v":{"M":{"k":{"S":"v"}}}})"));
        CHECK(holds("t = :v", it, R"({":v":{"BOOL":true}})"));
        CHECK(holds("nul = :v", it, R"({":v":{"NULL":true}})"));
    }
    SECTION("<> is true for different types and absent operands") {
        CHECK(holds("n <> :v", it, R"({":v":{"S":"10"}})"));
        CHECK(holds("absent <> :v", it, R"({":v":{"N":"1"}})"));
        CHECK(holds("absent <> gone", it));
        CHECK_FALSE(holds("absent = gone", it));
        CHECK_FALSE(holds("n <> n2", it));
    }
    SECTION("ordering applies to S, N and B of one type only") {
        CHECK(holds("n < :v", it, R"({":v":{"N":"10.5"}})"));
        CHECK(holds("n >= :v", it, R"({":v":{"N":"-1e3"}})"));
        CHECK(holds("s < :v", it, R"({":v":{"S":"abd"}})"));
        CHECK(holds("s > :v", it, R"({":v":{"S":"ab"}})"));
        CHECK(holds("lo < hi", it));  // unsigned bytes: 0x7f < 0xff
        CHECK_FALSE(holds("n < :v", it, R"({":v":{"S":"11"}})"));
        CHECK_FALSE(holds("l < :v", it, R"({":v":{"N":"1"}})"));
        CHECK_FALSE(holds("absent < :v", it, R"({":v":{"N":"1"}})"));
        CHECK_FALSE(holds("absent <= gone", it));
        CHECK(holds(":v <= n", it, R"({":v":{"N":"10"}})"));
    }
    SECTION("BETWEEN is inclusive and typed") {
        CHECK(holds("n BETWEEN :a AND :b", it, R"({":a":{"N":"10"},":b":{"N":"10"}})"));
        CHECK(holds("s BETWEEN :a AND :b", it, R"({":a":{"S":"a"},":b":{"S":"b"}})"));
        CHECK_FALSE(holds("n BETWEEN :a AND :b", it, R"({":a":{"S":"0"},":b":{"S":"2"}})"));
        CHECK_FALSE(holds("absent BETWEEN :a AND :b", it, R"({":a":{"N":"0"},":b":{"N":"2"}})"));
        CHECK_FALSE(holds("n BETWEEN n2 AND s", it));
    }
    SECTION("IN is equality with any operand, of any types") {
        CHECK(holds("n IN (:a, :b)", it, R"({":a":{"S":"dog"},":b":{"N":"10"}})"));
        CHECK_FALSE(holds("n IN (:a)", it, R"({":a":{"S":"10"}})"));
        CHECK_FALSE(holds("absent IN (:a)", it, R"({":a":{"N":"1"}})"));
        CHECK(holds("ss IN (:a)", it, R"({":a":{"SS":["a","b"]}})"));
    }
}

TEST_CASE("condition functions evaluate as on AWS", "[emulator][dynamo][expression]") {
    const char* it = R"({
        "s":{"S":"hello"}, "b":{"B":"aGkgdGhlcmU="}, "ns":{"NS":["2","4","7"]},
        "ss":{"SS":["x","y"]}, "bs":{"BS":["AQ=="]},
        "l":{"L":[{"S":"hi"},{"NS":["1","2"]},{"L":[{"N":"3"},{"N":"4"}]}]},
        "m":{"M":{"x":{"N":"2"},"y":{"M":{}}}}, "n":{"N":"5"}, "t":{"BOOL":true},
        "nul":{"NULL":true}, "u":{"S":"\u00e9\ud834\udd1e"}})";
    SECTION("attribute_exists / attribute_not_exists, nested and on a absent item") {
        CHECK(holds("attribute_exists(m.x)", it));
        CHECK(holds("attribute_not_exists(m.z)", it));
        CHECK(holds("attribute_not_exists(s.x)", it));  // a step into a non-map is absent
        CHECK(holds("attribute_not_exists(l[3])", it));
        CHECK(holds("attribute_exists(l[2][1])", it));
        CHECK(holds("attribute_not_exists(pk)", "{}"));
    }
    SECTION("attribute_type") {
        const std::pair<const char*, const char*> types[] = {
            {"s", "S"}, {"b", "B"}, {"ns", "NS"}, {"ss", "SS"},  {"bs", "BS"},
            {"l", "L"}, {"m", "M"}, {"n", "N"},   {"t", "BOOL"}, {"nul", "NULL"}};
        for (const auto& [a, t] : types) {
            INFO(a);
            const std::string v = std::string(R"({":t":{"S":")") + t + "\"}}";
            CHECK(holds(std::string("attribute_type(") + a + ", :t)", it, v));
            CHECK(holds(std::string("attribute_type(") + a + ", :t)", it, R"({":t":{"S":"S"}})") ==
                  (std::string(t) == "S"));
        }
        CHECK_FALSE(holds("attribute_type(absent, :t)", it, R"({":t":{"S":"S"}})"));
        CHECK(holds("attribute_type(:v, :t)", it, R"({":t":{"S":"N"},":v":{"N":"0"}})"));
    }
    SECTION("begins_with on strings and binaries") {
        CHECK(holds("begins_with(s, :p)", it, R"({":p":{"S":"hell"}})"));
        CHECK(holds("begins_with(s, :p)", it, R"({":p":{"S":""}})"));
        CHECK_FALSE(holds("begins_with(s, :p)", it, R"({":p":{"S":"ello"}})"));
        CHECK(holds("begins_with(b, :p)", it, R"({":p":{"B":"aGk="}})"));
        CHECK_FALSE(holds("begins_with(b, :p)", it, R"({":p":{"S":"hi"}})"));
        CHECK_FALSE(holds("begins_with(n, :p)", it, R"({":p":{"S":"5"}})"));
        CHECK(holds("begins_with(:w, s)", it, R"({":w":{"S":"hellohi"}})"));
    }
    SECTION("contains: substring, set membership, list element") {
        CHECK(holds("contains(s, :v)", it, R"({":v":{"S":"ell"}})"));
        CHECK(holds("contains(b, :v)", it, R"({":v":{"B":"aGVyZQ=="}})"));
        CHECK_FALSE(holds("contains(b, :v)", it, R"({":v":{"B":"ZG9n"}})"));
        CHECK(holds("contains(ns, :v)", it, R"({":v":{"N":"4.0"}})"));
        CHECK_FALSE(holds("contains(ns, :v)", it, R"({":v":{"S":"4"}})"));
        CHECK(holds("contains(ss, :v)", it, R"({":v":{"S":"y"}})"));
        CHECK(holds("contains(bs, :v)", it, R"({":v":{"B":"AQ=="}})"));
        CHECK(holds("contains(l, :v)", it, R"({":v":{"S":"hi"}})"));
        CHECK(holds("contains(l, :v)", it, R"({":v":{"NS":["2","1"]}})"));
        CHECK(holds("contains(l, :v)", it, R"({":v":{"L":[{"N":"3"},{"N":"4"}]}})"));
        CHECK_FALSE(holds("contains(m, :v)", it, R"({":v":{"S":"x"}})"));
        CHECK_FALSE(holds("contains(absent, :v)", it, R"({":v":{"S":"x"}})"));
        CHECK(holds("contains(s, m.x) OR contains(ss, s) OR contains(:v, s)", it,
                    R"({":v":{"S":"say hello"}})"));
    }
    SECTION("size") {
        CHECK(holds("size(s) = :v", it, R"({":v":{"N":"5"}})"));
        CHECK(holds("size(b) = :v", it, R"({":v":{"N":"8"}})"));
        CHECK(holds("size(ns) = :v", it, R"({":v":{"N":"3"}})"));
        CHECK(holds("size(l) = :v", it, R"({":v":{"N":"3"}})"));
        CHECK(holds("size(m) = :v", it, R"({":v":{"N":"2"}})"));
        CHECK(holds("size(m.y) = :v", it, R"({":v":{"N":"0"}})"));
        CHECK(holds("size(u) = :v", it, R"({":v":{"N":"3"}})"));  // UTF-16 units, as AWS
        CHECK(holds("size(:w) = :v", it, R"({":v":{"N":"3"},":w":{"S":"abc"}})"));
        CHECK_FALSE(holds("size(n) = :v", it, R"({":v":{"N":"1"}})"));
        CHECK_FALSE(holds("size(t) = :v", it, R"({":v":{"N":"1"}})"));
        CHECK_FALSE(holds("size(absent) = :v", it, R"({":v":{"N":"0"}})"));
        CHECK(holds("size(absent) <> :v", it, R"({":v":{"N":"0"}})"));
        CHECK(holds("size(s) > n OR size(s) = n", it));
        CHECK(holds("size(l) BETWEEN :a AND :b", it, R"({":a":{"N":"3"},":b":{"N":"4"}})"));
    }
}

TEST_CASE("names from placeholders may hold any character", "[emulator][dynamo][expression]") {
    const char* it = R"({"a.b":{"N":"1"},"a":{"M":{"b":{"N":"2"}}},"and":{"M":{"or":{"N":"3"}}}})";
    CHECK(holds("#ab = :v", it, R"({":v":{"N":"1"}})", R"({"#ab":"a.b"})"));
    CHECK(holds("a.b = :v", it, R"({":v":{"N":"2"}})"));
    CHECK(holds("#x.#y = :v", it, R"({":v":{"N":"3"}})", R"({"#x":"and","#y":"or"})"));
}

TEST_CASE("a condition exposes the attributes it reads", "[emulator][dynamo][expression]") {
    auto c = compile_ok(R"({"FilterExpression":"a.b = :v AND c[1] = d AND a = e",
                           "ExpressionAttributeValues":{":v":{"N":"1"}}})");
    const auto attrs = c.filter->attributes();
    CHECK(std::vector<std::string>(attrs.begin(), attrs.end()) ==
          std::vector<std::string>{"a", "c", "d", "e"});
    const auto nested = c.filter->nested_attributes();
    CHECK(std::vector<std::string>(nested.begin(), nested.end()) ==
          std::vector<std::string>{"a", "c"});
}

// ProjectionExpression and project_paths (issue 3, "The expression language, complete";
// spec/dynamodb-api.md §4.6): shapes as AWS returns them, and the errors.

#include "emulator/dynamo/expression_test_util.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/expression.hpp"

using namespace esser::emulator;           // NOLINT(google-build-using-namespace)
using namespace esser::emulator::testing;  // NOLINT(google-build-using-namespace)

namespace {

std::string projection_error(std::string_view expression, std::string_view names = "") {
    nlohmann::json request = {{"TableName", "t"}, {"ProjectionExpression", expression}};
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    return compile_error(request.dump(), expression_context::get_item);
}

nlohmann::json project(std::string_view expression, std::string_view item_json,
                       std::string_view names = "") {
    nlohmann::json request = {{"TableName", "t"}, {"ProjectionExpression", expression}};
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    auto c = compile_ok(request.dump(), expression_context::get_item);
    return to_json(c.projection->apply(make_item(item_json)));
}

nlohmann::json j(std::string_view text) {
    return nlohmann::json::parse(text);
}

const char* const sample = R"({
    "a":{"M":{"b":{"N":"1"},"c":{"N":"2"},"d":{"L":[{"N":"0"},{"M":{"x":{"S":"y"},"z":{"S":"w"}}}]}}},
    "c":{"L":[{"S":"zero"},{"S":"one"},{"S":"two"},{"S":"three"}]},
    "e":{"S":"e"}, "f":{"NS":["1"]}})";

}  // namespace

TEST_CASE("a projection keeps nesting and compacts lists", "[emulator][dynamo][expression]") {
    CHECK(project("a.b, c[1]", sample) ==
          j(R"({"a":{"M":{"b":{"N":"1"}}},"c":{"L":[{"S":"one"}]}})"));
    CHECK(project("c[3], c[1]", sample) == j(R"({"c":{"L":[{"S":"one"},{"S":"three"}]}})"));
    CHECK(project("a.d[1].z, a.c", sample) ==
          j(R"({"a":{"M":{"c":{"N":"2"},"d":{"L":[{"M":{"z":{"S":"w"}}}]}}}})"));
    CHECK(project("e, f", sample) == j(R"({"e":{"S":"e"},"f":{"NS":["1"]}})"));
    CHECK(project("e", "{}") == j("{}"));
}

TEST_CASE("a projection leaves out paths that do not resolve", "[emulator][dynamo][expression]") {
    CHECK(project("zz, a.zz, c[9], e.x", sample) == j("{}"));
    CHECK(project("c.x, a[0]", sample) == j("{}"));
    CHECK(project("a.zz, a.b", sample) == j(R"({"a":{"M":{"b":{"N":"1"}}}})"));
    CHECK(project("c[0], c[9]", sample) == j(R"({"c":{"L":[{"S":"zero"}]}})"));
}

TEST_CASE("projection names come from placeholders", "[emulator][dynamo][expression]") {
    CHECK(project("#k", R"({"a.b":{"N":"1"},"a":{"M":{"b":{"N":"2"}}}})", R"({"#k":"a.b"})") ==
          j(R"({"a.b":{"N":"1"}})"));
    CHECK(project("#d, #n", R"({"data":{"N":"1"},"name":{"S":"x"},"z":{"N":"0"}})",
                  R"({"#d":"data","#n":"name"})") == j(R"({"data":{"N":"1"},"name":{"S":"x"}})"));
}

TEST_CASE("projection errors use AWS's messages", "[emulator][dynamo][expression]") {
    CHECK(projection_error("") == "Invalid ProjectionExpression: The expression can not be empty;");
    CHECK(projection_error(std::string(4096, 'x')) == "");
    CHECK(projection_error(std::string(4097, 'x')) ==
          "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; "
          "expression size: 4097");
    CHECK(projection_error("a, a") ==
          "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
          "or rewrite one of these paths; path one: [a], path two: [a]");
    CHECK(projection_error("a.b, c, a") ==
          "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
          "or rewrite one of these paths; path one: [a, b], path two: [a]");
    CHECK(projection_error("a.b, a[0]") ==
          "Invalid ProjectionExpression: Two document paths conflict with each other; must remove "
          "or rewrite one of these paths; path one: [a, b], path two: [a, [0]]");
    CHECK(projection_error("a, Name") ==
          "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
          "Name");
    CHECK(projection_error("a, #n") ==
          "Invalid ProjectionExpression: An expression attribute name used in the document path "
          "is not defined; attribute name: #n");
    CHECK_THAT(projection_error("a,"),
               Catch::StartsWith("Invalid ProjectionExpression: Syntax error; "));
    CHECK_THAT(projection_error("a b"),
               Catch::StartsWith("Invalid ProjectionExpression: Syntax error; "));
    CHECK_THAT(projection_error(":v"),
               Catch::StartsWith("Invalid ProjectionExpression: Syntax error; "));
    CHECK_THAT(projection_error("size(a)"),
               Catch::StartsWith("Invalid ProjectionExpression: Syntax error; "));
    // Reserved words are checked before undefined names, both before overlaps.
    CHECK_THAT(projection_error("a, a, #x, Data"), Catch::EndsWith("reserved keyword: Data"));
}

TEST_CASE("project_paths serves UPDATED_* on the document paths of an update",
          "[emulator][dynamo][expression]") {
    const attribute_map it = make_item(sample);
    const document_path paths[] = {
        document_path({path_element::key("a"), path_element::key("d"), path_element::at(1),
                       path_element::key("x")}),
        document_path({path_element::key("c"), path_element::at(2)}),
        document_path({path_element::key("nothing")}),
    };
    CHECK(to_json(project_paths(it, paths)) ==
          j(R"({"a":{"M":{"d":{"L":[{"M":{"x":{"S":"y"}}}]}}},"c":{"L":[{"S":"two"}]}})"));
    CHECK(paths[0].to_string() == "[a, d, [1], x]");
}

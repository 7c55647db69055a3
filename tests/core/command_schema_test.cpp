// Covers issue 2 (command validation with valijson): every failing field by JSON Pointer with a
// readable reason; unknown fields rejected unless allowed; invalid schemas are typed errors
// naming the part of the schema at fault; esser keywords found and checked.
#include "esser/core/command_schema.hpp"

#include <atomic>
#include <map>
#include <thread>

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::core;
using esser::testing::compile_schema;
using esser::testing::pointers;
using nlohmann::json;

namespace {
const json item_schema = json::parse(R"({
  "type": "object", "required": ["name", "price"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "price": {"type": "number", "minimum": 0},
    "colors": {"type": "array", "uniqueItems": true,
               "items": {"enum": ["orange", "black"]}},
    "dims": {"type": "object", "properties": {"w": {"type": "integer"}}}
  }})");
}  // namespace

TEST_CASE("a valid payload passes", "[core][command_schema]") {
    auto s = compile_schema(item_schema);
    CHECK(s->validate({{"name", "Choc"}, {"price", 10.5}}));
    CHECK(s->validate(
        {{"name", "Choc"}, {"price", 10}, {"colors", {"orange"}}, {"dims", {{"w", 3}}}}));
}

TEST_CASE("every failing field is listed by JSON Pointer with a readable reason",
          "[core][command_schema]") {
    auto s = compile_schema(item_schema);
    auto r = s->validate({{"price", "12"},
                          {"colour", "red"},
                          {"size", 3},
                          {"colors", {"orange", "pink", "orange"}},
                          {"dims", {{"w", 1.5}, {"h", 2}}}});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::validation);
    CHECK(pointers(r.error()) == std::vector<std::string>{"/colors", "/colors/1", "/colour",
                                                          "/dims/h", "/dims/w", "/name", "/price",
                                                          "/size"});
    std::map<std::string, std::string> reasons;
    for (const auto& f : r.error().fields) reasons[f.pointer] = f.reason;
    CHECK(reasons["/price"] == "must be of type number, not string");
    CHECK(reasons["/name"] == "is required");
    CHECK(reasons["/colour"] == "is not allowed (unknown field)");
    CHECK(reasons["/size"] == "is not allowed (unknown field)");
    CHECK(reasons["/dims/h"] == "is not allowed (unknown field)");
    CHECK(reasons["/dims/w"] == "must be of type integer, not number");
    CHECK(reasons["/colors/1"] == "must be one of: orange, black (got pink)");
    CHECK_THAT(reasons["/colors"], Catch::Contains("duplicates"));
}

TEST_CASE("bounds and patterns are explained with the schema's own values",
          "[core][command_schema]") {
    auto s = compile_schema(json::parse(R"({"type": "object", "properties": {
        "price": {"type": "number", "minimum": 0, "maximum": 100.5},
        "qty": {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5},
        "name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
        "tags": {"type": "array", "minItems": 1, "maxItems": 2}}})"));
    auto low = s->validate({{"price", -1}, {"qty", 0}, {"name", "A"}, {"tags", json::array()}});
    REQUIRE_FALSE(low);
    std::map<std::string, std::vector<std::string>> reasons;
    for (const auto& f : low.error().fields) reasons[f.pointer].push_back(f.reason);
    CHECK(reasons["/price"] == std::vector<std::string>{"must be at least 0"});
    CHECK(reasons["/qty"] == std::vector<std::string>{"must be greater than 0"});
    CHECK(reasons["/tags"] == std::vector<std::string>{"must have at least 1 elements"});
    CHECK(reasons["/name"].size() == 2);
    auto high = s->validate({{"price", 101}, {"qty", 7}, {"name", "abcde"}, {"tags", {1, 2, 3}}});
    REQUIRE_FALSE(high);
    reasons.clear();
    for (const auto& f : high.error().fields) reasons[f.pointer].push_back(f.reason);
    CHECK(reasons["/price"] == std::vector<std::string>{"must be at most 100.5"});
    CHECK(reasons["/qty"] == std::vector<std::string>{"must be a multiple of 5"});
    CHECK(reasons["/name"] == std::vector<std::string>{"must be at most 4 characters long"});
    CHECK(reasons["/tags"] == std::vector<std::string>{"must have at most 2 elements"});
    auto pat = s->validate({{"name", "AB"}});
    REQUIRE_FALSE(pat);
    CHECK(pat.error().fields.at(0).reason == "must match the pattern ^[a-z]+$");
}

TEST_CASE("unknown fields are allowed only when the schema says so", "[core][command_schema]") {
    auto open =
        compile_schema(json::parse(R"({"type": "object", "properties": {"a": {"type": "string"}},
                                        "additionalProperties": true})"));
    CHECK(open->validate({{"a", "x"}, {"b", 1}}));
    auto typed = compile_schema(json::parse(R"({"type": "object", "properties": {},
                                         "additionalProperties": {"type": "number"}})"));
    CHECK(typed->validate({{"b", 1}}));
    auto bad = typed->validate({{"b", "x"}});
    REQUIRE_FALSE(bad);
    CHECK(pointers(bad.error()) == std::vector<std::string>{"/b"});
    auto closed = compile_schema(json::parse(R"({"type": "object", "properties": {}})"));
    CHECK_FALSE(closed->validate({{"b", 1}}));
    CHECK(closed->effective()["additionalProperties"] == false);
    CHECK_FALSE(closed->source().contains("additionalProperties"));
    // Composition keeps its meaning: no injected additionalProperties next to allOf.
    auto composed = compile_schema(json::parse(R"({"type": "object", "properties": {"a": {}},
        "allOf": [{"properties": {"b": {"type": "string"}}}]})"));
    CHECK(composed->validate({{"a", 1}, {"b", "x"}}));
}

TEST_CASE("invalid JSON Schemas are invalid_domain errors naming the part at fault",
          "[core][command_schema]") {
    struct bad_case {
        const char* schema;
        const char* pointer;
        const char* reason_part;
    };

    const bad_case cases[] = {
        {R"({"properties": {"price": {"type": "float"}}})", "/s/properties/price/type",
         "must be one of string, number"},
        {R"({"required": "price"})", "/s/required", "array of unique member names"},
        {R"({"properties": {"price": {"type": "number", "diff": true}}})",
         "/s/properties/price/diff", "x-diff"},
        {R"({"properties": {"a": {"requried": true}}})", "/s/properties/a/requried",
         "not a JSON Schema"},
        {R"({"properties": {"a": {"pattern": "(["}}})", "/s/properties/a/pattern",
         "regular expression"},
        {R"({"properties": []})", "/s/properties", "object mapping member names"},
        {R"({"minLength": -1})", "/s/minLength", "non-negative integer"},
        {R"({"properties": {"a": {"x-diff": "yes"}}})", "/s/properties/a/x-diff", "true or false"},
        {R"({"properties": {"a": {"x-aggregate-exists": 3}}})",
         "/s/properties/a/x-aggregate-exists", "entity"},
        {R"({"properties": {"a": {"x-project": {"entity": "Item", "extra": 1}}}})",
         "/s/properties/a/x-project", "entity name"},
        {R"({"x-diff": true})", "/s/x-diff", "not at the root"},
        {R"({"$ref": "http://example.com/remote.json"})", "/s", "Fetching"},
        {R"([1, 2])", "/s", "JSON object"},
    };
    for (const auto& c : cases) {
        INFO(c.schema);
        auto r = command_schema::compile(json::parse(c.schema), "/s");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_domain);
        REQUIRE_FALSE(r.error().fields.empty());
        CHECK(r.error().fields[0].pointer == c.pointer);
        CHECK_THAT(r.error().fields[0].reason, Catch::Contains(c.reason_part));
    }
}

TEST_CASE("several schema problems are reported together", "[core][command_schema]") {
    auto r = command_schema::compile(
        json::parse(R"({"properties": {"a": {"type": "float"}, "b": {"minimum": "0"}}})"), "");
    REQUIRE_FALSE(r);
    CHECK(pointers(r.error()) ==
          std::vector<std::string>{"/properties/a/type", "/properties/b/minimum"});
}

TEST_CASE("esser keywords are found with their payload paths", "[core][command_schema]") {
    auto s = compile_schema(json::parse(R"({"type": "object", "properties": {
        "price": {"type": "number", "x-diff": true},
        "item_id": {"type": "string", "x-aggregate-exists": "Item"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "item": {"type": "string", "x-project": {"entity": "Item", "fields": ["name"]}}}}}}})"));
    const auto& k = s->keywords();
    REQUIRE(k.size() == 3);
    CHECK(k[0].what == schema_keyword::kind::aggregate_exists);
    CHECK(k[0].entity == "Item");
    CHECK(k[0].path.size() == 1);
    CHECK(k[0].schema_pointer == "/s/properties/item_id/x-aggregate-exists");
    CHECK(k[1].what == schema_keyword::kind::project);
    REQUIRE(k[1].path.size() == 3);
    CHECK(k[1].path[0].name == "lines");
    CHECK(k[1].path[1].each);
    CHECK(k[1].path[2].name == "item");
    CHECK(k[1].fields == std::vector<std::string>{"name"});
    CHECK(k[2].what == schema_keyword::kind::diff);
    CHECK(k[2].path[0].name == "price");
}

TEST_CASE("validation works from several threads at once", "[core][command_schema]") {
    auto s = compile_schema(item_schema);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0}, rejected{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (s->validate({{"name", "x"}, {"price", i}}))
                    ++ok;
                if (!s->validate({{"name", 1}, {"price", i}}))
                    ++rejected;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(ok == 800);
    CHECK(rejected == 800);
}

// Covers issue 2 (command handling speed): the fast acceptance check that command_schema runs
// before valijson. It must be sound (it accepts only what valijson accepts), exact on the
// simple schemas it takes (so the fast path is really used), and invisible: command_schema
// gives the same verdicts and the same errors with and without it.
#include "simple_schema.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "esser/core/command_schema.hpp"

using esser::core::command_schema;
using esser::core::detail::simple_schema;
using esser::testing::compile_schema;
using nlohmann::json;

namespace {

// valijson alone on a schema: the oracle.
struct oracle {
    valijson::Schema schema;

    explicit oracle(const json& effective) {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter a(effective);
        parser.populateSchema(a, schema);
    }

    bool accepts(const json& v) const {
        valijson::Validator validator;
        valijson::adapters::NlohmannJsonAdapter a(v);
        return validator.validate(schema, a, nullptr);
    }
};

// Schemas inside the subset. Each is also compiled with "minProperties": 0 added at the root: a
// constraint that never fails and is outside the subset, so that copy always runs valijson.
std::vector<json> simple_schemas() {
    std::vector<json> out;
    const auto shop = esser::testing::load_shop();
    for (const auto& [name, ent] : shop->entities()) {
        for (const auto& [cname, cmd] : ent.commands) out.push_back(cmd.compiled->source());
    }
    out.push_back(json::parse(R"({
      "type": "object", "required": ["name", "price"], "title": "item", "x-note": 1,
      "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 4, "description": "d"},
        "price": {"type": "number", "minimum": 0, "exclusiveMaximum": 100},
        "qty": {"type": "integer", "exclusiveMinimum": -1, "maximum": 5},
        "colors": {"type": "array", "uniqueItems": true, "minItems": 1, "maxItems": 3,
                   "items": {"enum": ["orange", "black", "ünï"]}},
        "dims": {"type": "object", "properties": {"w": {"type": "integer"}},
                 "additionalProperties": {"type": ["number", "null"]}},
        "flag": {"enum": [true, null, "yes"]},
        "any": {},
        "open": {"type": "object", "additionalProperties": true}
      }})"));
    out.push_back(json::parse(R"({"type": ["object", "array"], "items": {"type": "string"},
                                  "properties": {"a": {"type": "boolean"}}})"));
    return out;
}

// Values chosen at the edges of what the subset checks.
std::vector<json> leaves() {
    return {
        nullptr,
        true,
        false,
        0,
        -1,
        -2,
        5,
        6,
        -0.5,
        -1.5,
        0.5,
        4.5,
        5.5,
        99.5,
        100.5,
        100,
        99.999,
        100.0,
        -0.0,
        1.0,
        2.5,
        std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity(),
        json(std::numeric_limits<std::uint64_t>::max()),
        json(std::numeric_limits<std::int64_t>::min()),
        "",
        "a",
        "ab",
        "abcd",
        "abcde",
        "ünï",
        "üü",
        "ü€😀x",
        "ü€😀xy",
        std::string("a\0b", 3),
        std::string("\xff\xfe", 2),
        std::string("\xc3", 1),
        "orange",
        "black",
        "yes",
        "12",
        json::array(),
        json::object(),
    };
}

const std::vector<std::string> member_names = {"name", "price",  "qty",     "colors",    "dims",
                                               "flag", "any",    "open",    "w",         "h",
                                               "a",    "colour", "item_id", "deleted_by"};

json random_value(std::mt19937& rng, int depth) {
    const auto ls = leaves();
    std::uniform_int_distribution<int> kind(0, depth > 2 ? 0 : 2);
    switch (kind(rng)) {
        case 1: {
            json a = json::array();
            const int n = std::uniform_int_distribution<int>(0, 4)(rng);
            for (int i = 0; i < n; ++i) {
                a.push_back(rng() % 3 ? json(rng() % 2 ? "orange" : "black")
                                      : random_value(rng, depth + 1));
            }
            return a;
        }
        case 2: {
            json o = json::object();
            const int n = std::uniform_int_distribution<int>(0, 5)(rng);
            for (int i = 0; i < n; ++i) {
                o[member_names[rng() % member_names.size()]] = random_value(rng, depth + 1);
            }
            return o;
        }
        default:
            return ls[rng() % ls.size()];
    }
}

// Payloads for the schemas above: valid ones, each field broken in turn, random ones.
std::vector<json> payloads() {
    std::vector<json> out = {
        {{"name", "Choc"}, {"price", 10.5}},
        {{"name", "ab"}, {"price", 0}, {"qty", 0}, {"colors", {"orange", "ünï"}}},
        {{"name", "ünï"}, {"price", 99}, {"dims", {{"w", 2}, {"h", 2.5}, {"d", nullptr}}}},
        {{"name", "abcd"}, {"price", 1}, {"flag", nullptr}, {"any", {{"x", {1, 2}}}}},
        {{"name", "abc"}, {"price", 1}, {"open", {{"x", 1}}}, {"flag", "yes"}},
        {{"price", 12.5}},
        {{"colors", {"orange"}}},
        {{"colors", {"orange", "black", "white", "blue", "green"}}},
        {{"colors", {"orange", "orange"}}},
        {{"deleted_by", "me"}},
        {{"item_id", "i-1"}},
        {{"name", "b"}},
        json::object(),
        json::array({"a", "b"}),
        json::array({1}),
        {{"a", true}},
    };
    // Each member of the valid payloads, and each nested value, set to every edge value.
    const std::size_t valid = 5;
    for (std::size_t b = 0; b < valid; ++b) {
        for (const auto& name : member_names) {
            for (const auto& leaf : leaves()) {
                json p = out[b];
                p[name] = leaf;
                out.push_back(std::move(p));
            }
        }
    }
    for (const auto& leaf : leaves()) {
        json p = out[0];
        p["dims"] = {{"w", leaf}};
        out.push_back(p);
        p["dims"] = {{"h", leaf}};
        out.push_back(p);
        p.erase("dims");
        p["colors"] = {leaf};
        out.push_back(p);
        p["colors"] = {"black", leaf};
        out.push_back(p);
        out.push_back({{"a", leaf}});
        out.push_back({leaf});
    }
    std::mt19937 rng(20261127);
    for (int i = 0; i < 200; ++i) {
        json p = out[rng() % valid];  // a valid item, then some members replaced or removed
        const int edits = std::uniform_int_distribution<int>(0, 3)(rng);
        for (int e = 0; e < edits; ++e) {
            p[member_names[rng() % member_names.size()]] = random_value(rng, 1);
        }
        if (rng() % 8 == 0)
            p.erase(rng() % 2 ? "name" : "price");
        out.push_back(std::move(p));
        out.push_back(random_value(rng, 0));
    }
    return out;
}

}  // namespace

TEST_CASE("simple_schema takes the shop's schemas and the usual keywords",
          "[core][simple_schema]") {
    // Every command of the shop runs on the fast path.
    for (const auto& s : simple_schemas()) {
        INFO(s.dump());
        CHECK(simple_schema::compile(compile_schema(s)->effective()));
    }
}

TEST_CASE("simple_schema leaves schemas outside its subset to valijson", "[core][simple_schema]") {
    const char* outside[] = {
        R"({"properties": {"a": {"$ref": "#/definitions/x"}}, "definitions": {"x": {}}})",
        R"({"properties": {"a": {"type": "string", "pattern": "^a"}}})",
        R"({"properties": {"a": {"type": "string", "format": "date-time"}}})",
        R"({"properties": {"a": {"type": "number", "multipleOf": 2}}})",
        R"({"properties": {"a": {"enum": [1, 2]}}})",
        R"({"properties": {"a": {"const": "x"}}})",
        R"({"properties": {"a": {"items": [{"type": "string"}]}}})",
        R"({"properties": {"a": true}})",
        R"({"allOf": [{"type": "object"}]})",
        R"({"patternProperties": {"^x": {}}})",
        R"({"minProperties": 0})",
        R"({"properties": {"a": {"maximum": 18446744073709551615}}})",
    };
    for (const char* text : outside) {
        INFO(text);
        CHECK_FALSE(simple_schema::compile(compile_schema(json::parse(text))->effective()));
    }
}

TEST_CASE("simple_schema accepts exactly what valijson accepts on its subset",
          "[core][simple_schema]") {
    const auto ps = payloads();
    std::size_t accepted = 0, refused = 0;
    for (const auto& s : simple_schemas()) {
        const auto cs = compile_schema(s);
        const auto fast = simple_schema::compile(cs->effective());
        REQUIRE(fast);
        const oracle slow(cs->effective());
        for (const auto& p : ps) {
            const bool f = fast->accepts(p);
            const bool v = slow.accepts(p);
            // Sound always. Exact except where the fast check declines on purpose (strings with
            // NUL or malformed UTF-8 under a length bound, unsigned above INT64_MAX).
            if (f == v) {
                (v ? accepted : refused)++;
                continue;
            }
            const std::string text = p.dump(-1, ' ', false, json::error_handler_t::replace);
            INFO("schema " << s.dump() << "\npayload " << text);
            REQUIRE_FALSE(f);  // f && !v: unsound
            const bool declined_on_purpose = text.find("\\u0000") != std::string::npos ||
                                             text.find("\xEF\xBF\xBD") != std::string::npos ||
                                             text.find("18446744073709551615") != std::string::npos;
            if (!declined_on_purpose)
                FAIL_CHECK("valijson accepts what the fast check refuses");
            (v ? accepted : refused)++;
        }
    }
    // The corpus exercises both answers.
    CHECK(accepted > 200);
    CHECK(refused > 200);
}

TEST_CASE("command_schema gives the same verdicts and errors with and without the fast path",
          "[core][simple_schema][command_schema]") {
    const auto ps = payloads();
    for (const auto& s : simple_schemas()) {
        json slow_schema = s;
        slow_schema["minProperties"] = 0;  // outside the subset: valijson only
        const auto with_fast = compile_schema(s);
        const auto valijson_only = compile_schema(slow_schema);
        REQUIRE(simple_schema::compile(with_fast->effective()));
        REQUIRE_FALSE(simple_schema::compile(valijson_only->effective()));
        for (const auto& p : ps) {
            const auto a = with_fast->validate(p);
            const auto b = valijson_only->validate(p);
            const bool same =
                a.has_value() == b.has_value() &&
                (a || (a.error().code == b.error().code && a.error().message == b.error().message &&
                       a.error().fields == b.error().fields));
            if (!same) {
                FAIL_CHECK("schema "
                           << s.dump() << "\npayload "
                           << p.dump(-1, ' ', false, json::error_handler_t::replace)
                           << "\nwith the fast path: " << (a ? "ok" : a.error().describe())
                           << "\nvalijson only: " << (b ? "ok" : b.error().describe()));
            }
        }
    }
}

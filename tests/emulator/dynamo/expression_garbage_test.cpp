// Bad input never crashes or hangs the expression compiler (issue 3: "expression parser tests
// including random garbage (always a ValidationException, never a crash)"). Thousands of random
// token sequences and random byte strings, with a fixed seed; whatever compiles is also run
// (evaluate / apply / project) against a small item. ASan and UBSan watch under `make test`.

#include <random>

#include "emulator/dynamo/expression_test_util.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/expression.hpp"

using namespace esser::emulator;           // NOLINT(google-build-using-namespace)
using namespace esser::emulator::testing;  // NOLINT(google-build-using-namespace)

namespace {

const char* const fragments[] = {
    "a",
    "b",
    "c",
    "#n",
    "#m",
    ":v",
    ":w",
    ":l",
    ":s",
    "(",
    ")",
    "(",
    ")",
    "[",
    "]",
    "0",
    "1",
    "99999999999",
    ",",
    ".",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    " AND ",
    " OR ",
    " NOT ",
    " BETWEEN ",
    " IN ",
    " SET ",
    " REMOVE ",
    " ADD ",
    " DELETE ",
    "size",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "if_not_exists",
    "list_append",
    "f",
    " ",
    "  ",
    "_",
    "#",
    ":",
    "\xC3\xBC",
    "\xFF",
    "\"",
    "data",
    "\t",
    "a.b",
    "a[1]",
    "#n.#m[0]",
    "((",
    "))",
    "!",
    "\n",
};

std::string random_tokens(std::mt19937& rng) {
    std::uniform_int_distribution<std::size_t> pick(0, std::size(fragments) - 1);
    std::uniform_int_distribution<int> length(1, 24);
    std::string s;
    for (int i = length(rng); i > 0; --i) s += fragments[pick(rng)];
    return s;
}

std::string random_bytes(std::mt19937& rng) {
    std::uniform_int_distribution<int> length(0, 40);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string s;
    for (int i = length(rng); i > 0; --i) s += static_cast<char>(byte(rng));
    return s;
}

const nlohmann::json names = {{"#n", "n"}, {"#m", "m"}};
const nlohmann::json values = {{":v", {{"N", "1"}}},
                               {":w", {{"S", "w"}}},
                               {":l", {{"L", nlohmann::json::array({{{"N", "2"}}})}}},
                               {":s", {{"SS", {"x"}}}}};

const attribute_map sample = make_item(R"({"a":{"N":"1"},"b":{"S":"w"},"c":{"L":[{"N":"2"}]},
    "n":{"M":{"m":{"L":[{"S":"x"}]}}},"m":{"SS":["x"]}})");
const attribute_map key = make_item(R"({"pk":{"S":"k"}})");

// Compiles `text` as field `field` of a request; checks the outcome is success or a
// ValidationException, and exercises what compiled.
void run(const std::string& field, expression_context context, const std::string& text) {
    nlohmann::json request = {
        {field, text}, {"ExpressionAttributeNames", names}, {"ExpressionAttributeValues", values}};
    if (context == expression_context::get_item)
        request.erase("ExpressionAttributeValues");
    auto r = compile_request(request, context);
    if (!r) {
        // Plain checks, not one Catch assertion per case: thousands of cases run under ASan.
        if (r.error().type != "ValidationException" || r.error().message.empty())
            FAIL(text << " -> " << r.error().type << ": " << r.error().message);
        // Every message must serialise (the input may hold invalid UTF-8).
        try {
            (void)r.error().to_json().dump();
        } catch (const std::exception& e) {
            FAIL(text << " -> message does not serialise: " << e.what());
        }
        return;
    }
    if (r->condition)
        (void)r->condition->evaluate(sample);
    if (r->filter)
        (void)r->filter->evaluate(attribute_map{});
    if (r->update) {
        (void)r->update->apply(&sample, key);
        (void)r->update->apply(nullptr, key);
        (void)project_paths(sample, r->update->updated_paths());
    }
    if (r->projection)
        (void)r->projection->apply(sample);
    if (r->key_condition) {
        const key_schema ks{{"a", value_type::N}, key_attribute{"b", value_type::S}};
        auto kc = r->key_condition->resolve(ks);
        if (kc)
            (void)kc->matches_range(attribute_value::s("w"));
    }
}

}  // namespace

TEST_CASE("random token soup always yields a result or a ValidationException",
          "[emulator][dynamo][expression]") {
    std::mt19937 rng(20240601);
    const std::pair<const char*, expression_context> kinds[] = {
        {"ConditionExpression", expression_context::put_item},
        {"UpdateExpression", expression_context::update_item},
        {"KeyConditionExpression", expression_context::query},
        {"FilterExpression", expression_context::scan},
        {"ProjectionExpression", expression_context::get_item},
    };
    for (const auto& [field, context] : kinds) {
        for (int i = 0; i < 1000; ++i) run(field, context, random_tokens(rng));
        for (int i = 0; i < 200; ++i) run(field, context, random_bytes(rng));
    }
}

TEST_CASE("valid expressions with random whitespace keep compiling",
          "[emulator][dynamo][expression]") {
    // The same expressions pass with any amount of whitespace between tokens.
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> spaces(0, 3);
    const char* tokens[] = {"#n",  ".",        "#m", "[", "0", "]",  "=",  ":w",
                            "AND", "size",     "(",  "a", ")", "<",  ":v", "OR",
                            "NOT", "contains", "(",  "m", ",", ":w", ")"};
    for (int i = 0; i < 200; ++i) {
        std::string e;
        for (const char* t : tokens) {
            const bool word = std::isalnum(static_cast<unsigned char>(t[0])) != 0;
            e += std::string(static_cast<std::size_t>(spaces(rng)) + (word ? 1 : 0), ' ');
            e += t;
        }
        nlohmann::json request = {
            {"FilterExpression", e},
            {"ExpressionAttributeNames", names},
            {"ExpressionAttributeValues", {{":v", {{"N", "1"}}}, {":w", {{"S", "w"}}}}}};
        INFO(e);
        auto r = compile_request(request, expression_context::scan);
        REQUIRE(r);
        CHECK(r->filter->evaluate(
            make_item(R"({"n":{"M":{"m":{"L":[{"S":"w"}]}}},"a":{"S":""},"m":{"SS":["w"]}})")));
    }
}

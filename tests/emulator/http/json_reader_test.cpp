// Issue 6: the front's JSON reader gives exactly json::parse's verdict and tree (types
// included) on every text it accepts or refuses, so replacing json::parse on the request path
// changes no answer. Checked on a corpus of edge cases, on mutations of real DynamoDB requests
// and on random texts.
#include "json_reader.hpp"

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using esser::emulator::detail::json_read_status;
using esser::emulator::detail::read_json;
using nlohmann::json;

namespace {

// Same value and the same JSON types all the way down (== alone equates 1u, 1 and 1.0).
bool same(const json& a, const json& b) {
    if (a.type() != b.type())
        return false;
    if (a.is_object()) {
        if (a.size() != b.size())
            return false;
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
            if (ia.key() != ib.key() || !same(*ia, *ib))
                return false;
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same(a[i], b[i]))
                return false;
        return true;
    }
    if (a.is_number_float())
        return std::memcmp(&a.get_ref<const double&>(), &b.get_ref<const double&>(),
                           sizeof(double)) == 0;
    return a == b;
}

// Checks the reader against json::parse on `text`; returns whether it was valid JSON.
bool agrees(const std::string& text) {
    const json want = json::parse(text, nullptr, false);
    json got = "untouched";
    const auto st = read_json(text, got, 1000);
    INFO("text: " << json(text).dump(-1, ' ', false, json::error_handler_t::replace));
    if (want.is_discarded()) {
        CHECK(st == json_read_status::invalid);
        CHECK(got == "untouched");
        return false;
    }
    REQUIRE(st == json_read_status::ok);
    CHECK(same(got, want));
    return true;
}

const std::vector<std::string> corpus = {
    "",
    " ",
    "{}",
    "[]",
    "{ }",
    "[ ]",
    " {\"a\":1} ",
    "\t\r\n{}\n",
    "{\"a\":1}x",
    "{} {}",
    "{,}",
    "{\"a\"}",
    "{\"a\":}",
    "{\"a\":1,}",
    "[1,]",
    "[,1]",
    "[1 2]",
    "{\"a\" 1}",
    "{a:1}",
    "{'a':1}",
    "{\"a\":1,\"a\":2}",
    "{\"b\":1,\"a\":{\"c\":[true,false,null]}}",
    "true",
    "false",
    "null",
    "tru",
    "nul",
    "truex",
    "TRUE",
    "\"x\"",
    "\"",
    "\"abc",
    "\"a\\\"b\"",
    "\"\\/\\b\\f\\n\\r\\t\"",
    "\"\\x\"",
    "\"\\u0041\\u00e9\\u20AC\"",
    "\"\\u0000\"",
    "\"\\uD83D\\uDE00\"",
    "\"\\uD83D\"",
    "\"\\uDE00\"",
    "\"\\uD83Dx\"",
    "\"\\uD83D\\u0041\"",
    "\"\\u12\"",
    "\"\\u12G4\"",
    "\"a\tb\"",
    "\"a\nb\"",
    std::string("\"a\0b\"", 5),
    std::string("{}\0", 3),
    std::string("{} \0x", 5),
    std::string("\0{}", 3),
    std::string("[\0]", 3),
    "\"\x7f\"",
    "\"\xc3\xa9\"",
    "\"\xc3\"",
    "\"\xc0\x80\"",
    "\"\xc1\xbf\"",
    "\"\xe0\x80\x80\"",
    "\"\xe0\xa0\x80\"",
    "\"\xed\xa0\x80\"",
    "\"\xed\x9f\xbf\"",
    "\"\xef\xbf\xbf\"",
    "\"\xf0\x8f\xbf\xbf\"",
    "\"\xf0\x90\x80\x80\"",
    "\"\xf4\x8f\xbf\xbf\"",
    "\"\xf4\x90\x80\x80\"",
    "\"\xf5\x80\x80\x80\"",
    "\"\xff\"",
    "\"\x80\"",
    "\"\xe2\x82\"",
    "\xef\xbb\xbf{}",
    "\xef\xbb{}",
    "\xef{}",
    "\xef\xbb\xbf",
    "0",
    "-0",
    "-",
    "01",
    "-01",
    "1.",
    ".5",
    "1.5",
    "-1.5e3",
    "1e",
    "1e+",
    "1E-2",
    "1e400",
    "-1e400",
    "1e-400",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "9223372036854775807",
    "123456789012345678901234567890",
    "0.1",
    "2.2250738585072014e-308",
    "4.9e-324",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "[0,-0,-0.0,0e0,1E+2]",
    "+1",
    "0x10",
    "NaN",
    "Infinity",
    "[1,[2,[3,[4]]]]",
    "[[[[[[[[[[]]]]]]]]]]",
    "{\"\":\"\"}",
    "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"12.50\"}}}",
};

std::string dynamo_request(std::mt19937& rng) {
    json item = {{"pk", {{"S", "Item#b" + std::to_string(rng() % 1000)}}},
                 {"v", {{"N", std::to_string(rng() % 100)}}},
                 {"data",
                  {{"M",
                    {{"name", {{"S", "a bench item \xc3\xa9 \\ \" \n"}}},
                     {"price", {{"N", "12.50"}}},
                     {"tags", {{"L", {{{"S", "bench"}}, {{"BOOL", true}}, {{"NULL", true}}}}}}}}}},
                 {"b", {{"B", "AAEC"}}}};
    json req = {{"TableName", "esser_bench"},
                {"Item", item},
                {"ConditionExpression", "attribute_not_exists(pk)"},
                {"Limit", rng() % 50},
                {"Ratio", -1.25},
                {"Neg", -7}};
    return req.dump(rng() % 2 ? -1 : 2);
}

}  // namespace

TEST_CASE("read_json agrees with json::parse on the edge-case corpus",
          "[emulator][http][json_reader]") {
    int valid = 0;
    for (const auto& text : corpus) valid += agrees(text) ? 1 : 0;
    // Both kinds are exercised.
    CHECK(valid > 30);
    CHECK(valid < static_cast<int>(corpus.size()) - 30);
}

TEST_CASE("read_json agrees with json::parse on mutated DynamoDB requests and random texts",
          "[emulator][http][json_reader]") {
    std::mt19937 rng(61127);
    const std::string alphabet = "{}[]:,\"\\ -+.eE0123456789tfnulrsa\xc3\xa9\xff\x01\n";
    int valid = 0, invalid = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text = dynamo_request(rng);
        if (i % 3 != 0) {
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                const auto at = rng() % text.size();
                switch (rng() % 3) {
                    case 0:
                        text[at] = alphabet[rng() % alphabet.size()];
                        break;
                    case 1:
                        text.erase(at, 1 + rng() % 3);
                        break;
                    default:
                        text.insert(at, 1, alphabet[rng() % alphabet.size()]);
                }
                if (text.empty())
                    text = "{";
            }
        }
        (agrees(text) ? valid : invalid)++;
    }
    for (int i = 0; i < 3000; ++i) {
        std::string text;
        const auto n = rng() % 12;
        for (std::size_t k = 0; k < n; ++k) text += alphabet[rng() % alphabet.size()];
        (agrees(text) ? valid : invalid)++;
    }
    CHECK(valid > 1000);
    CHECK(invalid > 1000);
}

TEST_CASE("read_json stops at its depth limit and leaves the verdict to json::parse",
          "[emulator][http][json_reader]") {
    json out = "untouched";
    CHECK(read_json(std::string(5, '[') + std::string(5, ']'), out, 5) == json_read_status::ok);
    CHECK(read_json(std::string(6, '[') + std::string(6, ']'), out, 5) ==
          json_read_status::too_deep);
    CHECK(read_json("{\"a\":{\"b\":{\"c\":[1]}}}", out, 3) == json_read_status::too_deep);
    // Deep but broken: still too_deep here; json::parse then says it is not JSON.
    CHECK(read_json(std::string(200, '['), out, 128) == json_read_status::too_deep);
    // An error before the limit is reported as invalid.
    CHECK(read_json("[[x" + std::string(200, '['), out, 128) == json_read_status::invalid);
    // 100,000 levels are refused without exhausting the stack.
    CHECK(read_json(std::string(100'000, '['), out, 128) == json_read_status::too_deep);
}

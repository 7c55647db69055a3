// Covers issue 2 (shared codecs): DynamoDB AttributeValue JSON <-> plain JSON is exact; a number
// with no exact JSON form is a typed error naming its path, never a silent rounding.
#include "esser/core/attribute_json.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

using namespace esser::core;
using nlohmann::json;

TEST_CASE("plain JSON converts to AttributeValues and back unchanged", "[core][attribute_json]") {
    const json plain = {{"name", "Yummy Choc"},
                        {"price", 10.5},
                        {"count", 3},
                        {"neg", -7},
                        {"tiny", 1e-7},
                        {"huge", 1e30},
                        {"flag", true},
                        {"none", nullptr},
                        {"empty", ""},
                        {"list", json::array({1, "a", json::array(), json::object()})},
                        {"nested", {{"deeper", {{"x", 0.25}}}}}};
    auto av = to_attribute_map(plain);
    REQUIRE(av);
    CHECK((*av)["name"] == json{{"S", "Yummy Choc"}});
    CHECK((*av)["price"] == json{{"N", "10.5"}});
    CHECK((*av)["count"] == json{{"N", "3"}});
    CHECK((*av)["tiny"] == json{{"N", "0.0000001"}});
    CHECK((*av)["huge"] == json{{"N", "1000000000000000000000000000000"}});
    CHECK((*av)["flag"] == json{{"BOOL", true}});
    CHECK((*av)["none"] == json{{"NULL", true}});
    CHECK((*av)["list"]["L"][2] == json{{"L", json::array()}});
    CHECK((*av)["nested"]["M"]["deeper"]["M"]["x"] == json{{"N", "0.25"}});
    auto back = from_attribute_map(*av);
    REQUIRE(back);
    CHECK(*back == plain);
}

TEST_CASE("N values decode to integers when they are integers", "[core][attribute_json]") {
    CHECK(number_from_text("42").value().is_number_unsigned());
    CHECK(number_from_text("-42").value() == -42);
    CHECK(number_from_text("1e2").value() == 100);
    CHECK(number_from_text("1e2").value().is_number_integer());
    CHECK(number_from_text("0").value() == 0);
    CHECK(number_from_text("-0.000").value() == 0);
    CHECK(number_from_text("18446744073709551615").value() ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK(number_from_text("-9223372036854775808").value() ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(number_from_text("+3").value() == 3);
    CHECK(number_from_text("0001.500").value() == 1.5);
    CHECK(number_from_text(".5").value() == 0.5);
    CHECK(number_from_text("12.5E-1").value() == 1.25);
}

TEST_CASE("a number without an exact JSON form is an error naming its path",
          "[core][attribute_json]") {
    // 22 significant digits: no binary64 double denotes this decimal.
    auto r = from_attribute_map(
        json{{"data", {{"M", {{"price", {{"N", "0.1000000000000000000001"}}}}}}}});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::parse_error);
    REQUIRE(r.error().fields.size() == 1);
    CHECK(r.error().fields[0].pointer == "/data/price");
    CHECK_THAT(r.error().fields[0].reason, Catch::Contains("no exact JSON"));
    // 2^64 is a double whose text reads back the same; 2^64 + 1 is not.
    CHECK(number_from_text("18446744073709551616").value() == 18446744073709551616.0);
    CHECK(number_to_text(json(18446744073709551616.0)).value() == "18446744073709551616");
    CHECK_FALSE(number_from_text("18446744073709551617"));
    CHECK_FALSE(number_from_text("12345678901234567890123456789012345678"));
    // Inside a list and a number set, the index is named.
    auto l = from_attribute_value(
        json{{"L", json::array({json{{"N", "1"}}, json{{"N", "1.00000000000000000001"}}})}});
    REQUIRE_FALSE(l);
    CHECK(l.error().fields[0].pointer == "/1");
    auto ns = from_attribute_value(
        json{{"NS", json::array({"1", "2", "3.0000000000000000000000001"})}}, "/x");
    REQUIRE_FALSE(ns);
    CHECK(ns.error().fields[0].pointer == "/x/2");
}

TEST_CASE("doubles DynamoDB cannot store are errors, not silent changes",
          "[core][attribute_json]") {
    CHECK_FALSE(to_attribute_value(json(std::numeric_limits<double>::quiet_NaN())));
    CHECK_FALSE(to_attribute_value(json(std::numeric_limits<double>::infinity())));
    auto big = to_attribute_map(json{{"v", 1e200}});
    REQUIRE_FALSE(big);
    CHECK(big.error().fields[0].pointer == "/v");
    CHECK_THAT(big.error().fields[0].reason, Catch::Contains("maximum"));
    CHECK_FALSE(to_attribute_value(json(1e-200)));
    CHECK(number_to_text(json(-0.0)).value() == "0");
    CHECK(number_to_text(json(123456789.125)).value() == "123456789.125");
    CHECK(number_to_text(json(0.1)).value() == "0.1");
}

TEST_CASE("malformed AttributeValues are typed errors with their path", "[core][attribute_json]") {
    struct bad_case {
        json av;
        const char* reason_part;
    };

    const bad_case cases[] = {
        {json::object(), "exactly one type"},
        {json{{"S", "a"}, {"N", "1"}}, "exactly one type"},
        {json{{"S", 1}}, "S must be a string"},
        {json{{"N", 1}}, "N must be a string"},
        {json{{"N", "dog"}}, "not a decimal number"},
        {json{{"N", " 1"}}, "not a decimal number"},
        {json{{"N", "NaN"}}, "not a decimal number"},
        {json{{"N", ""}}, "not a decimal number"},
        {json{{"N", "1e"}}, "not a decimal number"},
        {json{{"N", "1e99999999999"}}, "no exact JSON"},
        {json{{"NULL", false}}, "NULL must be true"},
        {json{{"BOOL", "true"}}, "BOOL must be a boolean"},
        {json{{"M", json::array()}}, "M must be an object"},
        {json{{"L", json::object()}}, "L must be an array"},
        {json{{"SS", json::array()}}, "non-empty"},
        {json{{"B", "Zm9v"}}, "binary"},
        {json{{"BS", json::array({"Zm9v"})}}, "binary"},
        {json{{"X", 1}}, "unknown AttributeValue type"},
        {json("plain"), "exactly one type"},
    };
    for (const auto& c : cases) {
        INFO(c.av.dump());
        auto r = from_attribute_value(json{{"M", {{"field", c.av}}}});
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::parse_error);
        REQUIRE(r.error().fields.size() == 1);
        CHECK(r.error().fields[0].pointer == "/field");
        CHECK_THAT(r.error().fields[0].reason, Catch::Contains(c.reason_part));
    }
    CHECK_FALSE(from_attribute_map(json::array()));
    CHECK_FALSE(to_attribute_map(json(3)));
}

TEST_CASE("nesting beyond 32 levels is refused in both directions", "[core][attribute_json]") {
    json plain = 1;
    json av = {{"N", "1"}};
    for (int i = 0; i < 40; ++i) {
        plain = json::array({plain});
        av = json{{"L", json::array({av})}};
    }
    CHECK_FALSE(to_attribute_value(plain));
    CHECK_FALSE(from_attribute_value(av));
    // A hostile, very deep document fails cleanly instead of exhausting the stack.
    json deep = json::object();
    json* cur = &deep;
    for (int i = 0; i < 5000; ++i) cur = &((*cur)["a"] = json::object());
    CHECK_FALSE(to_attribute_map(deep));
}

TEST_CASE("member names with '/' and '~' are escaped in error pointers", "[core][attribute_json]") {
    auto r = from_attribute_map(json{{"a/b", {{"M", {{"c~d", {{"N", "x"}}}}}}}});
    REQUIRE_FALSE(r);
    CHECK(r.error().fields[0].pointer == "/a~1b/c~0d");
}

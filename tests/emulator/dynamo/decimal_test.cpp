// Issue 3: DynamoDB numbers are exact 38-digit decimals in 1e-130..9.99e125, canonical in
// responses (spec/dynamodb-api.md §2.2).
#include "esser/emulator/dynamo/decimal.hpp"

#include <catch2/catch.hpp>

using esser::emulator::decimal;

namespace {
decimal num(std::string_view s) {
    auto d = decimal::parse(s);
    REQUIRE(d.has_value());
    return *d;
}

std::string canon(std::string_view s) {
    return num(s).to_string();
}

std::string parse_error(std::string_view s) {
    auto d = decimal::parse(s);
    REQUIRE_FALSE(d.has_value());
    return d.error();
}

const std::string overflow =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
const std::string underflow =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
const std::string precision = "Attempting to store more than 38 significant digits in a Number";
}  // namespace

TEST_CASE("decimal accepts every syntax DynamoDB accepts", "[emulator][dynamo][decimal]") {
    // alternator test_number.py test_invalid_numbers: the sanity list of allowed numbers.
    CHECK(canon("3") == "3");
    CHECK(canon("-7.1234") == "-7.1234");
    CHECK(canon("-17e5") == "-1700000");
    CHECK(canon("-17.4E37") == "-174" + std::string(36, '0'));
    CHECK(canon("+3") == "3");
    CHECK(canon(".123") == "0.123");
    CHECK(canon("0001.23") == "1.23");
    CHECK(canon("1e+5") == "100000");
    CHECK(canon("0e1000") == "0");
    CHECK(canon("1.") == "1");
    CHECK(canon("-0") == "0");
    CHECK(canon("0.000") == "0");
}

TEST_CASE("decimal rejects what is not a number with DynamoDB's message",
          "[emulator][dynamo][decimal]") {
    CHECK(parse_error("") == "The parameter cannot be converted to a numeric value");
    for (std::string s : {"NaN", "Infinity", "-Infinity", "-NaN", "dog", "-dog", " 1",
                          "1 ",  "b",        ".",         "-",    "+",   "1e",   "1e+",
                          "e5",  "1..2",     "1.2.3",     "0x10", "1,5", "--1",  "1e5.5"}) {
        CAPTURE(s);
        CHECK(parse_error(s) == "The parameter cannot be converted to a numeric value: " + s);
    }
}

TEST_CASE("decimal canonical form drops zeros and exponents as AWS does",
          "[emulator][dynamo][decimal]") {
    // dynalite putItem "should put really long numbers", checked against AWS.
    CHECK(canon("0000012345678901234567890123456789012345678") ==
          "12345678901234567890123456789012345678");
    CHECK(canon("-00001.23456789012345678901234567890123456780000") ==
          "-1.2345678901234567890123456789012345678");
    CHECK(canon("0009.99999999999999999999999999999999999990000e125") ==
          std::string(38, '9') + std::string(88, '0'));
    CHECK(canon("0001.000e-130") == "0." + std::string(129, '0') + "1");
    CHECK(canon("1.0") == "1");
    CHECK(canon("1e2") == "100");
    CHECK(canon("10e-1") == "1");
    CHECK(num("1") == num("1.0"));
    CHECK(num("100") == num("1e2"));
}

TEST_CASE("decimal enforces 38 significant digits", "[emulator][dynamo][decimal]") {
    CHECK(canon(std::string(38, '9')) == std::string(38, '9'));
    CHECK(parse_error(std::string(39, '9')) == precision);
    // Leading and trailing zeros do not count.
    CHECK(canon("000" + std::string(38, '7') + "000") == std::string(38, '7') + "000");
    CHECK(canon("0.000" + std::string(38, '1')) == "0.000" + std::string(38, '1'));
    CHECK(parse_error("3.14159265358979323846264338327950288419") == precision);
    CHECK(parse_error("314159265358979323846.264338327950288419") == precision);
    CHECK(parse_error("314159265358979323846264338327950288419e30") == precision);
}

TEST_CASE("decimal enforces the magnitude range at its edges", "[emulator][dynamo][decimal]") {
    CHECK(canon("9.9999999999999999999999999999999999999e125") ==
          std::string(38, '9') + std::string(88, '0'));
    CHECK(parse_error("1e126") == overflow);
    CHECK(parse_error("-1e126") == overflow);
    CHECK(canon("1e125") == "1" + std::string(125, '0'));
    CHECK(canon("1e-130") == "0." + std::string(129, '0') + "1");
    CHECK(canon("-1e-130") == "-0." + std::string(129, '0') + "1");
    CHECK(parse_error("1e-131") == underflow);
    CHECK(parse_error("0.9e-130") == underflow);
    CHECK(parse_error("1e99999999999999999999") == overflow);
    CHECK(parse_error("1e-99999999999999999999") == underflow);
    // AWS's order: range before precision.
    CHECK(parse_error(std::string(40, '1') + "e200") == overflow);
}

TEST_CASE("decimal orders numerically", "[emulator][dynamo][decimal]") {
    CHECK(num("2") < num("10"));
    CHECK(num("-10") < num("-2"));
    CHECK(num("-1") < num("0"));
    CHECK(num("0") < num("1e-130"));
    CHECK(num("0.1") < num("0.11"));
    CHECK(num("9.99") < num("10"));
    CHECK(num("123.45") > num("123.4"));
    CHECK(num("1e125") > num(std::string(38, '9')));
    CHECK((num("1.50") <=> num("1.5")) == std::strong_ordering::equal);
    CHECK(num("-0.5") > num("-0.55"));
}

TEST_CASE("decimal arithmetic is exact and refuses results it cannot store",
          "[emulator][dynamo][decimal]") {
    auto add = [](std::string_view a, std::string_view b) { return decimal::add(num(a), num(b)); };
    auto sub = [](std::string_view a, std::string_view b) {
        return decimal::subtract(num(a), num(b));
    };
    // alternator test_update_expression_plus_precision
    CHECK(add("1", "10000000000000000000000")->to_string() == "10000000000000000000001");
    CHECK(sub("10000000000000000000000", "1")->to_string() == "9999999999999999999999");
    CHECK(add("0.1", "0.2")->to_string() == "0.3");
    CHECK(add("1.5", "-1.5")->to_string() == "0");
    CHECK(sub("-3", "4")->to_string() == "-7");
    CHECK(add("1e38", "-1")->to_string() == std::string(38, '9'));
    CHECK(add(std::string(38, '9'), "1")->to_string() == "1" + std::string(38, '0'));
    // alternator test_update_expression_plus_imprecise: AWS says "overflow" for lost precision.
    CHECK(add("1e50", "1").error() == overflow);
    CHECK(sub("1e50", "1").error() == overflow);
    CHECK(add("1e125", "1e-130").error() == overflow);
    CHECK(add(std::string(38, '9'), "0.1").error() == overflow);
    // alternator test_update_expression_plus_overflow: 9e125 + 9e125 = 1.8e126.
    CHECK(add("9e125", "9e125").error() == overflow);
    CHECK(sub("-9e125", "9e125").error() == overflow);
    CHECK(sub("1.1e-130", "1e-130").error() == underflow);
    CHECK(add("0", "-5")->to_string() == "-5");
}

TEST_CASE("decimal size follows DynamoDB's formula", "[emulator][dynamo][decimal]") {
    CHECK(num("0").size_bytes() == 1);
    CHECK(num("1").size_bytes() == 2);                    // 1 + 1
    CHECK(num("12").size_bytes() == 2);                   // 1 + 1 (e=1 odd)
    CHECK(num("1.2").size_bytes() == 3);                  // 1 + 1 + 1 (2 digits, e=0 even)
    CHECK(num("-1").size_bytes() == 3);                   // + 1 for the sign
    CHECK(num("12345").size_bytes() == 4);                // 1 + 3
    CHECK(num(std::string(38, '9')).size_bytes() == 20);  // 1 + 19 (e=37 odd)
}

TEST_CASE("decimal converts to and from int64 exactly", "[emulator][dynamo][decimal]") {
    for (std::int64_t v :
         {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{100},
          std::int64_t{9223372036854775807LL}, std::int64_t{-9223372036854775807LL - 1}}) {
        CAPTURE(v);
        const decimal d = decimal::from_int(v);
        CHECK(d.to_string() == std::to_string(v));
        std::int64_t back = 42;
        CHECK(d.to_int64(back));
        CHECK(back == v);
    }
    std::int64_t out = 0;
    CHECK_FALSE(num("1.5").to_int64(out));
    CHECK_FALSE(num("9223372036854775808").to_int64(out));
    CHECK(num("-9223372036854775808").to_int64(out));
    CHECK_FALSE(num("1e30").to_int64(out));
    CHECK(num("1e18").to_int64(out));
    CHECK(out == 1000000000000000000LL);
}

TEST_CASE("decimal hash agrees with equality", "[emulator][dynamo][decimal]") {
    CHECK(num("1.0").hash() == num("1").hash());
    CHECK(num("100").hash() == num("1e2").hash());
    CHECK(num("0").hash() == num("-0").hash());
}

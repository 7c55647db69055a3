// Issue 3: the AttributeValue model: set invariants, map order, item size by AWS's formula
// (spec/dynamodb-api.md §2.1, §2.3).
#include "esser/emulator/dynamo/attribute_value.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;

namespace {
decimal num(std::string_view s) {
    return decimal::parse(s).value();
}
}  // namespace

TEST_CASE("attribute_value set factories sort and de-duplicate",
          "[emulator][dynamo][attribute_value]") {
    auto ss = attribute_value::ss({"b", "a", "b", "\xff", "A"});
    CHECK(ss.as_ss() == std::vector<std::string>{"A", "a", "b", "\xff"});  // unsigned byte order
    auto ns = attribute_value::ns({num("10"), num("2"), num("2.0"), num("-1")});
    CHECK(ns.as_ns() == std::vector<decimal>{num("-1"), num("2"), num("10")});
    CHECK(attribute_value::ss({"x", "y"}) == attribute_value::ss({"y", "x"}));
    CHECK(attribute_value::ss({"x"}) != attribute_value::bs({"x"}));
}

TEST_CASE("attribute_map keeps names sorted and unique", "[emulator][dynamo][attribute_value]") {
    attribute_map m({{"b", attribute_value::s("1")},
                     {"a", attribute_value::s("2")},
                     {"b", attribute_value::s("3")}});
    REQUIRE(m.size() == 2);
    CHECK(m.entries()[0].first == "a");
    CHECK(m.find("b")->as_s() == "3");  // a later duplicate wins
    m.set("c", attribute_value::boolean(true));
    m.set("0", attribute_value::null());
    CHECK(m.entries().front().first == "0");
    CHECK(m.entries().back().first == "c");
    CHECK(m.erase("a"));
    CHECK_FALSE(m.erase("a"));
    CHECK(m.find("a") == nullptr);
    CHECK(m.size() == 3);
}

TEST_CASE("item_size follows DynamoDB's formula", "[emulator][dynamo][attribute_value]") {
    // dynalite db/index.js itemSize/valSize, which reproduces AWS's 400 KB boundaries.
    attribute_map item;
    item.set("id", attribute_value::s("abc"));        // 2 + 3
    item.set("n", attribute_value::n(num("12345")));  // 1 + 4
    item.set("b", attribute_value::b("xyz"));         // 1 + 3
    item.set("t", attribute_value::boolean(true));    // 1 + 1
    item.set("z", attribute_value::null());           // 1 + 1
    CHECK(item_size(item) == 5 + 5 + 4 + 2 + 2);
    // L: 3 + sum(1 + elem); M: 3 + sum(1 + name + value).
    auto l = attribute_value::l({attribute_value::s("ab"), attribute_value::n(num("1"))});
    CHECK(l.size_bytes() == 3 + (1 + 2) + (1 + 2));
    attribute_map inner;
    inner.set("k", attribute_value::s("vv"));
    CHECK(attribute_value::m(inner).size_bytes() == 3 + 1 + 1 + 2);
    CHECK(attribute_value::m({}).size_bytes() == 3);
    CHECK(attribute_value::ss({"a", "bc"}).size_bytes() == 3);
    CHECK(attribute_value::ns({num("1"), num("-1")}).size_bytes() == 2 + 3);
    // UTF-8 bytes, not characters.
    CHECK(attribute_value::s("\xc3\xa9").size_bytes() == 2);
}

TEST_CASE("type tags and descriptions", "[emulator][dynamo][attribute_value]") {
    CHECK(type_tag(value_type::NUL) == "NULL");
    CHECK(type_tag(value_type::BS) == "BS");
    CHECK(type_description(value_type::S) == "STRING");
    CHECK(type_description(value_type::L) == "LIST");
    CHECK(attribute_value().type() == value_type::NUL);
}

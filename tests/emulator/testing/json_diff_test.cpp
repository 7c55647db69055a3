// Issue 7: the JSON diff behind every then_* failure report (paths, modes, ignore patterns).
#include "esser/emulator/testing/json_diff.hpp"

#include <catch2/catch.hpp>

using esser::emulator::diff_mode;
using esser::emulator::format_differences;
using esser::emulator::json_diff;
using esser::emulator::json_difference;
using esser::emulator::path_filter;
using nlohmann::json;

TEST_CASE("json_diff lists every difference by JSON Pointer", "[emulator][testing][json_diff]") {
    const json expected = {{"price", 12.5}, {"colors", {"orange", "blue"}}, {"a~b/c", 1}};
    const json actual = {{"price", 10.5}, {"colors", {"orange"}}, {"a~b/c", 1}, {"extra", true}};
    auto d = json_diff(expected, actual, diff_mode::exact);
    REQUIRE(d.size() == 3);
    CHECK(d[0].pointer == "/colors/1");
    CHECK(d[0].what == json_difference::kind::missing);
    CHECK(d[1].pointer == "/price");
    CHECK(d[1].what == json_difference::kind::changed);
    CHECK(d[2].pointer == "/extra");
    CHECK(d[2].what == json_difference::kind::unexpected);
    const std::string text = format_differences(d);
    CHECK(text ==
          "  /colors/1: missing (expected \"blue\")\n"
          "  /price: expected 12.5, got 10.5\n"
          "  /extra: unexpected true\n");
    // Escaped member names stay addressable.
    auto e = json_diff(json{{"a~b/c", 1}}, json{{"a~b/c", 2}}, diff_mode::exact);
    REQUIRE(e.size() == 1);
    CHECK(e[0].pointer == "/a~0b~1c");
}

TEST_CASE("subset mode ignores extra members at any depth but not array lengths",
          "[emulator][testing][json_diff]") {
    const json actual = {{"name", "Choc"},
                         {"price", 10.5},
                         {"items", {{{"id", "a"}, {"price", 1}}, {{"id", "b"}, {"price", 2}}}}};
    CHECK(json_diff(json{{"price", 10.5}}, actual, diff_mode::subset).empty());
    CHECK(json_diff(json{{"items", {{{"id", "a"}}, {{"id", "b"}}}}}, actual, diff_mode::subset)
              .empty());
    auto d = json_diff(json{{"items", {{{"id", "a"}}}}}, actual, diff_mode::subset);
    REQUIRE(d.size() == 1);
    CHECK(d[0].pointer == "/items/1");
    CHECK(d[0].what == json_difference::kind::unexpected);
    CHECK_FALSE(json_diff(json{{"missing", 1}}, actual, diff_mode::subset).empty());
}

TEST_CASE("numbers compare by value and types are never confused",
          "[emulator][testing][json_diff]") {
    CHECK(json_diff(json(10), json(10.0), diff_mode::exact).empty());
    CHECK_FALSE(json_diff(json("10"), json(10), diff_mode::exact).empty());
    CHECK_FALSE(json_diff(json::object(), json::array(), diff_mode::exact).empty());
    CHECK_FALSE(json_diff(json(nullptr), json(false), diff_mode::exact).empty());
}

TEST_CASE("ignore patterns take * for one segment and ** for any depth",
          "[emulator][testing][json_diff]") {
    const json expected = {{"meta", {{"event_id", "x"}, {"trace_id", 1}}},
                           {"at", "t1"},
                           {"events", {{{"at", "t1"}, {"v", 1}}, {{"at", "t2"}, {"v", 2}}}},
                           {"deep", {{"a", {{"b", {{"trace_id", 1}}}}}}}};
    json actual = expected;
    actual["meta"]["event_id"] = "y";
    actual["at"] = "t9";
    actual["events"][0]["at"] = "t9";
    actual["events"][1]["at"] = "t9";
    actual["deep"]["a"]["b"]["trace_id"] = 2;
    actual["meta"]["trace_id"] = 2;
    CHECK(json_diff(expected, actual, diff_mode::exact).size() == 6);
    path_filter f({"/meta/event_id", "/at", "/events/*/at", "/**/trace_id"});
    CHECK(json_diff(expected, actual, diff_mode::exact, f).empty());
    // An ignored member may also be absent on either side.
    json fewer = actual;
    fewer.erase("at");
    CHECK(json_diff(expected, fewer, diff_mode::exact, f).empty());
    // `*` matches exactly one segment: "/*/at" reaches neither "/at" nor "/events/0/at".
    CHECK(json_diff(expected, actual, diff_mode::exact, path_filter({"/*/at"})).size() == 6);
    CHECK(json_diff(expected, actual, diff_mode::exact, path_filter({"/events/*/at"})).size() == 4);
}

TEST_CASE("malformed ignore patterns are refused with what to write",
          "[emulator][testing][json_diff]") {
    auto bad = path_filter::make({"meta.event_id"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == esser::core::errc::invalid_argument);
    CHECK_THAT(bad.error().message, Catch::Contains("not a JSON Pointer"));
    CHECK_FALSE(path_filter::make({"/a~2"}));
    CHECK_THROWS_AS(path_filter({"x"}), std::invalid_argument);
    CHECK(path_filter::make({"", "/a", "/a~1b"}));
}

TEST_CASE("long values are shortened in reports", "[emulator][testing][json_diff]") {
    const std::string big(1000, 'x');
    auto d = json_diff(json{{"s", big}}, json{{"s", "y"}}, diff_mode::exact);
    const std::string text = format_differences(d);
    CHECK(text.size() < 300);
    CHECK_THAT(text, Catch::Contains(" ... "));
}

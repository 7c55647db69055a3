// Covers issue 2 (reducer engine): every built-in op, C++ functions, latest_version, deletion,
// numeric-order folding and purity.
#include "esser/core/reducer.hpp"

#include <limits>

#include <catch2/catch.hpp>

using namespace esser::core;
using nlohmann::json;

namespace {
event ev(std::uint64_t v, std::string type, json data) {
    event e;
    e.entity = "Item";
    e.id = "i-1";
    e.version = v;
    e.type = std::move(type);
    e.data = std::move(data);
    e.meta.command_id = "c-" + std::to_string(v);
    return e;
}

reducer make(std::initializer_list<std::pair<std::string, reducer_step>> steps) {
    reducer r;
    for (const auto& [type, step] : steps) REQUIRE(r.add(type, step));
    return r;
}
}  // namespace

TEST_CASE("merge copies the event data into the state (the seed's on_created)", "[core][reducer]") {
    auto r = make({{"ItemCreated", reducer_step::merge()}});
    json state = json::object();
    REQUIRE(r.apply(state, ev(1, "ItemCreated", {{"name", "Choc"}, {"price", 10.5}})));
    CHECK(state == json{{"name", "Choc"}, {"price", 10.5}, {"latest_version", 1}});
    SECTION("only selected fields, into a nested object") {
        auto r2 = make({{"X", reducer_step::merge_into("/info", {"name"})}});
        json s2 = json::object();
        REQUIRE(r2.apply(s2, ev(1, "X", {{"name", "Choc"}, {"price", 10.5}})));
        CHECK(s2 == json{{"info", {{"name", "Choc"}}}, {"latest_version", 1}});
    }
}

TEST_CASE("set, unset, append, union and increment do what their names say", "[core][reducer]") {
    auto r = make({{"PriceUpdated", reducer_step::set("/price")},
                   {"Renamed", reducer_step::set("/label/text", "/name")},
                   {"Flagged", reducer_step::set_value("/flagged", true)},
                   {"Cleared", reducer_step::unset("/price")},
                   {"ItemAdded", reducer_step::append("/items", "/item_id")},
                   {"ColorsAdded", reducer_step::union_of("/colors")},
                   {"Counted", reducer_step::increment("/count", "/by")},
                   {"Ticked", reducer_step::increment_by("/ticks", 1)}});
    json s = {{"items", json::array()}};
    std::uint64_t v = 0;
    auto apply = [&](std::string type, json data) {
        auto res = r.apply(s, ev(++v, std::move(type), std::move(data)));
        if (!res)
            FAIL(res.error().describe());
    };
    apply("PriceUpdated", {{"price", 12.5}});
    apply("Renamed", {{"name", "Dark Choc"}});
    apply("Flagged", json::object());
    apply("ItemAdded", {{"item_id", "a"}});
    apply("ItemAdded", {{"item_id", "a"}});
    apply("ColorsAdded", {{"colors", {"orange", "black"}}});
    apply("ColorsAdded", {{"colors", {"black", "blue"}}});
    apply("Counted", {{"by", 2}});
    apply("Counted", {{"by", 3}});
    apply("Ticked", json::object());
    apply("PriceUpdated", json::object());  // absent source: no change
    CHECK(s["price"] == 12.5);
    apply("Cleared", json::object());
    apply("Cleared", json::object());  // absent target: no error
    CHECK(s == json{{"label", {{"text", "Dark Choc"}}},
                    {"flagged", true},
                    {"items", {"a", "a"}},
                    {"colors", {"orange", "black", "blue"}},
                    {"count", 5},
                    {"ticks", 1},
                    {"latest_version", 13}});
    CHECK(s["count"].is_number_integer());
}

TEST_CASE("increment keeps integers exact and reports overflow", "[core][reducer]") {
    auto r = make({{"Add", reducer_step::increment("/n", "/by")}});
    json s = {{"n", std::numeric_limits<std::int64_t>::max()}};
    REQUIRE(r.apply(s, ev(1, "Add", {{"by", 1}})));
    CHECK(s["n"] == std::uint64_t{9223372036854775808ULL});
    json s2 = {{"n", std::numeric_limits<std::uint64_t>::max()}};
    auto overflow = r.apply(s2, ev(1, "Add", {{"by", 1}}));
    REQUIRE_FALSE(overflow);
    CHECK(overflow.error().code == errc::internal);
    CHECK_THAT(overflow.error().message, Catch::Contains("overflow"));
    json s3 = {{"n", 1}};
    REQUIRE(r.apply(s3, ev(1, "Add", {{"by", 0.5}})));
    CHECK(s3["n"] == 1.5);
    json s4 = {{"n", "one"}};
    auto wrong = r.apply(s4, ev(1, "Add", {{"by", 1}}));
    REQUIRE_FALSE(wrong);
    CHECK_THAT(wrong.error().message,
               Catch::Contains("increment /n") && Catch::Contains("Add version 1"));
}

TEST_CASE("delete merges the data and marks the aggregate deleted", "[core][reducer]") {
    auto r =
        make({{"ItemCreated", reducer_step::merge()}, {"ItemDeleted", reducer_step::remove()}});
    aggregate a;
    a.stream = {"Item", "i-1"};
    REQUIRE(r.fold(a, {ev(1, "ItemCreated", {{"name", "Choc"}}),
                       ev(2, "ItemDeleted", {{"deleted_by", "bob"}})}));
    CHECK(a.deleted);
    CHECK(a.version == 2);
    CHECK(a.state ==
          json{{"name", "Choc"}, {"deleted_by", "bob"}, {"deleted", true}, {"latest_version", 2}});
}

TEST_CASE("C++ reducer functions run in order with the built-in steps", "[core][reducer]") {
    reducer r;
    REQUIRE(r.add("PriceUpdated", reducer_step::set("/price")));
    REQUIRE(r.add("PriceUpdated", reducer_step::function("history", [](json& s, const event& e) {
                      s["history"].push_back(e.data["price"]);
                  })));
    json s = json::object();
    REQUIRE(r.apply(s, ev(1, "PriceUpdated", {{"price", 1}})));
    REQUIRE(r.apply(s, ev(2, "PriceUpdated", {{"price", 2}})));
    CHECK(s == json{{"price", 2}, {"history", {1, 2}}, {"latest_version", 2}});
    SECTION("a throwing function is an error naming it") {
        reducer bad;
        REQUIRE(bad.add("X", reducer_step::function("boom", [](json&, const event&) {
                            throw std::runtime_error("nope");
                        })));
        json st = json::object();
        auto res = bad.apply(st, ev(1, "X", json::object()));
        REQUIRE_FALSE(res);
        CHECK_THAT(res.error().message, Catch::Contains("boom") && Catch::Contains("nope"));
    }
}

TEST_CASE("events without steps only advance latest_version", "[core][reducer]") {
    reducer r;
    json s = {{"a", 1}};
    REQUIRE(r.apply(s, ev(7, "Unknown", {{"b", 2}})));
    CHECK(s == json{{"a", 1}, {"latest_version", 7}});
}

TEST_CASE("fold requires consecutive versions and tracks command spans", "[core][reducer]") {
    auto r = make({{"PriceUpdated", reducer_step::set("/price")}});
    aggregate a;
    a.stream = {"Item", "i-1"};
    std::vector<event> events;
    for (std::uint64_t v = 1; v <= 12; ++v) events.push_back(ev(v, "PriceUpdated", {{"price", v}}));
    events[4].meta.command_id = events[3].meta.command_id;  // versions 4 and 5: one command
    REQUIRE(r.fold(a, events));
    CHECK(a.version == 12);
    CHECK(a.state["price"] == 12);
    CHECK(a.recent_commands.size() == 11);
    REQUIRE(a.find_command("c-4"));
    CHECK(*a.find_command("c-4") == command_span{"c-4", 4, 5});
    CHECK(a.find_command("c-5") == nullptr);
    SECTION("a gap is an error") {
        aggregate b;
        auto res = r.fold(b, {ev(1, "PriceUpdated", {}), ev(3, "PriceUpdated", {})});
        REQUIRE_FALSE(res);
        CHECK_THAT(res.error().message, Catch::Contains("expected 2, got 3"));
    }
    SECTION("'10' sorting before '2' would be caught") {
        aggregate b;
        std::vector<event> wrong = {ev(1, "P", {}), ev(10, "P", {}), ev(2, "P", {})};
        CHECK_FALSE(r.fold(b, wrong));
    }
}

TEST_CASE("folding is pure: the same events give the same state", "[core][reducer]") {
    auto r = make({{"ItemCreated", reducer_step::merge()},
                   {"ColorsAdded", reducer_step::union_of("/colors")},
                   {"Counted", reducer_step::increment_by("/n", 2)}});
    const std::vector<event> events = {ev(1, "ItemCreated", {{"name", "x"}}),
                                       ev(2, "ColorsAdded", {{"colors", {"a"}}}),
                                       ev(3, "Counted", json::object())};
    const auto copy = events;
    aggregate a, b;
    REQUIRE(r.fold(a, events));
    REQUIRE(r.fold(b, events));
    CHECK(a.state == b.state);
    CHECK(events == copy);
}

TEST_CASE("malformed reducer steps are invalid_domain naming the step", "[core][reducer]") {
    reducer r;
    auto no_path = r.add("X", reducer_step::set(""), "/entities/Item/reducer/on_X");
    REQUIRE_FALSE(no_path);
    CHECK(no_path.error().code == errc::invalid_domain);
    CHECK(no_path.error().fields[0].pointer == "/entities/Item/reducer/on_X/path");
    auto bad_ptr = r.add("X", reducer_step::set("price"), "/s");
    REQUIRE_FALSE(bad_ptr);
    CHECK(bad_ptr.error().fields[0].pointer == "/s/path");
    CHECK_FALSE(r.add("X", reducer_step::set("/a", "b~2")));
    CHECK_FALSE(r.add("X", reducer_step::function("f", nullptr)));
    CHECK_FALSE(r.add("X", reducer_step::increment_by("/n", "one")));
    CHECK(r.steps("X") == nullptr);
}

TEST_CASE("a path through a scalar is an error, not a crash", "[core][reducer]") {
    auto r = make({{"X", reducer_step::set("/price/amount", "/v")}});
    json s = {{"price", 3}};
    auto res = r.apply(s, ev(1, "X", {{"v", 1}}));
    REQUIRE_FALSE(res);
    CHECK_THAT(res.error().message, Catch::Contains("crosses a number"));
}

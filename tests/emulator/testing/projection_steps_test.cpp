// Issue 7 "Projection steps": the harness publishes events through the path esser-local wires
// (the fake table's stream, an event source mapping, the projector function with the core
// stream_handler and aggregate_state_projection into a read store), drains the mappings on the
// manual clock (no sleeps) and checks read-model rows; the same as scenario-file steps.
#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

#include "esser/core/domain.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/emulator/testing/aggregate_fixture.hpp"
#include "esser/emulator/testing/scenario.hpp"

using esser::emulator::aggregate_fixture;
using esser::emulator::diff_mode;
using esser::emulator::expectation_failure;
using nlohmann::json;

namespace {

// Loaded once per test process (tests/core/shop_fixture.hpp).
std::shared_ptr<const esser::core::domain> shop() {
    static const auto d = esser::testing::load_shop();
    return d;
}

aggregate_fixture::options with_projections() {
    aggregate_fixture::options o;
    o.projections = true;
    return o;
}

json create_item(const char* name, double price) {
    return {{"command", "CreateItem"}, {"data", {{"name", name}, {"price", price}}}};
}

template <class F>
std::string failure_of(F&& f) {
    try {
        f();
    } catch (const expectation_failure& e) {
        return e.what();
    }
    FAIL("the expectation did not fail");
    return {};
}

esser::core::result<esser::emulator::scenario> parse(const json& doc) {
    return esser::emulator::parse_scenario(
        doc, std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/x.scenario.json",
        [](const std::string&) -> esser::core::result<std::shared_ptr<const esser::core::domain>> {
            return shop();
        });
}

}  // namespace

TEST_CASE("given events reach the item projection only through a drain",
          "[emulator][testing][projection]") {
    aggregate_fixture fx(shop(), with_projections());
    fx.on("Item", "item-1")
        .given({{{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 10.5}}}}});
    // Nothing runs by itself: before a drain the read model is empty.
    auto before = fx.read_store().get("item", "item-1");
    REQUIRE(before);
    CHECK_FALSE(before->has_value());
    fx.then_projection("item", "item-1", {{"name", "Choc"}, {"price", 10.5}, {"latest_version", 1}},
                       diff_mode::exact, 1);
    CHECK(fx.last_drain().at("idle") == true);
    CHECK(fx.last_drain().at("mappings").size() == 1);
}

TEST_CASE("a command's events update the projection row; subset and exact matching",
          "[emulator][testing][projection]") {
    aggregate_fixture fx(shop(), with_projections());
    fx.on("Item", "item-1")
        .given({{{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 10.5}}}}})
        .when({{"command", "UpdatePrice"}, {"data", {{"price", 12.5}}}})
        .then_success()
        .then_projection("item", "item-1", {{"price", 12.5}}, diff_mode::subset, 2)
        .then_projection("item", "item-1",
                         {{"name", "Choc"}, {"price", 12.5}, {"latest_version", 2}});

    const std::string exact = failure_of([&] {
        fx.then_projection("item", "item-1", {{"price", 12.5}}, diff_mode::exact);
    });
    CHECK_THAT(exact, Catch::Contains("then_projection item/item-1 (exact) failed"));
    CHECK_THAT(exact, Catch::Contains("/name"));

    const std::string wrong = failure_of([&] {
        fx.then_projection("item", "item-1", {{"price", 10.5}}, diff_mode::subset);
    });
    CHECK_THAT(wrong, Catch::Contains("/price"));
    CHECK_THAT(wrong, Catch::Contains("12.5"));

    const std::string version = failure_of([&] {
        fx.then_projection("item", "item-1", {{"price", 12.5}}, diff_mode::subset, 1);
    });
    CHECK_THAT(version, Catch::Contains("at version 2, expected 1"));
}

TEST_CASE("a missing row is checked both ways", "[emulator][testing][projection]") {
    aggregate_fixture fx(shop(), with_projections());
    fx.on("Item", "item-1")
        .given({{{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 1}}}}})
        .then_no_projection_row("item", "item-2")
        .then_no_projection_row("basket", "item-1");
    const std::string missing = failure_of([&] {
        fx.then_projection("item", "item-2", {{"price", 1}});
    });
    CHECK_THAT(missing, Catch::Contains("no such row; the projection has rows item-1"));
    const std::string present = failure_of([&] { fx.then_no_projection_row("item", "item-1"); });
    CHECK_THAT(present, Catch::Contains("the row exists (version 1)"));
}

TEST_CASE("commands on several aggregates project each; ids follow the seed",
          "[emulator][testing][projection]") {
    auto run = [] {
        aggregate_fixture fx(shop(), with_projections());
        fx.on("Item", "");
        fx.when(create_item("Choc", 1)).then_success();
        const std::string a = fx.act_stream().id;
        fx.when(create_item("Tea", 2)).then_success();
        const std::string b = fx.act_stream().id;
        fx.then_projection("item", a, {{"name", "Choc"}}, diff_mode::subset)
            .then_projection("item", b, {{"name", "Tea"}}, diff_mode::subset);
        fx.on("Item", a)
            .when({{"command", "DeleteItem"}, {"data", {{"deleted_by", "tester"}}}})
            .then_success();
        // The built-in projection keeps a deleted aggregate's last state, marked deleted.
        fx.then_projection("item", a, {{"deleted", true}}, diff_mode::subset, 2);
        return a + "," + b;
    };
    CHECK(run() == run());
}

TEST_CASE("the harness without projections refuses projection steps",
          "[emulator][testing][projection]") {
    aggregate_fixture fx(shop());
    CHECK_THROWS_AS(fx.drain(), std::logic_error);
    CHECK_THROWS_AS(fx.read_store(), std::logic_error);
    // Projections need the default store: the events must flow through the table's stream.
    aggregate_fixture other(shop());
    aggregate_fixture::options o = with_projections();
    o.store = std::shared_ptr<esser::core::event_store>(&other.store(), [](auto*) {});
    CHECK_THROWS_AS(aggregate_fixture(shop(), o), std::invalid_argument);
}

TEST_CASE("scenario files: drain and then.projection run the projection path",
          "[emulator][testing][projection][scenario]") {
    const json doc = {
        {"scenario", "projection"},
        {"aggregate", "Item"},
        {"id", "item-1"},
        {"steps",
         {{{"given", {{{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 1}}}}}}},
          {{"drain", true}},
          {{"when", {{"command", "UpdatePrice"}, {"data", {{"price", 3}}}}}},
          {{"then",
            {{"projection",
              {{{"name", "item"},
                {"id", "item-1"},
                {"match", "subset"},
                {"value", {{"price", 3}}},
                {"version", 2}},
               {{"name", "item"}, {"id", "item-9"}, {"missing", true}}}}}}}}}};
    auto s = parse(doc);
    INFO((s ? std::string() : s.error().describe()));
    REQUIRE(s);
    CHECK(s->projections);
    CHECK(esser::emulator::run_scenario(*s));

    json wrong = doc;
    wrong["steps"][3]["then"]["projection"][0]["value"]["price"] = 4;
    auto w = parse(wrong);
    REQUIRE(w);
    auto r = esser::emulator::run_scenario(*w);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("/steps/3 (then)"));
    CHECK_THAT(r.error().message, Catch::Contains("/price"));

    // A scenario without projection steps does not pay for the projection path.
    json plain = doc;
    plain["steps"] = json::array({doc["steps"][0], doc["steps"][2]});
    auto p = parse(plain);
    REQUIRE(p);
    CHECK_FALSE(p->projections);
}

TEST_CASE("scenario files: malformed projection steps are named by JSON Pointer",
          "[emulator][testing][projection][scenario]") {
    auto problems_of = [](const json& steps) {
        json doc = {{"scenario", "bad"}, {"aggregate", "Item"}, {"id", "item-1"}, {"steps", steps}};
        auto s = parse(doc);
        REQUIRE_FALSE(s);
        std::string out;
        for (const auto& f : s.error().fields) out += f.pointer + ": " + f.reason + "\n";
        return out;
    };
    CHECK_THAT(problems_of(json::array({{{"drain", 1}}})),
               Catch::Contains("/steps/0/drain: must be true"));
    CHECK_THAT(problems_of(json::array({{{"then", {{"projection", "item"}}}}})),
               Catch::Contains("/steps/0/then/projection: must be {\"name\""));
    CHECK_THAT(problems_of(json::array({{{"then", {{"projection", json::array()}}}}})),
               Catch::Contains("/steps/0/then/projection: must name at least one row"));
    const std::string many = problems_of(json::array(
        {{{"then",
           {{"projection",
             json::array(
                 {{{"id", 5}, {"value", 1}, {"match", "most"}, {"colour", 1}},
                  {{"name", "Item"}, {"id", "x"}, {"missing", true}, {"value", {}}}})}}}}}));
    CHECK_THAT(many, Catch::Contains("/steps/0/then/projection/0/name: is required"));
    CHECK_THAT(many, Catch::Contains("/steps/0/then/projection/0/id: must be a non-empty string"));
    CHECK_THAT(many, Catch::Contains("/steps/0/then/projection/0/value: must be an object"));
    CHECK_THAT(many, Catch::Contains("/steps/0/then/projection/0/match: must be \"exact\""));
    CHECK_THAT(many, Catch::Contains("/steps/0/then/projection/0/colour: is not a member"));
    CHECK_THAT(many, Catch::Contains("/steps/0/then/projection/1: \"missing\" takes no value"));
    CHECK_THAT(many,
               Catch::Contains("/steps/0/then/projection/1/name: the projection of Item is named "
                               "\"item\""));
}

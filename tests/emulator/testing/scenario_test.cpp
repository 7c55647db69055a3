// Issue 7: scenario files: parsing with every problem by JSON Pointer, running on the harness,
// failures that name the step, malformed files that do not stop the other scenarios.
#include "esser/emulator/testing/scenario.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "esser/core/domain_file.hpp"

using esser::emulator::parse_scenario;
using esser::emulator::run_scenario;
using esser::emulator::scenario_step;
using nlohmann::json;

namespace {

esser::core::result<std::shared_ptr<const esser::core::domain>> load(const std::string& path) {
    return esser::core::load_domain_file(path);
}

std::string shop_dir() {
    return std::string(ESSER_SOURCE_DIR) + "/scenarios/shop";
}

// Parses `doc` as if it were a file in scenarios/shop/.
esser::core::result<esser::emulator::scenario> parse(const json& doc) {
    return parse_scenario(doc, shop_dir() + "/test.scenario.json", load);
}

std::map<std::string, std::string> problems(const json& doc) {
    auto s = parse(doc);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == esser::core::errc::parse_error);
    CHECK(s.error().source == shop_dir() + "/test.scenario.json");
    std::map<std::string, std::string> out;
    for (const auto& f : s.error().fields) out[f.pointer] += f.reason;
    return out;
}

const json valid = json::parse(R"({
    "scenario": "same price", "aggregate": "Item", "id": "item-1",
    "given": [{"type": "ItemCreated", "data": {"name": "Choc", "price": 10.5}}],
    "when": {"command": "UpdatePrice", "data": {"price": 10.5}},
    "then": {"error": {"type": "validation", "pointer": "/price"}, "events": {"match": "none"}}})");

}  // namespace

TEST_CASE("a scenario in short form parses into given, when and then steps",
          "[emulator][testing][scenario]") {
    auto s = parse(valid);
    REQUIRE(s);
    CHECK(s->name == "same price");
    CHECK(s->domain_file == shop_dir() + "/domain.json");  // found next to the file
    REQUIRE(s->steps.size() == 3);
    CHECK(s->steps[0].what == scenario_step::kind::given);
    CHECK(s->steps[1].what == scenario_step::kind::when);
    CHECK(s->steps[1].pointer == "/when");
    CHECK(s->steps[2].what == scenario_step::kind::then);
    CHECK(run_scenario(*s));
}

TEST_CASE("a failing scenario names the step and shows the harness's report",
          "[emulator][testing][scenario]") {
    json doc = valid;
    doc.erase("given");
    doc.erase("when");
    doc.erase("then");
    doc["steps"] = json::parse(R"([
        {"given": [{"type": "ItemCreated", "data": {"name": "Choc", "price": 10.5}}]},
        {"when": {"command": "UpdatePrice", "data": {"price": 11}}},
        {"then": {"events": [{"type": "PriceUpdated", "data": {"price": 12}}]}}])");
    auto s = parse(doc);
    REQUIRE(s);
    auto r = run_scenario(*s);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith("/steps/2 (then): then_events (exact)"));
    CHECK_THAT(r.error().message, Catch::Contains("/0/data/price: expected 12, got 11"));
    CHECK_THAT(r.error().message, Catch::Contains("Item#item-1 v1 ItemCreated"));
    CHECK(r.error().source == s->file);
}

TEST_CASE("the seed changes ids but not outcomes", "[emulator][testing][scenario]") {
    auto s = parse(valid);
    REQUIRE(s);
    CHECK(run_scenario(*s, 1));
    CHECK(run_scenario(*s, 999));
}

TEST_CASE("malformed scenarios list every problem by JSON Pointer with what is expected",
          "[emulator][testing][scenario]") {
    SECTION("not an object") {
        auto p = problems(json::array());
        CHECK_THAT(p[""], Catch::Contains("must be a JSON object"));
    }
    SECTION("missing name and steps, unknown members") {
        auto p = problems(json{{"aggregate", "Item"}, {"colour", 1}});
        CHECK_THAT(p["/scenario"], Catch::Contains("is required"));
        CHECK_THAT(p["/steps"], Catch::Contains("is required"));
        CHECK_THAT(p["/colour"], Catch::Contains("is not a member of a scenario"));
    }
    SECTION("unknown steps, entities and commands") {
        json doc = {{"scenario", "x"}, {"aggregate", "Item"}, {"id", "i"}};
        doc["steps"] = json::parse(R"([
            {"giv": []},
            {"when": {"command": "Fly"}},
            {"when": {"entity": "Plane", "command": "Fly"}},
            {"given": [{"type": "X", "entity": "Ship"}]},
            {"then": {"events": {"match": "most"}, "state": {"price": 1}, "colour": 1}},
            {"advance": "soon"},
            "given",
            {"given": [], "when": {"command": "UpdatePrice"}}])");
        auto p = problems(doc);
        CHECK_THAT(p["/steps/0/giv"], Catch::Contains("unknown step 'giv': expected one of given"));
        CHECK_THAT(p["/steps/1/when/command"],
                   Catch::Contains("unknown command 'Fly' of Item: it has AddColors"));
        CHECK_THAT(p["/steps/2/when/entity"],
                   Catch::Contains("unknown entity 'Plane': the domain has Basket, Item"));
        CHECK_THAT(p["/steps/3/given/0/entity"], Catch::Contains("unknown entity 'Ship'"));
        CHECK_THAT(p["/steps/4/then/events/match"], Catch::Contains("\"exact\", \"prefix\""));
        CHECK_THAT(p["/steps/4/then/state"], Catch::Contains("\"value\""));
        CHECK_THAT(p["/steps/4/then/colour"], Catch::Contains("is not a then check"));
        CHECK_THAT(p["/steps/5/advance"], Catch::Contains("duration"));
        CHECK_THAT(p["/steps/6"], Catch::Contains("must be an object with one step"));
        CHECK_THAT(p["/steps/7"], Catch::Contains("exactly one step"));
    }
    SECTION("bad values in the header") {
        json doc = valid;
        doc["seed"] = -1;
        doc["clock"] = {{"start", "yesterday"}, {"tick", 5}, {"speed", 2}};
        doc["ignoring"] = {"meta"};
        doc["aggregate"] = "Itme";
        auto p = problems(doc);
        CHECK_THAT(p["/seed"], Catch::Contains("non-negative integer"));
        CHECK_THAT(p["/clock/start"], Catch::Contains("RFC 3339"));
        CHECK_THAT(p["/clock/tick"], Catch::Contains("duration"));
        CHECK_THAT(p["/clock/speed"], Catch::Contains("not a member of clock"));
        CHECK_THAT(p["/ignoring/0"], Catch::Contains("not a JSON Pointer"));
        CHECK_THAT(p["/aggregate"], Catch::Contains("unknown entity 'Itme'"));
    }
    SECTION("a domain that does not exist or does not load") {
        json doc = valid;
        doc["domain"] = "nowhere.json";
        CHECK_THAT(problems(doc)["/domain"], Catch::Contains("does not load"));
    }
    SECTION("store steps") {
        json doc = {{"scenario", "x"}, {"aggregate", "Item"}};
        doc["events"] = {{"e0", {{"type", "ItemCreated"}}}, {"bad", 3}};
        doc["steps"] = json::parse(R"([
            {"append": "i", "events": ["e0", "e7"], "expect": "sometime", "result": "maybe"},
            {"append": 5, "events": []}])");
        auto p = problems(doc);
        CHECK_THAT(p["/events/bad"], Catch::Contains("must be an event object"));
        CHECK_THAT(p["/steps/0/events/1"], Catch::Contains("no event named 'e7'"));
        CHECK_THAT(p["/steps/0/expect"], Catch::Contains("no_stream"));
        CHECK_THAT(p["/steps/0/result"], Catch::Contains("idempotent"));
        CHECK_THAT(p["/steps/1/append"], Catch::Contains("aggregate id"));
        CHECK_THAT(p["/steps/1/events"], Catch::Contains("non-empty"));
        CHECK_THAT(p["/steps/1/expect"], Catch::Contains("is required"));
    }
}

TEST_CASE("random garbage never crashes the scenario parser", "[emulator][testing][scenario]") {
    // Mutations of a valid document: every member replaced by values of every JSON type.
    const std::vector<json> values = {nullptr,
                                      true,
                                      3,
                                      -2,
                                      1.5,
                                      "x",
                                      json::array(),
                                      json::object(),
                                      json::array({1, "a", nullptr}),
                                      json{{"type", 1}}};
    std::size_t parsed = 0;
    for (const auto& key : {"scenario", "aggregate", "id", "given", "when", "then", "seed", "clock",
                            "ignoring", "events", "domain"}) {
        for (const auto& v : values) {
            json doc = valid;
            doc[key] = v;
            auto s = parse(doc);
            if (s) {
                ++parsed;
                (void)run_scenario(*s);  // must not crash; may fail
            }
        }
    }
    CHECK(parsed < 110);
}

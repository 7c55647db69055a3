// Covers issue 2 (event model): events round-trip through JSON, and malformed event documents
// (from scenario files, fixtures, the esser API) are typed errors naming the field.
#include "esser/core/event.hpp"

#include <catch2/catch.hpp>

using namespace esser::core;
using nlohmann::json;

TEST_CASE("an event round-trips through its JSON form", "[core][event]") {
    event e{"Item", "i-1", 3, "PriceUpdated", json{{"price", 12.5}},
            {"e-1", "c-1", "corr", "c-1"}, "2024-01-01T00:00:00.000Z"};
    json j = e;
    CHECK(j["meta"]["command_id"] == "c-1");
    CHECK(j.get<event>() == e);
    CHECK(e.stream().key() == "Item#i-1");
}

TEST_CASE("event_from_json lists every malformed member by JSON Pointer", "[core][event]") {
    auto r = event_from_json(json{{"entity", 1}, {"version", 0}, {"data", json::array()}});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::parse_error);
    std::vector<std::string> paths;
    for (auto& f : r.error().fields) paths.push_back(f.pointer);
    CHECK(paths == std::vector<std::string>{"/entity", "/id", "/type", "/version", "/data"});
    CHECK_FALSE(event_from_json(json::array()));
    CHECK_THROWS_AS(json("x").get<event>(), json::exception);
}

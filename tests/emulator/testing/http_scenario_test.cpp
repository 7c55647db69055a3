// Issue 7 "end-to-end steps" and "Bad input": scenario files with "target": "http" are checked
// before anything runs; every malformed step is named by its JSON Pointer with what is
// expected. (Running them against esser-local: tests/emulator/app/http_scenario_run_test.cpp.)
#include "esser/emulator/testing/http_scenario.hpp"

#include <sstream>

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

#include "esser/core/domain.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/emulator/testing/scenario_runner.hpp"

using nlohmann::json;

namespace {

// Loaded once per test process (tests/core/shop_fixture.hpp).
std::shared_ptr<const esser::core::domain> shop() {
    static const auto d = esser::testing::load_shop();
    return d;
}

esser::core::result<esser::emulator::scenario> parse(const json& steps, json extra = {}) {
    json doc = {{"scenario", "e2e"}, {"target", "http"}, {"aggregate", "Item"}, {"steps", steps}};
    if (extra.is_object())
        doc.update(extra);
    return esser::emulator::parse_scenario(
        doc, std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/x.scenario.json",
        [](const std::string&) -> esser::core::result<std::shared_ptr<const esser::core::domain>> {
            return shop();
        });
}

std::string problems_of(const json& steps, json extra = {}) {
    auto s = parse(steps, std::move(extra));
    REQUIRE_FALSE(s);
    std::string out;
    for (const auto& f : s.error().fields) out += f.pointer + ": " + f.reason + "\n";
    return out;
}

}  // namespace

TEST_CASE("http scenarios parse every step kind", "[emulator][testing][http_scenario]") {
    auto s = parse(json::array(
        {{{"send", {{"command", "CreateItem"}, {"data", {{"name", "a"}, {"price", 1}}}}},
          {"expect", {{"status", 200}, {"body", {{"version", 1}}}}},
          {"save", {{"item", "/id"}}}},
         {{"request", {{"method", "GET"}, {"path", "/esser/v1/health"}}}},
         {{"drain", true}},
         {{"advance", "15m"}},
         {{"set_clock", "2024-01-02T00:00:00Z"}},
         {{"rotate", "events"}},
         {{"projection", {{"name", "item"}, {"id", "${item}"}, {"value", {{"price", 1}}}}}},
         {{"queue", {{"name", "q"}, {"count", 0}}}},
         {{"ignoring", {"/at"}}}}));
    INFO((s ? std::string() : s.error().describe()));
    REQUIRE(s);
    CHECK(s->target == esser::emulator::scenario_target::http);
    CHECK(s->reset);
    REQUIRE(s->steps.size() == 9);
    CHECK(s->steps[0].what == esser::emulator::scenario_step::kind::send);
    CHECK(s->steps[8].what == esser::emulator::scenario_step::kind::ignoring);
}

TEST_CASE("malformed http steps are named by JSON Pointer", "[emulator][testing][http_scenario]") {
    const std::string p = problems_of(json::array({
        {{"given", json::array()}},
        {{"send", {{"command", "Nope"}}}, {"expect", {{"status", 999}, {"colour", 1}}}},
        {{"request", {{"method", "FETCH"}, {"path", "esser"}, {"headers", {{"a", 1}}}}},
         {"save", {{"url", "/id"}, {"x", "id"}}}},
        {{"drain", 1}},
        {{"advance", "soon"}},
        {{"set_clock", "yesterday"}},
        {{"rotate", ""}},
        {{"queue", {{"count", -1}, {"match", "some"}}}},
        {{"drain", true}, {"rotate", "events"}},
        {{"advance", "1s"}, {"expect", {{"status", 200}}}},
        {{"drain", true}, {"save", {{"x", "/a"}}}},
    }));
    CHECK_THAT(p, Catch::Contains("/steps/0/given: unknown step 'given' of an http scenario"));
    CHECK_THAT(p, Catch::Contains("/steps/1/send/command: unknown command 'Nope' of Item"));
    CHECK_THAT(p, Catch::Contains("/steps/1/expect/status: must be an HTTP status code"));
    CHECK_THAT(p, Catch::Contains("/steps/1/expect/colour: is not a member of expect"));
    CHECK_THAT(p, Catch::Contains("/steps/2/request/method: must be GET, POST"));
    CHECK_THAT(p, Catch::Contains("/steps/2/request/path: must be the request target"));
    CHECK_THAT(p, Catch::Contains("/steps/2/request/headers/a: must be a string"));
    CHECK_THAT(p, Catch::Contains("/steps/2/save/url: a saved name is"));
    CHECK_THAT(p, Catch::Contains("/steps/2/save/x: must be a JSON Pointer"));
    CHECK_THAT(p, Catch::Contains("/steps/3/drain: must be true"));
    CHECK_THAT(p, Catch::Contains("/steps/4/advance: must be a duration"));
    CHECK_THAT(p, Catch::Contains("/steps/5/set_clock: must be an RFC 3339 time"));
    CHECK_THAT(p, Catch::Contains("/steps/6/rotate: must be a table name"));
    CHECK_THAT(p, Catch::Contains("/steps/7/queue/name: is required"));
    CHECK_THAT(p, Catch::Contains("/steps/7/queue/count: must be the number"));
    CHECK_THAT(p, Catch::Contains("/steps/7/queue/match: must be \"contains\" or \"exact\""));
    CHECK_THAT(p, Catch::Contains("/steps/8: must hold exactly one step"));
    CHECK_THAT(p, Catch::Contains("/steps/9/expect: only send, request and drain take expect"));
    CHECK_THAT(p, Catch::Contains("/steps/10/save: only send and request take save"));

    CHECK_THAT(problems_of(json::array({{{"drain", true}}}), {{"target", "ftp"}}),
               Catch::Contains("/target: must be \"in-process\" (the default) or \"http\""));
    CHECK_THAT(problems_of(json::array({{{"drain", true}}}), {{"reset", "yes"}}),
               Catch::Contains("/reset: must be true or false"));
    CHECK_THAT(problems_of(json::array(), {}), Catch::Contains("/steps: must be a non-empty list"));
}

TEST_CASE("http scenarios are skipped without a URL and fail clearly with a dead one",
          "[emulator][testing][http_scenario]") {
    const std::string file = std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/e2e";
    esser::emulator::scenario_runner skipping;
    auto results = skipping.run({file});
    REQUIRE_FALSE(results.empty());
    for (const auto& r : results)
        CHECK(r.outcome == esser::emulator::scenario_result::status::skipped);
    CHECK_THAT(esser::emulator::summary(results),
               Catch::Contains("skipped (http scenarios need --url)"));
    CHECK_THAT(esser::emulator::junit_xml(results), Catch::Contains("<skipped message="));
    std::ostringstream out, err;
    // Nothing passed: a CI job that forgot --url does not go green.
    CHECK(esser::emulator::run_scenarios_command({file}, out, err) == 1);

    // Port 9 (discard) on loopback: nobody listens, the connection is refused at once.
    esser::emulator::scenario_runner::options o;
    o.url = "http://127.0.0.1:9";
    esser::emulator::scenario_runner dead(o);
    results = dead.run({file});
    REQUIRE_FALSE(results.empty());
    CHECK(results[0].outcome == esser::emulator::scenario_result::status::failed);
    CHECK_THAT(results[0].message, Catch::Contains("/reset (reset)"));
    CHECK_THAT(results[0].message,
               Catch::Contains("esser-local at http://127.0.0.1:9 did not answer"));

    CHECK(esser::emulator::run_scenarios_command({file, "--url", "ftp://x"}, out, err) == 2);
    CHECK_THAT(err.str(), Catch::Contains("--url ftp://x"));
}

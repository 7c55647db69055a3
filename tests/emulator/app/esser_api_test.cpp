// Issue 6 goal 3: the esser API's domain routes (POST commands, GET aggregate state with
// ?version=N, GET events) over core's command handler, on the shop domain, with an in-memory
// event store (the port's test double). Malformed input gets typed 4xx errors and writes nothing.
#include "esser/emulator/app/esser_api.hpp"

#include <string>

#include "core/memory_event_store.hpp"
#include <catch2/catch.hpp>

#include "esser/core/domain_file.hpp"
#include "esser/emulator/http/router.hpp"

using namespace esser;
using namespace esser::emulator;
using nlohmann::json;

namespace {

std::shared_ptr<const core::domain> load_shop() {
    auto d = core::load_domain_file(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    if (!d)
        FAIL(d.error().describe());
    return *d;
}

struct api_fixture {
    std::shared_ptr<const core::domain> domain = load_shop();
    testing::memory_event_store store;
    core::manual_clock clock;
    core::seeded_id_source ids{7};
    esser_api api{domain, store, clock, ids};
    router r;

    api_fixture() { api.install(r); }

    http_response call(const std::string& method, const std::string& target,
                       const std::string& body = {}) {
        http_request req;
        req.method = method;
        req.target = target;
        req.body = body;
        http_response got;
        got.status = 0;
        r.dispatch(std::move(req), responder([&got](http_response res) { got = std::move(res); }));
        REQUIRE(got.status != 0);  // answered synchronously
        return got;
    }

    json call_json(const std::string& method, const std::string& target,
                   const json& body = nullptr) {
        auto res = call(method, target, body.is_null() ? "" : body.dump());
        INFO(res.body);
        REQUIRE(res.status == 200);
        return json::parse(res.body);
    }
};

json error_of(const http_response& r) {
    return json::parse(r.body)["error"];
}

}  // namespace

TEST_CASE("esser_api handles commands and serves the aggregate, its history and events",
          "[emulator][app][esser_api]") {
    api_fixture f;
    auto created = f.call_json("POST", "/esser/v1/commands",
                               {{"entity", "Item"},
                                {"command", "CreateItem"},
                                {"id", "i1"},
                                {"data", {{"name", "Cup"}, {"price", 12.5}}},
                                {"command_id", "c1"}});
    CHECK(created["id"] == "i1");
    CHECK(created["version"] == 1);
    CHECK(created["duplicate"] == false);
    CHECK(created["events"][0]["type"] == "ItemCreated");
    CHECK(created["state"]["price"] == 12.5);

    f.clock.advance(std::chrono::seconds(1));
    auto updated = f.call_json("POST", "/esser/v1/commands",
                               {{"entity", "Item"},
                                {"command", "UpdatePrice"},
                                {"id", "i1"},
                                {"data", {{"price", 10}}},
                                {"expected_version", 1}});
    CHECK(updated["version"] == 2);

    auto now = f.call_json("GET", "/esser/v1/aggregates/Item/i1");
    CHECK(now["version"] == 2);
    CHECK(now["state"]["price"] == 10);
    CHECK(now["state"]["name"] == "Cup");
    CHECK(now["deleted"] == false);
    // Time travel.
    auto then = f.call_json("GET", "/esser/v1/aggregates/Item/i1?version=1");
    CHECK(then["version"] == 1);
    CHECK(then["state"]["price"] == 12.5);
    CHECK(f.call_json("GET", "/esser/v1/aggregates/Item/i1?version=0")["state"] == json::object());

    auto events = f.call_json("GET", "/esser/v1/aggregates/Item/i1/events");
    REQUIRE(events["events"].size() == 2);
    CHECK(events["events"][0]["version"] == 1);
    CHECK(events["events"][1]["type"] == "PriceUpdated");
    CHECK(events["events"][1]["at"] == "2024-01-01T00:00:01.000Z");
    CHECK_FALSE(events.contains("next_after"));
    auto page = f.call_json("GET", "/esser/v1/aggregates/Item/i1/events?after=0&limit=1");
    REQUIRE(page["events"].size() == 1);
    CHECK(page["next_after"] == 1);
    auto rest = f.call_json("GET", "/esser/v1/aggregates/Item/i1/events?after=1");
    REQUIRE(rest["events"].size() == 1);
    CHECK(rest["events"][0]["version"] == 2);

    // A retried command (same command_id) is a duplicate: same events, nothing written.
    auto again = f.call_json("POST", "/esser/v1/commands",
                             {{"entity", "Item"},
                              {"command", "CreateItem"},
                              {"id", "i1"},
                              {"data", {{"name", "Cup"}, {"price", 12.5}}},
                              {"command_id", "c1"}});
    CHECK(again["duplicate"] == true);
    CHECK(again["version"] == 1);
    CHECK(f.call_json("GET", "/esser/v1/aggregates/Item/i1")["version"] == 2);
}

TEST_CASE("esser_api answers domain failures with typed errors and writes nothing",
          "[emulator][app][esser_api]") {
    api_fixture f;
    f.call_json("POST", "/esser/v1/commands",
                {{"entity", "Item"},
                 {"command", "CreateItem"},
                 {"id", "i1"},
                 {"data", {{"name", "Cup"}, {"price", 1}}}});
    const auto appends = f.store.appends();

    SECTION("schema violation: 400 with the field's JSON Pointer") {
        auto r = f.call("POST", "/esser/v1/commands",
                        json{{"entity", "Item"},
                             {"command", "UpdatePrice"},
                             {"id", "i1"},
                             {"data", {{"price", -3}}}}
                            .dump());
        CHECK(r.status == 400);
        CHECK(error_of(r)["type"] == "validation");
        CHECK(error_of(r)["fields"][0]["pointer"] == "/price");  // into the payload
    }
    SECTION("stale expected version: 409") {
        auto r = f.call("POST", "/esser/v1/commands",
                        json{{"entity", "Item"},
                             {"command", "UpdatePrice"},
                             {"id", "i1"},
                             {"data", {{"price", 3}}},
                             {"expected_version", 7}}
                            .dump());
        CHECK(r.status == 409);
        CHECK(error_of(r)["type"] == "version_conflict");
    }
    SECTION("unknown entity, command, aggregate: 404") {
        auto r = f.call("POST", "/esser/v1/commands",
                        R"({"entity":"Nope","command":"CreateItem","data":{}})");
        CHECK(r.status == 404);
        r = f.call("POST", "/esser/v1/commands",
                   R"({"entity":"Item","command":"Fly","id":"i1","data":{}})");
        CHECK(r.status == 404);
        r = f.call("POST", "/esser/v1/commands",
                   R"({"entity":"Item","command":"UpdatePrice","id":"zz","data":{"price":2}})");
        CHECK(r.status == 404);
        CHECK(f.call("GET", "/esser/v1/aggregates/Item/zz").status == 404);
        CHECK(f.call("GET", "/esser/v1/aggregates/Nope/i1").status == 404);
        CHECK(f.call("GET", "/esser/v1/aggregates/Nope/i1/events").status == 404);
        CHECK(f.call("GET", "/esser/v1/aggregates/Item/i1?version=5").status == 404);
    }
    SECTION("a deleted aggregate: 410") {
        f.call_json("POST", "/esser/v1/commands",
                    {{"entity", "Item"},
                     {"command", "DeleteItem"},
                     {"id", "i1"},
                     {"data", {{"deleted_by", "me"}}}});
        auto r =
            f.call("POST", "/esser/v1/commands",
                   R"({"entity":"Item","command":"UpdatePrice","id":"i1","data":{"price":2}})");
        CHECK(r.status == 410);
        CHECK(f.call_json("GET", "/esser/v1/aggregates/Item/i1")["deleted"] == true);
        return;  // the delete was a write
    }
    SECTION("malformed bodies and query parameters: 400") {
        for (const char* body : {"", "not json", "[]", "42", R"({"entity":5})",
                                 R"({"entity":"Item"})", R"({"entity":"Item","command":"CreateItem",
                                 "data":"x"})",
                                 R"({"entity":"Item","command":"UpdatePrice","id":"i1",
                                 "data":{"price":2},"expected_version":"soon"})"}) {
            auto r = f.call("POST", "/esser/v1/commands", body);
            INFO(body << " -> " << r.body);
            CHECK(r.status == 400);
            CHECK(error_of(r).contains("type"));
        }
        for (const char* target :
             {"/esser/v1/aggregates/Item/i1?version=x", "/esser/v1/aggregates/Item/i1?version=-1",
              "/esser/v1/aggregates/Item/i1?version=", "/esser/v1/aggregates/Item/i1?version=%zz",
              "/esser/v1/aggregates/Item/i1?version=99999999999999999999999",
              "/esser/v1/aggregates/Item/i1/events?limit=0",
              "/esser/v1/aggregates/Item/i1/events?limit=10001",
              "/esser/v1/aggregates/Item/i1/events?after=1e3"}) {
            auto r = f.call("GET", target);
            INFO(target << " -> " << r.body);
            CHECK(r.status == 400);
            CHECK(error_of(r)["type"] == "validation");
        }
        CHECK(f.call("PUT", "/esser/v1/commands", "{}").status == 405);
    }
    CHECK(f.store.appends() == appends);
}

// Issue 10 (esser-lambda): the command Lambda's event handling. Every accepted event shape (esser
// command, the seed's AggregateName/EventName shape, API Gateway REST payload 1.0, HTTP API /
// Function URL payload 2.0) reaches core::command_handler as the same command; answers come back
// in the caller's shape (function errors for direct invokes, status codes for HTTP); malformed
// events get typed errors and write nothing. The seed's shop domain on core's in-memory store.
#include "esser/adapters/lambda_runtime/command_function.hpp"

#include "core/memory_event_store.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/id_source.hpp"

using namespace esser;
using namespace esser::adapters;
using nlohmann::json;

namespace {

std::shared_ptr<const core::domain> load_shop() {
    auto d = core::load_domain_file(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    if (!d)
        FAIL("the shop domain does not load: " << d.error().describe());
    return *d;
}

struct shop {
    std::shared_ptr<const core::domain> domain = load_shop();
    esser::testing::memory_event_store store;
    core::manual_clock clock;
    core::seeded_id_source ids{7};
    std::shared_ptr<core::command_handler> handler =
        std::make_shared<core::command_handler>(domain, store, clock, ids);
    command_function fn{domain, handler};

    invocation_result invoke(const json& event) const {
        invocation inv;
        inv.request_id = "r";
        inv.payload = event.dump();
        return fn(inv);
    }

    invocation_result invoke_text(std::string payload) const {
        invocation inv;
        inv.request_id = "r";
        inv.payload = std::move(payload);
        return fn(inv);
    }

    std::uint64_t version_of(const std::string& entity, const std::string& id) {
        return store.last_version({entity, id}).value();
    }
};

json api_gateway_v1(std::string method, std::string body, json headers = json::object(),
                    bool base64 = false) {
    return json{{"resource", "/commands"},
                {"path", "/commands"},
                {"httpMethod", std::move(method)},
                {"headers", std::move(headers)},
                {"queryStringParameters", nullptr},
                {"requestContext", {{"stage", "prod"}, {"requestId", "abc"}}},
                {"body", std::move(body)},
                {"isBase64Encoded", base64}};
}

json http_api_v2(std::string method, std::string body, json headers = json::object()) {
    return json{{"version", "2.0"},
                {"routeKey", "$default"},
                {"rawPath", "/"},
                {"rawQueryString", ""},
                {"headers", std::move(headers)},
                {"requestContext",
                 {{"http", {{"method", std::move(method)}, {"path", "/"}}}, {"requestId", "x"}}},
                {"body", std::move(body)},
                {"isBase64Encoded", false}};
}

json response_of(const invocation_result& r) {
    REQUIRE(r.ok());
    return json::parse(r.payload());
}

}  // namespace

TEST_CASE("command function runs an esser command given directly and returns the command result",
          "[adapters][lambda_runtime][command_function]") {
    shop s;
    auto created = response_of(s.invoke({{"entity", "Item"},
                                         {"command", "CreateItem"},
                                         {"id", "i1"},
                                         {"data", {{"name", "Choc"}, {"price", 10.5}}}}));
    CHECK(created["id"] == "i1");
    CHECK(created["version"] == 1);
    CHECK(created["state"]["price"] == 10.5);
    auto updated = response_of(s.invoke(
        {{"entity", "Item"}, {"command", "UpdatePrice"}, {"id", "i1"}, {"data", {{"price", 11}}}}));
    CHECK(updated["version"] == 2);
    CHECK(s.version_of("Item", "i1") == 2);

    // A validation failure is a function error naming the field; nothing is written.
    auto bad = s.invoke(
        {{"entity", "Item"}, {"command", "UpdatePrice"}, {"id", "i1"}, {"data", {{"price", -1}}}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().error_type == "validation");
    CHECK(bad.error().error_message.find("/price") != std::string::npos);
    // A stale expected version is a version_conflict.
    auto stale = s.invoke({{"entity", "Item"},
                           {"command", "UpdatePrice"},
                           {"id", "i1"},
                           {"data", {{"price", 12}}},
                           {"expected_version", 1}});
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().error_type == "version_conflict");
    CHECK(s.version_of("Item", "i1") == 2);
}

TEST_CASE("command function accepts the seed's AggregateName/EventName event shape",
          "[adapters][lambda_runtime][command_function]") {
    shop s;
    // EventName as the event a command emits (the Python original), creating without an id.
    auto created = response_of(s.invoke({{"AggregateName", "Item"},
                                         {"EventName", "ItemCreated"},
                                         {"CommandId", "c-1"},
                                         {"Payload", {{"name", "Tea"}, {"price", 3}}}}));
    const std::string id = created["id"];
    CHECK(created["version"] == 1);
    // EventName as the command's own name; ExpectedVersion honoured.
    auto updated = response_of(s.invoke({{"AggregateName", "Item"},
                                         {"AggregateId", id},
                                         {"EventName", "UpdatePrice"},
                                         {"ExpectedVersion", 1},
                                         {"Payload", {{"price", 4}}}}));
    CHECK(updated["version"] == 2);
    // The same CommandId again is a duplicate, not a second item.
    auto again = response_of(s.invoke({{"AggregateName", "Item"},
                                       {"EventName", "ItemCreated"},
                                       {"CommandId", "c-1"},
                                       {"Payload", {{"name", "Tea"}, {"price", 3}}}}));
    CHECK(again["duplicate"] == true);
    CHECK(again["id"] == id);

    SECTION("an unknown event name is not_found") {
        auto r = s.invoke({{"AggregateName", "Item"},
                           {"AggregateId", id},
                           {"EventName", "Nope"},
                           {"Payload", json::object()}});
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().error_type == "not_found");
    }
    SECTION("wrongly typed members are listed by pointer") {
        auto r = s.invoke({{"AggregateName", 5},
                           {"EventName", ""},
                           {"Payload", "x"},
                           {"ExpectedVersion", "soon"}});
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().error_type == "validation");
        for (const char* p : {"/AggregateName", "/EventName", "/Payload", "/ExpectedVersion"}) {
            INFO(p);
            CHECK(r.error().error_message.find(p) != std::string::npos);
        }
    }
}

TEST_CASE("command function answers API Gateway REST events with status codes",
          "[adapters][lambda_runtime][command_function]") {
    shop s;
    const json create{{"entity", "Item"},
                      {"command", "CreateItem"},
                      {"id", "g1"},
                      {"data", {{"name", "A"}, {"price", 1}}}};
    auto r = response_of(s.invoke(api_gateway_v1("POST", create.dump())));
    CHECK(r["statusCode"] == 201);
    CHECK(r["headers"]["content-type"] == "application/json");
    CHECK(json::parse(r["body"].get<std::string>())["version"] == 1);

    SECTION("a base64 body (binary media types) is decoded") {
        const json upd{
            {"entity", "Item"}, {"command", "UpdatePrice"}, {"id", "g1"}, {"data", {{"price", 2}}}};
        // base64 of the JSON text, computed independently of the decoder under test.
        const std::string text = upd.dump();
        static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string b64;
        for (std::size_t i = 0; i < text.size(); i += 3) {
            std::uint32_t n = static_cast<unsigned char>(text[i]) << 16;
            if (i + 1 < text.size())
                n |= static_cast<unsigned char>(text[i + 1]) << 8;
            if (i + 2 < text.size())
                n |= static_cast<unsigned char>(text[i + 2]);
            b64 += a[(n >> 18) & 63];
            b64 += a[(n >> 12) & 63];
            b64 += i + 1 < text.size() ? a[(n >> 6) & 63] : '=';
            b64 += i + 2 < text.size() ? a[n & 63] : '=';
        }
        auto u = response_of(s.invoke(api_gateway_v1("POST", b64, json::object(), true)));
        CHECK(u["statusCode"] == 200);
        CHECK(s.version_of("Item", "g1") == 2);
    }
    SECTION("errors map to HTTP statuses with the fields") {
        auto bad = response_of(s.invoke(api_gateway_v1("POST", json{{"entity", "Item"},
                                                                    {"command", "UpdatePrice"},
                                                                    {"id", "g1"},
                                                                    {"data", {{"price", "x"}}}}
                                                                   .dump())));
        CHECK(bad["statusCode"] == 400);
        const json body = json::parse(bad["body"].get<std::string>());
        CHECK(body["error"]["type"] == "validation");
        CHECK(body["error"]["fields"][0]["pointer"] == "/price");
        auto missing = response_of(s.invoke(api_gateway_v1("POST", json{{"entity", "Item"},
                                                                        {"command", "UpdatePrice"},
                                                                        {"id", "nobody"},
                                                                        {"data", {{"price", 1}}}}
                                                                       .dump())));
        CHECK(missing["statusCode"] == 404);
        auto conflict = response_of(s.invoke(api_gateway_v1("POST", create.dump())));
        CHECK(conflict["statusCode"] == 409);
        CHECK(response_of(s.invoke(api_gateway_v1("GET", "")))["statusCode"] == 405);
        CHECK(response_of(s.invoke(api_gateway_v1("POST", "")))["statusCode"] == 400);
        CHECK(response_of(s.invoke(api_gateway_v1("POST", "{not json")))["statusCode"] == 400);
        CHECK(response_of(s.invoke(api_gateway_v1("POST", "[1,2]")))["statusCode"] == 400);
        for (const char* b64 : {"e30", "e===", "e3!=", "=e30"}) {
            INFO(b64);
            CHECK(response_of(s.invoke(
                      api_gateway_v1("POST", b64, json::object(), true)))["statusCode"] == 400);
        }
        CHECK(s.version_of("Item", "g1") == 1);
    }
}

TEST_CASE("command function answers HTTP API and Function URL events, with Idempotency-Key",
          "[adapters][lambda_runtime][command_function]") {
    shop s;
    const std::string body =
        json{{"entity", "Basket"}, {"command", "CreateBasket"}, {"data", {{"name", "weekly"}}}}
            .dump();
    auto first = response_of(s.invoke(http_api_v2("POST", body, {{"idempotency-key", "k-42"}})));
    CHECK(first["statusCode"] == 201);
    const json created = json::parse(first["body"].get<std::string>());
    // A client retry with the same key is recognised: same aggregate, nothing new written.
    auto retry = response_of(s.invoke(http_api_v2("POST", body, {{"Idempotency-Key", "k-42"}})));
    CHECK(retry["statusCode"] == 200);
    const json again = json::parse(retry["body"].get<std::string>());
    CHECK(again["duplicate"] == true);
    CHECK(again["id"] == created["id"]);
    CHECK(s.version_of("Basket", created["id"]) == 1);
    CHECK(response_of(s.invoke(http_api_v2("DELETE", body)))["statusCode"] == 405);
    auto no_method = http_api_v2("POST", body);
    no_method["requestContext"].erase("http");
    CHECK(response_of(s.invoke(no_method))["statusCode"] == 400);
}

TEST_CASE("command function refuses malformed direct events with parse errors",
          "[adapters][lambda_runtime][command_function]") {
    shop s;
    for (const char* payload :
         {"", "not json", "[]", "42", "{\"hello\":1}", "{\"entity\":\"Item\"}"}) {
        INFO(payload);
        auto r = s.invoke_text(payload);
        REQUIRE_FALSE(r.ok());
        CHECK((r.error().error_type == "parse_error" || r.error().error_type == "validation"));
    }
    CHECK(s.invoke_text("not json").error().error_type == "parse_error");
    CHECK(s.invoke_text("{\"hello\":1}").error().error_type == "parse_error");
}

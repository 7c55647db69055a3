// Issue 10 (esser-local as a signed endpoint): `serve --credentials KEY:SECRET[:TOKEN]` verifies
// SigV4 on every AWS API request. The production event store over http_transport works end to
// end when correctly signed; unsigned, badly signed and stale requests, unknown keys and a wrong
// session token get AWS's errors, shaped per protocol (DynamoDB and Streams: AWS JSON 1.0, 400;
// Lambda's REST API: x-amzn-ErrorType, 403), and the signing client does not retry them. The
// esser API stays open.
#include <chrono>

#include "adapters/network/local_server_fixture.hpp"
#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"

using namespace esser;
using esser::testing::start_local;
using esser::testing::transport_to;
using nlohmann::json;

namespace {

const adapters::credentials good{"AKIDSIGNED", "s3cret", ""};

std::string error_type_of(adapters::http_transport& t, const char* op = "ListTables") {
    auto r = t.call(op, json::object());
    REQUIRE_FALSE(r);
    CHECK(r.error().status == 400);
    return r.error().type;
}

adapters::http_response send(const emulator::local_server& s, adapters::http_request req,
                             const adapters::credentials& creds,
                             const std::string& service = "lambda") {
    return esser::testing::send_signed(s.url(), std::move(req), creds, service);
}

adapters::http_request get(std::string target) {
    adapters::http_request req;
    req.method = "GET";
    req.target = std::move(target);
    return req;
}

std::string lambda_error_type(const adapters::http_response& r) {
    CHECK(r.status == 403);
    const std::string* t = r.headers.find("x-amzn-ErrorType");
    return t ? *t : "";
}

}  // namespace

TEST_CASE("esser-local with --credentials serves correctly signed requests",
          "[adapters][network][signed_endpoint]") {
    auto s = start_local({"--credentials", "AKIDSIGNED:s3cret"});
    auto t = transport_to(s->url(), good);
    adapters::dynamodb_event_store store(t);
    REQUIRE(store.ensure_tables());
    const core::event e = esser::testing::item_created("a", {{"price", 1.25}});
    REQUIRE(store.append({"Item", "a"}, {e}).value() == 1);
    CHECK(store.read({"Item", "a"}).value().at(0).data == json{{"price", 1.25}});
    // DynamoDB Streams signs as "dynamodb" too.
    auto streams = t->call("ListStreams", json::object());
    REQUIRE(streams);
    CHECK(streams->at("Streams").is_array());
    CHECK(t->stats().retries == 0);

    // Lambda's REST API, signed as "lambda".
    auto listed = send(*s, get("/2015-03-31/functions/"), good);
    CHECK(listed.status == 200);
    CHECK(json::parse(listed.body)["Functions"].is_array());
}

TEST_CASE("esser-local with --credentials refuses DynamoDB requests with AWS's errors",
          "[adapters][network][signed_endpoint]") {
    auto s = start_local({"--credentials", "AKIDSIGNED:s3cret"});
    SECTION("unsigned") {
        adapters::http_request req;
        req.headers.add("Content-Type", "application/x-amz-json-1.0");
        req.headers.add("X-Amz-Target", "DynamoDB_20120810.ListTables");
        req.body = "{}";
        auto res = send(*s, req, {});
        CHECK(res.status == 400);
        CHECK(json::parse(res.body)["__type"] ==
              "com.amazon.coral.service#MissingAuthenticationTokenException");
    }
    SECTION("signed with the wrong secret, not retried") {
        auto t = transport_to(s->url(), {"AKIDSIGNED", "guess", ""});
        CHECK(error_type_of(*t) == "InvalidSignatureException");
        CHECK(error_type_of(*t, "ListStreams") == "InvalidSignatureException");
        CHECK(t->stats().retries == 0);
    }
    SECTION("an unknown access key") {
        auto t = transport_to(s->url(), {"AKIDOTHER", "s3cret", ""});
        CHECK(error_type_of(*t) == "UnrecognizedClientException");
    }
    SECTION("signed 20 minutes ago") {
        auto past = std::make_shared<core::manual_clock>(std::chrono::system_clock::now() -
                                                         std::chrono::minutes(20));
        auto t = transport_to(s->url(), good, past);
        auto r = t->call("ListTables", json::object());
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "InvalidSignatureException");
        CHECK(r.error().message.rfind("Signature expired: ", 0) == 0);
    }
    SECTION("a body changed after signing") {
        adapters::http_request req;
        req.headers.add("Content-Type", "application/x-amz-json-1.0");
        req.headers.add("X-Amz-Target", "DynamoDB_20120810.ListTables");
        req.body = "{}";
        auto origin = adapters::url::parse(s->url());
        req.headers.set("Host", origin->host_header());
        adapters::sigv4_signer("us-east-1", "dynamodb")
            .sign(req, good, std::chrono::system_clock::now());
        req.body = R"({"Limit":1})";
        auto res = send(*s, req, {});
        CHECK(res.status == 400);
        CHECK(json::parse(res.body)["__type"].get<std::string>().ends_with(
            "#InvalidSignatureException"));
    }
    // Nothing was written by any refused request.
    auto t = transport_to(s->url(), good);
    auto tables = t->call("ListTables", json::object());
    REQUIRE(tables);
    CHECK(tables->at("TableNames") == json{"events", "snapshots"});
}

TEST_CASE("esser-local with --credentials refuses Lambda requests with Lambda's errors",
          "[adapters][network][signed_endpoint]") {
    auto s = start_local({"--credentials", "AKIDSIGNED:s3cret"});
    CHECK(lambda_error_type(send(*s, get("/2015-03-31/functions/"), {})) ==
          "MissingAuthenticationTokenException");
    CHECK(lambda_error_type(send(*s, get("/2015-03-31/functions/"), {"AKIDSIGNED", "x", ""})) ==
          "InvalidSignatureException");
    CHECK(lambda_error_type(send(*s, get("/2015-03-31/event-source-mappings/"),
                                 {"AKIDNOPE", "s3cret", ""})) == "UnrecognizedClientException");
    // Signed for the wrong service: the scope names it.
    auto wrong_service = send(*s, get("/2015-03-31/functions/"), good, "dynamodb");
    CHECK(lambda_error_type(wrong_service) == "InvalidSignatureException");
    CHECK(json::parse(wrong_service.body)["message"].get<std::string>().find(
              "correct service: 'lambda'") != std::string::npos);
    // A path no route serves is refused for its signature before anything else.
    CHECK(lambda_error_type(send(*s, get("/2015-03-31/nothing"), {})) ==
          "MissingAuthenticationTokenException");

    // The esser API and the metrics are not AWS APIs: open.
    CHECK(send(*s, get("/esser/v1/health"), {}).status == 200);
    CHECK(send(*s, get("/metrics"), {}).status == 200);
}

TEST_CASE("esser-local with a session token requires exactly that token",
          "[adapters][network][signed_endpoint]") {
    auto s = start_local({"--credentials", "ASIATEMP:s3cret:tok-1"});
    CHECK(transport_to(s->url(), {"ASIATEMP", "s3cret", "tok-1"})
              ->call("ListTables", json::object()));
    auto without = transport_to(s->url(), {"ASIATEMP", "s3cret", ""});
    CHECK(error_type_of(*without) == "UnrecognizedClientException");
    auto other = transport_to(s->url(), {"ASIATEMP", "s3cret", "tok-2"});
    CHECK(error_type_of(*other) == "UnrecognizedClientException");
}

TEST_CASE("esser-local without --credentials accepts any signature",
          "[adapters][network][signed_endpoint]") {
    auto s = start_local({});
    auto t = transport_to(s->url(), {"anything", "at-all", ""});
    CHECK(t->call("ListTables", json::object()));
    CHECK(send(*s, get("/2015-03-31/functions/"), {}).status == 200);
}

TEST_CASE("serve refuses a malformed --credentials value", "[adapters][network][signed_endpoint]") {
    const emulator::cli::command_spec spec = emulator::serve_command().spec;
    for (const char* bad : {"", "KEYONLY", ":secret", "KEY:", "KEY:SECRET:", "K:S:T:U"}) {
        INFO(bad);
        auto parsed = emulator::cli::parse(spec, std::vector<std::string>{"--credentials", bad});
        if (!parsed)
            continue;  // refused by the parser already
        auto settings = emulator::serve_settings_from(*parsed);
        REQUIRE_FALSE(settings);
        CHECK(settings.error().message.find("--credentials") != std::string::npos);
    }
    auto parsed = emulator::cli::parse(
        spec, std::vector<std::string>{"--credentials", "AKID:sec/ret+x:tok=="});
    REQUIRE(parsed);
    auto settings = emulator::serve_settings_from(*parsed);
    REQUIRE(settings);
    REQUIRE(settings->env.credentials.size() == 1);
    CHECK(settings->env.credentials[0] == adapters::credentials{"AKID", "sec/ret+x", "tok=="});
}

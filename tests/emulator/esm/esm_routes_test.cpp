// Issue 5 "Event source mappings": the REST API (/2015-03-31/event-source-mappings/) and the
// esser API's drain, status and queue routes over real HTTP, with AWS's status codes and error
// bodies ({"Type":"User","message":...} + x-amzn-ErrorType), and malformed requests.
#include "esser/emulator/esm/esm_routes.hpp"

#include "emulator/http/raw_client.hpp"
#include "esm_test_support.hpp"

#include "esser/emulator/http/http_server.hpp"

using namespace esser::emulator;
using namespace esser::emulator::testing;
using esser::test::make_request;
using esser::test::raw_client;
using esser::test::raw_response;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct http_fixture : esm_fixture {
    http_fixture() {
        auto r = std::make_shared<router>();
        register_esm_routes(*r, esm);
        register_esser_esm_routes(*r, esm, queues);
        http_server_options so;
        so.port = 0;
        so.threads = 2;
        auto started = http_server::start(so, r);
        REQUIRE(started);
        server = std::move(*started);
    }

    ~http_fixture() { server->stop(); }

    raw_response request(std::string_view method, std::string_view target,
                         std::string_view body = {}) {
        raw_client c(server->port(), 10s);
        REQUIRE(c.send(make_request(method, target, body)));
        auto r = c.read_response();
        REQUIRE(r);
        return *r;
    }

    std::unique_ptr<http_server> server;
};

json body_of(const raw_response& r) {
    return json::parse(r.body);
}

}  // namespace

TEST_CASE("the event source mapping REST API creates, reads, lists, updates and deletes",
          "[emulator][esm][routes]") {
    http_fixture f;
    f.add_function("f");
    const json create = {{"EventSourceArn", f.stream_arn},
                         {"FunctionName", "f"},
                         {"StartingPosition", "TRIM_HORIZON"},
                         {"BatchSize", 10},
                         {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}};
    auto r = f.request("POST", "/2015-03-31/event-source-mappings/", create.dump());
    REQUIRE(r.status == 202);
    const json created = body_of(r);
    CHECK(created["State"] == "Creating");
    CHECK(created["BatchSize"] == 10);
    CHECK(created["DestinationConfig"]["OnFailure"]["Destination"] == f.dlq_arn());
    const std::string uuid = created["UUID"];

    r = f.request("GET", "/2015-03-31/event-source-mappings/" + uuid);
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["State"] == "Enabled");

    r = f.request("GET", "/2015-03-31/event-source-mappings/?FunctionName=f");
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["EventSourceMappings"].size() == 1);
    r = f.request("GET", "/2015-03-31/event-source-mappings?MaxItems=0");
    CHECK(r.status == 400);

    r = f.request("PUT", "/2015-03-31/event-source-mappings/" + uuid, R"({"BatchSize": 20})");
    REQUIRE(r.status == 202);
    CHECK(body_of(r)["State"] == "Updating");
    CHECK(body_of(r)["BatchSize"] == 20);

    // Duplicate: 409 with Type User and x-amzn-ErrorType.
    r = f.request("POST", "/2015-03-31/event-source-mappings/", create.dump());
    CHECK(r.status == 409);
    CHECK(r.header("x-amzn-errortype") == "ResourceConflictException");
    CHECK(body_of(r)["Type"] == "User");

    r = f.request("DELETE", "/2015-03-31/event-source-mappings/" + uuid);
    REQUIRE(r.status == 202);
    CHECK(body_of(r)["State"] == "Deleting");
    r = f.request("GET", "/2015-03-31/event-source-mappings/" + uuid);
    CHECK(r.status == 404);
    CHECK(r.header("x-amzn-errortype") == "ResourceNotFoundException");
}

TEST_CASE("malformed mapping requests get AWS-shaped errors",
          "[emulator][esm][routes][bad_input]") {
    http_fixture f;
    f.add_function("f");
    auto r = f.request("POST", "/2015-03-31/event-source-mappings/", "{not json");
    CHECK(r.status == 400);
    CHECK(r.header("x-amzn-errortype") == "InvalidRequestContentException");
    r = f.request("POST", "/2015-03-31/event-source-mappings/", "[1,2]");
    CHECK(r.status == 400);
    r = f.request("POST", "/2015-03-31/event-source-mappings/",
                  json{{"EventSourceArn", f.stream_arn}, {"FunctionName", "f"}}.dump());
    CHECK(r.status == 400);
    CHECK(r.header("x-amzn-errortype") == "InvalidParameterValueException");
    r = f.request("POST", "/2015-03-31/event-source-mappings/",
                  json{{"EventSourceArn", f.stream_arn},
                       {"FunctionName", "nope"},
                       {"StartingPosition", "LATEST"}}
                      .dump());
    CHECK(r.status == 404);
    r = f.request("PUT", "/2015-03-31/event-source-mappings/x", "{\"BatchSize\": \"x\"}");
    CHECK(r.status == 404);
    CHECK(f.esm.list().empty());
}

TEST_CASE("drain, status and the queues through the esser API", "[emulator][esm][routes]") {
    http_fixture f;
    f.add_function("f", [](const json&) -> esser::core::result<json> {
        return esser::core::fail(esser::core::error::validation("always"));
    });
    REQUIRE(f.table.put(pk_item("a")));
    const auto uuid =
        f.map({{"MaximumRetryAttempts", 0},
               {"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    auto r = f.request("POST", "/esser/v1/drain");
    REQUIRE(r.status == 200);
    const json report = body_of(r);
    CHECK(report["idle"] == true);
    CHECK(report["mappings"][0]["UUID"] == uuid);
    CHECK(report["mappings"][0]["invokes"] == 1);
    CHECK(report["mappings"][0]["batches_discarded"] == 1);

    r = f.request("GET", "/esser/v1/event-source-mappings/" + uuid + "/status");
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["Shards"].size() == 1);
    CHECK(body_of(r)["LastProcessingResult"] == "PROBLEM: Function call failed");
    CHECK(f.request("GET", "/esser/v1/event-source-mappings/nope/status").status == 404);

    r = f.request("GET", "/esser/v1/queues");
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["queues"][0]["name"] == "dlq");
    CHECK(body_of(r)["queues"][0]["messages"] == 1);
    r = f.request("GET", "/esser/v1/queues/dlq/messages");
    REQUIRE(r.status == 200);
    const json msg = body_of(r)["messages"][0];
    CHECK(json::parse(msg["Body"].get<std::string>())["requestContext"]["condition"] ==
          "RetryAttemptsExhausted");
    CHECK(msg["MD5OfBody"].get<std::string>().size() == 32);
    // Reading does not consume unless asked; consume=true does.
    CHECK(body_of(f.request(
              "GET", "/esser/v1/queues/" + f.dlq_arn() + "/messages?consume=true"))["messages"]
              .size() == 1);
    CHECK(body_of(f.request("GET", "/esser/v1/queues/dlq/messages"))["messages"].empty());
    CHECK(f.request("GET", "/esser/v1/queues/dlq/messages?max=0").status == 400);
    CHECK(f.request("GET", "/esser/v1/queues/dlq/messages?consume=maybe").status == 400);
    CHECK(f.request("GET", "/esser/v1/queues/none/messages").status == 404);
    CHECK(f.request("POST", "/esser/v1/queues", R"({"name": "other"})").status == 201);
    CHECK(f.request("POST", "/esser/v1/queues", R"({"name": "bad name"})").status == 400);
    CHECK(f.request("POST", "/esser/v1/queues", "nope").status == 400);
    CHECK(body_of(f.request("DELETE", "/esser/v1/queues/other/messages"))["purged"] == 0);
    CHECK(f.request("DELETE", "/esser/v1/queues/other").status == 204);
    CHECK(f.request("DELETE", "/esser/v1/queues/other").status == 404);
}

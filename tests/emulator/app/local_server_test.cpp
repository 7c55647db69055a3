// Issue 6: esser-local serve in-process: banner, health, metrics, the clock API, the routes of
// services not built yet, and the exit codes of start-up failures. Issue 9: the projections
// in the read store (--read-store, --data-dir) read through GET /esser/v1/projections.
#include "esser/emulator/app/local_server.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/support/postgres_server.hpp"
#include "emulator/http/raw_client.hpp"
#include <catch2/catch.hpp>
#include <unistd.h>

#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/http/aws_wire.hpp"

using namespace esser::emulator;
using esser::test::make_request;
using esser::test::raw_client;
using nlohmann::json;

namespace {

std::unique_ptr<local_server> start(std::vector<std::string> flags) {
    cli::command_spec spec = serve_command().spec;
    auto parsed = cli::parse(spec, flags);
    REQUIRE(parsed);
    auto settings = serve_settings_from(*parsed);
    REQUIRE(settings);
    settings->http.port = 0;
    settings->http.threads = 1;
    auto s =
        local_server::start(std::move(*settings), std::make_shared<esser::core::null_log_sink>());
    REQUIRE(s);
    return std::move(*s);
}

esser::test::raw_response call(local_server& s, const std::string& method,
                               const std::string& target, const std::string& body = {}) {
    raw_client c(s.server().port());
    REQUIRE(c.send(make_request(method, target, body)));
    auto r = c.read_response();
    REQUIRE(r);
    return *r;
}

}  // namespace

TEST_CASE("local_server prints its endpoint and copy-paste examples",
          "[emulator][app][local_server]") {
    auto s = start({"--seed", "42"});
    const std::string b = s->banner();
    const std::string url = s->server().url();
    CHECK(b.rfind("esser-local " + std::string(esser_version()) + " listening on " + url + "\n",
                  0) == 0);
    CHECK(b.find("aws dynamodb list-tables --endpoint-url " + url) != std::string::npos);
    CHECK(b.find("curl -s " + url + "/esser/v1/health") != std::string::npos);
    CHECK(b.find("seeded with 42") != std::string::npos);
}

TEST_CASE("local_server answers health, metrics and says which services are missing",
          "[emulator][app][local_server]") {
    auto s = start({"--region", "eu-west-1"});
    auto h = call(*s, "GET", "/esser/v1/health");
    CHECK(h.status == 200);
    auto body = json::parse(h.body);
    CHECK(body["status"] == "ok");
    CHECK(body["region"] == "eu-west-1");
    CHECK(body["clock"]["mode"] == "real");
    CHECK(body["services"].contains("dynamodb"));
    auto m = call(*s, "GET", "/metrics");
    CHECK(m.status == 200);
    CHECK(m.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
    CHECK(m.body.find("esser_http_requests_total{server=\"esser-local\",operation=\"health\","
                      "status=\"200\"} 1") != std::string::npos);
    CHECK(call(*s, "GET", "/").body == "healthy: dynamodb.eu-west-1.amazonaws.com ");
}

namespace {

esser::test::raw_response dynamodb(local_server& s, const std::string& op, const json& body) {
    raw_client c(s.server().port());
    REQUIRE(c.send(make_request(
        "POST", "/", body.dump(),
        "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810." + op +
            "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/dynamodb/"
            "aws4_request, SignedHeaders=host, Signature=0\r\n")));
    auto r = c.read_response();
    REQUIRE(r);
    return *r;
}

}  // namespace

TEST_CASE("local_server serves the DynamoDB engine on its port and resets it",
          "[emulator][app][local_server]") {
    auto s = start({"--seed", "3", "--no-domain"});
    auto created = dynamodb(*s, "CreateTable",
                            {{"TableName", "events"},
                             {"AttributeDefinitions",
                              {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                               {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
                             {"KeySchema",
                              {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                               {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                             {"BillingMode", "PAY_PER_REQUEST"}});
    REQUIRE(created.status == 200);
    const json item = {{"pk", {{"S", "Item#1"}}}, {"v", {{"N", "1"}}}, {"type", {{"S", "c"}}}};
    CHECK(dynamodb(*s, "PutItem", {{"TableName", "events"}, {"Item", item}}).status == 200);
    auto got = dynamodb(
        *s, "GetItem",
        {{"TableName", "events"}, {"Key", {{"pk", {{"S", "Item#1"}}}, {"v", {{"N", "1"}}}}}});
    CHECK(got.status == 200);
    CHECK(json::parse(got.body)["Item"] == item);
    CHECK(got.header("x-amz-crc32") == std::to_string(esser::emulator::crc32_of(got.body)));
    auto missing = dynamodb(*s, "DescribeTable", {{"TableName", "nope"}});
    CHECK(missing.status == 400);
    CHECK(json::parse(missing.body)["__type"] ==
          "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
    CHECK(json::parse(dynamodb(*s, "ListTables", json::object()).body)["TableNames"] ==
          json::array({"events"}));
    CHECK(call(*s, "POST", "/esser/v1/reset").status == 200);
    CHECK(json::parse(dynamodb(*s, "ListTables", json::object()).body)["TableNames"] ==
          json::array());
    auto m = call(*s, "GET", "/metrics").body;
    CHECK(m.find("operation=\"DynamoDB.PutItem\",status=\"200\"} 1") != std::string::npos);
}

TEST_CASE("local_server moves a manual clock through the esser API and refuses bad input",
          "[emulator][app][local_server]") {
    auto s = start({"--clock", "manual"});
    auto now = json::parse(call(*s, "GET", "/esser/v1/clock").body);
    CHECK(now["now"] == "2024-01-01T00:00:00.000Z");
    CHECK(now["mode"] == "manual");
    auto adv = call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"1d2h"})");
    CHECK(adv.status == 200);
    CHECK(json::parse(adv.body)["now"] == "2024-01-02T02:00:00.000Z");
    auto set = call(*s, "POST", "/esser/v1/clock/set", R"({"to":"2025-06-01T12:00:00Z"})");
    CHECK(json::parse(set.body)["now"] == "2025-06-01T12:00:00.000Z");
    auto bad = call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"soon"})");
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body)["error"]["fields"][0]["pointer"] == "/by");
    CHECK(call(*s, "POST", "/esser/v1/clock/set", "not json").status == 400);
    CHECK(call(*s, "POST", "/esser/v1/clock/set", R"({"to":5})").status == 400);
    CHECK(call(*s, "GET", "/esser/v1/clock/advance").status == 405);
    // Found by the fuzzer: times a clock cannot represent are refused, never overflowed.
    CHECK(call(*s, "POST", "/esser/v1/clock/set", R"({"to":"1012-02-29T12:00:00Z"})").status ==
          400);
    CHECK(call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"99999999999d"})").status == 400);
    CHECK(call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"100000d"})").status == 400);
    CHECK(json::parse(call(*s, "GET", "/esser/v1/clock").body)["now"] ==
          "2025-06-01T12:00:00.000Z");
}

TEST_CASE("local_server refuses to move a real clock", "[emulator][app][local_server]") {
    auto s = start({});
    auto r = call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"1h"})");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body)["error"]["type"] == "invalid_argument");
}

TEST_CASE("local_server answers the routes of services not built yet honestly",
          "[emulator][app][local_server]") {
    auto s = start({});
    for (const auto& svc : s->environment().services()) {
        if (svc.available)
            continue;
        if (svc.name == "lambda") {
            auto r = call(*s, "POST", "/2015-03-31/functions/f/invocations", "{}");
            CHECK(r.status == 501);
            CHECK(r.header("x-amzn-errortype") == "ServiceException");
            CHECK(json::parse(r.body)["Type"] == "Service");
        }
        if (svc.name == "esser-api") {
            auto r = call(*s, "GET", "/esser/v1/aggregates/Item/1");
            CHECK(r.status == 404);
            CHECK(json::parse(r.body)["error"]["type"] == "not_found");
        }
    }
}

TEST_CASE("esser-local serve exits 3 with advice when the port is busy, 1 on a bad domain",
          "[emulator][app][local_server]") {
    auto s = start({});
    const std::string port = std::to_string(s->server().port());
    std::ostringstream out, err;
    std::vector<std::string> args = {"serve", "--port", port, "--log-level", "off"};
    CHECK(esser_local_main(args, {out, err}) == exit_cannot_listen);
    CHECK(err.str() == "esser-local serve: port " + port +
                           " on 127.0.0.1 is in use; pass --port N (or --port 0 for any free "
                           "port) or stop the other process\n");

    std::ostringstream out2, err2;
    args = {"serve", "--domain", "/nonexistent/domain.json", "--log-level", "off"};
    CHECK(esser_local_main(args, {out2, err2}) == exit_failure);
    CHECK(err2.str().find("/nonexistent/domain.json") != std::string::npos);

    const std::string bad = std::string(ESSER_BINARY_DIR) + "/bad-domain-test.json";
    std::ofstream(bad) << "{ not json";
    std::ostringstream out3, err3;
    args = {"serve", "--domain", bad, "--log-level", "off"};
    CHECK(esser_local_main(args, {out3, err3}) == exit_failure);
    CHECK(err3.str().find("invalid domain") != std::string::npos);
    std::remove(bad.c_str());
}

namespace {

esser::test::raw_response streams(local_server& s, const std::string& op, const json& body) {
    raw_client c(s.server().port());
    REQUIRE(c.send(make_request("POST", "/", body.dump(),
                                "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: "
                                "DynamoDBStreams_20120810." +
                                    op + "\r\n")));
    auto r = c.read_response();
    REQUIRE(r);
    return *r;
}

json events_table(bool with_stream) {
    json t = {{"TableName", "events"},
              {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
              {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
              {"BillingMode", "PAY_PER_REQUEST"}};
    if (with_stream)
        t["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", "KEYS_ONLY"}};
    return t;
}

}  // namespace

// Issue 6 goal 2: DynamoDB Streams on the same port, fed by the engine; the esser API's shard
// rotate and split; reset drops streams with their tables.
TEST_CASE("local_server serves DynamoDB Streams of the engine's tables on its port",
          "[emulator][app][local_server]") {
    auto s = start({"--seed", "5", "--shards", "2", "--no-domain"});
    CHECK(json::parse(call(*s, "GET", "/esser/v1/health")
                          .body)["services"]["dynamodb-streams"]["available"] == true);
    auto created = dynamodb(*s, "CreateTable", events_table(true));
    REQUIRE(created.status == 200);
    const std::string arn = json::parse(created.body)["TableDescription"]["LatestStreamArn"];
    CHECK(dynamodb(*s, "PutItem", {{"TableName", "events"}, {"Item", {{"pk", {{"S", "a"}}}}}})
              .status == 200);

    auto listed = streams(*s, "ListStreams", {{"TableName", "events"}});
    CHECK(listed.status == 200);
    CHECK(listed.header("x-amz-crc32") == std::to_string(esser::emulator::crc32_of(listed.body)));
    CHECK(json::parse(listed.body)["Streams"][0]["StreamArn"] == arn);
    auto desc = json::parse(streams(*s, "DescribeStream", {{"StreamArn", arn}}).body);
    const auto& shards = desc["StreamDescription"]["Shards"];
    REQUIRE(shards.size() == 2);  // --shards 2
    std::size_t records = 0;
    for (const auto& shard : shards) {
        auto it = json::parse(streams(*s, "GetShardIterator",
                                      {{"StreamArn", arn},
                                       {"ShardId", shard["ShardId"]},
                                       {"ShardIteratorType", "TRIM_HORIZON"}})
                                  .body);
        auto page =
            json::parse(streams(*s, "GetRecords", {{"ShardIterator", it["ShardIterator"]}}).body);
        records += page["Records"].size();
    }
    CHECK(records == 1);
    // Wire errors come back AWS-shaped through the same front.
    auto bad = streams(*s, "GetRecords", {{"ShardIterator", "forged"}});
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body)["__type"] == "com.amazon.coral.validate#ValidationException");
    CHECK(streams(*s, "PutRecord", json::object()).status == 400);  // UnknownOperation

    auto m = call(*s, "GET", "/metrics").body;
    CHECK(m.find("operation=\"DynamoDBStreams.GetRecords\",status=\"200\"} 2") !=
          std::string::npos);

    // Reset drops the stream with its table.
    CHECK(call(*s, "POST", "/esser/v1/reset").status == 200);
    CHECK(json::parse(streams(*s, "ListStreams", json::object()).body)["Streams"] == json::array());
    CHECK(streams(*s, "DescribeStream", {{"StreamArn", arn}}).status == 400);
}

// Spec §6.18 as a switch: --max-shard-readers reaches the Streams API on the wire.
TEST_CASE("local_server throttles a shard's extra reader with --max-shard-readers",
          "[emulator][app][local_server]") {
    auto s =
        start({"--seed", "5", "--no-domain", "--max-shard-readers", "1", "--empty-pages", "0"});
    auto created = dynamodb(*s, "CreateTable", events_table(true));
    REQUIRE(created.status == 200);
    const std::string arn = json::parse(created.body)["TableDescription"]["LatestStreamArn"];
    auto desc = json::parse(streams(*s, "DescribeStream", {{"StreamArn", arn}}).body);
    const json shard_req{{"StreamArn", arn},
                         {"ShardId", desc["StreamDescription"]["Shards"][0]["ShardId"]},
                         {"ShardIteratorType", "TRIM_HORIZON"}};
    auto first = json::parse(streams(*s, "GetShardIterator", shard_req).body)["ShardIterator"];
    auto second = json::parse(streams(*s, "GetShardIterator", shard_req).body)["ShardIterator"];
    CHECK(streams(*s, "GetRecords", {{"ShardIterator", first}}).status == 200);
    auto refused = streams(*s, "GetRecords", {{"ShardIterator", second}});
    CHECK(refused.status == 400);
    const auto body = json::parse(refused.body);
    CHECK(body["__type"].get<std::string>().ends_with("#LimitExceededException"));
    CHECK(body["message"] == "Rate exceeded");
}

TEST_CASE("local_server rotates and splits shards through the esser API and refuses bad input",
          "[emulator][app][local_server]") {
    auto s = start({"--seed", "6", "--no-domain"});
    // No table, then a table without a stream: 404 not_found.
    auto none = call(*s, "POST", "/esser/v1/streams/events/rotate");
    CHECK(none.status == 404);
    CHECK(json::parse(none.body)["error"]["type"] == "not_found");
    REQUIRE(dynamodb(*s, "CreateTable", events_table(false)).status == 200);
    CHECK(call(*s, "POST", "/esser/v1/streams/events/split").status == 404);
    REQUIRE(dynamodb(*s, "UpdateTable",
                     {{"TableName", "events"},
                      {"StreamSpecification",
                       {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}}}})
                .status == 200);
    const std::string arn =
        json::parse(streams(*s, "ListStreams", json::object()).body)["Streams"][0]["StreamArn"];
    auto shard_ids = [&] {
        std::vector<std::string> ids;
        auto d = json::parse(streams(*s, "DescribeStream", {{"StreamArn", arn}}).body);
        for (const auto& sh : d["StreamDescription"]["Shards"]) ids.push_back(sh["ShardId"]);
        return ids;
    };
    const auto first = shard_ids();
    REQUIRE(first.size() == 1);

    auto rotated = call(*s, "POST", "/esser/v1/streams/events/rotate");
    REQUIRE(rotated.status == 200);
    auto rj = json::parse(rotated.body);
    CHECK(rj["table"] == "events");
    REQUIRE(rj["shards"].size() == 1);
    CHECK(shard_ids() == std::vector<std::string>{first[0], rj["shards"][0]});

    auto split = call(*s, "POST", "/esser/v1/streams/events/split", R"({"children":3})");
    REQUIRE(split.status == 200);
    CHECK(json::parse(split.body)["shards"].size() == 3);
    CHECK(shard_ids().size() == 5);
    // One named shard: a closed one is refused, an open one splits.
    auto closed =
        call(*s, "POST", "/esser/v1/streams/events/split", json{{"shard", first[0]}}.dump());
    CHECK(closed.status == 400);
    const std::string open = json::parse(split.body)["shards"][0];
    auto one = call(*s, "POST", "/esser/v1/streams/events/split", json{{"shard", open}}.dump());
    CHECK(one.status == 200);
    CHECK(json::parse(one.body)["shards"].size() == 2);  // default: 2 children
    CHECK(
        call(*s, "POST", "/esser/v1/streams/events/split", R"({"shard":"shardId-nope"})").status ==
        404);

    // Malformed input: typed 400s naming the field, nothing changed.
    const auto before = shard_ids();
    for (const char* body : {"not json", "[1]", R"({"children":1})", R"({"children":101})",
                             R"({"children":"3"})", R"({"children":2.5})", R"({"shard":7})"}) {
        auto r = call(*s, "POST", "/esser/v1/streams/events/split", body);
        CHECK(r.status == 400);
        CHECK(json::parse(r.body)["error"]["type"] == "validation");
    }
    CHECK(shard_ids() == before);
    CHECK(call(*s, "GET", "/esser/v1/streams/events/rotate").status == 405);
}

// The composition root's extension hook (emulator/README.md "app/"): an area adds routes that
// win over the catch-alls, shows as available, and hears resets.
TEST_CASE("local_environment lets an area add routes and reset hooks",
          "[emulator][app][local_environment]") {
    auto env = local_environment::create({});
    REQUIRE(env);
    int resets = 0;
    // (Lambda itself is built in now; an area's routes go the same way.)
    (*env)->add_routes("example", [](router& r) {
        r.add_sync("GET", "/esser/v1/example", [](const http_request&) {
            return http_response::json(200, {{"x", 1}});
        });
    });
    (*env)->on_reset([&resets] { ++resets; });
    auto r = (*env)->make_router();
    http_request req;
    req.method = "GET";
    req.target = "/esser/v1/example";
    http_response got;
    r->dispatch(req, responder([&got](http_response res) { got = std::move(res); }));
    CHECK(got.status == 200);
    CHECK(got.body == R"({"x":1})");
    (*env)->reset();
    CHECK(resets == 1);
}

// Issue 6 goal 3: the esser API live on esser-local: a command through the port lands in the
// domain's DynamoDB events table (the production dynamodb_event_store over the engine) and in
// its stream; the aggregate and its events read back; reset empties it all.
TEST_CASE("local_server runs the bundled shop domain's commands into DynamoDB",
          "[emulator][app][local_server]") {
    auto s = start({"--seed", "8", "--clock", "manual"});
    auto health = json::parse(call(*s, "GET", "/esser/v1/health").body);
    CHECK(health["services"]["esser-api"]["available"] == true);
    CHECK(health["domain"]["name"] == "shop");
    CHECK(json::parse(dynamodb(*s, "ListTables", json::object()).body)["TableNames"] ==
          json::array({"events", "snapshots"}));

    auto created = call(*s, "POST", "/esser/v1/commands",
                        R"({"entity":"Item","command":"CreateItem","id":"cup",
                            "data":{"name":"Cup","price":12.5},"command_id":"c-1"})");
    REQUIRE(created.status == 200);
    CHECK(json::parse(created.body)["version"] == 1);
    auto updated = call(*s, "POST", "/esser/v1/commands",
                        R"({"entity":"Item","command":"UpdatePrice","id":"cup",
                            "data":{"price":10},"expected_version":1})");
    REQUIRE(updated.status == 200);
    auto stale = call(*s, "POST", "/esser/v1/commands",
                      R"({"entity":"Item","command":"UpdatePrice","id":"cup",
                          "data":{"price":9},"expected_version":1})");
    CHECK(stale.status == 409);

    auto state = json::parse(call(*s, "GET", "/esser/v1/aggregates/Item/cup").body);
    CHECK(state["version"] == 2);
    CHECK(state["state"]["price"] == 10);
    CHECK(json::parse(
              call(*s, "GET", "/esser/v1/aggregates/Item/cup?version=1").body)["state"]["price"] ==
          12.5);
    auto events = json::parse(call(*s, "GET", "/esser/v1/aggregates/Item/cup/events").body);
    REQUIRE(events["events"].size() == 2);
    CHECK(events["events"][1]["type"] == "PriceUpdated");

    // The events are items of the events table (DESIGN.md "DynamoDB layout")...
    auto items =
        json::parse(dynamodb(*s, "Query",
                             {{"TableName", "events"},
                              {"KeyConditionExpression", "pk = :pk"},
                              {"ExpressionAttributeValues", {{":pk", {{"S", "Item#cup"}}}}}})
                        .body);
    REQUIRE(items["Count"] == 2);
    CHECK(items["Items"][1]["v"] == json{{"N", "2"}});
    CHECK(items["Items"][1]["type"] == json{{"S", "PriceUpdated"}});
    // ... and records of its stream.
    const std::string arn = json::parse(
        streams(*s, "ListStreams", {{"TableName", "events"}}).body)["Streams"][0]["StreamArn"];
    auto desc = json::parse(streams(*s, "DescribeStream", {{"StreamArn", arn}}).body);
    auto it = json::parse(streams(*s, "GetShardIterator",
                                  {{"StreamArn", arn},
                                   {"ShardId", desc["StreamDescription"]["Shards"][0]["ShardId"]},
                                   {"ShardIteratorType", "TRIM_HORIZON"}})
                              .body);
    auto records = json::parse(
        streams(*s, "GetRecords", {{"ShardIterator", it["ShardIterator"]}}).body)["Records"];
    REQUIRE(records.size() == 2);
    CHECK(records[0]["dynamodb"]["NewImage"]["pk"] == json{{"S", "Item#cup"}});

    CHECK(call(*s, "GET", "/esser/v1/nothing-here").status == 404);

    // Reset: tables back, empty; the command handler's cache forgotten (a stale cached
    // aggregate would otherwise accept an update of an aggregate that no longer exists).
    CHECK(call(*s, "POST", "/esser/v1/reset").status == 200);
    CHECK(json::parse(dynamodb(*s, "ListTables", json::object()).body)["TableNames"] ==
          json::array({"events", "snapshots"}));
    CHECK(call(*s, "GET", "/esser/v1/aggregates/Item/cup").status == 404);
    CHECK(call(*s, "POST", "/esser/v1/commands",
               R"({"entity":"Item","command":"UpdatePrice","id":"cup","data":{"price":3}})")
              .status == 404);
}

TEST_CASE("esser-local serve --no-domain serves bare DynamoDB and refuses --domain with it",
          "[emulator][app][local_server]") {
    auto s = start({"--no-domain"});
    CHECK(json::parse(dynamodb(*s, "ListTables", json::object()).body)["TableNames"] ==
          json::array());
    CHECK(s->banner().find("none (--no-domain)") != std::string::npos);
    CHECK(call(*s, "POST", "/esser/v1/commands", "{}").status == 404);
    std::ostringstream out, err;
    std::vector<std::string> args = {"serve", "--no-domain", "--domain", "x.json"};
    CHECK(esser_local_main(args, {out, err}) == exit_usage);
}

// Issue 5/6: Lambda, the event source mappings, drain and the on-failure queues are served on
// esser-local's port (AWS's REST shapes and the esser API's), and reset empties them.
TEST_CASE("local_server serves Lambda, event source mappings, drain and queues",
          "[emulator][app][local_server]") {
    auto s = start({"--clock", "manual", "--seed", "5"});
    bool lambda_available = false;
    for (const auto& svc : s->environment().services())
        if (svc.name == "lambda")
            lambda_available = svc.available;
    CHECK(lambda_available);

    auto functions = call(*s, "GET", "/2015-03-31/functions/");
    CHECK(functions.status == 200);
    // The one function and mapping of a domain: its projections (issue 9).
    auto listed = json::parse(functions.body)["Functions"];
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["FunctionName"] == "esser-projections");

    auto mappings = call(*s, "GET", "/2015-03-31/event-source-mappings/");
    CHECK(mappings.status == 200);
    auto listed_mappings = json::parse(mappings.body)["EventSourceMappings"];
    REQUIRE(listed_mappings.size() == 1);
    CHECK(listed_mappings[0]["FunctionArn"].get<std::string>().find(":esser-projections") !=
          std::string::npos);

    // A mapping on the events table's stream for a function that does not exist: AWS's 404,
    // from the mapping service.
    auto table = dynamodb(*s, "DescribeTable", {{"TableName", "events"}});
    REQUIRE(table.status == 200);
    const std::string arn = json::parse(table.body)["Table"]["LatestStreamArn"];
    auto missing = call(
        *s, "POST", "/2015-03-31/event-source-mappings/",
        json{
            {"FunctionName", "nope"}, {"EventSourceArn", arn}, {"StartingPosition", "TRIM_HORIZON"}}
            .dump());
    CHECK(missing.status == 404);
    CHECK(missing.header("x-amzn-errortype") == "ResourceNotFoundException");

    // A queue, drained mappings, and reset.
    auto q = call(*s, "POST", "/esser/v1/queues", json{{"name", "failures"}}.dump());
    CHECK(q.status == 201);
    auto drained = call(*s, "POST", "/esser/v1/drain", "{}");
    CHECK(drained.status == 200);
    CHECK(json::parse(drained.body)["idle"] == true);
    CHECK(call(*s, "POST", "/esser/v1/reset", "{}").status == 200);
    CHECK(json::parse(call(*s, "GET", "/esser/v1/queues").body)["queues"] == json::array());
}

namespace {

// Issue 9 / issue 6: the domain's projections, written by the projector through its event
// source mapping into the read store, read back through GET /esser/v1/projections.
void create_items(local_server& s, int n, int first = 0) {
    for (int i = first; i < first + n; ++i) {
        const json cmd = {{"entity", "Item"},
                          {"command", "CreateItem"},
                          {"id", "item-" + std::to_string(i)},
                          {"data", {{"name", "Item " + std::to_string(i)}, {"price", i % 3}}}};
        REQUIRE(call(s, "POST", "/esser/v1/commands", cmd.dump()).status == 200);
    }
}

json drained(local_server& s) {
    auto r = call(s, "POST", "/esser/v1/drain");
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

std::string error_type(const esser::test::raw_response& r) {
    return json::parse(r.body)["error"]["type"].get<std::string>();
}

// Every page of a projection list, following "next"; the ids in order.
std::vector<std::string> all_ids(local_server& s, const std::string& path_and_query) {
    std::vector<std::string> ids;
    std::string next;
    for (int pages = 0; pages < 100; ++pages) {
        const char sep = path_and_query.find('?') == std::string::npos ? '?' : '&';
        auto r = call(s, "GET", path_and_query + (next.empty() ? "" : sep + ("next=" + next)));
        REQUIRE(r.status == 200);
        auto page = json::parse(r.body);
        for (const auto& d : page["items"]) ids.push_back(d["id"].get<std::string>());
        if (!page.contains("next"))
            break;
        next = page["next"].get<std::string>();
    }
    return ids;
}

void check_projection_reads(local_server& s) {
    create_items(s, 25);
    REQUIRE(call(s, "POST", "/esser/v1/commands",
                 R"({"entity":"Item","command":"UpdatePrice","id":"item-1","data":{"price":7}})")
                .status == 200);
    REQUIRE(call(s, "POST", "/esser/v1/commands",
                 R"({"entity":"Basket","command":"CreateBasket","id":"b1","data":{}})")
                .status == 200);
    CHECK(drained(s)["idle"] == true);

    auto one = call(s, "GET", "/esser/v1/projections/item/item-1");
    REQUIRE(one.status == 200);
    auto doc = json::parse(one.body);
    CHECK(doc["projection"] == "item");
    CHECK(doc["version"] == 2);
    CHECK(doc["state"]["price"] == 7);
    CHECK(doc["state"]["name"] == "Item 1");
    CHECK(!doc["updated_at"].get<std::string>().empty());
    CHECK(json::parse(call(s, "GET", "/esser/v1/projections/basket/b1").body)["version"] == 1);
    CHECK(json::parse(call(s, "GET", "/esser/v1/projections").body)["projections"] ==
          json::array({"basket", "item"}));

    // Paging: 25 items in pages of 10, ascending by id, each once.
    auto first = json::parse(call(s, "GET", "/esser/v1/projections/item?limit=10").body);
    CHECK(first["items"].size() == 10);
    CHECK(first["items"][0]["id"] == "item-0");
    CHECK(first["items"][1]["id"] == "item-1");  // byte order: item-1 < item-10
    auto ids = all_ids(s, "/esser/v1/projections/item?limit=10");
    CHECK(ids.size() == 25);
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());

    // Equality filters: numbers numerically, text as text, several clauses together.
    // price 1: items 4, 7, .., 22 (item-1 now costs 7)
    CHECK(all_ids(s, "/esser/v1/projections/item?price=1&limit=3").size() == 7);
    CHECK(all_ids(s, "/esser/v1/projections/item?price=7.0") == std::vector<std::string>{"item-1"});
    CHECK(all_ids(s, "/esser/v1/projections/item?name=Item%2024") ==
          std::vector<std::string>{"item-24"});
    CHECK(all_ids(s, "/esser/v1/projections/item?name=Item+24&price=0") ==
          std::vector<std::string>{"item-24"});
    CHECK(all_ids(s, "/esser/v1/projections/item?name=nobody").empty());
    CHECK(all_ids(s, "/esser/v1/projections/item?price=%2210%22").empty());  // the string "10"

    // Clear errors, nothing else happens.
    auto unknown = call(s, "GET", "/esser/v1/projections/orders");
    CHECK(unknown.status == 404);
    CHECK(error_type(unknown) == "not_found");
    CHECK(json::parse(unknown.body)["error"]["message"].get<std::string>().find("'orders'") !=
          std::string::npos);
    CHECK(call(s, "GET", "/esser/v1/projections/orders/x").status == 404);
    CHECK(call(s, "GET", "/esser/v1/projections/item/nope").status == 404);
    for (const std::string bad : {"next=garbage", "next=", "next=%ZZ", "limit=0", "limit=1001",
                                  "limit=ten", "bad%20field=1", "a.b=1", "x=%G1"}) {
        auto r = call(s, "GET", "/esser/v1/projections/item?" + bad);
        INFO(bad);
        CHECK(r.status == 400);
        CHECK(error_type(r) == "validation");
    }
    // A token of another projection is refused, not misread.
    const std::string item_token = first["next"].get<std::string>();
    auto foreign = call(s, "GET", "/esser/v1/projections/basket?next=" + item_token);
    CHECK(foreign.status == 400);
    CHECK(json::parse(foreign.body)["error"]["fields"][0]["pointer"] == "/next");

    // A reset empties the projections and they start again from the new events.
    REQUIRE(call(s, "POST", "/esser/v1/reset").status == 200);
    CHECK(json::parse(call(s, "GET", "/esser/v1/projections/item").body)["items"].empty());
    create_items(s, 2);
    drained(s);
    CHECK(all_ids(s, "/esser/v1/projections/item") == std::vector<std::string>{"item-0", "item-1"});
    CHECK(json::parse(call(s, "GET", "/esser/v1/projections/item/item-1").body)["version"] == 1);
}

}  // namespace

TEST_CASE("local_server runs the domain's projections into the memory read store and reads them",
          "[emulator][app][local_server][projections]") {
    auto s = start({"--seed", "5", "--clock", "manual"});
    CHECK(s->environment().read_store_url() == "memory:");
    CHECK(s->banner().find("read store        memory:") != std::string::npos);
    auto health = json::parse(call(*s, "GET", "/esser/v1/health").body);
    CHECK(health["read_store"] == "memory");
    CHECK(health["data_dir"] == nullptr);
    check_projection_reads(*s);
}

TEST_CASE("local_server keeps projections in a SQLite read store in --data-dir",
          "[emulator][app][local_server][projections]") {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("esser-projections-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        auto s = start({"--clock", "manual", "--data-dir", (dir / "data").string()});
        CHECK(s->environment().read_store_url() ==
              "sqlite:" + (dir / "data" / "read_store.sqlite").string());
        auto health = json::parse(call(*s, "GET", "/esser/v1/health").body);
        CHECK(health["read_store"] == "sqlite");
        CHECK(health["data_dir"] == (dir / "data").string());
        check_projection_reads(*s);
    }
    CHECK(std::filesystem::exists(dir / "data" / "read_store.sqlite"));
    CHECK(std::filesystem::exists(dir / "data" / "emulator.sqlite"));
    {
        // A restart on the same data dir keeps the events (issue 9): item-0 and item-1 exist.
        // --read-store wins over the data dir's default; the projector reads the restored
        // events and the new one into the new store.
        const std::string url = "sqlite:" + (dir / "other.sqlite").string();
        auto s = start(
            {"--clock", "manual", "--read-store", url, "--data-dir", (dir / "data").string()});
        CHECK(s->environment().read_store_url() == url);
        CHECK(s->banner().find("restored 2 tables, 2 items, 2 stream records") !=
              std::string::npos);
        const json again = {{"entity", "Item"},
                            {"command", "CreateItem"},
                            {"id", "item-0"},
                            {"data", {{"name", "Item 0"}, {"price", 0}}}};
        CHECK(call(*s, "POST", "/esser/v1/commands", again.dump()).status == 409);
        create_items(*s, 1, 2);
        drained(*s);
        CHECK(all_ids(*s, "/esser/v1/projections/item") ==
              std::vector<std::string>{"item-0", "item-1", "item-2"});
    }
    {
        // The default store again, manual clock: the read model of the first run was kept
        // (its events were restored, so it is not dropped at start), and a drain adds item-2.
        auto s = start({"--clock", "manual", "--data-dir", (dir / "data").string()});
        CHECK(all_ids(*s, "/esser/v1/projections/item") ==
              std::vector<std::string>{"item-0", "item-1"});
        drained(*s);
        CHECK(all_ids(*s, "/esser/v1/projections/item") ==
              std::vector<std::string>{"item-0", "item-1", "item-2"});
        auto health = json::parse(call(*s, "GET", "/esser/v1/health").body);
        CHECK(health["durability"] == "normal");
    }
    {
        // The real clock projects by itself (the poller wakes on append).
        const std::string url = "sqlite:" + (dir / "real.sqlite").string();
        auto s = start({"--read-store", url, "--data-dir", (dir / "real").string()});
        create_items(*s, 3);
        std::vector<std::string> ids;
        for (int i = 0; i < 500 && ids.size() < 3; ++i) {  // bounded
            ids = all_ids(*s, "/esser/v1/projections/item");
            if (ids.size() < 3)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CHECK(ids == std::vector<std::string>{"item-0", "item-1", "item-2"});
    }
    std::filesystem::remove_all(dir);
}

// Issue 9: --data-dir keeps the manual clock's time, so retention, rollover and TTL read the same
// clock after a restart; a real clock is not affected by it.
TEST_CASE("local_server keeps the manual clock's time in --data-dir across a restart",
          "[emulator][app][local_server]") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("esser-clock-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const std::vector<std::string> flags = {"--clock", "manual", "--no-domain", "--data-dir",
                                            dir.string()};
    {
        auto s = start(flags);
        CHECK(call(*s, "POST", "/esser/v1/clock/set", R"({"to":"2030-05-01T10:00:00Z"})").status ==
              200);
        CHECK(call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"1d"})").status == 200);
    }
    {
        auto s = start(flags);
        CHECK(json::parse(call(*s, "GET", "/esser/v1/clock").body)["now"] ==
              "2030-05-02T10:00:00.000Z");
        CHECK(call(*s, "POST", "/esser/v1/clock/advance", R"({"by":"2h"})").status == 200);
    }
    {
        auto s = start(flags);
        CHECK(json::parse(call(*s, "GET", "/esser/v1/clock").body)["now"] ==
              "2030-05-02T12:00:00.000Z");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("esser-local serve refuses a damaged emulator state and bad --durability values",
          "[emulator][app][local_server][persist]") {
    // Issue 9 "Bad input": a data dir whose emulator.sqlite is not a database is refused with
    // the file named (exit 1) and left as it was.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("esser-damaged-state-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    { auto s = start({"--clock", "manual", "--data-dir", dir.string()}); }
    const std::string garbage(4096, 'g');
    {
        std::ofstream out(dir / "emulator.sqlite", std::ios::binary | std::ios::trunc);
        out << garbage;
    }
    std::filesystem::remove(dir / "emulator.sqlite-wal");
    std::filesystem::remove(dir / "emulator.sqlite-shm");
    cli::command_spec spec = serve_command().spec;
    const std::vector<std::string> flags = {"--data-dir", dir.string(), "--durability", "full"};
    auto parsed = cli::parse(spec, flags);
    REQUIRE(parsed);
    auto settings = serve_settings_from(*parsed);
    REQUIRE(settings);
    settings->http.port = 0;
    auto s =
        local_server::start(std::move(*settings), std::make_shared<esser::core::null_log_sink>());
    REQUIRE(!s);
    CHECK(s.error().exit_code == exit_failure);
    CHECK(s.error().message.find("emulator.sqlite") != std::string::npos);
    std::ifstream in(dir / "emulator.sqlite", std::ios::binary);
    std::ostringstream now;
    now << in.rdbuf();
    CHECK(now.str() == garbage);
    std::filesystem::remove_all(dir);

    for (const std::vector<std::string>& bad :
         {std::vector<std::string>{"--data-dir", dir.string(), "--durability", "fast"},
          std::vector<std::string>{"--durability", "full"}}) {
        auto p = cli::parse(spec, bad);
        REQUIRE(p);
        CHECK(!serve_settings_from(*p));
    }
}

TEST_CASE("esser-local serve refuses a read store it cannot open, with the reason",
          "[emulator][app][local_server][projections]") {
    cli::command_spec spec = serve_command().spec;
    for (const std::vector<std::string>& flags :
         {std::vector<std::string>{"--read-store", "mysql://x"},
          std::vector<std::string>{"--read-store", "sqlite:/proc/nope/read.sqlite"},
          std::vector<std::string>{"--data-dir", "/proc/esser-cannot-create"}}) {
        auto parsed = cli::parse(spec, flags);
        REQUIRE(parsed);
        auto settings = serve_settings_from(*parsed);
        REQUIRE(settings);
        settings->http.port = 0;
        auto s = local_server::start(std::move(*settings),
                                     std::make_shared<esser::core::null_log_sink>());
        REQUIRE(!s);
        INFO(s.error().message);
        CHECK(s.error().exit_code == exit_failure);
        CHECK((s.error().message.find("read store") != std::string::npos ||
               s.error().message.find("data directory") != std::string::npos));
    }
    const std::vector<std::string> no_url = {"--read-store", ""};
    auto empty = cli::parse(spec, no_url);
    REQUIRE(empty);
    CHECK(!serve_settings_from(*empty));
}

TEST_CASE("local_server runs the projections into PostgreSQL with --read-store postgres://",
          "[emulator][app][local_server][projections][postgres]") {
    auto& pg = esser::testing::postgres_server::shared();
    // A table of an earlier run in this server: emptied at start (its events are gone).
    {
        auto s = start({"--clock", "manual", "--read-store", pg.url()});
        create_items(*s, 1);
        drained(*s);
        CHECK(all_ids(*s, "/esser/v1/projections/item").size() == 1);
    }
    auto s = start({"--seed", "5", "--clock", "manual", "--read-store", pg.url()});
    CHECK(s->banner().find("read store        postgresql://postgres@127.0.0.1:") !=
          std::string::npos);
    check_projection_reads(*s);
}

TEST_CASE(
    "local_server's projections wait out a PostgreSQL outage and lose nothing when it comes back",
    "[emulator][app][local_server][projections][postgres]") {
    // Issue 9 "Bad input": a PostgreSQL server that goes away and comes back. The read store
    // retries with backoff; the stream is not checkpointed past what was written, so every
    // event reaches the projection once the server is back.
    auto pg = esser::testing::postgres_server::start();
    auto s = start({"--clock", "manual", "--read-store", pg->url()});
    create_items(*s, 3);
    drained(*s);
    pg->kill();
    create_items(*s, 3, 3);  // item-3..5, written to DynamoDB while PostgreSQL is down
    // No Catch2 assertion off the main thread: the drainer only records the answer.
    esser::test::raw_response report;
    std::thread drainer([&] {
        raw_client c(s->server().port());
        if (c.send(make_request("POST", "/esser/v1/drain", "")))
            if (auto r = c.read_response())
                report = *r;
    });
    // The drain blocks in the store's reconnect backoff until the server is back (restarted
    // from the thread that started it: its parent-death signal follows that thread).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    pg->restart();
    drainer.join();
    REQUIRE(report.status == 200);
    CHECK(json::parse(report.body)["idle"] == true);
    CHECK(all_ids(*s, "/esser/v1/projections/item").size() == 6);
    for (int i = 0; i < 6; ++i) {
        auto r = call(*s, "GET", "/esser/v1/projections/item/item-" + std::to_string(i));
        INFO(i);
        CHECK(r.status == 200);
    }
}

// Issue 13: SQS on esser-local's port in both protocols next to DynamoDB -- queue URLs on the
// listening URL, a query request posted to the queue URL, other requests to "/<a>/<b>" still
// answered by the DynamoDB front, the service listed in health, and reset empties SQS.
TEST_CASE("local_server serves SQS in both protocols and reset empties it",
          "[emulator][app][local_server]") {
    auto s = start({"--clock", "manual", "--seed", "5"});
    const std::string url = s->server().url();
    auto sqs_json = [&](const std::string& op, const json& body) {
        raw_client c(s->server().port());
        REQUIRE(c.send(make_request(
            "POST", "/", body.dump(),
            "X-Amz-Target: AmazonSQS." + op + "\r\nContent-Type: application/x-amz-json-1.0\r\n")));
        auto r = c.read_response();
        REQUIRE(r);
        return *r;
    };
    auto created = sqs_json("CreateQueue", {{"QueueName", "dlq"}});
    CHECK(created.status == 200);
    CHECK(json::parse(created.body)["QueueUrl"] == url + "/000000000000/dlq");

    // The query protocol, posted to the queue URL (as older SDKs may).
    raw_client c(s->server().port());
    REQUIRE(c.send(make_request("POST", "/000000000000/dlq", "Action=SendMessage&MessageBody=hi",
                                "Content-Type: application/x-www-form-urlencoded\r\n")));
    auto sent = c.read_response();
    REQUIRE(sent);
    CHECK(sent->status == 200);
    CHECK(
        sent->body.find("<MD5OfMessageBody>49f68a5c8493ec2c0bf489821c21fc3b</MD5OfMessageBody>") !=
        std::string::npos);

    // Not SQS: the DynamoDB front answers as it always did, whatever the path.
    auto other = call(*s, "GET", "/000000000000/dlq");
    CHECK(other.status == 404);
    CHECK(other.body.find("UnknownOperationException") != std::string::npos);
    CHECK(dynamodb(*s, "ListTables", json::object()).status == 200);

    auto health = json::parse(call(*s, "GET", "/esser/v1/health").body);
    CHECK(health["services"]["sqs"]["available"] == true);
    auto queues = json::parse(call(*s, "GET", "/esser/v1/queues").body)["queues"];
    REQUIRE(queues.size() == 1);
    CHECK(queues[0]["messages"] == 1);
    CHECK(queues[0]["url"] == url + "/000000000000/dlq");

    CHECK(call(*s, "POST", "/esser/v1/reset", "{}").status == 200);
    CHECK(json::parse(sqs_json("ListQueues", json::object()).body) == json::object());
    CHECK(sqs_json("GetQueueUrl", {{"QueueName", "dlq"}}).header("x-amzn-query-error") ==
          "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

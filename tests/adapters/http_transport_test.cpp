// Issue 10: the production DynamoDB transport against in-test servers on 127.0.0.1 — JSON 1.0
// framing, SigV4 checked by the server with verify_sigv4, error parsing, x-amz-crc32, the SDK
// retry classification (retry 500/throttling with bounded attempts and jittered backoff; never
// conditional failures), unreachable endpoints, TLS, and no duplicate writes under retries.
// Backoff goes through an injected sleep that only records: no test waits for a retry.
#include "esser/adapters/dynamodb/http_transport.hpp"

#include <map>
#include <mutex>

#include "adapters/support/test_http_server.hpp"
#include "adapters/support/test_pki.hpp"
#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4_verifier.hpp"

using namespace esser::adapters;
using esser::testing::test_http_server;
using esser::testing::test_pki;
using esser::testing::test_reply;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const credentials test_creds{"AKIDTEST", "test-secret", ""};

struct harness {
    std::vector<std::chrono::nanoseconds> sleeps;
    http_transport_options options;

    explicit harness(const std::string& endpoint, int max_attempts = 3) {
        options.region = "us-east-1";
        options.dynamodb_endpoint = *url::parse(endpoint);
        options.creds = test_creds;
        options.retry.max_attempts = max_attempts;
        options.sleep = [this](std::chrono::nanoseconds d) { sleeps.push_back(d); };
        options.random = [] { return 0.5; };
    }

    std::unique_ptr<http_transport> make() {
        auto t = http_transport::create(options);
        REQUIRE(t);
        return std::move(*t);
    }
};

test_reply error_reply(int status, const std::string& type, const std::string& message) {
    return test_reply::json(status, json{{"__type", type}, {"message", message}}.dump());
}

// The server side of SigV4: every request the transport sends must verify.
bool verifies(const http_request& r) {
    return static_cast<bool>(verify_sigv4(
        r,
        [](std::string_view k) -> std::optional<credentials> {
            if (k == test_creds.access_key_id)
                return test_creds;
            return std::nullopt;
        },
        esser::core::system_clock().now()));
}

const json put_request = {{"TableName", "events"},
                          {"Item", {{"pk", {{"S", "Item#1"}}}, {"v", {{"N", "1"}}}}},
                          {"ConditionExpression", "attribute_not_exists(pk)"}};

}  // namespace

TEST_CASE("http_transport frames, signs and parses a DynamoDB call", "[adapters][http_transport]") {
    test_http_server server([](const http_request& r) {
        if (!verifies(r))
            return error_reply(400, "InvalidSignatureException", "bad");
        return test_reply::json(200, R"({"ConsumedCapacity":{"TableName":"events"}})");
    });
    harness h(server.url());
    auto t = h.make();
    auto res = t->call("PutItem", put_request);
    REQUIRE(res);
    CHECK(*res == json{{"ConsumedCapacity", {{"TableName", "events"}}}});
    const auto got = server.received().at(0);
    CHECK(got.method == "POST");
    CHECK(got.target == "/");
    CHECK(*got.headers.find("content-type") == "application/x-amz-json-1.0");
    CHECK(*got.headers.find("x-amz-target") == "DynamoDB_20120810.PutItem");
    CHECK(*got.headers.find("amz-sdk-request") == "attempt=1; max=3");
    CHECK(got.headers.find("authorization")->find("/us-east-1/dynamodb/aws4_request") !=
          std::string::npos);
    CHECK(json::parse(got.body) == put_request);
    CHECK(h.sleeps.empty());
}

TEST_CASE("http_transport sends Streams operations with their target to the Streams endpoint",
          "[adapters][http_transport]") {
    test_http_server ddb([](const http_request&) { return test_reply::json(200, "{}"); });
    test_http_server streams([](const http_request& r) {
        if (!verifies(r))
            return error_reply(400, "InvalidSignatureException", "bad");
        return test_reply::json(200, R"({"Records":[]})");
    });
    harness h(ddb.url());
    h.options.streams_endpoint = *url::parse(streams.url());
    auto t = h.make();
    REQUIRE(t->call("GetRecords", {{"ShardIterator", "x"}}));
    REQUIRE(t->call("DescribeTable", {{"TableName", "events"}}));
    REQUIRE(streams.received().size() == 1);
    CHECK(*streams.received()[0].headers.find("x-amz-target") ==
          "DynamoDBStreams_20120810.GetRecords");
    REQUIRE(ddb.received().size() == 1);
    CHECK(*ddb.received()[0].headers.find("x-amz-target") == "DynamoDB_20120810.DescribeTable");
    for (auto op : {"ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"})
        CHECK(http_transport::is_streams_operation(op));
    CHECK_FALSE(http_transport::is_streams_operation("Query"));
}

TEST_CASE("http_transport sends to the endpoint's base path", "[adapters][http_transport]") {
    test_http_server server([](const http_request&) { return test_reply::json(200, "{}"); });
    harness h(server.url() + "/dynamodb/proxy");
    REQUIRE(h.make()->call("ListTables", json::object()));
    CHECK(server.received().at(0).target == "/dynamodb/proxy");
}

TEST_CASE("http_transport retries 500 InternalServerError and then succeeds",
          "[adapters][http_transport]") {
    int n = 0;
    test_http_server server([&](const http_request&) {
        if (++n == 1)
            return error_reply(500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "oops");
        return test_reply::json(200, "{}");
    });
    harness h(server.url());
    auto t = h.make();
    REQUIRE(t->call("GetItem", {{"TableName", "t"}}));
    REQUIRE(server.received().size() == 2);
    CHECK(*server.received()[1].headers.find("amz-sdk-request") == "attempt=2; max=3");
    // Each attempt is signed afresh (and therefore verifies).
    CHECK(verifies(server.received()[1]));
    // One backoff: U * base (100 ms) with U = 0.5.
    REQUIRE(h.sleeps.size() == 1);
    CHECK(h.sleeps[0] == 50ms);
    CHECK(t->stats().retries == 1);
    CHECK(server.connections() == 1);  // an error response keeps the connection
}

TEST_CASE("http_transport ends a throttling storm after max_attempts with a typed error",
          "[adapters][http_transport]") {
    test_http_server server([](const http_request&) {
        return error_reply(400, "com.amazon.coral.availability#ThrottlingException",
                           "Rate of requests exceeds the allowed throughput.");
    });
    SECTION("default standard mode: 3 attempts, throttling backoff 500 ms base") {
        harness h(server.url());
        auto t = h.make();
        auto res = t->call("PutItem", put_request);
        REQUIRE_FALSE(res);
        CHECK(res.error().type == "ThrottlingException");
        CHECK(res.error().message ==
              "Rate of requests exceeds the allowed throughput. (gave up after 3 attempts)");
        CHECK(server.received().size() == 3);
        REQUIRE(h.sleeps.size() == 2);
        CHECK(h.sleeps[0] == 250ms);  // 0.5 * 500 ms
        CHECK(h.sleeps[1] == 500ms);  // 0.5 * 1000 ms
        CHECK(to_core_error(res.error()).code == esser::core::errc::throttled);
        CHECK(t->stats().gave_up == 1);
    }
    SECTION("configured: 10 attempts, capped delays") {
        harness h(server.url(), 10);
        h.options.retry.max_delay = 2s;
        h.options.random = [] { return 0.999; };
        auto res = h.make()->call("PutItem", put_request);
        REQUIRE_FALSE(res);
        CHECK(server.received().size() == 10);
        REQUIRE(h.sleeps.size() == 9);
        for (std::size_t i = 1; i < h.sleeps.size(); ++i) CHECK(h.sleeps[i] >= h.sleeps[i - 1]);
        CHECK(h.sleeps.back() < 2s);
        CHECK(h.sleeps.back() > 1900ms);
    }
    SECTION("max_attempts 1 disables retries") {
        harness h(server.url(), 1);
        auto res = h.make()->call("PutItem", put_request);
        REQUIRE_FALSE(res);
        CHECK(res.error().message == "Rate of requests exceeds the allowed throughput.");
        CHECK(server.received().size() == 1);
        CHECK(h.sleeps.empty());
    }
}

TEST_CASE("http_transport never retries conditional failures and other client errors",
          "[adapters][http_transport]") {
    const auto [type, body] = GENERATE(table<std::string, std::string>({
        {"ConditionalCheckFailedException",
         R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})"},
        {"TransactionCanceledException",
         R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]","CancellationReasons":[{"Code":"ConditionalCheckFailed"}]})"},
        {"TransactionConflictException",
         R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionConflictException","message":"conflict"})"},
        {"ValidationException",
         R"({"__type":"com.amazon.coral.validate#ValidationException","message":"bad"})"},
        {"ResourceNotFoundException",
         R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})"},
        {"UnrecognizedClientException",
         R"({"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."})"},
    }));
    INFO(type);
    test_http_server server(
        [body = body](const http_request&) { return test_reply::json(400, body); });
    harness h(server.url());
    auto res = h.make()->call("PutItem", put_request);
    REQUIRE_FALSE(res);
    CHECK(res.error().type == type);
    CHECK(res.error().status == 400);
    CHECK(server.received().size() == 1);
    CHECK(h.sleeps.empty());
    if (type == "TransactionCanceledException")
        CHECK(res.error().extra.contains("CancellationReasons"));
    if (type == "ConditionalCheckFailedException" || type == "TransactionCanceledException")
        CHECK(to_core_error(res.error()).code == esser::core::errc::version_conflict);
}

TEST_CASE("http_transport retries a wrong x-amz-crc32 and checks it only when present",
          "[adapters][http_transport]") {
    int n = 0;
    bool always_wrong = false;
    test_http_server server([&](const http_request&) {
        auto r = test_reply::json(200, R"({"Item":{"pk":{"S":"a"}}})");
        if (always_wrong || ++n == 1)
            r.crc32_value = "12345";
        if (n == 3)
            r.crc32 = false;  // absent: not checked
        return r;
    });
    harness h(server.url());
    auto t = h.make();
    auto first = t->call("GetItem", {{"TableName", "t"}});
    REQUIRE(first);
    CHECK(server.received().size() == 2);
    CHECK(h.sleeps.size() == 1);
    REQUIRE(t->call("GetItem", {{"TableName", "t"}}));  // n == 3, no header
    CHECK(server.received().size() == 3);

    always_wrong = true;
    auto bad = t->call("GetItem", {{"TableName", "t"}});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().type == "CRC32CheckFailed");
    CHECK(bad.error().status == 0);
    CHECK(bad.error().message.find("header '12345'") != std::string::npos);
    CHECK(bad.error().message.find("(gave up after 3 attempts)") != std::string::npos);
    CHECK(server.received().size() == 6);
}

TEST_CASE("http_transport rejects a crc32 header that is not a number",
          "[adapters][http_transport]") {
    test_http_server server([](const http_request&) {
        auto r = test_reply::json(200, "{}");
        r.crc32_value = "0x1f";
        return r;
    });
    harness h(server.url(), 1);
    auto res = h.make()->call("ListTables", json::object());
    REQUIRE_FALSE(res);
    CHECK(res.error().type == "CRC32CheckFailed");
}

TEST_CASE("http_transport reports an unreachable endpoint after bounded retries",
          "[adapters][http_transport]") {
    harness h("http://127.0.0.1:" + std::to_string(esser::testing::unused_port()));
    auto t = h.make();
    auto res = t->call("PutItem", put_request);
    REQUIRE_FALSE(res);
    CHECK(res.error().type == "EndpointConnectionError");
    CHECK(res.error().status == 0);
    CHECK(res.error().message.find("could not connect to http://127.0.0.1:") == 0);
    CHECK(res.error().message.find("(gave up after 3 attempts)") != std::string::npos);
    CHECK(h.sleeps.size() == 2);
    CHECK(to_core_error(res.error()).code == esser::core::errc::unavailable);
}

TEST_CASE("http_transport reports a read timeout as retryable", "[adapters][http_transport]") {
    test_http_server server([](const http_request&) {
        test_reply r;
        r.what = test_reply::action::hang;
        return r;
    });
    harness h(server.url(), 2);
    h.options.http.request_timeout = 100ms;
    auto res = h.make()->call("GetItem", {{"TableName", "t"}});
    REQUIRE_FALSE(res);
    CHECK(res.error().type == "ReadTimeoutError");
    CHECK(server.received().size() == 2);
    CHECK(to_core_error(res.error()).code == esser::core::errc::timeout);
}

TEST_CASE("http_transport over TLS: trusted CA works, unknown CA fails without retrying",
          "[adapters][http_transport][tls]") {
    test_pki pki;
    test_http_server server(
        [](const http_request& r) {
            if (!verifies(r))
                return error_reply(400, "InvalidSignatureException", "bad");
            return test_reply::json(200, R"({"TableNames":[]})");
        },
        pki.issue({"localhost"}, {"127.0.0.1"}));
    SECTION("trusted") {
        harness h(server.url());
        h.options.http.tls.ca_pem = pki.ca_pem();
        auto t = h.make();
        for (int i = 0; i < 3; ++i) REQUIRE(t->call("ListTables", json::object()));
        CHECK(server.connections() == 1);
    }
    SECTION("unknown CA") {
        harness h(server.url());
        auto res = h.make()->call("ListTables", json::object());
        REQUIRE_FALSE(res);
        CHECK(res.error().type == "SSLError");
        CHECK(res.error().message.find("certificate") != std::string::npos);
        CHECK(h.sleeps.empty());
        CHECK(to_core_error(res.error()).code == esser::core::errc::unavailable);
    }
}

TEST_CASE("http_transport does not duplicate a write whose response was lost",
          "[adapters][http_transport]") {
    // A conditional put lands, but the connection drops before the response: the transport
    // retries (the SDKs do the same), and the retry meets the condition. Exactly one item
    // exists and the caller learns of the conflict instead of a silent double append.
    std::mutex m;
    std::map<std::string, json> table;
    int puts = 0;
    test_http_server server([&](const http_request& r) {
        std::lock_guard lock(m);
        const json req = json::parse(r.body);
        const std::string pk = req["Item"]["pk"]["S"];
        if (table.count(pk))
            return error_reply(400,
                               "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                               "The conditional request failed");
        table[pk] = req["Item"];
        test_reply reply;
        if (++puts == 1)
            reply.what = test_reply::action::close_without_response;
        else
            reply = test_reply::json(200, "{}");
        return reply;
    });
    harness h(server.url());
    auto res = h.make()->call("PutItem", put_request);
    REQUIRE_FALSE(res);
    CHECK(res.error().type == "ConditionalCheckFailedException");
    CHECK(server.received().size() == 2);
    CHECK(table.size() == 1);
}

TEST_CASE("http_transport turns bad responses into typed errors", "[adapters][http_transport]") {
    test_reply reply;
    test_http_server server([&](const http_request&) { return reply; });
    harness h(server.url());
    auto t = h.make();
    SECTION("a 200 whose body is not a JSON object is not retried") {
        for (const char* body : {"not json", "[1,2]", "", "{\"unterminated\":"}) {
            INFO(body);
            reply = test_reply::json(200, body);
            auto res = t->call("GetItem", {{"TableName", "t"}});
            REQUIRE_FALSE(res);
            CHECK(res.error().type == "ResponseParserError");
        }
        CHECK(h.sleeps.empty());
    }
    SECTION("a 502 from a proxy with an HTML body is retried as a 5xx") {
        reply = test_reply::json(502, "<html>Bad Gateway</html>");
        auto res = t->call("GetItem", {{"TableName", "t"}});
        REQUIRE_FALSE(res);
        CHECK(res.error().status == 502);
        CHECK(res.error().message.find("Bad Gateway") != std::string::npos);
        CHECK(server.received().size() == 3);
    }
    SECTION("the error type may come from x-amzn-errortype") {
        reply = test_reply::json(400, "");
        reply.headers.add("x-amzn-ErrorType",
                          "ResourceNotFoundException:http://internal.amazon.com/");
        auto res = t->call("GetItem", {{"TableName", "t"}});
        REQUIRE_FALSE(res);
        CHECK(res.error().type == "ResourceNotFoundException");
        CHECK(server.received().size() == 1);
    }
    SECTION("a 413 without a body is an error, not retried") {
        reply = test_reply::json(413, "");
        auto res = t->call("PutItem", put_request);
        REQUIRE_FALSE(res);
        CHECK(res.error().status == 413);
        CHECK(server.received().size() == 1);
    }
}

TEST_CASE("http_transport refuses requests it cannot send", "[adapters][http_transport]") {
    test_http_server server([](const http_request&) { return test_reply::json(200, "{}"); });
    harness h(server.url());
    auto t = h.make();
    for (const char* op : {"", "Put Item", "DynamoDB_20120810.PutItem", "PutItem\r\nX: y"}) {
        auto res = t->call(op, json::object());
        REQUIRE_FALSE(res);
        CHECK(res.error().type == "ParamValidationError");
    }
    auto array = t->call("PutItem", json::array());
    REQUIRE_FALSE(array);
    CHECK(array.error().type == "ParamValidationError");
    auto bad_utf8 = t->call("PutItem", {{"TableName", std::string("\xff\xfe")}});
    REQUIRE_FALSE(bad_utf8);
    CHECK(bad_utf8.error().type == "ParamValidationError");
    CHECK(to_core_error(bad_utf8.error()).code == esser::core::errc::invalid_argument);
    CHECK(server.received().empty());
}

TEST_CASE("http_transport::create validates its options", "[adapters][http_transport]") {
    harness h("http://127.0.0.1:1");
    SECTION("region") {
        h.options.region = "";
        CHECK(http_transport::create(h.options).error().type == "InvalidRegionError");
        h.options.region = "us east 1";
        CHECK(http_transport::create(h.options).error().type == "InvalidRegionError");
    }
    SECTION("credentials") {
        h.options.creds = {};
        CHECK(http_transport::create(h.options).error().type == "NoCredentialsError");
        h.options.credentials_source = [] { return esser::core::result<credentials>(test_creds); };
        CHECK(http_transport::create(h.options));
    }
    SECTION("endpoint") {
        h.options.dynamodb_endpoint = {};
        CHECK(http_transport::create(h.options).error().type == "InvalidEndpointError");
    }
    SECTION("retry policy") {
        h.options.retry.max_attempts = 0;
        CHECK(http_transport::create(h.options).error().type == "InvalidRetryPolicy");
    }
}

TEST_CASE("http_transport signs with the credentials source of each call",
          "[adapters][http_transport]") {
    test_http_server server([](const http_request&) { return test_reply::json(200, "{}"); });
    harness h(server.url());
    int calls = 0;
    h.options.credentials_source = [&]() -> esser::core::result<credentials> {
        if (++calls == 2) {
            auto e = esser::core::error::unavailable("metadata endpoint down");
            e.type = "CredentialRetrievalError";
            return esser::core::fail(e);
        }
        return credentials{"AKID" + std::to_string(calls), "s", "tok"};
    };
    auto t = h.make();
    REQUIRE(t->call("ListTables", json::object()));
    auto failed = t->call("ListTables", json::object());
    REQUIRE_FALSE(failed);
    CHECK(failed.error().type == "CredentialRetrievalError");
    REQUIRE(t->call("ListTables", json::object()));
    const auto got = server.received();
    REQUIRE(got.size() == 2);
    CHECK(got[0].headers.find("authorization")->find("Credential=AKID1/") != std::string::npos);
    CHECK(got[1].headers.find("authorization")->find("Credential=AKID3/") != std::string::npos);
    CHECK(*got[1].headers.find("x-amz-security-token") == "tok");
}

TEST_CASE("http_transport::from_environment reaches AWS_ENDPOINT_URL",
          "[adapters][http_transport]") {
    test_http_server server([](const http_request& r) {
        if (!verifies(r))
            return error_reply(400, "InvalidSignatureException", "bad");
        return test_reply::json(200, R"({"TableNames":["events"]})");
    });
    std::map<std::string, std::string, std::less<>> env{
        {"AWS_ACCESS_KEY_ID", test_creds.access_key_id},
        {"AWS_SECRET_ACCESS_KEY", test_creds.secret_access_key},
        {"AWS_REGION", "eu-central-1"},
        {"AWS_ENDPOINT_URL", server.url()}};
    auto t =
        http_transport::from_environment([&](std::string_view n) -> std::optional<std::string> {
            auto it = env.find(n);
            if (it == env.end())
                return std::nullopt;
            return it->second;
        });
    REQUIRE(t);
    auto res = (*t)->call("ListTables", json::object());
    REQUIRE(res);
    CHECK((*res)["TableNames"] == json::array({"events"}));
    CHECK(server.received().at(0).headers.find("authorization")->find("/eu-central-1/dynamodb/") !=
          std::string::npos);
}

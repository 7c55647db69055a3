// Issue 6, spec/dynamodb-api.md §1: the AWS JSON 1.0 front's wire rules, check by check and in
// the order of §1.4. Most cases call handle() directly with a capturing responder; the last
// ones go over a socket to check the bytes a client really receives.
#include "esser/emulator/http/aws_json_front.hpp"

#include <future>
#include <mutex>
#include <regex>
#include <thread>

#include "emulator/http/raw_client.hpp"
#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/emulator/http/aws_wire.hpp"
#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/http/sigv4_guard.hpp"

using namespace esser::emulator;
using esser::adapters::aws_error;
using esser::adapters::aws_result;
using nlohmann::json;

namespace {

// A stand-in service that records what reached it.
struct fake_service {
    std::mutex mu;
    std::vector<std::pair<aws_call, json>> calls;

    aws_result operator()(const aws_call& call, const json& request) {
        {
            std::lock_guard lock(mu);
            calls.emplace_back(call, request);
        }
        if (call.operation == "ListTables")
            return json{{"TableNames", json::array()}};
        if (call.operation == "PutItem")
            return json::object();
        if (call.operation == "GetItem")
            return json(nullptr);
        if (call.operation == "DeleteItem")
            return esser::core::unexpected(aws_error::conditional_check_failed());
        if (call.operation == "UpdateItem")
            return esser::core::unexpected(aws_error::internal("disk on fire"));
        if (call.operation == "TagResource")
            return json::object();
        throw std::runtime_error("unexpected operation in the fake");
    }
};

struct fixture {
    std::shared_ptr<fake_service> svc = std::make_shared<fake_service>();
    aws_json_front front;

    explicit fixture(aws_json_front_options o = {})
        : front([&] {
              o.ids = std::make_shared<esser::core::seeded_id_source>(7);
              return o;
          }()) {
        front.add_service(
            "DynamoDB_20120810",
            {"ListTables", "PutItem", "GetItem", "DeleteItem", "UpdateItem", "TagResource", "Scan"},
            [s = svc](const aws_call& c, const json& r) { return (*s)(c, r); });
    }

    http_response call(http_request req) {
        std::promise<http_response> p;
        auto f = p.get_future();
        front.handle(std::move(req),
                     responder([&p](http_response r) { p.set_value(std::move(r)); }));
        REQUIRE(f.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
        return f.get();
    }
};

http_request post(std::string target, std::string body,
                  std::string content_type = "application/x-amz-json-1.0") {
    http_request r;
    r.method = "POST";
    r.target = "/";
    if (!content_type.empty())
        r.headers.set("Content-Type", content_type);
    if (!target.empty())
        r.headers.set("X-Amz-Target", target);
    r.body = std::move(body);
    return r;
}

// The front's answer to a POST with `target` and `body`, waited for.
http_response answer_of(const aws_json_front& front, std::string target, std::string body) {
    std::promise<http_response> p;
    auto f = p.get_future();
    front.handle(post(std::move(target), std::move(body)),
                 responder([&p](http_response r) { p.set_value(std::move(r)); }));
    return f.get();
}

json body_of(const http_response& r) {
    return json::parse(r.body);
}

void check_crc(const http_response& r) {
    CHECK(r.headers.value_or("x-amz-crc32") == std::to_string(crc32_of(r.body)));
}

}  // namespace

TEST_CASE("aws_json_front answers an operation with 200, a request id and a correct crc32",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto r = fx.call(post("DynamoDB_20120810.ListTables", "{}"));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"TableNames":[]})");
    CHECK(r.headers.value_or("Content-Type") == "application/x-amz-json-1.0");
    check_crc(r);
    const std::string id(r.headers.value_or("x-amzn-RequestId"));
    CHECK(std::regex_match(id, std::regex("[0-9A-Z]{52}")));
    CHECK(r.operation == "DynamoDB.ListTables");
    auto again = fx.call(post("DynamoDB_20120810.ListTables", "{}"));
    CHECK(again.headers.value_or("x-amzn-RequestId") != id);
    REQUIRE(fx.svc->calls.size() == 2);
    CHECK(fx.svc->calls[0].first.request_id == id);
    CHECK(fx.svc->calls[0].first.region == "us-east-1");
}

TEST_CASE("aws_json_front writes {} for an empty result and no body for TagResource",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto put = fx.call(post("DynamoDB_20120810.PutItem", R"({"TableName":"t"})"));
    CHECK(put.body == "{}");
    auto get = fx.call(post("DynamoDB_20120810.GetItem", R"({"TableName":"t"})"));
    CHECK(get.body == "{}");  // a null result is never an empty body (spec §1.2)
    auto tag = fx.call(post("DynamoDB_20120810.TagResource", R"({"ResourceArn":"a"})"));
    CHECK(tag.status == 200);
    CHECK(tag.body.empty());
    check_crc(tag);
}

TEST_CASE("aws_json_front echoes application/json and ignores content type parameters",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto a = fx.call(post("DynamoDB_20120810.ListTables", "{}", "application/json"));
    CHECK(a.status == 200);
    CHECK(a.headers.value_or("Content-Type") == "application/json");
    auto b = fx.call(
        post("DynamoDB_20120810.ListTables", "{}", "Application/X-Amz-Json-1.0; charset=utf-8"));
    CHECK(b.status == 200);
    CHECK(b.headers.value_or("Content-Type") == "application/x-amz-json-1.0");
}

TEST_CASE("aws_json_front answers 404 <UnknownOperationException/> to other methods and types",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto check_404 = [](const http_response& r) {
        CHECK(r.status == 404);
        CHECK(r.body == "<UnknownOperationException/>\n");
        CHECK(r.headers.value_or("x-amz-crc32") == "3552371480");
        CHECK(crc32_of(r.body) == 3552371480u);  // the constant is the body's CRC
        CHECK(r.headers.contains("x-amzn-RequestId"));
    };
    for (const char* method : {"PUT", "DELETE", "PATCH", "OPTIONS"}) {
        INFO(method);
        auto req = post("DynamoDB_20120810.ListTables", "{}");
        req.method = method;
        check_404(fx.call(req));
    }
    auto get = post("DynamoDB_20120810.ListTables", "");
    get.method = "GET";
    get.target = "/tables";
    check_404(fx.call(get));
    for (const char* type : {"application/x-amz-json-1.1", "text/plain", ""}) {
        INFO(type);
        check_404(fx.call(post("DynamoDB_20120810.ListTables", "{}", type)));
    }
    CHECK(fx.svc->calls.empty());
}

TEST_CASE("aws_json_front answers GET / with DynamoDB's health text",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    http_request req;
    req.method = "GET";
    req.target = "/";
    auto r = fx.call(req);
    CHECK(r.status == 200);
    CHECK(r.body == "healthy: dynamodb.us-east-1.amazonaws.com ");
}

TEST_CASE("aws_json_front answers a CORS preflight and marks answers to browsers",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    http_request pre;
    pre.method = "OPTIONS";
    pre.target = "/";
    pre.headers.set("Origin", "http://localhost:3000");
    pre.headers.set("Access-Control-Request-Method", "POST");
    pre.headers.set("Access-Control-Request-Headers", "content-type,x-amz-target");
    auto r = fx.call(pre);
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(r.headers.value_or("Access-Control-Allow-Origin") == "*");
    CHECK(r.headers.value_or("Access-Control-Allow-Methods") == "POST");
    CHECK(r.headers.value_or("Access-Control-Allow-Headers") == "content-type,x-amz-target");
    CHECK(r.headers.value_or("Access-Control-Max-Age") == "172800");

    auto req = post("DynamoDB_20120810.ListTables", "{}");
    req.headers.set("Origin", "http://localhost:3000");
    auto ok = fx.call(req);
    CHECK(ok.status == 200);
    CHECK(ok.headers.value_or("Access-Control-Allow-Origin") == "*");
}

TEST_CASE("aws_json_front answers a body that is not a JSON object with SerializationException",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    for (const char* bad :
         {"{", "nope", "{\"a\":1}}", "[]", "42", "\"s\"", "null", "{\"a\":\"\xff\xfe\"}"}) {
        INFO(bad);
        auto r = fx.call(post("DynamoDB_20120810.ListTables", bad));
        CHECK(r.status == 400);
        CHECK(body_of(r) == json{{"__type", "com.amazon.coral.service#SerializationException"}});
        check_crc(r);
    }
    CHECK(fx.svc->calls.empty());
}

TEST_CASE(
    "aws_json_front answers a missing, malformed or unknown target with "
    "UnknownOperationException",
    "[emulator][http][aws_json_front]") {
    fixture fx;
    for (const char* target :
         {"", "DynamoDB_20120810", "DynamoDB_20120810.ListTable", "DynamoDB_20120810.listTables",
          "DynamoDB_20111205.ListTables", "DynamoDB_20120810.ListTables.x",
          "DynamoDBStreams_20120810.ListStreams", "DynamoDB_20120810.ExecuteStatement",
          ".ListTables"}) {
        INFO(target);
        auto r = fx.call(post(target, "{}"));
        CHECK(r.status == 400);
        CHECK(body_of(r) == json{{"__type", "com.amazon.coral.service#UnknownOperationException"}});
        CHECK(r.operation == "aws.unknown_operation");
    }
    CHECK(fx.svc->calls.empty());
}

TEST_CASE("aws_json_front applies the checks in the order of spec §1.4",
          "[emulator][http][aws_json_front]") {
    aws_json_front_options o;
    o.auth = aws_auth_mode::require_header;
    fixture fx(o);
    // Invalid JSON (2) wins over an unknown target (3).
    auto a = fx.call(post("Nope.Nothing", "{"));
    CHECK(body_of(a)["__type"] == "com.amazon.coral.service#SerializationException");
    // An unknown target (3) wins over missing credentials (4) and an empty body (5).
    auto b = fx.call(post("Nope.Nothing", ""));
    CHECK(body_of(b)["__type"] == "com.amazon.coral.service#UnknownOperationException");
    // Missing credentials (4) win over an empty body (5).
    auto c = fx.call(post("DynamoDB_20120810.ListTables", ""));
    CHECK(body_of(c)["__type"] == "com.amazon.coral.service#MissingAuthenticationTokenException");
    CHECK(body_of(c)["message"] == "Request is missing Authentication Token");
}

TEST_CASE("aws_json_front answers a valid target with an empty body with SerializationException",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto r = fx.call(post("DynamoDB_20120810.ListTables", ""));
    CHECK(r.status == 400);
    CHECK(body_of(r) == json{{"__type", "com.amazon.coral.service#SerializationException"}});
    CHECK(fx.svc->calls.empty());
}

TEST_CASE("aws_json_front accepts any credentials by default and reads the scope's region",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto req = post("DynamoDB_20120810.ListTables", "{}");
    req.headers.set("Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-2/dynamodb/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature=deadbeef");
    CHECK(fx.call(req).status == 200);
    CHECK(fx.call(post("DynamoDB_20120810.ListTables", "{}")).status == 200);  // no header
    REQUIRE(fx.svc->calls.size() == 2);
    CHECK(fx.svc->calls[0].first.region == "eu-west-2");
    CHECK(fx.svc->calls[0].first.access_key_id == "AKIDEXAMPLE");
    CHECK(fx.svc->calls[1].first.region == "us-east-1");
}

TEST_CASE("aws_json_front in require_header mode rejects missing and incomplete signatures",
          "[emulator][http][aws_json_front]") {
    aws_json_front_options o;
    o.auth = aws_auth_mode::require_header;
    fixture fx(o);
    auto req = post("DynamoDB_20120810.ListTables", "{}");
    req.headers.set("Authorization", "Basic dXNlcjpwYXNz");
    CHECK(body_of(fx.call(req))["__type"] ==
          "com.amazon.coral.service#MissingAuthenticationTokenException");

    req.headers.set("Authorization", "AWS4-HMAC-SHA256 Signature=b");
    auto r = fx.call(req);
    CHECK(r.status == 400);
    CHECK(body_of(r)["__type"] == "com.amazon.coral.service#IncompleteSignatureException");
    CHECK(body_of(r)["message"] ==
          "Authorization header requires 'Credential' parameter. Authorization header requires "
          "'SignedHeaders' parameter. Authorization header requires existence of either a "
          "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Signature=b");

    req.headers.set("Authorization",
                    "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=f");
    req.headers.set("X-Amz-Date", "20240101T000000Z");
    CHECK(fx.call(req).status == 200);
}

TEST_CASE("aws_json_front decodes gzip bodies and answers bad encodings with 500",
          "[emulator][http][aws_json_front]") {
    aws_json_front_options o;
    o.max_decoded_body_bytes = 1 << 20;
    fixture fx(o);
    SECTION("one member") {
        auto req = post("DynamoDB_20120810.PutItem", gzip(R"({"TableName":"gz"})"));
        req.headers.set("Content-Encoding", "gzip");
        CHECK(fx.call(req).status == 200);
        REQUIRE(fx.svc->calls.size() == 1);
        CHECK(fx.svc->calls[0].second == json{{"TableName", "gz"}});
    }
    SECTION("concatenated members") {
        auto req = post("DynamoDB_20120810.PutItem", gzip(R"({"TableName":)") + gzip(R"("c"})"));
        req.headers.set("Content-Encoding", "GZIP");
        CHECK(fx.call(req).status == 200);
        REQUIRE(fx.svc->calls.size() == 1);
        CHECK(fx.svc->calls[0].second == json{{"TableName", "c"}});
    }
    SECTION("corrupt, truncated, empty, or another encoding") {
        const std::string good = gzip(R"({"TableName":"x"})");
        std::string flipped = good;
        flipped[flipped.size() / 2] ^= 0x55;
        for (auto [enc, body] : std::vector<std::pair<std::string, std::string>>{
                 {"gzip", "not gzip at all"},
                 {"gzip", good.substr(0, good.size() - 5)},
                 {"gzip", flipped},
                 {"gzip", ""},
                 {"gzip", good + "trailing"},
                 {"br", R"({"TableName":"x"})"},
                 {"deflate", R"({"TableName":"x"})"}}) {
            INFO(enc << " " << body.size());
            auto req = post("DynamoDB_20120810.PutItem", body);
            req.headers.set("Content-Encoding", enc);
            auto r = fx.call(req);
            CHECK(r.status == 500);
            CHECK(body_of(r)["__type"] == "com.amazonaws.dynamodb.v20120810#InternalServerError");
            check_crc(r);
        }
        CHECK(fx.svc->calls.empty());
    }
    SECTION("a zip bomb is refused with 413") {
        auto req = post("DynamoDB_20120810.PutItem", gzip(std::string(2 << 20, ' ')));
        req.headers.set("Content-Encoding", "gzip");
        auto r = fx.call(req);
        CHECK(r.status == 413);
        CHECK(fx.svc->calls.empty());
    }
}

TEST_CASE("aws_json_front writes service errors with their status and AWS shape",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto cond = fx.call(post("DynamoDB_20120810.DeleteItem", R"({"TableName":"t"})"));
    CHECK(cond.status == 400);
    CHECK(body_of(cond) ==
          json{{"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
               {"message", "The conditional request failed"}});
    check_crc(cond);
    auto internal = fx.call(post("DynamoDB_20120810.UpdateItem", R"({"TableName":"t"})"));
    CHECK(internal.status == 500);
    CHECK(body_of(internal)["message"] == "disk on fire");
    // A service that throws is an InternalServerError, never a crash.
    auto thrown = fx.call(post("DynamoDB_20120810.Scan", R"({"TableName":"t"})"));
    CHECK(thrown.status == 500);
    CHECK(body_of(thrown)["__type"] == "com.amazonaws.dynamodb.v20120810#InternalServerError");
}

TEST_CASE("aws_json_front refuses absurdly nested JSON before the service sees it",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    std::string deep = R"({"TableName":"t","Item":{"a":)";
    for (int i = 0; i < 200; ++i) deep += R"({"L":[)";
    deep += R"({"S":"x"})";
    for (int i = 0; i < 200; ++i) deep += "]}";
    deep += "}}";
    auto r = fx.call(post("DynamoDB_20120810.PutItem", deep));
    CHECK(r.status == 400);
    CHECK(body_of(r)["__type"] == "com.amazon.coral.validate#ValidationException");
    CHECK(body_of(r)["message"].get<std::string>().find("Nesting Levels") != std::string::npos);
    CHECK(fx.svc->calls.empty());
}

TEST_CASE("aws_json_front serves an asynchronous service answering from another thread",
          "[emulator][http][aws_json_front]") {
    aws_json_front front;
    std::vector<std::thread> workers;
    front.add_async_service(
        "DynamoDBStreams_20120810", {"ListStreams"},
        [&](aws_call call, json, std::function<void(aws_result)> done) {
            workers.emplace_back([done] { done(json{{"Streams", json::array()}}); });
        });
    CHECK(front.has_service("DynamoDBStreams_20120810"));
    std::promise<http_response> p;
    auto f = p.get_future();
    front.handle(post("DynamoDBStreams_20120810.ListStreams", "{}"),
                 responder([&](http_response r) { p.set_value(std::move(r)); }));
    auto r = f.get();
    for (auto& w : workers) w.join();
    CHECK(r.status == 200);
    CHECK(r.body == R"({"Streams":[]})");
    CHECK(r.operation == "DynamoDBStreams.ListStreams");
}

TEST_CASE("aws_json_front sends a text service's body as written, with its crc32",
          "[emulator][http][aws_json_front]") {
    // Issue 6: the DynamoDB engine answers the front with text (dynamo_engine::dispatch_text).
    aws_json_front front;
    std::vector<std::string> seen;
    front.add_text_service(
        "DynamoDB_20120810", [](std::string_view op) { return op != "Nope"; },
        [&](const aws_call& call, const json& request) -> aws_text_result {
            seen.push_back(call.operation + " " + request.dump());
            if (call.operation == "Query")
                return std::string(R"({"Count":1,"Items":[{"s":{"S":"\u00e9\"x"}}]})");
            if (call.operation == "TagResource")
                return std::string("{}");
            if (call.operation == "Scan")
                throw std::runtime_error("boom");
            return esser::core::unexpected(aws_error::resource_not_found());
        });
    auto call = [&](std::string target, std::string body) {
        return answer_of(front, std::move(target), std::move(body));
    };
    auto q = call("DynamoDB_20120810.Query", R"({"TableName":"t"})");
    CHECK(q.status == 200);
    CHECK(q.body == R"({"Count":1,"Items":[{"s":{"S":"\u00e9\"x"}}]})");
    check_crc(q);
    CHECK(q.operation == "DynamoDB.Query");
    auto tag = call("DynamoDB_20120810.TagResource", R"({"ResourceArn":"a"})");
    CHECK(tag.status == 200);
    CHECK(tag.body.empty());  // as for JSON services
    check_crc(tag);
    auto missing = call("DynamoDB_20120810.GetItem", R"({"TableName":"t"})");
    CHECK(missing.status == 400);
    CHECK(body_of(missing)["__type"] ==
          "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
    check_crc(missing);
    auto thrown = call("DynamoDB_20120810.Scan", R"({"TableName":"t"})");
    CHECK(thrown.status == 500);
    auto unknown = call("DynamoDB_20120810.Nope", R"({"TableName":"t"})");
    CHECK(unknown.status == 400);
    CHECK(body_of(unknown)["__type"] == "com.amazon.coral.service#UnknownOperationException");
    CHECK(seen == std::vector<std::string>{
                      R"(Query {"TableName":"t"})", R"(TagResource {"ResourceArn":"a"})",
                      R"(GetItem {"TableName":"t"})", R"(Scan {"TableName":"t"})"});
}

TEST_CASE("aws_json_front serves the requests a text reader takes, and parses the rest",
          "[emulator][http][aws_json_front]") {
    // Issue 6: dynamo_engine::prepare_text reads PutItem from its text; the front must serve
    // what the reader takes without parsing, keep AWS's error order, and parse what it declines.
    aws_json_front front;
    std::vector<std::string> parsed, read;
    front.add_text_service(
        "DynamoDB_20120810", [](std::string_view op) { return op != "Nope"; },
        [&](const aws_call& call, const json& request) -> aws_text_result {
            parsed.push_back(call.operation + " " + request.dump());
            return std::string(R"({"parsed":true})");
        },
        [&](std::string_view op, std::string_view body) -> std::function<aws_text_result()> {
            read.push_back(std::string(op) + " " + std::string(body));
            if (op != "PutItem" || body.find("plain") == std::string_view::npos)
                return {};
            return [] { return aws_text_result(std::string(R"({"read":true})")); };
        });
    auto call = [&](std::string target, std::string body) {
        return answer_of(front, std::move(target), std::move(body));
    };
    auto taken = call("DynamoDB_20120810.PutItem", R"({"plain":1})");
    CHECK(taken.status == 200);
    CHECK(taken.body == R"({"read":true})");
    CHECK(taken.operation == "DynamoDB.PutItem");
    check_crc(taken);
    auto declined = call("DynamoDB_20120810.PutItem", R"({"other":1})");
    CHECK(declined.body == R"({"parsed":true})");
    auto other_op = call("DynamoDB_20120810.GetItem", R"({"plain":1})");
    CHECK(other_op.body == R"({"parsed":true})");
    // Declined and not JSON: step 2's SerializationException, before the unknown operation.
    auto broken = call("DynamoDB_20120810.PutItem", R"({"other":)");
    CHECK(body_of(broken)["__type"] == "com.amazon.coral.service#SerializationException");
    // Unknown operations and empty bodies never reach the reader.
    auto unknown = call("DynamoDB_20120810.Nope", R"({"plain":1})");
    CHECK(body_of(unknown)["__type"] == "com.amazon.coral.service#UnknownOperationException");
    auto empty = call("DynamoDB_20120810.PutItem", "");
    CHECK(empty.status == 400);
    CHECK(read == std::vector<std::string>{R"(PutItem {"plain":1})", R"(PutItem {"other":1})",
                                           R"(GetItem {"plain":1})", R"(PutItem {"other":)"});
    CHECK(parsed == std::vector<std::string>{R"(PutItem {"other":1})", R"(GetItem {"plain":1})"});
}

TEST_CASE("aws_json_front over a socket: the crc32 covers exactly the bytes received",
          "[emulator][http][aws_json_front]") {
    fixture fx;
    auto routes = std::make_shared<router>();
    routes->fallback(fx.front.handler(), "aws");
    http_server_options o;
    o.port = 0;
    auto server = http_server::start(o, routes);
    REQUIRE(server);
    esser::test::raw_client c((*server)->port());
    REQUIRE(c.send(
        esser::test::make_request("POST", "/", R"({"TableName":"t"})",
                                  "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: "
                                  "DynamoDB_20120810.DeleteItem\r\n")));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->header("x-amz-crc32") == std::to_string(crc32_of(r->body)));
    CHECK(r->header("content-length") == std::to_string(r->body.size()));
    CHECK(r->header("x-amzn-requestid").size() == 52);
    // The 413 of spec §1.1 comes from the server limit, with no body.
    REQUIRE(
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
               "Content-Length: 16777217\r\n\r\n"));
    auto big = c.read_response();
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(big->body.empty());
}

// Issue 10 (esser-local --credentials): verify_signature checks the whole signature through the
// sigv4_guard, on the body as received (a gzip body is signed compressed), before the service
// runs; the verified scope's region reaches the service.
TEST_CASE("aws_json_front verifies SigV4 signatures in verify_signature mode",
          "[emulator][http][aws_json_front]") {
    const esser::adapters::credentials key{"AKIDFRONT", "front-secret", ""};
    const auto now = std::chrono::system_clock::now();
    aws_json_front_options o;
    o.auth = aws_auth_mode::verify_signature;
    o.signatures = std::make_shared<const sigv4_guard>(std::vector{key}, [now] { return now; });
    fixture fx(o);
    auto signed_post = [&](std::string body, const esser::adapters::credentials& c,
                           std::string region = "eu-central-1") {
        esser::adapters::http_request req;
        req.target = "/";
        req.headers.set("Host", "127.0.0.1:8000");
        req.headers.set("Content-Type", "application/x-amz-json-1.0");
        req.headers.set("X-Amz-Target", "DynamoDB_20120810.PutItem");
        req.body = std::move(body);
        esser::adapters::sigv4_signer(std::move(region), "dynamodb").sign(req, c, now);
        http_request out = post("", "", "");
        for (const auto& h : req.headers) out.headers.add(h.name, h.value);
        out.body = req.body;
        return out;
    };
    SECTION("a correct signature reaches the service with its region") {
        CHECK(fx.call(signed_post(R"({"TableName":"ok"})", key)).status == 200);
        REQUIRE(fx.svc->calls.size() == 1);
        CHECK(fx.svc->calls[0].first.region == "eu-central-1");
        CHECK(fx.svc->calls[0].first.access_key_id == "AKIDFRONT");
    }
    SECTION("a gzip body is verified as sent, then decoded") {
        auto req = signed_post(gzip(R"({"TableName":"gz"})"), key);
        req.headers.set("Content-Encoding", "gzip");
        // Content-Encoding was added after signing and is not a signed header: still valid.
        CHECK(fx.call(req).status == 200);
        REQUIRE(fx.svc->calls.size() == 1);
        CHECK(fx.svc->calls[0].second == json{{"TableName", "gz"}});
    }
    SECTION("refusals never reach the service") {
        auto wrong = fx.call(signed_post(R"({"TableName":"x"})", {"AKIDFRONT", "nope", ""}));
        CHECK(wrong.status == 400);
        CHECK(body_of(wrong)["__type"] == "com.amazon.coral.service#InvalidSignatureException");
        check_crc(wrong);
        auto unknown = fx.call(signed_post(R"({"TableName":"x"})", {"AKIDOTHER", "x", ""}));
        CHECK(body_of(unknown)["__type"] == "com.amazon.coral.service#UnrecognizedClientException");
        auto unsigned_req = fx.call(post("DynamoDB_20120810.PutItem", R"({"TableName":"x"})"));
        CHECK(body_of(unsigned_req)["__type"] ==
              "com.amazon.coral.service#MissingAuthenticationTokenException");
        auto tampered = signed_post(R"({"TableName":"x"})", key);
        tampered.body = R"({"TableName":"y"})";
        CHECK(body_of(fx.call(tampered))["__type"] ==
              "com.amazon.coral.service#InvalidSignatureException");
        CHECK(fx.svc->calls.empty());
    }
}

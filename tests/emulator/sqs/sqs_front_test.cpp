// Issue 13, SQS on the port: both wire protocols through the HTTP handler (no sockets) --
// JSON 1.0 with x-amzn-query-error on errors, the query protocol to "/" and to the queue URL,
// malformed bodies of each, long polls answered later or dropped on cancel, and requests of
// other services passed on untouched. Issue 10: SigV4 verification (serve --credentials) in
// both protocols.
#include "esser/emulator/sqs/sqs_front.hpp"

#include <memory>
#include <optional>

#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/emulator/http/sigv4_guard.hpp"
#include "esser/emulator/sqs/sqs_api.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

using namespace esser::emulator;
namespace core = esser::core;
using nlohmann::json;

namespace {

struct fixture {
    core::manual_clock clock;
    core::seeded_id_source ids{9};
    sqs_service sqs{clock, ids};
    sqs_api api{sqs};
    sqs_front front{api, ids};
    int passed_on = 0;
    http_handler handler = front.wrap([this](http_request, responder res) {
        ++passed_on;
        res.send(http_response::text(404, "not sqs"));
    });

    // Runs the handler; the answer if it came synchronously.
    std::optional<http_response> run(http_request req, std::function<void()>* cancel = nullptr) {
        auto out = std::make_shared<std::optional<http_response>>();
        responder res([out](http_response r) { *out = std::move(r); });
        if (cancel)
            *cancel = res.canceller();
        handler(std::move(req), res);
        return *out;
    }

    http_response json_call(std::string op, std::string body) {
        http_request req;
        req.method = "POST";
        req.target = "/";
        req.headers.set("X-Amz-Target", "AmazonSQS." + op);
        req.headers.set("Content-Type", "application/x-amz-json-1.0");
        req.body = std::move(body);
        auto r = run(std::move(req));
        REQUIRE(r);
        return *r;
    }

    http_response form_call(std::string body, std::string target = "/") {
        http_request req;
        req.method = "POST";
        req.target = std::move(target);
        req.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        req.body = std::move(body);
        auto r = run(std::move(req));
        REQUIRE(r);
        return *r;
    }
};

}  // namespace

TEST_CASE("the JSON protocol answers results and AWS-shaped errors", "[emulator][sqs][sqs_front]") {
    fixture f;
    auto created = f.json_call("CreateQueue", R"({"QueueName":"q"})");
    CHECK(created.status == 200);
    CHECK(created.headers.value_or("Content-Type") == "application/x-amz-json-1.0");
    CHECK(created.headers.value_or("x-amzn-RequestId").size() == 36);
    CHECK(json::parse(created.body) == json{{"QueueUrl", "http://127.0.0.1:8000/000000000000/q"}});
    CHECK(created.operation == "sqs.CreateQueue");

    auto missing = f.json_call("GetQueueUrl", R"({"QueueName":"none"})");
    CHECK(missing.status == 400);
    CHECK(json::parse(missing.body) == json{{"__type", "com.amazonaws.sqs#QueueDoesNotExist"},
                                            {"message", "The specified queue does not exist."}});
    CHECK(missing.headers.value_or("x-amzn-query-error") ==
          "AWS.SimpleQueueService.NonExistentQueue;Sender");

    auto exists =
        f.json_call("CreateQueue", R"({"QueueName":"q","Attributes":{"VisibilityTimeout":"1"}})");
    CHECK(exists.headers.value_or("x-amzn-query-error") == "QueueAlreadyExists;Sender");
}

TEST_CASE("malformed JSON bodies and unknown actions are refused",
          "[emulator][sqs][sqs_front][bad_input]") {
    fixture f;
    for (const std::string body : {"{", "[1]", "\"x\"", "nul", "{\"QueueName\":\"q\"} x"}) {
        INFO(body);
        auto r = f.json_call("CreateQueue", body);
        CHECK(r.status == 400);
        CHECK(json::parse(r.body)["__type"] == "com.amazon.coral.service#SerializationException");
    }
    auto unknown = f.json_call("Frobnicate", "{}");
    CHECK(unknown.status == 400);
    CHECK(json::parse(unknown.body)["__type"] ==
          "com.amazon.coral.service#UnknownOperationException");
    CHECK(unknown.operation == "sqs.unknown");           // never the user's text as a metrics label
    CHECK(f.json_call("ListQueues", "").status == 200);  // an empty body is {}
    CHECK(f.sqs.list().empty());
}

TEST_CASE("the query protocol answers XML, to / and to the queue URL",
          "[emulator][sqs][sqs_front]") {
    fixture f;
    auto created = f.form_call("Action=CreateQueue&Version=2012-11-05&QueueName=q");
    CHECK(created.status == 200);
    CHECK(created.headers.value_or("Content-Type") == "text/xml");
    CHECK(created.body.find("<QueueUrl>http://127.0.0.1:8000/000000000000/q</QueueUrl>") !=
          std::string::npos);
    auto sent = f.form_call("Action=SendMessage&MessageBody=hello", "/000000000000/q");
    CHECK(sent.status == 200);
    CHECK(sent.body.find("<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>") !=
          std::string::npos);
    auto got = f.form_call(
        "Action=ReceiveMessage&QueueUrl=http%3A%2F%2Flocalhost%3A1%2F000000000000%2Fq"
        "&AttributeName.1=ApproximateReceiveCount");
    CHECK(got.body.find("<Body>hello</Body>") != std::string::npos);
    CHECK(got.body.find("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value>") !=
          std::string::npos);
    // GET with the parameters in the query string works too.
    http_request get;
    get.method = "GET";
    get.target = "/?Action=GetQueueUrl&QueueName=q";
    auto url = f.run(std::move(get));
    REQUIRE(url);
    CHECK(url->status == 200);
    CHECK(url->body.find("<GetQueueUrlResult>") != std::string::npos);

    auto missing = f.form_call("Action=GetQueueUrl&QueueName=none");
    CHECK(missing.status == 400);
    CHECK(missing.body.find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") !=
          std::string::npos);
    CHECK(missing.body.find("<Type>Sender</Type>") != std::string::npos);
}

TEST_CASE("malformed forms and unknown actions get query-protocol errors",
          "[emulator][sqs][sqs_front][bad_input]") {
    fixture f;
    auto bad = f.form_call("Action=ListQueues&QueueNamePrefix=%G0");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("<Code>MalformedQueryString</Code>") != std::string::npos);
    auto none = f.form_call("QueueName=q");
    CHECK(none.body.find("<Code>InvalidAction</Code>") != std::string::npos);
    auto unknown = f.form_call("Action=Frobnicate");
    CHECK(unknown.body.find("<Code>InvalidAction</Code>") != std::string::npos);
    CHECK(unknown.operation == "sqs.unknown");
    auto range = f.form_call(
        "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds"
        "&Attribute.1.Value=901");
    CHECK(range.body.find("<Code>InvalidAttributeValue</Code>") != std::string::npos);
    auto wait = f.form_call("Action=ReceiveMessage&QueueUrl=%2F000000000000%2Fq&WaitTimeSeconds=x");
    CHECK(wait.body.find("<Code>InvalidParameterValue</Code>") != std::string::npos);
    CHECK(f.sqs.list().empty());
}

TEST_CASE("a long poll over HTTP is answered later, or dropped when the client goes",
          "[emulator][sqs][sqs_front][long_poll]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    http_request req;
    req.method = "POST";
    req.target = "/";
    req.headers.set("X-Amz-Target", "AmazonSQS.ReceiveMessage");
    req.body = R"({"QueueUrl":"/000000000000/q","WaitTimeSeconds":20})";
    auto out = std::make_shared<std::optional<http_response>>();
    {
        responder res([out](http_response r) { *out = std::move(r); });
        f.handler(req, res);
        CHECK_FALSE(out->has_value());
        REQUIRE(f.sqs.send_message("q", "late"));
    }
    REQUIRE(out->has_value());
    CHECK(json::parse((*out)->body)["Messages"][0]["Body"] == "late");

    std::function<void()> cancel;
    CHECK_FALSE(f.run(req, &cancel).has_value());
    cancel();  // the client disconnected
    REQUIRE(f.sqs.send_message("q", "kept"));
    CHECK(f.sqs.peek("q")->size() == 1);  // nobody took "kept"
}

TEST_CASE("requests of other services pass through untouched", "[emulator][sqs][sqs_front]") {
    fixture f;
    http_request ddb;
    ddb.method = "POST";
    ddb.target = "/";
    ddb.headers.set("X-Amz-Target", "DynamoDB_20120810.ListTables");
    ddb.headers.set("Content-Type", "application/x-amz-json-1.0");
    ddb.body = "{}";
    CHECK(f.run(ddb)->body == "not sqs");
    http_request get;
    get.method = "GET";
    get.target = "/000000000000/q";
    CHECK(f.run(get)->body == "not sqs");
    CHECK(f.passed_on == 2);
    CHECK(sqs_front::is_sqs_request([] {
        http_request r;
        r.method = "GET";
        r.target = "/?Version=1&Action=ListQueues";
        return r;
    }()));
}

// Issue 10 (esser-local --credentials covers SQS): with a sigv4_guard every request of either
// protocol needs a valid signature for the signing name "sqs"; refusals are SQS's errors in the
// request's protocol (query codes in the XML and in x-amzn-query-error) and change nothing.
TEST_CASE("signed SQS requests are verified in both protocols", "[emulator][sqs][sqs_front]") {
    const esser::adapters::credentials key{"AKIDSQS", "sqs-secret", ""};
    const auto now = std::chrono::system_clock::now();
    core::manual_clock clock;
    core::seeded_id_source ids{3};
    sqs_service sqs{clock, ids};
    sqs_api api{sqs};
    sqs_front front{api, ids,
                    std::make_shared<const sigv4_guard>(std::vector{key}, [now] { return now; })};
    auto run = [&](const esser::adapters::http_request& in) {
        http_request req;
        req.method = in.method;
        req.target = in.target;
        for (const auto& h : in.headers) req.headers.add(h.name, h.value);
        req.body = in.body;
        std::optional<http_response> out;
        front.handle(std::move(req), responder([&out](http_response r) { out = std::move(r); }));
        REQUIRE(out);
        return *out;
    };
    auto json_request = [](std::string op, std::string body) {
        esser::adapters::http_request req;
        req.method = "POST";
        req.target = "/";
        req.headers.set("Host", "127.0.0.1:8000");
        req.headers.set("Content-Type", "application/x-amz-json-1.0");
        req.headers.set("X-Amz-Target", "AmazonSQS." + op);
        req.body = std::move(body);
        return req;
    };
    auto form_request = [](std::string body, std::string target = "/") {
        esser::adapters::http_request req;
        req.method = "POST";
        req.target = std::move(target);
        req.headers.set("Host", "127.0.0.1:8000");
        req.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        req.body = std::move(body);
        return req;
    };
    auto signed_by = [&](esser::adapters::http_request req, const esser::adapters::credentials& c,
                         std::string service = "sqs") {
        esser::adapters::sigv4_signer("eu-west-1", std::move(service)).sign(req, c, now);
        return req;
    };

    SECTION("correctly signed requests are served, to / and to the queue URL") {
        auto created = run(signed_by(json_request("CreateQueue", R"({"QueueName":"q"})"), key));
        CHECK(created.status == 200);
        auto sent = run(signed_by(
            form_request("Action=SendMessage&MessageBody=hi&Version=2012-11-05", "/000000000000/q"),
            key));
        CHECK(sent.status == 200);
        CHECK(sent.body.find("<SendMessageResponse") != std::string::npos);
        CHECK(sqs.list().size() == 1);
    }
    SECTION("JSON refusals: coral types, the query code in x-amzn-query-error, 403") {
        auto wrong = run(signed_by(json_request("CreateQueue", R"({"QueueName":"q"})"),
                                   {"AKIDSQS", "wrong", ""}));
        CHECK(wrong.status == 403);
        CHECK(json::parse(wrong.body)["__type"] ==
              "com.amazon.coral.service#InvalidSignatureException");
        CHECK(wrong.headers.value_or("x-amzn-query-error") == "SignatureDoesNotMatch;Sender");
        CHECK(wrong.operation == "sqs.auth.refused");
        auto unknown = run(signed_by(json_request("ListQueues", "{}"), {"AKIDNOPE", "x", ""}));
        CHECK(unknown.status == 403);
        CHECK(json::parse(unknown.body)["__type"] ==
              "com.amazon.coral.service#UnrecognizedClientException");
        CHECK(unknown.headers.value_or("x-amzn-query-error") == "InvalidClientTokenId;Sender");
        auto bare = run(json_request("ListQueues", "{}"));
        CHECK(bare.status == 403);
        CHECK(bare.headers.value_or("x-amzn-query-error") == "MissingAuthenticationToken;Sender");
        auto other_service = run(signed_by(json_request("ListQueues", "{}"), key, "dynamodb"));
        CHECK(other_service.status == 403);
        CHECK(json::parse(other_service.body)["message"].get<std::string>().find("sqs") !=
              std::string::npos);
        auto tampered = signed_by(json_request("CreateQueue", R"({"QueueName":"q"})"), key);
        tampered.body = R"({"QueueName":"r"})";
        CHECK(run(tampered).status == 403);
        CHECK(sqs.list().empty());
    }
    SECTION("query refusals: <ErrorResponse> with Sender and the query code") {
        auto wrong = run(
            signed_by(form_request("Action=CreateQueue&QueueName=q"), {"AKIDSQS", "wrong", ""}));
        CHECK(wrong.status == 403);
        CHECK(wrong.headers.value_or("Content-Type") == "text/xml");
        CHECK(wrong.body.find("<Type>Sender</Type><Code>SignatureDoesNotMatch</Code>") !=
              std::string::npos);
        auto bare = run(form_request("Action=CreateQueue&QueueName=q"));
        CHECK(bare.status == 403);
        CHECK(bare.body.find("<Code>MissingAuthenticationToken</Code>") != std::string::npos);
        auto partial = form_request("Action=ListQueues");
        partial.headers.set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSQS/x");
        auto incomplete = run(partial);
        CHECK(incomplete.status == 400);
        CHECK(incomplete.body.find("<Code>IncompleteSignature</Code>") != std::string::npos);
        CHECK(sqs.list().empty());
    }
}

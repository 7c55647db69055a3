// Issue 5 "Functions": the Lambda REST API (2015-03-31) over real HTTP -- CreateFunction with
// esser's code sources, Get/List/Delete, Invoke with its headers and AWS-shaped errors
// (spec/streams-and-lambda.md §5.1).
#include "esser/emulator/lambda/lambda_routes.hpp"

#include <tuple>

#include "emulator/http/raw_client.hpp"
#include "emulator/lambda/support/runtimes.hpp"
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"

namespace {

using namespace esser::emulator;
using esser::test::make_request;
using esser::test::raw_client;
using esser::test::raw_response;
using nlohmann::json;
using namespace std::chrono_literals;

struct fixture {
    explicit fixture(lambda_service_options o = {}) : service(std::move(o)) {
        auto r = std::make_shared<router>();
        register_lambda_routes(*r, service);
        http_server_options so;
        so.port = 0;
        so.threads = 2;
        auto started = http_server::start(so, r);
        REQUIRE(started);
        server = std::move(*started);
    }

    ~fixture() {
        server->stop();
        service.shutdown();
    }

    raw_response request(std::string_view method, std::string_view target,
                         std::string_view body = {}, std::string_view headers = {}) {
        raw_client c(server->port(), 10s);
        REQUIRE(c.send(make_request(method, target, body, headers)));
        auto r = c.read_response();
        REQUIRE(r);
        return *r;
    }

    lambda_service service;
    std::unique_ptr<http_server> server;
};

json body_of(const raw_response& r) {
    return json::parse(r.body);
}

std::string create_body(const std::string& name) {
    json b = {{"FunctionName", name},
              {"Runtime", "provided.al2023"},
              {"Role", "arn:aws:iam::000000000000:role/r"},
              {"Handler", "bootstrap.handler"},
              {"Timeout", 5},
              {"MemorySize", 256},
              {"Environment", {{"Variables", {{"USER_VAR", "from-rest"}}}}},
              {"Code", {{"EsserCommand", {esser::emulator::testing::test_runtime_path()}}}},
              {"Esser", {{"MaxConcurrency", 2}}}};
    return b.dump();
}

void check_lambda_error(const raw_response& r, int status, const std::string& type,
                        const std::string& message_start = {}) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.header("x-amzn-errortype") == type);
    const json b = body_of(r);
    CHECK(b["Type"] == (status >= 500 ? "Service" : "User"));
    CHECK(b["message"].get<std::string>().rfind(message_start, 0) == 0);
}

}  // namespace

TEST_CASE(
    "CreateFunction makes an executable function that Invoke runs through the Runtime "
    "API",
    "[emulator][lambda][lambda_routes]") {
    fixture f;
    auto created = f.request("POST", "/2015-03-31/functions", create_body("rest-echo"));
    INFO(created.body);
    REQUIRE(created.status == 201);
    const json cfg = body_of(created);
    CHECK(cfg["FunctionName"] == "rest-echo");
    CHECK(cfg["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:rest-echo");
    CHECK(cfg["Runtime"] == "provided.al2023");
    CHECK(cfg["Handler"] == "bootstrap.handler");
    CHECK(cfg["Timeout"] == 5);
    CHECK(cfg["MemorySize"] == 256);
    CHECK(cfg["Version"] == "$LATEST");
    CHECK(cfg["State"] == "Active");
    CHECK(cfg["Environment"]["Variables"]["USER_VAR"] == "from-rest");
    CHECK(cfg["LastModified"].get<std::string>().size() == 28);  // 2024-...T..:..:...000+0000
    CHECK(cfg["Esser"]["Kind"] == "executable");
    CHECK(cfg["Esser"]["MaxConcurrency"] == 2);

    auto r =
        f.request("POST", "/2015-03-31/functions/rest-echo/invocations", R"({"hello":"rest"})");
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.header("x-amz-executed-version") == "$LATEST");
    CHECK_FALSE(r.has_header("x-amz-function-error"));
    CHECK_FALSE(r.has_header("x-amz-log-result"));
    CHECK(r.header("x-amzn-requestid").size() == 36);
    const json out = body_of(r);
    CHECK(out["echo"] == json{{"hello", "rest"}});
    CHECK(out["request_id"] == r.header("x-amzn-requestid"));
    CHECK(out["env"]["USER_VAR"] == "from-rest");
    CHECK(out["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256");

    SECTION("a function error is 200 with X-Amz-Function-Error and the error body") {
        auto e = f.request("POST", "/2015-03-31/functions/rest-echo/invocations",
                           R"({"action":"error"})");
        CHECK(e.status == 200);
        CHECK(e.header("x-amz-function-error") == "Unhandled");
        CHECK(body_of(e) == json{{"errorMessage", "boom"},
                                 {"errorType", "TestError"},
                                 {"stackTrace", {"at test"}}});
    }
    SECTION("Tail returns the log of the invoke, base64") {
        auto t = f.request("POST", "/2015-03-31/functions/rest-echo/invocations",
                           R"({"action":"print","lines":["visible in the tail"]})",
                           "X-Amz-Log-Type: Tail\r\n");
        REQUIRE(t.status == 200);
        auto tail = base64_decode(t.header("x-amz-log-result"));
        REQUIRE(tail);
        CHECK(tail->find("START RequestId: " + t.header("x-amzn-requestid")) != std::string::npos);
        CHECK(tail->find("visible in the tail") != std::string::npos);
        CHECK(tail->find("REPORT RequestId: ") != std::string::npos);
    }
    SECTION("a response that is not JSON comes back byte for byte") {
        auto t = f.request("POST", "/2015-03-31/functions/rest-echo/invocations",
                           R"({"action":"raw","body":"plain text, not JSON"})");
        CHECK(t.status == 200);
        CHECK(t.body == "plain text, not JSON");
    }
    SECTION("Event answers 202 at once, DryRun 204") {
        auto e = f.request("POST", "/2015-03-31/functions/rest-echo/invocations", "{}",
                           "X-Amz-Invocation-Type: Event\r\n");
        CHECK(e.status == 202);
        CHECK(e.header("x-amzn-requestid").size() == 36);
        CHECK(e.body.empty());
        REQUIRE(f.service.wait_for_events(10s));
        auto log = f.service.function_log_text("rest-echo");
        REQUIRE(log);
        CHECK(log->find("START RequestId: " + e.header("x-amzn-requestid")) != std::string::npos);

        auto d = f.request("POST", "/2015-03-31/functions/rest-echo/invocations", "{}",
                           "X-Amz-Invocation-Type: DryRun\r\n");
        CHECK(d.status == 204);
    }
    SECTION("the function's log is readable through the esser API") {
        auto l = f.request("GET", "/esser/v1/lambda/functions/rest-echo/logs");
        CHECK(l.status == 200);
        CHECK(l.body.find("REPORT RequestId: ") != std::string::npos);
        CHECK(f.request("GET", "/esser/v1/lambda/functions/nope/logs").status == 404);
    }
}

TEST_CASE("Invoke answers AWS's errors", "[emulator][lambda][lambda_routes]") {
    lambda_service_options o;
    o.max_request_payload_bytes = 1000;
    fixture f(o);
    REQUIRE(f.service.create_function(
        [] {
            function_config c;
            c.name = "echo";
            return c;
        }(),
        [](const json& e, in_process_context&) -> esser::core::result<json> { return e; }));

    check_lambda_error(
        f.request("POST", "/2015-03-31/functions/missing/invocations", "{}"), 404,
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing");
    check_lambda_error(f.request("POST", "/2015-03-31/functions/echo/invocations", "{oops"), 400,
                       "InvalidRequestContentException", "Could not parse request body into json");
    check_lambda_error(f.request("POST", "/2015-03-31/functions/echo/invocations",
                                 "\"" + std::string(1200, 'x') + "\""),
                       413, "RequestTooLargeException", "Request must be smaller than 1000 bytes");
    check_lambda_error(f.request("POST", "/2015-03-31/functions/echo/invocations", "{}",
                                 "X-Amz-Invocation-Type: Sometimes\r\n"),
                       400, "ValidationException",
                       "1 validation error detected: Value 'Sometimes'");
    check_lambda_error(f.request("POST", "/2015-03-31/functions/echo/invocations", "{}",
                                 "X-Amz-Log-Type: Everything\r\n"),
                       400, "ValidationException");
    check_lambda_error(
        f.request("POST", "/2015-03-31/functions/echo/invocations?Qualifier=2", "{}"), 404,
        "ResourceNotFoundException");
    check_lambda_error(f.request("POST", "/2015-03-31/functions/bad%20name/invocations", "{}"), 400,
                       "ValidationException");
    check_lambda_error(f.request("POST", "/2015-03-31/functions/echo/invocations", "{}",
                                 "X-Amz-Client-Context: %%%\r\n"),
                       400, "InvalidRequestContentException");

    // The full ARN works as the name, percent-encoded as SDKs send it.
    auto arn = f.request("POST",
                         "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%"
                         "3Afunction%3Aecho/invocations",
                         R"({"k":"v"})");
    CHECK(arn.status == 200);
    CHECK(body_of(arn) == json{{"k", "v"}});
}

TEST_CASE("a throttled invoke is 429 TooManyRequestsException with a Reason",
          "[emulator][lambda][lambda_routes]") {
    fixture f;

    class always_throttled final : public lambda_function {
    public:
        invocation_result invoke(const invocation&) override {
            invocation_result r;
            r.status = invoke_status::throttled;
            r.error_message = "Rate Exceeded.";
            return r;
        }
    };

    function_config c;
    c.name = "busy";
    REQUIRE(f.service.add_function(c, std::make_shared<always_throttled>()));
    auto r = f.request("POST", "/2015-03-31/functions/busy/invocations", "{}");
    CHECK(r.status == 429);
    CHECK(r.header("x-amzn-errortype") == "TooManyRequestsException");
    CHECK(r.header("retry-after") == "1");
    CHECK(body_of(r) == json{{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"},
                             {"Type", "User"},
                             {"message", "Rate Exceeded."}});
}

TEST_CASE("Get, List (paginated) and Delete functions", "[emulator][lambda][lambda_routes]") {
    fixture f;
    for (const char* name : {"c-fn", "a-fn", "b-fn"})
        REQUIRE(f.request("POST", "/2015-03-31/functions/", create_body(name)).status == 201);

    auto got = f.request("GET", "/2015-03-31/functions/b-fn");
    REQUIRE(got.status == 200);
    CHECK(body_of(got)["Configuration"]["FunctionName"] == "b-fn");
    CHECK(body_of(got)["Code"]["Location"] == esser::emulator::testing::test_runtime_path());
    auto conf = f.request("GET", "/2015-03-31/functions/b-fn/configuration");
    REQUIRE(conf.status == 200);
    CHECK(body_of(conf)["FunctionName"] == "b-fn");

    auto page1 = f.request("GET", "/2015-03-31/functions/?MaxItems=2");
    REQUIRE(page1.status == 200);
    const json p1 = body_of(page1);
    REQUIRE(p1["Functions"].size() == 2);
    CHECK(p1["Functions"][0]["FunctionName"] == "a-fn");
    CHECK(p1["Functions"][1]["FunctionName"] == "b-fn");
    REQUIRE(p1.contains("NextMarker"));
    auto page2 = f.request(
        "GET", "/2015-03-31/functions/?MaxItems=2&Marker=" + p1["NextMarker"].get<std::string>());
    const json p2 = body_of(page2);
    REQUIRE(p2["Functions"].size() == 1);
    CHECK(p2["Functions"][0]["FunctionName"] == "c-fn");
    CHECK_FALSE(p2.contains("NextMarker"));
    check_lambda_error(f.request("GET", "/2015-03-31/functions/?MaxItems=0"), 400,
                       "ValidationException");
    check_lambda_error(f.request("GET", "/2015-03-31/functions/?Marker=%25%25"), 400,
                       "InvalidParameterValueException");

    auto del = f.request("DELETE", "/2015-03-31/functions/a-fn");
    CHECK(del.status == 204);
    check_lambda_error(f.request("DELETE", "/2015-03-31/functions/a-fn"), 404,
                       "ResourceNotFoundException");
    check_lambda_error(f.request("GET", "/2015-03-31/functions/a-fn"), 404,
                       "ResourceNotFoundException");
    CHECK(body_of(f.request("GET", "/2015-03-31/functions"))["Functions"].size() == 2);
}

TEST_CASE("CreateFunction refuses malformed requests with AWS's errors",
          "[emulator][lambda][lambda_routes]") {
    fixture f;
    auto create = [&](const std::string& body) {
        return f.request("POST", "/2015-03-31/functions", body);
    };
    check_lambda_error(create("not json"), 400, "InvalidRequestContentException");
    check_lambda_error(create("[1]"), 400, "InvalidRequestContentException");
    check_lambda_error(create(R"({"Code":{"EsserUrl":"http://x"}})"), 400, "ValidationException",
                       "1 validation error detected: Value null at 'functionName'");
    check_lambda_error(create(R"({"FunctionName":"f"})"), 400, "ValidationException",
                       "1 validation error detected: Value null at 'code'");
    check_lambda_error(create(R"({"FunctionName":"f","Code":{"ZipFile":"UEsDBA=="}})"), 400,
                       "InvalidParameterValueException",
                       "Runtime and Handler are mandatory parameters");
    check_lambda_error(
        create(R"({"FunctionName":"f","Runtime":"provided.al2023","Code":{"ZipFile":"UEsDBA=="}})"),
        400, "InvalidParameterValueException", "Could not unzip uploaded file");
    check_lambda_error(
        create(R"({"FunctionName":"f","Runtime":"provided.al2023","Code":{"ZipFile":"%%%"}})"), 400,
        "InvalidParameterValueException", "Could not unzip uploaded file");
    check_lambda_error(create(R"({"FunctionName":"f","Code":{"S3Bucket":"b","S3Key":"k"}})"), 400,
                       "InvalidParameterValueException", "esser-local does not read code from S3");
    check_lambda_error(create(R"({"FunctionName":"f","Code":{"EsserCommand":[]}})"), 400,
                       "InvalidParameterValueException");
    check_lambda_error(create(R"({"FunctionName":"f","Code":{"EsserCommand":[1]}})"), 400,
                       "InvalidParameterValueException");
    check_lambda_error(create(R"({"FunctionName":"f","Timeout":0,"Code":{"EsserCommand":["/x"]}})"),
                       400, "ValidationException",
                       "1 validation error detected: Value '0' at 'timeout'");
    check_lambda_error(
        create(R"({"FunctionName":"f","Timeout":"3","Code":{"EsserCommand":["/x"]}})"), 400,
        "InvalidRequestContentException");
    check_lambda_error(
        create(R"({"FunctionName":"f","MemorySize":100000,"Code":{"EsserCommand":["/x"]}})"), 400,
        "ValidationException");
    check_lambda_error(
        create(
            R"({"FunctionName":"f","Environment":{"Variables":{"AWS_REGION":"x"}},"Code":{"EsserCommand":["/x"]}})"),
        400, "InvalidParameterValueException", "Lambda was unable to configure your environment");
    check_lambda_error(create(R"({"FunctionName":"bad name","Code":{"EsserCommand":["/x"]}})"), 400,
                       "ValidationException");
    check_lambda_error(
        create(
            R"({"FunctionName":"f","Esser":{"MaxConcurrency":0},"Code":{"EsserCommand":["/x"]}})"),
        400, "InvalidParameterValueException");

    REQUIRE(create(create_body("twice")).status == 201);
    check_lambda_error(create(create_body("twice")), 409, "ResourceConflictException",
                       "Function already exist: twice");
}

TEST_CASE("Esser.TimeoutMs gives sub-second timeouts through the REST API",
          "[emulator][lambda][lambda_routes]") {
    fixture f;
    json b = json::parse(create_body("quick"));
    b["Esser"]["TimeoutMs"] = 150;
    REQUIRE(f.request("POST", "/2015-03-31/functions", b.dump()).status == 201);
    auto r = f.request("POST", "/2015-03-31/functions/quick/invocations", R"({"action":"hang"})");
    CHECK(r.status == 200);
    CHECK(r.header("x-amz-function-error") == "Unhandled");
    CHECK(body_of(r)["errorType"] == "Sandbox.Timedout");
    CHECK(body_of(r)["errorMessage"].get<std::string>().find("Task timed out after 0.15 seconds") !=
          std::string::npos);
}

TEST_CASE(
    "a URL function created through CreateFunction; an unreachable URL is a "
    "ServiceException",
    "[emulator][lambda][lambda_routes]") {
    fixture f;
    // Our own port with a path nothing serves would answer 404; a port that is closed is
    // unreachable.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/fn";

    json b = {{"FunctionName", "remote"}, {"Code", {{"EsserUrl", url}}}};
    auto created = f.request("POST", "/2015-03-31/functions", b.dump());
    INFO(created.body);
    REQUIRE(created.status == 201);
    CHECK(body_of(created)["Esser"]["Kind"] == "url");
    CHECK(body_of(created)["Esser"]["Url"] == url);
    check_lambda_error(f.request("POST", "/2015-03-31/functions/remote/invocations", "{}"), 500,
                       "ServiceException", "cannot reach " + url);

    json bad = {{"FunctionName", "bad-url"}, {"Code", {{"EsserUrl", "ftp://x"}}}};
    check_lambda_error(f.request("POST", "/2015-03-31/functions", bad.dump()), 400,
                       "InvalidParameterValueException");
}

// Issue 13 "big zips": CreateFunction and UpdateFunctionCode take bodies up to AWS's
// direct-upload limit (a 50 MB zip, base64: 69,905,066 bytes) where the port keeps DynamoDB's
// 16 MiB; above it, AWS's 413 RequestEntityTooLargeException. (The exact byte on both sides of
// the limit is in the client test clients.lambda_zip_size; a body that size is too slow to
// parse in a sanitized build, so here a body just over 16 MiB shows the raised limit.)
TEST_CASE("lambda routes take code uploads up to AWS's limit and refuse larger ones like AWS",
          "[emulator][lambda][lambda_routes]") {
    fixture f;
    const std::uint64_t port_limit = 16u * 1024 * 1024;
    SECTION("a CreateFunction body over 16 MiB reaches the handler") {
        // Not JSON from its sixth byte: the handler answers at once without parsing the rest.
        std::string body = "{\"F\":";
        body.resize(port_limit + 1, 'x');
        raw_response r = f.request("POST", "/2015-03-31/functions", body);
        CHECK(r.status == 400);
        CHECK(r.header("x-amzn-errortype") == "InvalidRequestContentException");
    }
    SECTION("over the limit: RequestEntityTooLargeException with AWS's message, per operation") {
        const std::string over = std::to_string(max_code_request_bytes + 1);
        for (auto [method, target, operation] :
             {std::tuple{"POST", "/2015-03-31/functions", "CreateFunction"},
              std::tuple{"POST", "/2015-03-31/functions/", "CreateFunction"},
              std::tuple{"PUT", "/2015-03-31/functions/f/code", "UpdateFunctionCode"}}) {
            raw_client c(f.server->port(), 10s);
            // Only the header: the answer comes before any body byte is read.
            REQUIRE(c.send(std::string(method) + " " + target + " HTTP/1.1\r\nHost: x\r\n" +
                           "Content-Length: " + over + "\r\n\r\n"));
            auto r = c.read_response();
            REQUIRE(r);
            CHECK(r->status == 413);
            CHECK(r->header("x-amzn-errortype") == "RequestEntityTooLargeException");
            CHECK(body_of(*r)["message"] == "Request must be smaller than 69905067 bytes for the " +
                                                std::string(operation) + " operation");
        }
    }
    SECTION("other Lambda routes keep the port's 16 MiB") {
        raw_client c(f.server->port(), 10s);
        REQUIRE(
            c.send("POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: x\r\n"
                   "Content-Length: " +
                   std::to_string(port_limit + 1) + "\r\n\r\n"));
        auto r = c.read_response();
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(r->body.empty());
    }
}

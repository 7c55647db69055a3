// Issue 5 "Functions": URL functions -- each invoke POSTs the event to an HTTP endpoint (here a
// server started by the test); 2xx is the result, other statuses function errors, an
// unreachable endpoint a service error (spec/streams-and-lambda.md §5.1 outcome model).
#include "esser/emulator/lambda/url_function.hpp"

#include <future>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/http/router.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"

namespace {

using namespace esser::emulator;
using nlohmann::json;
using namespace std::chrono_literals;

// An endpoint the functions POST to, recording what it received.
struct endpoint {
    std::mutex mu;
    std::vector<http_request> received;
    std::vector<responder> parked;  // requests never answered (timeouts)
    std::unique_ptr<http_server> server;

    endpoint() {
        auto r = std::make_shared<router>();
        r->add("POST", "/hook",
               [this](http_request q, responder res) { handle(std::move(q), res); });
        r->add("POST", "/hook/sub",
               [this](http_request q, responder res) { handle(std::move(q), res); });
        http_server_options o;
        o.port = 0;
        o.threads = 2;
        o.shutdown_grace = 100ms;
        server = std::move(*http_server::start(o, r));
    }

    ~endpoint() {
        {
            std::lock_guard lock(mu);
            parked.clear();
        }
        server->stop();
    }

    void handle(http_request q, responder res) {
        const json e = json::parse(q.body, nullptr, false);
        {
            std::lock_guard lock(mu);
            received.push_back(q);
        }
        const std::string mode = e.is_object() ? e.value("mode", "") : "";
        if (mode == "status") {
            http_response r = http_response::text(e["status"].get<int>(), e.value("body", ""));
            res.send(std::move(r));
        } else if (mode == "raw") {
            res.send(http_response::text(200, e.value("body", ""), "text/plain"));
        } else if (mode == "silent") {
            std::lock_guard lock(mu);
            parked.push_back(res);
        } else {
            res.send(http_response::text(200,
                                         json{{"got", e}, {"query", std::string(q.query())}}.dump(),
                                         "application/json"));
        }
    }

    std::string url(std::string_view path = "/hook") const {
        return server->url() + std::string(path);
    }
};

function_config url_config(std::string url, std::chrono::milliseconds timeout = 2s) {
    function_config c;
    c.name = "hook";
    c.kind = function_kind::url;
    c.url = std::move(url);
    c.timeout = timeout;
    return c;
}

invocation event(json payload) {
    invocation inv;
    inv.request_id = "22222222-2222-4222-8222-222222222222";
    inv.invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:hook";
    inv.trace_id = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0";
    inv.payload = std::move(payload);
    return inv;
}

// A port nothing listens on: bound, then closed.
std::uint16_t dead_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("a URL function POSTs the event with the Runtime API's headers and returns the body",
          "[emulator][lambda][url_function]") {
    endpoint ep;
    auto fn = url_function::create(url_config(ep.url("/hook/sub?x=1")));
    REQUIRE(fn);
    auto inv = event({{"n", 1}});
    inv.raw_payload = R"({"n":1, "keep":"bytes"})";
    auto r = (*fn)->invoke(inv);
    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload["got"] == json{{"n", 1}, {"keep", "bytes"}});
    CHECK(r.payload["query"] == "x=1");
    REQUIRE(ep.received.size() == 1);
    const http_request& got = ep.received[0];
    CHECK(got.body == inv.raw_payload);  // the exact event bytes
    CHECK(got.headers.value_or("Content-Type") == "application/json");
    CHECK(got.headers.value_or("Lambda-Runtime-Aws-Request-Id") == inv.request_id);
    CHECK(got.headers.value_or("Lambda-Runtime-Invoked-Function-Arn") == inv.invoked_function_arn);
    CHECK(got.headers.value_or("Lambda-Runtime-Trace-Id") == inv.trace_id);
    CHECK(std::stoll(std::string(got.headers.value_or("Lambda-Runtime-Deadline-Ms", "0"))) > 0);
    CHECK(r.log_tail.find("START RequestId: " + inv.request_id) == 0);
    CHECK(r.log_tail.find("REPORT RequestId: " + inv.request_id) != std::string::npos);

    auto raw = (*fn)->invoke(event({{"mode", "raw"}, {"body", "plain"}}));
    REQUIRE(raw.status == invoke_status::success);
    CHECK_FALSE(raw.payload_is_json);
    CHECK(raw.raw_payload == "plain");
}

TEST_CASE("a non-2xx answer is an Unhandled function error", "[emulator][lambda][url_function]") {
    endpoint ep;
    auto fn = url_function::create(url_config(ep.url()));
    REQUIRE(fn);
    SECTION("with an error object") {
        auto r =
            (*fn)->invoke(event({{"mode", "status"},
                                 {"status", 500},
                                 {"body", R"({"errorMessage":"db down","errorType":"DbError"})"}}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.function_error == "Unhandled");
        CHECK(r.payload == json{{"errorMessage", "db down"}, {"errorType", "DbError"}});
    }
    SECTION("with any other body") {
        auto r =
            (*fn)->invoke(event({{"mode", "status"}, {"status", 404}, {"body", "no such hook"}}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorType"] == "Function.HttpStatus404");
        CHECK(r.payload["errorMessage"] == "POST " + ep.url() + " answered 404: no such hook");
    }
}

TEST_CASE("an endpoint that does not answer in time is a timeout",
          "[emulator][lambda][url_function]") {
    endpoint ep;
    auto fn = url_function::create(url_config(ep.url(), 150ms));
    REQUIRE(fn);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = (*fn)->invoke(event({{"mode", "silent"}}));
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.payload["errorType"] == "Sandbox.Timedout");
    CHECK(r.payload["errorMessage"] ==
          "RequestId: 22222222-2222-4222-8222-222222222222 Error: Task timed out after 0.15 "
          "seconds");
}

TEST_CASE("an unreachable endpoint is a service error, not a function error",
          "[emulator][lambda][url_function]") {
    auto fn = url_function::create(
        url_config("http://127.0.0.1:" + std::to_string(dead_port()) + "/hook"));
    REQUIRE(fn);
    auto r = (*fn)->invoke(event({}));
    CHECK(r.status == invoke_status::service_error);
    CHECK(r.error_message.find("cannot reach http://127.0.0.1:") == 0);
}

TEST_CASE("a connection dropped after the request was sent is a function error",
          "[emulator][lambda][url_function]") {
    // A listener that reads the request and closes without answering.
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(lfd, 4) == 0);
    socklen_t len = sizeof a;
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
    std::thread closer([lfd] {
        const int c = ::accept(lfd, nullptr, nullptr);
        if (c >= 0) {
            char buf[4096];
            (void)::recv(c, buf, sizeof buf, 0);
            ::close(c);
        }
    });
    auto fn = url_function::create(
        url_config("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/hook"));
    REQUIRE(fn);
    auto r = (*fn)->invoke(event({}));
    closer.join();
    ::close(lfd);
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.payload["errorType"] == "Function.HttpError");
}

TEST_CASE("URL functions are bounded and throttle beyond max_concurrency",
          "[emulator][lambda][url_function]") {
    endpoint ep;
    auto cfg = url_config(ep.url(), 400ms);
    cfg.max_concurrency = 1;
    auto fn = url_function::create(cfg);
    REQUIRE(fn);
    auto busy = std::async(std::launch::async, [&] {
        return (*fn)->invoke(event({{"mode", "silent"}}));
    });
    const auto end = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < end) {
        {
            std::lock_guard lock(ep.mu);
            if (!ep.received.empty())
                break;
        }
        std::this_thread::sleep_for(2ms);
    }
    CHECK((*fn)->invoke(event({})).status == invoke_status::throttled);
    CHECK(busy.get().payload["errorType"] == "Sandbox.Timedout");
    CHECK((*fn)->invoke(event({})).status == invoke_status::success);
}

TEST_CASE("malformed URLs are refused at creation", "[emulator][lambda][url_function]") {
    for (const char* bad :
         {"http://", "http://user:pw@host/x", "http://host:99999/", "http://ho st/"}) {
        INFO(bad);
        auto fn = url_function::create(url_config(bad));
        REQUIRE_FALSE(fn);
        CHECK(fn.error().type == "InvalidParameterValueException");
    }
}

TEST_CASE("URL functions are created and invoked through the service and the REST shape",
          "[emulator][lambda][url_function]") {
    endpoint ep;
    lambda_service s;
    auto created = s.create_function(url_config(ep.url()));
    REQUIRE(created);
    CHECK(created->config.kind == function_kind::url);
    invoke_request req;
    req.function_name = "hook";
    req.payload = R"({"via":"service"})";
    auto r = s.invoke(req);
    REQUIRE(r);
    CHECK(json::parse(r->body())["got"] == json{{"via", "service"}});
    CHECK(json::parse(r->body())["query"] == "");
}

// Issue 10: the HTTP client under the DynamoDB transport — keep-alive reuse, stale pooled
// connections, timeouts, refused connections, malformed responses, and TLS with a certificate
// made by the test (accepted with its CA, refused without it or for the wrong name). Servers are
// in-process on 127.0.0.1 (support/test_http_server).
#include "esser/adapters/http/http_client.hpp"

#include <thread>

#include "adapters/support/test_http_server.hpp"
#include "adapters/support/test_pki.hpp"
#include <catch2/catch.hpp>

using namespace esser::adapters;
using esser::testing::test_http_server;
using esser::testing::test_pki;
using esser::testing::test_reply;

namespace {

std::unique_ptr<http_client> client_for(const std::string& u, http_client_options o = {}) {
    auto origin = url::parse(u);
    REQUIRE(origin);
    auto c = http_client::create(*origin, std::move(o));
    REQUIRE(c);
    return std::move(*c);
}

http_request get(std::string target = "/") {
    http_request r;
    r.method = "GET";
    r.target = std::move(target);
    return r;
}

test_reply ok(std::string body = "{}") {
    return test_reply::json(200, std::move(body));
}

}  // namespace

TEST_CASE("http_client reuses one keep-alive connection for sequential requests",
          "[adapters][http_client]") {
    test_http_server server(
        [](const http_request& r) { return ok("{\"echo\":\"" + r.target + "\"}"); });
    auto client = client_for(server.url());
    for (int i = 0; i < 5; ++i) {
        auto res = client->send(get("/" + std::to_string(i)));
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->body == "{\"echo\":\"/" + std::to_string(i) + "\"}");
    }
    CHECK(server.connections() == 1);
    const auto s = client->stats();
    CHECK(s.connections_opened == 1);
    CHECK(s.requests == 5);
    CHECK(s.reused == 4);
    // The client sent Host and kept the connection alive.
    const auto received = server.received();
    REQUIRE(received.size() == 5);
    CHECK(*received[0].headers.find("host") == "127.0.0.1:" + std::to_string(server.port()));
}

TEST_CASE("http_client sends method, target, headers and body as given",
          "[adapters][http_client]") {
    test_http_server server([](const http_request&) { return ok(); });
    auto client = client_for(server.url());
    http_request r;
    r.method = "PUT";
    r.target = "/a%20b?x=1&y=2";
    r.headers = {{"X-One", "1"}, {"X-Repeat", "a"}, {"X-Repeat", "b"}};
    r.body = std::string("bin\0ary", 7);
    REQUIRE(client->send(r));
    const auto got = server.received().at(0);
    CHECK(got.method == "PUT");
    CHECK(got.target == "/a%20b?x=1&y=2");
    CHECK(*got.headers.find("x-one") == "1");
    CHECK(*got.headers.find("content-length") == "7");
    CHECK(got.body == std::string("bin\0ary", 7));
    int repeats = 0;
    for (const auto& h : got.headers) repeats += iequals(h.name, "x-repeat");
    CHECK(repeats == 2);
}

TEST_CASE("http_client opens a new connection when the server says Connection: close",
          "[adapters][http_client]") {
    test_http_server server([](const http_request&) {
        auto r = ok();
        r.headers.add("Connection", "close");
        return r;
    });
    auto client = client_for(server.url());
    REQUIRE(client->send(get()));
    REQUIRE(client->send(get()));
    CHECK(server.connections() == 2);
    CHECK(client->stats().reused == 0);
}

TEST_CASE("http_client replaces a pooled connection the server closed while idle",
          "[adapters][http_client]") {
    // The server answers the first request with keep-alive and then closes anyway, as servers
    // do with idle connections. The next request must not fail because of it.
    int n = 0;
    test_http_server server([&](const http_request&) {
        auto r = ok("{\"n\":" + std::to_string(++n) + "}");
        r.close_after = n == 1;
        return r;
    });
    auto client = client_for(server.url());
    REQUIRE(client->send(get()));
    auto second = client->send(get());
    REQUIRE(second);
    CHECK(second->body == "{\"n\":2}");
    CHECK(server.connections() == 2);
    CHECK(client->stats().stale_reconnects == 1);
}

TEST_CASE("http_client serves concurrent callers with one connection each",
          "[adapters][http_client]") {
    test_http_server server([](const http_request& r) { return ok(r.body); });
    auto client = client_for(server.url());
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                http_request r;
                r.body = std::to_string(t * 100 + i);
                auto res = client->send(r);
                if (res && res->body == r.body)
                    ++good;
            }
        });
    for (auto& th : threads) th.join();
    CHECK(good == 100);
    CHECK(server.received().size() == 100);
    CHECK(server.connections() <= 4);
    CHECK(client->stats().connections_opened == server.connections());
}

TEST_CASE("http_client reports a refused connection", "[adapters][http_client]") {
    auto client = client_for("http://127.0.0.1:" + std::to_string(esser::testing::unused_port()));
    auto res = client->send(get());
    REQUIRE_FALSE(res);
    CHECK(res.error().what == http_failure::kind::connect);
    CHECK(res.error().message.find("could not connect to http://127.0.0.1:") == 0);
    CHECK(res.error().message.find("refused") != std::string::npos);
    CHECK_FALSE(res.error().maybe_sent);
}

TEST_CASE("http_client reports a host that does not resolve", "[adapters][http_client]") {
    // ".invalid" never resolves (RFC 2606), without depending on the network.
    auto client = client_for("http://esser-test.invalid:80");
    auto res = client->send(get());
    REQUIRE_FALSE(res);
    CHECK(res.error().what == http_failure::kind::resolve);
    CHECK(res.error().message.find("esser-test.invalid") != std::string::npos);
}

TEST_CASE("http_client gives up on a server that never answers", "[adapters][http_client]") {
    test_http_server server([](const http_request&) {
        test_reply r;
        r.what = test_reply::action::hang;
        return r;
    });
    http_client_options o;
    o.request_timeout = std::chrono::milliseconds(150);  // a deadline, not a sleep
    auto client = client_for(server.url(), o);
    auto res = client->send(get());
    REQUIRE_FALSE(res);
    CHECK(res.error().what == http_failure::kind::timeout);
    CHECK(res.error().maybe_sent);
}

TEST_CASE("http_client reports a connection closed before the response",
          "[adapters][http_client]") {
    test_http_server server([](const http_request&) {
        test_reply r;
        r.what = test_reply::action::close_without_response;
        return r;
    });
    auto client = client_for(server.url());
    auto res = client->send(get());
    REQUIRE_FALSE(res);
    CHECK(res.error().what == http_failure::kind::closed);
    CHECK(res.error().maybe_sent);
}

TEST_CASE("http_client rejects malformed, truncated and oversized responses",
          "[adapters][http_client]") {
    std::string raw;
    test_http_server server([&](const http_request&) {
        test_reply r;
        r.what = test_reply::action::raw;
        r.raw = raw;
        return r;
    });
    http_client_options o;
    o.max_response_bytes = 64;
    auto client = client_for(server.url(), o);
    SECTION("not HTTP") {
        raw = "HELLO THERE\r\n\r\n";
        auto res = client->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::protocol);
    }
    SECTION("a body shorter than its Content-Length") {
        raw = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort";
        auto res = client->send(get());
        REQUIRE_FALSE(res);
        INFO(res.error().message);
        CHECK(res.error().what == http_failure::kind::closed);
    }
    SECTION("a body over max_response_bytes") {
        raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
        auto res = client->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::protocol);
        CHECK(res.error().message.find("larger than 64 bytes") != std::string::npos);
    }
    SECTION("a bad chunked encoding") {
        raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
        auto res = client->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::protocol);
    }
    SECTION("a body delimited by the end of the connection is read and not reused") {
        raw = "HTTP/1.1 200 OK\r\n\r\nuntil-eof";
        auto res = client->send(get());
        REQUIRE(res);
        CHECK(res->body == "until-eof");
        REQUIRE(client->send(get()));
        CHECK(server.connections() == 2);
    }
}

TEST_CASE("http_client verifies the server certificate against the configured CA",
          "[adapters][http_client][tls]") {
    test_pki pki;
    test_http_server server([](const http_request&) { return ok("{\"tls\":true}"); },
                            pki.issue({"localhost"}, {"127.0.0.1"}));
    SECTION("trusted CA: accepted, and the connection is reused") {
        http_client_options o;
        o.tls.ca_pem = pki.ca_pem();
        auto client = client_for(server.url(), o);
        for (int i = 0; i < 3; ++i) {
            auto res = client->send(get());
            REQUIRE(res);
            CHECK(res->body == "{\"tls\":true}");
        }
        CHECK(server.connections() == 1);
    }
    SECTION("by host name, with SNI") {
        http_client_options o;
        o.tls.ca_pem = pki.ca_pem();
        auto client = client_for("https://localhost:" + std::to_string(server.port()), o);
        auto res = client->send(get());
        REQUIRE(res);
    }
    SECTION("unknown CA (only the system store): refused") {
        auto client = client_for(server.url());
        auto res = client->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::tls);
        CHECK(res.error().message.find("certificate") != std::string::npos);
        CHECK(server.received().empty());
    }
    SECTION("another CA: refused") {
        test_pki other("another CA");
        http_client_options o;
        o.tls.ca_pem = other.ca_pem();
        auto res = client_for(server.url(), o)->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::tls);
    }
    SECTION("verification off (tests only): accepted") {
        http_client_options o;
        o.tls.verify_peer = false;
        REQUIRE(client_for(server.url(), o)->send(get()));
    }
}

TEST_CASE("http_client refuses a certificate issued for another name",
          "[adapters][http_client][tls]") {
    test_pki pki;
    test_http_server server([](const http_request&) { return ok(); },
                            pki.issue({"not-this-host.example"}, {}));
    http_client_options o;
    o.tls.ca_pem = pki.ca_pem();
    SECTION("by IP address") {
        auto res = client_for(server.url(), o)->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::tls);
        CHECK(res.error().message.find("IP address mismatch") != std::string::npos);
    }
    SECTION("by host name") {
        auto res = client_for("https://localhost:" + std::to_string(server.port()), o)->send(get());
        REQUIRE_FALSE(res);
        CHECK(res.error().what == http_failure::kind::tls);
        CHECK(res.error().message.find("hostname mismatch") != std::string::npos);
    }
}

TEST_CASE("http_client over TLS to a plain HTTP server fails cleanly",
          "[adapters][http_client][tls]") {
    test_http_server server([](const http_request&) { return ok(); });
    auto res = client_for("https://127.0.0.1:" + std::to_string(server.port()))->send(get());
    REQUIRE_FALSE(res);
    CHECK(res.error().what == http_failure::kind::tls);
}

TEST_CASE("http_client::create rejects an unusable CA configuration", "[adapters][http_client]") {
    tls_options bad_pem;
    bad_pem.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    auto a = http_client::create(*url::parse("https://localhost"), {.tls = bad_pem});
    REQUIRE_FALSE(a);
    CHECK(a.error().type == "TlsConfigurationError");
    tls_options missing_file;
    missing_file.ca_file = "/nonexistent/ca.pem";
    auto b = http_client::create(*url::parse("https://localhost"), {.tls = missing_file});
    REQUIRE_FALSE(b);
    CHECK(b.error().type == "TlsConfigurationError");
    CHECK(b.error().message.find("/nonexistent/ca.pem") != std::string::npos);
}

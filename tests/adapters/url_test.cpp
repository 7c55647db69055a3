// Issue 10: endpoint URLs as users write them (AWS_ENDPOINT_URL, --endpoint-url), including
// malformed ones, which must be refused with a reason rather than half-parsed.
#include "esser/adapters/http/url.hpp"

#include <catch2/catch.hpp>

using namespace esser::adapters;

TEST_CASE("url parses http and https endpoints", "[adapters][url]") {
    auto a = url::parse("HTTPS://DynamoDB.us-east-1.amazonaws.com");
    REQUIRE(a);
    CHECK(a->scheme == "https");
    CHECK(a->host == "dynamodb.us-east-1.amazonaws.com");
    CHECK(a->port == 443);
    CHECK(a->path.empty());
    CHECK(a->host_header() == "dynamodb.us-east-1.amazonaws.com");
    CHECK_FALSE(a->is_ip_literal());

    auto b = url::parse("http://127.0.0.1:8000/");
    REQUIRE(b);
    CHECK(b->port == 8000);
    CHECK(b->path.empty());
    CHECK(b->host_header() == "127.0.0.1:8000");
    CHECK(b->is_ip_literal());
    CHECK(b->to_string() == "http://127.0.0.1:8000");

    auto c = url::parse("http://[::1]:9000/base/path");
    REQUIRE(c);
    CHECK(c->host == "::1");
    CHECK(c->host_header() == "[::1]:9000");
    CHECK(c->path == "/base/path");
    CHECK(c->is_ip_literal());

    CHECK(url::parse("https://h:443")->host_header() == "h");
    CHECK(url::parse("http://h:80")->to_string() == "http://h");
}

TEST_CASE("url refuses what is not an endpoint", "[adapters][url]") {
    for (const char* bad : {"", "localhost:8000", "ftp://host", "http://", "http://:80",
                            "http://host:", "http://host:0", "http://host:65536", "http://host:8o",
                            "http://user:pw@host", "http://host/?q=1", "http://host/#frag",
                            "http://ho st", "http://host\n", "http://[::1", "http://[::1]x",
                            "http://[zz::1]:80", "http://h\xc3\xa9st"}) {
        INFO(bad);
        auto u = url::parse(bad);
        REQUIRE_FALSE(u);
        CHECK(u.error().type == "InvalidEndpointError");
    }
}

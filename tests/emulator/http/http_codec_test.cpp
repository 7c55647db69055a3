// Issue 6: the server's parser and serialiser on raw bytes (what the fuzzer drives).
#include "esser/emulator/http/http_codec.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;

TEST_CASE("parse_http_request reads a complete request and reports what it consumed",
          "[emulator][http][http_codec]") {
    const std::string raw =
        "POST /x?y=1 HTTP/1.1\r\nHost: h\r\nX-Amz-Target: T.Op\r\nContent-Length: 2\r\n\r\n{}"
        "GET /next HTTP/1.1\r\n\r\n";
    auto r = parse_http_request(raw);
    REQUIRE(r.status == http_parse_status::ok);
    CHECK(r.request.method == "POST");
    CHECK(r.request.target == "/x?y=1");
    CHECK(r.request.headers.value_or("x-amz-target") == "T.Op");
    CHECK(r.request.body == "{}");
    CHECK(r.consumed == raw.find("GET"));
    auto chunked = parse_http_request(
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    REQUIRE(chunked.status == http_parse_status::ok);
    CHECK(chunked.request.body == "{}");
}

TEST_CASE("parse_http_request classifies incomplete, malformed and oversized input",
          "[emulator][http][http_codec]") {
    CHECK(parse_http_request("").status == http_parse_status::incomplete);
    CHECK(parse_http_request("GET / HTTP/1.1\r\nHost: x\r\n").status ==
          http_parse_status::incomplete);
    CHECK(parse_http_request("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").status ==
          http_parse_status::incomplete);
    for (std::string bad : {std::string("\r\n\r\n"), std::string("GET / HTTP/1.1 junk\r\n\r\n"),
                            std::string("G\x01T / HTTP/1.1\r\n\r\n"),
                            std::string("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
                            std::string("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: "
                                        "2\r\n\r\n"),
                            std::string("GET / HTTP/1.1\r\nA\0B: c\r\n\r\n", 27)}) {
        INFO(bad);
        CHECK(parse_http_request(bad).status == http_parse_status::malformed);
    }
    http_parse_limits small;
    small.max_body_bytes = 4;
    small.max_header_bytes = 64;
    CHECK(parse_http_request("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", small).status ==
          http_parse_status::body_too_large);
    CHECK(parse_http_request("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", small)
              .status == http_parse_status::header_too_large);
}

TEST_CASE("serialize_http_response drops unsafe header names and strips CR/LF from values",
          "[emulator][http][http_codec]") {
    http_response r = http_response::text(200, "ok");
    r.headers.set("X-Good", "a\r\nInjected: yes");
    r.headers.set("Bad Name", "v");
    r.headers.set("Content-Length", "999");
    const std::string out = serialize_http_response(r);
    CHECK(out.find("X-Good: aInjected: yes\r\n") != std::string::npos);
    CHECK(out.find("Bad Name") == std::string::npos);
    CHECK(out.find("Content-Length: 2\r\n") != std::string::npos);
    CHECK(out.substr(0, 17) == "HTTP/1.1 200 OK\r\n");
    http_response odd = http_response::empty(42);
    CHECK(serialize_http_response(odd).substr(0, 12) == "HTTP/1.1 500");
    CHECK(serialize_http_response(http_response::empty(200), 10, false).find("Connection") ==
          std::string::npos);
    CHECK(http_reason_phrase(413) == "Payload Too Large");
    CHECK(http_reason_phrase(799).empty());
}

// Issue 6: the response parser esser-bench reads every answer with (RFC 9112 status line,
// fields, body length and chunked coding): any split of the bytes gives the same result, and
// malformed or oversized responses are errors with a reason.
#include "esser/emulator/http/http_response_reader.hpp"

#include <random>

#include <catch2/catch.hpp>

using namespace esser::emulator;
using st = http_response_reader::state;

namespace {

struct outcome {
    st state = st::reading;
    int status = 0;
    bool keep_alive = false;
    std::string body;
    std::uint64_t body_size = 0;
    std::string error;
    std::size_t consumed = 0;
};

// Feeds `raw` in pieces of `piece` bytes (0: all at once), then finish() if `closed`.
outcome read(std::string_view raw, std::size_t piece = 0, bool closed = false,
             http_response_reader::limits lim = {}, bool head = false) {
    http_response_reader r(lim);
    r.expect(http_response_reader::body_mode::keep, head);
    outcome o;
    std::size_t at = 0;
    while (at < raw.size() && r.current() == st::reading) {
        const auto n = piece == 0 ? raw.size() - at : std::min(piece, raw.size() - at);
        r.feed(raw.substr(at, n));
        at += r.consumed();
        o.consumed = at;
    }
    if (closed)
        r.finish();
    o.state = r.current();
    o.status = r.status();
    o.keep_alive = r.keep_alive();
    o.body = r.body();
    o.body_size = r.body_size();
    o.error = r.error();
    return o;
}

}  // namespace

TEST_CASE("http_response_reader reads a Content-Length response in any split",
          "[emulator][http][http_response_reader]") {
    const std::string raw =
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 11\r\n"
        "x-amz-crc32: 1\r\n\r\n{\"Count\":0}";
    const std::string next = "HTTP/1.1 204 No Content\r\n\r\n";
    for (std::size_t piece : {0, 1, 2, 3, 7, 64}) {
        INFO("piece " << piece);
        auto o = read(raw + next, piece);
        REQUIRE(o.state == st::done);
        CHECK(o.status == 200);
        CHECK(o.keep_alive);
        CHECK(o.body == "{\"Count\":0}");
        CHECK(o.body_size == 11);
        CHECK(o.consumed == raw.size());  // the next response is left alone
    }
    auto second = read(next);
    CHECK(second.state == st::done);
    CHECK(second.status == 204);
    CHECK(second.body.empty());
}

TEST_CASE("http_response_reader keeps, counts or keeps only error bodies as asked",
          "[emulator][http][http_response_reader]") {
    using mode = http_response_reader::body_mode;
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    const std::string bad = "HTTP/1.1 400 Bad\r\nContent-Length: 3\r\n\r\nxyz";
    auto body_of = [](const std::string& raw, mode m) {
        http_response_reader r;
        r.expect(m);
        REQUIRE(r.feed(raw) == st::done);
        CHECK(r.body_size() == 3);
        return r.body();
    };
    CHECK(body_of(ok, mode::keep) == "abc");
    CHECK(body_of(ok, mode::discard).empty());
    CHECK(body_of(ok, mode::keep_errors).empty());
    CHECK(body_of(bad, mode::keep_errors) == "xyz");
    CHECK(body_of(bad, mode::discard).empty());
}

TEST_CASE("http_response_reader decodes chunked bodies with extensions and trailers",
          "[emulator][http][http_response_reader]") {
    const std::string raw =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=x\r\nhello\r\nA\r\n, world!!!\r\n0\r\nTrailer-A: 1\r\n\r\n";
    for (std::size_t piece : {0, 1, 4, 13}) {
        INFO("piece " << piece);
        auto o = read(raw, piece);
        REQUIRE(o.state == st::done);
        CHECK(o.body == "hello, world!!!");
        CHECK(o.consumed == raw.size());
    }
    // Transfer-Encoding wins over Content-Length.
    auto both = read(
        "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\nok\r\n0\r\n\r\n");
    CHECK(both.state == st::done);
    CHECK(both.body == "ok");
}

TEST_CASE("http_response_reader knows when a body is absent, ends at the close, or keeps alive",
          "[emulator][http][http_response_reader]") {
    // HEAD, 204 and 304 have no body whatever the headers say.
    CHECK(read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 0, false, {}, true).state ==
          st::done);
    CHECK(read("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n").state == st::done);
    // Interim responses are skipped.
    auto cont =
        read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    CHECK(cont.state == st::done);
    CHECK(cont.status == 201);
    // No length: the body runs until the close, and the connection is not kept.
    auto open = read("HTTP/1.1 200 OK\r\n\r\nabc", 1, false);
    CHECK(open.state == st::reading);
    auto closed = read("HTTP/1.1 200 OK\r\n\r\nabc", 1, true);
    CHECK(closed.state == st::done);
    CHECK(closed.body == "abc");
    CHECK_FALSE(closed.keep_alive);
    auto gz = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz", 0, true);
    CHECK(gz.state == st::done);
    CHECK(gz.body == "xyz");
    // Connection handling: 1.1 keeps unless close; 1.0 closes unless keep-alive.
    CHECK_FALSE(
        read("HTTP/1.1 200 OK\r\nConnection: foo, Close\r\nContent-Length: 0\r\n\r\n").keep_alive);
    CHECK_FALSE(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
    CHECK(
        read("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
    // A status line without a reason phrase, and equal repeated lengths, are fine.
    auto bare = read("HTTP/1.1 404\r\nContent-Length: 2, 2\r\ncontent-length: 2\r\n\r\nno");
    CHECK(bare.state == st::done);
    CHECK(bare.status == 404);
    CHECK(bare.body == "no");
}

TEST_CASE("http_response_reader rejects malformed responses with a reason",
          "[emulator][http][http_response_reader]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"HTTP/2 200 OK\r\n\r\n", "malformed status line"},
        {"HTTP/1.1 20 OK\r\n\r\n", "malformed status line"},
        {"HTTP/1.1 2x0 OK\r\n\r\n", "malformed status line"},
        {"HTTP/1.1 200OK\r\n\r\n", "malformed status line"},
        {"HTTP/1.1 099 Low\r\n\r\n", "out of range"},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", "control character"},
        {"garbage\r\n\r\n", "malformed status line"},
        {"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", "folding"},
        {"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n", "without a name"},
        {"HTTP/1.1 200 OK\r\n: empty\r\n\r\n", "without a name"},
        {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "invalid header name"},
        {"HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n", "control character"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
         "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "bad chunk size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab", "not ended by CRLF"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
         "longer than its size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
         "bad chunk size"},
    };
    for (const auto& [raw, why] : cases) {
        for (std::size_t piece : {0, 1}) {
            INFO(raw << " piece " << piece);
            auto o = read(raw, piece);
            CHECK(o.state == st::failed);
            CHECK_THAT(o.error, Catch::Contains(why));
            CHECK_FALSE(o.keep_alive);
        }
    }
}

TEST_CASE("http_response_reader enforces its limits and reports early closes",
          "[emulator][http][http_response_reader]") {
    http_response_reader::limits small;
    small.max_header_bytes = 64;
    small.max_body_bytes = 10;
    auto big_head =
        read("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a') + "\r\n\r\n", 5, false, small);
    CHECK(big_head.state == st::failed);
    CHECK_THAT(big_head.error, Catch::Contains("head larger than 64"));
    auto big_len = read("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 0, false, small);
    CHECK(big_len.state == st::failed);
    CHECK_THAT(big_len.error, Catch::Contains("over the limit"));
    auto big_chunks = read(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n",
        0, false, small);
    CHECK(big_chunks.state == st::failed);
    CHECK_THAT(big_chunks.error, Catch::Contains("larger than 10"));
    auto big_close = read("HTTP/1.1 200 OK\r\n\r\n" + std::string(11, 'x'), 0, false, small);
    CHECK(big_close.state == st::failed);
    auto long_line = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                          std::string(5000, 'e') + "\r\n");
    CHECK(long_line.state == st::failed);
    CHECK_THAT(long_line.error, Catch::Contains("line longer"));

    CHECK_THAT(read("", 0, true).error, Catch::Contains("closed before a response"));
    CHECK_THAT(read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 0, true).error,
               Catch::Contains("in the middle"));
}

TEST_CASE("http_response_reader survives random bytes and random splits",
          "[emulator][http][http_response_reader]") {
    std::mt19937 rng(20261127);
    const std::string good =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    for (int i = 0; i < 3000; ++i) {
        std::string raw = good;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) raw[rng() % raw.size()] = static_cast<char>(rng() % 256);
        const auto piece = static_cast<std::size_t>(rng() % 9);
        auto a = read(raw, piece, true);
        auto b = read(raw, 0, true);
        // Whatever the bytes, the verdict does not depend on how they were split.
        CHECK(a.state == b.state);
        CHECK(a.body == b.body);
        CHECK(a.error == b.error);
        CHECK(a.state != st::reading);
    }
}

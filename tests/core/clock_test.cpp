// Covers issue 2 (clock port): the manual clock is the basis of every deterministic test, and
// RFC 3339 / duration parsing reads user input from CLI flags and scenario files.
#include "esser/core/clock.hpp"

#include <catch2/catch.hpp>

using namespace esser::core;
using namespace std::chrono_literals;

TEST_CASE("manual_clock starts at its origin and moves only when told", "[core][clock]") {
    manual_clock c;
    CHECK(format_rfc3339_ms(c.now()) == "2024-01-01T00:00:00.000Z");
    c.advance(25h);
    CHECK(format_rfc3339_ms(c.now()) == "2024-01-02T01:00:00.000Z");
    c.set(from_epoch_ms(0));
    CHECK(format_rfc3339_s(c.now()) == "1970-01-01T00:00:00Z");
    CHECK(c.is_manual());
}

TEST_CASE("manual_clock notifies listeners after the time moved", "[core][clock]") {
    manual_clock c;
    std::vector<std::int64_t> seen;
    auto id = c.subscribe([&](time_point t) { seen.push_back(to_epoch_ms(t)); });
    c.advance(1500ms);
    c.unsubscribe(id);
    c.advance(1s);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == manual_clock::default_origin_ms + 1500);
}

TEST_CASE("parse_rfc3339 reads UTC, offsets and fractions", "[core][clock]") {
    CHECK(to_epoch_ms(*parse_rfc3339("2024-01-01T00:00:00Z")) == 1704067200000);
    CHECK(to_epoch_ms(*parse_rfc3339("2024-01-01T00:00:00.123Z")) == 1704067200123);
    CHECK(to_epoch_ms(*parse_rfc3339("2024-01-01T02:00:00+02:00")) == 1704067200000);
    CHECK(to_epoch_ms(*parse_rfc3339("2023-12-31T23:00:00.5-01:00")) == 1704067200500);
    CHECK(format_rfc3339_ms(*parse_rfc3339("2020-02-29T12:34:56.789Z")) ==
          "2020-02-29T12:34:56.789Z");
}

TEST_CASE("parse_rfc3339 rejects malformed timestamps with a parse_error", "[core][clock]") {
    for (const char* bad :
         {"", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
          "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Zx", "2024-01-01T00:00:00+0200",
          "abcd-ef-ghTij:kl:mnZ"}) {
        INFO(bad);
        auto r = parse_rfc3339(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::parse_error);
    }
}

TEST_CASE("parse_duration reads the units users write", "[core][clock]") {
    CHECK(*parse_duration("250ms") == std::chrono::duration_cast<duration>(250ms));
    CHECK(*parse_duration("15s") == std::chrono::duration_cast<duration>(15s));
    CHECK(*parse_duration("4h") == std::chrono::duration_cast<duration>(4h));
    CHECK(*parse_duration("1d") == std::chrono::duration_cast<duration>(24h));
    CHECK(*parse_duration("1h30m") == std::chrono::duration_cast<duration>(90min));
    CHECK(*parse_duration("0") == duration::zero());
    for (const char* bad : {"", "5", "5x", "-5s", "s", "1.5s", "1h 30m"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad));
    }
}

// Issue 6: found by fuzz-http_dispatch through POST /esser/v1/clock/set and /advance: values
// beyond a nanosecond time_point's range overflowed (undefined behaviour) instead of failing.
TEST_CASE("parse_rfc3339 and parse_duration refuse values beyond the representable range",
          "[core][clock]") {
    CHECK_FALSE(parse_rfc3339("1012-02-29T12:00:00.5+01:00").has_value());
    CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59Z").has_value());
    CHECK(parse_rfc3339("1700-01-01T00:00:00Z").has_value());
    CHECK(parse_rfc3339("2262-01-01T00:00:00Z").has_value());
    CHECK_FALSE(parse_duration("99999999999d").has_value());
    CHECK_FALSE(parse_duration("106752d").has_value());
    CHECK_FALSE(parse_duration("106751d106751d").has_value());
    CHECK_FALSE(parse_duration("9223372036854775807ms").has_value());
    CHECK(parse_duration("106751d").has_value());
}

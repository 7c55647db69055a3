// Covers issue 2/11 (log_sink port): text for terminals, JSON lines for machines, request ids
// in both, and nothing formatted below the level.
#include "esser/core/log_sink.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace esser::core;

TEST_CASE("stream_log_sink writes parseable JSON lines with the request id", "[core][log]") {
    std::ostringstream out;
    auto sink = std::make_shared<stream_log_sink>(out, log_level::info, log_format::json);
    logger log("esser-test", sink);
    log.debug("hidden {}", 1);
    log.log(log_level::warn, "REQ1", "a \"quoted\"\nline {}", 2);
    auto line = out.str();
    REQUIRE(std::count(line.begin(), line.end(), '\n') == 1);
    auto j = nlohmann::json::parse(line);
    CHECK(j["level"] == "warn");
    CHECK(j["logger"] == "esser-test");
    CHECK(j["request_id"] == "REQ1");
    CHECK(j["msg"] == "a \"quoted\"\nline 2");
}

TEST_CASE("stream_log_sink text lines carry level, logger and request id", "[core][log]") {
    std::ostringstream out;
    auto sink = std::make_shared<stream_log_sink>(out, log_level::trace, log_format::text);
    logger("esser-http", sink).log(log_level::info, "R2", "hello");
    CHECK(out.str().find(" INFO  esser-http [R2] hello\n") != std::string::npos);
}

TEST_CASE("parse_log_level accepts the documented names in any case", "[core][log]") {
    log_level l{};
    CHECK(parse_log_level("DEBUG", l));
    CHECK(l == log_level::debug);
    CHECK(parse_log_level("warning", l));
    CHECK(l == log_level::warn);
    CHECK_FALSE(parse_log_level("loud", l));
}

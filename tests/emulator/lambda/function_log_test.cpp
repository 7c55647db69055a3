// Issue 5 "Functions": the per-function log (CloudWatch's /aws/lambda/<name> stand-in) stays
// bounded and answers "what was written since".
#include "esser/emulator/lambda/function_log.hpp"

#include <catch2/catch.hpp>

using esser::emulator::function_log;

TEST_CASE("function_log keeps lines in order and strips their line endings",
          "[emulator][lambda][function_log]") {
    function_log log;
    log.append("one\n");
    log.append("two\r\n");
    log.append("three");
    CHECK(log.text() == "one\ntwo\nthree\n");
    CHECK(log.end_position() == 14);
}

TEST_CASE("function_log drops the oldest whole lines beyond its bound",
          "[emulator][lambda][function_log]") {
    function_log log(10);
    log.append("aaaa");  // 5 bytes with newline
    log.append("bbbb");
    log.append("cccc");
    CHECK(log.text() == "bbbb\ncccc\n");
    log.append(std::string(50, 'x'));  // the newest line stays even when it alone is over
    CHECK(log.text() == std::string(50, 'x') + "\n");
}

TEST_CASE("function_log since() returns what came after a position",
          "[emulator][lambda][function_log]") {
    function_log log;
    log.append("before");
    const auto pos = log.end_position();
    log.append("after 1");
    log.append("after 2");
    CHECK(log.since(pos) == "after 1\nafter 2\n");
    CHECK(log.since(log.end_position()).empty());
    log.clear();
    CHECK(log.text().empty());
}

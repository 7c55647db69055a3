// Covers issue 2 (error model): errors describe themselves in one line a user can act on.
#include "esser/core/error.hpp"

#include <catch2/catch.hpp>

using namespace esser::core;

TEST_CASE("error::describe names the source, kind, type and every field", "[core][error]") {
    auto e = error::validation("command payload is invalid",
                               {{"/price", "must differ from the current value"}, {"", "bad"}});
    e.source = "UpdatePrice";
    CHECK(e.describe() ==
          "UpdatePrice: validation: command payload is invalid [/price: must differ from the "
          "current value; (document): bad]");
    CHECK(error::remote("ThrottlingException", "slow down").describe() ==
          "remote (ThrottlingException): slow down");
}

TEST_CASE("only throttled, unavailable and timeout errors are retryable", "[core][error]") {
    CHECK(error::throttled("x").retryable());
    CHECK(error::unavailable("x").retryable());
    CHECK(error::timeout("x").retryable());
    CHECK_FALSE(error::version_conflict("x").retryable());
    CHECK_FALSE(error::validation("x").retryable());
}

TEST_CASE("a default result is an internal 'unset' error", "[core][error]") {
    result<int> r;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::internal);
    CHECK(r.error().message == "unset");
}

// Covers issue 2: the expected<T, E> subset behaves like std::expected where we use it.
#include "esser/core/expected.hpp"

#include <catch2/catch.hpp>
#include <string>

using esser::core::bad_expected_access;
using esser::core::expected;
using esser::core::unexpected;

TEST_CASE("expected holds a value or an error", "[core][expected]") {
    expected<std::string, int> ok = std::string("v");
    REQUIRE(ok.has_value());
    CHECK(*ok == "v");
    CHECK(ok->size() == 1);
    CHECK(ok.value_or("x") == "v");

    expected<std::string, int> bad = unexpected(7);
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == 7);
    CHECK(bad.value_or("x") == "x");
    CHECK_THROWS_AS(bad.value(), bad_expected_access);
}

TEST_CASE("expected<void> defaults to success", "[core][expected]") {
    expected<void, int> ok;
    CHECK(ok.has_value());
    expected<void, int> bad = unexpected(3);
    CHECK_FALSE(bad.has_value());
    CHECK(bad.error() == 3);
    CHECK_THROWS_AS(bad.value(), bad_expected_access);
}

// Covers issue 2 (command handling speed): CreateItem's id is a UUIDv5, whose SHA-1 runs on the
// CPU's SHA extensions where it has them. Both compression functions must agree on every
// block, and the digests must stay FIPS 180-4's (id_source_test pins uuid_v5 against Python).
#include "sha1.hpp"

#include <cstdint>
#include <random>
#include <string>

#include <catch2/catch.hpp>

using esser::core::detail::sha1;

namespace {

std::string hex(const std::array<std::uint8_t, 20>& d) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (auto b : d) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

std::string digest(std::string_view text) {
    sha1 h;
    h.update(text);
    return hex(h.finish());
}

}  // namespace

TEST_CASE("sha1 gives FIPS 180-4's digests", "[core][sha1]") {
    // FIPS 180-4 examples and the one-million-'a' test vector.
    CHECK(digest("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(digest("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(digest(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("sha1's hardware and portable compression functions agree on every block",
          "[core][sha1]") {
    if (!sha1::hardware_available()) {
        WARN("this CPU has no SHA extensions: only the portable function runs here");
        return;
    }
    std::mt19937 rng(7);
    for (int n = 0; n < 2000; ++n) {
        std::uint8_t block[64];
        for (auto& b : block) b = static_cast<std::uint8_t>(rng());
        std::uint32_t a[5], b[5];
        for (int i = 0; i < 5; ++i) a[i] = b[i] = static_cast<std::uint32_t>(rng());
        sha1::block_portable(a, block);
        sha1::block_hardware(b, block);
        INFO("block " << n);
        REQUIRE(std::equal(a, a + 5, b));
    }
}

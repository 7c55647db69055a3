// Issue 6 (spec/dynamodb-api.md §1.6, x-amz-crc32): the carry-less multiplication CRC and the
// table CRC agree with zlib's crc32() on every length and alignment, and chain like it.
#include "crc32.hpp"

#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <zlib.h>

using namespace esser::emulator::detail;

namespace {

std::uint32_t zlib_crc(std::uint32_t crc, const unsigned char* p, std::size_t n) {
    return static_cast<std::uint32_t>(::crc32(crc, p, static_cast<uInt>(n)));
}

}  // namespace

TEST_CASE("crc32 matches zlib on every length, alignment and seed", "[emulator][http][crc32]") {
    INFO("carry-less multiplication on this CPU: " << crc32_uses_clmul());
    std::mt19937_64 rng(6);
    std::string buf(70'000, '\0');
    for (auto& c : buf) c = static_cast<char>(rng());
    const auto* base = reinterpret_cast<const unsigned char*>(buf.data());
    for (std::size_t n = 0; n <= 300; ++n) {
        for (std::size_t off : {0, 1, 7, 15}) {
            const std::uint32_t seed = n % 3 == 0 ? 0u : static_cast<std::uint32_t>(rng());
            const auto want = zlib_crc(seed, base + off, n);
            REQUIRE(crc32(seed, base + off, n) == want);
            REQUIRE(crc32_portable(seed, base + off, n) == want);
        }
    }
    for (std::size_t n : {1000, 4096, 38'234, 65'536, 69'999}) {
        INFO(n);
        CHECK(crc32(0, base, n) == zlib_crc(0, base, n));
        // Chained in two parts, as zlib chains.
        const auto first = crc32(0, base, n / 3);
        CHECK(crc32(first, base + n / 3, n - n / 3) == zlib_crc(0, base, n));
    }
    // All zeros and all ones stress the folding constants.
    const std::string zeros(4096, '\0'), ones(4096, '\xff');
    CHECK(crc32(0, reinterpret_cast<const unsigned char*>(zeros.data()), zeros.size()) ==
          zlib_crc(0, reinterpret_cast<const unsigned char*>(zeros.data()), zeros.size()));
    CHECK(crc32(0, reinterpret_cast<const unsigned char*>(ones.data()), ones.size()) ==
          zlib_crc(0, reinterpret_cast<const unsigned char*>(ones.data()), ones.size()));
    CHECK(crc32(0u, reinterpret_cast<const unsigned char*>("123456789"), std::size_t{9}) ==
          0xCBF43926u);
}

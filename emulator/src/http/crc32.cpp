#include "crc32.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace esser::emulator::detail {

namespace {

constexpr std::uint32_t polynomial = 0xEDB88320u;  // x^32 + x^26 + ... + 1, bit-reversed

// tables[k][b]: the CRC of byte b followed by k zero bytes (slicing-by-8).
constexpr auto make_tables() {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t c = b;
        for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1u) ? polynomial : 0u);
        t[0][b] = c;
    }
    for (std::size_t k = 1; k < 8; ++k)
        for (std::uint32_t b = 0; b < 256; ++b)
            t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xffu];
    return t;
}

constexpr auto tables = make_tables();

// On the inverted register (the CRC's internal state).
std::uint32_t update_portable(std::uint32_t c, const unsigned char* p, std::size_t n) noexcept {
    while (n >= 8) {
        std::uint32_t lo, hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= c;
        c = tables[7][lo & 0xff] ^ tables[6][(lo >> 8) & 0xff] ^ tables[5][(lo >> 16) & 0xff] ^
            tables[4][lo >> 24] ^ tables[3][hi & 0xff] ^ tables[2][(hi >> 8) & 0xff] ^
            tables[1][(hi >> 16) & 0xff] ^ tables[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) c = (c >> 8) ^ tables[0][(c ^ *p++) & 0xffu];
    return c;
}

#if defined(__x86_64__)

bool detect_clmul() noexcept {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    return (c & bit_PCLMUL) && (c & bit_SSE4_1);
}

const bool has_clmul = detect_clmul();

// Folding constants for the reflected polynomial: x^(k) mod P, bit-reversed, for folding a
// 128-bit lane across 512 bits (k1, k2) and 128 bits (k3, k4), reducing 64 bits to 32 (k5), and
// Barrett's reduction (P' and mu), as derived in Gopal et al. §4-5.
constexpr long long k1 = 0x154442bd4, k2 = 0x1c6e41596;
constexpr long long k3 = 0x1751997d0, k4 = 0x0ccaa009e;
constexpr long long k5 = 0x163cd6124;
constexpr long long p_reflected = 0x1db710641, mu = 0x1f7011641;

// a.lo * k.lo ^ a.hi * k.hi: moves a 128-bit lane forward by the distance k encodes.
__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i a, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11));
}

// n >= 64 and a multiple of 16; c is the inverted register.
__attribute__((target("pclmul,sse4.1"))) std::uint32_t update_clmul(std::uint32_t c,
                                                                    const unsigned char* p,
                                                                    std::size_t n) noexcept {
    auto load = [](const unsigned char* q) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    };
    __m128i x1 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(c)));
    __m128i x2 = load(p + 16), x3 = load(p + 32), x4 = load(p + 48);
    p += 64;
    n -= 64;
    const __m128i k12 = _mm_set_epi64x(k2, k1);
    while (n >= 64) {
        x1 = _mm_xor_si128(fold(x1, k12), load(p));
        x2 = _mm_xor_si128(fold(x2, k12), load(p + 16));
        x3 = _mm_xor_si128(fold(x3, k12), load(p + 32));
        x4 = _mm_xor_si128(fold(x4, k12), load(p + 48));
        p += 64;
        n -= 64;
    }
    const __m128i k34 = _mm_set_epi64x(k4, k3);
    x1 = _mm_xor_si128(fold(x1, k34), x2);
    x1 = _mm_xor_si128(fold(x1, k34), x3);
    x1 = _mm_xor_si128(fold(x1, k34), x4);
    while (n >= 16) {
        x1 = _mm_xor_si128(fold(x1, k34), load(p));
        p += 16;
        n -= 16;
    }
    // 128 -> 64 bits.
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k34, 0x10), _mm_srli_si128(x1, 8));
    // 64 -> 32 bits.
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask32), _mm_set_epi64x(0, k5), 0x00),
                       _mm_srli_si128(x1, 4));
    // Barrett reduction to the 32-bit remainder.
    const __m128i poly = _mm_set_epi64x(mu, p_reflected);
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), poly, 0x00);
    x1 = _mm_xor_si128(x1, t);
    return static_cast<std::uint32_t>(_mm_extract_epi32(x1, 1));
}

#endif

}  // namespace

std::uint32_t crc32_portable(std::uint32_t crc, const unsigned char* data,
                             std::size_t size) noexcept {
    return ~update_portable(~crc, data, size);
}

bool crc32_uses_clmul() noexcept {
#if defined(__x86_64__)
    return has_clmul;
#else
    return false;
#endif
}

std::uint32_t crc32(std::uint32_t crc, const unsigned char* data, std::size_t size) noexcept {
    std::uint32_t c = ~crc;
#if defined(__x86_64__)
    if (has_clmul && size >= 64) {
        const std::size_t bulk = size & ~std::size_t{15};
        c = update_clmul(c, data, bulk);
        data += bulk;
        size -= bulk;
    }
#endif
    return ~update_portable(c, data, size);
}

}  // namespace esser::emulator::detail

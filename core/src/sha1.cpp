#include "sha1.hpp"

#include <cstring>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define ESSER_SHA1_X86 1
#endif

namespace esser::core::detail {

namespace {
std::uint32_t rotl(std::uint32_t x, int k) {
    return (x << k) | (x >> (32 - k));
}
}  // namespace

sha1::sha1() : h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u} {}

void sha1::update(std::string_view bytes) {
    update(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

void sha1::update(const std::uint8_t* data, std::size_t n) {
    total_ += n;
    if (buf_len_ > 0) {
        const std::size_t take = std::min(n, sizeof(buf_) - buf_len_);
        std::memcpy(buf_ + buf_len_, data, take);
        buf_len_ += take;
        data += take;
        n -= take;
        if (buf_len_ < sizeof(buf_))
            return;
        block(buf_);
        buf_len_ = 0;
    }
    for (; n >= sizeof(buf_); data += sizeof(buf_), n -= sizeof(buf_)) block(data);
    std::memcpy(buf_, data, n);
    buf_len_ = n;
}

std::array<std::uint8_t, 20> sha1::finish() {
    const std::uint64_t bits = total_ * 8;
    // 0x80, zeros up to 56 mod 64, then the bit length (big-endian), written in place.
    buf_[buf_len_++] = 0x80;
    if (buf_len_ > 56) {
        std::memset(buf_ + buf_len_, 0, sizeof(buf_) - buf_len_);
        block(buf_);
        buf_len_ = 0;
    }
    std::memset(buf_ + buf_len_, 0, 56 - buf_len_);
    for (int i = 0; i < 8; ++i) buf_[56 + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
    block(buf_);
    buf_len_ = 0;
    std::array<std::uint8_t, 20> out{};
    for (int i = 0; i < 5; ++i) {
        for (int j = 0; j < 4; ++j)
            out[4 * i + j] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * j));
    }
    return out;
}

void sha1::block(const std::uint8_t* p) {
    static const bool hardware = hardware_available();
    if (hardware) {
        block_hardware(h_, p);
    } else {
        block_portable(h_, p);
    }
}

// The 80 rounds as four branch-free groups of 20, the message schedule in a 16-word ring
// (w[i & 15] holds W[i]): the compiler unrolls and keeps it in registers.
void sha1::block_portable(std::uint32_t h[5], const std::uint8_t* p) {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
        w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) |
               (std::uint32_t(p[4 * i + 2]) << 8) | std::uint32_t(p[4 * i + 3]);
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    auto schedule = [&w](int i) {
        if (i >= 16) {
            w[i & 15] = rotl(w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15], 1);
        }
        return w[i & 15];
    };
    auto round = [&](std::uint32_t f, std::uint32_t k, std::uint32_t wi) {
        const std::uint32_t t = rotl(a, 5) + f + e + k + wi;
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
    };
    for (int i = 0; i < 20; ++i) round(d ^ (b & (c ^ d)), 0x5A827999u, schedule(i));
    for (int i = 20; i < 40; ++i) round(b ^ c ^ d, 0x6ED9EBA1u, schedule(i));
    for (int i = 40; i < 60; ++i) round((b & c) | (d & (b | c)), 0x8F1BBCDCu, schedule(i));
    for (int i = 60; i < 80; ++i) round(b ^ c ^ d, 0xCA62C1D6u, schedule(i));
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

#ifdef ESSER_SHA1_X86

bool sha1::hardware_available() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    const bool sha = b & (1u << 29);
    return ssse3 && sse41 && sha;
}

namespace {

// Four rounds (group I of 20) of the SHA-NI compression loop, with the message schedule for
// the groups ahead: sha1msg1/xor/sha1msg2 complete W for group I+1 from the four previous
// message vectors (Intel, "New Instructions Supporting the Secure Hash Algorithm", 2013).
template <int I>
__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void four_rounds(
    __m128i& abcd, __m128i& e0, __m128i& e1, __m128i (&m)[4]) {
    __m128i& e = (I % 2 == 0) ? e0 : e1;     // holds E (+ W) for this group
    __m128i& next = (I % 2 == 0) ? e1 : e0;  // receives ABCD for the next group's E
    if constexpr (I == 0) {
        e = _mm_add_epi32(e, m[0]);
    } else {
        e = _mm_sha1nexte_epu32(e, m[I % 4]);
    }
    next = abcd;
    if constexpr (I >= 3 && I <= 18)
        m[(I + 1) % 4] = _mm_sha1msg2_epu32(m[(I + 1) % 4], m[I % 4]);
    abcd = _mm_sha1rnds4_epu32(abcd, e, I / 5);
    if constexpr (I >= 1 && I <= 16)
        m[(I + 3) % 4] = _mm_sha1msg1_epu32(m[(I + 3) % 4], m[I % 4]);
    if constexpr (I >= 2 && I <= 17)
        m[(I + 2) % 4] = _mm_xor_si128(m[(I + 2) % 4], m[I % 4]);
}

template <int... I>
__attribute__((target("sha,sse4.1,ssse3"), always_inline)) inline void all_rounds(
    __m128i& abcd, __m128i& e0, __m128i& e1, __m128i (&m)[4], std::integer_sequence<int, I...>) {
    (four_rounds<I>(abcd, e0, e1, m), ...);
}

}  // namespace

__attribute__((target("sha,sse4.1,ssse3"))) void sha1::block_hardware(std::uint32_t h[5],
                                                                      const std::uint8_t* p) {
    const __m128i big_endian = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0x1B);
    __m128i e0 = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0);
    const __m128i abcd_saved = abcd, e_saved = e0;
    __m128i e1 = _mm_setzero_si128();
    __m128i m[4];
    for (int i = 0; i < 4; ++i) {
        m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)),
                                big_endian);
    }
    all_rounds(abcd, e0, e1, m, std::make_integer_sequence<int, 20>{});
    // After group 19 (odd), e0 holds ABCD from before it: the next E.
    e0 = _mm_sha1nexte_epu32(e0, e_saved);
    abcd = _mm_add_epi32(abcd, abcd_saved);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e0, 3));
}

#else

bool sha1::hardware_available() {
    return false;
}

void sha1::block_hardware(std::uint32_t h[5], const std::uint8_t* p) {
    block_portable(h, p);
}

#endif

}  // namespace esser::core::detail

#include "sha1.hpp"

#include <cstring>

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

// The 80 rounds as four branch-free groups of 20, the message schedule in a 16-word ring
// (w[i & 15] holds W[i]): the compiler unrolls and keeps it in registers.
void sha1::block(const std::uint8_t* p) {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
        w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) |
               (std::uint32_t(p[4 * i + 2]) << 8) | std::uint32_t(p[4 * i + 3]);
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
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
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
}

}  // namespace esser::core::detail

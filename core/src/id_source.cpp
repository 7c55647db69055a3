#include "esser/core/id_source.hpp"

#include <cassert>
#include <random>

#include "sha1.hpp"

#include "esser/core/hex_digit.hpp"

namespace esser::core {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

std::string format_uuid(std::uint64_t hi, std::uint64_t lo) {
    std::string out(36, '-');
    int pos = 0;
    auto put = [&](std::uint64_t v, int nibbles) {
        for (int i = nibbles - 1; i >= 0; --i) {
            if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
                ++pos;
            out[pos++] = hex_digits[(v >> (i * 4)) & 0xf];
        }
    };
    put(hi, 16);
    put(lo, 16);
    return out;
}
}  // namespace

std::string id_source::uuid() {
    std::uint64_t hi = next_u64();
    std::uint64_t lo = next_u64();
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1 (10xx)
    return format_uuid(hi, lo);
}

std::string uuid_v5(const uuid_bytes& name_space, std::string_view name) {
    detail::sha1 h;
    h.update(name_space.data(), name_space.size());
    h.update(name);
    const auto digest = h.finish();
    std::uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; ++i) hi = (hi << 8) | digest[i];
    for (int i = 8; i < 16; ++i) lo = (lo << 8) | digest[i];
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000005000ULL;  // version 5
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1 (10xx)
    return format_uuid(hi, lo);
}

// Canonical 8-4-4-4-12 hex form; either case.
bool parse_uuid(std::string_view text, uuid_bytes& out) noexcept {
    if (text.size() != 36)
        return false;
    std::size_t byte = 0;
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
            continue;
        }
        const int v = hex_digit_value(c);
        if (v < 0)
            return false;
        if (high < 0) {
            high = v;
        } else {
            out[byte++] = static_cast<std::uint8_t>((high << 4) | v);
            high = -1;
        }
    }
    return byte == 16;
}

std::string id_source::hex(std::size_t n) {
    assert(n <= 64);
    std::string out;
    out.reserve(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 16 == 0)
            v = next_u64();
        out.push_back(hex_digits[v & 0xf]);
        v >>= 4;
    }
    return out;
}

namespace {
constexpr char alnum_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
}  // namespace

std::string id_source::alnum_upper(std::size_t n) {
    const auto& alphabet = alnum_alphabet;
    std::string out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(alphabet[next_u64() % 36]);
    return out;
}

seeded_id_source::seeded_id_source(std::uint64_t seed) {
    for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t seeded_id_source::next_u64() {
    std::lock_guard lock(mu_);
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

namespace {
std::uint64_t entropy_seed() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}
}  // namespace

random_id_source::random_id_source() : inner_(entropy_seed()) {}

std::uint64_t random_id_source::next_u64() {
    return inner_.next_u64();
}

std::string random_id_source::alnum_upper(std::size_t n) {
    std::string out(n, '0');
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 12 == 0)
            v = next_u64();
        out[i] = alnum_alphabet[v % 36];
        v /= 36;
    }
    return out;
}

}  // namespace esser::core

#include "shard_iterator.hpp"

#include <cstring>

namespace esser::emulator::streams_detail {

namespace {
constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view separator = "|1|";
constexpr std::uint8_t payload_version = 2;
// version + stream serial + shard serial + position + issued + reader + tag
constexpr std::size_t tagged_size = 1 + 8 + 4 + 8 + 8 + 4;
constexpr std::size_t payload_size = tagged_size + 8;

std::uint64_t rotl(std::uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

// Little-endian fixed-width fields of the payload.
template <class T>
void put_le(unsigned char* p, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

template <class T>
T get_le(const unsigned char* p) {
    T v = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) v = static_cast<T>((v << 8) | p[i]);
    return v;
}

std::string base64(const unsigned char* p, std::size_t n) {
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    for (std::size_t i = 0; i < n; i += 3) {
        const std::uint32_t b0 = p[i];
        const std::uint32_t b1 = i + 1 < n ? p[i + 1] : 0;
        const std::uint32_t b2 = i + 2 < n ? p[i + 2] : 0;
        const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
        out.push_back(b64_alphabet[(v >> 18) & 63]);
        out.push_back(b64_alphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < n ? b64_alphabet[v & 63] : '=');
    }
    return out;
}

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

// Decodes exactly `n` bytes from canonical padded base64; false on anything else (wrong
// length, characters outside the alphabet, padding anywhere but the end or of the wrong count,
// non-zero unused bits).
bool unbase64(std::string_view s, unsigned char* out, std::size_t n) {
    if (s.size() != (n + 2) / 3 * 4)
        return false;
    const std::size_t padding = (3 - n % 3) % 3;
    std::size_t o = 0;
    for (std::size_t i = 0; i < s.size(); i += 4) {
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const bool pad_here = i + j >= s.size() - padding;
            const char c = s[i + j];
            if (pad_here != (c == '='))
                return false;
            const int d = pad_here ? 0 : b64_value(c);
            if (d < 0)
                return false;
            v = (v << 6) | static_cast<std::uint32_t>(d);
        }
        for (int k = 2; k >= 0; --k, ++o) {
            const auto byte = static_cast<unsigned char>(v >> (8 * k));
            if (o < n)
                out[o] = byte;
            else if (byte != 0)
                return false;  // non-canonical trailing bits
        }
    }
    return true;
}

std::uint64_t tag_of(std::string_view arn, const unsigned char* fields, std::size_t size,
                     const iterator_key& key) {
    std::string buf;
    buf.reserve(arn.size() + 1 + size);
    buf.append(arn);
    buf.push_back('\0');
    buf.append(reinterpret_cast<const char*>(fields), size);
    return siphash24(key, buf.data(), buf.size());
}
}  // namespace

std::uint64_t siphash24(const iterator_key& key, const void* data, std::size_t size) {
    const auto* in = static_cast<const unsigned char*>(data);
    std::uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
    std::uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
    std::uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
    std::uint64_t v3 = 0x7465646279746573ULL ^ key[1];
    auto round = [&] {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    };
    const std::size_t full = size / 8 * 8;
    for (std::size_t i = 0; i < full; i += 8) {
        const std::uint64_t m = get_le<std::uint64_t>(in + i);
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
    std::uint64_t last = static_cast<std::uint64_t>(size) << 56;
    for (std::size_t i = full; i < size; ++i)
        last |= static_cast<std::uint64_t>(in[i]) << (8 * (i - full));
    v3 ^= last;
    round();
    round();
    v0 ^= last;
    v2 ^= 0xff;
    round();
    round();
    round();
    round();
    return v0 ^ v1 ^ v2 ^ v3;
}

std::string encode_shard_iterator(std::string_view stream_arn, const iterator_payload& p,
                                  const iterator_key& key) {
    unsigned char raw[payload_size];
    raw[0] = payload_version;
    put_le<std::uint64_t>(raw + 1, p.stream_serial);
    put_le<std::uint32_t>(raw + 9, p.shard_serial);
    put_le<std::uint64_t>(raw + 13, p.position);
    put_le<std::uint64_t>(raw + 21, static_cast<std::uint64_t>(p.issued_ms));
    put_le<std::uint32_t>(raw + 29, p.reader);
    put_le<std::uint64_t>(raw + tagged_size, tag_of(stream_arn, raw, tagged_size, key));
    std::string out;
    out.reserve(stream_arn.size() + separator.size() + (payload_size + 2) / 3 * 4);
    out.append(stream_arn);
    out.append(separator);
    out += base64(raw, payload_size);
    return out;
}

std::optional<decoded_iterator> decode_shard_iterator(std::string_view text,
                                                      const iterator_key& key) {
    const auto sep = text.find(separator);
    if (sep == std::string_view::npos)
        return std::nullopt;
    const std::string_view arn = text.substr(0, sep);
    unsigned char raw[payload_size];
    if (!unbase64(text.substr(sep + separator.size()), raw, payload_size))
        return std::nullopt;
    if (raw[0] != payload_version)
        return std::nullopt;
    if (get_le<std::uint64_t>(raw + tagged_size) != tag_of(arn, raw, tagged_size, key))
        return std::nullopt;
    decoded_iterator d;
    d.stream_arn = arn;
    d.payload.stream_serial = get_le<std::uint64_t>(raw + 1);
    d.payload.shard_serial = get_le<std::uint32_t>(raw + 9);
    d.payload.position = get_le<std::uint64_t>(raw + 13);
    d.payload.issued_ms = static_cast<std::int64_t>(get_le<std::uint64_t>(raw + 21));
    d.payload.reader = get_le<std::uint32_t>(raw + 29);
    return d;
}

}  // namespace esser::emulator::streams_detail

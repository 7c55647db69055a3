#include "esser/emulator/dynamo/json_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

namespace esser::emulator {

namespace {

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF): what nlohmann's
// serializer accepts without replacing.
bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (end - p <= n)
            return false;
        if (p[1] < lo || p[1] > hi)
            return false;
        for (int i = 2; i <= n; ++i)
            if (p[i] < 0x80 || p[i] > 0xBF)
                return false;
        p += n + 1;
    }
    return true;
}

// Bytes that end a run copied as is: control characters, '"', '\\' and every non-ASCII byte
// (which may need the UTF-8 check).
constexpr auto plain_byte = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return t;
}();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    json_text(out).string(s);
}

void append_json_int(std::string& out, std::int64_t v) {
    json_text(out).integer(v);
}

void json_text::grow(std::size_t n) {
    // Doubling; the new part is written before it is read.
    out_.resize(std::max({out_.size() * 2, pos_ + n, std::size_t{256}}));
}

void json_text::integer(std::int64_t v) {
    char* d = room(24);
    pos_ += static_cast<std::size_t>(std::to_chars(d, d + 24, v).ptr - d);
}

void json_text::string(std::string_view s) {
    // Most names and values (keys, ids, types, timestamps) are plain ASCII: one scan, one copy.
    std::size_t plain = 0;
    // Eight bytes at a time while none is special (exact "any byte" tests: below 0x20, equal
    // to '"' or '\\', high bit set).
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zero_byte = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
    while (plain + 8 <= s.size()) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + plain, 8);
        if (((w - ones * 0x20) | zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\')) | w) &
            highs) {
            break;
        }
        plain += 8;
    }
    while (plain < s.size() && plain_byte[static_cast<unsigned char>(s[plain])]) ++plain;
    if (plain == s.size()) {
        char* d = room(s.size() + 2);
        d[0] = '"';
        std::memcpy(d + 1, s.data(), s.size());
        d[s.size() + 1] = '"';
        pos_ += s.size() + 2;
        return;
    }
    bool ascii = true;
    for (char ch : s.substr(plain)) {
        if (static_cast<unsigned char>(ch) >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (!ascii && !valid_utf8(s)) {
        raw(nlohmann::json(std::string(s))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    // Each byte becomes at most six characters (\u00xx).
    static constexpr char hex[] = "0123456789abcdef";
    char* const start = room(6 * s.size() + 2);
    char* d = start;
    *d++ = '"';
    std::memcpy(d, s.data(), plain);
    d += plain;
    for (std::size_t i = plain; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            *d++ = static_cast<char>(c);
            continue;
        }
        *d++ = '\\';
        switch (c) {
            case '"':
                *d++ = '"';
                break;
            case '\\':
                *d++ = '\\';
                break;
            case '\b':
                *d++ = 'b';
                break;
            case '\t':
                *d++ = 't';
                break;
            case '\n':
                *d++ = 'n';
                break;
            case '\f':
                *d++ = 'f';
                break;
            case '\r':
                *d++ = 'r';
                break;
            default:
                *d++ = 'u';
                *d++ = '0';
                *d++ = '0';
                *d++ = hex[c >> 4];
                *d++ = hex[c & 0xF];
        }
    }
    *d++ = '"';
    pos_ += static_cast<std::size_t>(d - start);
}

}  // namespace esser::emulator

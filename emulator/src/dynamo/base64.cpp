#include "esser/emulator/dynamo/base64.hpp"

#include <array>
#include <cstdint>

namespace esser::emulator {

namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
    std::array<std::int8_t, 256> t{};
    for (auto& x : t) x = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}

constexpr std::array<std::int8_t, 256> reverse = make_reverse();
}  // namespace

char* base64_write(std::string_view bytes, char* out) {
    std::size_t i = 0;
    auto at = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        *out++ = alphabet[(v >> 18) & 63];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = alphabet[(v >> 6) & 63];
        *out++ = alphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = at(i) << 16;
        *out++ = alphabet[(v >> 18) & 63];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = '=';
        *out++ = '=';
    } else if (rest == 2) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
        *out++ = alphabet[(v >> 18) & 63];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = alphabet[(v >> 6) & 63];
        *out++ = '=';
    }
    return out;
}

std::string base64_encode(std::string_view bytes) {
    std::string out(base64_size(bytes.size()), '\0');
    base64_write(bytes, out.data());
    return out;
}

bool base64_valid(std::string_view text) {
    if (text.size() % 4 != 0)
        return false;
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=')
        pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
    const std::size_t data = text.size() - pad;
    for (std::size_t i = 0; i < data; ++i) {
        if (reverse[static_cast<unsigned char>(text[i])] < 0)
            return false;
    }
    // Canonical: unused low bits of the last data character are zero.
    if (pad == 2 && (reverse[static_cast<unsigned char>(text[data - 1])] & 0x0F) != 0)
        return false;
    if (pad == 1 && (reverse[static_cast<unsigned char>(text[data - 1])] & 0x03) != 0)
        return false;
    return true;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=')
        pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const std::size_t n = last ? 4 - pad : 4;  // data characters in this quad
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            v <<= 6;
            if (k < n) {
                const std::int8_t d = reverse[static_cast<unsigned char>(text[i + k])];
                if (d < 0)
                    return std::nullopt;
                v |= static_cast<std::uint32_t>(d);
            }
        }
        out.push_back(static_cast<char>((v >> 16) & 0xFF));
        if (n >= 3)
            out.push_back(static_cast<char>((v >> 8) & 0xFF));
        if (n == 4)
            out.push_back(static_cast<char>(v & 0xFF));
        // Canonical: the bits beyond the decoded bytes must be zero.
        if (n == 2 && (v & 0xFFFF) != 0)
            return std::nullopt;
        if (n == 3 && (v & 0xFF) != 0)
            return std::nullopt;
    }
    return out;
}

}  // namespace esser::emulator

#pragma once
// A forward cursor over JSON text (RFC 8259) for the text fast paths (PutItem read without a
// JSON tree: put_item_text.hpp, item_codec::encode_json_text). It reads only plain forms:
// strings of printable ASCII without escapes, the literals, the structural characters. Every
// read consumes what it names or answers false and leaves the cursor where it was; a false
// makes the caller decline, and the request is then parsed in full (json_reader), which accepts
// or refuses it exactly as before. The cursor may refuse valid JSON; it never accepts invalid
// JSON as valid.

#include <array>
#include <cstring>
#include <string_view>

namespace esser::emulator {

class json_cursor {
public:
    explicit json_cursor(std::string_view text)
        : p_(text.data()), end_(text.data() + text.size()) {}

    // Only whitespace is left.
    bool at_end() {
        skip_ws();
        return p_ == end_;
    }

    // Whitespace, then `c`.
    bool consume(char c) {
        skip_ws();
        if (p_ == end_ || *p_ != c)
            return false;
        ++p_;
        return true;
    }

    // Whitespace, then a string of printable ASCII (no escapes): its contents, which point into
    // the text.
    bool plain_string(std::string_view& out) {
        skip_ws();
        if (p_ == end_ || *p_ != '"')
            return false;
        const char* s = p_ + 1;
        const char* q = s;
        while (q != end_ && plain_chars[static_cast<unsigned char>(*q)]) ++q;
        if (q == end_ || *q != '"')
            return false;
        out = std::string_view(s, static_cast<std::size_t>(q - s));
        p_ = q + 1;
        return true;
    }

    // Whitespace, then exactly `word` (true, false, null).
    bool literal(std::string_view word) {
        skip_ws();
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::memcmp(p_, word.data(), word.size()) != 0)
            return false;
        p_ += word.size();
        return true;
    }

    // Whitespace, then one JSON value's extent, found without checking it (strings are skipped
    // whole, brackets counted outside strings): the span to hand to a full parser, which
    // checks it. Values nested deeper than max_skip_depth are refused: the HTTP front answers
    // those with its own error (aws_json_front's max_json_depth, 128), which a reader taking
    // them would skip.
    static constexpr int max_skip_depth = 64;

    bool skip_value(std::string_view& span) {
        skip_ws();
        const char* start = p_;
        const char* q = p_;
        int depth = 0;
        while (q != end_) {
            const char c = *q;
            if (c == '"') {
                for (++q; q != end_ && *q != '"'; ++q)
                    if (*q == '\\' && ++q == end_)
                        return false;
                if (q == end_)
                    return false;
                ++q;
            } else if (c == '{' || c == '[') {
                if (++depth > max_skip_depth)
                    return false;
                ++q;
            } else if (c == '}' || c == ']') {
                if (depth == 0)
                    break;
                --depth;
                ++q;
            } else if (depth == 0 &&
                       (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                break;
            } else {
                ++q;
            }
            if (depth == 0 && (c == '"' || c == '}' || c == ']'))
                break;
        }
        if (depth != 0 || q == start)
            return false;
        span = std::string_view(start, static_cast<std::size_t>(q - start));
        p_ = q;
        return true;
    }

private:
    // Printable ASCII but the quote and the backslash.
    static constexpr std::array<bool, 256> plain_chars = [] {
        std::array<bool, 256> t{};
        for (int c = 0x20; c < 0x7F; ++c) t[c] = c != '"' && c != '\\';
        return t;
    }();

    void skip_ws() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    const char* p_;
    const char* end_;
};

}  // namespace esser::emulator

#pragma once
// JSON text written straight into a string, byte for byte what nlohmann::json::dump() writes
// for the same document (compact, ensure_ascii off, error_handler_t::replace). The hot
// renderings (read responses of the HTTP front, stream records for Lambda events,
// item_codec::write_json) use it to skip building a nlohmann::json tree only to serialise it;
// their tests compare against dump().

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace esser::emulator {

// `s` as a JSON string literal: '"' and '\\' escaped, \b \t \n \f \r, other control characters
// as \u00xx (lower-case hex), everything else as is (UTF-8 passes through). Text that is not
// valid UTF-8 gets dump()'s replacement (U+FFFD for each invalid sequence).
void append_json_string(std::string& out, std::string_view s);

// Decimal text of an integer.
void append_json_int(std::string& out, std::int64_t v);

// JSON text appended to a std::string piece by piece, with one capacity check per piece and
// the copies inlined: a ~40 KB Query response is thousands of short pieces, and std::string's
// own append bookkeeping was most of its cost (issue 6).
//
// While a json_text is alive, `out` is its buffer (its size is the capacity, not the text):
// use only the json_text. The destructor (or finish()) trims `out` to the text written.
class json_text {
public:
    explicit json_text(std::string& out) : out_(out), pos_(out.size()) {}

    ~json_text() { finish(); }

    json_text(const json_text&) = delete;
    json_text& operator=(const json_text&) = delete;

    // Trims the buffer to the text; writing may go on afterwards.
    void finish() { out_.resize(pos_); }

    // Room for `n` more characters, at the returned position; commit() what was used.
    [[gnu::always_inline]] char* room(std::size_t n) {
        if (out_.size() - pos_ < n)
            grow(n);
        return out_.data() + pos_;
    }

    void commit(std::size_t n) { pos_ += n; }

    // `s` as it is (no escaping).
    [[gnu::always_inline]] void raw(std::string_view s) {
        std::memcpy(room(s.size()), s.data(), s.size());
        pos_ += s.size();
    }

    [[gnu::always_inline]] void raw(char c) {
        *room(1) = c;
        ++pos_;
    }

    // `s` as a JSON string literal (append_json_string).
    void string(std::string_view s);

    // string(s) for text followed by at least 15 more readable bytes (the bytes at
    // s.data() + s.size() ... + 14 may be loaded, never used): plain ASCII is checked and
    // copied 16 bytes at a time, anything else goes to string(). The stored items of a read
    // answer are padded for this (issue 6, Query of 100 events: ~2,300 strings per answer).
    [[gnu::always_inline]] void padded_string(std::string_view s) {
#if defined(__SSE2__)
        // Each 16-byte block is stored before it is checked: the room covers a whole block
        // past the text, and nothing is committed until the text turned out plain.
        const std::size_t n = s.size();
        char* const d = room(n + 2 + 16) + 1;
        for (std::size_t i = 0;; i += 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), x);
            // Signed comparison: below 0x20 are the control characters and every byte with
            // the high bit set (non-ASCII, which string() checks for valid UTF-8).
            const __m128i special =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                          _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                             _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
            const std::size_t left = n - i;
            if (left < 16)
                mask &= (1u << left) - 1;
            if (mask != 0)
                break;
            if (left <= 16) {
                d[-1] = '"';
                d[n] = '"';
                pos_ += n + 2;
                return;
            }
        }
#endif
        string(s);
    }

    // Decimal text of an integer.
    void integer(std::int64_t v);

private:
    void grow(std::size_t n);

    std::string& out_;
    std::size_t pos_;
};

}  // namespace esser::emulator

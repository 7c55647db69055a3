#include "json_reader.hpp"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "esser/core/hex_digit.hpp"
#include "esser/core/json_escape.hpp"

namespace esser::emulator::detail {

namespace {

using nlohmann::json;

// The bytes a string copies as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> plain_chars = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
    return t;
}();

class reader {
public:
    reader(std::string_view text, std::size_t max_depth)
        : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

    json_read_status run(json& out) {
        // nlohmann skips a UTF-8 byte order mark; a partial one is an error.
        if (end_ - p_ >= 1 && static_cast<unsigned char>(*p_) == 0xEF) {
            if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB ||
                static_cast<unsigned char>(p_[2]) != 0xBF)
                return json_read_status::invalid;
            p_ += 3;
        }
        json v;
        if (!value(v, 0))
            return status_;
        skip_ws();
        // nlohmann's lexer takes a NUL byte outside a string for the end of the input and
        // ignores what follows it.
        if (p_ != end_ && *p_ != '\0')
            return json_read_status::invalid;
        out = std::move(v);
        return json_read_status::ok;
    }

private:
    bool fail(json_read_status s = json_read_status::invalid) {
        status_ = s;
        return false;
    }

    void skip_ws() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::memcmp(p_, word.data(), word.size()) != 0)
            return fail();
        p_ += word.size();
        return true;
    }

    bool value(json& out, std::size_t depth) {
        skip_ws();
        if (p_ == end_)
            return fail();
        switch (*p_) {
            case '{':
                return object(out, depth + 1);
            case '[':
                return array(out, depth + 1);
            case '"': {
                std::string s;
                if (!string(s))
                    return false;
                out = std::move(s);
                return true;
            }
            case 't':
                out = true;
                return literal("true");
            case 'f':
                out = false;
                return literal("false");
            case 'n':
                out = nullptr;
                return literal("null");
            default:
                return number(out);
        }
    }

    bool object(json& out, std::size_t depth) {
        if (depth > max_depth_)
            return fail(json_read_status::too_deep);
        ++p_;  // '{'
        out = json::object();
        auto& members = *out.get_ptr<json::object_t*>();
        skip_ws();
        if (p_ != end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        for (;;) {
            skip_ws();
            if (p_ == end_ || *p_ != '"')
                return fail();
            std::string key;
            if (!string(key))
                return false;
            skip_ws();
            if (p_ == end_ || *p_ != ':')
                return fail();
            ++p_;
            json v;
            if (!value(v, depth))
                return false;
            members.insert_or_assign(std::move(key), std::move(v));  // the last one wins
            skip_ws();
            if (p_ == end_)
                return fail();
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ == '}') {
                ++p_;
                return true;
            }
            return fail();
        }
    }

    bool array(json& out, std::size_t depth) {
        if (depth > max_depth_)
            return fail(json_read_status::too_deep);
        ++p_;  // '['
        out = json::array();
        auto& items = *out.get_ptr<json::array_t*>();
        skip_ws();
        if (p_ != end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        for (;;) {
            items.emplace_back();
            if (!value(items.back(), depth))
                return false;
            skip_ws();
            if (p_ == end_)
                return fail();
            if (*p_ == ',') {
                ++p_;
                continue;
            }
            if (*p_ == ']') {
                ++p_;
                return true;
            }
            return fail();
        }
    }

    bool hex4(unsigned& out) {
        if (end_ - p_ < 4)
            return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = core::hex_digit_value(p_[i]);
            if (d < 0)
                return false;
            out = (out << 4) | static_cast<unsigned>(d);
        }
        p_ += 4;
        return true;
    }

    static void put_utf8(std::string& s, unsigned cp) {
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            s += static_cast<char>(0xF0 | (cp >> 18));
            s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    // The length of the well-formed UTF-8 sequence at p (RFC 3629 §4), 0 when ill-formed.
    std::size_t utf8_length() const {
        const auto b = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
        const auto in = [&](std::ptrdiff_t i, unsigned lo, unsigned hi) {
            return end_ - p_ > i && b(i) >= lo && b(i) <= hi;
        };
        const unsigned c = b(0);
        if (c >= 0xC2 && c <= 0xDF)
            return in(1, 0x80, 0xBF) ? 2 : 0;
        if (c == 0xE0)
            return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
        if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
        if (c == 0xED)
            return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
        if (c == 0xF0)
            return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
        if (c >= 0xF1 && c <= 0xF3)
            return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
        if (c == 0xF4)
            return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
        return 0;
    }

    bool string(std::string& out) {
        ++p_;  // '"'
        for (;;) {
            // A run of plain printable ASCII is copied at once.
            const char* run = p_;
            while (p_ != end_ && plain_chars[static_cast<unsigned char>(*p_)]) ++p_;
            out.append(run, static_cast<std::size_t>(p_ - run));
            if (p_ == end_)
                return fail();
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c < 0x20)
                return fail();
            if (c >= 0x80) {
                const auto n = utf8_length();
                if (n == 0)
                    return fail();
                out.append(p_, n);
                p_ += n;
                continue;
            }
            // A backslash escape.
            if (++p_ == end_)
                return fail();
            const char letter = *p_++;
            if (const int c = core::json_short_escape(letter); c >= 0) {
                out += static_cast<char>(c);
                continue;
            }
            if (letter != 'u')
                return fail();
            unsigned cp = 0;
            if (!hex4(cp))
                return fail();
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned low = 0;
                if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                    return fail();
                p_ += 2;
                if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
                    return fail();
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail();
            }
            put_utf8(out, cp);
        }
    }

    bool number(json& out) {
        const char* start = p_;
        bool negative = false, integral = true;
        if (*p_ == '-') {
            negative = true;
            ++p_;
        }
        auto digits = [&] {
            const char* d = p_;
            while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
            return p_ - d;
        };
        if (p_ == end_)
            return fail();
        if (*p_ == '0') {
            ++p_;
        } else if (*p_ >= '1' && *p_ <= '9') {
            digits();
        } else {
            return fail();
        }
        if (p_ != end_ && *p_ == '.') {
            ++p_;
            integral = false;
            if (digits() == 0)
                return fail();
        }
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            integral = false;
            if (p_ != end_ && (*p_ == '+' || *p_ == '-'))
                ++p_;
            if (digits() == 0)
                return fail();
        }
        // strtoull/strtoll/strtod want a terminated copy, as nlohmann gives them.
        const std::string token(start, p_);
        char* stop = nullptr;
        if (integral) {
            errno = 0;
            if (negative) {
                const long long v = std::strtoll(token.c_str(), &stop, 10);
                if (errno == 0) {
                    out = static_cast<json::number_integer_t>(v);
                    return true;
                }
            } else {
                const unsigned long long v = std::strtoull(token.c_str(), &stop, 10);
                if (errno == 0) {
                    out = static_cast<json::number_unsigned_t>(v);
                    return true;
                }
            }
        }
        const double d = std::strtod(token.c_str(), &stop);
        if (!std::isfinite(d))
            return fail();
        out = static_cast<json::number_float_t>(d);
        return true;
    }

    const char* p_;
    const char* end_;
    std::size_t max_depth_;
    json_read_status status_ = json_read_status::invalid;
};

}  // namespace

json_read_status read_json(std::string_view text, nlohmann::json& out, std::size_t max_depth) {
    return reader(text, max_depth).run(out);
}

}  // namespace esser::emulator::detail

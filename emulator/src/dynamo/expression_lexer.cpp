#include "expression_lexer.hpp"

namespace esser::emulator::expression_detail {

namespace {

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_word(char c) {
    return is_alpha(c) || is_digit(c) || c == '_';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not a valid one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b < 0x80)
        return 1;
    if ((b & 0xE0) == 0xC0) {
        n = 2;
        cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
        n = 3;
        cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
        n = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
        return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return n;
}

}  // namespace

void append_utf8(std::string& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_length(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.data() + i, n);
            i += n;
        }
    }
}

token lexer::scan(std::uint32_t pos) const {
    const auto size = static_cast<std::uint32_t>(text_.size());
    while (pos < size && is_space(text_[pos])) ++pos;
    token t;
    t.begin = pos;
    if (pos >= size) {
        t.kind = token_kind::eof;
        t.end = pos;
        return t;
    }
    const char c = text_[pos];
    std::uint32_t end = pos + 1;
    auto word_end = [&](std::uint32_t from) {
        while (from < size && is_word(text_[from])) ++from;
        return from;
    };
    if (is_alpha(c)) {
        t.kind = token_kind::identifier;
        end = word_end(end);
    } else if (is_digit(c)) {
        t.kind = token_kind::number;
        while (end < size && is_digit(text_[end])) ++end;
    } else if ((c == '#' || c == ':') && end < size && is_word(text_[end])) {
        t.kind = c == '#' ? token_kind::name_placeholder : token_kind::value_placeholder;
        end = word_end(end);
    } else {
        switch (c) {
            case '(':
                t.kind = token_kind::lparen;
                break;
            case ')':
                t.kind = token_kind::rparen;
                break;
            case '[':
                t.kind = token_kind::lbracket;
                break;
            case ']':
                t.kind = token_kind::rbracket;
                break;
            case ',':
                t.kind = token_kind::comma;
                break;
            case '.':
                t.kind = token_kind::dot;
                break;
            case '=':
                t.kind = token_kind::eq;
                break;
            case '+':
                t.kind = token_kind::plus;
                break;
            case '-':
                t.kind = token_kind::minus;
                break;
            case '<':
                t.kind = token_kind::lt;
                if (end < size && text_[end] == '=') {
                    t.kind = token_kind::le;
                    ++end;
                } else if (end < size && text_[end] == '>') {
                    t.kind = token_kind::ne;
                    ++end;
                }
                break;
            case '>':
                t.kind = token_kind::gt;
                if (end < size && text_[end] == '=') {
                    t.kind = token_kind::ge;
                    ++end;
                }
                break;
            default: {
                t.kind = token_kind::invalid;
                const std::size_t n = utf8_length(text_, pos);
                end = pos + static_cast<std::uint32_t>(n == 0 ? 1 : n);
                break;
            }
        }
    }
    t.end = end;
    return t;
}

bool lexer::is_keyword(const token& t, std::string_view keyword) const {
    if (t.kind != token_kind::identifier || t.end - t.begin != keyword.size())
        return false;
    for (std::size_t i = 0; i < keyword.size(); ++i) {
        char c = text_[t.begin + i];
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        if (c != keyword[i])
            return false;
    }
    return true;
}

std::string lexer::syntax_error(const token& bad, bool has_previous,
                                std::uint32_t previous_begin) const {
    std::string out = "Syntax error; token: \"";
    if (bad.kind == token_kind::eof) {
        out += "<EOF>";
    } else {
        append_utf8(out, spelling(bad));
    }
    out += "\", near: \"";
    const std::uint32_t from = has_previous ? previous_begin : 0;
    std::uint32_t to = bad.end;
    if (bad.kind == token_kind::eof) {
        to = static_cast<std::uint32_t>(text_.size());
    } else {
        const token next = scan(bad.end);
        if (next.kind != token_kind::eof)
            to = next.end;
    }
    append_utf8(out, text_.substr(from, to - from));
    out += '"';
    return out;
}

}  // namespace esser::emulator::expression_detail

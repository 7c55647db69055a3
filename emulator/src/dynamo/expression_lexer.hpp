#pragma once
// Tokens of DynamoDB expressions (spec/dynamodb-api.md §4.1), read on demand without allocating.
//
//   identifier   [A-Za-z][A-Za-z0-9_]*        (keywords are identifiers the parser recognises)
//   #name        #[A-Za-z0-9_]+                a name placeholder
//   :value       :[A-Za-z0-9_]+                a value placeholder
//   number       [0-9]+                        only valid as a list index
//   ( ) [ ] , . = <> < <= > >= + -
// Whitespace is space, tab, CR and LF. Anything else is an `invalid` token of one character
// (a whole UTF-8 sequence), e.g. "_" in `SET _a = :v`: AWS's lexer does not start names with an
// underscore, and reports `Syntax error; token: "_", near: "SET _a"`.

#include <cstdint>
#include <string>
#include <string_view>

namespace esser::emulator::expression_detail {

enum class token_kind : std::uint8_t {
    eof,
    identifier,
    name_placeholder,
    value_placeholder,
    number,
    lparen,
    rparen,
    lbracket,
    rbracket,
    comma,
    dot,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    plus,
    minus,
    invalid,
};

struct token {
    token_kind kind = token_kind::eof;
    std::uint32_t begin = 0;  // source span; eof is the empty span at the end
    std::uint32_t end = 0;
};

class lexer {
public:
    explicit lexer(std::string_view text) : text_(text) {}

    // The token starting at or after `pos` (whitespace skipped).
    token scan(std::uint32_t pos) const;

    std::string_view text() const { return text_; }

    std::string_view spelling(const token& t) const {
        return text_.substr(t.begin, t.end - t.begin);
    }

    // Whether the identifier `t` is `keyword` (ASCII upper case), ignoring case.
    bool is_keyword(const token& t, std::string_view keyword) const;

    // `Syntax error; token: "<tok>", near: "<context>"` for an unexpected token `bad` preceded by
    // the token starting at `previous_begin` (or nothing when `has_previous` is false). As AWS
    // writes it: token is the text of the bad token ("<EOF>" at the end); near runs from the
    // start of the previous token to the end of the token after the bad one (or the end of the
    // text after <EOF>).
    std::string syntax_error(const token& bad, bool has_previous,
                             std::uint32_t previous_begin) const;

private:
    std::string_view text_;
};

// Appends `s` to `out`, replacing bytes that are not valid UTF-8 by U+FFFD, so that messages
// quoting arbitrary input always serialise as JSON.
void append_utf8(std::string& out, std::string_view s);

}  // namespace esser::emulator::expression_detail

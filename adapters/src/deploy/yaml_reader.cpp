#include "esser/adapters/deploy/yaml_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "esser/core/hex_digit.hpp"

namespace esser::adapters {

namespace {

using nlohmann::json;

constexpr int max_depth = 200;

// CloudFormation's short forms that become {"Fn::<Name>": value}.
constexpr std::array<std::string_view, 23> fn_tags = {"Base64",
                                                      "Cidr",
                                                      "FindInMap",
                                                      "GetAZs",
                                                      "ImportValue",
                                                      "Join",
                                                      "Select",
                                                      "Split",
                                                      "Sub",
                                                      "Transform",
                                                      "And",
                                                      "Equals",
                                                      "If",
                                                      "Not",
                                                      "Or",
                                                      "Contains",
                                                      "EachMemberEquals",
                                                      "EachMemberIn",
                                                      "RefAll",
                                                      "ValueOf",
                                                      "ValueOfAll",
                                                      "Length",
                                                      "ToJsonString"};

// Thrown inside the parser only; read_cloudformation_yaml turns it into a parse_error value.
struct yaml_failure {
    std::size_t pos;
    std::string message;
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_flow_indicator(char c) {
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// The offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
    static constexpr std::array<std::uint32_t, 4> smallest = {0, 0x80, 0x800, 0x10000};
    for (std::size_t i = 0; i < s.size();) {
        const auto lead = static_cast<unsigned char>(s[i]);
        // How many continuation bytes the lead byte announces (4: not a lead byte).
        const std::size_t extra = lead < 0x80   ? 0
                                  : lead < 0xC0 ? 4
                                  : lead < 0xE0 ? 1
                                  : lead < 0xF0 ? 2
                                  : lead < 0xF8 ? 3
                                                : 4;
        if (extra == 4 || s.size() - i <= extra)
            return i;
        std::uint32_t cp = extra == 0 ? lead : lead & (0x3Fu >> extra);
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (next & 0x3Fu);
        }
        if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += extra + 1;
    }
    return std::string_view::npos;
}

// A plain scalar's value (see the header): only the forms that YAML 1.1 (PyYAML, and the
// SnakeYAML CloudFormation reads templates with) and YAML 1.2 read alike become numbers,
// booleans or null; everything they disagree on stays text.
json resolve_plain(const std::string& t) {
    if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL")
        return nullptr;
    if (t == "true" || t == "True" || t == "TRUE")
        return true;
    if (t == "false" || t == "False" || t == "FALSE")
        return false;
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    const auto is_hex = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    const auto integer = [&](std::size_t from, int base, bool negative) -> json {
        std::uint64_t v = 0;
        auto [end, ec] = std::from_chars(t.data() + from, t.data() + t.size(), v, base);
        if (ec != std::errc() || end != t.data() + t.size())
            return t;  // too large: the text stays a string
        if (!negative)
            return v;
        if (v > static_cast<std::uint64_t>(INT64_MAX) + 1)
            return t;
        return v == static_cast<std::uint64_t>(INT64_MAX) + 1 ? json(INT64_MIN)
                                                              : json(-static_cast<std::int64_t>(v));
    };
    if (t.size() > 2 && t.starts_with("0x") && std::all_of(t.begin() + 2, t.end(), is_hex))
        return integer(2, 16, false);
    const std::size_t sign = (t[0] == '-' || t[0] == '+') ? 1 : 0;
    std::size_t i = sign;
    std::size_t int_digits = 0;
    while (i < t.size() && is_digit(t[i])) ++i, ++int_digits;
    // Integers: 0 or no leading zero (YAML 1.1 reads 017 as octal).
    if (i == t.size() && int_digits > 0) {
        if (int_digits > 1 && t[sign] == '0')
            return t;
        return integer(sign, 10, t[0] == '-');
    }
    // Floats: a '.', and an exponent only with its sign (1.1 reads 1e3 and 1.5e3 as text).
    if (i >= t.size() || t[i] != '.')
        return t;
    ++i;
    std::size_t fraction_digits = 0;
    while (i < t.size() && is_digit(t[i])) ++i, ++fraction_digits;
    if (int_digits + fraction_digits == 0)
        return t;
    if (i < t.size()) {
        if ((t[i] != 'e' && t[i] != 'E') || i + 2 >= t.size() ||
            (t[i + 1] != '-' && t[i + 1] != '+'))
            return t;
        if (!std::all_of(t.begin() + static_cast<std::ptrdiff_t>(i + 2), t.end(), is_digit))
            return t;
    }
    double d = 0;
    auto [end, ec] = std::from_chars(t.data() + sign, t.data() + t.size(), d);
    if (ec != std::errc() || end != t.data() + t.size())
        return t;  // out of range: text, as .inf is
    return t[0] == '-' ? -d : d;
}

class parser {
public:
    explicit parser(std::string text) : s_(std::move(text)) {
        line_starts_.push_back(0);
        for (std::size_t i = 0; i < s_.size(); ++i) {
            if (s_[i] == '\n')
                line_starts_.push_back(i + 1);
        }
    }

    std::pair<std::size_t, std::size_t> line_column(std::size_t pos) const {
        pos = std::min(pos, s_.size());
        auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), pos);
        const auto line = static_cast<std::size_t>(it - line_starts_.begin());
        return {line, pos - line_starts_[line - 1] + 1};
    }

    json document() {
        std::size_t line = next_content_line(0);
        if (line == npos)
            return nullptr;
        if (s_[line] == '%')
            fail(line, "directives (%YAML, %TAG) are not supported");
        json root;
        if (is_marker(line, "---")) {
            p_ = line + 3;
            skip_blanks();
            root = at_line_end() ? node_below(-1, false) : block_value(-1, false);
        } else if (is_marker(line, "...")) {
            fail(line, "a document end marker (...) before any content");
        } else {
            root = node_on_line(-1, line);
        }
        line = next_content_line(p_);
        if (line != npos && is_marker(line, "...")) {
            p_ = line + 3;
            finish_line();
            line = next_content_line(p_);
        }
        if (line != npos) {
            if (is_marker(line, "---") || s_[line] == '%')
                fail(line, "several documents in one stream are not supported");
            fail(line + indent_of(line),
                 "unexpected content after the document (check its indentation)");
        }
        return root;
    }

private:
    static constexpr std::size_t npos = std::string::npos;

    [[noreturn]] void fail(std::size_t pos, std::string message) const {
        throw yaml_failure{pos, std::move(message)};
    }

    char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

    bool end_at(std::size_t i) const { return i >= s_.size() || s_[i] == '\n'; }

    bool blank_or_end(std::size_t i) const { return end_at(i) || is_blank(s_[i]); }

    std::size_t column(std::size_t pos) const { return line_column(pos).second - 1; }

    std::size_t line_end(std::size_t pos) const {
        const auto e = s_.find('\n', pos);
        return e == npos ? s_.size() : e;
    }

    std::size_t after_line(std::size_t pos) const {
        const auto e = s_.find('\n', pos);
        return e == npos ? s_.size() : e + 1;
    }

    void skip_blanks() {
        while (p_ < s_.size() && is_blank(s_[p_])) ++p_;
    }

    // At the end of the line's content: end of line, or a comment after whitespace.
    bool at_line_end() const {
        if (end_at(p_))
            return true;
        return s_[p_] == '#' && (p_ == 0 || is_blank(s_[p_ - 1]) || s_[p_ - 1] == '\n');
    }

    // Leading spaces of the line starting at `ls`; a tab among them is an error.
    std::size_t indent_of(std::size_t ls) const {
        std::size_t i = ls;
        while (i < s_.size() && s_[i] == ' ') ++i;
        if (at(i) == '\t') {
            std::size_t j = i;
            while (j < s_.size() && is_blank(s_[j])) ++j;
            if (!end_at(j) && s_[j] != '#')
                fail(i, "tabs are not allowed in indentation");
        }
        return i - ls;
    }

    bool blank_line(std::size_t ls) const {
        std::size_t i = ls;
        while (i < s_.size() && is_blank(s_[i])) ++i;
        return end_at(i) || s_[i] == '#';
    }

    // The start of the first line at or after the line start `ls` that has content, or npos.
    std::size_t next_content_line(std::size_t ls) const {
        while (ls < s_.size()) {
            if (!blank_line(ls))
                return ls;
            ls = after_line(ls);
        }
        return npos;
    }

    bool is_marker(std::size_t ls, std::string_view marker) const {
        return ls <= s_.size() && std::string_view(s_).substr(ls).starts_with(marker) &&
               blank_or_end(ls + 3);
    }

    bool seq_entry_at(std::size_t i) const { return at(i) == '-' && blank_or_end(i + 1); }

    // After a node's last character: only blanks and a comment may follow on its line.
    void finish_line() {
        skip_blanks();
        if (!at_line_end()) {
            if (at(p_) == ':')
                fail(p_, "mapping values are not allowed here");
            fail(p_, "unexpected text after the value");
        }
        p_ = after_line(p_);
    }

    void enter(std::size_t pos) {
        if (++depth_ > max_depth)
            fail(pos, fmt::format("nesting deeper than {} levels", max_depth));
    }

    void refuse_properties_and_reserved(std::size_t i) const {
        switch (at(i)) {
            case '&':
                fail(i, "anchors and aliases (&name) are not supported");
            case '*':
                fail(i, "anchors and aliases (*name) are not supported");
            case '%':
            case '@':
            case '`':
                fail(i, fmt::format("a plain value cannot start with '{}' (quote it)", at(i)));
            case '?':
                if (blank_or_end(i + 1))
                    fail(i, "complex mapping keys (?) are not supported");
                break;
            default:
                break;
        }
    }

    // Does a block mapping key ("key:" / "'key':" followed by a blank or the end of the
    // line) start at `i`?
    bool mapping_key_at(std::size_t i) const {
        const char c = at(i);
        if (c == '"' || c == '\'') {
            std::size_t j = i + 1;
            for (; !end_at(j); ++j) {
                if (c == '"' && s_[j] == '\\') {
                    ++j;
                    continue;
                }
                if (s_[j] == c) {
                    if (c == '\'' && at(j + 1) == '\'') {
                        ++j;
                        continue;
                    }
                    break;
                }
            }
            if (end_at(j))
                return false;
            ++j;
            while (is_blank(at(j))) ++j;
            return at(j) == ':' && blank_or_end(j + 1);
        }
        if (end_at(i) || c == '#' || c == '[' || c == '{' || c == '!' || c == '&' || c == '*' ||
            c == '|' || c == '>' || c == '%' || c == '@' || c == '`' || c == ']' || c == '}' ||
            c == ',')
            return false;
        if ((c == '-' || c == '?') && blank_or_end(i + 1))
            return false;
        for (std::size_t j = i; !end_at(j); ++j) {
            if (s_[j] == ':' && blank_or_end(j + 1))
                return true;
            if (s_[j] == '#' && j > i && is_blank(s_[j - 1]))
                return false;
        }
        return false;
    }

    // The node whose first line starts at `ls` (a content line), inside a parent indented
    // `parent_indent`.
    json node_on_line(int parent_indent, std::size_t ls) {
        const std::size_t ind = indent_of(ls);
        p_ = ls + ind;
        if (seq_entry_at(p_))
            return block_sequence(ind);
        if (at(p_) == '?' && blank_or_end(p_ + 1))
            fail(p_, "complex mapping keys (?) are not supported");
        if (mapping_key_at(p_))
            return block_mapping(ind);
        return block_value(parent_indent, false);
    }

    // The node after "key:" or "- " that starts on a following line (p_ at the end of the
    // indicator's line): more indented than the parent, or, for a mapping value, a sequence
    // at the key's own indentation. Nothing there: null.
    json node_below(int parent_indent, bool mapping_value) {
        p_ = after_line(p_);
        const std::size_t ls = next_content_line(p_);
        if (ls == npos) {
            p_ = s_.size();
            return nullptr;
        }
        const auto ind = static_cast<int>(indent_of(ls));
        if (ind > parent_indent && !(parent_indent < 0 && is_marker(ls, "---")) &&
            !(parent_indent < 0 && is_marker(ls, "...")))
            return node_on_line(parent_indent, ls);
        if (mapping_value && ind == parent_indent && seq_entry_at(ls + ind)) {
            p_ = ls + ind;
            return block_sequence(ind);
        }
        p_ = ls;
        return nullptr;
    }

    // A value after "key:", "- " or "---" (p_ just after the indicator). Returns with p_ at
    // the start of the line after the value.
    json block_value(int parent_indent, bool mapping_value) {
        enter(p_);
        skip_blanks();
        std::string tag;
        std::size_t tag_pos = p_;
        if (at(p_) == '!') {
            tag = read_tag();
            skip_blanks();
        }
        refuse_properties_and_reserved(p_);
        json v;
        if (at_line_end()) {
            v = node_below(parent_indent, mapping_value);
        } else {
            const char c = s_[p_];
            if (c == '|' || c == '>') {
                v = block_scalar(parent_indent);
            } else if (c == '[' || c == '{') {
                const std::size_t start = p_;
                v = flow_node(false);
                skip_blanks();
                if (at(p_) == ':' && blank_or_end(p_ + 1))
                    fail(start, "collections as mapping keys (complex keys) are not supported");
                finish_line();
            } else if (c == '"' || c == '\'') {
                v = quoted_scalar();
                finish_line();
            } else if (seq_entry_at(p_)) {
                fail(p_, "a block sequence cannot start on the line of its key");
            } else {
                v = plain_block(parent_indent, tag.empty());
            }
        }
        --depth_;
        return tag.empty() ? v : apply_tag(tag, std::move(v), tag_pos);
    }

    json block_mapping(std::size_t indent) {
        enter(p_);
        json out = json::object();
        for (;;) {
            const std::size_t key_pos = p_;
            const char c = at(p_);
            if (c == '?' && blank_or_end(p_ + 1))
                fail(p_, "complex mapping keys (?) are not supported");
            if (c == '[' || c == '{')
                fail(p_, "collections as mapping keys (complex keys) are not supported");
            if (c == '!')
                fail(p_, "tags on mapping keys are not supported");
            if (seq_entry_at(p_))
                fail(p_, "a sequence entry where a mapping key was expected");
            refuse_properties_and_reserved(p_);
            std::string key;
            if (c == '"' || c == '\'') {
                const std::size_t line = line_column(p_).first;
                json k = quoted_scalar();
                if (line_column(p_).first != line)
                    fail(key_pos, "a quoted mapping key must be on one line");
                key = k.get<std::string>();
                skip_blanks();
                if (at(p_) != ':' || !blank_or_end(p_ + 1))
                    fail(p_, "expected ':' after the mapping key");
            } else {
                std::size_t j = p_;
                for (; !end_at(j); ++j) {
                    if (s_[j] == ':' && blank_or_end(j + 1))
                        break;
                    if (s_[j] == '#' && j > p_ && is_blank(s_[j - 1]))
                        break;
                }
                if (at(j) != ':')
                    fail(key_pos, "expected a mapping key (key: value) at this indentation");
                std::size_t e = j;
                while (e > p_ && is_blank(s_[e - 1])) --e;
                key = s_.substr(p_, e - p_);
                if (key == "<<")
                    fail(key_pos, "merge keys (<<) are not supported");
                p_ = j;
            }
            ++p_;  // ':'
            if (out.contains(key))
                fail(key_pos, "duplicate mapping key '" + key + "'");
            out[key] = block_value(static_cast<int>(indent), true);
            if (!next_sibling(indent, false))
                break;
        }
        --depth_;
        return out;
    }

    json block_sequence(std::size_t indent) {
        enter(p_);
        json out = json::array();
        for (;;) {
            ++p_;  // '-'
            skip_blanks();
            if (!at_line_end() && seq_entry_at(p_)) {
                out.push_back(block_sequence(column(p_)));
            } else if (!at_line_end() && mapping_key_at(p_)) {
                out.push_back(block_mapping(column(p_)));
            } else {
                out.push_back(block_value(static_cast<int>(indent), false));
            }
            if (!next_sibling(indent, true))
                break;
        }
        --depth_;
        return out;
    }

    // After an entry of a block collection at `indent` (p_ at a line start): true with p_ on
    // the next entry, false with p_ at the start of the line that ends the collection.
    bool next_sibling(std::size_t indent, bool sequence) {
        const std::size_t ls = next_content_line(p_);
        if (ls == npos) {
            p_ = s_.size();
            return false;
        }
        if (is_marker(ls, "---") || is_marker(ls, "...")) {
            p_ = ls;
            return false;
        }
        const std::size_t ind = indent_of(ls);
        if (ind > indent)
            fail(ls + ind, fmt::format("unexpected indentation (this {} is at column {})",
                                       sequence ? "sequence's '-'" : "mapping's keys", indent + 1));
        if (ind < indent || (sequence && !seq_entry_at(ls + ind))) {
            p_ = ls;  // the collection ends; the parent reads this line
            return false;
        }
        p_ = ls + ind;
        return true;
    }

    std::string read_tag() {
        const std::size_t start = p_;
        while (p_ < s_.size() && !blank_or_end(p_) && !is_flow_indicator(s_[p_])) ++p_;
        std::string tag = s_.substr(start, p_ - start);
        if (tag.starts_with("!!") && tag != "!!str" && tag != "!!int" && tag != "!!float" &&
            tag != "!!bool" && tag != "!!null" && tag != "!!map" && tag != "!!seq")
            fail(start, "YAML tag " + tag +
                            " is not supported (of the standard tags: !!str, !!int, !!float, "
                            "!!bool, !!null, !!map, !!seq)");
        if (tag == "!" || tag.starts_with("!<"))
            fail(start, "tag " + tag + " is not supported");
        return tag.substr(1);
    }

    json apply_tag(const std::string& tag, json v, std::size_t pos) const {
        if (tag.starts_with("!"))
            return apply_standard_tag(tag, std::move(v), pos);
        if (v.is_null())
            v = "";
        if (tag == "Ref" || tag == "Condition") {
            if (!v.is_string() || v.get<std::string>().empty())
                fail(pos, "!" + tag + " takes a name");
            return json{{tag, std::move(v)}};
        }
        if (tag == "GetAtt") {
            if (v.is_string()) {
                const std::string s = v.get<std::string>();
                const auto dot = s.find('.');
                if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
                    fail(pos, "!GetAtt takes logicalName.attributeName (got '" + s + "')");
                return json{{"Fn::GetAtt", json::array({s.substr(0, dot), s.substr(dot + 1)})}};
            }
            if (!v.is_array())
                fail(pos, "!GetAtt takes logicalName.attributeName or a list");
            return json{{"Fn::GetAtt", std::move(v)}};
        }
        if (std::find(fn_tags.begin(), fn_tags.end(), tag) != fn_tags.end())
            return json{{"Fn::" + tag, std::move(v)}};
        fail(pos, "unknown tag !" + tag +
                      " (CloudFormation's short forms are !Ref, !Condition, !GetAtt and !<Fn> "
                      "for the Fn:: intrinsic functions)");
    }

    // YAML's core schema tags (read_tag let only these through), on a scalar's text.
    json apply_standard_tag(const std::string& tag, json v, std::size_t pos) const {
        if (tag == "!map" || tag == "!seq") {
            if (tag == "!map" ? !v.is_object() : !v.is_array())
                fail(pos, "!" + tag + " on a node that is not a " +
                              (tag == "!map" ? "mapping" : "sequence"));
            return v;
        }
        if (v.is_null())
            v = "";
        if (!v.is_string())
            fail(pos, "!" + tag + " on a collection");
        const std::string text = v.get<std::string>();
        if (tag == "!str")
            return text;
        const json r = resolve_plain(text);
        const bool ok = tag == "!int"     ? r.is_number_integer()
                        : tag == "!float" ? r.is_number()
                        : tag == "!bool"  ? r.is_boolean()
                                          : r.is_null();
        if (!ok)
            fail(pos, "'" + text + "' is not a valid " + tag.substr(1) +
                          (tag == "!float" ? " (JSON holds no .inf or .nan)" : ""));
        return tag == "!float" ? json(r.get<double>()) : r;
    }

    // A plain scalar in block context, with its continuation lines (more indented than the
    // parent), folded as YAML folds them.
    json plain_block(int parent_indent, bool resolve) {
        std::string out;
        bool ended_by_comment = false;
        auto read_segment = [&] {
            std::size_t j = p_;
            for (; !end_at(j); ++j) {
                if (s_[j] == ':' && blank_or_end(j + 1))
                    fail(j,
                         "mapping values are not allowed here (quote a value containing "
                         "': ')");
                if (s_[j] == '#' && j > p_ && is_blank(s_[j - 1])) {
                    ended_by_comment = true;
                    break;
                }
            }
            std::size_t e = j;
            while (e > p_ && is_blank(s_[e - 1])) --e;
            out.append(s_, p_, e - p_);
            p_ = after_line(j);
        };
        read_segment();
        while (!ended_by_comment && p_ < s_.size()) {
            // Blank lines fold into newlines; a comment line or a less indented line ends it.
            std::size_t ls = p_;
            std::size_t blank_lines = 0;
            for (;;) {
                std::size_t i = ls;
                while (i < s_.size() && is_blank(s_[i])) ++i;
                if (i < s_.size() && s_[i] == '\n') {
                    ++blank_lines;
                    ls = i + 1;
                    continue;
                }
                break;
            }
            if (ls >= s_.size() || blank_line(ls) || is_marker(ls, "---") || is_marker(ls, "..."))
                break;
            const auto ind = static_cast<int>(indent_of(ls));
            if (ind <= parent_indent)
                break;
            std::size_t content = ls;
            while (is_blank(at(content))) ++content;
            out += blank_lines == 0 ? std::string(" ") : std::string(blank_lines, '\n');
            p_ = content;
            read_segment();
        }
        return resolve ? resolve_plain(out) : json(out);
    }

    // '...' or "..." from p_; p_ ends after the closing quote.
    json quoted_scalar() {
        const std::size_t open = p_;
        const char q = s_[p_++];
        std::string out;
        std::size_t escaped_end = 0;  // blanks before here came from escapes: they stay
        for (;;) {
            if (p_ >= s_.size())
                fail(open, q == '"' ? "unterminated double-quoted string"
                                    : "unterminated single-quoted string");
            const char c = s_[p_];
            if (c == q) {
                if (q == '\'' && at(p_ + 1) == '\'') {
                    out += '\'';
                    p_ += 2;
                    continue;
                }
                ++p_;
                break;
            }
            if (c == '\n') {
                // Line folding: trailing blanks dropped, one break -> space, n empty lines ->
                // n newlines, the next line's leading blanks dropped.
                while (out.size() > escaped_end && is_blank(out.back())) out.pop_back();
                fold_break(out);
                continue;
            }
            if (q == '"' && c == '\\') {
                escape(out);
                escaped_end = out.size();
                continue;
            }
            out += c;
            ++p_;
        }
        return out;
    }

    // p_ at a '\n' inside a quoted scalar.
    void fold_break(std::string& out) {
        std::size_t empties = 0;
        ++p_;
        for (;;) {
            if (is_marker(p_, "---") || is_marker(p_, "..."))
                fail(p_, "a document marker inside a quoted string");
            while (is_blank(at(p_))) ++p_;
            if (at(p_) == '\n') {
                ++empties;
                ++p_;
                continue;
            }
            break;
        }
        if (empties == 0)
            out += ' ';
        else
            out.append(empties, '\n');
    }

    void escape(std::string& out) {
        const std::size_t at_backslash = p_;
        const char e = at(p_ + 1);
        p_ += 2;
        auto hex = [&](int digits) {
            std::uint32_t v = 0;
            for (int k = 0; k < digits; ++k, ++p_) {
                const char h = at(p_);
                const int d = core::hex_digit_value(h);
                if (d < 0)
                    fail(at_backslash, fmt::format("\\{} needs {} hex digits", e, digits));
                v = v * 16 + static_cast<std::uint32_t>(d);
            }
            return v;
        };
        // The escapes that stand for one character (YAML 1.2, 5.7 "Escaped Characters").
        static constexpr std::array<std::pair<char, std::uint32_t>, 18> single = {{
            {'0', 0x00},
            {'a', 0x07},
            {'b', 0x08},
            {'t', 0x09},
            {'\t', 0x09},
            {'n', 0x0A},
            {'v', 0x0B},
            {'f', 0x0C},
            {'r', 0x0D},
            {'e', 0x1B},
            {' ', 0x20},
            {'"', 0x22},
            {'/', 0x2F},
            {'\\', 0x5C},
            {'N', 0x85},
            {'_', 0xA0},
            {'L', 0x2028},
            {'P', 0x2029},
        }};
        for (const auto& [letter, cp] : single) {
            if (letter == e) {
                append_utf8(out, cp);
                return;
            }
        }
        switch (e) {
            case 'x':
                append_utf8(out, hex(2));
                break;
            case 'u':
            case 'U': {
                std::uint32_t cp = hex(e == 'u' ? 4 : 8);
                if (cp >= 0xD800 && cp <= 0xDBFF && at(p_) == '\\' && at(p_ + 1) == 'u') {
                    p_ += 2;
                    const std::uint32_t low = hex(4);
                    if (low < 0xDC00 || low > 0xDFFF)
                        fail(at_backslash, "a UTF-16 high surrogate without its low half");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                    fail(at_backslash, "an escape that is not a Unicode character");
                append_utf8(out, cp);
                break;
            }
            case '\n': {
                // An escaped line break: joined without a space; the next line's blanks go.
                while (is_blank(at(p_))) ++p_;
                while (at(p_) == '\n') {
                    out += '\n';
                    ++p_;
                    while (is_blank(at(p_))) ++p_;
                }
                break;
            }
            default:
                fail(at_backslash, fmt::format("unknown escape \\{}", e == '\0' ? ' ' : e));
        }
    }

    // | or > (p_ at the indicator) for a node whose parent is indented `parent_indent`.
    json block_scalar(int parent_indent) {
        const bool folded = s_[p_++] == '>';
        char chomp = 'c';  // clip, strip ('-'), keep ('+')
        int explicit_indent = 0;
        for (int k = 0; k < 2; ++k) {
            const char c = at(p_);
            if ((c == '-' || c == '+') && chomp == 'c') {
                chomp = c;
                ++p_;
            } else if (c >= '1' && c <= '9' && explicit_indent == 0) {
                explicit_indent = c - '0';
                ++p_;
            }
        }
        if (!blank_or_end(p_))
            fail(p_, "unexpected text after the block scalar indicator");
        skip_blanks();
        if (!at_line_end())
            fail(p_, "unexpected text after the block scalar indicator");
        p_ = after_line(p_);

        std::size_t indent = 0;
        if (explicit_indent) {
            indent = static_cast<std::size_t>(std::max(parent_indent, -1) + explicit_indent);
        } else {
            // The first non-empty line sets the indentation; leading empty lines may not be
            // more indented than it.
            std::size_t ls = p_;
            std::size_t longest_empty = 0;
            std::size_t longest_pos = 0;
            std::size_t first_line_indent = 0;
            for (;;) {
                std::size_t i = ls;
                while (at(i) == ' ') ++i;
                if (i < s_.size() && s_[i] == '\n') {
                    if (i - ls > longest_empty) {
                        longest_empty = i - ls;
                        longest_pos = ls;
                    }
                    ls = i + 1;
                    continue;
                }
                first_line_indent = (i >= s_.size()) ? 0 : i - ls;
                break;
            }
            const auto minimum = static_cast<std::size_t>(parent_indent + 1);
            if (first_line_indent >= minimum && ls < s_.size()) {
                if (longest_empty > first_line_indent)
                    fail(longest_pos,
                         "a leading empty line is more indented than the block "
                         "scalar's first line");
                indent = first_line_indent;
            } else {
                // No content line: an empty scalar (its empty lines are line breaks).
                indent = std::max(minimum, longest_empty);
            }
        }

        std::string out;
        std::string line_break;
        std::string breaks;
        bool first = true;
        bool previous_normal = false;
        // Empty lines (fewer spaces than the indentation) before the next content line.
        auto read_breaks = [&] {
            breaks.clear();
            for (;;) {
                std::size_t i = p_;
                while (at(i) == ' ' && i - p_ < indent) ++i;
                if (at(i) == '\n' && i - p_ <= indent) {
                    breaks += '\n';
                    p_ = i + 1;
                    continue;
                }
                if (at(i) == '\t' && i - p_ < indent) {
                    std::size_t j = i;
                    while (is_blank(at(j))) ++j;
                    if (at(j) == '\n' || j >= s_.size()) {
                        breaks += '\n';
                        p_ = j >= s_.size() ? j : j + 1;
                        continue;
                    }
                }
                break;
            }
        };
        auto at_content = [&] {
            if (p_ >= s_.size())
                return false;
            if (indent == 0 && (is_marker(p_, "---") || is_marker(p_, "...")))
                return false;
            std::size_t i = p_;
            while (at(i) == ' ' && i - p_ < indent) ++i;
            return i - p_ == indent && i < s_.size() && s_[i] != '\n';
        };
        read_breaks();
        while (at_content()) {
            const std::size_t content = p_ + indent;
            const bool normal = !is_blank(at(content));
            if (!first) {
                if (folded && line_break == "\n" && previous_normal && normal) {
                    if (breaks.empty())
                        out += ' ';
                } else {
                    out += line_break;
                }
            }
            out += breaks;
            const std::size_t e = line_end(content);
            out.append(s_, content, e - content);
            line_break = e < s_.size() ? "\n" : "";
            p_ = e < s_.size() ? e + 1 : e;
            first = false;
            previous_normal = normal;
            read_breaks();
        }
        if (first)
            line_break.clear();
        if (chomp != '-')
            out += line_break;
        if (chomp == '+')
            out += breaks;
        return out;
    }

    // Flow context: blanks, line breaks and comments.
    void skip_flow_space() {
        for (;;) {
            if (p_ >= s_.size())
                return;
            const char c = s_[p_];
            if (is_blank(c) || c == '\n') {
                ++p_;
            } else if (c == '#' && (p_ == 0 || is_blank(s_[p_ - 1]) || s_[p_ - 1] == '\n')) {
                p_ = line_end(p_);
            } else {
                return;
            }
        }
    }

    json flow_node(bool as_key) {
        enter(p_);
        skip_flow_space();
        std::string tag;
        const std::size_t tag_pos = p_;
        if (at(p_) == '!') {
            if (as_key)
                fail(p_, "tags on mapping keys are not supported");
            tag = read_tag();
            skip_flow_space();
        }
        refuse_properties_and_reserved(p_);
        json v;
        const char c = at(p_);
        if (c == '[' || c == '{') {
            if (as_key)
                fail(p_, "collections as mapping keys (complex keys) are not supported");
            v = c == '[' ? flow_sequence() : flow_mapping();
        } else if (c == '"' || c == '\'') {
            v = quoted_scalar();
        } else if ((c == '-' || c == '?' || c == ':') && blank_or_end(p_ + 1) && c != '\0') {
            fail(p_, fmt::format("unexpected '{}' in a flow collection", c));
        } else if (p_ >= s_.size() || c == ',' || c == ']' || c == '}' || c == ':') {
            if (!tag.empty())
                v = nullptr;
            else
                fail(p_, p_ >= s_.size() ? "unexpected end of input in a flow collection"
                                         : fmt::format("expected a value before '{}'", c));
        } else {
            const auto ends_plain = [this](std::size_t i) {
                return is_flow_indicator(s_[i]) ||
                       (s_[i] == ':' && (blank_or_end(i + 1) || is_flow_indicator(at(i + 1))));
            };
            std::string text;
            for (;;) {
                const std::size_t start = p_;
                while (p_ < s_.size() && s_[p_] != '\n' && !ends_plain(p_) &&
                       !(s_[p_] == '#' && p_ > start && is_blank(s_[p_ - 1])))
                    ++p_;
                std::size_t e = p_;
                while (e > start && is_blank(s_[e - 1])) --e;
                text.append(s_, start, e - start);
                if (at(p_) != '\n')
                    break;
                // A plain scalar goes on over lines until an indicator or a comment: one
                // line break folds into a space, each empty line into a newline.
                std::size_t q = p_;
                std::size_t breaks = 0;
                while (q < s_.size() && (is_blank(s_[q]) || s_[q] == '\n')) {
                    breaks += s_[q] == '\n' ? 1 : 0;
                    ++q;
                }
                if (q >= s_.size() || s_[q] == '#' || ends_plain(q))
                    break;
                text += breaks == 1 ? std::string(" ") : std::string(breaks - 1, '\n');
                p_ = q;
            }
            v = (tag.empty() && !as_key) ? resolve_plain(text) : json(text);
        }
        --depth_;
        return tag.empty() ? v : apply_tag(tag, std::move(v), tag_pos);
    }

    // Inside a flow collection opened at `open`: skips to the next entry; true (and consumed)
    // when the collection closes there.
    bool flow_closes(std::size_t open, char close) {
        skip_flow_space();
        if (p_ >= s_.size())
            fail(open, close == ']' ? "unterminated flow sequence (no ']' for this '[')"
                                    : "unterminated flow mapping (no '}' for this '{')");
        if (s_[p_] != close)
            return false;
        ++p_;
        return true;
    }

    // After an entry: ',' goes on (false), the closing bracket ends the collection (true).
    bool flow_entry_done(std::size_t open, char close) {
        if (at(p_) == ',') {
            ++p_;
            return false;
        }
        if (flow_closes(open, close))
            return true;
        fail(p_, fmt::format("expected ',' or '{}' in the flow {}", close,
                             close == ']' ? "sequence" : "mapping"));
    }

    json flow_sequence() {
        const std::size_t open = p_++;
        json out = json::array();
        while (!flow_closes(open, ']')) {
            out.push_back(flow_node(false));
            skip_flow_space();
            if (at(p_) == ':')
                fail(p_,
                     "single-pair mappings inside a flow sequence ([k: v]) are not "
                     "supported; write [{k: v}]");
            if (flow_entry_done(open, ']'))
                break;
        }
        return out;
    }

    json flow_mapping() {
        const std::size_t open = p_++;
        json out = json::object();
        while (!flow_closes(open, '}')) {
            if (s_[p_] == '?' && blank_or_end(p_ + 1))
                fail(p_, "complex mapping keys (?) are not supported");
            const std::size_t key_pos = p_;
            json k = flow_node(true);
            if (!k.is_string())
                fail(key_pos, "a mapping key must be a scalar");
            const std::string key = k.get<std::string>();
            if (key == "<<")
                fail(key_pos, "merge keys (<<) are not supported");
            if (out.contains(key))
                fail(key_pos, "duplicate mapping key '" + key + "'");
            skip_flow_space();
            json value;
            if (at(p_) == ':') {
                ++p_;
                skip_flow_space();
                if (at(p_) != ',' && at(p_) != '}')
                    value = flow_node(false);
                skip_flow_space();
            }
            out[key] = std::move(value);
            if (flow_entry_done(open, '}'))
                break;
        }
        return out;
    }

    std::string s_;
    std::vector<std::size_t> line_starts_;
    std::size_t p_ = 0;
    int depth_ = 0;
};

}  // namespace

core::result<json> read_cloudformation_yaml(std::string_view text) {
    // A byte order mark is allowed at the start; CR LF line ends read as LF.
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::string normalised;
    normalised.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            continue;
        normalised += text[i];
    }
    parser p(normalised);
    if (const auto bad = invalid_utf8_at(normalised); bad != std::string_view::npos) {
        const auto [line, col] = p.line_column(bad);
        return core::fail(core::error::parse_error(fmt::format("{}:{}: invalid UTF-8", line, col)));
    }
    for (std::size_t i = 0; i < normalised.size(); ++i) {
        const auto c = static_cast<unsigned char>(normalised[i]);
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            const auto [line, col] = p.line_column(i);
            return core::fail(core::error::parse_error(
                fmt::format("{}:{}: control character 0x{:02X} (escape it in a double-quoted "
                            "string)",
                            line, col, static_cast<unsigned>(c))));
        }
    }
    try {
        return p.document();
    } catch (const yaml_failure& f) {
        const auto [line, col] = p.line_column(f.pos);
        return core::fail(core::error::parse_error(fmt::format("{}:{}: {}", line, col, f.message)));
    }
}

}  // namespace esser::adapters

#include "expression_parser.hpp"

#include <cstdint>
#include <limits>
#include <vector>

#include "expression_lexer.hpp"

namespace esser::emulator::expression_detail {

namespace {

constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

// What a condition-grammar production produced.
enum class shape : std::uint8_t {
    condition,  // a boolean condition
    operand,    // a bare operand (only acceptable directly inside parentheses)
    call,       // a function call: a condition alone, or an operand before a comparator
};

struct parsed {
    std::uint32_t node = npos;
    shape what = shape::condition;
};

class parser {
public:
    parser(program& p, compile_scratch& st, parse_facts& facts)
        : p_(p), st_(st), facts_(facts), lex_(st.text) {
        cur_ = lex_.scan(0);
    }

    std::optional<std::string> run() {
        switch (p_.kind) {
            case expression_kind::condition:
            case expression_kind::filter:
            case expression_kind::key_condition:
                parse_condition_root();
                break;
            case expression_kind::update:
                parse_update();
                break;
            case expression_kind::projection:
                parse_projection();
                break;
        }
        return std::move(error_);
    }

private:
    // ---- tokens -------------------------------------------------------------------------

    void advance() {
        has_prev_ = true;
        prev_begin_ = cur_.begin;
        prev_end_ = cur_.end;
        cur_ = lex_.scan(cur_.end);
    }

    bool at(token_kind k) const { return cur_.kind == k; }

    bool at_keyword(std::string_view kw) const { return lex_.is_keyword(cur_, kw); }

    // Records a syntax error at the current token (the first one wins) and returns npos.
    std::uint32_t fail() {
        if (!error_)
            error_ = lex_.syntax_error(cur_, has_prev_, prev_begin_);
        return npos;
    }

    bool failed() const { return error_.has_value(); }

    bool expect(token_kind k) {
        if (!at(k)) {
            fail();
            return false;
        }
        advance();
        return true;
    }

    bool enter() {
        if (++depth_ > max_nesting) {
            fail();
            return false;
        }
        return true;
    }

    void leave() { --depth_; }

    bool is_condition_keyword(const token& t) const {
        return lex_.is_keyword(t, "AND") || lex_.is_keyword(t, "OR") || lex_.is_keyword(t, "NOT") ||
               lex_.is_keyword(t, "BETWEEN") || lex_.is_keyword(t, "IN");
    }

    bool is_section_keyword(const token& t) const {
        return lex_.is_keyword(t, "SET") || lex_.is_keyword(t, "REMOVE") ||
               lex_.is_keyword(t, "ADD") || lex_.is_keyword(t, "DELETE");
    }

    // Whether an identifier token may name an attribute or a function in this grammar.
    bool is_name(const token& t) const {
        if (t.kind != token_kind::identifier)
            return false;
        switch (p_.kind) {
            case expression_kind::update:
                return !is_section_keyword(t);
            case expression_kind::projection:
                return true;
            default:
                return !is_condition_keyword(t);
        }
    }

    // ---- arena --------------------------------------------------------------------------

    // Adds a node whose children are st_.stack[mark..end).
    std::uint32_t add_node(node_kind kind, std::uint8_t op, std::uint32_t ref, std::size_t mark,
                           std::uint32_t begin) {
        node n;
        n.kind = kind;
        n.op = op;
        n.ref = ref;
        n.first_kid = static_cast<std::uint32_t>(st_.kids.size());
        n.kid_count = static_cast<std::uint32_t>(st_.stack.size() - mark);
        n.begin = begin;
        n.end = prev_end_;
        st_.kids.insert(st_.kids.end(), st_.stack.begin() + static_cast<std::ptrdiff_t>(mark),
                        st_.stack.end());
        st_.stack.resize(mark);
        st_.nodes.push_back(n);
        return static_cast<std::uint32_t>(st_.nodes.size() - 1);
    }

    std::uint32_t add_binary(node_kind kind, std::uint8_t op, std::uint32_t lhs, std::uint32_t rhs,
                             std::uint32_t begin) {
        const std::size_t mark = st_.stack.size();
        st_.stack.push_back(lhs);
        st_.stack.push_back(rhs);
        return add_node(kind, op, 0, mark, begin);
    }

    // ---- paths --------------------------------------------------------------------------

    // A path starting at the current token, which is a name or a #placeholder.
    std::uint32_t parse_path() {
        const std::uint32_t begin = cur_.begin;
        raw_element first;
        if (at(token_kind::name_placeholder)) {
            first.kind = raw_element::placeholder;
        } else if (is_name(cur_)) {
            first.kind = raw_element::identifier;
        } else {
            return fail();
        }
        first.begin = cur_.begin;
        first.end = cur_.end;
        advance();
        st_.raw_paths.push_back({static_cast<std::uint32_t>(st_.raw.size()), 1});
        st_.raw.push_back(first);
        const auto path = static_cast<std::uint32_t>(st_.raw_paths.size() - 1);
        const std::size_t mark = st_.stack.size();
        const std::uint32_t n = add_node(node_kind::path, 0, path, mark, begin);
        if (!parse_path_tail(n))
            return npos;
        return n;
    }

    // '.' name | '[' digits ']', appended to the path of node `n`.
    bool parse_path_tail(std::uint32_t n) {
        while (at(token_kind::dot) || at(token_kind::lbracket)) {
            raw_element e;
            if (at(token_kind::dot)) {
                advance();
                if (at(token_kind::name_placeholder)) {
                    e.kind = raw_element::placeholder;
                } else if (is_name(cur_)) {
                    e.kind = raw_element::identifier;
                } else {
                    fail();
                    return false;
                }
                e.begin = cur_.begin;
                e.end = cur_.end;
                advance();
            } else {
                advance();
                if (!at(token_kind::number)) {
                    fail();
                    return false;
                }
                e.kind = raw_element::list_index;
                e.begin = cur_.begin;
                e.end = cur_.end;
                std::uint64_t v = 0;
                for (char c : lex_.spelling(cur_)) {
                    v = v * 10 + static_cast<std::uint64_t>(c - '0');
                    if (v > std::numeric_limits<std::uint32_t>::max()) {
                        v = std::numeric_limits<std::uint32_t>::max();  // past any list's end
                    }
                }
                e.index = static_cast<std::uint32_t>(v);
                advance();
                if (!expect(token_kind::rbracket))
                    return false;
            }
            // A path only grows right after it was parsed (or its closing parenthesis), so its
            // elements are the last ones.
            st_.raw.push_back(e);
            ++st_.raw_paths[st_.nodes[n].ref].count;
            st_.nodes[n].end = prev_end_;
        }
        return true;
    }

    // A value placeholder; the node's span is the placeholder, resolved by the analyser.
    std::uint32_t add_value_node() {
        const std::uint32_t begin = cur_.begin;
        advance();
        return add_node(node_kind::value, 0, 0, st_.stack.size(), begin);
    }

    // ---- operands (all grammars) ----------------------------------------------------------

    // name '(' args ')': the current token is the name, the next one '('.
    std::uint32_t parse_call() {
        const std::uint32_t begin = cur_.begin;
        const std::uint32_t name_end = cur_.end;  // node.ref: the name is [begin, ref)
        const function_id f = function_from_name(lex_.spelling(cur_));
        advance();  // name
        advance();  // (
        if (!enter())
            return npos;
        ++st_.operator_count;
        const std::size_t mark = st_.stack.size();
        for (;;) {
            const std::uint32_t arg =
                p_.kind == expression_kind::update ? parse_update_arg() : parse_operand_parens();
            if (failed())
                return npos;
            st_.stack.push_back(arg);
            if (at(token_kind::comma)) {
                advance();
                continue;
            }
            if (!expect(token_kind::rparen))
                return npos;
            break;
        }
        leave();
        return add_node(node_kind::call, static_cast<std::uint8_t>(f), name_end, mark, begin);
    }

    bool call_follows() const {
        return is_name(cur_) && lex_.scan(cur_.end).kind == token_kind::lparen;
    }

    // A condition operand: path, :value or function call.
    std::uint32_t parse_operand() {
        if (at(token_kind::value_placeholder))
            return add_value_node();
        if (call_follows())
            return parse_call();
        if (at(token_kind::name_placeholder) || is_name(cur_))
            return parse_path();
        return fail();
    }

    // operand' := '(' operand' ')' [path tail] | operand
    std::uint32_t parse_operand_parens() {
        if (!at(token_kind::lparen))
            return parse_operand();
        advance();
        if (!enter())
            return npos;
        const std::uint32_t inner = parse_operand_parens();
        if (failed() || !expect(token_kind::rparen))
            return npos;
        leave();
        return close_paren(inner);
    }

    // Counts one pair of parentheses around `n`, and lets a grouped path continue.
    std::uint32_t close_paren(std::uint32_t n) {
        node& x = st_.nodes[n];
        if (++x.parens >= 2)
            facts_.redundant_parens = true;
        if (x.kind == node_kind::path && (at(token_kind::dot) || at(token_kind::lbracket))) {
            x.parens = 0;  // the parentheses grouped a prefix of a longer path
            if (!parse_path_tail(n))
                return npos;
        }
        return n;
    }

    // ---- conditions -----------------------------------------------------------------------

    void parse_condition_root() {
        const parsed r = parse_or(false);
        if (failed())
            return;
        if (!at(token_kind::eof)) {
            fail();
            return;
        }
        p_.root = r.node;
    }

    parsed parse_or(bool allow_operand) {
        const std::uint32_t begin = cur_.begin;
        parsed lhs = parse_and(allow_operand);
        if (failed() || lhs.what == shape::operand)
            return lhs;
        while (at_keyword("OR")) {
            advance();
            ++st_.operator_count;
            const parsed rhs = parse_and(false);
            if (failed())
                return {};
            lhs = {add_binary(node_kind::or_, 0, lhs.node, rhs.node, begin), shape::condition};
        }
        return lhs;
    }

    parsed parse_and(bool allow_operand) {
        const std::uint32_t begin = cur_.begin;
        parsed lhs = parse_not(allow_operand);
        if (failed() || lhs.what == shape::operand)
            return lhs;
        while (at_keyword("AND")) {
            advance();
            ++st_.operator_count;
            const parsed rhs = parse_not(false);
            if (failed())
                return {};
            lhs = {add_binary(node_kind::and_, 0, lhs.node, rhs.node, begin), shape::condition};
        }
        return lhs;
    }

    parsed parse_not(bool allow_operand) {
        if (!at_keyword("NOT"))
            return parse_primary(allow_operand);
        const std::uint32_t begin = cur_.begin;
        advance();
        ++st_.operator_count;
        if (!enter())
            return {};
        const parsed x = parse_not(false);
        if (failed())
            return {};
        leave();
        const std::size_t mark = st_.stack.size();
        st_.stack.push_back(x.node);
        return {add_node(node_kind::not_, 0, 0, mark, begin), shape::condition};
    }

    parsed parse_primary(bool allow_operand) {
        if (at(token_kind::lparen)) {
            advance();
            if (!enter())
                return {};
            parsed inner = parse_or(true);
            if (failed() || !expect(token_kind::rparen))
                return {};
            leave();
            inner.node = close_paren(inner.node);
            if (failed())
                return {};
            if (inner.what == shape::condition)
                return inner;
            return finish_comparison(inner, allow_operand);
        }
        const std::uint32_t x = parse_operand();
        if (failed())
            return {};
        const bool is_call = st_.nodes[x].kind == node_kind::call;
        return finish_comparison({x, is_call ? shape::call : shape::operand}, allow_operand);
    }

    // After an operand: a comparator, BETWEEN or IN makes it a condition.
    parsed finish_comparison(parsed lhs, bool allow_operand) {
        const std::uint32_t begin = st_.nodes[lhs.node].begin;
        comparator c{};
        bool is_comparator = true;
        switch (cur_.kind) {
            case token_kind::eq:
                c = comparator::eq;
                break;
            case token_kind::ne:
                c = comparator::ne;
                break;
            case token_kind::lt:
                c = comparator::lt;
                break;
            case token_kind::le:
                c = comparator::le;
                break;
            case token_kind::gt:
                c = comparator::gt;
                break;
            case token_kind::ge:
                c = comparator::ge;
                break;
            default:
                is_comparator = false;
                break;
        }
        if (is_comparator) {
            advance();
            ++st_.operator_count;
            const std::uint32_t rhs = parse_operand_parens();
            if (failed())
                return {};
            return {
                add_binary(node_kind::compare, static_cast<std::uint8_t>(c), lhs.node, rhs, begin),
                shape::condition};
        }
        if (at_keyword("BETWEEN")) {
            advance();
            ++st_.operator_count;
            const std::size_t mark = st_.stack.size();
            st_.stack.push_back(lhs.node);
            const std::uint32_t lower = parse_operand_parens();
            if (failed())
                return {};
            st_.stack.push_back(lower);
            if (!at_keyword("AND")) {
                fail();
                return {};
            }
            advance();
            const std::uint32_t upper = parse_operand_parens();
            if (failed())
                return {};
            st_.stack.push_back(upper);
            return {add_node(node_kind::between, 0, 0, mark, begin), shape::condition};
        }
        if (at_keyword("IN")) {
            advance();
            ++st_.operator_count;
            if (!expect(token_kind::lparen))
                return {};
            const std::size_t mark = st_.stack.size();
            st_.stack.push_back(lhs.node);
            for (;;) {
                const std::uint32_t v = parse_operand_parens();
                if (failed())
                    return {};
                st_.stack.push_back(v);
                if (at(token_kind::comma)) {
                    advance();
                    continue;
                }
                if (!expect(token_kind::rparen))
                    return {};
                break;
            }
            const auto operands = static_cast<std::uint32_t>(st_.stack.size() - mark);
            if (operands > st_.max_in_operands)
                st_.max_in_operands = operands;
            return {add_node(node_kind::in, 0, 0, mark, begin), shape::condition};
        }
        if (lhs.what == shape::call)
            return lhs;
        if (!allow_operand) {
            fail();
            return {};
        }
        return lhs;
    }

    // ---- updates --------------------------------------------------------------------------

    void parse_update() {
        std::uint32_t seen = 0;  // bit per section
        for (;;) {
            int section = -1;
            if (at_keyword("SET")) {
                section = 0;
            } else if (at_keyword("REMOVE")) {
                section = 1;
            } else if (at_keyword("ADD")) {
                section = 2;
            } else if (at_keyword("DELETE")) {
                section = 3;
            }
            if (section < 0) {
                fail();
                return;
            }
            static constexpr std::string_view section_names[] = {"SET", "REMOVE", "ADD", "DELETE"};
            if ((seen & (1u << section)) != 0 && facts_.repeated_section.empty()) {
                facts_.repeated_section = section_names[section];
            }
            seen |= 1u << section;
            advance();
            for (;;) {
                parse_action(static_cast<action_kind>(section));
                if (failed())
                    return;
                if (!at(token_kind::comma))
                    break;
                advance();
            }
            if (at(token_kind::eof))
                return;
        }
    }

    void parse_action(action_kind kind) {
        const std::uint32_t path_node = parse_path();
        if (failed())
            return;
        update_action a;
        a.kind = kind;
        a.path = st_.nodes[path_node].ref;
        switch (kind) {
            case action_kind::set:
                if (!expect(token_kind::eq))
                    return;
                a.value = parse_set_value();
                break;
            case action_kind::remove:
                break;
            case action_kind::add:
            case action_kind::del:
                if (!at(token_kind::value_placeholder)) {
                    fail();
                    return;
                }
                a.value = add_value_node();
                break;
        }
        if (failed())
            return;
        p_.actions.push_back(a);
    }

    // value := term [('+' | '-') term']; `arith` tells whether the result is a + or - node.
    std::uint32_t parse_set_value(bool* arith = nullptr) {
        const std::uint32_t begin = cur_.begin;
        bool lhs_arith = false;
        const std::uint32_t lhs = parse_set_term(true, &lhs_arith);
        if (failed())
            return npos;
        if (!at(token_kind::plus) && !at(token_kind::minus)) {
            if (arith != nullptr)
                *arith = lhs_arith;
            return lhs;
        }
        if (lhs_arith)
            return fail();  // "(a + b) + c": one operator per value
        const node_kind k = at(token_kind::plus) ? node_kind::plus : node_kind::minus;
        advance();
        ++st_.operator_count;
        const std::uint32_t rhs = parse_set_term(false, nullptr);
        if (failed())
            return npos;
        if (arith != nullptr)
            *arith = true;
        return add_binary(k, 0, lhs, rhs, begin);
    }

    std::uint32_t parse_set_term(bool allow_arith, bool* arith) {
        if (!at(token_kind::lparen))
            return parse_update_operand();
        advance();
        if (!enter())
            return npos;
        const std::uint32_t inner =
            allow_arith ? parse_set_value(arith) : parse_set_term(false, nullptr);
        if (failed() || !expect(token_kind::rparen))
            return npos;
        leave();
        return inner;
    }

    std::uint32_t parse_update_operand() {
        if (at(token_kind::value_placeholder))
            return add_value_node();
        if (call_follows())
            return parse_call();
        if (at(token_kind::name_placeholder) || is_name(cur_))
            return parse_path();
        return fail();
    }

    std::uint32_t parse_update_arg() {
        if (!at(token_kind::lparen))
            return parse_update_operand();
        advance();
        if (!enter())
            return npos;
        const std::uint32_t inner = parse_update_arg();
        if (failed() || !expect(token_kind::rparen))
            return npos;
        leave();
        return inner;
    }

    // ---- projections ----------------------------------------------------------------------

    void parse_projection() {
        for (;;) {
            const std::uint32_t n = parse_path();
            if (failed())
                return;
            p_.actions.push_back({action_kind::set, st_.nodes[n].ref, 0});
            if (at(token_kind::comma)) {
                advance();
                continue;
            }
            if (!at(token_kind::eof))
                fail();
            return;
        }
    }

    program& p_;
    compile_scratch& st_;
    parse_facts& facts_;
    lexer lex_;
    token cur_;
    bool has_prev_ = false;
    std::uint32_t prev_begin_ = 0;
    std::uint32_t prev_end_ = 0;
    int depth_ = 0;
    std::optional<std::string> error_;
};

}  // namespace

std::optional<std::string> parse_expression(program& p, compile_scratch& scratch,
                                            parse_facts& facts) {
    parser ps(p, scratch, facts);
    return ps.run();
}

}  // namespace esser::emulator::expression_detail

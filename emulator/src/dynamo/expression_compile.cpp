// Compilation of a request's expressions: limits, parsing, semantic analysis with AWS's error
// priorities, placeholder resolution, the KeyConditionExpression structure, unused placeholders
// (spec/dynamodb-api.md §4.1-§4.8).
//
// Error priorities follow dynalite's parsers (db/*Parser.pegjs), whose tests ran against AWS:
// within one expression, every syntax error comes first; then, for conditions, redundant
// parentheses, unknown functions, misused functions, reserved words, and last the first
// condition (comparison, BETWEEN, IN or function) that has a problem, reporting within it an
// undefined placeholder before a wrong operand count before non-distinct operands before an
// operand type. Updates: reserved words, unknown functions, misused functions, repeated
// sections, undefined names, undefined values, overlapping paths, conflicting paths, ADD/DELETE
// operand types, function problems. Projections: reserved words, undefined names, overlap,
// conflict. In each category the first problem in source order (post-order) wins.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <unordered_map>

#include "expression_ast.hpp"
#include "expression_lexer.hpp"
#include "expression_parser.hpp"

#include "esser/emulator/dynamo/expression.hpp"
#include "esser/emulator/dynamo/reserved_words.hpp"

namespace esser::emulator::expression_detail {

std::string_view kind_name(expression_kind k) noexcept {
    switch (k) {
        case expression_kind::condition:
            return "Condition";
        case expression_kind::update:
            return "Update";
        case expression_kind::key_condition:
            return "KeyCondition";
        case expression_kind::filter:
            return "Filter";
        case expression_kind::projection:
            return "Projection";
    }
    return "Condition";
}

namespace {
constexpr std::array<std::string_view, 8> function_names = {
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
    "if_not_exists",    "list_append"};
}  // namespace

function_id function_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < function_names.size(); ++i) {
        if (function_names[i] == name)
            return static_cast<function_id>(i);
    }
    return function_id::unknown;
}

std::string_view function_name(function_id f) noexcept {
    const auto i = static_cast<std::size_t>(f);
    return i < function_names.size() ? function_names[i] : std::string_view("unknown");
}

std::string_view comparator_text(comparator c) noexcept {
    switch (c) {
        case comparator::eq:
            return "=";
        case comparator::ne:
            return "<>";
        case comparator::lt:
            return "<";
        case comparator::le:
            return "<=";
        case comparator::gt:
            return ">";
        case comparator::ge:
            return ">=";
    }
    return "=";
}

namespace {

constexpr std::size_t max_expression_size = 4096;
constexpr std::uint32_t max_operators = 300;
constexpr std::uint32_t max_in_operands = 100;

// ExpressionAttributeNames / ExpressionAttributeValues of a request, and which were used.
class placeholder_table {
public:
    explicit placeholder_table(expression_source& src) : values_(src.values) {
        names_ = std::move(src.names);
        std::sort(names_.begin(), names_.end());
        names_used_.assign(names_.size(), false);
        values_used_.assign(values_.size(), false);
    }

    const std::string_view* name(std::string_view key) {
        auto it = std::lower_bound(names_.begin(), names_.end(), key,
                                   [](const auto& e, std::string_view k) { return e.first < k; });
        if (it == names_.end() || it->first != key)
            return nullptr;
        const auto index = static_cast<std::uint32_t>(it - names_.begin());
        names_used_[index] = true;
        name_log_.push_back(index);
        return &it->second;
    }

    const std::vector<std::pair<std::string_view, std::string_view>>& names() const {
        return names_;
    }

    // Indexes into names() of every successful lookup, in order (duplicates included).
    std::vector<std::uint32_t>& name_log() { return name_log_; }

    void mark_name_used(std::uint32_t index) { names_used_[index] = true; }

    const attribute_value* value(std::string_view key) {
        const auto& entries = values_.entries();
        auto it = std::lower_bound(entries.begin(), entries.end(), key,
                                   [](const auto& e, std::string_view k) { return e.first < k; });
        if (it == entries.end() || it->first != key)
            return nullptr;
        values_used_[static_cast<std::size_t>(it - entries.begin())] = true;
        return &it->second;
    }

    // "keys: {#a, #b}" of the unused ones, or nullopt.
    std::optional<std::string> unused_names() const {
        std::string keys;
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (names_used_[i])
                continue;
            if (!keys.empty())
                keys += ", ";
            append_utf8(keys, names_[i].first);
        }
        if (keys.empty())
            return std::nullopt;
        return "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys +
               "}";
    }

    std::optional<std::string> unused_values() const {
        std::string keys;
        const auto& entries = values_.entries();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (values_used_[i])
                continue;
            if (!keys.empty())
                keys += ", ";
            append_utf8(keys, entries[i].first);
        }
        if (keys.empty())
            return std::nullopt;
        return "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys +
               "}";
    }

private:
    std::vector<std::pair<std::string_view, std::string_view>> names_;
    std::vector<bool> names_used_;
    std::vector<std::uint32_t> name_log_;
    const attribute_map& values_;
    std::vector<bool> values_used_;
};

using slot = std::optional<std::string>;

void note(slot& s, std::string message) {
    if (!s)
        s = std::move(message);
}

std::string operand_type_message(std::string_view function, std::string_view type) {
    std::string m = "Incorrect operand type for operator or function; operator or function: ";
    m += function;
    m += ", operand type: ";
    m += type;
    return m;
}

// "{N:1}", "{S:a}" as in the BETWEEN bound messages.
std::string bound_text(const attribute_value& v) {
    std::string out = "AttributeValue: {";
    out += type_tag(v.type());
    out += ':';
    switch (v.type()) {
        case value_type::S:
            append_utf8(out, v.as_s());
            break;
        case value_type::N:
            out += v.as_n().to_string();
            break;
        case value_type::B: {
            static constexpr char digits[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            const std::string& b = v.as_b();
            std::size_t i = 0;
            for (; i + 2 < b.size(); i += 3) {
                const auto n = (static_cast<unsigned char>(b[i]) << 16) |
                               (static_cast<unsigned char>(b[i + 1]) << 8) |
                               static_cast<unsigned char>(b[i + 2]);
                out += digits[(n >> 18) & 63];
                out += digits[(n >> 12) & 63];
                out += digits[(n >> 6) & 63];
                out += digits[n & 63];
            }
            if (i + 1 == b.size()) {
                const auto n = static_cast<unsigned char>(b[i]) << 16;
                out += digits[(n >> 18) & 63];
                out += digits[(n >> 12) & 63];
                out += "==";
            } else if (i + 2 == b.size()) {
                const auto n = (static_cast<unsigned char>(b[i]) << 16) |
                               (static_cast<unsigned char>(b[i + 1]) << 8);
                out += digits[(n >> 18) & 63];
                out += digits[(n >> 12) & 63];
                out += digits[(n >> 6) & 63];
                out += '=';
            }
            break;
        }
        default:
            break;  // only S, N and B reach the messages that use this
    }
    out += '}';
    return out;
}

bool orderable(value_type t) {
    return t == value_type::S || t == value_type::N || t == value_type::B;
}

std::string overlap_message(bool conflict, const document_path& one, const document_path& two) {
    std::string m = conflict ? "Two document paths conflict with each other; "
                             : "Two document paths overlap with each other; ";
    m += "must remove or rewrite one of these paths; path one: ";
    m += one.to_string();
    m += ", path two: ";
    m += two.to_string();
    return m;
}

// Compares `path` with `earlier`: returns 1 for an overlap (one is a prefix of the other),
// 2 for a conflict (a map step and a list step at the same place), 0 otherwise.
int compare_targets(const document_path& earlier, const document_path& path) {
    const auto& a = earlier.elements();
    const auto& b = path.elements();
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i].is_index != b[i].is_index)
            return 2;
        if (a[i].is_index ? a[i].index != b[i].index : a[i].name != b[i].name)
            return 0;
    }
    return 1;
}

// The static types of a call's arguments, without a heap allocation for the usual 1-3.
class type_list {
public:
    void push_back(std::optional<value_type> t) {
        if (size_ < inline_.size()) {
            inline_[size_] = t;
        } else {
            if (heap_.empty())
                heap_.assign(inline_.begin(), inline_.end());
            heap_.push_back(t);
        }
        ++size_;
    }

    std::optional<value_type> operator[](std::size_t i) const {
        return size_ <= inline_.size() ? inline_[i] : heap_[i];
    }

    std::size_t size() const { return size_; }

private:
    std::array<std::optional<value_type>, 4> inline_{};
    std::vector<std::optional<value_type>> heap_;
    std::size_t size_ = 0;
};

// Checks one parsed program and resolves it. Returns the problem (without the kind prefix).
class analyzer {
public:
    analyzer(program& p, const compile_scratch& st, placeholder_table& table,
             const parse_facts& facts)
        : p_(p), st_(st), table_(table), facts_(facts) {}

    slot run() {
        // Placeholder values: p.values gets one slot per value node, in node order.
        switch (p_.kind) {
            case expression_kind::condition:
            case expression_kind::filter:
            case expression_kind::key_condition:
                return run_condition();
            case expression_kind::update:
                return run_update();
            case expression_kind::projection:
                return run_projection();
        }
        return std::nullopt;
    }

private:
    // ---- shared ---------------------------------------------------------------------------

    // Resolves path `i`; undefined names go to `undefined_slot`.
    void resolve_path(std::uint32_t i, slot& reserved, slot& undefined_slot) {
        const element_range raw = st_.raw_paths[i];
        const auto first = static_cast<std::uint32_t>(p_.elements.size());
        for (std::uint32_t k = 0; k < raw.count; ++k) {
            const raw_element& e = st_.raw[raw.first + k];
            switch (e.kind) {
                case raw_element::identifier: {
                    const std::string_view word = st_.source(e.begin, e.end);
                    if (is_reserved_word(word)) {
                        std::string m = "Attribute name is a reserved keyword; reserved keyword: ";
                        m += word;
                        note(reserved, std::move(m));
                    }
                    p_.elements.push_back(path_element::key(std::string(word)));
                    break;
                }
                case raw_element::placeholder: {
                    const std::string_view key = st_.source(e.begin, e.end);
                    const std::string_view* name = table_.name(key);
                    if (name == nullptr) {
                        std::string m =
                            "An expression attribute name used in the document path is not "
                            "defined; attribute name: ";
                        m += key;
                        note(undefined_slot, std::move(m));
                        p_.elements.push_back(path_element::key(std::string(key)));
                    } else {
                        p_.elements.push_back(path_element::key(std::string(*name)));
                    }
                    break;
                }
                case raw_element::list_index:
                    p_.elements.push_back(path_element::at(e.index));
                    break;
            }
        }
        p_.paths[i] = {first, raw.count};
        const auto path = p_.path(i);
        p_.attributes.push_back(path.front().name);
        if (path.size() > 1)
            p_.nested_attributes.push_back(path.front().name);
    }

    // Resolves value node `n` into p.values; returns its type, or nullopt when undefined.
    std::optional<value_type> resolve_value(std::uint32_t n, slot& undefined_slot) {
        node& x = p_.nodes[n];
        const std::string_view key = st_.source(x.begin, x.end);
        const attribute_value* v = table_.value(key);
        if (v == nullptr) {
            std::string m =
                "An expression attribute value used in expression is not defined; attribute "
                "value: ";
            m += key;
            note(undefined_slot, std::move(m));
            x.ref = std::numeric_limits<std::uint32_t>::max();
            return std::nullopt;
        }
        p_.values.push_back(*v);
        x.ref = static_cast<std::uint32_t>(p_.values.size() - 1);
        return v->type();
    }

    const attribute_value* constant(std::uint32_t n) const {
        const node& x = p_.nodes[n];
        if (x.kind != node_kind::value || x.ref >= p_.values.size())
            return nullptr;
        return &p_.values[x.ref];
    }

    bool is_path(std::uint32_t n) const { return p_.nodes[n].kind == node_kind::path; }

    std::span<const path_element> path_of(std::uint32_t n) const {
        return p_.path(p_.nodes[n].ref);
    }

    function_id function_of(std::uint32_t n) const {
        return static_cast<function_id>(p_.nodes[n].op);
    }

    bool is_call(std::uint32_t n, function_id f) const {
        return p_.nodes[n].kind == node_kind::call && function_of(n) == f;
    }

    std::string call_name(std::uint32_t n) const {
        return std::string(st_.source(p_.nodes[n].begin, p_.nodes[n].ref));
    }

    std::string misused_message(std::uint32_t call) const {
        return "The function is not allowed to be used this way in an expression; function: " +
               call_name(call);
    }

    void finish_attributes() {
        for (auto* v : {&p_.attributes, &p_.nested_attributes}) {
            std::sort(v->begin(), v->end());
            v->erase(std::unique(v->begin(), v->end()), v->end());
        }
    }

    // ---- conditions -----------------------------------------------------------------------

    enum global_category { g_parens, g_unknown_function, g_misused, g_reserved, g_condition, g_n };

    enum leaf_category { l_undefined, l_operands, l_distinct, l_function, l_n };

    slot run_condition() {
        check_size_alone(p_.root);
        condition(p_.root);
        finish_attributes();
        if (facts_.redundant_parens)
            return "The expression has redundant parentheses;";
        for (int c = g_unknown_function; c < g_n; ++c) {
            if (global_[c])
                return std::move(global_[c]);
        }
        return std::nullopt;
    }

    // size() alone is not a condition.
    void check_size_alone(std::uint32_t n) {
        if (is_call(n, function_id::size))
            note(global_[g_misused], misused_message(n));
    }

    void condition(std::uint32_t n) {
        const node& x = p_.nodes[n];
        switch (x.kind) {
            case node_kind::and_:
            case node_kind::or_:
            case node_kind::not_:
                for (std::uint32_t k : p_.kids_of(x)) {
                    check_size_alone(k);
                    condition(k);
                }
                return;
            default:
                break;
        }
        leaf_ = {};
        leaf(n);
        if (!global_[g_condition]) {
            for (auto& s : leaf_) {
                if (s) {
                    global_[g_condition] = std::move(s);
                    break;
                }
            }
        }
    }

    // A comparison, BETWEEN, IN or function call used as a condition.
    void leaf(std::uint32_t n) {
        const node& x = p_.nodes[n];
        if (x.kind == node_kind::call) {
            operand(n);
            return;
        }
        const auto kids = p_.kids_of(x);
        for (std::uint32_t k : kids) (void)operand(k);
        for (std::uint32_t k : kids) {
            if (p_.nodes[k].kind == node_kind::call && function_of(k) != function_id::size) {
                note(global_[g_misused], misused_message(k));
            }
        }
        if (x.kind == node_kind::compare) {
            const auto c = static_cast<comparator>(x.op);
            check_distinct(comparator_text(c), kids[0], kids[1]);
            if (c != comparator::eq && c != comparator::ne) {
                for (std::uint32_t k : kids) {
                    const attribute_value* v = constant(k);
                    if (v != nullptr && !orderable(v->type())) {
                        note(leaf_[l_function],
                             operand_type_message(comparator_text(c), type_tag(v->type())));
                    }
                }
            }
        } else if (x.kind == node_kind::between) {
            check_between(kids);
        }
    }

    void check_distinct(std::string_view op, std::uint32_t a, std::uint32_t b) {
        if (!is_path(a) || !is_path(b) || !std::ranges::equal(path_of(a), path_of(b)))
            return;
        std::string m =
            "The first operand must be distinct from the remaining operands for this operator or "
            "function; operator: ";
        m += op;
        m += ", first operand: ";
        m += path_to_string(path_of(a));
        note(leaf_[l_distinct], std::move(m));
    }

    void check_between(std::span<const std::uint32_t> kids) {
        for (std::uint32_t k : kids) {
            const attribute_value* v = constant(k);
            if (v != nullptr && !orderable(v->type())) {
                note(leaf_[l_function], operand_type_message("BETWEEN", type_tag(v->type())));
                return;
            }
        }
        const attribute_value* lower = constant(kids[1]);
        const attribute_value* upper = constant(kids[2]);
        if (lower == nullptr || upper == nullptr)
            return;
        if (lower->type() != upper->type()) {
            note(leaf_[l_function],
                 "The BETWEEN operator requires same data type for lower and upper bounds; lower "
                 "bound operand: " +
                     bound_text(*lower) + ", upper bound operand: " + bound_text(*upper));
        } else if (compare_scalars(*lower, *upper) == std::strong_ordering::greater) {
            note(leaf_[l_function],
                 "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                 "bound; lower bound operand: " +
                     bound_text(*lower) + ", upper bound operand: " + bound_text(*upper));
        }
    }

    // An operand of a condition; returns its static type when known (constants, size()).
    std::optional<value_type> operand(std::uint32_t n) {
        const node& x = p_.nodes[n];
        switch (x.kind) {
            case node_kind::path:
                resolve_path(x.ref, global_[g_reserved], leaf_[l_undefined]);
                return std::nullopt;
            case node_kind::value:
                return resolve_value(n, leaf_[l_undefined]);
            case node_kind::call:
                return call(n);
            default:
                return std::nullopt;  // the parser puts no conditions in operand places
        }
    }

    std::optional<value_type> call(std::uint32_t n) {
        const node x = p_.nodes[n];
        const auto args = p_.kids_of(x);
        type_list types;
        for (std::uint32_t a : args) types.push_back(operand(a));
        for (std::uint32_t a : args) {
            if (p_.nodes[a].kind == node_kind::call && function_of(a) != function_id::size) {
                note(global_[g_misused], misused_message(a));
            }
        }
        const function_id f = function_of(n);
        if (f == function_id::unknown) {
            note(global_[g_unknown_function], "Invalid function name; function: " + call_name(n));
            return std::nullopt;
        }
        if (f == function_id::if_not_exists || f == function_id::list_append) {
            note(global_[g_misused], misused_message(n));
            return std::nullopt;
        }
        static constexpr std::size_t arity[] = {1, 1, 2, 2, 2, 1};
        const std::size_t expected = arity[static_cast<std::size_t>(f)];
        if (args.size() != expected) {
            note(leaf_[l_operands],
                 "Incorrect number of operands for operator or function; operator or function: " +
                     call_name(n) + ", number of operands: " + std::to_string(args.size()));
            return std::nullopt;
        }
        if (expected == 2)
            check_distinct(call_name(n), args[0], args[1]);
        switch (f) {
            case function_id::attribute_exists:
            case function_id::attribute_not_exists:
                if (!is_path(args[0])) {
                    note(leaf_[l_function],
                         "Operator or function requires a document path; operator or function: " +
                             call_name(n));
                }
                return value_type::BOOL;
            case function_id::begins_with:
                for (std::size_t i = 0; i < types.size(); ++i) {
                    const auto t = types[i];
                    if (t && *t != value_type::S && *t != value_type::B) {
                        note(leaf_[l_function], operand_type_message(call_name(n), type_tag(*t)));
                        break;
                    }
                }
                return value_type::BOOL;
            case function_id::attribute_type: {
                if (!types[1] || *types[1] != value_type::S) {
                    note(leaf_[l_function],
                         operand_type_message(
                             call_name(n),
                             types[1] ? type_tag(*types[1]) : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"));
                    return value_type::BOOL;
                }
                const attribute_value* t = constant(args[1]);
                if (t != nullptr && !valid_type_name(t->as_s())) {
                    std::string m = "Invalid attribute type name found; type: ";
                    append_utf8(m, t->as_s());
                    m += ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}";
                    note(leaf_[l_function], std::move(m));
                }
                return value_type::BOOL;
            }
            case function_id::size:
                if (types[0] && (*types[0] == value_type::N || *types[0] == value_type::BOOL ||
                                 *types[0] == value_type::NUL)) {
                    note(leaf_[l_function],
                         operand_type_message(call_name(n), type_tag(*types[0])));
                    return std::nullopt;
                }
                return value_type::N;
            default:
                return value_type::BOOL;  // contains
        }
    }

    static bool valid_type_name(std::string_view s) {
        for (std::string_view t : {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}) {
            if (s == t)
                return true;
        }
        return false;
    }

    // ---- updates --------------------------------------------------------------------------

    enum update_category {
        u_reserved,
        u_unknown_function,
        u_misused,
        u_section,
        u_undefined_name,
        u_undefined_value,
        u_overlap,
        u_conflict,
        u_operand,
        u_function,
        u_n
    };

    slot run_update() {
        if (!facts_.repeated_section.empty()) {
            update_[u_section] = "The \"" + facts_.repeated_section +
                                 "\" section can only be used once in an update expression;";
        }
        for (const update_action& a : p_.actions) {
            resolve_path(a.path, update_[u_reserved], update_[u_undefined_name]);
            if (a.kind == action_kind::set) {
                set_value(a.value);
            } else if (a.kind == action_kind::add || a.kind == action_kind::del) {
                const auto t = resolve_value(a.value, update_[u_undefined_value]);
                if (t)
                    check_add_delete_operand(a.kind, *t);
            }
            check_target(a.path);
            const auto t = p_.path(a.path);
            p_.targets.emplace_back(std::vector<path_element>(t.begin(), t.end()));
        }
        finish_attributes();
        for (auto& s : update_) {
            if (s)
                return std::move(s);
        }
        return std::nullopt;
    }

    void check_add_delete_operand(action_kind kind, value_type t) {
        const bool ok = t == value_type::SS || t == value_type::NS || t == value_type::BS ||
                        (kind == action_kind::add && t == value_type::N);
        if (ok)
            return;
        std::string m = "Incorrect operand type for operator or function; operator: ";
        m += kind == action_kind::add ? "ADD" : "DELETE";
        m += ", operand type: ";
        m += type_description(t);
        note(update_[u_operand], std::move(m));
    }

    // Overlap/conflict of a new target with the earlier ones (first overlap wins).
    void check_target(std::uint32_t path) {
        if (update_[u_overlap])
            return;
        const document_path p(
            std::vector<path_element>(p_.path(path).begin(), p_.path(path).end()));
        for (const document_path& earlier : p_.targets) {
            const int r = compare_targets(earlier, p);
            if (r == 2) {
                note(update_[u_conflict], overlap_message(true, earlier, p));
            } else if (r == 1) {
                note(update_[u_overlap], overlap_message(false, earlier, p));
                return;
            }
        }
    }

    // The right-hand side of SET; returns the immediate type of a constant operand.
    std::optional<value_type> set_value(std::uint32_t n) {
        const node x = p_.nodes[n];
        switch (x.kind) {
            case node_kind::path:
                resolve_path(x.ref, update_[u_reserved], update_[u_undefined_name]);
                return std::nullopt;
            case node_kind::value:
                return resolve_value(n, update_[u_undefined_value]);
            case node_kind::plus:
            case node_kind::minus: {
                const auto kids = p_.kids_of(x);
                const auto t1 = set_value(kids[0]);
                const auto t2 = set_value(kids[1]);
                const std::string_view op = x.kind == node_kind::plus ? "+" : "-";
                for (const auto& t : {t1, t2}) {
                    if (t && *t != value_type::N) {
                        note(update_[u_function], operand_type_message(op, type_tag(*t)));
                        break;
                    }
                }
                return std::nullopt;
            }
            case node_kind::call:
                update_call(n);
                return std::nullopt;
            default:
                return std::nullopt;
        }
    }

    void update_call(std::uint32_t n) {
        const node x = p_.nodes[n];
        const auto args = p_.kids_of(x);
        type_list types;
        for (std::uint32_t a : args) types.push_back(set_value(a));
        const function_id f = function_of(n);
        if (f == function_id::unknown) {
            note(update_[u_unknown_function], "Invalid function name; function: " + call_name(n));
            return;
        }
        if (f != function_id::if_not_exists && f != function_id::list_append) {
            note(update_[u_misused], misused_message(n));
            return;
        }
        if (f == function_id::list_append) {
            for (std::uint32_t a : args) {
                if (is_call(a, function_id::list_append))
                    note(update_[u_misused], misused_message(a));
            }
        }
        if (args.size() != 2) {
            note(update_[u_function],
                 "Incorrect number of operands for operator or function; operator or function: " +
                     call_name(n) + ", number of operands: " + std::to_string(args.size()));
            return;
        }
        if (f == function_id::if_not_exists) {
            if (!is_path(args[0])) {
                note(update_[u_function],
                     "Operator or function requires a document path; operator or function: " +
                         call_name(n));
            }
            return;
        }
        for (std::size_t i = 0; i < types.size(); ++i) {
            const auto t = types[i];
            if (t && *t != value_type::L) {
                note(update_[u_function], operand_type_message(call_name(n), type_tag(*t)));
                return;
            }
        }
    }

    // ---- projections ----------------------------------------------------------------------

    slot run_projection() {
        slot reserved, undefined, overlap, conflict;
        for (const update_action& a : p_.actions) resolve_path(a.path, reserved, undefined);
        for (const update_action& a : p_.actions) {
            const document_path p(
                std::vector<path_element>(p_.path(a.path).begin(), p_.path(a.path).end()));
            if (!overlap) {
                for (const document_path& earlier : p_.targets) {
                    const int r = compare_targets(earlier, p);
                    if (r == 2) {
                        note(conflict, overlap_message(true, earlier, p));
                    } else if (r == 1) {
                        note(overlap, overlap_message(false, earlier, p));
                        break;
                    }
                }
            }
            p_.targets.push_back(p);
        }
        for (const document_path& t : p_.targets) p_.sorted_targets.push_back(&t);
        std::sort(p_.sorted_targets.begin(), p_.sorted_targets.end(),
                  [](const document_path* a, const document_path* b) { return path_less(*a, *b); });
        finish_attributes();
        for (slot* s : {&reserved, &undefined, &overlap, &conflict}) {
            if (*s)
                return std::move(*s);
        }
        return std::nullopt;
    }

    program& p_;
    const compile_scratch& st_;
    placeholder_table& table_;
    const parse_facts& facts_;
    std::array<slot, g_n> global_;
    std::array<slot, l_n> leaf_;
    std::array<slot, u_n> update_;
};

// ---- KeyConditionExpression structure (spec §4.4; dynalite convertKeyCondition) ----------

class key_structure {
public:
    explicit key_structure(program& p) : p_(p) {}

    slot run() {
        if (auto e = check(p_.root))
            return e;
        if (p_.key_terms.size() > 2)
            return "Conditions can be of length 1 or 2 only";
        return std::nullopt;
    }

private:
    slot check(std::uint32_t n) {
        const node& x = p_.nodes[n];
        const auto f = static_cast<function_id>(x.op);
        switch (x.kind) {
            case node_kind::or_:
                return "Invalid operator used in KeyConditionExpression: OR";
            case node_kind::not_:
                return "Invalid operator used in KeyConditionExpression: NOT";
            case node_kind::in:
                return "Invalid operator used in KeyConditionExpression: IN";
            case node_kind::compare:
                if (static_cast<comparator>(x.op) == comparator::ne) {
                    return "Invalid operator used in KeyConditionExpression: <>";
                }
                break;
            case node_kind::call:
                if (f == function_id::size) {
                    return "KeyConditionExpressions cannot contain nested operations";
                }
                if (f != function_id::begins_with) {
                    return "Invalid operator used in KeyConditionExpression: " +
                           std::string(function_name(f));
                }
                break;
            default:
                break;
        }
        const auto kids = p_.kids_of(x);
        if (x.kind == node_kind::between && p_.nodes[kids[0]].kind != node_kind::path) {
            return "Invalid condition in KeyConditionExpression: BETWEEN operator must have the "
                   "key attribute as its first operand";
        }
        if (x.kind == node_kind::call && p_.nodes[kids[0]].kind != node_kind::path) {
            return "Invalid condition in KeyConditionExpression: begins_with operator must have "
                   "the key attribute as its first operand";
        }
        std::optional<std::span<const path_element>> attribute;
        std::size_t attribute_index = 0;
        for (std::size_t i = 0; i < kids.size(); ++i) {
            const node& k = p_.nodes[kids[i]];
            if (k.kind == node_kind::path) {
                if (attribute) {
                    return "Invalid condition in KeyConditionExpression: Multiple attribute names "
                           "used in one condition";
                }
                attribute = p_.path(k.ref);
                if (attribute->size() > 1) {
                    return "KeyConditionExpressions cannot have conditions on nested attributes";
                }
                attribute_index = i;
            } else if (k.kind != node_kind::value) {
                if (auto e = check(kids[i]))
                    return e;
            }
        }
        if (x.kind == node_kind::and_)
            return std::nullopt;
        if (!attribute) {
            return "Invalid condition in KeyConditionExpression: No key attribute specified";
        }
        for (const key_term& t : p_.key_terms) {
            if (t.attribute == attribute->front().name) {
                return "KeyConditionExpressions must only contain one condition per key";
            }
        }
        key_term t;
        t.attribute = attribute->front().name;
        if (x.kind == node_kind::compare) {
            auto c = static_cast<comparator>(x.op);
            if (attribute_index != 0) {  // ":v < a" is "a > :v"
                switch (c) {
                    case comparator::lt:
                        c = comparator::gt;
                        break;
                    case comparator::le:
                        c = comparator::ge;
                        break;
                    case comparator::gt:
                        c = comparator::lt;
                        break;
                    case comparator::ge:
                        c = comparator::le;
                        break;
                    default:
                        break;
                }
            }
            switch (c) {
                case comparator::eq:
                    t.op = range_operator::eq;
                    break;
                case comparator::lt:
                    t.op = range_operator::lt;
                    break;
                case comparator::le:
                    t.op = range_operator::le;
                    break;
                case comparator::gt:
                    t.op = range_operator::gt;
                    break;
                case comparator::ge:
                    t.op = range_operator::ge;
                    break;
                case comparator::ne:
                    break;
            }
            t.value1 = p_.nodes[kids[1 - attribute_index]].ref;
        } else if (x.kind == node_kind::between) {
            t.op = range_operator::between;
            t.value1 = p_.nodes[kids[1]].ref;
            t.value2 = p_.nodes[kids[2]].ref;
        } else {
            t.op = range_operator::begins_with;
            t.value1 = p_.nodes[kids[1]].ref;
        }
        p_.key_terms.push_back(std::move(t));
        return std::nullopt;
    }

    program& p_;
};

std::string prefixed(expression_kind k, std::string_view message) {
    std::string m = "Invalid ";
    m += kind_name(k);
    m += "Expression: ";
    m += message;
    return m;
}

// Compiles one expression; returns the full error message on failure.
core::expected<std::shared_ptr<program>, std::string> compile_one(expression_kind kind,
                                                                  std::string_view text,
                                                                  placeholder_table& table) {
    using result = core::expected<std::shared_ptr<program>, std::string>;
    if (text.size() > max_expression_size) {
        return core::unexpected(prefixed(
            kind, "Expression size has exceeded the maximum allowed size; expression size: " +
                      std::to_string(text.size())));
    }
    if (text.empty())
        return core::unexpected(prefixed(kind, "The expression can not be empty;"));
    thread_local compile_scratch st;
    st.reset(text);
    auto p = std::make_shared<program>();
    p->kind = kind;
    parse_facts facts;
    if (auto e = parse_expression(*p, st, facts))
        return core::unexpected(prefixed(kind, *e));
    if (st.operator_count > max_operators) {
        return core::unexpected(
            prefixed(kind, "The expression contains too many operators; operator count: " +
                               std::to_string(st.operator_count)));
    }
    if (st.max_in_operands > max_in_operands) {
        return core::unexpected(prefixed(
            kind, "The IN operator is provided with too many operands; number of operands: " +
                      std::to_string(st.max_in_operands)));
    }
    // Exact-size copies: the program keeps nothing of the parser's spare capacity.
    p->nodes.assign(st.nodes.begin(), st.nodes.end());
    p->kids.assign(st.kids.begin(), st.kids.end());
    p->elements.reserve(st.raw.size());
    p->paths.resize(st.raw_paths.size());
    analyzer a(*p, st, table, facts);
    if (auto e = a.run())
        return core::unexpected(prefixed(kind, *e));
    return result(std::move(p));
}

// ---- a per-thread cache of compiled expressions -------------------------------------------
//
// The engine compiles the expressions of every request; the event store's conditional put
// sends the same `attribute_not_exists(pk)` thousands of times a second. Expressions that use no
// value placeholder compile to a program that depends only on (kind, text, names map), so such
// programs are kept per thread and shared (they are immutable). Programs with values are not
// cached: their checks depend on the values. Per thread, so no lock; bounded, so a stream of
// distinct expressions cannot grow it without limit.

struct cache_view {
    expression_kind kind;
    std::string_view text;
    std::span<const std::pair<std::string_view, std::string_view>> names;
};

struct cache_key {
    expression_kind kind;
    std::string text;
    std::vector<std::pair<std::string, std::string>> names;
};

struct cache_entry {
    std::shared_ptr<const program> compiled;
    std::vector<std::uint32_t> used_names;  // indexes into the (sorted) names map
};

std::size_t hash_view(const cache_view& v) {
    std::size_t h = std::hash<std::string_view>{}(v.text) ^ static_cast<std::size_t>(v.kind);
    for (const auto& [k, n] : v.names) {
        h = h * 1099511628211ull ^ std::hash<std::string_view>{}(k);
        h = h * 1099511628211ull ^ std::hash<std::string_view>{}(n);
    }
    return h;
}

struct cache_hash {
    using is_transparent = void;

    std::size_t operator()(const cache_view& v) const { return hash_view(v); }

    std::size_t operator()(const cache_key& k) const {
        std::vector<std::pair<std::string_view, std::string_view>> names(k.names.begin(),
                                                                         k.names.end());
        return hash_view({k.kind, k.text, names});
    }
};

struct cache_equal {
    using is_transparent = void;

    static bool same(const cache_key& a, const cache_view& b) {
        if (a.kind != b.kind || a.text != b.text || a.names.size() != b.names.size())
            return false;
        for (std::size_t i = 0; i < a.names.size(); ++i) {
            if (a.names[i].first != b.names[i].first || a.names[i].second != b.names[i].second)
                return false;
        }
        return true;
    }

    bool operator()(const cache_key& a, const cache_key& b) const {
        return a.kind == b.kind && a.text == b.text && a.names == b.names;
    }

    bool operator()(const cache_key& a, const cache_view& b) const { return same(a, b); }

    bool operator()(const cache_view& a, const cache_key& b) const { return same(b, a); }
};

constexpr std::size_t cache_capacity = 256;
constexpr std::size_t cacheable_text = 1024;  // longer texts are rare and not worth keeping

using program_cache = std::unordered_map<cache_key, cache_entry, cache_hash, cache_equal>;

program_cache& thread_cache() {
    thread_local program_cache cache;
    return cache;
}

// Compiles through the cache.
core::expected<std::shared_ptr<const program>, std::string> compile_cached(
    expression_kind kind, std::string_view text, placeholder_table& table) {
    const bool cacheable = kind != expression_kind::key_condition && text.size() <= cacheable_text;
    if (!cacheable) {
        auto p = compile_one(kind, text, table);
        if (!p)
            return core::unexpected(std::move(p.error()));
        return std::shared_ptr<const program>(std::move(*p));
    }
    program_cache& cache = thread_cache();
    const cache_view view{kind, text, table.names()};
    if (auto it = cache.find(view); it != cache.end()) {
        for (std::uint32_t i : it->second.used_names) table.mark_name_used(i);
        return it->second.compiled;
    }
    const std::size_t log_mark = table.name_log().size();
    auto p = compile_one(kind, text, table);
    if (!p)
        return core::unexpected(std::move(p.error()));
    std::shared_ptr<const program> shared = std::move(*p);
    if (shared->values.empty()) {
        if (cache.size() >= cache_capacity)
            cache.clear();
        cache_key key{kind, std::string(text), {}};
        key.names.reserve(table.names().size());
        for (const auto& [k, n] : table.names()) key.names.emplace_back(k, n);
        cache_entry entry{shared, {}};
        entry.used_names.assign(table.name_log().begin() + static_cast<std::ptrdiff_t>(log_mark),
                                table.name_log().end());
        cache.emplace(std::move(key), std::move(entry));
    }
    return shared;
}

}  // namespace
}  // namespace esser::emulator::expression_detail

namespace esser::emulator {

using namespace expression_detail;  // NOLINT(google-build-using-namespace): .cpp only

core::expected<compiled_expressions, adapters::aws_error> compile_expressions(
    expression_source source) {
    placeholder_table table(source);
    compiled_expressions out;
    std::shared_ptr<program> key_program;  // still filled in below (key_terms)
    auto fail = [](std::string m) {
        return core::unexpected(adapters::aws_error::validation(std::move(m)));
    };
    // AWS's order: Update, Condition, KeyCondition, Filter, Projection.
    if (source.update) {
        auto p = compile_cached(expression_kind::update, *source.update, table);
        if (!p)
            return fail(std::move(p.error()));
        out.update = access::update(std::move(*p));
    }
    if (source.condition) {
        auto p = compile_cached(expression_kind::condition, *source.condition, table);
        if (!p)
            return fail(std::move(p.error()));
        out.condition = access::condition(std::move(*p));
    }
    if (source.key_condition) {
        auto p = compile_one(expression_kind::key_condition, *source.key_condition, table);
        if (!p)
            return fail(std::move(p.error()));
        key_program = *p;
        out.key_condition = access::key_condition(std::move(*p));
    }
    if (source.filter) {
        auto p = compile_cached(expression_kind::filter, *source.filter, table);
        if (!p)
            return fail(std::move(p.error()));
        out.filter = access::condition(std::move(*p));
    }
    if (source.projection) {
        auto p = compile_cached(expression_kind::projection, *source.projection, table);
        if (!p)
            return fail(std::move(p.error()));
        out.projection = access::projection(std::move(*p));
    }
    if (auto e = table.unused_names())
        return fail(std::move(*e));
    if (auto e = table.unused_values())
        return fail(std::move(*e));
    // The KeyConditionExpression's structure is checked last, after every expression parsed
    // (dynalite query.js runs convertKeyCondition after validateExpressions).
    if (key_program) {
        key_structure k(*key_program);
        if (auto e = k.run())
            return fail(std::move(*e));
    }
    return out;
}

}  // namespace esser::emulator

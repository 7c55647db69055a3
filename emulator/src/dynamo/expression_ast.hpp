#pragma once
// The compiled form of one expression (private to emulator/src/dynamo).
//
// A program is a flat arena: nodes refer to their children through `kids` (contiguous per
// node), to document paths through `paths` and to constants through `values`. The parser builds
// it, the analyser (expression_analyze.cpp) checks it and resolves placeholders, and then it is
// immutable and shared by the public handles of expression.hpp.
//
// Invariants after a successful compile: every path is resolved (no placeholder left), every
// `call` node names a function valid in its position, every value node refers to `values`.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/document_path.hpp"
#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator::expression_detail {

// Which field an expression came from; decides the grammar and the message prefix.
enum class expression_kind : std::uint8_t { condition, update, key_condition, filter, projection };

// "Condition", "Update", "KeyCondition", "Filter", "Projection".
std::string_view kind_name(expression_kind k) noexcept;

enum class node_kind : std::uint8_t {
    path,     // ref: index into program::paths
    value,    // ref: index into program::values
    call,     // op: function_id; kids: the arguments; ref: index into program::names (the name)
    compare,  // op: comparator; kids: lhs, rhs
    between,  // kids: operand, lower, upper
    in,       // kids: operand, then the list (1..)
    and_,     // kids: lhs, rhs
    or_,      // kids: lhs, rhs
    not_,     // kids: operand
    plus,     // (update SET values) kids: lhs, rhs
    minus,    // kids: lhs, rhs
};

enum class function_id : std::uint8_t {
    attribute_exists,
    attribute_not_exists,
    attribute_type,
    begins_with,
    contains,
    size,
    if_not_exists,
    list_append,
    unknown,
};

// Exact, case-sensitive: function names are lower case (§4.3).
function_id function_from_name(std::string_view name) noexcept;
std::string_view function_name(function_id f) noexcept;

enum class comparator : std::uint8_t { eq, ne, lt, le, gt, ge };
std::string_view comparator_text(comparator c) noexcept;

struct node {
    node_kind kind = node_kind::path;
    std::uint8_t op = 0;          // comparator or function_id
    std::uint8_t parens = 0;      // parentheses directly around this node
    std::uint32_t ref = 0;        // path or value index; for a call, the end of its name
    std::uint32_t first_kid = 0;  // into program::kids
    std::uint32_t kid_count = 0;
    std::uint32_t begin = 0;  // source span [begin, end) of the node's tokens
    std::uint32_t end = 0;
};

// A path element as written, before placeholders are resolved.
struct raw_element {
    enum kind_t : std::uint8_t { identifier, placeholder, list_index } kind = identifier;

    std::uint32_t begin = 0;  // source span of the identifier or placeholder
    std::uint32_t end = 0;
    std::uint32_t index = 0;
};

// A run of path elements: [first, first + count).
struct element_range {
    std::uint32_t first = 0;
    std::uint32_t count = 0;
};

enum class action_kind : std::uint8_t { set, remove, add, del };

struct update_action {
    action_kind kind = action_kind::set;
    std::uint32_t path = 0;   // into program::paths
    std::uint32_t value = 0;  // SET: the value node; ADD/DELETE: the value node (a constant)
};

// One key condition after the structural checks of §4.4: `attribute <op> values`.
struct key_term {
    std::string attribute;
    range_operator op = range_operator::none;  // eq, lt, le, gt, ge, between, begins_with
    std::uint32_t value1 = 0;                  // into program::values
    std::uint32_t value2 = 0;                  // BETWEEN's upper bound
};

struct program {
    expression_kind kind = expression_kind::condition;

    std::vector<node> nodes;
    std::vector<std::uint32_t> kids;
    std::vector<path_element> elements;  // every path's elements, resolved
    std::vector<element_range> paths;    // into elements
    std::vector<attribute_value> values;
    std::uint32_t root = 0;  // condition root node

    std::vector<update_action> actions;  // update (and projection paths), in expression order
    std::vector<document_path> targets;  // update targets / projection paths, per action
    std::vector<const document_path*> sorted_targets;  // projection: targets by path_less

    std::vector<key_term> key_terms;  // key condition: one or two terms

    std::vector<std::string> attributes;         // top-level names read or written
    std::vector<std::string> nested_attributes;  // those used with a nested step

    std::span<const std::uint32_t> kids_of(const node& n) const {
        return {kids.data() + n.first_kid, n.kid_count};
    }

    std::span<const path_element> path(std::uint32_t i) const {
        return {elements.data() + paths[i].first, paths[i].count};
    }
};

// What only compilation needs; one per thread, reused so that compiling allocates little.
struct compile_scratch {
    std::string_view text;                 // the expression being compiled
    std::vector<node> nodes;               // parser output, copied into the program
    std::vector<std::uint32_t> kids;       // likewise
    std::vector<std::uint32_t> stack;      // parser: children of nodes being built
    std::vector<raw_element> raw;          // path elements as written
    std::vector<element_range> raw_paths;  // into raw; index = path index
    std::uint32_t operator_count = 0;
    std::uint32_t max_in_operands = 0;

    void reset(std::string_view t) {
        text = t;
        nodes.clear();
        kids.clear();
        stack.clear();
        raw.clear();
        raw_paths.clear();
        operator_count = 0;
        max_in_operands = 0;
    }

    std::string_view source(std::uint32_t begin, std::uint32_t end) const {
        return text.substr(begin, end - begin);
    }
};

// Builds the public handles around a finished program.
struct access {
    static condition_expression condition(std::shared_ptr<const program> p) {
        condition_expression e;
        e.program_ = std::move(p);
        return e;
    }

    static update_expression update(std::shared_ptr<const program> p) {
        update_expression e;
        e.program_ = std::move(p);
        return e;
    }

    static key_condition_expression key_condition(std::shared_ptr<const program> p) {
        key_condition_expression e;
        e.program_ = std::move(p);
        return e;
    }

    static projection_expression projection(std::shared_ptr<const program> p) {
        projection_expression e;
        e.program_ = std::move(p);
        return e;
    }

    template <class Handle>
    static const program& of(const Handle& h) {
        return *h.program_;
    }
};

// Evaluation entry points (expression_eval.cpp).
bool evaluate_condition(const program& p, std::uint32_t node, const attribute_map& item);
// Resolves an operand (path, constant, size(), and for updates the SET value forms) against
// `item`; returns null when it does not exist. `scratch` holds computed values.
const attribute_value* evaluate_operand(const program& p, std::uint32_t node,
                                        const attribute_map& item, attribute_value& scratch);

// Ordering of two values of the same scalar type (S, N, B), or nullopt when they are not both
// S, N or B of one type.
std::optional<std::strong_ordering> compare_scalars(const attribute_value& a,
                                                    const attribute_value& b);

}  // namespace esser::emulator::expression_detail

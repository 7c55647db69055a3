// Evaluation of conditions and filters against an item (spec/dynamodb-api.md §2.5, §4.3), and
// the key-attribute checks that need a table's key schema.

#include <algorithm>
#include <cstring>

#include "expression_ast.hpp"

#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator::expression_detail {

namespace {

std::strong_ordering compare_bytes(const std::string& a, const std::string& b) {
    // std::string compares as unsigned char (char_traits<char>), which is DynamoDB's byte order.
    const int c = a.compare(b);
    return c < 0 ? std::strong_ordering::less
                 : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

// size(): string length in UTF-16 code units (what AWS counts; "é𝄞" is 3), binary length in
// bytes, element count of sets, lists and maps; nothing for N, BOOL and NULL.
std::optional<std::int64_t> size_of(const attribute_value& v) {
    switch (v.type()) {
        case value_type::S: {
            std::int64_t units = 0;
            for (unsigned char c : v.as_s()) {
                if ((c & 0xC0) != 0x80)
                    units += c >= 0xF0 ? 2 : 1;  // 4-byte sequences: pairs
            }
            return units;
        }
        case value_type::B:
            return static_cast<std::int64_t>(v.as_b().size());
        case value_type::SS:
            return static_cast<std::int64_t>(v.as_ss().size());
        case value_type::NS:
            return static_cast<std::int64_t>(v.as_ns().size());
        case value_type::BS:
            return static_cast<std::int64_t>(v.as_bs().size());
        case value_type::L:
            return static_cast<std::int64_t>(v.as_l().size());
        case value_type::M:
            return static_cast<std::int64_t>(v.as_m().size());
        default:
            return std::nullopt;
    }
}

bool contains(const attribute_value& haystack, const attribute_value& needle) {
    switch (haystack.type()) {
        case value_type::S:
            return needle.type() == value_type::S &&
                   haystack.as_s().find(needle.as_s()) != std::string::npos;
        case value_type::B:
            return needle.type() == value_type::B &&
                   haystack.as_b().find(needle.as_b()) != std::string::npos;
        case value_type::SS: {
            if (needle.type() != value_type::S)
                return false;
            const auto& s = haystack.as_ss();
            return std::binary_search(s.begin(), s.end(), needle.as_s());
        }
        case value_type::BS: {
            if (needle.type() != value_type::B)
                return false;
            const auto& s = haystack.as_bs();
            return std::binary_search(s.begin(), s.end(), needle.as_b());
        }
        case value_type::NS: {
            if (needle.type() != value_type::N)
                return false;
            const auto& s = haystack.as_ns();
            return std::binary_search(s.begin(), s.end(), needle.as_n());
        }
        case value_type::L: {
            const auto& l = haystack.as_l();
            return std::find(l.begin(), l.end(), needle) != l.end();
        }
        default:
            return false;
    }
}

bool begins_with(const attribute_value& a, const attribute_value& prefix) {
    if (a.type() != prefix.type())
        return false;
    if (a.type() == value_type::S)
        return a.as_s().starts_with(prefix.as_s());
    if (a.type() == value_type::B)
        return a.as_b().starts_with(prefix.as_b());
    return false;
}

bool compare(comparator c, const attribute_value* a, const attribute_value* b) {
    if (c == comparator::ne)
        return a == nullptr || b == nullptr || !(*a == *b);
    if (a == nullptr || b == nullptr)
        return false;
    if (c == comparator::eq)
        return *a == *b;
    const auto order = compare_scalars(*a, *b);
    if (!order)
        return false;
    switch (c) {
        case comparator::lt:
            return *order < 0;
        case comparator::le:
            return *order <= 0;
        case comparator::gt:
            return *order > 0;
        case comparator::ge:
            return *order >= 0;
        default:
            return false;
    }
}

}  // namespace

std::optional<std::strong_ordering> compare_scalars(const attribute_value& a,
                                                    const attribute_value& b) {
    if (a.type() != b.type())
        return std::nullopt;
    switch (a.type()) {
        case value_type::S:
            return compare_bytes(a.as_s(), b.as_s());
        case value_type::B:
            return compare_bytes(a.as_b(), b.as_b());
        case value_type::N:
            return a.as_n() <=> b.as_n();
        default:
            return std::nullopt;
    }
}

const attribute_value* evaluate_operand(const program& p, std::uint32_t n,
                                        const attribute_map& item, attribute_value& scratch) {
    const node& x = p.nodes[n];
    switch (x.kind) {
        case node_kind::path:
            return resolve_path(p.path(x.ref), item);
        case node_kind::value:
            return &p.values[x.ref];
        case node_kind::call: {
            // Only size() is an operand of a condition (checked at compile time).
            const attribute_value* v = evaluate_operand(p, p.kids[x.first_kid], item, scratch);
            if (v == nullptr)
                return nullptr;
            const auto s = size_of(*v);
            if (!s)
                return nullptr;
            scratch = attribute_value::n(decimal::from_int(*s));
            return &scratch;
        }
        default:
            return nullptr;
    }
}

bool evaluate_condition(const program& p, std::uint32_t n, const attribute_map& item) {
    const node& x = p.nodes[n];
    const auto kids = p.kids_of(x);
    switch (x.kind) {
        case node_kind::and_:
            return evaluate_condition(p, kids[0], item) && evaluate_condition(p, kids[1], item);
        case node_kind::or_:
            return evaluate_condition(p, kids[0], item) || evaluate_condition(p, kids[1], item);
        case node_kind::not_:
            return !evaluate_condition(p, kids[0], item);
        case node_kind::compare: {
            attribute_value s1, s2;
            return compare(static_cast<comparator>(x.op), evaluate_operand(p, kids[0], item, s1),
                           evaluate_operand(p, kids[1], item, s2));
        }
        case node_kind::between: {
            attribute_value s1, s2, s3;
            const attribute_value* v = evaluate_operand(p, kids[0], item, s1);
            const attribute_value* lo = evaluate_operand(p, kids[1], item, s2);
            const attribute_value* hi = evaluate_operand(p, kids[2], item, s3);
            if (v == nullptr || lo == nullptr || hi == nullptr)
                return false;
            const auto a = compare_scalars(*v, *lo);
            const auto b = compare_scalars(*v, *hi);
            return a && b && *a >= 0 && *b <= 0;
        }
        case node_kind::in: {
            attribute_value s1, s2;
            const attribute_value* v = evaluate_operand(p, kids[0], item, s1);
            if (v == nullptr)
                return false;
            for (std::size_t i = 1; i < kids.size(); ++i) {
                const attribute_value* c = evaluate_operand(p, kids[i], item, s2);
                if (c != nullptr && *c == *v)
                    return true;
            }
            return false;
        }
        case node_kind::call: {
            const auto f = static_cast<function_id>(x.op);
            attribute_value s1, s2;
            const attribute_value* a = evaluate_operand(p, kids[0], item, s1);
            switch (f) {
                case function_id::attribute_exists:
                    return a != nullptr;
                case function_id::attribute_not_exists:
                    return a == nullptr;
                default:
                    break;
            }
            const attribute_value* b = evaluate_operand(p, kids[1], item, s2);
            if (a == nullptr || b == nullptr)
                return false;
            switch (f) {
                case function_id::attribute_type:
                    return b->type() == value_type::S && type_tag(a->type()) == b->as_s();
                case function_id::begins_with:
                    return begins_with(*a, *b);
                case function_id::contains:
                    return contains(*a, *b);
                default:
                    return false;
            }
        }
        default:
            return false;
    }
}

}  // namespace esser::emulator::expression_detail

namespace esser::emulator {

using expression_detail::access;

bool condition_expression::evaluate(const attribute_map& item) const {
    const auto& p = access::of(*this);
    return expression_detail::evaluate_condition(p, p.root, item);
}

std::span<const std::string> condition_expression::attributes() const {
    return access::of(*this).attributes;
}

std::span<const std::string> condition_expression::nested_attributes() const {
    return access::of(*this).nested_attributes;
}

std::optional<adapters::aws_error> check_filter_keys(const condition_expression& filter,
                                                     const key_schema& keys) {
    const auto names = filter.attributes();
    auto check = [&](const std::string& key) -> std::optional<adapters::aws_error> {
        if (!std::binary_search(names.begin(), names.end(), key))
            return std::nullopt;
        return adapters::aws_error::validation(
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: " +
            key);
    };
    if (auto e = check(keys.hash.name))
        return e;
    if (keys.range)
        return check(keys.range->name);
    return std::nullopt;
}

std::optional<adapters::aws_error> check_nested_key_paths(
    std::span<const std::string> nested_attributes, const key_schema& table,
    std::span<const index_keys> indexes) {
    auto nested = [&](const std::string& name) {
        return std::find(nested_attributes.begin(), nested_attributes.end(), name) !=
               nested_attributes.end();
    };
    auto message = [](std::string_view what, const std::string& name) {
        std::string m =
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: ";
        m += what;
        m += ": ";
        m += name;
        return adapters::aws_error::validation(std::move(m));
    };
    if (nested(table.hash.name))
        return message("Key", table.hash.name);
    if (table.range && nested(table.range->name))
        return message("Key", table.range->name);
    for (const index_keys& ix : indexes) {
        if (nested(ix.keys->hash.name))
            return message("IndexKey", ix.keys->hash.name);
        if (ix.keys->range && nested(ix.keys->range->name)) {
            return message("IndexKey", ix.keys->range->name);
        }
    }
    return std::nullopt;
}

}  // namespace esser::emulator

// KeyConditionExpression against a key schema (spec/dynamodb-api.md §3.4, §4.4), and the
// projection handle.

#include <algorithm>

#include "expression_ast.hpp"

#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator {

using namespace expression_detail;  // NOLINT(google-build-using-namespace): .cpp only

bool key_condition::matches_range(const attribute_value& sort_key) const {
    if (range == range_operator::none)
        return true;
    if (range == range_operator::begins_with) {
        if (sort_key.type() != lower->type())
            return false;
        if (sort_key.type() == value_type::S)
            return sort_key.as_s().starts_with(lower->as_s());
        if (sort_key.type() == value_type::B)
            return sort_key.as_b().starts_with(lower->as_b());
        return false;
    }
    const auto a = compare_scalars(sort_key, *lower);
    if (!a)
        return false;
    switch (range) {
        case range_operator::eq:
            return *a == 0;
        case range_operator::lt:
            return *a < 0;
        case range_operator::le:
            return *a <= 0;
        case range_operator::gt:
            return *a > 0;
        case range_operator::ge:
            return *a >= 0;
        case range_operator::between: {
            const auto b = compare_scalars(sort_key, *upper);
            return b && *a >= 0 && *b <= 0;
        }
        default:
            return false;
    }
}

core::expected<key_condition, adapters::aws_error> key_condition_expression::resolve(
    const key_schema& keys) const {
    using adapters::aws_error;
    const program& p = access::of(*this);
    auto term_of = [&](const std::string& name) -> const key_term* {
        for (const key_term& t : p.key_terms) {
            if (t.attribute == name)
                return &t;
        }
        return nullptr;
    };
    auto fail = [](std::string m) { return core::unexpected(aws_error::validation(std::move(m))); };
    const std::size_t terms = p.key_terms.size();
    key_condition out;
    // Hash first, then range, as AWS visits the key schema (dynalite actions/query.js).
    for (const key_attribute* k : {&keys.hash, keys.range ? &*keys.range : nullptr}) {
        if (k == nullptr)
            continue;
        const bool is_hash = k == &keys.hash;
        if (is_hash && !keys.range && terms > 1)
            return fail("Query key condition not supported");
        const key_term* t = term_of(k->name);
        if (t == nullptr) {
            if (is_hash || terms > 1) {
                return fail("Query condition missed key schema element: " + k->name);
            }
            continue;
        }
        const attribute_value& v1 = p.values[t->value1];
        const bool type_ok = v1.type() == k->type && (t->op != range_operator::between ||
                                                      p.values[t->value2].type() == k->type);
        if (!type_ok) {
            return fail(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type");
        }
        if (is_hash) {
            if (t->op != range_operator::eq)
                return fail("Query key condition not supported");
            out.hash = &v1;
        } else {
            out.range = t->op;
            out.lower = &v1;
            if (t->op == range_operator::between)
                out.upper = &p.values[t->value2];
        }
    }
    return out;
}

std::span<const std::string> key_condition_expression::attributes() const {
    return access::of(*this).attributes;
}

attribute_map projection_expression::apply(const attribute_map& item) const {
    const program& p = access::of(*this);
    if (p.nested_attributes.empty()) {
        // Only top-level names (the common case on Query/Scan pages): copy them in order.
        // attributes is sorted and unique, so the result is built already sorted.
        attribute_map out;
        out.reserve(p.attributes.size());
        for (const std::string& name : p.attributes) {
            if (const attribute_value* v = item.find(name))
                out.append_sorted(name, *v);
        }
        return out;
    }
    return project_sorted_paths(item, p.sorted_targets);
}

std::span<const document_path> projection_expression::paths() const {
    return access::of(*this).targets;
}

std::span<const std::string> projection_expression::attributes() const {
    return access::of(*this).attributes;
}

std::span<const std::string> projection_expression::nested_attributes() const {
    return access::of(*this).nested_attributes;
}

}  // namespace esser::emulator

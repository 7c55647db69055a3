// Applying an UpdateExpression to an item (spec/dynamodb-api.md §3.3, §4.5).
//
// AWS's semantics, as its tests pin them (alternator test_update_expression.py, dynalite
// test/updateItem.js, both run against AWS):
//  - every operand is read from the old item before anything is written ("SET x = :v, y = x"
//    reads the old x; "REMOVE a SET b = a" copies a);
//  - list indexes refer to the old list: "REMOVE a[1] SET a[3] = :v" replaces the old fourth
//    element and removes the old second one; SET or ADD past the end appends, several appends
//    in index order;
//  - a missing or non-container parent is "The document path provided in the update expression
//    is invalid for update", except that REMOVE on an item that does not exist is a no-op;
//  - REMOVE of a missing member or of an index past the end is a no-op;
//  - DELETE that empties a set removes the attribute; DELETE of a missing attribute is a no-op.
// So the actions run in three phases: values and paths are checked and SET/ADD/DELETE applied
// in expression order (writes to lists past their end are queued), then the queued appends run
// per list in index order, then removals run deepest-and-last first, so that removing an
// element never shifts one that another action still addresses.

#include <algorithm>

#include "expression_ast.hpp"

#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator::expression_detail {

namespace {

using adapters::aws_error;

const char* const incorrect_type = "An operand in the update expression has an incorrect data type";
const char* const missing_attribute =
    "The provided expression refers to an attribute that does not exist in the item";
const char* const invalid_path =
    "The document path provided in the update expression is invalid for update";

// The container that holds a path's last element.
struct parent_ref {
    attribute_map* map = nullptr;
    attribute_value::list_t* list = nullptr;
};

// Null when a step is missing or the parent has the wrong kind for the last step.
std::optional<parent_ref> find_parent(attribute_map& item, const document_path& path) {
    const auto& el = path.elements();
    if (el.size() == 1)
        return parent_ref{&item, nullptr};
    attribute_value* v = item.find(el.front().name);
    for (std::size_t i = 1; v != nullptr && i + 1 < el.size(); ++i) {
        if (el[i].is_index) {
            if (v->type() != value_type::L || el[i].index >= v->as_l().size())
                return std::nullopt;
            v = &v->as_l()[el[i].index];
        } else {
            if (v->type() != value_type::M)
                return std::nullopt;
            v = v->as_m().find(el[i].name);
        }
    }
    if (v == nullptr)
        return std::nullopt;
    if (el.back().is_index) {
        if (v->type() != value_type::L)
            return std::nullopt;
        return parent_ref{nullptr, &v->as_l()};
    }
    if (v->type() != value_type::M)
        return std::nullopt;
    return parent_ref{&v->as_m(), nullptr};
}

attribute_value* child(const parent_ref& parent, const path_element& last) {
    if (parent.map != nullptr)
        return parent.map->find(last.name);
    if (last.index >= parent.list->size())
        return nullptr;
    return &(*parent.list)[last.index];
}

template <class T>
std::vector<T> set_union(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

template <class T>
std::vector<T> set_difference(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

// ADD for sets: both of one set type (checked by the caller).
attribute_value add_sets(const attribute_value& a, const attribute_value& b) {
    switch (a.type()) {
        case value_type::SS:
            return attribute_value::ss(set_union(a.as_ss(), b.as_ss()));
        case value_type::NS:
            return attribute_value::ns(set_union(a.as_ns(), b.as_ns()));
        default:
            return attribute_value::bs(set_union(a.as_bs(), b.as_bs()));
    }
}

// DELETE; nullopt when nothing is left.
std::optional<attribute_value> delete_from_set(const attribute_value& a, const attribute_value& b) {
    switch (a.type()) {
        case value_type::SS: {
            auto v = set_difference(a.as_ss(), b.as_ss());
            if (v.empty())
                return std::nullopt;
            return attribute_value::ss(std::move(v));
        }
        case value_type::NS: {
            auto v = set_difference(a.as_ns(), b.as_ns());
            if (v.empty())
                return std::nullopt;
            return attribute_value::ns(std::move(v));
        }
        default: {
            auto v = set_difference(a.as_bs(), b.as_bs());
            if (v.empty())
                return std::nullopt;
            return attribute_value::bs(std::move(v));
        }
    }
}

core::expected<attribute_value, aws_error> arithmetic(bool plus, const attribute_value& a,
                                                      const attribute_value& b) {
    auto r = plus ? decimal::add(a.as_n(), b.as_n()) : decimal::subtract(a.as_n(), b.as_n());
    if (!r)
        return core::unexpected(aws_error::validation(std::move(r.error())));
    return attribute_value::n(*r);
}

// The value of a SET right-hand side, read from `old`.
core::expected<attribute_value, aws_error> set_value(const program& p, std::uint32_t n,
                                                     const attribute_map& old) {
    const node& x = p.nodes[n];
    const auto kids = p.kids_of(x);
    switch (x.kind) {
        case node_kind::path: {
            const attribute_value* v = resolve_path(p.path(x.ref), old);
            if (v == nullptr)
                return core::unexpected(aws_error::validation(missing_attribute));
            return *v;
        }
        case node_kind::value:
            return p.values[x.ref];
        case node_kind::plus:
        case node_kind::minus: {
            auto a = set_value(p, kids[0], old);
            if (!a)
                return a;
            if (a->type() != value_type::N) {
                return core::unexpected(aws_error::validation(incorrect_type));
            }
            auto b = set_value(p, kids[1], old);
            if (!b)
                return b;
            if (b->type() != value_type::N) {
                return core::unexpected(aws_error::validation(incorrect_type));
            }
            return arithmetic(x.kind == node_kind::plus, *a, *b);
        }
        case node_kind::call: {
            if (static_cast<function_id>(x.op) == function_id::if_not_exists) {
                const attribute_value* v = resolve_path(p.path(p.nodes[kids[0]].ref), old);
                if (v != nullptr)
                    return *v;
                return set_value(p, kids[1], old);
            }
            auto a = set_value(p, kids[0], old);  // list_append
            if (!a)
                return a;
            if (a->type() != value_type::L) {
                return core::unexpected(aws_error::validation(incorrect_type));
            }
            auto b = set_value(p, kids[1], old);
            if (!b)
                return b;
            if (b->type() != value_type::L) {
                return core::unexpected(aws_error::validation(incorrect_type));
            }
            auto& list = a->as_l();
            auto& tail = b->as_l();
            list.insert(list.end(), std::make_move_iterator(tail.begin()),
                        std::make_move_iterator(tail.end()));
            return a;
        }
        default:
            return core::unexpected(aws_error::internal("unexpected node in SET value"));
    }
}

// Static type of a SET value when it is known at compile time (constants, arithmetic,
// list_append, if_not_exists with a known fallback), as AWS uses for the index key check.
std::optional<value_type> static_type(const program& p, std::uint32_t n) {
    const node& x = p.nodes[n];
    switch (x.kind) {
        case node_kind::value:
            return p.values[x.ref].type();
        case node_kind::plus:
        case node_kind::minus:
            return value_type::N;
        case node_kind::call:
            if (static_cast<function_id>(x.op) == function_id::list_append)
                return value_type::L;
            return static_type(p, p.kids[x.first_kid + 1]);
        default:
            return std::nullopt;
    }
}

}  // namespace
}  // namespace esser::emulator::expression_detail

namespace esser::emulator {

using namespace expression_detail;  // NOLINT(google-build-using-namespace): .cpp only

std::optional<adapters::aws_error> update_expression::check_keys(
    const key_schema& table, std::span<const index_keys> indexes) const {
    const program& p = access::of(*this);
    // Key attributes in schema order (hash, then range), as AWS reports them.
    for (const std::string* key : {&table.hash.name, table.range ? &table.range->name : nullptr}) {
        if (key == nullptr)
            continue;
        for (const document_path& t : p.targets) {
            if (t.head() == *key) {
                return adapters::aws_error::validation(
                    "One or more parameter values were invalid: Cannot update attribute " + *key +
                    ". This attribute is part of the key");
            }
        }
    }
    for (const index_keys& ix : indexes) {
        for (const key_attribute* k :
             {&ix.keys->hash, ix.keys->range ? &*ix.keys->range : nullptr}) {
            if (k == nullptr)
                continue;
            for (std::size_t i = 0; i < p.actions.size(); ++i) {
                const update_action& a = p.actions[i];
                const document_path& t = p.targets[i];
                // The first action on the attribute decides (REMOVE has no type to compare).
                if (t.nested() || t.head() != k->name)
                    continue;
                const auto type =
                    a.kind == action_kind::remove ? std::nullopt : static_type(p, a.value);
                if (type && *type != k->type) {
                    std::string m =
                        "One or more parameter values were invalid: Type mismatch for Index Key ";
                    m += k->name;
                    m += " Expected: ";
                    m += type_tag(k->type);
                    m += " Actual: ";
                    m += type_tag(*type);
                    m += " IndexName: ";
                    m += ix.name;
                    return adapters::aws_error::validation(std::move(m));
                }
                break;
            }
        }
    }
    return check_nested_key_paths(p.nested_attributes, table, indexes);
}

core::expected<attribute_map, adapters::aws_error> update_expression::apply(
    const attribute_map* old_item, const attribute_map& key,
    std::span<const index_keys> indexes) const {
    using adapters::aws_error;
    const program& p = access::of(*this);
    const attribute_map& old = old_item != nullptr ? *old_item : key;

    // Every SET value first, from the old item.
    std::vector<attribute_value> values(p.actions.size());
    for (std::size_t i = 0; i < p.actions.size(); ++i) {
        const update_action& a = p.actions[i];
        if (a.kind != action_kind::set)
            continue;
        auto v = set_value(p, a.value, old);
        if (!v)
            return core::unexpected(std::move(v.error()));
        values[i] = std::move(*v);
        const document_path& t = p.targets[i];
        if (t.nested())
            continue;
        for (const index_keys& ix : indexes) {
            for (const key_attribute* k :
                 {&ix.keys->hash, ix.keys->range ? &*ix.keys->range : nullptr}) {
                if (k != nullptr && k->name == t.head() && values[i].type() != k->type) {
                    return core::unexpected(aws_error::validation(
                        "The update expression attempted to update the secondary index key to "
                        "unsupported type"));
                }
            }
        }
    }

    attribute_map item = old;

    struct append {
        const document_path* list;  // path of the list
        std::uint32_t index;
        attribute_value value;
    };

    std::vector<append> appends;
    std::vector<document_path> parents_of_appends;  // storage for the list paths
    std::vector<const document_path*> removals;
    std::vector<document_path> emptied;  // DELETE left nothing: removed with the REMOVEs

    auto list_path = [&](const document_path& t) {
        std::vector<path_element> el(t.elements().begin(), t.elements().end() - 1);
        return document_path(std::move(el));
    };

    parents_of_appends.reserve(p.actions.size());
    emptied.reserve(p.actions.size());
    for (std::size_t i = 0; i < p.actions.size(); ++i) {
        const update_action& a = p.actions[i];
        const document_path& t = p.targets[i];
        const path_element& last = t.elements().back();
        const auto parent = find_parent(item, t);
        if (!parent) {
            if (a.kind == action_kind::remove && old_item == nullptr)
                continue;
            return core::unexpected(aws_error::validation(invalid_path));
        }
        attribute_value* existing = child(*parent, last);
        switch (a.kind) {
            case action_kind::remove:
                removals.push_back(&t);
                break;
            case action_kind::set:
                if (parent->map != nullptr) {
                    parent->map->set(last.name, std::move(values[i]));
                } else if (existing != nullptr) {
                    *existing = std::move(values[i]);
                } else {
                    parents_of_appends.push_back(list_path(t));
                    appends.push_back(
                        {&parents_of_appends.back(), last.index, std::move(values[i])});
                }
                break;
            case action_kind::add: {
                const attribute_value& v = p.values[p.nodes[a.value].ref];
                attribute_value result;
                if (existing == nullptr) {
                    result = v;
                } else if (existing->type() != v.type()) {
                    return core::unexpected(aws_error::validation(incorrect_type));
                } else if (v.type() == value_type::N) {
                    auto r = arithmetic(true, *existing, v);
                    if (!r)
                        return core::unexpected(std::move(r.error()));
                    result = std::move(*r);
                } else {
                    result = add_sets(*existing, v);
                }
                if (parent->map != nullptr) {
                    parent->map->set(last.name, std::move(result));
                } else if (existing != nullptr) {
                    *existing = std::move(result);
                } else {
                    parents_of_appends.push_back(list_path(t));
                    appends.push_back({&parents_of_appends.back(), last.index, std::move(result)});
                }
                break;
            }
            case action_kind::del: {
                if (existing == nullptr)
                    break;
                const attribute_value& v = p.values[p.nodes[a.value].ref];
                if (existing->type() != v.type()) {
                    return core::unexpected(aws_error::validation(incorrect_type));
                }
                auto rest = delete_from_set(*existing, v);
                if (rest) {
                    *existing = std::move(*rest);
                } else {
                    emptied.push_back(t);
                    removals.push_back(&emptied.back());
                }
                break;
            }
        }
    }

    // Appends past the end of lists, per list in index order.
    std::stable_sort(appends.begin(), appends.end(), [](const append& a, const append& b) {
        if (*a.list != *b.list)
            return path_less(*a.list, *b.list);
        return a.index < b.index;
    });
    for (append& ap : appends) {
        const attribute_value* found = ap.list->resolve(item);
        // The list exists: find_parent saw it and nothing removed it since.
        auto* list = const_cast<attribute_value*>(found);
        list->as_l().push_back(std::move(ap.value));
    }

    // Removals, last path first, so that no removal shifts a later element still to remove.
    std::sort(removals.begin(), removals.end(),
              [](const document_path* a, const document_path* b) { return path_less(*b, *a); });
    for (const document_path* t : removals) {
        const auto parent = find_parent(item, *t);
        if (!parent)
            continue;  // an item that did not exist, or a parent already removed
        const path_element& last = t->elements().back();
        if (parent->map != nullptr) {
            parent->map->erase(last.name);
        } else if (last.index < parent->list->size()) {
            parent->list->erase(parent->list->begin() + last.index);
        }
    }
    return item;
}

std::span<const document_path> update_expression::updated_paths() const {
    return access::of(*this).targets;
}

std::span<const std::string> update_expression::attributes() const {
    return access::of(*this).attributes;
}

std::span<const std::string> update_expression::nested_attributes() const {
    return access::of(*this).nested_attributes;
}

}  // namespace esser::emulator

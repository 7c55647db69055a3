#include "esser/emulator/dynamo/document_path.hpp"

#include <algorithm>
#include <optional>

namespace esser::emulator {

const attribute_value* resolve_path(std::span<const path_element> path, const attribute_map& item) {
    if (path.empty())
        return nullptr;
    const attribute_value* v = item.find(path.front().name);
    for (std::size_t i = 1; v != nullptr && i < path.size(); ++i) {
        const path_element& e = path[i];
        if (e.is_index) {
            if (v->type() != value_type::L || e.index >= v->as_l().size())
                return nullptr;
            v = &v->as_l()[e.index];
        } else {
            if (v->type() != value_type::M)
                return nullptr;
            v = v->as_m().find(e.name);
        }
    }
    return v;
}

std::string path_to_string(std::span<const path_element> path) {
    std::string out = "[";
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (i > 0)
            out += ", ";
        const path_element& e = path[i];
        if (e.is_index) {
            out += '[';
            out += std::to_string(e.index);
            out += ']';
        } else {
            out += e.name;
        }
    }
    out += ']';
    return out;
}

const attribute_value* document_path::resolve(const attribute_map& item) const {
    return resolve_path(elements_, item);
}

std::string document_path::to_string() const {
    return path_to_string(elements_);
}

namespace {

// Element order for grouping: indexes before names, names bytewise, indexes numerically.
bool element_less(const path_element& a, const path_element& b) {
    if (a.is_index != b.is_index)
        return a.is_index;
    return a.is_index ? a.index < b.index : a.name < b.name;
}

bool element_same(const path_element& a, const path_element& b) {
    return a.is_index == b.is_index && (a.is_index ? a.index == b.index : a.name == b.name);
}

using path_refs = std::span<const document_path* const>;

std::optional<attribute_value> build(const attribute_value& v, path_refs paths, std::size_t depth);

// The members of map `m` named at `depth` by `paths` (sorted), each built further down.
attribute_map build_members(const attribute_map& m, path_refs paths, std::size_t depth) {
    attribute_map out;
    for (std::size_t i = 0; i < paths.size();) {
        const path_element& e = paths[i]->elements()[depth];
        std::size_t j = i + 1;
        while (j < paths.size() && element_same(paths[j]->elements()[depth], e)) ++j;
        if (!e.is_index) {
            if (const attribute_value* child = m.find(e.name)) {
                if (auto r = build(*child, paths.subspan(i, j - i), depth + 1))
                    out.append_sorted(e.name, std::move(*r));
            }
        }
        i = j;
    }
    return out;
}

// The part of `v` that `paths` (sorted, sharing their first `depth` elements) select, or
// nothing when none of them resolves.
std::optional<attribute_value> build(const attribute_value& v, path_refs paths, std::size_t depth) {
    if (paths.front()->size() == depth)
        return v;  // the whole value (no other path can go below it: no overlaps)
    if (v.type() == value_type::M) {
        attribute_map m = build_members(v.as_m(), paths, depth);
        if (m.empty())
            return std::nullopt;
        return attribute_value::m(std::move(m));
    }
    if (v.type() != value_type::L)
        return std::nullopt;
    const auto& list = v.as_l();
    attribute_value::list_t out;
    for (std::size_t i = 0; i < paths.size();) {
        const path_element& e = paths[i]->elements()[depth];
        std::size_t j = i + 1;
        while (j < paths.size() && element_same(paths[j]->elements()[depth], e)) ++j;
        if (e.is_index && e.index < list.size()) {
            if (auto r = build(list[e.index], paths.subspan(i, j - i), depth + 1))
                out.push_back(std::move(*r));  // compacted, in index order
        }
        i = j;
    }
    if (out.empty())
        return std::nullopt;
    return attribute_value::l(std::move(out));
}

}  // namespace

bool path_less(const document_path& a, const document_path& b) {
    const auto& x = a.elements();
    const auto& y = b.elements();
    const std::size_t n = std::min(x.size(), y.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (element_less(x[i], y[i]))
            return true;
        if (element_less(y[i], x[i]))
            return false;
    }
    return x.size() < y.size();
}

attribute_map project_sorted_paths(const attribute_map& item,
                                   std::span<const document_path* const> sorted) {
    if (sorted.empty())
        return {};
    return build_members(item, sorted, 0);
}

attribute_map project_paths(const attribute_map& item, std::span<const document_path> paths) {
    std::vector<const document_path*> sorted;
    sorted.reserve(paths.size());
    for (const document_path& p : paths) {
        if (!p.empty())
            sorted.push_back(&p);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const document_path* a, const document_path* b) { return path_less(*a, *b); });
    return project_sorted_paths(item, sorted);
}

}  // namespace esser::emulator

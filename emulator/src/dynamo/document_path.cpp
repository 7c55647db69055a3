#include "esser/emulator/dynamo/document_path.hpp"

#include <algorithm>

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

// The projection being built: map members by name, list members by their old index (compacted
// once everything is in).
struct shape {
    bool is_list = false;
    std::vector<std::pair<std::string, shape>> members;     // maps, in insertion order
    std::vector<std::pair<std::uint32_t, shape>> elements;  // lists
    const attribute_value* leaf = nullptr;                  // the whole value at a path's end

    shape& member(const std::string& name) {
        for (auto& m : members) {
            if (m.first == name)
                return m.second;
        }
        return members.emplace_back(name, shape{}).second;
    }

    shape& element(std::uint32_t index) {
        for (auto& e : elements) {
            if (e.first == index)
                return e.second;
        }
        return elements.emplace_back(index, shape{}).second;
    }

    attribute_value build() const {
        if (leaf != nullptr)
            return *leaf;
        if (is_list) {
            std::vector<std::pair<std::uint32_t, const shape*>> order;
            order.reserve(elements.size());
            for (const auto& e : elements) order.emplace_back(e.first, &e.second);
            std::sort(order.begin(), order.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            attribute_value::list_t l;
            l.reserve(order.size());
            for (const auto& e : order) l.push_back(e.second->build());
            return attribute_value::l(std::move(l));
        }
        std::vector<attribute_map::entry> m;
        m.reserve(members.size());
        for (const auto& e : members) m.emplace_back(e.first, e.second.build());
        return attribute_value::m(attribute_map(std::move(m)));
    }
};

}  // namespace

attribute_map project_paths(const attribute_map& item, std::span<const document_path> paths) {
    shape root;
    for (const document_path& path : paths) {
        const attribute_value* v = path.resolve(item);
        if (v == nullptr)
            continue;  // missing paths are left out
        shape* s = &root;
        const auto& el = path.elements();
        for (std::size_t i = 0; i < el.size(); ++i) {
            if (i > 0)
                s->is_list = el[i].is_index;
            s = el[i].is_index ? &s->element(el[i].index) : &s->member(el[i].name);
        }
        s->leaf = v;
    }
    std::vector<attribute_map::entry> out;
    out.reserve(root.members.size());
    for (const auto& m : root.members) out.emplace_back(m.first, m.second.build());
    return attribute_map(std::move(out));
}

}  // namespace esser::emulator

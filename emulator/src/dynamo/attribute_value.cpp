#include "esser/emulator/dynamo/attribute_value.hpp"

#include <algorithm>
#include <cassert>

namespace esser::emulator {

std::string_view type_tag(value_type t) noexcept {
    switch (t) {
        case value_type::S:
            return "S";
        case value_type::N:
            return "N";
        case value_type::B:
            return "B";
        case value_type::BOOL:
            return "BOOL";
        case value_type::NUL:
            return "NULL";
        case value_type::M:
            return "M";
        case value_type::L:
            return "L";
        case value_type::SS:
            return "SS";
        case value_type::NS:
            return "NS";
        case value_type::BS:
            return "BS";
    }
    return "?";
}

std::string_view type_description(value_type t) noexcept {
    switch (t) {
        case value_type::S:
            return "STRING";
        case value_type::N:
            return "NUMBER";
        case value_type::B:
            return "BINARY";
        case value_type::BOOL:
            return "BOOLEAN";
        case value_type::NUL:
            return "NULL";
        case value_type::M:
            return "MAP";
        case value_type::L:
            return "LIST";
        case value_type::SS:
            return "SET OF STRING";
        case value_type::NS:
            return "SET OF NUMBER";
        case value_type::BS:
            return "SET OF BINARY";
    }
    return "?";
}

// ---- attribute_map ----

namespace {
struct entry_less {
    bool operator()(const attribute_map::entry& e, std::string_view name) const {
        return std::string_view(e.first) < name;
    }
};
}  // namespace

attribute_map::attribute_map(std::vector<entry> entries) : entries_(std::move(entries)) {
    // Stable, so that among equal names the later one stays last; keep that one.
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const entry& a, const entry& b) { return a.first < b.first; });
    std::vector<entry> out;
    out.reserve(entries_.size());
    for (auto& e : entries_) {
        if (!out.empty() && out.back().first == e.first) {
            out.back().second = std::move(e.second);
        } else {
            out.push_back(std::move(e));
        }
    }
    entries_ = std::move(out);
}

const attribute_value* attribute_map::find(std::string_view name) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name, entry_less{});
    return it != entries_.end() && it->first == name ? &it->second : nullptr;
}

attribute_value* attribute_map::find(std::string_view name) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name, entry_less{});
    return it != entries_.end() && it->first == name ? &it->second : nullptr;
}

attribute_value& attribute_map::set(std::string name, attribute_value v) {
    auto it =
        std::lower_bound(entries_.begin(), entries_.end(), std::string_view(name), entry_less{});
    if (it != entries_.end() && it->first == name) {
        it->second = std::move(v);
        return it->second;
    }
    return entries_.emplace(it, std::move(name), std::move(v))->second;
}

bool attribute_map::erase(std::string_view name) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name, entry_less{});
    if (it == entries_.end() || it->first != name)
        return false;
    entries_.erase(it);
    return true;
}

void attribute_map::append_sorted(std::string name, attribute_value v) {
    assert(entries_.empty() || entries_.back().first < name);
    entries_.emplace_back(std::move(name), std::move(v));
}

bool operator==(const attribute_map& a, const attribute_map& b) {
    return a.entries_ == b.entries_;
}

// ---- attribute_value ----

namespace {
template <class T>
std::vector<T> sorted_unique(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}
}  // namespace

attribute_value attribute_value::ss(std::vector<std::string> v) {
    return attribute_value(string_set{sorted_unique(std::move(v))});
}

attribute_value attribute_value::ns(std::vector<decimal> v) {
    return attribute_value(number_set{sorted_unique(std::move(v))});
}

attribute_value attribute_value::bs(std::vector<std::string> v) {
    return attribute_value(binary_set{sorted_unique(std::move(v))});
}

std::size_t attribute_value::size_bytes() const {
    switch (type()) {
        case value_type::S:
            return as_s().size();
        case value_type::N:
            return as_n().size_bytes();
        case value_type::B:
            return as_b().size();
        case value_type::BOOL:
        case value_type::NUL:
            return 1;
        case value_type::M: {
            std::size_t n = 3;
            for (const auto& [name, v] : as_m()) n += 1 + name.size() + v.size_bytes();
            return n;
        }
        case value_type::L: {
            std::size_t n = 3;
            for (const auto& v : as_l()) n += 1 + v.size_bytes();
            return n;
        }
        case value_type::SS:
        case value_type::BS: {
            std::size_t n = 0;
            for (const auto& s : type() == value_type::SS ? as_ss() : as_bs()) n += s.size();
            return n;
        }
        case value_type::NS: {
            std::size_t n = 0;
            for (const auto& d : as_ns()) n += d.size_bytes();
            return n;
        }
    }
    return 0;
}

std::size_t item_size(const attribute_map& item) {
    std::size_t n = 0;
    for (const auto& [name, v] : item) n += name.size() + v.size_bytes();
    return n;
}

}  // namespace esser::emulator

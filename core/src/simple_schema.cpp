#include "simple_schema.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

namespace esser::core::detail {

using nlohmann::json;

namespace {

constexpr int max_depth = 64;

// Keywords that never constrain a value (valijson reads none of them as a constraint).
bool is_annotation(std::string_view k) {
    return k == "title" || k == "description" || k == "$comment" || k == "$schema" ||
           k == "default" || k == "examples" || k == "readOnly" || k == "writeOnly" ||
           k.substr(0, 2) == "x-";
}

// A schema's non-negative integer (minLength, maxItems, ...). valijson reads it as an int64_t;
// up to 2^53 it is also exact as a double, which is how it is kept here.
std::optional<double> count_of(const json& v) {
    constexpr std::uint64_t exact = std::uint64_t{1} << 53;
    if (v.is_number_unsigned() && v.get<std::uint64_t>() <= exact)
        return static_cast<double>(v.get<std::uint64_t>());
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
        static_cast<std::uint64_t>(v.get<std::int64_t>()) <= exact) {
        return static_cast<double>(v.get<std::int64_t>());
    }
    return std::nullopt;
}

// The keywords of node::limits, in `limit` order: four counts, then four numeric bounds.
constexpr std::string_view limit_keywords[] = {"minItems",         "maxItems",        "minLength",
                                               "maxLength",        "minimum",         "maximum",
                                               "exclusiveMinimum", "exclusiveMaximum"};

int limit_index(std::string_view k) {
    for (int i = 0; i < 8; ++i) {
        if (limit_keywords[i] == k)
            return i;
    }
    return -1;
}

// A number as valijson's adapter turns it into a double: floats as they are, integers through
// int64_t. Unsigned values above INT64_MAX wrap there, so they are left to valijson.
bool as_double(const json& v, double& out) {
    switch (v.type()) {
        case json::value_t::number_float:
            out = *v.get_ptr<const json::number_float_t*>();
            return true;
        case json::value_t::number_integer:
            out = static_cast<double>(*v.get_ptr<const json::number_integer_t*>());
            return true;
        case json::value_t::number_unsigned: {
            const auto u = *v.get_ptr<const json::number_unsigned_t*>();
            if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return false;
            out = static_cast<double>(static_cast<std::int64_t>(u));
            return true;
        }
        default:
            return false;
    }
}

std::optional<double> bound_of(const json& v) {
    double d;
    if (!v.is_number() || !as_double(v, d))
        return std::nullopt;
    return d;
}

// valijson counts code points (utils::u8_strlen). Its loop stops at a NUL byte and misreads
// malformed UTF-8, so only well-formed strings without NUL are counted here.
bool code_points(const std::string& s, std::uint64_t& out) {
    std::uint64_t n = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned c = *p;
        if (c >= 0x01 && c < 0x80) {
            ++p;
        } else {
            int len;
            std::uint32_t cp;
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                cp = c & 0x0F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                cp = c & 0x07;
            } else {
                return false;  // NUL, a stray continuation byte, or an invalid lead byte
            }
            if (end - p < len)
                return false;
            for (int i = 1; i < len; ++i) {
                if ((p[i] & 0xC0) != 0x80)
                    return false;
                cp = (cp << 6) | (p[i] & 0x3F);
            }
            if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;  // overlong, out of range, or a surrogate
            }
            p += len;
        }
        ++n;
    }
    out = n;
    return true;
}

}  // namespace

std::optional<simple_schema> simple_schema::compile(const json& schema) {
    simple_schema s;
    if (!s.add(schema, 0))
        return std::nullopt;
    return s;
}

std::optional<std::uint32_t> simple_schema::add(const json& schema, int depth) {
    if (!schema.is_object() || depth > max_depth)
        return std::nullopt;
    const auto index = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
    // nodes_ may grow while children are added: fill a local node and store it at the end.
    node n;
    for (const auto& [k, v] : schema.items()) {
        if (k == "type") {
            auto bit = [](const json& name) -> std::uint8_t {
                static constexpr std::pair<std::string_view, std::uint8_t> names[] = {
                    {"null", t_null},    {"boolean", t_boolean}, {"object", t_object},
                    {"array", t_array},  {"number", t_number},   {"integer", t_integer},
                    {"string", t_string}};
                if (name.is_string()) {
                    for (const auto& [text, b] : names) {
                        if (name.get_ref<const std::string&>() == text)
                            return b;
                    }
                }
                return 0;
            };
            n.types = 0;
            if (v.is_array()) {
                for (const auto& t : v) {
                    const auto b = bit(t);
                    if (!b)
                        return std::nullopt;
                    n.types |= b;
                }
            } else {
                n.types = bit(v);
            }
            if (!n.types)
                return std::nullopt;
        } else if (k == "enum") {
            if (!v.is_array())
                return std::nullopt;
            n.has_enum = true;
            for (const auto& e : v) {
                if (!e.is_string() && !e.is_boolean() && !e.is_null())
                    return std::nullopt;
                n.enum_values.push_back(e);
            }
        } else if (k == "properties") {
            if (!v.is_object())
                return std::nullopt;
            for (const auto& [name, sub] : v.items()) {
                auto child = add(sub, depth + 1);
                if (!child)
                    return std::nullopt;
                n.properties.emplace_back(name, *child);  // in the object's (sorted) order
            }
        } else if (k == "required") {
            if (!v.is_array())
                return std::nullopt;
            for (const auto& r : v) {
                if (!r.is_string())
                    return std::nullopt;
                n.required.push_back(r.get<std::string>());
            }
        } else if (k == "additionalProperties") {
            if (v.is_boolean()) {
                n.additional = v.get<bool>() ? extra::allowed : extra::refused;
            } else {
                auto child = add(v, depth + 1);
                if (!child)
                    return std::nullopt;
                n.additional = extra::checked;
                n.additional_node = *child;
            }
        } else if (k == "items") {
            auto child = add(v, depth + 1);  // the array form (tuples) is not in the subset
            if (!child)
                return std::nullopt;
            n.has_items = true;
            n.items_node = *child;
        } else if (k == "uniqueItems") {
            if (!v.is_boolean())
                return std::nullopt;
            n.unique_items = v.get<bool>();
        } else if (const int i = limit_index(k); i >= 0) {
            auto b = i < minimum ? count_of(v) : bound_of(v);
            if (!b)
                return std::nullopt;
            n.limits[i] = *b;
        } else if (!is_annotation(k)) {
            return std::nullopt;
        }
    }
    nodes_[index] = std::move(n);
    return index;
}

bool simple_schema::accepts(std::uint32_t index, const json& v) const {
    const node& n = nodes_[index];
    switch (v.type()) {
        case json::value_t::null:
            if (!(n.types & t_null))
                return false;
            break;
        case json::value_t::boolean:
            if (!(n.types & t_boolean))
                return false;
            break;
        case json::value_t::string: {
            if (!(n.types & t_string))
                return false;
            const auto& lo = n.limits[min_length];
            const auto& hi = n.limits[max_length];
            if (lo || hi) {
                std::uint64_t len;
                if (!code_points(*v.get_ptr<const std::string*>(), len))
                    return false;
                const auto x = static_cast<double>(len);
                if ((lo && x < *lo) || (hi && x > *hi))
                    return false;
            }
            break;
        }
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float: {
            const bool integer = v.type() != json::value_t::number_float;
            if (!(n.types & t_number) && !(integer && (n.types & t_integer)))
                return false;
            const auto& lo = n.limits[minimum];
            const auto& hi = n.limits[maximum];
            const auto& xlo = n.limits[exclusive_minimum];
            const auto& xhi = n.limits[exclusive_maximum];
            if (lo || hi || xlo || xhi) {
                double x;
                if (!as_double(v, x))
                    return false;
                // valijson's comparisons, negated as it writes them (NaN passes all of them).
                if ((lo && x < *lo) || (hi && x > *hi) || (xlo && x <= *xlo) || (xhi && x >= *xhi))
                    return false;
            }
            break;
        }
        case json::value_t::object: {
            if (!(n.types & t_object))
                return false;
            for (const auto& r : n.required) {
                if (v.find(r) == v.end())
                    return false;
            }
            // Members and properties are both sorted by name: walk them side by side.
            auto p = n.properties.begin();
            for (auto it = v.begin(); it != v.end(); ++it) {
                const std::string& key = it.key();
                while (p != n.properties.end() && p->first < key) ++p;
                if (p != n.properties.end() && p->first == key) {
                    if (!accepts(p->second, *it))
                        return false;
                } else if (n.additional == extra::refused) {
                    return false;
                } else if (n.additional == extra::checked && !accepts(n.additional_node, *it)) {
                    return false;
                }
            }
            break;
        }
        case json::value_t::array: {
            if (!(n.types & t_array))
                return false;
            const std::size_t size = v.size();
            const auto& lo = n.limits[min_items];
            const auto& hi = n.limits[max_items];
            if ((lo && static_cast<double>(size) < *lo) || (hi && static_cast<double>(size) > *hi))
                return false;
            if (n.has_items) {
                for (const auto& e : v) {
                    if (!accepts(n.items_node, e))
                        return false;
                }
            }
            if (n.unique_items) {
                // Only strings are compared here (valijson's equality on other values has
                // rules of its own); small arrays pairwise, larger ones sorted.
                for (const auto& e : v) {
                    if (!e.is_string())
                        return false;
                }
                if (size <= 32) {
                    for (std::size_t i = 0; i < size; ++i) {
                        for (std::size_t j = i + 1; j < size; ++j) {
                            if (*v[i].get_ptr<const std::string*>() ==
                                *v[j].get_ptr<const std::string*>()) {
                                return false;
                            }
                        }
                    }
                } else {
                    std::vector<std::string_view> s;
                    s.reserve(size);
                    for (const auto& e : v) s.emplace_back(*e.get_ptr<const std::string*>());
                    std::sort(s.begin(), s.end());
                    if (std::adjacent_find(s.begin(), s.end()) != s.end())
                        return false;
                }
            }
            break;
        }
        default:
            return false;  // binary and discarded values: valijson decides
    }
    if (n.has_enum) {
        if (!v.is_string() && !v.is_boolean() && !v.is_null())
            return false;
        if (std::find(n.enum_values.begin(), n.enum_values.end(), v) == n.enum_values.end())
            return false;
    }
    return true;
}

}  // namespace esser::core::detail

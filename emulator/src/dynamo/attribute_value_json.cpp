#include "esser/emulator/dynamo/attribute_value_json.hpp"

#include <algorithm>
#include <cmath>

#include "esser/emulator/dynamo/base64.hpp"

namespace esser::emulator {

using adapters::aws_error;
using nlohmann::json;

namespace {

// The AttributeValue tags, recognised without string comparisons on the hot path.
enum class tag_id { S, N, B, BOOL, NUL, M, L, SS, NS, BS, unknown };

// tag_id follows value_type's order, plus unknown.
tag_id tag_of(const std::string& t) {
    const std::optional<value_type> v = parse_type_tag(t);
    return v ? static_cast<tag_id>(*v) : tag_id::unknown;
}

const json::object_t& object_of(const json& j) {
    return j.get_ref<const json::object_t&>();
}

// ---- pass 1: JSON types (Coral's deserializer) ----

using shape_error = std::optional<aws_error>;

shape_error ser(std::string message) {
    return aws_error::serialization(std::move(message));
}

// JavaScript's `val % 1 === 0`, which is what decides NUMBER_VALUE vs DECIMAL_VALUE.
std::string number_kind(const json& j) {
    if (j.is_number_float()) {
        const double d = j.get<double>();
        return std::isfinite(d) && std::floor(d) == d ? "NUMBER_VALUE" : "DECIMAL_VALUE";
    }
    return "NUMBER_VALUE";
}

const char* not_expected_object = "Start of structure or map found where not expected";

shape_error check_string(const json& j) {
    if (j.is_string())
        return std::nullopt;
    if (j.is_boolean())
        return ser(std::string(j.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE") +
                   " cannot be converted to String");
    if (j.is_number())
        return ser(number_kind(j) + " cannot be converted to String");
    if (j.is_array())
        return ser("Unrecognized collection type class java.lang.String");
    return ser(not_expected_object);
}

// Coral reads "true"/"1"/"yes" and "false"/"0"/"no" (any case) as booleans.
std::optional<bool> coral_bool_text(const std::string& s) {
    std::string u = s;
    std::transform(u.begin(), u.end(), u.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (u == "TRUE" || u == "1" || u == "YES")
        return true;
    if (u == "FALSE" || u == "0" || u == "NO")
        return false;
    return std::nullopt;
}

shape_error check_boolean(const json& j) {
    if (j.is_boolean())
        return std::nullopt;
    if (j.is_number())
        return ser(number_kind(j) + " cannot be converted to Boolean");
    if (j.is_string()) {
        if (coral_bool_text(j.get_ref<const std::string&>()))
            return std::nullopt;
        return ser("Unexpected token received from parser");
    }
    if (j.is_array())
        return ser("Unrecognized collection type class java.lang.Boolean");
    return ser(not_expected_object);
}

bool coral_bool(const json& j) {
    if (j.is_boolean())
        return j.get<bool>();
    return coral_bool_text(j.get_ref<const std::string&>()).value_or(false);
}

shape_error check_blob(const json& j) {
    if (j.is_boolean() || j.is_number())
        return ser("only base-64-encoded strings are convertible to bytes");
    if (j.is_array())
        return ser("Unrecognized collection type class java.nio.ByteBuffer");
    if (j.is_object())
        return ser(not_expected_object);
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() % 4 != 0) {
        return ser("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                   std::to_string(s.size()));
    }
    if (!base64_decode(s))
        return ser("Invalid last non-pad Base64 character dectected");  // sic
    return std::nullopt;
}

shape_error check_list_container(const json& j) {
    if (j.is_array())
        return std::nullopt;
    if (j.is_object())
        return ser(not_expected_object);
    return ser("Unexpected field type");
}

shape_error check_value(const json& j, int depth);

shape_error check_map(const json& j, int depth) {
    if (j.is_array()) {
        return ser(
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    }
    if (!j.is_object())
        return ser("Unexpected field type");
    for (const auto& [name, v] : object_of(j)) {
        if (auto e = check_value(v, depth))
            return e;
    }
    return std::nullopt;
}

shape_error check_value(const json& j, int depth) {
    if (j.is_null())
        return std::nullopt;  // reported as an empty AttributeValue by pass 2
    if (j.is_array())
        return ser(
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
    if (!j.is_object())
        return ser("Unexpected value type in payload");
    // Below the deepest legal level pass 2 reports the nesting error; not descending further
    // also bounds the recursion on hostile input.
    if (depth > max_attribute_depth)
        return std::nullopt;
    for (const auto& [tag, v] : object_of(j)) {
        if (v.is_null())
            continue;
        shape_error e;
        switch (tag_of(tag)) {
            case tag_id::S:
            case tag_id::N:
                e = check_string(v);
                break;
            case tag_id::B:
                e = check_blob(v);
                break;
            case tag_id::BOOL:
            case tag_id::NUL:
                e = check_boolean(v);
                break;
            case tag_id::SS:
            case tag_id::NS:
            case tag_id::BS: {
                const bool binary = tag_of(tag) == tag_id::BS;
                e = check_list_container(v);
                if (!e) {
                    for (const auto& x : v) {
                        if (x.is_null())
                            continue;
                        e = binary ? check_blob(x) : check_string(x);
                        if (e)
                            break;
                    }
                }
                break;
            }
            case tag_id::L:
                e = check_list_container(v);
                if (!e) {
                    for (const auto& x : v) {
                        if ((e = check_value(x, depth + 1)))
                            break;
                    }
                }
                break;
            case tag_id::M:
                e = check_map(v, depth + 1);
                break;
            case tag_id::unknown:
                break;
        }
        if (e)
            return e;
    }
    return std::nullopt;
}

// ---- pass 2: AttributeValue rules ----

const std::string invalid_prefix = "One or more parameter values were invalid: ";

core::unexpected<std::string> invalid(std::string m) {
    return core::unexpected<std::string>(std::move(m));
}

// dynalite's valueStr of an array as given: "[a, b]".
std::string list_text(const json& arr) {
    std::string out = "[";
    bool first = true;
    for (const auto& x : arr) {
        if (!first)
            out += ", ";
        first = false;
        out += x.is_string() ? x.get_ref<const std::string&>() : std::string("null");
    }
    return out + "]";
}

template <class T>
bool has_duplicates(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    return std::adjacent_find(v.begin(), v.end()) != v.end();
}

const char* empty_value_text =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";

}  // namespace

std::optional<aws_error> check_attribute_value_shape(const json& j) {
    return check_value(j, 1);
}

std::optional<aws_error> check_attribute_map_shape(const json& j) {
    return check_map(j, 1);
}

namespace {

using value_result = core::expected<attribute_value, std::string>;

// One tag's value (its JSON type already checked by pass 1).
value_result read_tag(tag_id tag, const json& v, int depth) {
    switch (tag) {
        case tag_id::S:
            return attribute_value::s(v.get_ref<const std::string&>());
        case tag_id::N: {
            auto d = decimal::parse(v.get_ref<const std::string&>());
            if (!d)
                return invalid(std::move(d).error());
            return attribute_value::n(*d);
        }
        case tag_id::B:
            return attribute_value::b(*base64_decode(v.get_ref<const std::string&>()));
        case tag_id::BOOL:
            return attribute_value::boolean(coral_bool(v));
        case tag_id::NUL:
            if (!coral_bool(v))
                return invalid(invalid_prefix +
                               "Null attribute value types must have the value of true");
            return attribute_value::null();
        case tag_id::SS: {
            if (v.empty())
                return invalid(invalid_prefix + "An string set  may not be empty");
            std::vector<std::string> items;
            items.reserve(v.size());
            for (const auto& x : v) {
                if (x.is_null())
                    return invalid(invalid_prefix + "A string set may not contain null values");
                items.push_back(x.get<std::string>());
            }
            if (has_duplicates(items))
                return invalid(invalid_prefix + "Input collection " + list_text(v) +
                               " contains duplicates.");
            return attribute_value::ss(std::move(items));
        }
        case tag_id::NS: {
            if (v.empty())
                return invalid(invalid_prefix + "An number set  may not be empty");
            std::vector<decimal> items;
            items.reserve(v.size());
            for (const auto& x : v) {
                auto d = x.is_null() ? decimal::parse("")
                                     : decimal::parse(x.get_ref<const std::string&>());
                if (!d)
                    return invalid(std::move(d).error());
                items.push_back(*d);
            }
            if (has_duplicates(items))
                return invalid("Input collection contains duplicates");
            return attribute_value::ns(std::move(items));
        }
        case tag_id::BS: {
            if (v.empty())
                return invalid(invalid_prefix + "Binary sets should not be empty");
            std::vector<std::string> items;
            items.reserve(v.size());
            for (const auto& x : v) {
                if (x.is_null())
                    return invalid(invalid_prefix + "A binary set may not contain null values");
                items.push_back(*base64_decode(x.get_ref<const std::string&>()));
            }
            if (has_duplicates(items)) {
                return invalid(invalid_prefix + "Input collection " + list_text(v) +
                               "of type BS contains duplicates.");
            }
            return attribute_value::bs(std::move(items));
        }
        case tag_id::M: {
            attribute_map m;
            const auto& obj = object_of(v);
            m.reserve(obj.size());
            // nlohmann::json objects iterate in bytewise key order: the map's own order.
            for (const auto& [name, x] : obj) {
                if (name.size() > max_attribute_name_bytes)
                    return invalid(attribute_name_too_large_text);
                auto child = attribute_value_from_json(x, depth + 1);
                if (!child)
                    return child;
                m.append_sorted(name, std::move(*child));
            }
            return attribute_value::m(std::move(m));
        }
        case tag_id::L: {
            attribute_value::list_t l;
            l.reserve(v.size());
            for (const auto& x : v) {
                auto child = attribute_value_from_json(x, depth + 1);
                if (!child)
                    return child;
                l.push_back(std::move(*child));
            }
            return attribute_value::l(std::move(l));
        }
        case tag_id::unknown:
            break;
    }
    return invalid(empty_value_text);
}

}  // namespace

core::expected<attribute_value, std::string> attribute_value_from_json(const json& j, int depth) {
    if (depth > max_attribute_depth) {
        return invalid(
            "Nesting Levels have exceeded supported limits: Attributes in the item have "
            "nested levels beyond supported limit");
    }
    if (!j.is_object())
        return invalid(empty_value_text);
    const auto& obj = object_of(j);
    // The usual case: exactly one member.
    if (obj.size() == 1) {
        const auto& [tag, v] = *obj.begin();
        const tag_id t = tag_of(tag);
        if (v.is_null() || t == tag_id::unknown)
            return invalid(empty_value_text);
        return read_tag(t, v, depth);
    }
    int tags = 0;
    for (const auto& [tag, v] : obj) {
        if (!v.is_null() && tag_of(tag) != tag_id::unknown)
            ++tags;
    }
    if (tags == 0)
        return invalid(empty_value_text);
    // Several tags: each is validated in key order (the first invalid one is reported), then
    // the count is refused.
    attribute_value out;
    for (const auto& [tag, v] : obj) {
        const tag_id t = tag_of(tag);
        if (v.is_null() || t == tag_id::unknown)
            continue;
        auto one = read_tag(t, v, depth);
        if (!one)
            return one;
        out = std::move(*one);
    }
    if (tags > 1) {
        return invalid(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly "
            "one of the supported datatypes");
    }
    return out;
}

core::expected<attribute_map, std::string> attribute_map_from_json(const json& j) {
    attribute_map m;
    m.reserve(j.size());
    for (const auto& [name, x] : object_of(j)) {
        if (name.size() > max_attribute_name_bytes)
            return core::unexpected<std::string>(attribute_name_too_large_text);
        auto v = attribute_value_from_json(x, 1);
        if (!v)
            return core::unexpected<std::string>(std::move(v).error());
        m.append_sorted(name, std::move(*v));
    }
    return m;
}

core::expected<attribute_value, aws_error> read_attribute_value(const json& j) {
    if (auto e = check_attribute_value_shape(j))
        return core::unexpected<aws_error>(std::move(*e));
    auto v = attribute_value_from_json(j, 1);
    if (!v)
        return core::unexpected<aws_error>(aws_error::validation(std::move(v).error()));
    return std::move(*v);
}

core::expected<attribute_map, aws_error> read_attribute_map(const json& j) {
    if (auto e = check_attribute_map_shape(j))
        return core::unexpected<aws_error>(std::move(*e));
    auto v = attribute_map_from_json(j);
    if (!v)
        return core::unexpected<aws_error>(aws_error::validation(std::move(v).error()));
    return std::move(*v);
}

// ---- writing ----

json to_json(const attribute_value& v) {
    json out = json::object();
    switch (v.type()) {
        case value_type::S:
            out["S"] = v.as_s();
            break;
        case value_type::N:
            out["N"] = v.as_n().to_string();
            break;
        case value_type::B:
            out["B"] = base64_encode(v.as_b());
            break;
        case value_type::BOOL:
            out["BOOL"] = v.as_bool();
            break;
        case value_type::NUL:
            out["NULL"] = true;
            break;
        case value_type::M:
            out["M"] = to_json(v.as_m());
            break;
        case value_type::L: {
            json arr = json::array();
            arr.get_ref<json::array_t&>().reserve(v.as_l().size());
            for (const auto& x : v.as_l()) arr.push_back(to_json(x));
            out["L"] = std::move(arr);
            break;
        }
        case value_type::SS:
            out["SS"] = v.as_ss();
            break;
        case value_type::NS: {
            json arr = json::array();
            for (const auto& d : v.as_ns()) arr.push_back(d.to_string());
            out["NS"] = std::move(arr);
            break;
        }
        case value_type::BS: {
            json arr = json::array();
            for (const auto& b : v.as_bs()) arr.push_back(base64_encode(b));
            out["BS"] = std::move(arr);
            break;
        }
    }
    return out;
}

json to_json(const attribute_map& m) {
    json out = json::object();
    auto& obj = out.get_ref<json::object_t&>();
    for (const auto& [name, v] : m) obj.emplace_hint(obj.end(), name, to_json(v));
    return out;
}

}  // namespace esser::emulator

#include "request_schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator::schema {

using adapters::aws_error;
using nlohmann::json;

namespace {

using maybe_error = std::optional<aws_error>;

maybe_error ser(std::string m) {
    return aws_error::serialization(std::move(m));
}

const char* not_expected_object = "Start of structure or map found where not expected";
const char* parameterized_text =
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "
    "java.lang.Class are in module java.base of loader 'bootstrap')";

// JavaScript's `val % 1 === 0`, which picks NUMBER_VALUE or DECIMAL_VALUE.
std::string number_kind(const json& j) {
    if (j.is_number_float()) {
        const double d = j.get<double>();
        return std::isfinite(d) && std::floor(d) == d ? "NUMBER_VALUE" : "DECIMAL_VALUE";
    }
    return "NUMBER_VALUE";
}

std::string bool_kind(const json& j) {
    return j.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE";
}

std::optional<bool> bool_text(const std::string& s) {
    std::string u;
    u.reserve(s.size());
    for (unsigned char c : s) u.push_back(static_cast<char>(std::toupper(c)));
    if (u == "TRUE" || u == "1" || u == "YES")
        return true;
    if (u == "FALSE" || u == "0" || u == "NO")
        return false;
    return std::nullopt;
}

std::string qualified(std::string_view java_name) {
    if (java_name.find('.') != std::string_view::npos)
        return std::string(java_name);
    return "com.amazonaws.dynamodb.v20120810." + std::string(java_name);
}

maybe_error check_type(const json& v, const field& f);

maybe_error check_members(const json& v, const field& f) {
    for (const auto& m : f.members) {
        if (const json* x = member(v, m.name)) {
            if (auto e = check_type(*x, m))
                return e;
        }
    }
    return std::nullopt;
}

maybe_error check_elements(const json& v, const field& f) {
    if (f.element.empty())
        return std::nullopt;
    for (const auto& x : v) {
        if (auto e = check_type(x, f.element.front()))
            return e;
    }
    return std::nullopt;
}

maybe_error check_type(const json& v, const field& f) {
    if (v.is_null())
        return std::nullopt;
    switch (f.type) {
        case kind::string:
            if (v.is_string())
                return std::nullopt;
            if (v.is_boolean())
                return ser(bool_kind(v) + " cannot be converted to String");
            if (v.is_number())
                return ser(number_kind(v) + " cannot be converted to String");
            if (v.is_array())
                return ser("Unrecognized collection type class java.lang.String");
            return ser(not_expected_object);
        case kind::boolean:
            if (v.is_boolean())
                return std::nullopt;
            if (v.is_number())
                return ser(number_kind(v) + " cannot be converted to Boolean");
            if (v.is_string()) {
                if (bool_text(v.get_ref<const std::string&>()))
                    return std::nullopt;
                return ser("Unexpected token received from parser");
            }
            if (v.is_array())
                return ser("Unrecognized collection type class java.lang.Boolean");
            return ser(not_expected_object);
        case kind::integer:
        case kind::long_: {
            const std::string type = f.type == kind::integer ? "Integer" : "Long";
            if (v.is_number())
                return std::nullopt;
            if (v.is_boolean())
                return ser(bool_kind(v) + " cannot be converted to " + type);
            if (v.is_string())
                return ser("STRING_VALUE cannot be converted to " + type);
            if (v.is_array())
                return ser("Unrecognized collection type class java.lang." + type);
            return ser(not_expected_object);
        }
        case kind::list:
            if (v.is_object())
                return ser(not_expected_object);
            if (!v.is_array())
                return ser("Unexpected field type");
            return check_elements(v, f);
        case kind::parameterized_list:
            if (v.is_object())
                return ser(not_expected_object);
            if (!v.is_array())
                return ser(parameterized_text);
            return check_elements(v, f);
        case kind::parameterized_map:
            if (v.is_array()) {
                return ser(
                    "Unrecognized collection type java.util.Map<java.lang.String, "
                    "com.amazonaws.dynamodb.v20120810.AttributeValue>");
            }
            if (!v.is_object())
                return ser(parameterized_text);
            return check_elements(v, f);
        case kind::map:
            if (v.is_array()) {
                return ser("Unrecognized collection type java.util.Map<java.lang.String, " +
                           qualified(f.java_name) + ">");
            }
            if (!v.is_object())
                return ser("Unexpected field type");
            return check_elements(v, f);
        case kind::value_struct:
        case kind::field_struct:
            if (v.is_array())
                return ser("Unrecognized collection type class " + qualified(f.java_name));
            if (!v.is_object()) {
                return ser(f.type == kind::value_struct ? "Unexpected value type in payload"
                                                        : "Unexpected field type");
            }
            return check_members(v, f);
        case kind::attribute_value:
            return check_attribute_value_shape(v);
        case kind::attribute_map:
            return check_attribute_map_shape(v);
    }
    return std::nullopt;
}

// ---- constraints ----

std::string lower_first(std::string_view s) {
    std::string out(s);
    if (!out.empty())
        out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
    return out;
}

// JavaScript's String.length: UTF-16 code units.
std::int64_t utf16_length(const std::string& s) {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80         ? 1
                                : (c >> 5) == 6  ? 2
                                : (c >> 4) == 14 ? 3
                                : (c >> 3) == 30 ? 4
                                                 : 1;
        n += len == 4 ? 2 : 1;
        i += len;
    }
    return n;
}

std::int64_t length_of(const json& v) {
    if (v.is_string())
        return utf16_length(v.get_ref<const std::string&>());
    if (v.is_array() || v.is_object())
        return static_cast<std::int64_t>(v.size());
    return 0;
}

// dynalite's valueStr: how AWS prints a value in a constraint message.
std::string value_text(const json& v, const field* f) {
    if (v.is_null())
        return "null";
    if (f && (f->type == kind::integer || f->type == kind::long_))
        return std::to_string(json_int(v));
    if (f && f->type == kind::boolean)
        return json_bool(v) ? "true" : "false";
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i)
                out += ", ";
            out += value_text(v[i], nullptr);
        }
        return out + "]";
    }
    return v.dump();
}

bool matches_table_name(const std::string& s) {
    if (s.empty())
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
}

std::string check_text(const check& c) {
    switch (c.what) {
        case check_kind::not_null:
            return "Member must not be null";
        case check_kind::table_name_pattern:
            return "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
        case check_kind::min_length:
            return "Member must have length greater than or equal to " + std::to_string(c.n);
        case check_kind::max_length:
            return "Member must have length less than or equal to " + std::to_string(c.n);
        case check_kind::min_value:
            return "Member must have value greater than or equal to " + std::to_string(c.n);
        case check_kind::max_value:
            return "Member must have value less than or equal to " + std::to_string(c.n);
        case check_kind::one_of: {
            std::string out = "Member must satisfy enum value set: [";
            for (std::size_t i = 0; i < c.values.size(); ++i) {
                if (i)
                    out += ", ";
                out += c.values[i];
            }
            return out + "]";
        }
        default:
            return {};
    }
}

// Whether a present value satisfies a simple check.
bool holds(const check& c, const json& v, const field* f) {
    switch (c.what) {
        case check_kind::not_null:
            return !v.is_null();
        case check_kind::table_name_pattern:
            return v.is_string() && matches_table_name(v.get_ref<const std::string&>());
        case check_kind::min_length:
            return length_of(v) >= c.n;
        case check_kind::max_length:
            return length_of(v) <= c.n;
        case check_kind::min_value:
            return json_int(v) >= c.n;
        case check_kind::max_value:
            return json_int(v) <= c.n;
        case check_kind::one_of: {
            if (!v.is_string())
                return false;
            const auto& s = v.get_ref<const std::string&>();
            return std::find(c.values.begin(), c.values.end(), s) != c.values.end();
        }
        default:
            return true;
    }
}

struct collector {
    std::vector<std::string> errors;

    bool full() const { return errors.size() >= 10; }

    void add(const json& v, const field* f, const std::string& path, const std::string& text) {
        const std::string shown = v.is_null() ? "null" : "'" + value_text(v, f) + "'";
        errors.push_back("Value " + shown + " at '" + path +
                         "' failed to satisfy constraint: " + text);
    }
};

void check_field(const std::string& parent, const field& f, const json& v, collector& out);

void check_children(const std::string& path, const field& f, const json& v, collector& out) {
    if (!f.element.empty() && f.element.front().checks.empty())
        return;  // elements without constraints (strings, attribute values)
    switch (f.type) {
        case kind::list:
        case kind::parameterized_list:
            if (f.element.empty() || !v.is_array())
                return;
            for (std::size_t i = 0; i < v.size(); ++i) {
                check_field(path + "." + std::to_string(i + 1), f.element.front(), v[i], out);
            }
            return;
        case kind::map:
        case kind::parameterized_map:
            if (f.element.empty() || !v.is_object())
                return;
            for (const auto& [key, x] : v.items())
                check_field(path + "." + key, f.element.front(), x, out);
            return;
        case kind::field_struct:
        case kind::value_struct:
            if (!v.is_object())
                return;
            for (const auto& m : f.members) {
                static const json null_value;
                const json* x = member(v, m.name);
                check_field(path, m, x ? *x : null_value, out);
            }
            return;
        default:
            return;
    }
}

void check_field(const std::string& parent, const field& f, const json& v, collector& out) {
    // Most members are absent or carry only a not-null rule: decide without building the path.
    const bool only_not_null = std::all_of(f.checks.begin(), f.checks.end(), [](const check& c) {
        return c.what == check_kind::not_null;
    });
    if (f.checks.empty() || (!v.is_null() && only_not_null))
        return;
    if (v.is_null() && !std::any_of(f.checks.begin(), f.checks.end(),
                                    [](const check& c) { return c.what == check_kind::not_null; }))
        return;
    // The path is built only when a check needs it (children, or a violation to report).
    std::string path_text;
    auto path = [&]() -> const std::string& {
        if (path_text.empty())
            path_text = (parent.empty() ? "" : parent + ".") + lower_first(f.name);
        return path_text;
    };
    for (const auto& c : f.checks) {
        if (out.full())
            return;
        if (c.what != check_kind::not_null && v.is_null())
            continue;
        switch (c.what) {
            case check_kind::children:
                check_children(path(), f, v, out);
                break;
            case check_kind::map_keys:
                if (!v.is_object())
                    break;
                for (const auto& [key, x] : v.items()) {
                    const json k = key;
                    const bool ok =
                        std::all_of(c.nested.begin(), c.nested.end(),
                                    [&](const check& n) { return holds(n, k, nullptr); });
                    if (ok)
                        continue;
                    std::string text = "Map keys must satisfy constraint: [";
                    for (std::size_t i = 0; i < c.nested.size(); ++i)
                        text += (i ? ", " : "") + check_text(c.nested[i]);
                    out.add(v, &f, path(), text + "]");
                    if (out.full())
                        return;
                }
                break;
            case check_kind::map_values:
                if (!v.is_object())
                    break;
                for (const auto& [key, x] : v.items()) {
                    const bool ok =
                        std::all_of(c.nested.begin(), c.nested.end(),
                                    [&](const check& n) { return holds(n, x, nullptr); });
                    if (ok)
                        continue;
                    std::string text = "Map value must satisfy constraint: [";
                    for (std::size_t i = 0; i < c.nested.size(); ++i)
                        text += (i ? ", " : "") + check_text(c.nested[i]);
                    out.add(v, &f, path(), text + "]");
                    if (out.full())
                        return;
                }
                break;
            default:
                if (!holds(c, v, &f))
                    out.add(v, &f, path(), check_text(c));
                break;
        }
    }
}

}  // namespace

const json* member(const json& object, std::string_view name) {
    if (!object.is_object())
        return nullptr;
    const auto& obj = object.get_ref<const json::object_t&>();
    // Requests have a handful of members: a linear scan comparing lengths first beats the tree
    // search (whose every step is a memcmp).
    if (obj.size() <= 8) {
        for (const auto& [key, v] : obj) {
            if (key.size() == name.size() && std::memcmp(key.data(), name.data(), name.size()) == 0)
                return v.is_null() ? nullptr : &v;
        }
        return nullptr;
    }
    auto it = obj.find(name);
    if (it == obj.end() || it->second.is_null())
        return nullptr;
    return &it->second;
}

bool json_bool(const json& j) {
    if (j.is_boolean())
        return j.get<bool>();
    if (j.is_string())
        return bool_text(j.get_ref<const std::string&>()).value_or(false);
    return false;
}

std::int64_t json_int(const json& j) {
    if (j.is_number_integer())
        return j.get<std::int64_t>();
    if (j.is_number_unsigned()) {
        const auto u = j.get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(u);
    }
    if (j.is_number_float()) {
        const double d = std::floor(j.get<double>());
        if (!(d == d))
            return 0;
        if (d >= 9.2e18)
            return INT64_MAX;
        if (d <= -9.2e18)
            return INT64_MIN;
        return static_cast<std::int64_t>(d);
    }
    return 0;
}

namespace {
// The request's members by schema position, found in one pass over the request (requests have
// a few members, schemas up to ~20).
constexpr std::size_t max_members = 32;
using member_table = std::array<const json*, max_members>;

member_table present_members(const json& request, const fields& schema) {
    member_table out{};
    if (!request.is_object())
        return out;
    for (const auto& [key, v] : request.get_ref<const json::object_t&>()) {
        if (v.is_null())
            continue;
        for (std::size_t i = 0; i < schema.size() && i < max_members; ++i) {
            if (schema[i].name.size() == key.size() && schema[i].name == key) {
                out[i] = &v;
                break;
            }
        }
    }
    return out;
}
}  // namespace

std::optional<aws_error> check_request(const json& request, const fields& schema,
                                       const json* typed) {
    const member_table present = present_members(request, schema);
    // Pass 1: types.
    for (std::size_t i = 0; i < schema.size() && i < max_members; ++i) {
        if (const json* v = present[i]; v && v != typed) {
            if (auto e = check_type(*v, schema[i]))
                return e;
        }
    }
    // Pass 2: constraints.
    for (std::size_t i = 0; i < schema.size() && i < max_members; ++i) {
        const field& f = schema[i];
        const json* v = present[i];
        if (f.required && !v) {
            return aws_error::validation("The parameter '" + std::string(f.name) +
                                         "' is required but was not present in the request");
        }
        if (f.table_name && v && v->is_string()) {
            const auto n = length_of(*v);
            if (n < 3 || n > 255) {
                return aws_error::validation(
                    std::string(f.name) +
                    " must be at least 3 characters long and at most 255 characters long");
            }
        }
    }
    collector out;
    static const json null_value;
    static const std::string top_level;
    for (std::size_t i = 0; i < schema.size() && i < max_members; ++i) {
        const json* v = present[i];
        check_field(top_level, schema[i], v ? *v : null_value, out);
        if (out.full())
            break;
    }
    if (out.errors.empty())
        return std::nullopt;
    std::string msg = std::to_string(out.errors.size()) + " validation error" +
                      (out.errors.size() > 1 ? "s" : "") + " detected: ";
    for (std::size_t i = 0; i < out.errors.size(); ++i) msg += (i ? "; " : "") + out.errors[i];
    return aws_error::validation(std::move(msg));
}

// ---- builders ----

field string_field(std::string_view name, std::vector<check> checks) {
    return field{name, kind::string, {}, false, false, std::move(checks), {}, {}};
}

field bool_field(std::string_view name) {
    return field{name, kind::boolean, {}, false, false, {}, {}, {}};
}

field int_field(std::string_view name, std::vector<check> checks) {
    return field{name, kind::integer, {}, false, false, std::move(checks), {}, {}};
}

field long_field(std::string_view name, std::vector<check> checks) {
    return field{name, kind::long_, {}, false, false, std::move(checks), {}, {}};
}

field attr_map_field(std::string_view name, std::vector<check> checks) {
    return field{name, kind::attribute_map, {}, false, false, std::move(checks), {}, {}};
}

field attr_value_field(std::string_view name) {
    return field{name, kind::attribute_value, {}, false, false, {}, {}, {}};
}

// Members and elements are checked after the field's own constraints (AWS's order).
static std::vector<check> with_children(std::vector<check> checks) {
    checks.push_back(children());
    return checks;
}

field list_field(std::string_view name, field element, std::vector<check> checks) {
    element.name = "member";
    checks = with_children(std::move(checks));
    return field{name, kind::list, {}, false, false, std::move(checks), {}, {std::move(element)}};
}

field map_field(std::string_view name, std::string_view java_name, field element,
                std::vector<check> checks) {
    element.name = "member";
    checks = with_children(std::move(checks));
    return field{name,  kind::map,         java_name, false,
                 false, std::move(checks), {},        {std::move(element)}};
}

field struct_field(std::string_view name, std::string_view java_name, fields members,
                   std::vector<check> checks) {
    checks = with_children(std::move(checks));
    return field{name,  kind::field_struct, java_name,          false,
                 false, std::move(checks),  std::move(members), {}};
}

field value_struct(std::string_view java_name, fields members) {
    return field{"member", kind::value_struct, java_name,          false,
                 false,    {children()},       std::move(members), {}};
}

check not_null() {
    return check{check_kind::not_null};
}

check table_name_pattern() {
    return check{check_kind::table_name_pattern};
}

check min_length(std::int64_t n) {
    return check{check_kind::min_length, n};
}

check max_length(std::int64_t n) {
    return check{check_kind::max_length, n};
}

check min_value(std::int64_t n) {
    return check{check_kind::min_value, n};
}

check max_value(std::int64_t n) {
    return check{check_kind::max_value, n};
}

check one_of(std::vector<std::string_view> values) {
    return check{check_kind::one_of, 0, std::move(values)};
}

check children() {
    return check{check_kind::children};
}

check map_keys(std::vector<check> nested) {
    return check{check_kind::map_keys, 0, {}, std::move(nested)};
}

check map_values(std::vector<check> nested) {
    return check{check_kind::map_values, 0, {}, std::move(nested)};
}

field table_name_member() {
    return string_field("TableName",
                        {not_null(), table_name_pattern(), min_length(3), max_length(255)});
}

field required_table_name() {
    field f = string_field("TableName", {table_name_pattern()});
    f.required = true;
    f.table_name = true;
    return f;
}

}  // namespace esser::emulator::schema

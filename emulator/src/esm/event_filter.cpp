#include "esser/emulator/esm/event_filter.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "esser/emulator/esm/esm_config.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

enum class cmp : std::uint8_t { eq, lt, le, gt, ge };

struct condition {
    enum class kind : std::uint8_t {
        literal,
        prefix,
        suffix,
        equals_ignore_case,
        anything_but,
        anything_but_prefix,
        anything_but_suffix,
        numeric,
        exists
    };
    kind k = kind::literal;
    json literal;                               // literal
    std::vector<json> values;                   // anything_but
    std::string text;                           // prefix, suffix, equals-ignore-case
    std::vector<std::pair<cmp, double>> range;  // numeric
    bool exists = true;                         // exists
};

// Deep patterns are legal JSON but nothing a user writes; the cap keeps recursion bounded.
constexpr int max_depth = 64;

core::error invalid_pattern() {
    return esm_error("InvalidParameterValueException", "Invalid filter pattern definition.");
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
        if (lower(static_cast<unsigned char>(a[i])) != lower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// Literal equality: same JSON type; numbers by their JSON text (§4.6: 300 is not 300.0).
bool literal_equals(const json& pattern, const json& v) {
    if (pattern.is_string())
        return v.is_string() &&
               v.get_ref<const std::string&>() == pattern.get_ref<const std::string&>();
    if (pattern.is_number())
        return v.is_number() && v.dump() == pattern.dump();
    if (pattern.is_boolean())
        return v.is_boolean() && v.get<bool>() == pattern.get<bool>();
    if (pattern.is_null())
        return v.is_null();
    return false;
}

bool string_op(const condition& c, const json& v) {
    if (!v.is_string())
        return false;
    const auto& s = v.get_ref<const std::string&>();
    switch (c.k) {
        case condition::kind::prefix:
        case condition::kind::anything_but_prefix:
            return s.starts_with(c.text);
        case condition::kind::suffix:
        case condition::kind::anything_but_suffix:
            return s.ends_with(c.text);
        case condition::kind::equals_ignore_case:
            return ascii_iequals(s, c.text);
        default:
            return false;
    }
}

bool numeric_match(const condition& c, const json& v) {
    if (!v.is_number())
        return false;
    const double x = v.get<double>();
    for (const auto& [op, bound] : c.range) {
        bool ok = false;
        switch (op) {
            case cmp::eq:
                ok = x == bound;
                break;
            case cmp::lt:
                ok = x < bound;
                break;
            case cmp::le:
                ok = x <= bound;
                break;
            case cmp::gt:
                ok = x > bound;
                break;
            case cmp::ge:
                ok = x >= bound;
                break;
        }
        if (!ok)
            return false;
    }
    return true;
}

// One condition against one leaf value (never an object, never an array).
bool match_scalar(const condition& c, const json& v) {
    switch (c.k) {
        case condition::kind::literal:
            return literal_equals(c.literal, v);
        case condition::kind::prefix:
        case condition::kind::suffix:
        case condition::kind::equals_ignore_case:
            return string_op(c, v);
        case condition::kind::anything_but:
            return std::none_of(c.values.begin(), c.values.end(),
                                [&](const json& p) { return literal_equals(p, v); });
        case condition::kind::anything_but_prefix:
        case condition::kind::anything_but_suffix:
            return v.is_string() && !string_op(c, v);
        case condition::kind::numeric:
            return numeric_match(c, v);
        case condition::kind::exists:
            return c.exists;
    }
    return false;
}

// `v` is null when the path is absent. Objects are not leaves: they count as absent.
bool match_condition(const condition& c, const json* v) {
    if (v != nullptr && v->is_object())
        v = nullptr;
    if (c.k == condition::kind::exists)
        return (v != nullptr) == c.exists;
    if (v == nullptr)
        return false;
    if (v->is_array()) {
        const bool negative = c.k == condition::kind::anything_but ||
                              c.k == condition::kind::anything_but_prefix ||
                              c.k == condition::kind::anything_but_suffix;
        if (negative) {
            return std::all_of(v->begin(), v->end(), [&](const json& e) {
                return !e.is_object() && !e.is_array() && match_scalar(c, e);
            });
        }
        return std::any_of(v->begin(), v->end(), [&](const json& e) {
            return !e.is_object() && !e.is_array() && match_scalar(c, e);
        });
    }
    return match_scalar(c, *v);
}

std::optional<cmp> parse_cmp(const json& j) {
    if (!j.is_string())
        return std::nullopt;
    const auto& s = j.get_ref<const std::string&>();
    if (s == "=")
        return cmp::eq;
    if (s == "<")
        return cmp::lt;
    if (s == "<=")
        return cmp::le;
    if (s == ">")
        return cmp::gt;
    if (s == ">=")
        return cmp::ge;
    return std::nullopt;
}

std::optional<condition> compile_numeric(const json& spec) {
    if (!spec.is_array() || spec.empty() || spec.size() % 2 != 0 || spec.size() > 4)
        return std::nullopt;
    condition c;
    c.k = condition::kind::numeric;
    int lower = 0, upper = 0, equal = 0;
    for (std::size_t i = 0; i < spec.size(); i += 2) {
        auto op = parse_cmp(spec[i]);
        if (!op || !spec[i + 1].is_number())
            return std::nullopt;
        if (*op == cmp::eq)
            ++equal;
        else if (*op == cmp::gt || *op == cmp::ge)
            ++lower;
        else
            ++upper;
        c.range.emplace_back(*op, spec[i + 1].get<double>());
    }
    if (equal > 0 && spec.size() != 2)
        return std::nullopt;
    if (lower > 1 || upper > 1)
        return std::nullopt;
    return c;
}

std::optional<condition> compile_operator(const json& obj) {
    if (obj.size() != 1)
        return std::nullopt;
    // Not `*obj.items().begin()`: the key would refer into a destroyed iteration proxy.
    const auto first = obj.begin();
    const std::string& name = first.key();
    const json& spec = first.value();
    condition c;
    if (name == "prefix" || name == "suffix" || name == "equals-ignore-case") {
        if (!spec.is_string())
            return std::nullopt;
        c.k = name == "prefix"   ? condition::kind::prefix
              : name == "suffix" ? condition::kind::suffix
                                 : condition::kind::equals_ignore_case;
        c.text = spec.get<std::string>();
        return c;
    }
    if (name == "exists") {
        if (!spec.is_boolean())
            return std::nullopt;
        c.k = condition::kind::exists;
        c.exists = spec.get<bool>();
        return c;
    }
    if (name == "numeric")
        return compile_numeric(spec);
    if (name == "anything-but") {
        if (spec.is_string() || spec.is_number()) {
            c.k = condition::kind::anything_but;
            c.values.push_back(spec);
            return c;
        }
        if (spec.is_array()) {
            if (spec.empty())
                return std::nullopt;
            for (const auto& v : spec) {
                if (!v.is_string() && !v.is_number())
                    return std::nullopt;
                c.values.push_back(v);
            }
            c.k = condition::kind::anything_but;
            return c;
        }
        if (spec.is_object() && spec.size() == 1) {
            const auto only = spec.begin();
            const std::string& inner = only.key();
            const json& text = only.value();
            if ((inner != "prefix" && inner != "suffix") || !text.is_string())
                return std::nullopt;
            c.k = inner == "prefix" ? condition::kind::anything_but_prefix
                                    : condition::kind::anything_but_suffix;
            c.text = text.get<std::string>();
            return c;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

struct event_filter::node {
    struct field {
        std::string key;
        std::unique_ptr<node> value;
    };

    bool leaf = false;
    std::vector<field> fields;          // object pattern: every field must match
    std::vector<condition> conditions;  // leaf: one of them must match
};

namespace {

using node = event_filter::node;

std::unique_ptr<node> compile_node(const json& j, int depth);

std::unique_ptr<node> compile_leaf(const json& arr) {
    if (arr.empty())
        return nullptr;
    auto n = std::make_unique<node>();
    n->leaf = true;
    for (const auto& v : arr) {
        if (v.is_object()) {
            auto c = compile_operator(v);
            if (!c)
                return nullptr;
            n->conditions.push_back(std::move(*c));
        } else if (v.is_string() || v.is_number() || v.is_boolean() || v.is_null()) {
            condition c;
            c.k = condition::kind::literal;
            c.literal = v;
            n->conditions.push_back(std::move(c));
        } else {
            return nullptr;  // nested arrays
        }
    }
    return n;
}

std::unique_ptr<node> compile_node(const json& j, int depth) {
    if (depth > max_depth || !j.is_object() || j.empty())
        return nullptr;
    auto n = std::make_unique<node>();
    for (const auto& [key, value] : j.items()) {
        std::unique_ptr<node> child;
        if (value.is_object())
            child = compile_node(value, depth + 1);
        else if (value.is_array())
            child = compile_leaf(value);
        if (!child)
            return nullptr;
        n->fields.push_back({key, std::move(child)});
    }
    return n;
}

bool match_node(const node& n, const json* v) {
    if (n.leaf) {
        return std::any_of(n.conditions.begin(), n.conditions.end(),
                           [&](const condition& c) { return match_condition(c, v); });
    }
    const json* obj = v != nullptr && v->is_object() ? v : nullptr;
    for (const auto& f : n.fields) {
        const json* child = nullptr;
        if (obj != nullptr) {
            auto it = obj->find(f.key);
            if (it != obj->end())
                child = &*it;
        }
        if (!match_node(*f.value, child))
            return false;
    }
    return true;
}

}  // namespace

core::result<event_filter> event_filter::compile(std::string_view pattern) {
    json j = json::parse(pattern, nullptr, false);
    if (j.is_discarded())
        return core::fail(invalid_pattern());
    auto root = compile_node(j, 0);
    if (!root)
        return core::fail(invalid_pattern());
    event_filter f;
    f.root_ = std::move(root);
    return f;
}

bool event_filter::matches(const json& record) const {
    return root_ && match_node(*root_, &record);
}

core::result<filter_criteria> filter_criteria::compile(const std::vector<std::string>& patterns) {
    filter_criteria out;
    for (const auto& p : patterns) {
        auto f = event_filter::compile(p);
        if (!f)
            return core::fail(f.error());
        out.filters_.push_back(std::move(*f));
    }
    return out;
}

bool filter_criteria::matches(const json& record) const {
    if (filters_.empty())
        return true;
    return std::any_of(filters_.begin(), filters_.end(),
                       [&](const event_filter& f) { return f.matches(record); });
}

}  // namespace esser::emulator

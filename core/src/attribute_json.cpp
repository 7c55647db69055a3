#include "esser/core/attribute_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace esser::core {

using nlohmann::json;

void append_pointer_token(std::string& pointer, std::string_view token) {
    pointer.push_back('/');
    for (char c : token) {
        if (c == '~') {
            pointer += "~0";
        } else if (c == '/') {
            pointer += "~1";
        } else {
            pointer.push_back(c);
        }
    }
}

namespace {

// A decimal as significant digits and a power of ten: value = (-1)^negative * digits * 10^exp,
// digits without leading or trailing zeros; zero has empty digits. Two decimal texts denote the
// same number iff their normalised forms are equal (DynamoDB's own number equality).
struct decimal_text {
    bool negative = false;
    std::string digits;
    std::int64_t exponent = 0;

    bool is_zero() const { return digits.empty(); }

    // The exponent of the leading digit (scientific notation d.ddd x 10^adjusted).
    std::int64_t adjusted() const {
        return exponent + static_cast<std::int64_t>(digits.size()) - 1;
    }

    friend bool operator==(const decimal_text&, const decimal_text&) = default;
};

// DynamoDB's number syntax (spec §2.2): [+-] digits [. digits] [(e|E) [+-] digits], at least one
// digit in the mantissa. No spaces, no NaN/Infinity.
bool parse_decimal(std::string_view s, decimal_text& out) {
    std::size_t i = 0;
    out = decimal_text{};
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        out.negative = s[i] == '-';
        ++i;
    }
    std::string mantissa;
    std::int64_t frac_digits = 0;
    bool any_digit = false, seen_point = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            any_digit = true;
            if (!(mantissa.empty() && c == '0'))
                mantissa.push_back(c);
            if (seen_point)
                ++frac_digits;
            if (mantissa.size() > 400)
                return false;  // far beyond any valid N
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!any_digit)
        return false;
    std::int64_t exp = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool neg = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            neg = s[i] == '-';
            ++i;
        }
        if (i == s.size())
            return false;
        for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            if (exp < 100000000)
                exp = exp * 10 + (s[i] - '0');
        }
        if (neg)
            exp = -exp;
    }
    if (i != s.size())
        return false;
    if (mantissa.empty()) {
        out.negative = false;
        return true;  // zero
    }
    std::int64_t e = exp - frac_digits;
    while (!mantissa.empty() && mantissa.back() == '0') {
        mantissa.pop_back();
        ++e;
    }
    out.digits = std::move(mantissa);
    out.exponent = e;
    return true;
}

// Plain notation, as DynamoDB prints numbers: "100", "12.5", "0.0001".
std::string to_plain(const decimal_text& d) {
    if (d.is_zero())
        return "0";
    std::string out;
    if (d.negative)
        out.push_back('-');
    const auto n = static_cast<std::int64_t>(d.digits.size());
    if (d.exponent >= 0) {
        out += d.digits;
        out.append(static_cast<std::size_t>(d.exponent), '0');
    } else if (n + d.exponent > 0) {
        const auto point = static_cast<std::size_t>(n + d.exponent);
        out.append(d.digits, 0, point);
        out.push_back('.');
        out.append(d.digits, point, std::string::npos);
    } else {
        out += "0.";
        out.append(static_cast<std::size_t>(-(n + d.exponent)), '0');
        out += d.digits;
    }
    return out;
}

error number_error(std::string_view path, std::string reason) {
    return error::parse_error("number has no exact representation",
                              {{std::string(path), std::move(reason)}});
}

// Shortest round-trip text of a finite double, normalised.
decimal_text shortest(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    decimal_text d;
    parse_decimal(std::string_view(buf, static_cast<std::size_t>(end - buf)), d);
    return d;
}

struct converter {
    std::string path;  // JSON Pointer of the value being converted; grows and shrinks

    error at(std::string message, std::string reason) const {
        return error::parse_error(std::move(message), {{path, std::move(reason)}});
    }

    result<json> from_av(const json& av, int depth) {
        if (depth > max_attribute_depth) {
            return fail(at("document too deep", "nesting exceeds 32 levels"));
        }
        if (!av.is_object() || av.size() != 1) {
            return fail(at("malformed AttributeValue",
                           "must be an object with exactly one type member (S, N, BOOL, NULL, M, "
                           "L, SS, NS)"));
        }
        const auto member = av.begin();
        const std::string& tag = member.key();
        const json& v = member.value();
        if (tag == "S") {
            if (!v.is_string())
                return fail(at("malformed AttributeValue", "S must be a string"));
            return v;
        }
        if (tag == "N") {
            if (!v.is_string())
                return fail(at("malformed AttributeValue", "N must be a string"));
            return number_from_text(v.get_ref<const std::string&>(), path);
        }
        if (tag == "BOOL") {
            if (!v.is_boolean())
                return fail(at("malformed AttributeValue", "BOOL must be a boolean"));
            return v;
        }
        if (tag == "NULL") {
            if (v != json(true))
                return fail(at("malformed AttributeValue", "NULL must be true"));
            return json(nullptr);
        }
        if (tag == "M") {
            if (!v.is_object())
                return fail(at("malformed AttributeValue", "M must be an object"));
            return from_map(v, depth + 1);
        }
        if (tag == "L") {
            if (!v.is_array())
                return fail(at("malformed AttributeValue", "L must be an array"));
            json out = json::array();
            out.get_ref<json::array_t&>().reserve(v.size());
            std::size_t i = 0;
            for (const auto& el : v) {
                const auto len = path.size();
                append_pointer_token(path, std::to_string(i++));
                auto r = from_av(el, depth + 1);
                if (!r)
                    return r;
                path.resize(len);
                out.push_back(std::move(*r));
            }
            return out;
        }
        if (tag == "SS" || tag == "NS") {
            if (!v.is_array() || v.empty()) {
                return fail(at("malformed AttributeValue", tag + " must be a non-empty array"));
            }
            json out = json::array();
            std::size_t i = 0;
            for (const auto& el : v) {
                const auto len = path.size();
                append_pointer_token(path, std::to_string(i++));
                if (!el.is_string()) {
                    return fail(at("malformed AttributeValue", tag + " elements must be strings"));
                }
                if (tag == "SS") {
                    out.push_back(el);
                } else {
                    auto n = number_from_text(el.get_ref<const std::string&>(), path);
                    if (!n)
                        return n;
                    out.push_back(std::move(*n));
                }
                path.resize(len);
            }
            return out;
        }
        if (tag == "B" || tag == "BS") {
            return fail(at("binary attribute", "binary values (" + tag +
                                                   ") have no plain JSON form; events and states "
                                                   "never contain them"));
        }
        return fail(at("malformed AttributeValue", "unknown AttributeValue type '" + tag + "'"));
    }

    result<json> from_map(const json& m, int depth) {
        json out = json::object();
        for (const auto& [name, v] : m.items()) {
            const auto len = path.size();
            append_pointer_token(path, name);
            auto r = from_av(v, depth);
            if (!r)
                return r;
            path.resize(len);
            out.emplace(name, std::move(*r));
        }
        return out;
    }

    result<json> to_av(const json& v, int depth) {
        if (depth > max_attribute_depth) {
            return fail(at("document too deep", "nesting exceeds 32 levels"));
        }
        switch (v.type()) {
            case json::value_t::string:
                return json{{"S", v}};
            case json::value_t::boolean:
                return json{{"BOOL", v}};
            case json::value_t::null:
                return json{{"NULL", true}};
            case json::value_t::number_integer:
            case json::value_t::number_unsigned:
            case json::value_t::number_float: {
                auto t = number_to_text(v, path);
                if (!t)
                    return fail(std::move(t).error());
                return json{{"N", std::move(*t)}};
            }
            case json::value_t::object: {
                auto m = to_map(v, depth + 1);
                if (!m)
                    return m;
                return json{{"M", std::move(*m)}};
            }
            case json::value_t::array: {
                json out = json::array();
                out.get_ref<json::array_t&>().reserve(v.size());
                std::size_t i = 0;
                for (const auto& el : v) {
                    const auto len = path.size();
                    append_pointer_token(path, std::to_string(i++));
                    auto r = to_av(el, depth + 1);
                    if (!r)
                        return r;
                    path.resize(len);
                    out.push_back(std::move(*r));
                }
                return json{{"L", std::move(out)}};
            }
            case json::value_t::binary:
                return fail(at("binary value", "binary JSON values are not supported"));
            case json::value_t::discarded:
                return fail(at("invalid value", "discarded JSON value"));
        }
        return fail(at("invalid value", "unknown JSON type"));
    }

    result<json> to_map(const json& obj, int depth) {
        json out = json::object();
        for (const auto& [name, v] : obj.items()) {
            const auto len = path.size();
            append_pointer_token(path, name);
            auto r = to_av(v, depth);
            if (!r)
                return r;
            path.resize(len);
            out.emplace(name, std::move(*r));
        }
        return out;
    }
};

}  // namespace

result<std::string> number_to_text(const json& number, std::string_view path) {
    switch (number.type()) {
        case json::value_t::number_integer:
            return std::to_string(number.get<std::int64_t>());
        case json::value_t::number_unsigned:
            return std::to_string(number.get<std::uint64_t>());
        case json::value_t::number_float: {
            const double v = number.get<double>();
            if (!std::isfinite(v)) {
                return fail(number_error(path, "NaN and infinity cannot be stored in DynamoDB"));
            }
            const decimal_text d = shortest(v);
            if (!d.is_zero() && d.adjusted() > 125) {
                return fail(number_error(path, "magnitude above DynamoDB's maximum (9.99e125)"));
            }
            if (!d.is_zero() && d.adjusted() < -130) {
                return fail(number_error(path, "magnitude below DynamoDB's minimum (1e-130)"));
            }
            return to_plain(d);
        }
        default:
            return fail(number_error(path, "not a number"));
    }
}

result<json> number_from_text(std::string_view text, std::string_view path) {
    decimal_text d;
    if (!parse_decimal(text, d)) {
        return fail(error::parse_error("malformed number",
                                       {{std::string(path), "'" + std::string(text.substr(0, 64)) +
                                                                "' is not a decimal number"}}));
    }
    if (d.is_zero())
        return json(std::uint64_t{0});
    // Integers first: exact in int64/uint64 when they fit.
    if (d.exponent >= 0 && static_cast<std::int64_t>(d.digits.size()) + d.exponent <= 20) {
        unsigned __int128 v = 0;
        for (char c : d.digits) v = v * 10 + static_cast<unsigned>(c - '0');
        for (std::int64_t i = 0; i < d.exponent; ++i) v *= 10;
        if (!d.negative && v <= std::numeric_limits<std::uint64_t>::max()) {
            return json(static_cast<std::uint64_t>(v));
        }
        if (d.negative && v <= static_cast<unsigned __int128>(1) << 63) {
            return json(static_cast<std::int64_t>(-static_cast<__int128>(v)));
        }
    }
    // Then a double, accepted only if it denotes exactly the same decimal.
    std::string sci;
    sci.reserve(d.digits.size() + 24);
    if (d.negative)
        sci.push_back('-');
    sci += d.digits;
    sci.push_back('e');
    sci += std::to_string(d.exponent);
    double v = 0;
    auto [ptr, ec] = std::from_chars(sci.data(), sci.data() + sci.size(), v);
    if (ec == std::errc() && std::isfinite(v) && v != 0 && shortest(v) == d)
        return json(v);
    return fail(number_error(
        path, "the number " + std::string(text.substr(0, 64)) +
                  " has no exact JSON (binary64) representation; store it as a string instead"));
}

result<json> from_attribute_value(const json& av, std::string_view path) {
    converter c{std::string(path)};
    return c.from_av(av, 0);
}

result<json> from_attribute_map(const json& map, std::string_view path) {
    converter c{std::string(path)};
    if (!map.is_object())
        return fail(c.at("malformed attribute map", "must be a JSON object"));
    return c.from_map(map, 0);
}

result<json> to_attribute_value(const json& plain, std::string_view path) {
    converter c{std::string(path)};
    return c.to_av(plain, 0);
}

result<json> to_attribute_map(const json& plain_object, std::string_view path) {
    converter c{std::string(path)};
    if (!plain_object.is_object())
        return fail(c.at("not an object", "must be a JSON object"));
    return c.to_map(plain_object, 0);
}

}  // namespace esser::core

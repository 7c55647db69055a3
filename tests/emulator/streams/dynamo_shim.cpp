// TEMPORARY: minimal definitions of the attribute_value / decimal interfaces so the streams
// tests link before the engine's implementation (esser_emulator_dynamo) is on main. Compiled
// only when that target does not exist; deleted once it lands.
#include <algorithm>
#include <cassert>

#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/decimal.hpp"

namespace esser::emulator {

attribute_map::attribute_map(std::vector<entry> entries) {
    for (auto& e : entries) set(std::move(e.first), std::move(e.second));
}

const attribute_value* attribute_map::find(std::string_view name) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                               [](const entry& e, std::string_view n) { return e.first < n; });
    return it != entries_.end() && it->first == name ? &it->second : nullptr;
}

attribute_value* attribute_map::find(std::string_view name) {
    return const_cast<attribute_value*>(std::as_const(*this).find(name));
}

attribute_value& attribute_map::set(std::string name, attribute_value v) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                               [](const entry& e, const std::string& n) { return e.first < n; });
    if (it != entries_.end() && it->first == name) {
        it->second = std::move(v);
        return it->second;
    }
    return entries_.insert(it, entry{std::move(name), std::move(v)})->second;
}

bool attribute_map::erase(std::string_view name) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                               [](const entry& e, std::string_view n) { return e.first < n; });
    if (it == entries_.end() || it->first != name)
        return false;
    entries_.erase(it);
    return true;
}

bool operator==(const attribute_map& a, const attribute_map& b) {
    return a.entries_ == b.entries_;
}

attribute_value attribute_value::ss(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return attribute_value(string_set{std::move(v)});
}

attribute_value attribute_value::ns(std::vector<decimal> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return attribute_value(number_set{std::move(v)});
}

attribute_value attribute_value::bs(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return attribute_value(binary_set{std::move(v)});
}

// Integers and plain decimals only ("12", "-3.25", "0.5"); enough for the streams tests.
decimal::parse_result decimal::parse(std::string_view text) {
    decimal d;
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
        d.negative_ = text[i++] == '-';
    int frac = 0;
    bool point = false, any = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            return core::unexpected<std::string>("not a number");
        any = true;
        d.coefficient_ = d.coefficient_ * 10 + static_cast<unsigned>(c - '0');
        if (point)
            ++frac;
    }
    if (!any)
        return core::unexpected<std::string>("not a number");
    d.exponent_ = -frac;
    while (d.coefficient_ != 0 && d.coefficient_ % 10 == 0) {
        d.coefficient_ /= 10;
        ++d.exponent_;
    }
    if (d.coefficient_ == 0)
        d = decimal();
    return d;
}

decimal decimal::from_int(std::int64_t v) {
    return *parse(std::to_string(v));
}

int decimal::digits() const {
    int n = 0;
    for (auto c = coefficient_; c != 0; c /= 10) ++n;
    return n;
}

std::string decimal::to_string() const {
    if (coefficient_ == 0)
        return "0";
    std::string digits;
    for (auto c = coefficient_; c != 0; c /= 10)
        digits.insert(digits.begin(), char('0' + int(c % 10)));
    if (exponent_ >= 0) {
        digits.append(static_cast<std::size_t>(exponent_), '0');
    } else {
        const auto frac = static_cast<std::size_t>(-exponent_);
        if (digits.size() <= frac)
            digits.insert(0, frac - digits.size() + 1, '0');
        digits.insert(digits.size() - frac, ".");
    }
    return negative_ ? "-" + digits : digits;
}

std::strong_ordering operator<=>(const decimal& a, const decimal& b) {
    // Good enough for the tests' small numbers.
    const long double x = std::stold(a.to_string()), y = std::stold(b.to_string());
    return x < y ? std::strong_ordering::less
                 : (x > y ? std::strong_ordering::greater : std::strong_ordering::equal);
}

}  // namespace esser::emulator

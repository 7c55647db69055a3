#include "esser/emulator/dynamo/key_predicate.hpp"

#include <optional>

namespace esser::emulator {

namespace {
// -1/0/1 for two values of the same key type (S, B bytewise unsigned; N numerically), nullopt
// for different or non-key types (spec §2.5: such comparisons are simply false).
std::optional<int> compare_keys(const attribute_value& a, const attribute_value& b) {
    if (a.type() != b.type())
        return std::nullopt;
    switch (a.type()) {
        case value_type::S:
            return a.as_s().compare(b.as_s()) < 0 ? -1 : a.as_s() == b.as_s() ? 0 : 1;
        case value_type::B:
            return a.as_b().compare(b.as_b()) < 0 ? -1 : a.as_b() == b.as_b() ? 0 : 1;
        case value_type::N: {
            const auto c = a.as_n() <=> b.as_n();
            return c < 0 ? -1 : c == 0 ? 0 : 1;
        }
        default:
            return std::nullopt;
    }
}
}  // namespace

bool key_predicate::matches(const attribute_value& v) const {
    if (range == op::none)
        return true;
    if (range == op::begins_with) {
        if (v.type() != lower.type())
            return false;
        if (v.type() == value_type::S)
            return v.as_s().rfind(lower.as_s(), 0) == 0;
        if (v.type() == value_type::B)
            return v.as_b().rfind(lower.as_b(), 0) == 0;
        return false;
    }
    const auto c = compare_keys(v, lower);
    if (!c)
        return false;
    switch (range) {
        case op::eq:
            return *c == 0;
        case op::lt:
            return *c < 0;
        case op::le:
            return *c <= 0;
        case op::gt:
            return *c > 0;
        case op::ge:
            return *c >= 0;
        case op::between: {
            const auto d = compare_keys(v, upper);
            return *c >= 0 && d && *d <= 0;
        }
        default:
            return false;
    }
}

}  // namespace esser::emulator

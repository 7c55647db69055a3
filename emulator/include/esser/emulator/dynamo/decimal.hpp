#pragma once
// DynamoDB's Number: an exact decimal of at most 38 significant digits with a magnitude between
// 1e-130 and 9.99...9e+125 (spec/dynamodb-api.md §2.2). No binary floating point anywhere.
//
// Representation: value = (negative ? -1 : 1) * coefficient * 10^exponent, with the coefficient
// below 10^38 and without trailing zeros (normalised), zero as coefficient 0, exponent 0,
// positive. Normalisation makes equality structural: "1", "1.0", "10e-1" are the same decimal.
//
// Errors are DynamoDB's ValidationException messages, returned as text for the caller to wrap:
//   "Attempting to store more than 38 significant digits in a Number"
//   "Number overflow. Attempting to store a number with magnitude larger than supported range"
//   "Number underflow. Attempting to store a number with magnitude smaller than supported range"
//   "The parameter cannot be converted to a numeric value: <text>"
//   "The parameter cannot be converted to a numeric value"            (empty text)
// When several apply, the order is AWS's (as dynalite checks it): syntax, overflow, underflow,
// precision. So "1e200" with 40 digits reports overflow, not precision.
//
// Arithmetic (SET a = b + c, ADD) is exact; a result that would need more than 38 significant
// digits fails with the overflow text, as AWS does for 1e50 + 1 (spec §2.2, alternator
// test_number.py test_update_expression_plus_imprecise).
//
// Invariants: coefficient_ < 10^38; coefficient_ % 10 != 0 unless zero; for zero exponent_ == 0
// and negative_ == false; for non-zero, -130 <= exponent_ + digits() - 1 <= 125.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "esser/core/expected.hpp"

namespace esser::emulator {

class decimal {
public:
    using parse_result = core::expected<decimal, std::string>;

    static constexpr int max_digits = 38;
    static constexpr int max_adjusted_exponent = 125;   // 9.99..9e125 is the largest magnitude
    static constexpr int min_adjusted_exponent = -130;  // 1e-130 is the smallest

    decimal() = default;  // zero

    // Accepts DynamoDB's syntax: optional sign, digits with an optional point, optional exponent
    // ("3", "-7.1234", "-17e5", "+3", ".123", "0001.23", "1e+5", "0e1000", "1."). Rejects NaN,
    // Infinity, surrounding spaces, empty text, "." alone, a bare exponent.
    static parse_result parse(std::string_view text);
    // Exact for every int64.
    static decimal from_int(std::int64_t v);
    // value = (negative ? -1 : 1) * coefficient * 10^exponent, normalised; the same range and
    // precision errors as parse().
    static parse_result from_parts(unsigned __int128 coefficient, int exponent, bool negative);
    // The decimal of parts that already satisfy the invariants (a number the item codec stored
    // from a decimal): no normalisation, no checks. Anything else breaks the invariants.
    static decimal from_normalised_parts(unsigned __int128 coefficient, int exponent,
                                         bool negative);

    // Canonical plain notation, as DynamoDB returns numbers: no exponent, no leading or trailing
    // zeros, "-" only for non-zero negatives ("1.0" -> "1", "1e2" -> "100", "0.000...01").
    std::string to_string() const;
    // The longest to_string(): "-0." then 129 zeros and 38 digits (170), rounded up.
    static constexpr std::size_t max_text_size = 176;
    // Writes to_string() at `out`, which has room for max_text_size characters; returns the end
    // (no allocation: the response writers call it for every number of every item).
    char* write_text(char* out) const;

    bool is_zero() const { return coefficient_ == 0; }

    bool is_negative() const { return negative_; }

    // Number of significant digits (0 for zero).
    int digits() const;

    // The exponent of the normalised coefficient (value = coefficient * 10^exponent()).
    int exponent() const { return exponent_; }

    // The scientific exponent: value = d.ddd * 10^adjusted_exponent() (0 for zero). This is the
    // exponent DynamoDB's range limits and size formula use (big.js `e`).
    int adjusted_exponent() const { return is_zero() ? 0 : exponent_ + digits() - 1; }

    // The normalised coefficient (< 10^38).
    unsigned __int128 coefficient() const { return coefficient_; }

    // True when the value is an integer that fits in int64; sets out.
    bool to_int64(std::int64_t& out) const;

    // Stored size in bytes by DynamoDB's formula (spec §2.3): zero is 1 byte, otherwise
    // 1 + ceil(digits/2) + (digits even && adjusted exponent even ? 1 : 0) + (negative ? 1 : 0).
    std::size_t size_bytes() const;

    // Exact arithmetic; a result outside 38 digits or the range is an error (overflow or
    // underflow text).
    static parse_result add(const decimal& a, const decimal& b);
    static parse_result subtract(const decimal& a, const decimal& b);
    // -x (zero stays zero).
    decimal negated() const;

    // A hash consistent with ==, for hash-keyed containers.
    std::size_t hash() const noexcept;

    friend bool operator==(const decimal&, const decimal&) = default;
    friend std::strong_ordering operator<=>(const decimal& a, const decimal& b);

private:
    unsigned __int128 coefficient_ = 0;
    std::int32_t exponent_ = 0;
    bool negative_ = false;
};

}  // namespace esser::emulator

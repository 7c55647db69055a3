#include "esser/emulator/dynamo/decimal.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <boost/multiprecision/cpp_int.hpp>

namespace esser::emulator {

namespace {

using u128 = unsigned __int128;

constexpr std::array<u128, 39> make_pow10() {
    std::array<u128, 39> t{};
    u128 v = 1;
    for (auto& x : t) {
        x = v;
        v *= 10;
    }
    return t;
}

constexpr std::array<u128, 39> pow10 = make_pow10();

constexpr std::string_view overflow_text =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr std::string_view underflow_text =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
constexpr std::string_view precision_text =
    "Attempting to store more than 38 significant digits in a Number";

int count_digits(u128 c) {
    if (c == 0)
        return 0;
    // pow10[k] <= c < pow10[k+1]  ->  k+1 digits
    auto it = std::upper_bound(pow10.begin(), pow10.end(), c);
    return static_cast<int>(it - pow10.begin());
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

decimal::parse_result decimal::parse(std::string_view text) {
    using core::unexpected;
    if (text.empty())
        return unexpected(std::string("The parameter cannot be converted to a numeric value"));
    auto bad = [&] {
        return unexpected("The parameter cannot be converted to a numeric value: " +
                          std::string(text));
    };

    std::size_t i = 0;
    bool negative = false;
    if (text[0] == '+' || text[0] == '-') {
        negative = text[0] == '-';
        ++i;
    }
    const std::size_t int_begin = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    const std::size_t int_end = i;
    std::size_t frac_begin = i, frac_end = i;
    if (i < text.size() && text[i] == '.') {
        ++i;
        frac_begin = i;
        while (i < text.size() && is_digit(text[i])) ++i;
        frac_end = i;
    }
    if (int_end == int_begin && frac_end == frac_begin)
        return bad();  // no digit at all

    // Exponent, saturated: anything beyond +-2e9 is out of range whatever the digits are.
    std::int64_t exp10 = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            exp_negative = text[i] == '-';
            ++i;
        }
        const std::size_t exp_begin = i;
        while (i < text.size() && is_digit(text[i])) {
            if (exp10 < 2'000'000'000)
                exp10 = exp10 * 10 + (text[i] - '0');
            ++i;
        }
        if (i == exp_begin)
            return bad();
        if (exp_negative)
            exp10 = -exp10;
    }
    if (i != text.size())
        return bad();

    // The digit sequence D = int digits followed by frac digits; value = D * 10^(exp10 - #frac).
    // Find the first and last non-zero digit of D without copying it.
    auto digit_at = [&](std::size_t k) -> char {  // k indexes D
        const std::size_t n_int = int_end - int_begin;
        return k < n_int ? text[int_begin + k] : text[frac_begin + (k - n_int)];
    };
    const std::size_t n_total = (int_end - int_begin) + (frac_end - frac_begin);
    std::size_t first = 0;
    while (first < n_total && digit_at(first) == '0') ++first;
    if (first == n_total)
        return decimal{};        // zero, whatever the exponent ("0e1000")
    std::size_t last = n_total;  // one past the last non-zero digit
    while (digit_at(last - 1) == '0') --last;

    const std::int64_t n_sig = static_cast<std::int64_t>(last - first);
    const std::int64_t trailing = static_cast<std::int64_t>(n_total - last);
    const std::int64_t exponent =
        exp10 - static_cast<std::int64_t>(frac_end - frac_begin) + trailing;
    const std::int64_t adjusted = exponent + n_sig - 1;
    if (adjusted > max_adjusted_exponent)
        return unexpected(std::string(overflow_text));
    if (adjusted < min_adjusted_exponent)
        return unexpected(std::string(underflow_text));
    if (n_sig > max_digits)
        return unexpected(std::string(precision_text));

    decimal d;
    for (std::size_t k = first; k < last; ++k)
        d.coefficient_ = d.coefficient_ * 10 + (digit_at(k) - '0');
    d.exponent_ = static_cast<std::int32_t>(exponent);
    d.negative_ = negative;
    return d;
}

decimal decimal::from_int(std::int64_t v) {
    decimal d;
    if (v == 0)
        return d;
    d.negative_ = v < 0;
    // Magnitude without overflowing on INT64_MIN.
    u128 m = v < 0 ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
    while (m % 10 == 0) {
        m /= 10;
        ++d.exponent_;
    }
    d.coefficient_ = m;
    return d;
}

decimal::parse_result decimal::from_parts(u128 coefficient, int exponent, bool negative) {
    using core::unexpected;
    if (coefficient == 0)
        return decimal{};
    std::int64_t e = exponent;
    while (coefficient % 10 == 0) {
        coefficient /= 10;
        ++e;
    }
    const int n = count_digits(coefficient);
    const std::int64_t adjusted = e + n - 1;
    if (adjusted > max_adjusted_exponent)
        return unexpected(std::string(overflow_text));
    if (adjusted < min_adjusted_exponent)
        return unexpected(std::string(underflow_text));
    if (n > max_digits)
        return unexpected(std::string(precision_text));
    decimal d;
    d.coefficient_ = coefficient;
    d.exponent_ = static_cast<std::int32_t>(e);
    d.negative_ = negative;
    return d;
}

decimal decimal::from_normalised_parts(u128 coefficient, int exponent, bool negative) {
    decimal d;
    d.coefficient_ = coefficient;
    d.exponent_ = coefficient == 0 ? 0 : exponent;
    d.negative_ = coefficient != 0 && negative;
    return d;
}

std::string decimal::to_string() const {
    char buf[max_text_size];
    return std::string(buf, write_text(buf));
}

char* decimal::write_text(char* out) const {
    if (is_zero()) {
        *out++ = '0';
        return out;
    }
    // The coefficient's digits, last first; 64-bit division while it fits (most numbers).
    char buf[40];
    char* const end = buf + sizeof buf;
    char* d = end;
    u128 c = coefficient_;
    while (c > std::numeric_limits<std::uint64_t>::max()) {
        *--d = static_cast<char>('0' + static_cast<int>(c % 10));
        c /= 10;
    }
    for (auto small = static_cast<std::uint64_t>(c); small != 0; small /= 10)
        *--d = static_cast<char>('0' + static_cast<int>(small % 10));
    const auto n = static_cast<int>(end - d);
    auto copy = [&](const char* from, std::size_t count) {
        std::memcpy(out, from, count);
        out += count;
    };
    auto zeros = [&](std::size_t count) {
        std::memset(out, '0', count);
        out += count;
    };
    if (negative_)
        *out++ = '-';
    if (exponent_ >= 0) {
        copy(d, static_cast<std::size_t>(n));
        zeros(static_cast<std::size_t>(exponent_));
    } else if (n + exponent_ > 0) {
        const auto k = static_cast<std::size_t>(n + exponent_);
        copy(d, k);
        *out++ = '.';
        copy(d + k, static_cast<std::size_t>(n) - k);
    } else {
        copy("0.", 2);
        zeros(static_cast<std::size_t>(-(n + exponent_)));
        copy(d, static_cast<std::size_t>(n));
    }
    return out;
}

int decimal::digits() const {
    return count_digits(coefficient_);
}

bool decimal::to_int64(std::int64_t& out) const {
    if (is_zero()) {
        out = 0;
        return true;
    }
    if (exponent_ < 0 || digits() + exponent_ > 19)
        return false;
    const u128 m = coefficient_ * pow10[static_cast<std::size_t>(exponent_)];
    const u128 limit =
        static_cast<u128>(std::numeric_limits<std::int64_t>::max()) + (negative_ ? 1 : 0);
    if (m > limit)
        return false;
    out = negative_ ? static_cast<std::int64_t>(-static_cast<__int128>(m))
                    : static_cast<std::int64_t>(m);
    return true;
}

std::size_t decimal::size_bytes() const {
    if (is_zero())
        return 1;
    const int n = digits();
    const int e = exponent_ + n - 1;  // adjusted_exponent()
    return static_cast<std::size_t>(1 + (n + 1) / 2 + ((n % 2 == 0 && e % 2 == 0) ? 1 : 0) +
                                    (negative_ ? 1 : 0));
}

decimal decimal::negated() const {
    decimal d = *this;
    if (!d.is_zero())
        d.negative_ = !d.negative_;
    return d;
}

decimal::parse_result decimal::add(const decimal& a, const decimal& b) {
    using boost::multiprecision::int256_t;
    using core::unexpected;
    if (a.is_zero())
        return b;
    if (b.is_zero())
        return a;

    const int e = std::min(a.exponent_, b.exponent_);
    const int sa = a.exponent_ - e;
    const int sb = b.exponent_ - e;
    // The operand with the smaller exponent ends in a non-zero digit at position 0, so an exact
    // sum whose other operand reaches beyond 40 digits needs more than 38: refuse before
    // computing (the shift could be hundreds of digits).
    if (a.digits() + sa > 40 || b.digits() + sb > 40)
        return unexpected(std::string(overflow_text));

    auto scaled = [](const decimal& d, int shift) {
        int256_t v = static_cast<int256_t>(static_cast<std::uint64_t>(d.coefficient_ >> 64));
        v <<= 64;
        v += static_cast<std::uint64_t>(d.coefficient_);
        for (int k = 0; k < shift; ++k) v *= 10;
        return d.negative_ ? int256_t(-v) : v;
    };
    int256_t r = scaled(a, sa) + scaled(b, sb);
    if (r == 0)
        return decimal{};

    decimal out;
    out.negative_ = r < 0;
    if (out.negative_)
        r = -r;
    std::int64_t exponent = e;
    while (r % 10 == 0) {
        r /= 10;
        ++exponent;
    }
    static const int256_t limit = [] {
        int256_t v = 1;
        for (int k = 0; k < max_digits; ++k) v *= 10;
        return v;
    }();
    if (r >= limit)
        return unexpected(std::string(overflow_text));
    const auto lo = static_cast<std::uint64_t>(r & std::numeric_limits<std::uint64_t>::max());
    const auto hi = static_cast<std::uint64_t>(r >> 64);
    out.coefficient_ = (static_cast<u128>(hi) << 64) | lo;
    const std::int64_t adjusted = exponent + out.digits() - 1;
    if (adjusted > max_adjusted_exponent)
        return unexpected(std::string(overflow_text));
    if (adjusted < min_adjusted_exponent)
        return unexpected(std::string(underflow_text));
    out.exponent_ = static_cast<std::int32_t>(exponent);
    return out;
}

decimal::parse_result decimal::subtract(const decimal& a, const decimal& b) {
    return add(a, b.negated());
}

std::size_t decimal::hash() const noexcept {
    std::uint64_t h = static_cast<std::uint64_t>(coefficient_) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<std::uint64_t>(coefficient_ >> 64) + 0x632BE59BD9B4E019ull + (h << 6) +
         (h >> 2);
    h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(exponent_)) * 0xBF58476D1CE4E5B9ull;
    h ^= negative_ ? 0x94D049BB133111EBull : 0;
    return static_cast<std::size_t>(h ^ (h >> 31));
}

std::strong_ordering operator<=>(const decimal& a, const decimal& b) {
    if (a.negative_ != b.negative_) {
        return a.negative_ ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    // Same sign: compare magnitudes, then flip for negatives.
    std::strong_ordering mag = std::strong_ordering::equal;
    if (a.is_zero() || b.is_zero()) {
        mag = a.is_zero() ? (b.is_zero() ? std::strong_ordering::equal : std::strong_ordering::less)
                          : std::strong_ordering::greater;
    } else {
        const int ea = a.adjusted_exponent();
        const int eb = b.adjusted_exponent();
        if (ea != eb) {
            mag = ea <=> eb;
        } else {
            // Same leading-digit position: align the coefficients to the same digit count.
            const int na = a.digits();
            const int nb = b.digits();
            u128 ca = a.coefficient_;
            u128 cb = b.coefficient_;
            if (na < nb)
                ca *= pow10[static_cast<std::size_t>(nb - na)];
            if (nb < na)
                cb *= pow10[static_cast<std::size_t>(na - nb)];
            mag = ca <=> cb;
        }
    }
    if (!a.negative_)
        return mag;
    return mag == std::strong_ordering::less      ? std::strong_ordering::greater
           : mag == std::strong_ordering::greater ? std::strong_ordering::less
                                                  : std::strong_ordering::equal;
}

}  // namespace esser::emulator

#pragma once
// A DynamoDB Streams sequence number (spec/streams-and-lambda.md §1.3).
//
// On the wire it is a decimal digit string of 21-40 characters. Numbers rise strictly within a
// shard, have gaps, and vary in length (a 21-digit number can follow a 38-digit one on another
// shard), so the AWS SDKs and the KCL compare them as big integers. Comparing them as strings is
// the classic bug (Alternator #7424): this type is the one place esser orders sequence numbers,
// and everything that compares them goes through operator<=> below (or
// compare_sequence_numbers() for text).
//
// The numbers esser issues have the shape AWS's have: a per-shard prefix followed by a 20-digit
// counter ("4" + "00000000000000000123" = "400000000000000000123"), see make().

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace esser::emulator {

class sequence_number {
public:
    // Zero: below every number that is ever issued.
    sequence_number() = default;

    // prefix * 10^20 + counter. counter < 10^20 always holds (it is a uint64_t).
    static sequence_number make(std::uint64_t prefix, std::uint64_t counter);

    // Reads decimal text: one or more ASCII digits (leading zeros allowed, nothing else), at most
    // 57 digits. The wire limit of 21-40 characters is the API layer's check, not this one's.
    static std::optional<sequence_number> parse(std::string_view text);

    // Canonical decimal text (no leading zeros; "0" for zero).
    std::string to_string() const;

    bool is_zero() const { return hi_ == 0 && lo_ == 0; }

    // Integer order. (hi_, lo_) with lo_ < 10^19 compares lexicographically exactly like the
    // integer hi_ * 10^19 + lo_.
    friend std::strong_ordering operator<=>(const sequence_number& a, const sequence_number& b) {
        if (a.hi_ != b.hi_)
            return a.hi_ < b.hi_ ? std::strong_ordering::less : std::strong_ordering::greater;
        return a.lo_ <=> b.lo_;
    }

    friend bool operator==(const sequence_number& a, const sequence_number& b) {
        return a.hi_ == b.hi_ && a.lo_ == b.lo_;
    }

private:
    static constexpr std::uint64_t lo_base = 10'000'000'000'000'000'000ULL;  // 10^19

    unsigned __int128 hi_ = 0;  // value / 10^19
    std::uint64_t lo_ = 0;      // value % 10^19
};

// Compares two sequence numbers given as text, as integers. unordered when either is not a
// sequence number (see sequence_number::parse).
std::partial_ordering compare_sequence_numbers(std::string_view a, std::string_view b);

}  // namespace esser::emulator

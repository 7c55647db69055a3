#include "esser/emulator/streams/sequence_number.hpp"

#include <algorithm>

namespace esser::emulator {

namespace {
std::string u128_to_string(unsigned __int128 v) {
    if (v == 0)
        return "0";
    char buf[48];
    char* p = buf + sizeof buf;
    while (v != 0) {
        *--p = static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    }
    return std::string(p, buf + sizeof buf);
}
}  // namespace

sequence_number sequence_number::make(std::uint64_t prefix, std::uint64_t counter) {
    // value = prefix * 10^20 + counter = (prefix * 10 + counter / 10^19) * 10^19 + counter % 10^19
    sequence_number s;
    s.hi_ = static_cast<unsigned __int128>(prefix) * 10 + counter / lo_base;
    s.lo_ = counter % lo_base;
    return s;
}

std::optional<sequence_number> sequence_number::parse(std::string_view text) {
    if (text.empty() || text.size() > 57)
        return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    const std::size_t split = text.size() > 19 ? text.size() - 19 : 0;
    sequence_number s;
    for (std::size_t i = 0; i < split; ++i)
        s.hi_ = s.hi_ * 10 + static_cast<unsigned>(text[i] - '0');
    for (std::size_t i = split; i < text.size(); ++i)
        s.lo_ = s.lo_ * 10 + static_cast<unsigned>(text[i] - '0');
    return s;
}

std::string sequence_number::to_string() const {
    if (hi_ == 0)
        return u128_to_string(lo_);
    std::string out = u128_to_string(hi_);
    std::string low = u128_to_string(lo_);
    out.append(19 - low.size(), '0');
    out += low;
    return out;
}

std::partial_ordering compare_sequence_numbers(std::string_view a, std::string_view b) {
    auto x = sequence_number::parse(a);
    auto y = sequence_number::parse(b);
    if (!x || !y)
        return std::partial_ordering::unordered;
    return *x <=> *y;
}

}  // namespace esser::emulator

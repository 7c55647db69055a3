#pragma once
// Small helpers shared by the SigV4 signer and verifier (private to adapters).

#include <string>
#include <string_view>

namespace esser::adapters::sigv4::detail {

// SigV4's whitespace set for header values: space, tab, CR, LF, VT, FF.
inline bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Appends `v` trimmed, with each run of whitespace inside it replaced by one space.
void append_trimmed(std::string& out, std::string_view v);
// ASCII lowercase copy.
std::string lower(std::string_view s);

}  // namespace esser::adapters::sigv4::detail

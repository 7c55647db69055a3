#pragma once

// The value of one hexadecimal digit (either case), or -1 for any other character. One place
// for every reader of hex text: UUIDs (id_source), percent-decoding (SigV4 canonical
// requests, HTTP paths and queries), JSON \u and YAML \x \u \U escapes.

namespace esser::core {

constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace esser::core

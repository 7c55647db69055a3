#pragma once

// The value of one hexadecimal digit, -1 for any other character. Private to the http area:
// percent-decoding (http_request.cpp) and JSON \u escapes (json_reader.cpp) share it.

namespace esser::emulator::detail {

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace esser::emulator::detail

#pragma once

// The character a one-letter JSON escape stands for (RFC 8259 §7: \" \\ \/ \b \f \n \r \t), or
// -1 when `letter` does not make one (\u, which has its own reading, and anything invalid).
// Shared by esser's hand-written JSON readers (the HTTP front's json_reader, the fixture line
// parser).

namespace esser::core {

constexpr int json_short_escape(char letter) noexcept {
    switch (letter) {
        case '"':
        case '\\':
        case '/':
            return letter;
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        default:
            return -1;
    }
}

}  // namespace esser::core

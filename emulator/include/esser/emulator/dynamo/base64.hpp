#pragma once
// Base64 (RFC 4648, standard alphabet, padded) as DynamoDB's wire format uses it for B and BS
// values (spec/dynamodb-api.md §2.1).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace esser::emulator {

std::string base64_encode(std::string_view bytes);

// The length of base64_encode(bytes) for bytes.size() == n.
constexpr std::size_t base64_size(std::size_t n) {
    return (n + 2) / 3 * 4;
}

// Writes base64_encode(bytes) at `out` (room for base64_size(bytes.size()) characters);
// returns the end of what was written.
char* base64_write(std::string_view bytes, char* out);

// Strict decoding: the text must be canonical base64 (length a multiple of 4, alphabet
// characters, at most two '=' only at the end, unused bits of the last character zero), i.e.
// exactly what base64_encode produces for some bytes. Returns nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);
// Whether base64_decode(text) would succeed, without producing the bytes.
bool base64_valid(std::string_view text);

}  // namespace esser::emulator

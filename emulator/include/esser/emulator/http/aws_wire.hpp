#pragma once
// Small wire-level helpers of the AWS JSON 1.0 protocol (spec/dynamodb-api.md §1), kept apart
// from the front so tests and the fuzzer can reach them directly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "esser/core/expected.hpp"

namespace esser::emulator {

// CRC-32 (zlib/gzip polynomial) of `bytes`: the value of `x-amz-crc32` (spec §1.6).
std::uint32_t crc32_of(std::string_view bytes) noexcept;

// Why a gzip body could not be decoded.
enum class gunzip_error { corrupt, too_large };

// Decodes a gzip body; concatenated members are allowed, as DynamoDB allows them (spec §1.7).
// An empty input, trailing garbage or a truncated member is `corrupt`; more than `max_output`
// decoded bytes is `too_large` (zip-bomb guard).
core::expected<std::string, gunzip_error> gunzip(std::string_view compressed,
                                                 std::size_t max_output);

// The gzip encoding of `bytes` (for tests and clients).
std::string gzip(std::string_view bytes);

// The scope of a SigV4 `Authorization` header:
//   AWS4-HMAC-SHA256 Credential=<AKID>/<yyyymmdd>/<region>/<service>/aws4_request,
//   SignedHeaders=..., Signature=...
struct sigv4_scope {
    std::string access_key_id;
    std::string date;
    std::string region;
    std::string service;
};

// Parses the Credential scope of `authorization`; nullopt unless the header starts with "AWS4-"
// and carries a Credential with five '/'-separated parts. Never verifies anything.
std::optional<sigv4_scope> parse_sigv4_scope(std::string_view authorization);

// What is wrong with an Authorization header, in DynamoDB's words (dynalite index.js, checked
// against AWS): "" when it is well formed. `has_date` says whether X-Amz-Date or Date was sent.
// A missing or non-AWS4 header is reported by the caller as MissingAuthenticationToken.
std::string incomplete_signature_message(std::string_view authorization, bool has_date);

// The deepest nesting of arrays and objects in a JSON text, scanning bytes (strings are
// skipped; escapes honoured). Stops counting at `limit` + 1: guards recursive consumers before
// the text is parsed.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit) noexcept;

}  // namespace esser::emulator

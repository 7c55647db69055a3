#pragma once
// AWS Signature Version 4: the canonical forms and derivations both sides of the wire share.
// The signer (sigv4_signer.hpp) and the verifier (sigv4_verifier.hpp) are built from these; they
// are public so tests and error messages can show the exact canonical request.
//
// Reference: "Create a signed AWS API request" (docs.aws.amazon.com/IAM/latest/UserGuide/
// reference_sigv4-signed-request.html). Where the documentation leaves room, these follow
// botocore's SigV4Auth byte for byte (the test suite checks that against python3-botocore):
//   - the canonical URI removes "." and ".." segments and empty segments ("//"), then
//     percent-encodes every byte except A-Z a-z 0-9 - _ . ~ and '/'. The path is taken as sent
//     (already percent-encoded), so '%' is encoded again: the double encoding AWS requires for
//     every service but S3.
//   - the canonical query decodes each name and value ('+' is a space) and re-encodes it with
//     the same unreserved set (so '/' and '+' become %2F and %2B), then sorts by name, then value.
//     A query that is already canonically encoded is unchanged; botocore signs a query embedded
//     in a URL as is, which only differs for non-canonical encodings.
//   - header values are trimmed and runs of whitespace (space, tab, CR, LF, VT, FF) become one
//     space; repeated headers are joined with ',' in order; names are lowercased and sorted.

#include <span>
#include <string>
#include <string_view>

#include "esser/adapters/http/http_message.hpp"
#include "esser/core/clock.hpp"

namespace esser::adapters::sigv4 {

inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
// hex(SHA-256("")), the payload hash of an empty body.
inline constexpr std::string_view empty_payload_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Headers the signer never signs (botocore's list): proxies and SDK layers may change them.
bool is_unsigned_header(std::string_view lowercase_name) noexcept;

// "20150830T123600Z" (ISO 8601 basic, UTC, whole seconds; sub-second parts are dropped).
std::string format_amz_date(core::time_point t);
// Parses the ISO 8601 basic form back; false if `text` is not exactly "YYYYMMDDTHHMMSSZ" with
// a valid calendar date and time.
bool parse_amz_date(std::string_view text, core::time_point& out);

std::string canonical_uri(std::string_view path);
std::string canonical_query(std::string_view query);
// "name:value\n" lines for `lowercase_names` (sorted, unique, as the signed-headers list says),
// each value gathered from `headers` case-insensitively. A name with no header gives "name:".
std::string canonical_headers(const http_headers& headers,
                              std::span<const std::string> lowercase_names);
// hex(SHA-256(body)).
std::string payload_hash(std::string_view body);

// The six-line canonical request (the method is uppercased, as botocore does).
std::string canonical_request(std::string_view method, std::string_view path,
                              std::string_view query, const http_headers& headers,
                              std::span<const std::string> lowercase_signed_names,
                              std::string_view payload_hash);

// "20150830/us-east-1/dynamodb/aws4_request".
std::string credential_scope(std::string_view date8, std::string_view region,
                             std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// The 32-byte key: HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
std::string signing_key(std::string_view secret, std::string_view date8, std::string_view region,
                        std::string_view service);
// hex(HMAC-SHA-256(key, string_to_sign)).
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace esser::adapters::sigv4

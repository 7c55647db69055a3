#pragma once
// Verifies AWS Signature Version 4 on a received request, as a pure function: no I/O, the time
// and the credential store are parameters. Meant for esser-local's `--credentials KEY:SECRET`
// (issue 10): the HTTP front converts its request to http_request, calls verify_sigv4 and, on
// failure, writes the returned aws_error as is (status 400, spec/dynamodb-api.md §1.3-1.4).
//
// Checks, in the order AWS applies them (recorded against AWS by dynalite's author, index.js
// comments; the texts are AWS's own):
//   1. no Authorization header, or one not starting with "AWS4-"
//        MissingAuthenticationTokenException "Request is missing Authentication Token"
//   2. a component without '='
//        IncompleteSignatureException "'<item>' not a valid key=value pair (missing equal-sign)
//        in Authorization header: '<header>'."
//      missing Credential / Signature / SignedHeaders, no X-Amz-Date nor Date header
//        IncompleteSignatureException "Authorization header requires 'Credential' parameter.
//        ... Authorization=<header>"
//   3. date not ISO 8601 basic (a Date header may also be RFC 1123)
//        IncompleteSignatureException "Date must be in ISO-8601 'basic format'. Got '<d>'. See
//        http://en.wikipedia.org/wiki/ISO_8601"
//   4. more than max_skew (AWS: 15 minutes) in the past or future
//        InvalidSignatureException "Signature expired: <d> is now earlier than <now-15m> (<now>
//        - 15 min.)" / "Signature not yet current: <d> is still later than <now+15m> (<now> +
//        15 min.)"
//   5. host not signed
//        InvalidSignatureException "'Host' must be a 'SignedHeader' in the AWS Authorization."
//   6. algorithm other than AWS4-HMAC-SHA256
//        IncompleteSignatureException "Unsupported AWS 'algorithm': '<a>' (only
//        AWS4-HMAC-SHA256 for now). "
//   7. Credential not keyid/date/region/service/aws4_request
//        IncompleteSignatureException "Credential must have exactly 5 slash-delimited elements,
//        e.g. keyid/date/region/service/term, got '<c>'"
//        InvalidSignatureException "Credential should be scoped to a valid region, not '<r>'. "
//        (+ "...to correct service: '<s>'. ", "...with a valid terminator: 'aws4_request', not
//        '<t>'. ", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of
//        date from HTTP: '<d8>' != '<date8>', from '<date>'.", concatenated)
//   8. unknown access key
//        UnrecognizedClientException "The security token included in the request is invalid."
//   9. wrong signature
//        InvalidSignatureException "The request signature we calculated does not match the
//        signature you provided. Check your AWS Secret Access Key and signing method. Consult
//        the service documentation for details.\n\nThe Canonical String for this request should
//        have been\n'<canonical request>'\n\nThe String-to-Sign should have been\n'<sts>'\n"
//      an X-Amz-Content-Sha256 header that is not the body's hash
//        InvalidSignatureException "The provided 'x-amz-content-sha256' header does not match
//        what was computed."
//  10. X-Amz-Security-Token not the one issued with the key (or missing when one was issued)
//        UnrecognizedClientException "The security token included in the request is invalid"
//
// The canonical request uses the SignedHeaders list as the client sent it. Presigned (query
// string) authentication is not accepted: DynamoDB does not use it.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "esser/adapters/aws/credentials.hpp"
#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/adapters/http/http_message.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/expected.hpp"

namespace esser::adapters {

struct sigv4_verify_options {
    std::string service = "dynamodb";  // the signing name the Credential scope must carry
    std::string region;                // empty: any well-formed region name is accepted
    std::chrono::seconds max_skew{15 * 60};
    bool allow_unsigned_payload = false;  // accept X-Amz-Content-Sha256: UNSIGNED-PAYLOAD
};

// Who signed a request that verified.
struct sigv4_identity {
    std::string access_key_id;
    std::string region;  // from the Credential scope (what the emulator uses in ARNs)
    core::time_point signed_at;
};

// The credentials issued for an access key id, or nullopt if the key is unknown. A non-empty
// session_token means requests must carry exactly that X-Amz-Security-Token.
using sigv4_credential_lookup =
    std::function<std::optional<credentials>(std::string_view access_key_id)>;

core::expected<sigv4_identity, aws_error> verify_sigv4(const http_request& req,
                                                       const sigv4_credential_lookup& lookup,
                                                       core::time_point now,
                                                       const sigv4_verify_options& options = {});

}  // namespace esser::adapters

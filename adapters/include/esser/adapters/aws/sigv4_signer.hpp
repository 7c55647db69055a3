#pragma once
// Signs HTTP requests with AWS Signature Version 4 (header form).
//
// What sign() does to the request, as botocore's SigV4Auth does:
//   - removes any Authorization header (a retry is re-signed from scratch);
//   - sets X-Amz-Date to the signing time;
//   - sets X-Amz-Security-Token when the credentials carry a session token;
//   - signs every header present except those sigv4::is_unsigned_header names (User-Agent,
//     Expect, X-Amzn-Trace-Id), so callers decide what is signed by what they put in;
//   - uses the value of an X-Amz-Content-Sha256 header as the payload hash when present
//     (e.g. "UNSIGNED-PAYLOAD"), else hashes the body; it never adds that header itself;
//   - adds "Authorization: AWS4-HMAC-SHA256 Credential=<key>/<scope>, SignedHeaders=<names>,
//     Signature=<hex>".
// A Host header is required (http_client adds one when sending, but the signature must cover
// the value the server will see, so put it in before signing): sign() throws
// std::invalid_argument without one. Unlike botocore, a Date header gets no special treatment.
//
// Thread-safe: one signer may sign from several threads. The derived signing key is cached per
// (secret, day), as the SDKs do, so steady-state signing costs two SHA-256 and one HMAC.

#include <memory>
#include <string>

#include "esser/adapters/aws/credentials.hpp"
#include "esser/adapters/http/http_message.hpp"
#include "esser/core/clock.hpp"

namespace esser::adapters {

struct sigv4_signature {
    std::string amz_date;           // "20150830T123600Z"
    std::string credential_scope;   // "20150830/us-east-1/dynamodb/aws4_request"
    std::string signed_headers;     // "content-type;host;x-amz-date"
    std::string canonical_request;  // for diagnostics and tests
    std::string string_to_sign;
    std::string signature;      // 64 lowercase hex digits
    std::string authorization;  // the Authorization header value
};

class sigv4_signer {
public:
    // `service` is the signing name ("dynamodb" for DynamoDB and DynamoDB Streams alike).
    sigv4_signer(std::string region, std::string service);
    ~sigv4_signer();
    sigv4_signer(sigv4_signer&&) noexcept;
    sigv4_signer& operator=(sigv4_signer&&) noexcept;

    const std::string& region() const noexcept { return region_; }

    const std::string& service() const noexcept { return service_; }

    // Signs `req` in place as described above, at time `at`; returns the parts.
    sigv4_signature sign(http_request& req, const credentials& creds, core::time_point at) const;

private:
    struct key_cache;
    std::string region_;
    std::string service_;
    std::unique_ptr<key_cache> cache_;
};

}  // namespace esser::adapters

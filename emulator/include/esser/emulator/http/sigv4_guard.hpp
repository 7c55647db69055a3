#pragma once
// sigv4_guard: esser-local's `serve --credentials KEY:SECRET[:TOKEN]` (issue 10). It verifies
// the AWS Signature Version 4 of a received request against the keys it was given, with
// adapters::verify_sigv4 (AWS's checks, in AWS's order, with AWS's error types and messages:
// MissingAuthenticationTokenException, IncompleteSignatureException, InvalidSignatureException
// for a wrong signature and for a stale one ("Signature expired: ..."),
// UnrecognizedClientException for an unknown key or a wrong session token).
//
// Who uses it:
//  - aws_json_front (auth = verify_signature): DynamoDB and DynamoDB Streams, signing name
//    "dynamodb" (botocore signs dynamodbstreams requests as "dynamodb" too); failures are AWS
//    JSON 1.0 errors with status 400, as DynamoDB answers them (spec/dynamodb-api.md §1.3-1.4);
//  - the router guard on "/2015-03-31/" (local_environment): Lambda's REST API, signing name
//    "lambda"; failures are REST-JSON errors with status 403 and x-amzn-ErrorType, as Lambda
//    answers them (rest_error_answer below).
//
// The request is verified exactly as received: the target as sent (the verifier encodes the
// path once more, as SigV4 requires for every service but S3), headers in order, and the body
// before any Content-Encoding is undone (clients sign the compressed bytes).
//
// Time: the real clock by default, even when the emulator's clock is manual: signatures are made
// by real clients at real times. Tests inject their own time source.
//
// Thread safety: immutable after construction; verify() may run on many threads at once.

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "esser/adapters/aws/credentials.hpp"
#include "esser/adapters/aws/sigv4_verifier.hpp"
#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/expected.hpp"
#include "esser/emulator/http/http_request.hpp"
#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator {

class sigv4_guard {
public:
    using time_source = std::function<core::time_point()>;

    // `keys`: the access keys accepted (an access key id listed twice: the first wins). A key
    // with a session token accepts only requests carrying exactly that X-Amz-Security-Token.
    // `now`: empty means std::chrono::system_clock.
    explicit sigv4_guard(std::vector<adapters::credentials> keys, time_source now = {});

    // Who signed `req` for `service` ("dynamodb", "lambda"), or AWS's error saying why not.
    core::expected<adapters::sigv4_identity, adapters::aws_error> verify(
        const http_request& req, std::string_view service) const;

    // verify() for a REST-JSON API (Lambda): nullopt when the signature holds, else the answer
    // to send (status 403, x-amzn-ErrorType: <type>, {"Type":"User","message":...}).
    std::optional<http_response> rest_error_answer(const http_request& req,
                                                   std::string_view service) const;

    const std::vector<adapters::credentials>& keys() const noexcept { return keys_; }

private:
    std::vector<adapters::credentials> keys_;
    time_source now_;
};

}  // namespace esser::emulator

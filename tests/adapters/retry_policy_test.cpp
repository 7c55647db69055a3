// Issue 10: retry classification (spec/dynamodb-api.md §1.5, checked against botocore's
// retries/standard.py) and the standard-mode backoff.
#include "esser/adapters/dynamodb/retry_policy.hpp"

#include <catch2/catch.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"

using namespace esser::adapters;
using namespace std::chrono_literals;

namespace {
aws_error err(std::string type, int status = 400) {
    aws_error e;
    e.type = std::move(type);
    e.status = status;
    return e;
}
}  // namespace

TEST_CASE("is_retryable follows the SDK standard retry mode", "[adapters][retry_policy]") {
    for (const char* t :
         {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
          "TooManyRequestsException", "ProvisionedThroughputExceededException",
          "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
          "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
          "EC2ThrottledException"}) {
        INFO(t);
        CHECK(is_retryable(err(t)));
        CHECK(is_throttling(err(t)));
    }
    CHECK(is_retryable(err("RequestTimeout")));
    CHECK(is_retryable(err("RequestTimeoutException")));
    CHECK_FALSE(is_throttling(err("RequestTimeout")));
    for (int status : {500, 502, 503, 504}) CHECK(is_retryable(err("InternalServerError", status)));
    CHECK(is_retryable(err("Whatever", 429)));
    CHECK(is_throttling(err("Whatever", 429)));
    for (const char* t :
         {"ConditionalCheckFailedException", "TransactionCanceledException",
          "TransactionConflictException", "ValidationException", "ResourceNotFoundException",
          "SerializationException", "UnrecognizedClientException", "InvalidSignatureException",
          "AccessDeniedException", "ItemCollectionSizeLimitExceededException"}) {
        INFO(t);
        CHECK_FALSE(is_retryable(err(t)));
    }
    CHECK_FALSE(is_retryable(err("InternalServerError", 501)));
    // Client side (status 0).
    for (const char* t : {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                          "ConnectionClosedError", "CRC32CheckFailed"})
        CHECK(is_retryable(err(t, 0)));
    for (const char* t : {"SSLError", "ResponseParserError", "ParamValidationError"})
        CHECK_FALSE(is_retryable(err(t, 0)));
    // A server cannot make a client-side type retryable, nor be a throttle at status 0.
    CHECK_FALSE(is_retryable(err("EndpointConnectionError", 400)));
    CHECK_FALSE(is_throttling(err("ThrottlingException", 0)));
}

TEST_CASE("retry_policy backs off exponentially with full jitter", "[adapters][retry_policy]") {
    const retry_policy p;
    CHECK(p.max_attempts == 3);
    CHECK(p.backoff(1, false, 0.0) == 0ns);
    CHECK(p.backoff(1, false, 0.5) == 50ms);
    CHECK(p.backoff(2, false, 0.5) == 100ms);
    CHECK(p.backoff(3, false, 0.5) == 200ms);
    CHECK(p.backoff(1, true, 0.5) == 250ms);
    CHECK(p.backoff(2, true, 0.5) == 500ms);
    // Capped at max_delay, never negative, and sane for absurd inputs.
    CHECK(p.backoff(30, true, 0.5) == 10s);
    CHECK(p.backoff(1000, false, 1.0) == 20s);
    CHECK(p.backoff(0, false, 0.5) == 50ms);
    CHECK(p.backoff(1, false, -3.0) == 0ns);
}

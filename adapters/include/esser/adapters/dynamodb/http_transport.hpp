#pragma once
// The production dynamodb_transport: DynamoDB (and DynamoDB Streams) over HTTP(S), signed with
// SigV4, with keep-alive connections and the SDKs' retry behaviour. dynamodb_event_store runs
// over it in a Lambda exactly as it runs over the in-process transport in esser-local.
//
// Wire framing (spec/dynamodb-api.md §1.1): POST <endpoint path or "/">, Content-Type
// application/x-amz-json-1.0, X-Amz-Target "DynamoDB_20120810.<Op>", or
// "DynamoDBStreams_20120810.<Op>" for the Streams operations (ListStreams, DescribeStream,
// GetShardIterator, GetRecords), which also go to the Streams endpoint. Signed with service name
// "dynamodb" for both.
//
// Responses: 2xx -> the body's JSON object. Otherwise aws_error::from_json (spec §1.3; the
// x-amzn-errortype header names the error when the body does not). When x-amz-crc32 is present
// it must match the body (spec §1.6), else the attempt fails with a retryable CRC32CheckFailed.
//
// Errors that never got a valid response have status 0 and these types (retryable unless
// noted): EndpointConnectionError (resolve/connect failed), ConnectTimeoutError,
// ReadTimeoutError, ConnectionClosedError, CRC32CheckFailed, SSLError (not retryable: a
// certificate problem does not heal by retrying; botocore would retry it),
// ResponseParserError (not retryable: a 2xx body that is not a JSON object),
// ParamValidationError (not retryable: the request could not be serialised).
//
// Retries (retry_policy.hpp): is_retryable() errors are retried up to max_attempts with full
// jitter; each attempt is signed afresh. When attempts run out the last error is returned with
// " (gave up after N attempts)" appended to its message, so a throttling storm ends as a typed
// ThrottlingException / ProvisionedThroughputExceededException after a bounded time.
// Conditional failures (ConditionalCheckFailedException, TransactionCanceledException,
// TransactionConflictException) are never retried, so a retried append cannot duplicate an
// event: a write that landed before its response was lost comes back as a conditional failure.
//
// Thread-safe: call() may run on several threads at once (one pooled connection each).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "esser/adapters/aws/credentials.hpp"
#include "esser/adapters/aws/environment.hpp"
#include "esser/adapters/dynamodb/retry_policy.hpp"
#include "esser/adapters/dynamodb/transport.hpp"
#include "esser/adapters/http/http_client.hpp"
#include "esser/adapters/http/url.hpp"
#include "esser/core/clock.hpp"

namespace esser::adapters {

struct http_transport_options {
    std::string region;  // the signing region
    url dynamodb_endpoint;
    url streams_endpoint;  // an empty host means: the same as dynamodb_endpoint
    credentials creds;
    // When set, called before each call() for the credentials to sign with (for rotating
    // credentials); a failure ends the call with that error (status 0, its type). Overrides
    // `creds`.
    std::function<core::result<credentials>()> credentials_source;
    retry_policy retry;
    http_client_options http;
    // The signing time. Default: the system clock.
    std::shared_ptr<const core::clock> clock;
    // Waits between attempts. Default: std::this_thread::sleep_for. Tests inject a recorder.
    std::function<void(std::chrono::nanoseconds)> sleep;
    // Uniform in [0, 1) for the jitter. Default: a per-thread std::mt19937_64.
    std::function<double()> random;
    std::string user_agent = "esser/0.1";

    // region, endpoints and credentials from the environment (aws_config::from_environment),
    // and AWS_CA_BUNDLE (a PEM file of CAs trusted for https endpoints, as botocore reads it);
    // everything else default.
    static core::result<http_transport_options> from_environment(
        const environment_lookup& env = process_environment);
};

class http_transport final : public dynamodb_transport {
public:
    struct statistics {
        std::uint64_t calls = 0;
        std::uint64_t attempts = 0;
        std::uint64_t retries = 0;
        std::uint64_t gave_up = 0;  // calls that ran out of attempts on a retryable error
        http_client::statistics dynamodb;
        http_client::statistics streams;  // zero when Streams shares the DynamoDB endpoint
    };

    // Errors: region empty or invalid ("InvalidRegionError"), no endpoint host
    // ("InvalidEndpointError"), no credentials and no credentials_source ("NoCredentialsError"),
    // TLS configuration ("TlsConfigurationError"), max_attempts < 1 ("InvalidRetryPolicy").
    static core::result<std::unique_ptr<http_transport>> create(http_transport_options options);
    static core::result<std::unique_ptr<http_transport>> from_environment(
        const environment_lookup& env = process_environment);

    ~http_transport() override;

    aws_result call(std::string_view operation, const nlohmann::json& request) override;

    statistics stats() const;
    // Whether `operation` is a DynamoDB Streams operation (decides target prefix and endpoint).
    static bool is_streams_operation(std::string_view operation) noexcept;

private:
    struct impl;
    explicit http_transport(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace esser::adapters

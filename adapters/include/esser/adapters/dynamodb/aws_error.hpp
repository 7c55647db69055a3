#pragma once
// An error as DynamoDB (and DynamoDB Streams) puts it on the wire, and its mapping to core::error.
//
// Wire shape (spec/dynamodb-api.md §1.3):
//   {"__type":"<namespace>#<Name>","message":"<text>"}     plus modeled extras at top level
// SerializationException, AccessDeniedException and TransactionCanceledException spell the
// message member "Message". Status is 400 for everything but InternalServerError (500).
//
// Used on both sides of the wire: the emulator's dispatch() returns it, the HTTP front writes it,
// and the DynamoDB client (adapters/dynamodb) reads it back from a response body.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::adapters {

struct aws_error {
    std::string type;     // the name after '#', e.g. "ValidationException"
    std::string message;  // may be empty: some errors carry no message on the wire
    int status = 400;
    nlohmann::json extra = nlohmann::json::object();  // e.g. CancellationReasons, Item

    // The namespace AWS puts before '#' for this type (spec §1.3 table).
    std::string_view type_namespace() const;
    // "com.amazon.coral.validate#ValidationException".
    std::string qualified_type() const;
    // Whether the message member is spelled "Message" (true) or "message".
    bool capitalised_message() const;
    // The exact body AWS sends. An empty message is omitted, as AWS does for
    // SerializationException and UnknownOperationException.
    nlohmann::json to_json() const;
    // Reads a wire body back (keeps what follows the last '#' of __type, and message/Message,
    // as botocore does). A body that is not an AWS error becomes an InternalServerError naming
    // what arrived.
    static aws_error from_json(int status, const nlohmann::json& body);

    // Factories for the types the emulator raises. Messages are AWS's own; see the spec.
    static aws_error validation(std::string message);
    static aws_error serialization(std::string message = {});
    static aws_error unknown_operation();
    static aws_error resource_not_found(std::string message = "Requested resource not found");
    static aws_error resource_in_use(std::string message);
    static aws_error conditional_check_failed(nlohmann::json item = nullptr);
    static aws_error transaction_canceled(nlohmann::json reasons);
    static aws_error idempotent_parameter_mismatch(std::string message);
    static aws_error limit_exceeded(std::string message);
    static aws_error throttling(std::string message);
    static aws_error internal(std::string message);
    // Streams: ExpiredIteratorException, TrimmedDataAccessException.
    static aws_error expired_iterator(std::string message);
    static aws_error trimmed_data_access(std::string message);

    friend bool operator==(const aws_error&, const aws_error&) = default;
};

// Client-side errors: when no valid response arrived, the DynamoDB client reports status 0 and
// a botocore-style type (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError,
// ConnectionClosedError, SSLError, CRC32CheckFailed, ResponseParserError, ParamValidationError;
// see http_transport.hpp). A server never produces status 0.

// The errors SDKs retry in standard mode (spec §1.5, botocore retries/standard.py + special.py):
// the throttling codes, RequestTimeout(Exception), PriorRequestNotComplete, HTTP 429/500/502/
// 503/504, and on the client side connection failures, timeouts and x-amz-crc32 mismatches.
// Never conditional failures, TransactionConflictException, validation or auth errors, nor
// SSLError / ResponseParserError / ParamValidationError.
bool is_retryable(const aws_error& e);

// The subset of is_retryable that is throttling (the SDKs wait longer after these): the
// throttling codes and HTTP 429.
bool is_throttling(const aws_error& e);

// Maps to core's kinds: ConditionalCheckFailed / TransactionCanceled(ConditionalCheckFailed)
// -> version_conflict, ResourceNotFound -> not_found, throttles -> throttled, 5xx ->
// unavailable, ValidationException -> validation, client-side timeouts -> timeout, other
// client-side failures -> unavailable (ParamValidationError -> invalid_argument), anything else
// -> remote. `type` keeps the AWS name.
core::error to_core_error(const aws_error& e);

}  // namespace esser::adapters

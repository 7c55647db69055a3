#pragma once
// SQS's errors, named once for both wire protocols (AWS SQS API reference "Common errors" and
// each action's "Errors"; the JSON protocol's error responses, SQS Developer Guide
// "sqs-json-api-responses").
//
// An SQS error is a core::error whose `type` is the name the AWS JSON 1.0 protocol puts after
// '#' in "__type" (QueueDoesNotExist, QueueNameExists, ...). The query protocol (and the
// x-amzn-query-error header of JSON answers) uses an older code for the same error
// (AWS.SimpleQueueService.NonExistentQueue, QueueAlreadyExists, ...): sqs_wire_error() gives
// both, with the fault (Sender/Receiver) and the HTTP status.

#include <string>
#include <string_view>

#include "esser/core/error.hpp"

namespace esser::emulator {

// The JSON-protocol names of the errors the emulator raises.
namespace sqs_errors {
inline constexpr std::string_view queue_does_not_exist = "QueueDoesNotExist";
inline constexpr std::string_view queue_name_exists = "QueueNameExists";
inline constexpr std::string_view receipt_handle_is_invalid = "ReceiptHandleIsInvalid";
inline constexpr std::string_view invalid_attribute_name = "InvalidAttributeName";
inline constexpr std::string_view invalid_attribute_value = "InvalidAttributeValue";
inline constexpr std::string_view purge_queue_in_progress = "PurgeQueueInProgress";
inline constexpr std::string_view invalid_message_contents = "InvalidMessageContents";
inline constexpr std::string_view invalid_parameter_value = "InvalidParameterValueException";
inline constexpr std::string_view missing_parameter = "MissingRequiredParameterException";
inline constexpr std::string_view unsupported_operation = "UnsupportedOperation";
inline constexpr std::string_view message_not_inflight = "MessageNotInflight";
inline constexpr std::string_view invalid_action = "InvalidAction";
inline constexpr std::string_view malformed_query_string = "MalformedQueryString";
inline constexpr std::string_view serialization = "SerializationException";
inline constexpr std::string_view unknown_operation = "UnknownOperationException";
inline constexpr std::string_view internal = "InternalFailure";
// Authentication (`serve --credentials`, sigv4_guard.hpp). The JSON names are the verifier's
// (DynamoDB's, in the coral namespace); the query codes are the common errors of query APIs
// (AWS SQS API reference "Common Errors"; a wrong or stale signature is SignatureDoesNotMatch,
// as SQS answers it). Status 403 but for IncompleteSignature (400).
inline constexpr std::string_view missing_authentication_token =
    "MissingAuthenticationTokenException";
inline constexpr std::string_view incomplete_signature = "IncompleteSignatureException";
inline constexpr std::string_view invalid_signature = "InvalidSignatureException";
inline constexpr std::string_view unrecognized_client = "UnrecognizedClientException";
}  // namespace sqs_errors

// An SQS error value (`type` one of sqs_errors, message AWS's text). The core errc follows the
// kind: not_found for QueueDoesNotExist, internal for InternalFailure, validation otherwise.
core::error sqs_error(std::string_view type, std::string message);

// "The specified queue does not exist." (AWS's text for both protocols today).
core::error no_such_queue();

// The SQS error for a request sigv4_guard refused: `verifier_type` is one of the four
// authentication types above (adapters::verify_sigv4's), `message` its text. Any other type is
// reported as InvalidSignatureException (a refusal is never turned into a success).
core::error sqs_authentication_error(std::string_view verifier_type, std::string message);

// How an error goes on the wire.
struct sqs_wire_error {
    std::string json_type;   // "com.amazonaws.sqs#QueueDoesNotExist"
    std::string query_code;  // "AWS.SimpleQueueService.NonExistentQueue"
    std::string fault;       // "Sender" or "Receiver"
    int status = 400;
};

// The wire form of `e`. A core::error that is not an SQS error (no type, or a type this table
// does not know) is reported as InternalFailure (500, Receiver).
sqs_wire_error to_sqs_wire_error(const core::error& e);

}  // namespace esser::emulator

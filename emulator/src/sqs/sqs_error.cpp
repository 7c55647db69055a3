#include "esser/emulator/sqs/sqs_error.hpp"

#include <array>

namespace esser::emulator {

namespace {

struct error_row {
    std::string_view type;
    std::string_view query_code;
    int status;
};

// JSON name, query code, status. Faults are Sender but for 5xx.
constexpr std::array<error_row, 20> error_table = {{
    {sqs_errors::queue_does_not_exist, "AWS.SimpleQueueService.NonExistentQueue", 400},
    {sqs_errors::queue_name_exists, "QueueAlreadyExists", 400},
    {sqs_errors::receipt_handle_is_invalid, "ReceiptHandleIsInvalid", 400},
    {sqs_errors::invalid_attribute_name, "InvalidAttributeName", 400},
    {sqs_errors::invalid_attribute_value, "InvalidAttributeValue", 400},
    {sqs_errors::purge_queue_in_progress, "AWS.SimpleQueueService.PurgeQueueInProgress", 403},
    {sqs_errors::invalid_message_contents, "InvalidMessageContents", 400},
    {sqs_errors::invalid_parameter_value, "InvalidParameterValue", 400},
    {sqs_errors::missing_parameter, "MissingParameter", 400},
    {sqs_errors::unsupported_operation, "AWS.SimpleQueueService.UnsupportedOperation", 400},
    {sqs_errors::message_not_inflight, "AWS.SimpleQueueService.MessageNotInflight", 400},
    {sqs_errors::invalid_action, "InvalidAction", 400},
    {sqs_errors::malformed_query_string, "MalformedQueryString", 400},
    {sqs_errors::serialization, "SerializationException", 400},
    {sqs_errors::unknown_operation, "UnknownOperationException", 400},
    {sqs_errors::internal, "InternalFailure", 500},
    {sqs_errors::missing_authentication_token, "MissingAuthenticationToken", 403},
    {sqs_errors::incomplete_signature, "IncompleteSignature", 400},
    {sqs_errors::invalid_signature, "SignatureDoesNotMatch", 403},
    {sqs_errors::unrecognized_client, "InvalidClientTokenId", 403},
}};

bool is_authentication(std::string_view type) {
    return type == sqs_errors::missing_authentication_token ||
           type == sqs_errors::incomplete_signature || type == sqs_errors::invalid_signature ||
           type == sqs_errors::unrecognized_client;
}

const error_row* find_row(std::string_view type) {
    for (const auto& r : error_table) {
        if (r.type == type)
            return &r;
    }
    return nullptr;
}

}  // namespace

core::error sqs_error(std::string_view type, std::string message) {
    core::error e = type == sqs_errors::queue_does_not_exist
                        ? core::error::not_found(std::move(message))
                    : type == sqs_errors::internal ? core::error::internal(std::move(message))
                                                   : core::error::validation(std::move(message));
    e.type = std::string(type);
    return e;
}

core::error no_such_queue() {
    return sqs_error(sqs_errors::queue_does_not_exist, "The specified queue does not exist.");
}

core::error sqs_authentication_error(std::string_view verifier_type, std::string message) {
    core::error e = core::error::validation(std::move(message));
    e.type = std::string(is_authentication(verifier_type) ? verifier_type
                                                          : sqs_errors::invalid_signature);
    return e;
}

sqs_wire_error to_sqs_wire_error(const core::error& e) {
    const error_row* row = find_row(e.type);
    if (!row)
        row = find_row(sqs_errors::internal);
    sqs_wire_error w;
    // Coral's own errors keep their namespace; SQS's modelled ones are com.amazonaws.sqs.
    const bool coral = row->type == sqs_errors::serialization ||
                       row->type == sqs_errors::unknown_operation || is_authentication(row->type);
    w.json_type = std::string(coral ? "com.amazon.coral.service#" : "com.amazonaws.sqs#") +
                  std::string(row->type);
    w.query_code = std::string(row->query_code);
    w.status = row->status;
    w.fault = row->status >= 500 ? "Receiver" : "Sender";
    return w;
}

}  // namespace esser::emulator

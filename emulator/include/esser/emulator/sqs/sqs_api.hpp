#pragma once
// sqs_api: the SQS actions over sqs_service, in the shapes of the AWS JSON 1.0 protocol
// (AmazonSQS.<Action>; SQS API reference, "Request Parameters" / "Response Elements" of each
// action). Both wire protocols go through it: sqs_front hands JSON bodies over as they are,
// and query-protocol forms after sqs_query_codec turned them into the same JSON.
//
// Actions: CreateQueue, GetQueueUrl, GetQueueAttributes, SetQueueAttributes, SendMessage,
// ReceiveMessage, DeleteMessage, ChangeMessageVisibility, PurgeQueue, DeleteQueue,
// ListQueues. Parameter checks use SQS's ranges and error names (sqs_error.hpp): a missing
// required member is MissingParameter, a member of the wrong type or out of range
// InvalidParameterValue, ReceiveMessage MaxNumberOfMessages 1..10, VisibilityTimeout
// 0..43200, WaitTimeSeconds 0..20; at most 10 message attributes, each with a DataType
// String/Number/Binary[.custom] and the matching value (BinaryValue base64).
//
// Thread-safe (sqs_service is).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::emulator {

class sqs_service;

class sqs_api {
public:
    using done_fn = std::function<void(core::result<nlohmann::json>)>;

    explicit sqs_api(sqs_service& service) : service_(service) {}

    // The action names served.
    static const std::vector<std::string>& operations();
    static bool serves(std::string_view operation);

    // Runs `operation` on `request` (a JSON object) and answers `done` exactly once: at once,
    // or later for a ReceiveMessage that long-polls. Returns a callable that drops a parked
    // long poll (for a client that went away), or an empty function when `done` already ran.
    // An operation not served: UnknownOperationException.
    std::function<void()> call(std::string_view operation, const nlohmann::json& request,
                               done_fn done);
    // call() for requests that never wait (a ReceiveMessage that would wait is answered with
    // an InternalFailure saying so).
    core::result<nlohmann::json> call_now(std::string_view operation,
                                          const nlohmann::json& request);

    sqs_service& service() { return service_; }

private:
    sqs_service& service_;
};

}  // namespace esser::emulator

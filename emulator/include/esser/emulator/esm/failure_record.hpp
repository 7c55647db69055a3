#pragma once
// The on-failure invocation record an event source mapping sends to its OnFailure destination
// when it discards a batch (spec/streams-and-lambda.md §4.5, recorded on AWS):
//
//   {"requestContext":{"requestId":"<uuid>","functionArn":"arn:aws:lambda:...:function:f",
//                      "condition":"RetryAttemptsExhausted","approximateInvokeCount":2},
//    "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
//    "version":"1.0","timestamp":"2019-11-14T00:13:49.717Z",
//    "DDBStreamBatchInfo":{"shardId":"shardId-...","startSequenceNumber":"...",
//      "endSequenceNumber":"...","approximateArrivalOfFirstRecord":"2019-11-14T00:13:19Z",
//      "approximateArrivalOfLastRecord":"2019-11-14T00:13:19Z","batchSize":1,
//      "streamArn":"arn:aws:dynamodb:...:table/T/stream/..."}}
//
// Rendered compactly in exactly this member order: the bytes are the SQS message body AWS
// sends. `timestamp` has milliseconds, the arrival times whole seconds, both UTC with "Z".
// The record holds coordinates only, never the records themselves (SQS/SNS destinations).

#include <cstdint>
#include <optional>
#include <string>

#include "esser/core/clock.hpp"

namespace esser::emulator {

struct failure_record {
    // requestContext
    std::string request_id;  // the last invoke's request id (a fresh one if none was made)
    std::string function_arn;
    std::string condition = "RetryAttemptsExhausted";  // or "RecordAgeExceeded"
    std::uint32_t approximate_invoke_count = 0;
    // responseContext (null when `has_response` is false)
    bool has_response = true;
    int status_code = 200;
    std::string executed_version = "$LATEST";
    std::optional<std::string> function_error;  // "Unhandled"; nullopt renders null
    // envelope
    core::time_point timestamp;
    // DDBStreamBatchInfo
    std::string shard_id;
    std::string start_sequence_number;
    std::string end_sequence_number;
    core::time_point first_arrival;
    core::time_point last_arrival;
    std::uint32_t batch_size = 0;
    std::string stream_arn;
};

// The exact message body (compact JSON, AWS's member order).
std::string render_failure_record(const failure_record& r);

}  // namespace esser::emulator

#pragma once
// How an event source mapping reads what the function returned for a batch, when the mapping
// has FunctionResponseTypes ["ReportBatchItemFailures"] and/or a tumbling window
// (spec/streams-and-lambda.md §4.4, §4.7; AWS services-ddb-batchfailurereporting,
// services-ddb-windows).
//
// Partial batch responses, as recorded on AWS:
//   complete success: [], null, {}, {"batchItemFailures": []}, {"batchItemFailures": null}, and
//     any other JSON that is not an object carrying batchItemFailures;
//   partial failure: {"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}, ...]} with
//     every identifier a sequence number of the batch: the checkpoint is the lowest of them
//     (compared as integers) and the batch is retried from that record;
//   complete failure (the whole batch is retried; on discard the destination record has
//     "functionError": null because the invoke itself succeeded): an itemIdentifier that is ""
//     or null or not a string, a failure entry without "itemIdentifier" (a bad key), an
//     identifier that is not in the batch, batchItemFailures that is not a list of objects, and
//     a response that is not JSON at all [DERIVED: AWS cannot read it].
// Tumbling windows: the response must be a JSON object with a "state" member (an object);
// anything else is a failed invoke. Its batchItemFailures are read as above when the mapping
// reports item failures.

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/emulator/streams/sequence_number.hpp"

namespace esser::emulator {

struct batch_response {
    enum class kind : std::uint8_t { success, partial, failure };
    kind outcome = kind::success;
    // partial: index (into the batch) of the record with the lowest failed sequence number.
    std::size_t first_failed = 0;
    // tumbling windows: the state the function returned (success or partial).
    nlohmann::json state;
    // failure: why, in words (for logs and the mapping's status).
    std::string reason;
};

// `batch` holds the batch's sequence numbers in stream order. `payload` is the returned
// document when `is_json`. `report_item_failures` and `tumbling` are the mapping's settings.
batch_response read_batch_response(const nlohmann::json& payload, bool is_json,
                                   std::span<const sequence_number> batch,
                                   bool report_item_failures, bool tumbling);

}  // namespace esser::emulator

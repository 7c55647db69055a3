#pragma once
// The stream handler (production: the projection Lambda behind a DynamoDB Streams event source
// mapping; locally: the same code driven by esser-local's Lambda emulation).
//
// Input: the event Lambda hands the function (spec/streams-and-lambda.md §2.5):
//   {"Records": [{"eventID", "eventName": "INSERT", "eventSource": "aws:dynamodb",
//                 "dynamodb": {"Keys", "NewImage": {<events-table item>},
//                              "SequenceNumber": "...", "StreamViewType": "NEW_IMAGE"},
//                 "eventSourceARN": "..."}, ...]}
// Each INSERT/MODIFY record's NewImage is decoded with event_from_item (core/event_item.hpp)
// back into the event that was appended; REMOVE records carry no new event and are ignored.
// For each event, in record order: post_save receivers (domain signals), then every projection.
//
// Redelivery (Lambda's at-least-once delivery, spec §3 and §4.3-4.4): the handler remembers,
// per stream, the highest version it applied and skips versions at or below it, so a retried
// batch applies each event once in this process. The memory is bounded (options::
// dedupe_capacity streams; when full it is cleared, which only costs re-delivery to idempotent
// projections). Across processes, projections stay idempotent themselves (projection.hpp).
//
// Failures: processing stops at the first record that fails (malformed item, failing receiver
// or projection); later records are not touched, so per-stream order is never broken. The
// result names that record's SequenceNumber: returned as {"batchItemFailures": [{
// "itemIdentifier": seq}]} (ReportBatchItemFailures), the mapping retries from it.
//
// Thread-safety: handle() may be called concurrently for different shards; a single stream's
// records must not be processed concurrently (the event source mapping guarantees that).

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/core/projection.hpp"

namespace esser::core {

struct stream_batch_result {
    std::size_t records = 0;     // records in the batch
    std::size_t applied = 0;     // events applied (receivers + projections)
    std::size_t duplicates = 0;  // events skipped as already applied
    std::size_t ignored = 0;     // records without a new event (REMOVE)
    // The first record that failed; the mapping must retry from it. Empty: all succeeded.
    std::optional<std::string> failed_sequence_number;
    std::optional<error> failure;

    // The partial batch response: {"batchItemFailures": [{"itemIdentifier": seq}]} or
    // {"batchItemFailures": []}.
    nlohmann::json lambda_response() const;
};

class stream_handler {
public:
    struct options {
        std::size_t dedupe_capacity = 100000;
        logger log;
    };

    explicit stream_handler(std::shared_ptr<const domain> d,
                            std::vector<std::shared_ptr<projection>> projections = {});
    stream_handler(std::shared_ptr<const domain> d,
                   std::vector<std::shared_ptr<projection>> projections, options opts);

    // Handles one Lambda event. errc::parse_error (pointer into the event) when the event is
    // not a DynamoDB stream event at all (no Records array, a record without a SequenceNumber):
    // the caller reports a function error and the whole batch is retried.
    [[nodiscard]] result<stream_batch_result> handle(const nlohmann::json& lambda_event);

    // Decodes one stream record (pointers in errors are relative to the record). nullopt for a
    // record that carries no new event (REMOVE).
    [[nodiscard]] static result<std::optional<event>> decode_record(const nlohmann::json& record);

    // Applies one event: post_save receivers, then projections. false: skipped as a duplicate.
    [[nodiscard]] result<bool> apply(const event& e);

private:
    std::shared_ptr<const domain> domain_;
    std::vector<std::shared_ptr<projection>> projections_;
    options opts_;
    std::mutex mu_;
    std::unordered_map<std::string, std::uint64_t> applied_;  // stream key -> highest version
};

}  // namespace esser::core

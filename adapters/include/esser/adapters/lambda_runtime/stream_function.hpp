#pragma once
// The projection Lambda: hands a DynamoDB Streams event (spec/streams-and-lambda.md §2.5) to
// core::stream_handler and answers with the partial batch response (§4.4,
// ReportBatchItemFailures): {"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}
// naming the first record that failed, or {"batchItemFailures": []}.
//
// A payload that is not JSON, or not a stream event at all (no Records array, a record without
// a SequenceNumber), is a function error of type "parse_error": there is no record to name, so
// the mapping retries the whole batch (and eventually sends it to its on-failure destination).
// A record whose NewImage does not decode is a record failure like any other: it is named in
// batchItemFailures, so the records before it count as done.
//
// Thread-safe as stream_handler is (one batch at a time per shard).

#include <memory>

#include "esser/adapters/lambda_runtime/invocation.hpp"
#include "esser/core/stream_handler.hpp"

namespace esser::adapters {

class stream_function {
public:
    explicit stream_function(std::shared_ptr<core::stream_handler> handler);

    invocation_result operator()(const invocation& inv) const;

private:
    std::shared_ptr<core::stream_handler> handler_;
};

}  // namespace esser::adapters

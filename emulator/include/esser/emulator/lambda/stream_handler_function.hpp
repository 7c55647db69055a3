#pragma once
// The domain's stream handler (core::stream_handler: post_save receivers and projections) as an
// in-process Lambda function, so that an event source mapping on the events table's stream
// runs the projections exactly as the projection Lambda does in production (issue 5;
// DESIGN.md "Emulator behaviour"; spec/streams-and-lambda.md §2.5, §4.4).
//
//   auto handler = std::make_shared<core::stream_handler>(domain, projections);
//   create_stream_handler_function(lambda, {.name = "projector"}, handler);
//   // then a mapping: FunctionName "projector", FunctionResponseTypes ["ReportBatchItemFailures"]
//
// Outcomes of one invoke (the event is the mapping's {"Records": [...]}):
//  - every record applied (or skipped as a duplicate, or a REMOVE): success,
//    {"batchItemFailures": []};
//  - a record failed (a receiver or projection error, a malformed item): with
//    `partial_batch_response` (the default) the answer names that record,
//    {"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}, and the mapping must have
//    ReportBatchItemFailures so it retries from there; without it the invoke is an Unhandled
//    function error carrying the failure, and the mapping retries the whole batch (records
//    already applied are skipped as duplicates by the handler);
//  - the event is not a stream event: an Unhandled function error (errc::parse_error).
// Thread-safe as core::stream_handler is (one shard's records are never processed
// concurrently: the mapping guarantees it).

#include <memory>

#include "esser/core/error.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_registry.hpp"
#include "esser/emulator/lambda/in_process_function.hpp"

namespace esser::core {
class stream_handler;
}

namespace esser::emulator {

class lambda_service;

// The in-process handler create_stream_handler_function runs (for callers that build the
// function object themselves, e.g. a fixture replay wrapping it). `handler` must not be null.
in_process_handler stream_handler_lambda(std::shared_ptr<core::stream_handler> handler,
                                         bool partial_batch_response = true);

// Creates the in-process function `config.name` running `handler`. Errors: create_function's.
core::result<function_info> create_stream_handler_function(
    lambda_service& lambda, function_config config, std::shared_ptr<core::stream_handler> handler,
    bool partial_batch_response = true);

}  // namespace esser::emulator

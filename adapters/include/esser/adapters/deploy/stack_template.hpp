#pragma once
// The AWS infrastructure of an esser domain, as a CloudFormation or SAM template (issue 10,
// `esser-local template`): the same domain file drives esser-local and the cloud stack.
//
// Resources (logical ids are stable: stacks are updated in place):
//   EventsTable         AWS::DynamoDB::Table  pk S HASH, v N RANGE (DESIGN.md "DynamoDB layout"),
//                       on demand, stream NEW_IMAGE, point-in-time recovery
//   SnapshotsTable      AWS::DynamoDB::Table  pk S HASH, on demand
//   FailureQueue        AWS::SQS::Queue       on-failure destination of the mapping (14 days)
//   CommandFunction     provided.al2023, Handler "command" (esser-lambda), env ESSER_EVENTS_TABLE,
//                       ESSER_SNAPSHOTS_TABLE
//   ProjectionFunction  provided.al2023, Handler "stream", env ESSER_EVENTS_TABLE,
//                       ESSER_SNAPSHOTS_TABLE (states rebuilt across a stream gap),
//                       ESSER_READ_STORE (parameter ReadStore)
//   ProjectionMapping   the DynamoDB stream -> ProjectionFunction event source mapping with the
//                       domain's settings, ReportBatchItemFailures, OnFailure -> FailureQueue
//   CommandFunctionRole, ProjectionFunctionRole (cloudformation format; SAM derives them from
//   the functions' Policies): least privilege —
//     command:    dynamodb:GetItem, PutItem, Query on both tables (TransactWriteItems is
//                 authorised through PutItem on each table), CloudWatch Logs;
//     projection: dynamodb:GetItem, Query on both tables (rebuilding a state),
//                 dynamodb:DescribeStream, GetRecords, GetShardIterator, ListStreams on the
//                 events table's stream, sqs:SendMessage on FailureQueue, CloudWatch Logs.
// Parameters: CodeBucket, CodeKey (the esser-lambda zip with bootstrap + domain.json;
// cloudformation format) or CodeUri (SAM, a local path `sam deploy` uploads); ReadStore (the
// projection's read store URL, default empty: no projection).
// Outputs: table names, stream ARN, function ARNs, queue URL.
//
// Domain settings, from the domain file's optional "x-deployment" member (domain files accept
// x- members; everything is optional, defaults shown):
//   {"x-deployment": {
//      "command_function":    {"memory_mb": 512, "timeout_s": 10, "architecture": "arm64"},
//      "projection_function": {"memory_mb": 512, "timeout_s": 60, "architecture": "arm64"},
//      "mapping": {"batch_size": 100, "batching_window_s": 0, "starting_position": "TRIM_HORIZON",
//                  "maximum_retry_attempts": 10, "maximum_record_age_s": 86400,
//                  "bisect_on_error": true, "parallelization_factor": 1}}}
// Limits are AWS's (CreateEventSourceMapping, CreateFunction, spec/streams-and-lambda.md §4.1):
// batch_size 1-10000, batching_window_s 0-300, maximum_retry_attempts -1-10000,
// maximum_record_age_s -1 or 60-604800, parallelization_factor 1-10, memory_mb 128-10240,
// timeout_s 1-900. Violations are errc::validation naming each member by JSON Pointer.
//
// Output is JSON (valid YAML too); generate() is deterministic (same domain, same bytes).

#include <string>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::adapters {

enum class template_format { cloudformation, sam };

struct function_settings {
    int memory_mb = 512;
    int timeout_s = 10;
    std::string architecture = "arm64";
};

struct mapping_settings {
    int batch_size = 100;
    int batching_window_s = 0;
    std::string starting_position = "TRIM_HORIZON";
    int maximum_retry_attempts = 10;
    int maximum_record_age_s = 86400;
    bool bisect_on_error = true;
    int parallelization_factor = 1;
};

struct deployment_settings {
    std::string domain_name;  // from the domain file's "name"
    std::string description;
    function_settings command_function;
    function_settings projection_function{512, 60, "arm64"};
    mapping_settings mapping;

    // Reads "name", "description" and "x-deployment" of a domain document.
    static core::result<deployment_settings> from_domain(const nlohmann::json& domain_doc);
};

// "cloudformation" | "sam"; errc::invalid_argument otherwise.
core::result<template_format> parse_template_format(std::string_view text);

nlohmann::json generate_stack_template(const deployment_settings& s, template_format f);

}  // namespace esser::adapters

#pragma once
// The JSON of the event source mapping REST API (Lambda 2015-03-31,
// /2015-03-31/event-source-mappings/): request bodies read into esm_config, with AWS's checks
// and words, and esm_info rendered as EventSourceMappingConfiguration
// (spec/streams-and-lambda.md §4.1; AWS API_CreateEventSourceMapping,
// API_UpdateEventSourceMapping, API_EventSourceMappingConfiguration).
//
// Checks, in AWS's order (recorded on AWS where the spec says so):
//  1. the body is a JSON object and each known member has its type, else
//     InvalidRequestContentException "Could not parse request body into json: ...";
//  2. the API model's constraints, every violation listed, ValidationException:
//     "2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint:
//     Member must have value greater than or equal to 1; Value '11' at 'parallelizationFactor'
//     failed to satisfy constraint: Member must have value less than or equal to 10"
//     (ranges of §4.1, the StartingPosition enum [LATEST, AT_TIMESTAMP, TRIM_HORIZON],
//     FunctionResponseTypes, a filter pattern longer than 4096, FunctionName missing);
//  3. the service rules, InvalidParameterValueException: "Unsupported DestinationConfig
//     parameter for given event source mapping type." (OnSuccess), "Unrecognized event
//     source." (no EventSourceArn), "1 validation error detected: Value null at
//     'startingPosition' failed to satisfy constraint: Member must not be null.",
//     "Unsupported starting position for arn type: <arn>" (AT_TIMESTAMP),
//     "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800
//     (inclusive)", "Invalid filter pattern definition.", and esser's own refusals of sources
//     and destinations it does not emulate (Kinesis/SQS/Kafka sources; SNS/S3 destinations).
// Unknown members are ignored, as AWS ignores them.

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"
#include "esser/emulator/esm/esm_config.hpp"

namespace esser::emulator {

// CreateEventSourceMapping's body.
core::result<esm_config> parse_create_request(const nlohmann::json& body);

// UpdateEventSourceMapping's body applied to `current`: members present replace the current
// values (FilterCriteria {} or {"Filters": []} removes the filters; DestinationConfig
// {"OnFailure": {}} removes the destination). EventSourceArn and StartingPosition cannot change
// and are ignored, as in AWS's API.
core::result<esm_config> parse_update_request(const nlohmann::json& body, esm_config current);

// EventSourceMappingConfiguration. LastModified is epoch seconds (a number), as on the wire.
nlohmann::json esm_to_json(const esm_info& info);

}  // namespace esser::emulator

#pragma once
// The DynamoDB Streams JSON API: X-Amz-Target `DynamoDBStreams_20120810.<Op>` (spec/dynamodb-
// api.md §3.9, spec/streams-and-lambda.md §1.4-§1.6, §2.1-§2.4).
//
// dispatch() takes the bare operation name and the request body as parsed JSON and returns the
// response body or an AWS error (adapters::aws_error: type, message, status). The HTTP front
// routes the Streams target prefix here; the in-process DynamoDB transport can too. Operations:
// ListStreams, DescribeStream, GetShardIterator, GetRecords; anything else is
// UnknownOperationException.
//
// Checks run in AWS's order: JSON field types (SerializationException), then member
// constraints, reported together in Coral's words ("1 validation error detected: Value '0' at
// 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
// then the operation's own rules (ValidationException), then lookups
// (ResourceNotFoundException) and stream state (ExpiredIterator/TrimmedDataAccess).
//
// Thread-safe (the registry is).

#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/transport.hpp"

namespace esser::emulator {

class stream_registry;

class streams_api {
public:
    static constexpr std::string_view target_prefix = "DynamoDBStreams_20120810";

    explicit streams_api(stream_registry& registry) : registry_(registry) {}

    // `operation` without the target prefix ("GetRecords").
    adapters::aws_result dispatch(std::string_view operation, const nlohmann::json& request);

    // True for the four Streams operation names.
    static bool handles(std::string_view operation) noexcept;

private:
    adapters::aws_result list_streams(const nlohmann::json& request);
    adapters::aws_result describe_stream(const nlohmann::json& request);
    adapters::aws_result get_shard_iterator(const nlohmann::json& request);
    adapters::aws_result get_records(const nlohmann::json& request);

    stream_registry& registry_;
};

}  // namespace esser::emulator

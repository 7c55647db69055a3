#pragma once
// Stream ARNs and labels (spec/streams-and-lambda.md §1.1), read and written in one place.
//
//   arn:<partition>:dynamodb:<region>:<account>:table/<TableName>/stream/<StreamLabel>
//   StreamLabel = "YYYY-MM-DDTHH:MM:SS.mmm" (UTC, milliseconds, no trailing Z)

#include <optional>
#include <string>
#include <string_view>

#include "esser/core/clock.hpp"

namespace esser::emulator::streams_detail {

struct stream_arn_parts {
    std::string_view partition;
    std::string_view region;
    std::string_view account;
    std::string_view table;
    std::string_view label;
};

// nullopt unless `arn` has exactly the shape above: partition/region of [a-z0-9-], a 12-digit
// account, a valid table name (3-255 of [A-Za-z0-9_.-]) and a label of the form above.
std::optional<stream_arn_parts> parse_stream_arn(std::string_view arn);

struct table_arn_parts {
    std::string_view region;
    std::string_view account;
};

// Region and account of "arn:<partition>:dynamodb:<region>:<account>:table/<name>".
std::optional<table_arn_parts> parse_table_arn(std::string_view arn);

// "2024-01-01T00:00:00.000".
std::string format_stream_label(core::time_point t);

// DynamoDB table names: 3-255 characters of [A-Za-z0-9_.-].
bool valid_table_name(std::string_view name);

}  // namespace esser::emulator::streams_detail

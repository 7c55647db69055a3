#pragma once
// The parameters of one Lambda event source mapping over a DynamoDB stream, typed, and the
// checks CreateEventSourceMapping / UpdateEventSourceMapping apply to them
// (spec/streams-and-lambda.md §4.1; AWS API_CreateEventSourceMapping, services-ddb-params).
//
// The requests that set them are read and checked by esm_request.hpp (shape, model constraints
// and service rules, in AWS's order and words); existence checks (function, stream,
// destination, duplicate mapping) belong to esm_service.
//
// Errors are core::error values whose `type` is the AWS exception name; esm_routes turns them
// into Lambda's REST error bodies.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"

namespace esser::emulator {

// State of a mapping (API_EventSourceMappingConfiguration). Do not reorder.
enum class esm_state : std::uint8_t {
    Creating,
    Enabling,
    Enabled,
    Disabling,
    Disabled,
    Updating,
    Deleting
};

std::string_view esm_state_text(esm_state s) noexcept;

// StartingPosition for a DynamoDB stream (AT_TIMESTAMP exists for Kinesis only). Do not reorder.
enum class esm_starting_position : std::uint8_t { TRIM_HORIZON, LATEST };

std::string_view esm_starting_position_text(esm_starting_position p) noexcept;

// The user-settable parameters, with AWS's defaults for a DynamoDB stream source (the values a
// create response shows when the request left them out).
struct esm_config {
    std::string event_source_arn;  // the stream ARN
    std::string function_name;     // as given: name, name:qualifier, partial or full ARN
    esm_starting_position starting_position = esm_starting_position::TRIM_HORIZON;
    std::uint32_t batch_size = 100;               // 1..10000
    std::uint32_t maximum_batching_window_s = 0;  // 0..300
    std::int32_t maximum_retry_attempts = -1;     // -1 (infinite) or 0..10000
    std::int32_t maximum_record_age_s = -1;       // -1 (infinite) or 60..604800
    bool bisect_batch_on_function_error = false;
    std::uint32_t parallelization_factor = 1;  // 1..10
    std::string on_failure_destination;        // empty: none (DestinationConfig.OnFailure)
    bool report_batch_item_failures = false;   // FunctionResponseTypes ["ReportBatchItemFailures"]
    std::vector<std::string> filter_patterns;  // FilterCriteria.Filters[].Pattern, as given
    std::uint32_t tumbling_window_s = 0;       // 0 (off) or 1..900
    bool enabled = true;

    friend bool operator==(const esm_config&, const esm_config&) = default;
};

// A mapping as GetEventSourceMapping describes it.
struct esm_info {
    std::string uuid;
    std::string arn;  // EventSourceMappingArn: arn:aws:lambda:<r>:<a>:event-source-mapping:<uuid>
    std::string function_arn;  // FunctionArn (keeps the qualifier FunctionName had)
    esm_config config;
    esm_state state = esm_state::Creating;
    std::string state_transition_reason = "User action";
    // "No records processed", "OK", "PROBLEM: Function call failed", ... (spec §4.1).
    std::string last_processing_result = "No records processed";
    core::time_point last_modified;
};

// A mapping as esser-local keeps it under --data-dir (issue 9; esm_service::restore_mapping):
// every field of esm_info except the transient state, which follows `enabled`. The member
// names are esser's own (not AWS's response shape); esm_info_from_state refuses a document it
// did not write (wrong types, values outside CreateEventSourceMapping's ranges) with
// errc::parse_error naming the member.
nlohmann::json esm_info_state(const esm_info& info);
core::result<esm_info> esm_info_from_state(const nlohmann::json& state);

// An AWS-shaped error: `type` is the exception name, `message` AWS's text.
core::error esm_error(std::string_view type, std::string message);

// The most filters one mapping may have (AWS's default quota for DynamoDB sources).
inline constexpr std::size_t max_filters_per_mapping = 5;

}  // namespace esser::emulator

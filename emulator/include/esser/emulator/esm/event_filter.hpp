#pragma once
// Event filtering of an event source mapping: the EventBridge pattern language subset Lambda
// applies to DynamoDB stream records (spec/streams-and-lambda.md §4.6; AWS
// invocation-eventfiltering.html).
//
// A pattern is a JSON object matched against the whole Lambda-event record (to_lambda_json:
// eventName, eventSource, awsRegion, userIdentity, dynamodb{Keys, NewImage, ...}, ...):
//   - an object value descends: {"dynamodb": {"NewImage": {"k": {"S": [...]}}}};
//   - an array value lists conditions, any of which may match (OR); keys are ANDed;
//   - conditions: a string, number, true/false or null (exact match; numbers compare by their
//     JSON text, so 300 does not match 300.0), {"prefix": "s"}, {"suffix": "s"},
//     {"equals-ignore-case": "s"}, {"anything-but": v | [v, ...] | {"prefix": "s"} |
//     {"suffix": "s"}}, {"numeric": [">", 0, "<=", 10]} (JSON numbers only: DynamoDB's N values
//     are strings in the event, so numeric conditions never match them), {"exists": bool}.
// Conditions look at leaf values only: a value that is an object (such as {"S": "v"} when the
// pattern omits the type descriptor) matches nothing and counts as absent for
// {"exists": false}, which is what AWS recorded. When the event value is an array, a condition
// matches if it matches one element (anything-but: if it matches every element).
//
// compile() refuses what EventBridge refuses: text that is not a JSON object, empty objects or
// arrays, a bare value where an array is required, unknown or malformed operators, numeric
// ranges that are not one lower and/or one upper bound (or one "="). Its error is AWS's:
// InvalidParameterValueException "Invalid filter pattern definition.".
//
// Immutable after compile(); matches() is thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "esser/core/error.hpp"

namespace esser::emulator {

class event_filter {
public:
    static core::result<event_filter> compile(std::string_view pattern);

    bool matches(const nlohmann::json& record) const;

    struct node;

private:
    std::shared_ptr<const node> root_;
};

// FilterCriteria: up to max_filters_per_mapping patterns, ORed. No patterns: every record
// passes.
class filter_criteria {
public:
    filter_criteria() = default;
    static core::result<filter_criteria> compile(const std::vector<std::string>& patterns);

    bool empty() const { return filters_.empty(); }

    bool matches(const nlohmann::json& record) const;

private:
    std::vector<event_filter> filters_;
};

}  // namespace esser::emulator

#pragma once
// The SQS query protocol (form-encoded POST, XML answers; what Debian's aws cli 2.9 and
// boto3 1.26 speak) turned into sqs_api's JSON shapes and back. AWS SQS API reference
// "Making Query API requests" and each action's "Response Elements"; namespace
// http://queue.amazonaws.com/doc/2012-11-05/.
//
// Requests: Action=<Action>&Version=2012-11-05&<params>, parameters flattened as AWS flattens
// them: lists "AttributeName.1", "MessageAttributeName.1", "MessageSystemAttributeName.1";
// maps "Attribute.1.Name" / "Attribute.1.Value"; message attributes "MessageAttribute.1.Name",
// "MessageAttribute.1.Value.DataType", ".Value.StringValue", ".Value.BinaryValue". Integer
// parameters (MaxNumberOfMessages, VisibilityTimeout, WaitTimeSeconds, DelaySeconds,
// MaxResults) become JSON integers when they are decimal numbers; anything else stays text for
// sqs_api to refuse. Tag.N.* is accepted and ignored (tags are not emulated).
//
// Answers: <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata><RequestId>
// with maps as repeated <Attribute><Name/><Value/></Attribute> (and <MessageAttribute>),
// lists as repeated <Message> / <QueueUrl>; errors as <ErrorResponse><Error><Type/><Code/>
// <Message/><Detail/></Error><RequestId/></ErrorResponse>.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"
#include "esser/emulator/sqs/sqs_error.hpp"

namespace esser::emulator {

using form_params = std::vector<std::pair<std::string, std::string>>;

// Decodes application/x-www-form-urlencoded text ('+' is a space). A malformed %-escape is
// MalformedQueryString; empty pieces ("a=1&&b=2") are skipped; a piece without '=' has an
// empty value.
core::result<form_params> parse_form(std::string_view text);

// The value of the first parameter named `name`, or nullptr.
const std::string* form_value(const form_params& params, std::string_view name);

// The JSON request sqs_api reads for these parameters (Action and Version are left out).
// MissingParameter when a flattened entry lacks its Name; InvalidParameterValue for an index
// that is not a positive number.
core::result<nlohmann::json> form_to_json(const form_params& params);

// The XML answer of `action` for sqs_api's `result`.
std::string query_response_xml(std::string_view action, const nlohmann::json& result,
                               std::string_view request_id);

// The XML error answer.
std::string query_error_xml(const sqs_wire_error& wire, std::string_view message,
                            std::string_view request_id);

// Escapes text for XML element content (&, <, >, quotes, and CR as &#xD; so it survives
// line-end normalisation).
std::string xml_escape(std::string_view text);

}  // namespace esser::emulator

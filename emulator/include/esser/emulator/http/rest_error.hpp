#pragma once
// Error answers of the REST-style APIs on the esser-local port: Lambda's and esser's own. (The
// AWS JSON 1.0 errors of DynamoDB and Streams are adapters::aws_error, written by
// aws_json_front.)

#include <string_view>

#include "esser/core/error.hpp"
#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator {

// A Lambda service error (spec/streams-and-lambda.md §5.1): body {"Type":"User","message":...}
// with header x-amzn-ErrorType: <type>, e.g.
//   lambda_error_response(404, "ResourceNotFoundException", "Function not found: arn:...")
// `fault` is "User" for client errors and "Service" for ServiceException (500).
http_response lambda_error_response(int status, std::string_view type, std::string_view message,
                                    std::string_view fault = "User");

// The HTTP status of a core error kind on the esser API:
//   validation, invalid_domain, parse_error, invalid_argument -> 400; not_found -> 404;
//   version_conflict -> 409; aggregate_deleted -> 410; vetoed -> 422; throttled -> 429;
//   remote -> 502; unavailable -> 503; timeout -> 504; internal -> 500.
int esser_error_status(core::errc code) noexcept;

// The esser API's error answer (DESIGN.md "Error model": one translator per boundary):
//   {"error":{"type":"validation","message":"...","fields":[{"pointer":"/price",
//    "reason":"..."}]}}
// plus "remote_type" when core::error::type is set and "source" when set.
http_response esser_error_response(const core::error& e);

}  // namespace esser::emulator

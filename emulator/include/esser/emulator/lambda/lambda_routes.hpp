#pragma once
// The Lambda REST API (version 2015-03-31) on esser-local's port, served by a lambda_service
// (spec/streams-and-lambda.md §5.1; AWS Lambda API reference):
//
//   POST   /2015-03-31/functions                       CreateFunction (201)
//   GET    /2015-03-31/functions/                      ListFunctions (Marker, MaxItems)
//   GET    /2015-03-31/functions/{name}                GetFunction
//   GET    /2015-03-31/functions/{name}/configuration  GetFunctionConfiguration
//   PUT    /2015-03-31/functions/{name}/code           UpdateFunctionCode (ZipFile)
//   PUT    /2015-03-31/functions/{name}/configuration  UpdateFunctionConfiguration
//   DELETE /2015-03-31/functions/{name}                DeleteFunction (204)
//   POST   /2015-03-31/functions/{name}/invocations    Invoke (200 / 202 Event / 204 DryRun)
// and two esser additions:
//   GET    /esser/v1/lambda/functions/{name}/logs      the function's log (text/plain)
//   GET    /esser/v1/lambda/failed-events              Event invokes that failed for good
//
// CreateFunction takes AWS's request shape. Code is where a function's code comes from:
//   "Code": {"ZipFile": "<base64 zip>"}   a zip package (issue 13), as `aws lambda
//            create-function --zip-file fileb://fn.zip` sends it; Runtime is required
//            (provided.al2023/provided.al2/provided, python3.x, nodejs<N>.x: zip_runtime.hpp),
//            Handler too for python and node. Unzipped with zip_archive (corrupt or escaping
//            packages: InvalidParameterValueException "Could not unzip uploaded file...").
// and esser's own two sources (AWS clients refuse them; send them with curl):
//   "Code": {"EsserCommand": ["/path/to/bootstrap", "arg", ...],
//            "EsserWorkingDirectory": "/path/to"}      an executable custom runtime
//   "Code": {"EsserUrl": "http://127.0.0.1:9000/hook"}   a URL function
// and an optional "Esser" object: {"MaxConcurrency": 10, "TimeoutMs": 250,
// "InitTimeoutMs": 10000} (TimeoutMs overrides Timeout, for sub-second timeouts). S3Bucket/S3Key
// and ImageUri are refused with InvalidParameterValueException.
// UpdateFunctionConfiguration takes Runtime, Handler, Description, Timeout, MemorySize,
// Environment (replaces the variables) and Esser; UpdateFunctionCode takes ZipFile.
// FunctionConfiguration responses carry CodeSize and CodeSha256 (base64 SHA-256 of the zip) and
// the same "Esser" object (plus Kind, Command, Url).
//
// Errors: {"Type":"User","message":...} with x-amzn-ErrorType (rest_error.hpp); the status
// from the exception: ResourceNotFoundException 404, ResourceConflictException 409,
// TooManyRequestsException 429 (with "Reason" and Retry-After), RequestTooLargeException 413,
// ServiceException 500 ("Type":"Service"), the validation kinds 400.
//
// Request bodies: CreateFunction and UpdateFunctionCode take up to max_code_request_bytes (a
// 50 MB zip, base64, in the JSON body: AWS's direct-upload quota) through router::body_limit;
// a larger one is answered 413 RequestEntityTooLargeException "Request must be smaller than
// 69905067 bytes for the CreateFunction operation", as AWS does. Every other route keeps the
// server's limit (16 MiB: DynamoDB's, spec/dynamodb-api.md §1.1).
//
// Invokes run on the service's request threads, never on a server thread.

#include <cstdint>

#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class lambda_service;

// The largest CreateFunction / UpdateFunctionCode body accepted: AWS's message says "smaller
// than 69905067 bytes".
inline constexpr std::uint64_t max_code_request_bytes = 69'905'066;

// Adds the routes above to `r`. `service` must outlive every request the router dispatches.
void register_lambda_routes(router& r, lambda_service& service);

}  // namespace esser::emulator

#pragma once
// aws_json_front: the AWS JSON 1.0 protocol on the esser-local port, for DynamoDB
// (`X-Amz-Target: DynamoDB_20120810.<Op>`) and DynamoDB Streams
// (`DynamoDBStreams_20120810.<Op>`). It is an http_handler: install it as the router's
// fallback, since DynamoDB ignores the request path.
//
// Request checks, in the order of spec/dynamodb-api.md §1.4 (dynalite's order, which its tests
// assert against AWS):
//  0. (server) body over 16 MiB -> 413, no body.
//  1. Origin header -> Access-Control-Allow-Origin: * on the answer; OPTIONS with Origin -> CORS
//     preflight 200. GET / -> 200 "healthy: dynamodb.<region>.amazonaws.com ". Any other method
//     or path for GET, or a non-empty body whose Content-Type is neither
//     application/x-amz-json-1.0 nor application/json (parameters ignored) -> 404
//     `<UnknownOperationException/>\n` with x-amz-crc32: 3552371480.
//     Content-Encoding: gzip is decoded here (concatenated members allowed); a corrupt body,
//     an empty gzip body or any other encoding -> 500 InternalServerError (spec §1.7).
//  2. Non-empty body that is not JSON -> 400 SerializationException (no message). A JSON value
//     that is not an object -> SerializationException too.
//  3. X-Amz-Target missing, malformed or naming an operation the service did not register ->
//     400 UnknownOperationException (no message).
//  4. With auth = require_header only: no AWS4 Authorization header ->
//     MissingAuthenticationTokenException; a malformed one -> IncompleteSignatureException.
//     With auth = verify_signature (esser-local --credentials): the whole SigV4 check of
//     sigv4_guard.hpp (signing name "dynamodb"), on the body as received (before gzip is
//     undone), with AWS's errors (400). Otherwise signatures are not verified; the Credential
//     scope's region is read either way.
//  5. Empty body -> SerializationException.
//  6+. The service: its aws_result is written as the body (200) or as aws_error::to_json()
//     with its status. An exception thrown by a service -> 500 InternalServerError.
// Every answer after step 0 carries x-amzn-RequestId (52 characters of [0-9A-Z]); every JSON
// answer carries x-amz-crc32 over the exact body bytes (spec §1.6) and Content-Type
// application/x-amz-json-1.0, or application/json unless the client sent x-amz-json-1.0
// (dynalite's echo rule, §1.2). Responses are never compressed (§1.7).
//
// Thread safety: register services before serving; handle() may run concurrently.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/transport.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class sigv4_guard;

// What a service learns about the call besides its body.
struct aws_call {
    std::string target_prefix;  // "DynamoDB_20120810"
    std::string operation;      // "PutItem"
    std::string request_id;     // the x-amzn-RequestId of the answer
    std::string region;         // from the SigV4 Credential scope, else the front's default
    std::string access_key_id;  // from the Credential scope; may be empty
};

// A service answering synchronously on the server thread (fine for in-memory work).
using aws_service =
    std::function<adapters::aws_result(const aws_call& call, const nlohmann::json& request)>;
// A service answering later, from any thread, by calling `done` exactly once (a dropped `done`
// is answered 500).
using aws_async_service = std::function<void(aws_call call, nlohmann::json request,
                                             std::function<void(adapters::aws_result)> done)>;

// A service answering with the response body already written as JSON text (an object), e.g.
// dynamo_engine::dispatch_text, which writes read results without building JSON trees. The
// front sends the text as it is (and its x-amz-crc32).
using aws_text_result = core::expected<std::string, adapters::aws_error>;
using aws_text_service =
    std::function<aws_text_result(const aws_call& call, const nlohmann::json& request)>;

// Reads a request straight from its body text, for the operations and bodies it takes
// (dynamo_engine::prepare_text: PutItem without JSON trees): the request ready to serve, or an
// empty function to decline, and the front then parses the body and calls the service as usual.
// Taking a body promises it is a JSON object and that serving it answers what the service
// answers for the parsed body. The front calls the returned function once, on the same thread,
// before handle() returns (the body is alive until then), after the checks of steps 3-5.
using aws_text_reader = std::function<std::function<aws_text_result()>(std::string_view operation,
                                                                       std::string_view body)>;

enum class aws_auth_mode {
    accept_any,        // never reject a request for its credentials (spec §1.1 recommendation)
    require_header,    // dynalite/AWS checks of §1.4 step 4 (header present and well formed)
    verify_signature,  // SigV4 verified by options.signatures (issue 10, sigv4_guard.hpp)
};

struct aws_json_front_options {
    std::string default_region = "us-east-1";
    aws_auth_mode auth = aws_auth_mode::accept_any;
    // The keys verify_signature accepts (required in that mode; a missing one answers 500).
    std::shared_ptr<const sigv4_guard> signatures;
    // Bound on a gzip body once decoded (AWS applies no 16 MiB limit there, spec §1.1, but an
    // emulator must not inflate a zip bomb): more is answered 413.
    std::size_t max_decoded_body_bytes = 64u * 1024 * 1024;
    // Where x-amzn-RequestId values come from; null means a random source.
    std::shared_ptr<core::id_source> ids;
};

class aws_json_front {
public:
    explicit aws_json_front(aws_json_front_options options = {}, core::logger log = {});

    // Serves `target_prefix`.<op> for each op in `operations` (any other op of that prefix is
    // UnknownOperationException, step 3). Metrics label each call "<label>.<op>", where
    // label is the prefix up to '_' ("DynamoDB", "DynamoDBStreams"). Replaces an earlier
    // registration of the same prefix.
    void add_service(std::string target_prefix, std::vector<std::string> operations,
                     aws_service service);
    void add_async_service(std::string target_prefix, std::vector<std::string> operations,
                           aws_async_service service);
    // As add_service, with the set of operations given by a predicate (e.g.
    // dynamo_engine::serves). `serves` must be thread-safe and only accept names from a fixed
    // set: the metrics label each accepted name.
    using operation_filter = std::function<bool(std::string_view operation)>;
    void add_service(std::string target_prefix, operation_filter serves, aws_service service);
    void add_async_service(std::string target_prefix, operation_filter serves,
                           aws_async_service service);
    // As add_service, for a service that writes its own response text, and may read some
    // requests from their text (`reader`, optional).
    void add_text_service(std::string target_prefix, operation_filter serves,
                          aws_text_service service, aws_text_reader reader = {});
    bool has_service(std::string_view target_prefix) const;

    // The http_handler.
    void handle(http_request req, responder res) const;
    // handle() bound to this front (which must outlive the router using it).
    http_handler handler() const;

    // The 404 answer of step 1.
    static http_response unknown_operation_404();

private:
    // Every kind of service, answering with its body text (json results are dumped).
    using text_service = std::function<void(aws_call call, nlohmann::json request,
                                            std::function<void(aws_text_result)> done)>;

    struct service_entry {
        std::string prefix;
        std::string label;
        operation_filter serves;
        text_service call;
        aws_text_reader reader;  // may be empty
    };

    void add_entry(std::string target_prefix, operation_filter serves, text_service call);

    const service_entry* find(std::string_view prefix) const;

    aws_json_front_options options_;
    core::logger log_;
    std::vector<service_entry> services_;
};

}  // namespace esser::emulator

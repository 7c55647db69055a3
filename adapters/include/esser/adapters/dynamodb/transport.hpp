#pragma once
// How the DynamoDB client reaches a DynamoDB: operation name + request JSON in, response JSON
// or an AWS error out.
//
// Implementations:
//  - emulator::in_process_transport: calls the fake engine's dispatch() directly; no HTTP, no
//    JSON text round-trip (the request object is handed over as is).
//  - adapters::http_transport (issue 10): HTTP/HTTPS with SigV4, keep-alive, retries.
//
// The same client code, and therefore the same dynamodb_event_store, runs over both: that is
// what makes the locally tested core the production core.

#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/expected.hpp"

namespace esser::adapters {

using aws_result = core::expected<nlohmann::json, aws_error>;

// Thread-safe: call() may be used from several threads at once.
class dynamodb_transport {
public:
    virtual ~dynamodb_transport() = default;
    // `operation` is the bare name ("PutItem", or a Streams operation such as "GetRecords");
    // `request` is the body object exactly as it would be sent on the wire.
    virtual aws_result call(std::string_view operation, const nlohmann::json& request) = 0;
};

}  // namespace esser::adapters

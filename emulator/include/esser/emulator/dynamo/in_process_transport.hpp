#pragma once
// The DynamoDB transport that reaches the emulator's engine inside the same process: no socket,
// no HTTP, no JSON text. The request object is handed to dynamo_engine::dispatch() as is and its
// response object returned as is (adapters/dynamodb/transport.hpp).
//
//   auto engine = std::make_shared<emulator::dynamo_engine>();
//   auto transport = std::make_shared<emulator::in_process_transport>(engine);
//   adapters::dynamodb_client client(transport);           // or dynamodb_event_store
//
// DynamoDB Streams operations (ListStreams, DescribeStream, GetShardIterator, GetRecords) are
// not the engine's: pass the streams service's dispatcher as `streams` to serve them through the
// same transport; without it they get UnknownOperationException.
//
// Thread-safe (dispatch is).

#include <functional>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/transport.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"

namespace esser::emulator {

class in_process_transport final : public adapters::dynamodb_transport {
public:
    using dispatcher = std::function<adapters::aws_result(std::string_view, const nlohmann::json&)>;

    explicit in_process_transport(std::shared_ptr<dynamo_engine> engine, dispatcher streams = {})
        : engine_(std::move(engine)), streams_(std::move(streams)) {}

    adapters::aws_result call(std::string_view operation, const nlohmann::json& request) override {
        if (streams_ && !dynamo_engine::serves(operation))
            return streams_(operation, request);
        return engine_->dispatch(operation, request);
    }

    dynamo_engine& engine() { return *engine_; }

private:
    std::shared_ptr<dynamo_engine> engine_;
    dispatcher streams_;
};

}  // namespace esser::emulator

#pragma once
// The request schema of every DynamoDB operation the engine serves: member order, JSON types and
// constraints as AWS declares them (spec/dynamodb-api.md §1.4 steps 6-7, §3). Transcribed from
// dynalite's validations/*.js (which were verified against AWS) and, for operations dynalite
// lacks (TransactWriteItems, TransactGetItems, UpdateTimeToLive), from the DynamoDB API model.

#include <string_view>

#include "request_schema.hpp"

namespace esser::emulator::schema {

// nullptr for an operation without a schema (unknown to the engine).
const fields* for_operation(std::string_view operation);

}  // namespace esser::emulator::schema

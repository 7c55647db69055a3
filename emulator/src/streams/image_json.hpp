#pragma once
// Item images as DynamoDB JSON ({"name":{"S":"..."}}, B as base64) for stream records.
// TODO(streams): switch to the engine's AttributeValue codec once it is on main; until then
// this is the one place the streams area writes AttributeValues.

#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value.hpp"

namespace esser::emulator::streams_detail {

nlohmann::json image_to_json(const attribute_map& image);

}  // namespace esser::emulator::streams_detail

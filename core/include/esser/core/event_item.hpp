#pragma once
// Events and snapshots as DynamoDB items (DESIGN.md "DynamoDB layout"), in the AttributeValue
// JSON form the DynamoDB API and stream records use.
//
// events table (stream view NEW_IMAGE), one item per event:
//   pk     S  "<entity>#<id>"  (HASH)
//   v      N  version >= 1      (RANGE; numeric, so 10 sorts after 9)
//   entity S, id S, type S
//   data   M  the event's data (plain JSON through attribute_json.hpp, exact numbers)
//   meta   M  {event_id S, command_id S, correlation_id S, causation_id S}
//   at     S  RFC 3339 UTC with milliseconds
//
// snapshots table, the latest snapshot per stream:
//   pk S (HASH), v N, state M, at S,
//   commands L of M {id S, first N, last N}   (only when the snapshot records recent commands:
//                                              command idempotency across snapshots)
//
// Decoding is strict and total: a malformed item is errc::parse_error listing every bad
// attribute by JSON Pointer into the item (e.g. "/v", "/data/price"); it never throws.
// Used by adapters::dynamodb_event_store (writes and queries) and core::stream_handler
// (NewImage of stream records).

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"
#include "esser/core/event.hpp"
#include "esser/core/event_store.hpp"

namespace esser::core {

// {"pk":{"S":"Item#1"},"v":{"N":"3"}}: the primary key of an event item.
nlohmann::json event_item_key(const stream_id& s, std::uint64_t version);
// {"pk":{"S":"Item#1"}}: the primary key of a snapshot item.
nlohmann::json snapshot_item_key(const stream_id& s);

// Splits "Item#3f2a..." at the first '#'. Entity names never contain '#'; ids may.
[[nodiscard]] result<stream_id> parse_stream_key(std::string_view pk);

// Fails only when e.data holds a value DynamoDB cannot store exactly (attribute_json.hpp).
[[nodiscard]] result<nlohmann::json> event_to_item(const event& e);
[[nodiscard]] result<event> event_from_item(const nlohmann::json& item);

[[nodiscard]] result<nlohmann::json> snapshot_to_item(const snapshot& s);
[[nodiscard]] result<snapshot> snapshot_from_item(const nlohmann::json& item);

}  // namespace esser::core

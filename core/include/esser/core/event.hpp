#pragma once
// The event: the unit of the append-only log (DESIGN.md "Data model").
//
//   {entity, id, version (>= 1), type, data (JSON object),
//    meta {event_id, command_id, correlation_id, causation_id}, at (RFC 3339 UTC, ms)}
//
// A stream is one aggregate's events: all events with the same (entity, id), versions 1..n with
// no gaps. In DynamoDB the stream key is pk = "<entity>#<id>" and the version is the numeric
// range key `v`.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::core {

struct stream_id {
    std::string entity;  // e.g. "Item"
    std::string id;      // the aggregate id, e.g. a UUID

    // "Item#3f2a...": the partition key of the events table.
    std::string key() const { return entity + "#" + id; }

    friend bool operator==(const stream_id&, const stream_id&) = default;
    friend auto operator<=>(const stream_id&, const stream_id&) = default;
};

struct event_meta {
    std::string event_id;        // unique per event (UUID)
    std::string command_id;      // the command that produced it; the idempotency key
    std::string correlation_id;  // the conversation it belongs to
    std::string causation_id;    // the message that caused it (command id or event id)

    friend bool operator==(const event_meta&, const event_meta&) = default;
};

struct event {
    std::string entity;
    std::string id;
    std::uint64_t version = 0;  // 1-based position in the stream
    std::string type;           // e.g. "ItemCreated"
    nlohmann::json data = nlohmann::json::object();
    event_meta meta;
    std::string at;  // RFC 3339 UTC with milliseconds, e.g. "2024-01-01T00:00:00.000Z"

    stream_id stream() const { return {entity, id}; }

    friend bool operator==(const event&, const event&) = default;
};

// The JSON form used on the esser API, in scenario files and fixtures:
// {"entity","id","version","type","data","meta":{...},"at"}.
void to_json(nlohmann::json& j, const event& e);
// Lenient about optional members (meta, at); strict about types. Throws nlohmann::json::exception
// on a malformed document: callers at a boundary use event_from_json() instead.
void from_json(const nlohmann::json& j, event& e);
// The non-throwing form for untrusted input: a parse_error naming the JSON Pointer at fault.
result<event> event_from_json(const nlohmann::json& j);

}  // namespace esser::core

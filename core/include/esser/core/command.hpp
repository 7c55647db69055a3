#pragma once
// A command: a request to change one aggregate, and what handling it produced.
//
// JSON form (esser API, scenario files, the command Lambda's input):
//   {"entity": "Item", "command": "UpdatePrice", "id": "<aggregate id>",
//    "data": {"price": 12.5},
//    "command_id": "<idempotency key>", "correlation_id": "...", "causation_id": "...",
//    "expected_version": "any" | "no_stream" | 3}
// Only entity and command are required. `id` is required except for create commands (which
// derive it from command_id unless given). `data` defaults to {}. A missing command_id is
// generated, which makes the command non-idempotent across client retries: clients that retry
// send one.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"
#include "esser/core/event.hpp"
#include "esser/core/event_store.hpp"

namespace esser::core {

struct command {
    std::string entity{};  // "Item"
    std::string name{};    // "UpdatePrice"
    std::string id{};      // aggregate id; may be empty for create commands
    nlohmann::json data = nlohmann::json::object();  // the payload checked by the schema
    std::string command_id{};                        // idempotency key (generated when empty)
    std::string correlation_id{};                    // defaults to command_id
    std::string causation_id{};                      // defaults to command_id
    expected_version expected = expected_version::any();
};

// Strict about types, lenient about optional members; every problem is listed by JSON Pointer
// (errc::validation). Never throws.
[[nodiscard]] result<command> command_from_json(const nlohmann::json& j);
void to_json(nlohmann::json& j, const command& c);

// What command_handler::handle() returns on success.
struct command_result {
    stream_id stream;
    std::vector<event> events;  // the events appended (or, for a duplicate, appended earlier)
    std::uint64_t version = 0;  // the stream's version right after these events
    nlohmann::json state;       // the aggregate state at `version`
    bool duplicate = false;     // true: a retry of an already handled command; nothing written
};

// {"entity","id","version","events":[...],"state":{...},"duplicate":bool}
void to_json(nlohmann::json& j, const command_result& r);

}  // namespace esser::core

#pragma once
// An aggregate as loaded: one stream's events folded into a state.
//
// The state is a JSON object owned by the domain's reducer, plus members the engine maintains:
//   latest_version  the version of the last event folded in (absent before the first event)
//   deleted         true once a `delete` reducer step ran (absent otherwise)
// A deleted aggregate refuses every further command (errc::aggregate_deleted).

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/event.hpp"
#include "esser/core/event_store.hpp"

namespace esser::core {

// Names of the engine-maintained state members.
inline constexpr std::string_view latest_version_member = "latest_version";
inline constexpr std::string_view deleted_member = "deleted";

// Invariants: version == state["latest_version"] when version > 0; recent_commands are
// ordered by version, non-overlapping, each last_version <= version.
struct aggregate {
    stream_id stream;
    std::uint64_t version = 0;  // 0: no events (the aggregate does not exist)
    nlohmann::json state = nlohmann::json::object();
    bool deleted = false;
    // Commands whose events are known to this load: those recorded in the snapshot it started
    // from, then those of every event folded after it. Used for command idempotency.
    std::vector<command_span> recent_commands;

    bool exists() const { return version > 0; }

    // The span of `command_id`'s events, if known; null otherwise.
    const command_span* find_command(std::string_view command_id) const;
};

}  // namespace esser::core

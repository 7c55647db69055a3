#pragma once
// The event_store port: an append-only, per-aggregate event log with optimistic concurrency.
//
// Implementations:
//  - adapters::dynamodb_event_store: one item per event in the events table (pk S HASH =
//    "<entity>#<id>", v N RANGE), appends as conditional puts (attribute_not_exists(pk)),
//    several events in one TransactWriteItems; over real DynamoDB (HTTPS + SigV4) or the
//    emulator's in-process table. This is the production path.
//  - tests' in-memory double (tests/core/memory_event_store), for core unit tests; the shared
//    contract suite is tests/core/event_store_contract.hpp.
//
// Contract (every implementation, checked by the shared store test suite):
//  - Versions are 1-based and gapless per stream. append() receives events whose versions are
//    already assigned: events[i].version == expected.version() + 1 + i for exact/no_stream
//    (no_stream == exact 0).
//  - append() writes all events or none. It fails with errc::version_conflict, writing nothing,
//    iff any of those versions already exists.
//  - A malformed batch (empty, events of another stream, version 0, versions not consecutive)
//    is errc::invalid_argument, writing nothing. The store does not check that the first version
//    follows the stream's last one (DynamoDB cannot without an extra read): callers (the command
//    handler) assign versions from the stream's last version.
//  - read() returns events in ascending numeric version order (10 after 9, never "10" < "2").
//  - Expected failures are values; nothing here throws for them. Implementations are safe to
//    call from several threads.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"
#include "esser/core/event.hpp"

namespace esser::core {

// The version a writer expects the stream to be at (EventStoreDB's expected-version model).
class expected_version {
public:
    enum class kind : std::uint8_t { any, no_stream, exact };

    static expected_version any() { return expected_version(kind::any, 0); }

    static expected_version no_stream() { return expected_version(kind::no_stream, 0); }

    static expected_version exact(std::uint64_t v) { return expected_version(kind::exact, v); }

    kind what() const { return kind_; }

    // The version for exact (0 for no_stream; meaningless for any).
    std::uint64_t version() const { return version_; }

    // "any", "no_stream", "3": the form used in JSON and scenario files.
    std::string to_string() const;
    // Parses "any", "no_stream", or a non-negative integer (as a JSON string or number).
    static result<expected_version> from_json(const nlohmann::json& j);

    friend bool operator==(const expected_version&, const expected_version&) = default;

private:
    expected_version(kind k, std::uint64_t v) : kind_(k), version_(v) {}

    kind kind_;
    std::uint64_t version_;
};

// One command's events in a stream: versions first_version..last_version, all carrying
// meta.command_id == command_id. Snapshots keep the most recent ones so that a retried command
// is recognised even after its events were folded into a snapshot (command idempotency).
struct command_span {
    std::string command_id;
    std::uint64_t first_version = 0;
    std::uint64_t last_version = 0;

    friend bool operator==(const command_span&, const command_span&) = default;
};

// A folded state at a version; only the latest one per stream is kept by the DynamoDB store
// (snapshots table: pk S HASH, v N, state M, at S, plus `commands` L when recent_commands is
// not empty; see core/event_item.hpp).
struct snapshot {
    stream_id stream;
    std::uint64_t version = 0;
    nlohmann::json state;
    std::string at;
    // The commands whose events end at or below `version`, oldest first, at most the entity's
    // snapshot_policy::keep_command_ids of them.
    std::vector<command_span> recent_commands;

    friend bool operator==(const snapshot&, const snapshot&) = default;
};

class event_store {
public:
    static constexpr std::uint64_t max_version = std::numeric_limits<std::uint64_t>::max();

    virtual ~event_store() = default;

    // Appends `events` (non-empty, all of stream `s`, versions assigned as in the contract)
    // atomically. Returns the stream's new last version.
    [[nodiscard]] virtual result<std::uint64_t> append(const stream_id& s,
                                                       std::vector<event> events) = 0;

    // Events with after < version <= up_to, ascending. An unknown stream reads as empty.
    [[nodiscard]] virtual result<std::vector<event>> read(const stream_id& s,
                                                          std::uint64_t after = 0,
                                                          std::uint64_t up_to = max_version) = 0;

    // The stream's last version (0 for no stream). Default: read the whole stream.
    [[nodiscard]] virtual result<std::uint64_t> last_version(const stream_id& s);

    // The newest stored snapshot with version <= at_or_below, if any.
    [[nodiscard]] virtual result<std::optional<snapshot>> load_snapshot(
        const stream_id& s, std::uint64_t at_or_below = max_version) = 0;

    // Stores a snapshot; a snapshot older than the stored one is ignored (never an error).
    [[nodiscard]] virtual result<void> save_snapshot(const snapshot& snap) = 0;
};

}  // namespace esser::core

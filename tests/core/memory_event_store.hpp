#pragma once
// An in-memory event_store: a real implementation of the port's contract (not a mock), for core
// unit tests and benchmarks. It mirrors what the DynamoDB store does (esser's events table):
// conflict iff a version exists, all-or-nothing batches, numeric version order, one snapshot
// per stream (the newest).
//
// Thread-safe (one mutex). Counters let tests and benchmarks observe how much was read.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "esser/core/event_store.hpp"

namespace esser::testing {

class memory_event_store final : public core::event_store {
public:
    [[nodiscard]] core::result<std::uint64_t> append(const core::stream_id& s,
                                                     std::vector<core::event> events) override;
    [[nodiscard]] core::result<std::vector<core::event>> read(
        const core::stream_id& s, std::uint64_t after = 0,
        std::uint64_t up_to = max_version) override;
    [[nodiscard]] core::result<std::uint64_t> last_version(const core::stream_id& s) override;
    [[nodiscard]] core::result<std::optional<core::snapshot>> load_snapshot(
        const core::stream_id& s, std::uint64_t at_or_below = max_version) override;
    [[nodiscard]] core::result<void> save_snapshot(const core::snapshot& snap) override;

    // Observability for tests and benchmarks.
    std::uint64_t events_read() const { return events_read_.load(); }

    std::uint64_t appends() const { return appends_.load(); }

    std::uint64_t snapshots_saved() const { return snapshots_saved_.load(); }

    void reset_counters();
    // Every event of every stream, streams in key order (for golden comparisons).
    std::vector<core::event> all_events() const;
    // Drops the stored snapshot of `s` (tests of loading without snapshots).
    void drop_snapshot(const core::stream_id& s);

private:
    struct stream_data {
        std::vector<core::event> events;  // ascending, consecutive from the first appended
        std::optional<core::snapshot> snap;
    };

    // Keyed by stream_id itself: no "<entity>#<id>" string is built per call.
    struct stream_hash {
        std::size_t operator()(const core::stream_id& s) const noexcept {
            const std::size_t h = std::hash<std::string>{}(s.entity);
            return h ^
                   (std::hash<std::string>{}(s.id) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
        }
    };

    mutable std::mutex mu_;
    std::unordered_map<core::stream_id, stream_data, stream_hash> streams_;
    std::atomic<std::uint64_t> events_read_{0};
    std::atomic<std::uint64_t> appends_{0};
    std::atomic<std::uint64_t> snapshots_saved_{0};
};

}  // namespace esser::testing

#pragma once
// The built-in projection (DESIGN.md "Stream handler", issue 9): materialises each aggregate's
// current state into a read_store, one collection per entity, one document per aggregate:
//
//   collection  collection_for(entity): the entity name in snake_case ("BasketLine" ->
//               "basket_line"); in SQL, a table of that name
//   id          the aggregate id
//   version     the version of the last event folded in
//   body        the state, exactly as the command handler sees it (the entity's reducer folded
//               over the stream; includes latest_version, and deleted: true once deleted)
//   updated_at  that event's `at` (not the clock: a rebuild gives the same rows)
//
// How a state is computed: the state at version v-1 (from this projection's memory, else read
// back from the store; for v = 1 the entity's initial state, without a read) folded with event v
// by the entity's reducer. Redelivery and older
// versions are no-ops (the version check of the store and of this projection), so the stream's
// at-least-once delivery is safe, also across processes and restarts. A *gap* (the store holds
// v-3 when v arrives: the read store is new or was reset while the stream had moved on, or the
// stream's 24 h retention trimmed the start) needs the events in between: with a `load_state`
// the state is rebuilt from the event store (aggregate_repository::state_at, see
// state_loader_for); without one, apply() fails with errc::not_found, which the stream retries
// and then sends to the mapping's on-failure destination.
//
// Batching: apply() buffers the newest state per aggregate; flush() (called by stream_handler at
// the end of every batch) writes the buffer with one read_store::write(), one transaction. A
// failed write keeps the buffer (and is retried by the next flush) and returns the error, so the
// stream handler fails the batch and the stream delivers it again: the checkpoint never passes
// what was written. The buffer is bounded (options::batch_limit): when full, apply() flushes
// first and fails without buffering if that write fails.
//
// Events of entities the domain does not define are ignored (counted in stats().ignored).
//
// Thread-safety: apply() and flush() may be called from several threads (stream_handler handles
// shards concurrently); they serialise on one mutex.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event.hpp"
#include "esser/core/projection.hpp"
#include "esser/core/read_store.hpp"

namespace esser::core {

class aggregate_repository;

// The state of stream `s` right after its event `version` (from the event store).
using state_loader =
    std::function<result<nlohmann::json>(const stream_id& s, std::uint64_t version)>;

// A state_loader over an aggregate_repository (which must outlive it).
state_loader state_loader_for(const aggregate_repository& repo);

class aggregate_state_projection final : public projection {
public:
    struct options {
        std::size_t batch_limit = 1000;      // buffered aggregates before an early write
        std::size_t cache_capacity = 10000;  // states remembered between batches
        state_loader load_state;             // rebuilds across gaps; optional
    };

    struct counters {
        std::uint64_t applied = 0;     // events folded and buffered (a redelivered first event
                                       // of a stream too: its write is then a no-op)
        std::uint64_t duplicates = 0;  // events at or below the known version
        std::uint64_t rebuilt = 0;     // states rebuilt through load_state
        std::uint64_t ignored = 0;     // events of entities the domain does not define
        std::uint64_t writes = 0;      // successful read_store::write() calls
    };

    // `store` must outlive the projection.
    aggregate_state_projection(std::shared_ptr<const domain> d, read_store& store);
    aggregate_state_projection(std::shared_ptr<const domain> d, read_store& store, options opts);

    std::string_view name() const override { return "aggregate_state"; }

    [[nodiscard]] result<void> apply(const event& e) override;
    [[nodiscard]] result<void> flush() override;

    counters stats() const;

    // "Item" -> "item", "BasketLine" -> "basket_line", "HTTPServer" -> "httpserver"; characters
    // outside [A-Za-z0-9] become '_'; a leading digit gets "e_". The result may still be refused
    // by the store (e.g. "esser_..."), which apply() reports.
    static std::string collection_for(std::string_view entity);

private:
    struct known {
        std::uint64_t version = 0;
        nlohmann::json state;
    };

    result<void> write_pending();
    // The state at the version the store/cache knows for `key`, read back when not cached.
    result<std::optional<known>> previous(const event& e, const std::string& collection,
                                          const std::string& key);

    std::shared_ptr<const domain> domain_;
    read_store& store_;
    options opts_;
    std::map<std::string, std::string, std::less<>> collections_;  // entity -> collection

    mutable std::mutex mu_;
    // Newest unwritten state per aggregate (key: "<collection>\0<id>").
    std::unordered_map<std::string, write_op> pending_;
    std::unordered_map<std::string, known> cache_;  // written (or pending) states
    counters stats_;
};

}  // namespace esser::core

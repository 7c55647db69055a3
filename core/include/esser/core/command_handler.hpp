#pragma once
// The command handler (production: the command Lambda; locally: esser-local's command API).
//
//   received -> validate -> pre_save (may veto) -> append
//
// handle(command):
//  1. resolve entity and command (errc::not_found naming /entity or /command); the payload
//     must be a JSON object; emit `received`.
//  2. JSON Schema validation (errc::validation listing every field by JSON Pointer).
//  3. load the aggregate (snapshot + tail), then, in this order:
//     - idempotency: a command_id already in the stream returns the original events and
//       writes nothing (command_result::duplicate), whatever the expected version says;
//     - create: the stream must not exist (else errc::version_conflict, "already exists");
//       update/delete: it must exist (errc::not_found) and not be deleted
//       (errc::aggregate_deleted);
//     - expected version exact N: the stream must be at N (else errc::version_conflict);
//     - esser keywords: x-diff against the current state, x-aggregate-exists and x-project by
//       loading the referenced aggregates (errc::validation naming each field);
//     - decide: the command's event templates (or its C++ decide function);
//     - versions, metadata (event_id, command_id, correlation_id, causation_id) and `at`;
//     - pre_save receivers (a veto fails the command, nothing is written);
//     - append all events atomically through the event_store port.
//  4. on errc::version_conflict from the store: with expected version `any`, load again and
//     decide again (at most options::max_conflict_retries times); with `exact`/`no_stream`,
//     re-check idempotency (a concurrent retry of the same command is a duplicate, not a
//     conflict) and return the conflict.
//  5. on success: fold the new events into the loaded state (no re-read) and save a snapshot
//     when the version crossed a multiple of the entity's snapshot_policy::every.
//
// Aggregate ids of create commands: the command's `id` when given; otherwise
// uuid_v5(esser_id_namespace, "<entity>/<command_id>"), so a retried create (same command_id)
// targets the same stream and is recognised as a duplicate.
//
// Idempotency window: a retried command is recognised when its events are
//  - in the stream after the latest snapshot (always), or
//  - among the entity's snapshot_policy::keep_command_ids most recent commands recorded in
//    that snapshot (default 100), or
//  - the stream's creating command (checked directly, forever).
// Outside the window a retried update runs again (with `any`) or conflicts (with `exact`).
//
// Warm processes keep recently used aggregates in memory (options::cache_capacity), so a
// command on a known aggregate skips loading it; see options for why that stays correct.
//
// Thread-safe: handle() may run concurrently; consistency comes from the store's conditional
// append, never from locks here.

#include <cstdint>
#include <memory>

#include "esser/core/aggregate_repository.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/command.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event_store.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"

namespace esser::core {

namespace detail {
class aggregate_cache;
}

class command_handler {
public:
    struct options {
        // Reloads after a conflict with expected version `any`.
        unsigned max_conflict_retries = 3;
        // Aggregates kept in memory between commands (LRU); 0: every command loads its
        // aggregate from the store. Safe with concurrent writers and several processes: a
        // cached aggregate is trusted only when the conditional append at its version + 1
        // succeeds (proof it was current); any other outcome is re-checked on a fresh load.
        std::size_t cache_capacity = 10000;
        logger log;
    };

    command_handler(std::shared_ptr<const domain> d, event_store& store, const clock& clk,
                    id_source& ids);
    command_handler(std::shared_ptr<const domain> d, event_store& store, const clock& clk,
                    id_source& ids, options opts);
    ~command_handler();

    [[nodiscard]] result<command_result> handle(const command& c) const;

    // The id a create command without `id` gets: uuid_v5(esser_id_namespace,
    // "<entity>/<command_id>").
    static std::string derived_id(const std::string& entity, const std::string& command_id);

    const aggregate_repository& repository() const { return repo_; }

private:
    std::shared_ptr<const domain> domain_;
    aggregate_repository repo_;
    const clock& clock_;
    id_source& ids_;
    options opts_;
    std::unique_ptr<detail::aggregate_cache> cache_;  // null when cache_capacity == 0
};

}  // namespace esser::core

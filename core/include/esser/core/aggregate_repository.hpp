#pragma once
// Loading aggregates from an event_store: the latest snapshot at or below the target version,
// then the events after it, folded with the entity's reducer (DESIGN.md "Snapshots").
//
//   aggregate_repository repo(domain, store);
//   auto item = repo.load({"Item", id});            // current state
//   auto then = repo.state_at({"Item", id}, 2);     // time travel
//
// A snapshot is a cache: loading with or without it gives the same state (tests check this).
// A snapshot whose state is not an object, or that is ahead of the target, is ignored and the
// stream is replayed from its start.
//
// Thread-safe when the store is: the repository holds no mutable state.

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/core/aggregate.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event_store.hpp"

namespace esser::core {

class aggregate_repository {
public:
    aggregate_repository(std::shared_ptr<const domain> d, event_store& store);

    // The aggregate at its latest version, or at `up_to` when given. No events: version 0 and
    // the entity's initial state. errc::not_found for an unknown entity; store errors as is.
    [[nodiscard]] result<aggregate> load(const stream_id& s,
                                         std::uint64_t up_to = event_store::max_version) const;

    // The state right after event `version` (0: the initial state). errc::not_found when the
    // stream has fewer events.
    [[nodiscard]] result<nlohmann::json> state_at(const stream_id& s, std::uint64_t version) const;

    // Stores `a` as a snapshot taken at time `at`, remembering the entity's keep_command_ids
    // most recent commands.
    [[nodiscard]] result<void> save_snapshot(const aggregate& a, std::string at) const;

    const domain& model() const { return *domain_; }

    event_store& store() const { return store_; }

private:
    std::shared_ptr<const domain> domain_;
    event_store& store_;
};

}  // namespace esser::core

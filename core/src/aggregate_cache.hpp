#pragma once
// A bounded LRU of aggregates kept between commands by command_handler (a warm Lambda or
// esser-local handles many commands per process). An entry is moved out while a command uses
// it and moved back on success, so concurrent commands on one stream never share one; the
// entry's node stays in place meanwhile, so the hot path allocates nothing.
//
// Correctness never depends on the cache: command_handler trusts a cached aggregate only when
// the store's conditional append succeeds at cached.version + 1 (which proves it was current),
// and re-checks every other outcome against a fresh load.

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "esser/core/aggregate.hpp"

namespace esser::core::detail {

class aggregate_cache {
public:
    explicit aggregate_cache(std::size_t capacity) : capacity_(capacity) {}

    // Moves out the entry for `key`, if present.
    std::optional<aggregate> take(std::string_view key);
    // Stores `a` under `key` as the most recently used entry; evicts the least recently used
    // beyond capacity.
    void put(std::string_view key, aggregate a);

    std::size_t size() const;

private:
    struct entry {
        std::string key;
        aggregate value;
        bool present = false;  // false while a command has it out
    };

    struct hash {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    const std::size_t capacity_;
    mutable std::mutex mu_;
    std::list<entry> lru_;  // front: most recent
    std::unordered_map<std::string_view, std::list<entry>::iterator, hash, std::equal_to<>> index_;
};

}  // namespace esser::core::detail

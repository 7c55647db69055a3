#include "aggregate_cache.hpp"

namespace esser::core::detail {

std::optional<aggregate> aggregate_cache::take(std::string_view key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || !it->second->present)
        return std::nullopt;
    it->second->present = false;
    return std::optional<aggregate>(std::move(it->second->value));
}

void aggregate_cache::put(std::string_view key, aggregate a) {
    if (capacity_ == 0)
        return;
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
        it->second->value = std::move(a);
        it->second->present = true;
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    lru_.push_front(entry{std::string(key), std::move(a), true});
    // The index's key views the node's own string, which never moves (list nodes are stable).
    index_.emplace(lru_.front().key, lru_.begin());
    while (lru_.size() > capacity_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
}

std::size_t aggregate_cache::size() const {
    std::lock_guard lock(mu_);
    return lru_.size();
}

}  // namespace esser::core::detail

#include "core/memory_event_store.hpp"

#include <algorithm>

namespace esser::testing {

using core::error;
using core::fail;

core::result<std::uint64_t> memory_event_store::append(const core::stream_id& s,
                                                       std::vector<core::event> events) {
    if (events.empty())
        return fail(error::invalid_argument("append needs at least one event"));
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (e.entity != s.entity || e.id != s.id) {
            return fail(error::invalid_argument("every appended event must belong to " + s.key()));
        }
        if (e.version == 0)
            return fail(error::invalid_argument("event versions start at 1"));
        if (i > 0 && e.version != events[i - 1].version + 1) {
            return fail(error::invalid_argument("appended versions must be consecutive"));
        }
    }
    std::lock_guard lock(mu_);
    auto& st = streams_[s];
    // Versions are stored sorted; a conflict is any overlap with what exists.
    const std::uint64_t first = events.front().version;
    const std::uint64_t last = events.back().version;
    auto lo = std::lower_bound(st.events.begin(), st.events.end(), first,
                               [](const core::event& e, std::uint64_t v) { return e.version < v; });
    if (lo != st.events.end() && lo->version <= last) {
        return fail(error::version_conflict("version " + std::to_string(lo->version) + " of " +
                                            s.key() + " already exists"));
    }
    // Keep order even if a caller appends below existing versions (the port allows gaps).
    st.events.insert(lo, std::make_move_iterator(events.begin()),
                     std::make_move_iterator(events.end()));
    appends_.fetch_add(1, std::memory_order_relaxed);
    return st.events.back().version;
}

core::result<std::vector<core::event>> memory_event_store::read(const core::stream_id& s,
                                                                std::uint64_t after,
                                                                std::uint64_t up_to) {
    std::vector<core::event> out;
    std::lock_guard lock(mu_);
    auto it = streams_.find(s);
    if (it == streams_.end() || up_to <= after)
        return out;
    const auto& ev = it->second.events;
    auto lo = std::upper_bound(ev.begin(), ev.end(), after,
                               [](std::uint64_t v, const core::event& e) { return v < e.version; });
    auto hi = std::upper_bound(lo, ev.end(), up_to,
                               [](std::uint64_t v, const core::event& e) { return v < e.version; });
    out.assign(lo, hi);
    events_read_.fetch_add(out.size(), std::memory_order_relaxed);
    return out;
}

core::result<std::uint64_t> memory_event_store::last_version(const core::stream_id& s) {
    std::lock_guard lock(mu_);
    auto it = streams_.find(s);
    if (it == streams_.end() || it->second.events.empty())
        return std::uint64_t{0};
    return it->second.events.back().version;
}

core::result<std::optional<core::snapshot>> memory_event_store::load_snapshot(
    const core::stream_id& s, std::uint64_t at_or_below) {
    std::lock_guard lock(mu_);
    auto it = streams_.find(s);
    if (it == streams_.end() || !it->second.snap || it->second.snap->version > at_or_below) {
        return std::optional<core::snapshot>{};
    }
    return it->second.snap;
}

core::result<void> memory_event_store::save_snapshot(const core::snapshot& snap) {
    if (snap.version == 0)
        return fail(error::invalid_argument("a snapshot needs a version >= 1"));
    std::lock_guard lock(mu_);
    auto& st = streams_[snap.stream];
    if (!st.snap || st.snap->version < snap.version) {
        st.snap = snap;
        snapshots_saved_.fetch_add(1, std::memory_order_relaxed);
    }
    return {};
}

void memory_event_store::reset_counters() {
    events_read_ = 0;
    appends_ = 0;
    snapshots_saved_ = 0;
}

std::vector<core::event> memory_event_store::all_events() const {
    std::lock_guard lock(mu_);
    std::vector<const core::stream_id*> keys;
    for (const auto& [k, st] : streams_) keys.push_back(&k);
    std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
    std::vector<core::event> out;
    for (const auto* k : keys) {
        const auto& ev = streams_.at(*k).events;
        out.insert(out.end(), ev.begin(), ev.end());
    }
    return out;
}

void memory_event_store::drop_snapshot(const core::stream_id& s) {
    std::lock_guard lock(mu_);
    auto it = streams_.find(s);
    if (it != streams_.end())
        it->second.snap.reset();
}

}  // namespace esser::testing

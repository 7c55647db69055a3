#include "esser/core/aggregate_repository.hpp"

#include <fmt/format.h>

namespace esser::core {

aggregate_repository::aggregate_repository(std::shared_ptr<const domain> d, event_store& store)
    : domain_(std::move(d)), store_(store) {}

result<aggregate> aggregate_repository::load(const stream_id& s, std::uint64_t up_to) const {
    auto ent = domain_->entity(s.entity);
    if (!ent)
        return fail(std::move(ent).error());
    const entity_def& e = **ent;

    aggregate a;
    a.stream = s;
    a.state = e.initial_state;
    if (e.snapshots.every > 0 && up_to > 0) {
        auto snap = store_.load_snapshot(s, up_to);
        if (!snap)
            return fail(std::move(snap).error());
        if (*snap && (*snap)->version <= up_to && (*snap)->state.is_object()) {
            snapshot& sn = **snap;
            a.version = sn.version;
            a.state = std::move(sn.state);
            a.recent_commands = std::move(sn.recent_commands);
            auto it = a.state.find(deleted_member);
            a.deleted = it != a.state.end() && it->is_boolean() && it->get<bool>();
        }
    }
    if (up_to == a.version)
        return a;
    auto events = store_.read(s, a.version, up_to);
    if (!events)
        return fail(std::move(events).error());
    auto r = e.reduce.fold(a, *events);
    if (!r)
        return fail(std::move(r).error());
    return a;
}

result<nlohmann::json> aggregate_repository::state_at(const stream_id& s,
                                                      std::uint64_t version) const {
    auto a = load(s, version);
    if (!a)
        return fail(std::move(a).error());
    if (a->version < version) {
        return fail(error::not_found(
            fmt::format("{} has no version {} (its latest is {})", s.key(), version, a->version)));
    }
    return std::move(a->state);
}

result<void> aggregate_repository::save_snapshot(const aggregate& a, std::string at) const {
    auto ent = domain_->entity(a.stream.entity);
    if (!ent)
        return fail(std::move(ent).error());
    snapshot snap;
    snap.stream = a.stream;
    snap.version = a.version;
    snap.state = a.state;
    snap.at = std::move(at);
    const std::size_t keep = (*ent)->snapshots.keep_command_ids;
    const std::size_t n = a.recent_commands.size();
    const std::size_t first = n > keep ? n - keep : 0;
    snap.recent_commands.assign(a.recent_commands.begin() + static_cast<std::ptrdiff_t>(first),
                                a.recent_commands.end());
    return store_.save_snapshot(snap);
}

}  // namespace esser::core

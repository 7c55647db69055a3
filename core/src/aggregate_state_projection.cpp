#include "esser/core/aggregate_state_projection.hpp"

#include <fmt/format.h>

#include "esser/core/aggregate_repository.hpp"

namespace esser::core {

using nlohmann::json;

state_loader state_loader_for(const aggregate_repository& repo) {
    return [&repo](const stream_id& s, std::uint64_t version) { return repo.state_at(s, version); };
}

aggregate_state_projection::aggregate_state_projection(std::shared_ptr<const domain> d,
                                                       read_store& store)
    : aggregate_state_projection(std::move(d), store, options{}) {}

aggregate_state_projection::aggregate_state_projection(std::shared_ptr<const domain> d,
                                                       read_store& store, options opts)
    : domain_(std::move(d)), store_(store), opts_(std::move(opts)) {
    if (opts_.batch_limit == 0)
        opts_.batch_limit = 1;
    for (const auto& [name, def] : domain_->entities()) collections_[name] = collection_for(name);
}

std::string aggregate_state_projection::collection_for(std::string_view entity) {
    std::string out;
    out.reserve(entity.size() + 4);
    auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t i = 0; i < entity.size(); ++i) {
        const char c = entity[i];
        if (upper(c)) {
            if (i > 0 && (lower(entity[i - 1]) || digit(entity[i - 1])))
                out += '_';
            out += static_cast<char>(c - 'A' + 'a');
        } else if (lower(c) || digit(c)) {
            out += c;
        } else {
            out += '_';
        }
    }
    if (!out.empty() && digit(out[0]))
        out.insert(0, "e_");
    return out;
}

aggregate_state_projection::counters aggregate_state_projection::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

result<std::optional<aggregate_state_projection::known>> aggregate_state_projection::previous(
    const event& e, const std::string& collection, const std::string& key) {
    if (auto p = pending_.find(key); p != pending_.end())
        return std::optional<known>(known{p->second.doc.version, p->second.doc.body});
    auto c = cache_.find(key);
    // A cached state is the true state at its version (folding is deterministic), but another
    // process may have moved the row on since: a cache that cannot serve this event (a gap)
    // is checked against the store before calling it a gap.
    if (c != cache_.end() && e.version <= c->second.version + 1)
        return std::optional<known>(c->second);
    // The first event of a stream needs no read: its previous state is the initial one. Should
    // the store already hold it (a redelivery), the version-guarded write is a no-op.
    if (e.version == 1)
        return std::optional<known>{};
    auto stored = store_.get(collection, e.id);
    if (!stored)
        return fail(std::move(stored).error());
    if (!*stored)
        return c != cache_.end() ? std::optional<known>(c->second) : std::optional<known>{};
    if (c != cache_.end() && c->second.version >= (*stored)->version)
        return std::optional<known>(c->second);
    return std::optional<known>(known{(*stored)->version, std::move((*stored)->body)});
}

result<void> aggregate_state_projection::apply(const event& e) {
    auto col = collections_.find(e.entity);
    const entity_def* def = domain_->find(e.entity);
    std::lock_guard lock(mu_);
    if (col == collections_.end() || !def) {
        ++stats_.ignored;
        return {};
    }
    const std::string& collection = col->second;
    if (auto r = read_store_rules::check_collection(collection); !r) {
        error err = std::move(r).error();
        err.message = fmt::format("aggregate_state: entity {}: {}", e.entity, err.message);
        return fail(std::move(err));
    }
    std::string key = collection;
    key.push_back('\0');
    key.append(e.id);

    auto prev = previous(e, collection, key);
    if (!prev)
        return fail(std::move(prev).error());
    const std::uint64_t have = *prev ? (*prev)->version : 0;
    if (e.version <= have) {
        ++stats_.duplicates;
        return {};
    }
    json state;
    if (e.version == have + 1) {
        state = have == 0 ? def->initial_state : std::move((*prev)->state);
        if (auto r = def->reduce.apply(state, e); !r)
            return fail(std::move(r).error());
    } else if (opts_.load_state) {
        auto loaded = opts_.load_state(e.stream(), e.version);
        if (!loaded)
            return fail(std::move(loaded).error());
        state = std::move(*loaded);
        ++stats_.rebuilt;
    } else {
        return fail(error::not_found(fmt::format(
            "aggregate_state: {} is at version {} in the read store but event {} arrived: "
            "versions {}..{} are missing and no state loader (event store) is configured to "
            "rebuild it",
            e.stream().key(), have, e.version, have + 1, e.version - 1)));
    }
    // Bounded buffer: make room first; on failure nothing of this event is kept.
    if (pending_.size() >= opts_.batch_limit && !pending_.count(key)) {
        if (auto w = write_pending(); !w)
            return w;
    }
    cache_.erase(key);  // the pending entry is the newer truth until written
    auto [it, inserted] = pending_.try_emplace(key);
    it->second = write_op::upsert(collection, document{e.id, e.version, std::move(state), e.at});
    ++stats_.applied;
    return {};
}

result<void> aggregate_state_projection::write_pending() {
    if (pending_.empty())
        return {};
    std::vector<std::string> keys;
    std::vector<write_op> ops;
    keys.reserve(pending_.size());
    ops.reserve(pending_.size());
    for (auto& [key, op] : pending_) {
        keys.push_back(key);
        ops.push_back(std::move(op));
    }
    auto w = store_.write(ops);
    if (!w) {
        // Kept for the next flush: every event apply() accepted is written before a flush
        // reports success.
        for (std::size_t i = 0; i < keys.size(); ++i) pending_[keys[i]] = std::move(ops[i]);
        return fail(std::move(w).error());
    }
    ++stats_.writes;
    pending_.clear();
    if (cache_.size() + ops.size() > opts_.cache_capacity)
        cache_.clear();
    for (std::size_t i = 0; i < keys.size(); ++i)
        cache_[std::move(keys[i])] = known{ops[i].doc.version, std::move(ops[i].doc.body)};
    return {};
}

result<void> aggregate_state_projection::flush() {
    std::lock_guard lock(mu_);
    return write_pending();
}

}  // namespace esser::core

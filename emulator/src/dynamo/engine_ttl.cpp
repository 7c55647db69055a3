// Time to live: the sweep that deletes expired items (AWS: UpdateTimeToLive / "How TTL works").
//
// An item expires when its TTL attribute is a Number of epoch seconds earlier than the clock's
// now. AWS ignores values more than five years in the past (they are not timestamps of the
// expected kind), and attributes of other types; so do we. AWS deletes within days; the emulator
// deletes when sweep_expired_items() runs, which the caller decides (periodically, or on the
// admin API's "run TTL now"), so tests are deterministic.
// Deletions go through the normal write path and reach the observer with by_ttl = true (stream
// records with userIdentity {type: Service, principalId: dynamodb.amazonaws.com}).
#include "engine_impl.hpp"
#include "item_codec.hpp"

namespace esser::emulator {

std::size_t dynamo_engine::impl::sweep_expired_items() {
    std::vector<std::shared_ptr<table>> all;
    {
        std::shared_lock lock(registry_mu);
        for (const auto& [name, t] : tables) all.push_back(t);
    }
    const core::time_point at = now();
    const std::int64_t now_ms = core::to_epoch_ms(at);
    const decimal now_s =
        *decimal::from_parts(static_cast<unsigned __int128>(now_ms < 0 ? 0 : now_ms), -3, false);
    constexpr std::int64_t five_years_s = 5LL * 365 * 24 * 3600;
    const decimal oldest = decimal::from_int(now_ms / 1000 - five_years_s);
    std::size_t deleted = 0;
    for (const auto& t : all) {
        std::lock_guard lock(t->mu);
        if (t->deleted || !t->ttl_enabled)
            continue;
        std::vector<item_key> expired;
        t->items.for_each([&](const partition<stored_item>& p) {
            for (const auto& e : p.entries) {
                auto v = item_codec::find(e.item(), t->ttl_attribute);
                if (!v || static_cast<value_type>((*v)[0]) != value_type::N)
                    continue;
                const decimal ttl = item_codec::decode_value(*v).as_n();
                if (ttl < now_s && !(ttl < oldest)) {
                    expired.push_back(item_key{p.hash, p.key, std::string(e.sort_key())});
                }
            }
            return true;
        });
        table_observer* o = observer.load();
        for (const auto& k : expired) {
            const char* old = t->find(k);
            if (old && t->commit(k, old, nullptr, nullptr, {o, at, true, sink}))
                ++deleted;
        }
    }
    return deleted;
}

}  // namespace esser::emulator

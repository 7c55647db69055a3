#pragma once
// dynamodb_event_store over a fresh in-process emulator, with the observability methods the
// core test suite reads from its in-memory double (events_read, appends, snapshots_saved,
// reset_counters, all_events, drop_snapshot). It lets the core's shop suites run unchanged on the
// DynamoDB store (see shim/core/shop_fixture.hpp).
#include <algorithm>
#include <atomic>
#include <memory>

#include "esser/adapters/dynamodb/dynamodb_client.hpp"
#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/event_item.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/in_process_transport.hpp"

namespace esser::testing {

// A fresh engine with the events and snapshots tables, reached in process.
inline std::shared_ptr<emulator::in_process_transport> fresh_emulator() {
    emulator::dynamo_engine::options o;
    o.clock = std::make_shared<core::manual_clock>();
    o.ids = std::make_shared<core::seeded_id_source>(7);
    auto transport = std::make_shared<emulator::in_process_transport>(
        std::make_shared<emulator::dynamo_engine>(o));
    adapters::dynamodb_event_store store(transport);
    if (auto r = store.ensure_tables(); !r)
        throw std::runtime_error("ensure_tables: " + r.error().describe());
    return transport;
}

class observed_dynamodb_store final : public core::event_store {
public:
    observed_dynamodb_store() : transport_(fresh_emulator()), store_(transport_), db_(transport_) {}

    core::result<std::uint64_t> append(const core::stream_id& s,
                                       std::vector<core::event> events) override {
        auto r = store_.append(s, std::move(events));
        if (r)
            ++appends_;
        return r;
    }

    core::result<std::vector<core::event>> read(const core::stream_id& s, std::uint64_t after = 0,
                                                std::uint64_t up_to = max_version) override {
        auto r = store_.read(s, after, up_to);
        if (r)
            events_read_ += r->size();
        return r;
    }

    core::result<std::uint64_t> last_version(const core::stream_id& s) override {
        return store_.last_version(s);
    }

    core::result<std::optional<core::snapshot>> load_snapshot(
        const core::stream_id& s, std::uint64_t at_or_below = max_version) override {
        return store_.load_snapshot(s, at_or_below);
    }

    core::result<void> save_snapshot(const core::snapshot& snap) override {
        auto before = store_.load_snapshot(snap.stream);
        auto r = store_.save_snapshot(snap);
        if (r && before && (!*before || (*before)->version < snap.version))
            ++snapshots_saved_;
        return r;
    }

    std::uint64_t events_read() const { return events_read_.load(); }

    std::uint64_t appends() const { return appends_.load(); }

    std::uint64_t snapshots_saved() const { return snapshots_saved_.load(); }

    void reset_counters() {
        events_read_ = 0;
        appends_ = 0;
        snapshots_saved_ = 0;
    }

    // Every event of every stream, streams in key order (a Scan of the events table).
    std::vector<core::event> all_events() const {
        std::vector<core::event> out;
        nlohmann::json start;
        do {
            nlohmann::json req = {{"TableName", store_.config().events_table}};
            if (!start.is_null())
                req["ExclusiveStartKey"] = start;
            auto page = db_.call("Scan", req);
            if (!page)
                throw std::runtime_error("Scan: " + page.error().message);
            for (const auto& item : (*page)["Items"])
                out.push_back(core::event_from_item(item).value());
            start = page->value("LastEvaluatedKey", nlohmann::json());
        } while (!start.is_null());
        std::stable_sort(out.begin(), out.end(), [](const core::event& a, const core::event& b) {
            const auto ka = a.stream().key(), kb = b.stream().key();
            return ka != kb ? ka < kb : a.version < b.version;
        });
        return out;
    }

    void drop_snapshot(const core::stream_id& s) {
        adapters::delete_item_request del;
        del.table = store_.config().snapshots_table;
        del.key = core::snapshot_item_key(s);
        auto r = db_.delete_item(del);
        if (!r)
            throw std::runtime_error("DeleteItem: " + r.error().message);
    }

    adapters::dynamodb_event_store& inner() { return store_; }

    emulator::dynamo_engine& engine() { return transport_->engine(); }

private:
    std::shared_ptr<emulator::in_process_transport> transport_;
    adapters::dynamodb_event_store store_;
    adapters::dynamodb_client db_;
    std::atomic<std::uint64_t> events_read_{0};
    std::atomic<std::uint64_t> appends_{0};
    std::atomic<std::uint64_t> snapshots_saved_{0};
};

}  // namespace esser::testing

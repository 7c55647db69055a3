#pragma once
// Shared helpers of the streams tests: a manual clock and seeded ids, a registry over them, and
// `model_table`, a tiny stand-in for the engine that keeps items and reports committed changes
// through table_observer exactly as the engine's contract says (no record for no-ops or
// deletes of missing items, images are whole items). Once the engine is on main the end-to-end
// tests drive the real one; these tests cover the streams layer on its own.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"
#include "esser/emulator/streams/stream_registry.hpp"
#include "esser/emulator/streams/streams_api.hpp"

namespace esser::emulator::testing {

using nlohmann::json;

inline attribute_value S(std::string s) {
    return attribute_value::s(std::move(s));
}

inline attribute_value N(std::string_view n) {
    return attribute_value::n(*decimal::parse(n));
}

inline attribute_value N(std::int64_t n) {
    return attribute_value::n(decimal::from_int(n));
}

inline item make_item(std::vector<attribute_map::entry> entries) {
    return attribute_map(std::move(entries));
}

inline std::string table_arn(const std::string& table) {
    return "arn:aws:dynamodb:us-east-1:123456789012:table/" + table;
}

// An in-memory table keyed by pk (S) and an optional sk (S): enough to produce every kind of
// change the engine reports.
class model_table {
public:
    model_table(table_observer& obs, core::clock& clock, std::string name,
                bool with_sort_key = false)
        : obs_(obs), clock_(clock), name_(std::move(name)) {
        keys_.hash = key_attribute{"pk", value_type::S};
        if (with_sort_key)
            keys_.range = key_attribute{"sk", value_type::S};
    }

    const std::string& name() const { return name_; }

    const key_schema& keys() const { return keys_; }

    stream_identity enable(stream_view_type view) {
        return obs_.stream_enabled(name_, table_arn(name_), keys_, view, clock_.now());
    }

    void disable() { obs_.stream_disabled(name_, clock_.now()); }

    // PutItem: returns whether a record is expected (false for an identical item).
    bool put(const item& it, bool by_ttl = false) { return write(key_of(it), it, by_ttl); }

    // DeleteItem by key: false when the item did not exist.
    bool remove(const item& key, bool by_ttl = false) {
        return write(key_of(key), std::nullopt, by_ttl);
    }

    // UpdateItem SET name = value (creating the item from its key if missing).
    bool update(const item& key, const std::string& name, attribute_value v) {
        auto k = key_of(key);
        item next = items_.count(k) ? items_.at(k) : key;
        next.set(name, std::move(v));
        return write(k, next, false);
    }

    // UpdateItem REMOVE name.
    bool update_remove(const item& key, const std::string& name) {
        auto k = key_of(key);
        if (!items_.count(k))
            return write(k, key, false);  // creates a key-only item
        item next = items_.at(k);
        next.erase(name);
        return write(k, next, false);
    }

    std::optional<item> get(const item& key) const {
        auto it = items_.find(key_of(key));
        if (it == items_.end())
            return std::nullopt;
        return it->second;
    }

    item key_item(const item& it) const {
        item k;
        k.set(keys_.hash.name, *it.find(keys_.hash.name));
        if (keys_.range)
            k.set(keys_.range->name, *it.find(keys_.range->name));
        return k;
    }

private:
    using key_t = std::pair<std::string, std::string>;

    key_t key_of(const item& it) const {
        return {it.find("pk")->as_s(), keys_.range ? it.find("sk")->as_s() : std::string()};
    }

    bool write(const key_t& k, std::optional<item> next, bool by_ttl) {
        std::optional<item> prev;
        if (auto it = items_.find(k); it != items_.end())
            prev.emplace(it->second);
        if (!prev && !next)
            return false;  // delete of a missing item
        if (prev && next && *prev == *next)
            return false;  // no-op
        item keys = key_item(next ? *next : *prev);
        item_change c;
        c.table = name_;
        c.keys = &keys;
        c.old_image = prev ? &*prev : nullptr;
        c.new_image = next ? &*next : nullptr;
        c.by_ttl = by_ttl;
        c.at = clock_.now();
        obs_.item_changed(c);
        // Copy-construct, never copy-assign, items (attribute_value's constructor template).
        items_.erase(k);
        if (next)
            items_.emplace(k, *next);
        return true;
    }

    table_observer& obs_;
    core::clock& clock_;
    std::string name_;
    key_schema keys_;
    std::map<key_t, item> items_;
};

// DescribeStream, every page: the stream's shards in listing order.
inline std::vector<nlohmann::json> list_shards(streams_api& api, const std::string& arn) {
    std::vector<nlohmann::json> out;
    nlohmann::json req{{"StreamArn", arn}};
    for (;;) {
        auto r = api.dispatch("DescribeStream", req);
        REQUIRE(r);
        const auto& d = (*r)["StreamDescription"];
        for (const auto& s : d["Shards"]) out.push_back(s);
        if (!d.contains("LastEvaluatedShardId"))
            break;
        req["ExclusiveStartShardId"] = d["LastEvaluatedShardId"];
    }
    return out;
}

inline std::string shard_iterator(streams_api& api, const std::string& arn,
                                  const std::string& shard, const char* type,
                                  std::optional<std::string> seq = std::nullopt) {
    nlohmann::json req{{"StreamArn", arn}, {"ShardId", shard}, {"ShardIteratorType", type}};
    if (seq)
        req["SequenceNumber"] = *seq;
    auto r = api.dispatch("GetShardIterator", req);
    if (!r)
        FAIL_CHECK("GetShardIterator failed: " << r.error().type << ": " << r.error().message);
    REQUIRE(r);
    return (*r)["ShardIterator"].get<std::string>();
}

// Follows lineage through DescribeStream / GetShardIterator / GetRecords, the way a correct
// consumer (KCL, Lambda) does: a shard is read only after its parent was read to its end (or
// when its parent is no longer listed); each shard is read once through one iterator chain.
class reference_consumer {
public:
    reference_consumer(streams_api& api, std::string arn) : api_(api), arn_(std::move(arn)) {}

    // Reads whatever is available now.
    void poll() {
        for (int round = 0; round < 64; ++round) {
            bool progressed = false;
            const auto shards = list_shards(api_, arn_);
            std::set<std::string> listed;
            for (const auto& s : shards) listed.insert(s["ShardId"]);
            // Lexical ShardId order puts parents first: one pass can finish a parent and then
            // start its children.
            for (const auto& s : shards) {
                const std::string id = s["ShardId"];
                if (finished_.contains(id))
                    continue;
                if (s.contains("ParentShardId")) {
                    const std::string parent = s["ParentShardId"];
                    if (listed.contains(parent) && !finished_.contains(parent))
                        continue;
                }
                progressed = read_shard(id) || progressed;
            }
            if (!progressed)
                return;
        }
        FAIL("consumer did not settle");
    }

    const std::vector<json>& records() const { return records_; }

private:
    // Returns whether anything changed (records read or shard finished).
    bool read_shard(const std::string& id) {
        bool progressed = false;
        std::string it;
        if (auto p = next_.find(id); p != next_.end()) {
            it = p->second;
        } else {
            it = shard_iterator(api_, arn_, id, "TRIM_HORIZON");
        }
        for (int i = 0; i < 10000; ++i) {
            auto r = api_.dispatch("GetRecords", {{"ShardIterator", it}, {"Limit", 7}});
            if (!r && r.error().type == "ExpiredIteratorException") {
                // Re-acquire after the checkpoint, as a good consumer does (§6.4).
                auto c = checkpoint_.find(id);
                it = c == checkpoint_.end()
                         ? shard_iterator(api_, arn_, id, "TRIM_HORIZON")
                         : shard_iterator(api_, arn_, id, "AFTER_SEQUENCE_NUMBER", c->second);
                continue;
            }
            REQUIRE(r);
            const json& page = *r;
            REQUIRE(page.contains("Records"));
            for (const auto& rec : page["Records"]) {
                const std::string seq = rec["dynamodb"]["SequenceNumber"];
                if (auto c = checkpoint_.find(id); c != checkpoint_.end()) {
                    CHECK((compare_sequence_numbers(c->second, seq) < 0));  // strictly rising
                }
                checkpoint_[id] = seq;
                records_.push_back(rec);
                REQUIRE(records_.size() < 20000);  // a runaway consumer is a failure, not a hang
                progressed = true;
            }
            if (!page.contains("NextShardIterator")) {
                finished_.insert(id);
                next_.erase(id);
                return true;
            }
            it = page["NextShardIterator"];
            if (page["Records"].empty())
                break;  // caught up with an open shard
        }
        next_[id] = it;
        return progressed;
    }

    streams_api& api_;
    std::string arn_;
    std::set<std::string> finished_;
    std::map<std::string, std::string> next_;        // shard -> iterator to continue with
    std::map<std::string, std::string> checkpoint_;  // shard -> last sequence number read
    std::vector<json> records_;
};

struct streams_fixture {
    explicit streams_fixture(stream_options opts = {}, std::uint64_t seed = 42)
        : ids(seed), registry(clock, ids, std::move(opts)), api(registry) {}

    // Calls the JSON API; REQUIREs success.
    nlohmann::json call(std::string_view op, const nlohmann::json& req) {
        auto r = api.dispatch(op, req);
        if (!r) {
            FAIL_CHECK(op << " failed: " << r.error().type << ": " << r.error().message);
            return nlohmann::json();
        }
        return *r;
    }

    // Calls the JSON API expecting an error.
    adapters::aws_error call_error(std::string_view op, const nlohmann::json& req) {
        auto r = api.dispatch(op, req);
        if (r) {
            FAIL_CHECK(op << " unexpectedly succeeded: " << r->dump());
            return {};
        }
        return r.error();
    }

    std::vector<nlohmann::json> shards(const std::string& arn) {
        std::vector<nlohmann::json> out;
        nlohmann::json req{{"StreamArn", arn}};
        for (;;) {
            auto d = call("DescribeStream", req)["StreamDescription"];
            for (auto& s : d["Shards"]) out.push_back(s);
            if (!d.contains("LastEvaluatedShardId"))
                break;
            req["ExclusiveStartShardId"] = d["LastEvaluatedShardId"];
        }
        return out;
    }

    std::string iterator(const std::string& arn, const std::string& shard, const char* type,
                         std::optional<std::string> seq = std::nullopt) {
        nlohmann::json req{{"StreamArn", arn}, {"ShardId", shard}, {"ShardIteratorType", type}};
        if (seq)
            req["SequenceNumber"] = *seq;
        return call("GetShardIterator", req)["ShardIterator"].get<std::string>();
    }

    core::manual_clock clock;
    core::seeded_id_source ids;
    stream_registry registry;
    streams_api api;
};

}  // namespace esser::emulator::testing

// Covers issue 4 (in-process subscription API for Lambda event source mappings): shards with
// lineage, cursors from every starting position, reads with limits and shard ends, wake-ups on
// append and on shard changes from another thread, typed records and their Lambda JSON.
#include <condition_variable>
#include <thread>

#include "stream_test_support.hpp"
#include <catch2/catch.hpp>

using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;

namespace {
item row(const std::string& pk, std::int64_t v) {
    return make_item({{"pk", S(pk)}, {"v", N(v)}});
}
}  // namespace

TEST_CASE("cursors read typed records from each starting position",
          "[emulator][streams][subscription]") {
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::NEW_IMAGE);
    for (int i = 0; i < 5; ++i) t.put(row("a", i));
    auto d = f.registry.describe(id.arn);
    REQUIRE(d);
    CHECK(d->status == stream_status::ENABLED);
    CHECK(d->region == "us-east-1");
    const std::string shard = d->shards.at(0).shard_id;

    auto horizon = f.registry.open_cursor(id.arn, shard, shard_iterator_type::TRIM_HORIZON);
    REQUIRE(horizon);
    auto b = f.registry.read(*horizon, 2);
    REQUIRE(b);
    REQUIRE(b->records.size() == 2);
    CHECK(b->records[0]->event_name == stream_event_name::INSERT);
    CHECK(b->records[1]->event_name == stream_event_name::MODIFY);
    CHECK(b->records[1]->new_image()->find("v")->as_n() == decimal::from_int(1));
    CHECK(b->records[1]->keys() == make_item({{"pk", S("a")}}));
    CHECK_FALSE(b->records[1]->has_old_image());  // NEW_IMAGE view
    CHECK_FALSE(b->records[1]->old_image());
    CHECK_FALSE(b->shard_end);
    auto rest = f.registry.read(b->next, 100);
    REQUIRE(rest->records.size() == 3);
    CHECK(f.registry.read(rest->next, 100)->records.empty());

    const auto second = b->records[1]->sequence;
    auto at =
        f.registry.open_cursor(id.arn, shard, shard_iterator_type::AT_SEQUENCE_NUMBER, second);
    CHECK(f.registry.read(*at, 100)->records.size() == 4);
    auto after =
        f.registry.open_cursor(id.arn, shard, shard_iterator_type::AFTER_SEQUENCE_NUMBER, second);
    CHECK(f.registry.read(*after, 100)->records.size() == 3);
    auto latest = f.registry.open_cursor(id.arn, shard, shard_iterator_type::LATEST);
    CHECK(f.registry.read(*latest, 100)->records.empty());
    t.put(row("a", 9));
    auto fresh = f.registry.read(*latest, 100);
    REQUIRE(fresh->records.size() == 1);
    // Cursors never expire (unlike iterators).
    f.clock.advance(2h);
    CHECK(f.registry.read(*latest, 100)->records.size() == 1);

    // Bad positions are the same errors as GetShardIterator's.
    CHECK(f.registry.open_cursor(id.arn, shard, shard_iterator_type::AT_SEQUENCE_NUMBER)
              .error()
              .type == "ValidationException");
    CHECK(f.registry
              .open_cursor(id.arn, "shardId-00000000000000000000-00000000",
                           shard_iterator_type::LATEST)
              .error()
              .type == "ResourceNotFoundException");
}

TEST_CASE("shard_end tells a consumer to move on to the children",
          "[emulator][streams][subscription]") {
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::KEYS_ONLY);
    t.put(row("a", 1));
    const std::string parent = f.registry.describe(id.arn)->shards[0].shard_id;
    auto c = f.registry.open_cursor(id.arn, parent, shard_iterator_type::TRIM_HORIZON);
    auto kids = f.registry.split("Tbl", 2);
    REQUIRE(kids);
    REQUIRE(kids->size() == 2);
    auto b = f.registry.read(*c, 10);
    CHECK(b->records.size() == 1);
    CHECK(b->shard_end);
    auto d = f.registry.describe(id.arn);
    REQUIRE(d->shards.size() == 3);
    CHECK(d->shards[0].shard_id == parent);
    CHECK(d->shards[0].closed());
    CHECK(d->shards[1].parent_shard_id == parent);
    CHECK(d->shards[2].parent_shard_id == parent);
    // Children split the parent's hash range: every key lands in exactly one of them.
    for (int i = 0; i < 20; ++i) t.put(row("k" + std::to_string(i), i));
    std::size_t total = 0;
    for (int i = 1; i <= 2; ++i) {
        auto kc = f.registry.open_cursor(id.arn, d->shards[i].shard_id,
                                         shard_iterator_type::TRIM_HORIZON);
        total += f.registry.read(*kc, 100)->records.size();
    }
    CHECK(total == 20);
    // Splitting a closed shard or an unknown table is refused.
    CHECK(f.registry.split_shard("Tbl", parent, 2).error().code == esser::core::errc::validation);
    CHECK(f.registry.rotate("nope").error().code == esser::core::errc::not_found);
    CHECK(f.registry.split("Tbl", 0).error().code == esser::core::errc::validation);
    CHECK(f.registry.set_partitions("Tbl", 0).error().code == esser::core::errc::validation);
}

TEST_CASE("set_partitions decides how many shards a table's next stream starts with",
          "[emulator][streams][subscription]") {
    streams_fixture f;
    REQUIRE(f.registry.set_partitions("Wide", 5));
    model_table t(f.registry, f.clock, "Wide");
    const auto id = t.enable(stream_view_type::KEYS_ONLY);
    auto d = f.registry.describe(id.arn);
    REQUIRE(d->shards.size() == 5);
    for (int i = 0; i < 200; ++i) t.put(row("k" + std::to_string(i), i));
    // Stable placement: every shard gets some keys, each key always the same shard.
    std::size_t total = 0;
    for (const auto& s : d->shards) {
        auto c = f.registry.open_cursor(id.arn, s.shard_id, shard_iterator_type::TRIM_HORIZON);
        const auto n = f.registry.read(*c, 1000)->records.size();
        CHECK(n > 10);
        total += n;
    }
    CHECK(total == 200);
}

TEST_CASE("watchers are woken on append and shard changes, from another thread",
          "[emulator][streams][subscription]") {
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::KEYS_ONLY);
    std::mutex mu;
    std::condition_variable cv;
    int wakes = 0;
    auto w = f.registry.watch(id.arn, [&] {
        std::lock_guard lock(mu);
        ++wakes;
        cv.notify_all();
    });
    REQUIRE(w);

    const std::string shard = f.registry.describe(id.arn)->shards[0].shard_id;
    auto cursor = *f.registry.open_cursor(id.arn, shard, shard_iterator_type::TRIM_HORIZON);
    std::size_t seen = 0;
    std::thread reader([&] {
        // A poller that sleeps on the condition variable instead of spinning.
        while (seen < 50) {
            {
                std::unique_lock lock(mu);
                cv.wait_for(lock, 100ms, [&] { return wakes > 0; });
                wakes = 0;
            }
            auto b = f.registry.read(cursor, 1000);
            REQUIRE(b);
            seen += b->records.size();
            cursor = b->next;
        }
    });
    for (int i = 0; i < 50; ++i) t.put(row("a", i));
    reader.join();
    CHECK(seen == 50);

    {
        std::lock_guard lock(mu);
        wakes = 0;
    }
    REQUIRE(f.registry.rotate("Tbl"));
    {
        std::lock_guard lock(mu);
        CHECK(wakes >= 1);
        wakes = 0;
    }
    f.registry.unwatch(*w);
    t.put(row("a", 100));
    {
        std::lock_guard lock(mu);
        CHECK(wakes == 0);
    }
    f.registry.unwatch(*w);  // twice is fine
    CHECK(
        f.registry
            .watch(
                "arn:aws:dynamodb:us-east-1:123456789012:table/Xyz/stream/2024-01-01T00:00:00.000",
                [] {})
            .error()
            .type == "ResourceNotFoundException");
}

TEST_CASE("concurrent writers on different tables and readers keep every record",
          "[emulator][streams][subscription]") {
    // Exercised under TSan/ASan in make test: the per-stream locks and the shared registry lock.
    stream_options o;
    o.follow_manual_clock = false;
    streams_fixture f(o);
    std::vector<std::unique_ptr<model_table>> tables;
    std::vector<std::string> arns;
    for (int i = 0; i < 3; ++i) {
        tables.push_back(
            std::make_unique<model_table>(f.registry, f.clock, "Con" + std::to_string(i)));
        arns.push_back(tables.back()->enable(stream_view_type::NEW_IMAGE).arn);
    }
    std::vector<std::thread> writers;
    for (int i = 0; i < 3; ++i) {
        writers.emplace_back([&, i] {
            for (int n = 0; n < 300; ++n)
                tables[static_cast<std::size_t>(i)]->put(row("k" + std::to_string(n % 10), n));
        });
    }
    std::thread admin([&] {
        for (int n = 0; n < 20; ++n) {
            (void)f.registry.rotate("Con0");
            f.registry.tick();
        }
    });
    for (auto& w : writers) w.join();
    admin.join();
    for (const auto& arn : arns) {
        std::size_t total = 0;
        const auto d = f.registry.describe(arn);
        REQUIRE(d);
        for (const auto& s : d->shards) {
            auto c = f.registry.open_cursor(arn, s.shard_id, shard_iterator_type::TRIM_HORIZON);
            total += f.registry.read(*c, 100000)->records.size();
        }
        CHECK(total == 300);
    }
}

TEST_CASE("reset drops every stream", "[emulator][streams][subscription]") {
    streams_fixture f;
    model_table t(f.registry, f.clock, "Tbl");
    const auto id = t.enable(stream_view_type::KEYS_ONLY);
    t.put(row("a", 1));
    const std::string shard = f.registry.describe(id.arn)->shards[0].shard_id;
    auto cursor = *f.registry.open_cursor(id.arn, shard, shard_iterator_type::TRIM_HORIZON);
    f.registry.reset();
    CHECK(f.call("ListStreams", nlohmann::json::object())["Streams"].empty());
    CHECK(f.registry.read(cursor, 10).error().type == "ResourceNotFoundException");
    CHECK_FALSE(f.registry.latest_stream("Tbl"));
    t.put(row("a", 2));  // a table whose stream was dropped: ignored
    // Enabling again starts afresh.
    const auto again = t.enable(stream_view_type::KEYS_ONLY);
    t.put(row("a", 3));
    auto d = f.registry.describe(again.arn);
    REQUIRE(d);
    auto c =
        f.registry.open_cursor(again.arn, d->shards[0].shard_id, shard_iterator_type::TRIM_HORIZON);
    CHECK(f.registry.read(*c, 10)->records.size() == 1);
}

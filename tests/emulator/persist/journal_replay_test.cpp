// Issue 9, --durability normal: sqlite_state_store acknowledges a write once its journal record
// is written, applies it to SQLite later, and replays at open what SQLite had not applied. A
// forked child stands for esser-local: it writes with the applier held back, then kills itself
// with SIGKILL (the kill between the journal write and the SQLite apply). Checked: nothing
// acknowledged is lost, records SQLite already holds are not applied twice, a torn end is cut
// with a warning, damage and a journal that does not continue the database are refused (both
// files left as they were), full mode takes over a normal-mode journal, and the journal stays
// bounded (backpressure).
#include <csignal>

#include "emulator/persist/persist_test_support.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/persist/journal_codec.hpp"

namespace esser::emulator::testing {
namespace {

constexpr int killed = 128 + SIGKILL;

fs::path journal_of(const scratch& dir) {
    return dir.path / "emulator.journal";
}

// Store options whose applier never writes to SQLite before the store closes.
sqlite_state_store::options held_back(const fs::path& db) {
    sqlite_state_store::options o{db, durability_mode::normal};
    o.apply_interval = std::chrono::hours(1);
    o.apply_after_units = std::numeric_limits<std::size_t>::max();
    return o;
}

json put(int i) {
    return {{"TableName", "Jnl"},
            {"Item", {{"pk", {{"S", "item-" + std::to_string(i)}}}, {"n", {{"N", "1"}}}}},
            {"ConditionExpression", "attribute_not_exists(pk)"}};
}

// In a child: opens `o`, runs `write` (every call must succeed), then SIGKILLs itself.
int write_then_die(const sqlite_state_store::options& o, const std::function<void(node&)>& write) {
    return in_child(false, [&] {
        node n(o, std::make_shared<core::manual_clock>(), 7);
        write(n);
        ::kill(::getpid(), SIGKILL);
        return 1;
    });
}

// A child that creates table Jnl (when `create`), puts items from..to-1 with the applier held
// back, then dies of SIGKILL.
void die_after_puts(const scratch& dir, bool create, int from, int to) {
    REQUIRE(write_then_die(held_back(dir.db()), [&](node& n) {
                if (create)
                    n.db("CreateTable", stream_table("Jnl"));
                for (int i = from; i < to; ++i) n.db("PutItem", put(i));
            }) == killed);
}

// What the killed child's database holds, read behind the store's back.
std::uint64_t sql_count(const fs::path& db, const char* sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const auto v = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

std::vector<journal_record> records_in(const fs::path& journal) {
    auto parsed = journal_codec::parse(bytes_of(journal));
    REQUIRE(parsed);
    CHECK(parsed->torn_tail.empty());
    return std::move(parsed->records);
}

// Opens the database again (a restart) and checks what it replayed and holds: items in table
// Jnl and records in its stream. The journal is cut back to its header at open.
void check_restart(const scratch& dir, std::size_t replayed, std::size_t items,
                   std::size_t records) {
    node n(dir.db(), std::make_shared<core::manual_clock>(), 8);
    CHECK(n.restored.journal_records == replayed);
    CHECK(n.scan("Jnl").size() == items);
    const std::string arn =
        n.db("DescribeTable", {{"TableName", "Jnl"}})["Table"]["LatestStreamArn"];
    CHECK(n.records(arn).size() == records);
    CHECK(fs::file_size(journal_of(dir)) == journal_codec::header_bytes);
}

}  // namespace
}  // namespace esser::emulator::testing

using namespace esser::emulator;
using namespace esser::emulator::testing;

TEST_CASE("writes acknowledged from the journal but never applied to SQLite survive a kill -9",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    REQUIRE(write_then_die(held_back(dir.db()), [](node& n) {
                n.db("CreateTable", stream_table("Jnl"));
                for (int i = 0; i < 40; ++i) n.db("PutItem", put(i));
                n.db("DeleteItem", {{"TableName", "Jnl"}, {"Key", {{"pk", {{"S", "item-3"}}}}}});
            }) == killed);
    // SQLite has none of it: all of it is in the journal, one record per acknowledged request.
    CHECK(sql_count(dir.db(), "SELECT count(*) FROM items") == 0);
    CHECK(sql_count(dir.db(), "SELECT applied FROM journal") == 0);
    CHECK(records_in(journal_of(dir)).size() == 42);

    check_restart(dir, 42, 39, 41);  // 40 inserts and the removal, in order
    CHECK(sql_count(dir.db(), "SELECT count(*) FROM items") == 39);
    CHECK(sql_count(dir.db(), "SELECT applied FROM journal") == 42);
}

TEST_CASE("records SQLite already holds are skipped at replay, the ones after it applied once",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    std::string applied_journal;
    {
        // Records 1..11 journaled, copied, then applied at a clean close (applied = 11).
        node n(held_back(dir.db()), std::make_shared<esser::core::manual_clock>(), 7);
        n.db("CreateTable", stream_table("Jnl"));
        for (int i = 0; i < 10; ++i) n.db("PutItem", put(i));
        applied_journal = bytes_of(journal_of(dir));
    }
    CHECK(sql_count(dir.db(), "SELECT applied FROM journal") == 11);
    CHECK(fs::file_size(journal_of(dir)) == journal_codec::header_bytes);
    die_after_puts(dir, false, 10, 15);
    // The journal as a crash right after an apply leaves it: the applied records still there.
    const std::string after = bytes_of(journal_of(dir));
    {
        std::ofstream out(journal_of(dir), std::ios::binary | std::ios::trunc);
        out << applied_journal << after.substr(journal_codec::header_bytes);
    }
    REQUIRE(records_in(journal_of(dir)).size() == 16);

    check_restart(dir, 5, 15, 15);
    CHECK(sql_count(dir.db(), "SELECT applied FROM journal") == 16);
}

TEST_CASE("a torn end of the journal is cut off with a warning and loses nothing acknowledged",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    die_after_puts(dir, true, 0, 5);
    // Half of a further record, as an OS crash can leave an append that was never acknowledged.
    const std::string journal = bytes_of(journal_of(dir));
    const auto records = records_in(journal_of(dir));
    std::string torn;
    std::vector<const std::vector<durable_change>*> units{&records.back().units[0]};
    journal_codec::append_record(torn, records.back().sequence + 1, units);
    {
        std::ofstream out(journal_of(dir), std::ios::binary | std::ios::app);
        out << torn.substr(0, torn.size() / 2);
    }
    std::vector<std::string> warnings;
    sqlite_state_store::options o{dir.db(), durability_mode::normal};
    o.on_warning = [&](const std::string& w) { warnings.push_back(w); };
    node n(o, std::make_shared<esser::core::manual_clock>(), 8);
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::Contains(journal_of(dir).string()));
    CHECK_THAT(warnings[0], Catch::Contains("the record at offset " +
                                            std::to_string(journal.size()) + " is cut short"));
    CHECK(n.restored.journal_records == 6);
    CHECK(n.scan("Jnl").size() == 5);
}

TEST_CASE("a journal damaged inside, or not continuing the database, is refused and left as it was",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    {
        node n(dir.db(), std::make_shared<esser::core::manual_clock>(), 7);  // applied = 1
        n.db("CreateTable", stream_table("Jnl"));
    }
    die_after_puts(dir, false, 0, 3);
    const auto records = records_in(journal_of(dir));
    REQUIRE(records.size() == 3);
    REQUIRE(records[0].sequence == 2);

    SECTION("a record that fails its checksum with records after it") {
        std::string bad = bytes_of(journal_of(dir));
        const std::size_t first = journal_codec::header_bytes;
        bad[first + journal_codec::record_header_bytes + 20] ^= 0x40;
        { std::ofstream(journal_of(dir), std::ios::binary | std::ios::trunc) << bad; }
        const std::string db_before = bytes_of(dir.db());
        auto s = sqlite_state_store::open({dir.db(), durability_mode::normal});
        REQUIRE_FALSE(s);
        CHECK(s.error().code == esser::core::errc::parse_error);
        CHECK_THAT(s.error().message, Catch::Contains(journal_of(dir).string()));
        CHECK_THAT(s.error().message,
                   Catch::Contains("the record at byte offset 12 fails its checksum"));
        CHECK(bytes_of(journal_of(dir)) == bad);
        CHECK(bytes_of(dir.db()) == db_before);
    }
    SECTION("a database that lost the records before the journal's first") {
        // Another database in its place (restored from a copy, say): it holds sequence 0.
        fs::remove(dir.db());
        fs::remove(dir.path / "emulator.sqlite-wal");
        { node other(dir.path / "other.sqlite", std::make_shared<esser::core::manual_clock>(), 9); }
        fs::rename(dir.path / "other.sqlite", dir.db());
        const std::string journal_before = bytes_of(journal_of(dir));
        auto s = sqlite_state_store::open({dir.db(), durability_mode::normal});
        REQUIRE_FALSE(s);
        CHECK(s.error().code == esser::core::errc::parse_error);
        CHECK_THAT(s.error().message,
                   Catch::Contains("it continues at sequence 2 but the database holds sequence 0"));
        CHECK(bytes_of(journal_of(dir)) == journal_before);
    }
}

TEST_CASE("full durability replays a journal normal durability left, then keeps none",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    die_after_puts(dir, true, 0, 4);
    {
        node n(dir.db(), std::make_shared<esser::core::manual_clock>(), 8, durability_mode::full);
        CHECK(n.restored.journal_records == 5);
        CHECK_FALSE(fs::exists(journal_of(dir)));
        n.db("PutItem", put(4));
        CHECK_FALSE(fs::exists(journal_of(dir)));
    }
    node n(dir.db(), std::make_shared<esser::core::manual_clock>(), 9);  // normal again
    CHECK(n.restored.journal_records == 0);
    CHECK(n.scan("Jnl").size() == 5);
}

TEST_CASE("the journal stays within its limit: writers wait while the applier catches up",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    sqlite_state_store::options o{dir.db(), durability_mode::normal};
    o.journal_limit = 16 * 1024;
    o.apply_interval = std::chrono::hours(1);  // only the limit makes the applier write
    o.apply_after_units = std::numeric_limits<std::size_t>::max();
    const std::string big(1500, 'x');
    {
        node n(o, std::make_shared<esser::core::manual_clock>(), 7);
        n.db("CreateTable", stream_table("Jnl"));
        std::uintmax_t largest = 0;
        for (int i = 0; i < 100; ++i) {
            json p = put(i);
            p["Item"]["payload"] = {{"S", big}};
            n.db("PutItem", p);
            largest = std::max(largest, fs::file_size(journal_of(dir)));
        }
        // At most the limit plus the one record written when it was reached (a put and its
        // stream record: about twice the item).
        CHECK(largest <= o.journal_limit + 4 * big.size());
        CHECK(largest >= o.journal_limit);  // it was reached, so it was cut, more than once
    }
    CHECK(fs::file_size(journal_of(dir)) == journal_codec::header_bytes);
    node n(dir.db(), std::make_shared<esser::core::manual_clock>(), 8);
    CHECK(n.restored.journal_records == 0);
    CHECK(n.scan("Jnl").size() == 100);
}

TEST_CASE("a group of units larger than a record is written as several records, all replayed",
          "[emulator][persist][sqlite_state_store][journal]") {
    scratch dir;
    sqlite_state_store::options o = held_back(dir.db());
    o.journal_record_limit = 3000;
    REQUIRE(in_child(false, [&] {
                auto store = sqlite_state_store::open(o);
                if (!store)
                    return 3;
                // Ten units queued before anyone waits: one group, about 10 KB.
                std::uint64_t last = 0;
                for (int i = 0; i < 10; ++i)
                    last = (*store)->submit({document_saved{"doc", "d" + std::to_string(i),
                                                            std::string(1000, 'a' + i)}});
                (*store)->wait_durable(last);
                // A unit that fits no record is refused, not written.
                try {
                    (*store)->wait_durable(
                        (*store)->submit({document_saved{"doc", "big", std::string(4000, 'x')}}));
                    return 4;
                } catch (const std::runtime_error& e) {
                    if (std::string(e.what()).find("exceeds the journal's record limit") ==
                        std::string::npos)
                        return 5;
                }
                ::kill(::getpid(), SIGKILL);
                return 1;
            }) == killed);
    const auto records = records_in(journal_of(dir));
    CHECK(records.size() == 5);  // units of 1022 bytes: two fit in 3000, three do not
    std::size_t units = 0;
    for (const auto& r : records) units += r.units.size();
    CHECK(units == 10);
    auto store = sqlite_state_store::open({dir.db(), durability_mode::normal});
    REQUIRE(store);
    std::vector<std::string> bodies;
    auto read = (*store)->for_each_document(
        "doc", [&](std::string_view, std::string_view body) -> esser::core::result<void> {
            bodies.emplace_back(body);
            return {};
        });
    REQUIRE(read);
    REQUIRE(bodies.size() == 10);
    CHECK(bodies[9] == std::string(1000, 'a' + 9));
}

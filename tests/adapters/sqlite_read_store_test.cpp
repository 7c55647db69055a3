// Issue 9, bad input for the SQLite read store: a read-only or missing file, a file that is not a
// database, a database locked by another writer. Each failure is a typed error and writes nothing.

#include "esser/adapters/sqlite/sqlite_read_store.hpp"

#include <fstream>

#include "adapters/read_store_backends.hpp"
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

using esser::adapters::sqlite_read_store;
using esser::core::document;
using esser::core::errc;
using esser::core::write_op;
using esser::testing::temp_dir;
using nlohmann::json;

namespace {

std::unique_ptr<sqlite_read_store> open_ok(sqlite_read_store::options o) {
    auto s = sqlite_read_store::open(std::move(o));
    if (!s)
        FAIL(s.error().describe());
    return std::move(*s);
}

document doc(std::string id, std::uint64_t v) {
    return document{std::move(id), v, {{"v", v}}, "2024-01-01T00:00:00.000Z"};
}

}  // namespace

// The embedded default must survive a restart of the process that wrote it.
TEST_CASE("sqlite read store keeps documents in its file across reopening",
          "[adapters][sqlite_read_store]") {
    temp_dir dir;
    sqlite_read_store::options o;
    o.path = dir.file("read.db");
    {
        auto s = open_ok(o);
        REQUIRE(
            s->write({write_op::upsert("items", doc("a", 3)), write_op::remove("items", "b", 2)})
                .value() == 2);
    }
    auto s = open_ok(o);
    CHECK(s->get("items", "a").value()->version == 3);
    CHECK_FALSE(s->upsert("items", doc("b", 1)).value());  // the tombstone survived too
    CHECK(s->collections().value() == std::vector<std::string>{"items"});

    // A second connection on the same file (another process: the esser API) sees each commit.
    o.read_only = true;
    auto reader = open_ok(o);
    CHECK_FALSE(reader->get("items", "c").value().has_value());
    REQUIRE(s->upsert("items", doc("c", 1)).value());
    CHECK(reader->get("items", "c").value().has_value());
    CHECK(reader->list("items", {}).value().items.size() == 2);
}

TEST_CASE("sqlite read store opened read-only reads and refuses writes with a typed error",
          "[adapters][sqlite_read_store]") {
    temp_dir dir;
    sqlite_read_store::options o;
    o.path = dir.file("read.db");
    REQUIRE(open_ok(o)->upsert("items", doc("a", 1)).value());

    o.read_only = true;
    auto ro = open_ok(o);
    CHECK(ro->get("items", "a").value().has_value());
    auto w = ro->upsert("items", doc("a", 2));
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error().code == errc::unavailable);
    CHECK(w.error().type == "SQLITE_READONLY");
    CHECK(ro->drop("items").error().code == errc::unavailable);
    CHECK(ro->get("items", "a").value()->version == 1);

    if (::geteuid() != 0) {
        // A file the user may not write (root ignores permissions, so only checked as a user).
        REQUIRE(::chmod(o.path.c_str(), 0444) == 0);
        REQUIRE(::chmod((o.path + "-wal").c_str(), 0444) == 0);
        o.read_only = false;
        auto s = sqlite_read_store::open(o);
        if (s) {
            auto w2 = (*s)->upsert("items", doc("a", 5));
            REQUIRE_FALSE(w2.has_value());
            CHECK(w2.error().code == errc::unavailable);
        } else {
            CHECK(s.error().code == errc::unavailable);
        }
    }
}

TEST_CASE("sqlite read store reports a missing file or directory and a file that is no database",
          "[adapters][sqlite_read_store]") {
    temp_dir dir;
    sqlite_read_store::options o;
    SECTION("a directory that does not exist") {
        o.path = dir.file("no/such/dir/read.db");
        auto s = sqlite_read_store::open(o);
        REQUIRE_FALSE(s.has_value());
        CHECK(s.error().code == errc::unavailable);
        CHECK(s.error().type == "SQLITE_CANTOPEN");
        CHECK(s.error().message.find(o.path) != std::string::npos);
    }
    SECTION("a missing file when creation is off, or read-only") {
        o.path = dir.file("missing.db");
        o.create = false;
        CHECK(sqlite_read_store::open(o).error().type == "SQLITE_CANTOPEN");
        o.read_only = true;
        CHECK(sqlite_read_store::open(o).error().code == errc::unavailable);
        CHECK_FALSE(std::filesystem::exists(o.path));
    }
    SECTION("a file that is not a SQLite database is left alone") {
        o.path = dir.file("garbage.db");
        const std::string junk(4096, 'x');
        std::ofstream(o.path) << junk;
        auto s = sqlite_read_store::open(o);
        REQUIRE_FALSE(s.has_value());
        CHECK(s.error().code == errc::parse_error);
        CHECK(s.error().type == "SQLITE_NOTADB");
        std::ifstream in(o.path);
        std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(back == junk);
    }
}

// Another writer holding the database (a second esser-local on the same data dir, a manual
// sqlite3 session): after busy_timeout the batch fails as SQLITE_BUSY, retryable, and nothing of
// it is written; once the lock is gone the same batch succeeds.
TEST_CASE("sqlite read store fails a write on a locked database as retryable, writing nothing",
          "[adapters][sqlite_read_store]") {
    temp_dir dir;
    sqlite_read_store::options o;
    o.path = dir.file("read.db");
    o.busy_timeout = std::chrono::milliseconds(20);
    auto s = open_ok(o);
    REQUIRE(s->upsert("items", doc("a", 1)).value());

    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(o.path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

    const std::vector<write_op> batch = {write_op::upsert("items", doc("a", 2)),
                                         write_op::upsert("items", doc("b", 1)),
                                         write_op::upsert("others", doc("c", 1))};
    auto w = s->write(batch);
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error().code == errc::unavailable);
    CHECK(w.error().type == "SQLITE_BUSY");
    CHECK(w.error().retryable());
    // Readers are not blocked by a writer in WAL mode, and see nothing of the failed batch.
    CHECK(s->get("items", "a").value()->version == 1);
    CHECK_FALSE(s->get("items", "b").value().has_value());

    REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(other);
    CHECK(s->write(batch).value() == 3);
    CHECK(s->collections().value() == std::vector<std::string>{"items", "others"});
}

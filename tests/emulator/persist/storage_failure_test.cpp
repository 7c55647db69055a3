// Issue 9, "Bad input": a data dir that cannot be written (read-only file or directory), a full
// disk and a database another process holds: a clear error naming the file and no silent
// loss -- nothing acknowledged is lost, nothing refused is stored, and once a write failed no
// later one is accepted.
//
// The tests run as root, for whom permission bits do not block writing. The read-only cases
// therefore run in a forked child inside a new user namespace (unshare(CLONE_NEWUSER)): there
// the process has no capability over root's files, so their permission bits apply as to anyone.
// The full disk is real too: a forked child with RLIMIT_FSIZE (and SIGXFSZ ignored) gets EFBIG
// from write() past the limit, as a full file system answers ENOSPC.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "emulator/persist/persist_test_support.hpp"
#include <catch2/catch.hpp>
#include <sys/resource.h>

namespace esser::emulator::testing {
namespace {

// In the child: 0 when opening `db` fails with errc::unavailable naming the file (and the
// reason, when `reason` is given).
int open_is_refused(const fs::path& db, const char* reason = nullptr) {
    auto opened = sqlite_state_store::open({db, durability_mode::normal});
    if (opened) {
        std::fprintf(stderr, "opened %s\n", db.c_str());
        return 10;
    }
    const auto& e = opened.error();
    std::fprintf(stderr, "%s\n", e.describe().c_str());
    if (e.code != core::errc::unavailable)
        return 11;
    if (e.message.find(db.string()) == std::string::npos)
        return 12;
    if (reason != nullptr && e.message.find(reason) == std::string::npos)
        return 13;
    return 0;
}

json put_request(int i) {
    return {{"TableName", "Full"},
            {"Item",
             {{"pk", {{"S", "item-" + std::to_string(i)}}},
              {"payload", {{"S", std::string(2000, 'x')}}}}},
            {"ConditionExpression", "attribute_not_exists(pk)"}};
}

}  // namespace
}  // namespace esser::emulator::testing

using namespace esser::emulator;
using namespace esser::emulator::testing;
using namespace std::chrono_literals;

TEST_CASE("a read-only database or data directory is refused at open, named, and left as it was",
          "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<esser::core::manual_clock>();
    {
        node n(dir.db(), clock, 1);
        n.db("CreateTable", stream_table("Full"));
        n.db("PutItem", put_request(0));
    }
    const std::string before = bytes_of(dir.db());

    SECTION("a read-only file") {
        fs::permissions(dir.db(), fs::perms::owner_read | fs::perms::group_read);
        const int rc = in_child(true, [&] { return open_is_refused(dir.db(), "read-only"); });
        if (rc == no_user_namespaces) {
            WARN("user namespaces are not available here: read-only files are not testable");
            return;
        }
        CHECK(rc == 0);
    }
    SECTION("a read-only directory holding the database") {
        fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
        const int rc = in_child(true, [&] { return open_is_refused(dir.db()); });
        fs::permissions(dir.path, fs::perms::owner_all);
        if (rc == no_user_namespaces) {
            WARN("user namespaces are not available here: read-only directories are not testable");
            return;
        }
        CHECK(rc == 0);
    }
    SECTION("a new database in a read-only directory") {
        const fs::path ro = dir.path / "ro";
        fs::create_directories(ro);
        fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
        const int rc = in_child(true, [&] { return open_is_refused(ro / "emulator.sqlite"); });
        fs::permissions(ro, fs::perms::owner_all);
        if (rc == no_user_namespaces) {
            WARN("user namespaces are not available here: read-only directories are not testable");
            return;
        }
        CHECK(rc == 0);
        CHECK_FALSE(fs::exists(ro / "emulator.sqlite"));
    }
    fs::permissions(dir.db(), fs::perms::owner_read | fs::perms::owner_write);
    CHECK(bytes_of(dir.db()) == before);
    node n(dir.db(), clock, 2);  // and it opens again once writable
    CHECK(n.scan("Full").size() == 1);
}

TEST_CASE(
    "a database another connection holds is refused with a clear error, not waited on "
    "forever",
    "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    node first(dir.db(), std::make_shared<esser::core::manual_clock>(), 1);
    first.db("CreateTable", stream_table("Full"));
    // esser-local holds its database exclusively: a second opener (another esser-local on a
    // copy of the data dir's LOCK, a tool) is refused after the busy timeout.
    auto second = sqlite_state_store::open(
        {.path = dir.db(), .durability = durability_mode::normal, .busy_timeout = 50ms});
    REQUIRE_FALSE(second);
    CHECK(second.error().code == esser::core::errc::unavailable);
    CHECK_THAT(second.error().message, Catch::Contains(dir.db().string()));
    CHECK_THAT(second.error().message, Catch::Contains("locked"));
    // The first is unaffected.
    first.db("PutItem", put_request(1));
    CHECK(first.scan("Full").size() == 1);
}

TEST_CASE(
    "a full disk fails the write that does not fit, refuses every later one, and loses "
    "nothing acknowledged",
    "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<esser::core::manual_clock>();
    {
        node n(dir.db(), clock, 1);
        n.db("CreateTable", stream_table("Full"));
    }
    int acked_pipe[2];
    REQUIRE(::pipe(acked_pipe) == 0);
    const int rc = in_child(false, [&] {
        ::close(acked_pipe[0]);
        node n(dir.db(), clock, 2);
        // A file system with 512 KiB left for any file of the store.
        ::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit {};
        limit.rlim_cur = limit.rlim_max = 512 * 1024;
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
            return 20;
        int acked = 0;
        std::string refusal;
        for (int i = 1; i < 100000; ++i) {  // bounded: 2 KB items fill 512 KiB long before
            auto r = n.engine->dispatch("PutItem", put_request(i));
            if (!r) {
                refusal = r.error().type + ": " + r.error().message;
                break;
            }
            ++acked;
        }
        std::fprintf(stderr, "acknowledged %d, then %s\n", acked, refusal.c_str());
        if (refusal.find("InternalServerError") == std::string::npos ||
            refusal.find(dir.db().string()) == std::string::npos)
            return 21;
        // No later write is accepted (it could not be stored either).
        auto later = n.engine->dispatch("PutItem", put_request(200000));
        if (later)
            return 22;
        if (::write(acked_pipe[1], &acked, sizeof acked) != sizeof acked)
            return 23;
        return 0;
    });
    ::close(acked_pipe[1]);
    int acked = -1;
    REQUIRE(::read(acked_pipe[0], &acked, sizeof acked) == sizeof acked);
    ::close(acked_pipe[0]);
    REQUIRE(rc == 0);
    REQUIRE(acked > 10);
    // Without the limit: exactly the acknowledged writes, each with its stream record.
    node n(dir.db(), clock, 3);
    const json items = n.scan("Full");
    CHECK(items.size() == static_cast<std::size_t>(acked));
    const std::string arn =
        n.db("DescribeTable", {{"TableName", "Full"}})["Table"]["LatestStreamArn"];
    CHECK(n.records(arn).size() == static_cast<std::size_t>(acked));
}

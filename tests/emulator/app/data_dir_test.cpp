// Issue 9, "Emulator persistence" and "Bad input": esser-local's --data-dir is locked against a
// second process, carries a format version that another version refuses, and a directory that
// cannot be written or holds foreign files is refused with a clear message.
#include "esser/emulator/app/data_dir.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

using esser::emulator::data_dir;
namespace fs = std::filesystem;
namespace core = esser::core;

namespace {

struct scratch {
    fs::path dir =
        fs::temp_directory_path() / ("esser-data-dir-test-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));

    scratch() { fs::remove_all(dir); }

    ~scratch() { fs::remove_all(dir); }
};

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("data_dir creates a new directory with its format marker and reopens it",
          "[emulator][app][data_dir]") {
    scratch s;
    {
        auto d = data_dir::open(s.dir / "nested" / "data");
        REQUIRE(d);
        CHECK((*d)->path() == s.dir / "nested" / "data");
        CHECK(fs::exists(s.dir / "nested" / "data" / "FORMAT"));
        write_file((*d)->file("read_store.sqlite"), "x");
    }
    // Closed: the lock is gone, the format matches, our own files are fine.
    CHECK(data_dir::open(s.dir / "nested" / "data"));
}

TEST_CASE("data_dir refuses a directory another process holds, and frees it when that one dies",
          "[emulator][app][data_dir]") {
    scratch s;
    auto first = data_dir::open(s.dir);
    REQUIRE(first);
    auto second = data_dir::open(s.dir);
    REQUIRE(!second);
    CHECK(second.error().code == core::errc::unavailable);
    CHECK(second.error().type == "locked");
    CHECK(second.error().message.find("in use by another esser-local (pid " +
                                      std::to_string(::getpid()) + ")") != std::string::npos);
    first->reset();
    // A holder killed with SIGKILL leaves no stale lock (the kernel releases flock locks).
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto held = data_dir::open(s.dir);
        ::_exit(held ? 0 : 1);  // exits (like a kill) without running destructors
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(data_dir::open(s.dir));
}

TEST_CASE("data_dir refuses another format version, a malformed marker and foreign content",
          "[emulator][app][data_dir]") {
    scratch s;
    { REQUIRE(data_dir::open(s.dir)); }
    SECTION("a newer version") {
        write_file(s.dir / "FORMAT", R"({"format":"esser-local-data","version":2})");
        auto d = data_dir::open(s.dir);
        REQUIRE(!d);
        CHECK(d.error().code == core::errc::invalid_argument);
        CHECK(d.error().message.find("format version 2; this esser-local reads version 1") !=
              std::string::npos);
        CHECK(d.error().source == (s.dir / "FORMAT").string());
    }
    SECTION("a malformed marker") {
        for (const std::string bad : {"", "{", "[]", R"({"format":"other","version":1})",
                                      R"({"format":"esser-local-data","version":"1"})"}) {
            write_file(s.dir / "FORMAT", bad);
            auto d = data_dir::open(s.dir);
            INFO(bad);
            REQUIRE(!d);
            CHECK(d.error().code == core::errc::invalid_argument);
        }
    }
    SECTION("someone else's files, no marker") {
        fs::remove(s.dir / "FORMAT");
        write_file(s.dir / "notes.txt", "mine");
        auto d = data_dir::open(s.dir);
        REQUIRE(!d);
        CHECK(d.error().message.find("not an esser-local data directory") != std::string::npos);
        CHECK(!fs::exists(s.dir / "FORMAT"));  // nothing written into it
    }
}

TEST_CASE("data_dir refuses a path it cannot create or write, and a file",
          "[emulator][app][data_dir]") {
    scratch s;
    // /proc refuses new files even to root, like a read-only mount.
    for (const fs::path& p : {fs::path("/proc/esser-data"), fs::path("/proc/self")}) {
        auto d = data_dir::open(p);
        INFO(p);
        REQUIRE(!d);
        CHECK(d.error().code == core::errc::unavailable);
        CHECK(d.error().source == p.string());
    }
    fs::create_directories(s.dir);
    write_file(s.dir / "plain", "x");
    auto f = data_dir::open(s.dir / "plain");
    REQUIRE(!f);
    CHECK(f.error().source == (s.dir / "plain").string());
}

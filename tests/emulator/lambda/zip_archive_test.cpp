// Issue 13 "Bad input": the zip reader behind Code.ZipFile. Corrupt archives, paths leaving the
// package directory, links escaping it and zip bombs are refused with AWS's error; nothing is
// ever written outside the target directory.
#include "esser/emulator/lambda/zip_archive.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/zip_writer.hpp"
#include <catch2/catch.hpp>
#include <sys/stat.h>

namespace {

namespace fs = std::filesystem;
using esser::emulator::safe_relative_path;
using esser::emulator::zip_archive;
using esser::emulator::zip_limits;
using esser::test::zip_writer;

// A scratch directory holding `pkg/` (the extraction target) and a sentinel next to it.
struct scratch {
    fs::path root;
    fs::path pkg;

    scratch() {
        std::string t = (fs::temp_directory_path() / "esser-zip-test.XXXXXX").string();
        REQUIRE(::mkdtemp(t.data()) != nullptr);
        root = t;
        pkg = root / "pkg";
        fs::create_directory(pkg);
    }

    ~scratch() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }

    // Every path under root except pkg/ and pkg itself: must stay empty.
    std::vector<std::string> outside() const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(root))
            if (e.path() != pkg)
                out.push_back(e.path().string());
        return out;
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string error_of(std::string_view bytes, zip_limits limits = {}) {
    auto z = zip_archive::open(bytes, limits);
    if (!z)
        return z.error().message;
    scratch s;
    auto w = z->extract_to(s.pkg);
    return w ? std::string() : w.error().message;
}

}  // namespace

TEST_CASE("zip_archive extracts stored and deflated files with their modes and directories",
          "[emulator][lambda][zip_archive]") {
    zip_writer w;
    w.file("bootstrap", "#!/bin/sh\necho hi\n", 0100755)
        .directory("lib/")
        .file("lib/data.txt", std::string(10000, 'x'), 0100644, true)
        .file("./src/app.py", "def handler(e, c): return 1\n", 0100644, false)
        .file("plain.txt", "no unix mode", 0);
    const std::string bytes = w.bytes();
    auto z = zip_archive::open(bytes);
    REQUIRE(z);
    REQUIRE(z->entries().size() == 5);
    CHECK(z->entries()[1].directory);
    scratch s;
    auto written = z->extract_to(s.pkg);
    REQUIRE(written);
    CHECK(*written == 18 + 10000 + 28 + 12);
    CHECK(slurp(s.pkg / "bootstrap") == "#!/bin/sh\necho hi\n");
    CHECK(slurp(s.pkg / "lib/data.txt") == std::string(10000, 'x'));
    CHECK(slurp(s.pkg / "src/app.py") == "def handler(e, c): return 1\n");
    CHECK((fs::status(s.pkg / "bootstrap").permissions() & fs::perms::owner_exec) !=
          fs::perms::none);
    CHECK((fs::status(s.pkg / "lib/data.txt").permissions() & fs::perms::owner_exec) ==
          fs::perms::none);
    CHECK((fs::status(s.pkg / "plain.txt").permissions() & fs::perms::others_read) !=
          fs::perms::none);
    CHECK(s.outside().empty());
}

TEST_CASE("zip_archive keeps links that stay inside the package",
          "[emulator][lambda][zip_archive]") {
    zip_writer w;
    w.file("v1/lib.so", "elf").symlink("current", "v1").symlink("v1/self", "../v1/lib.so");
    const auto bytes = w.bytes();
    auto z = zip_archive::open(bytes);
    REQUIRE(z);
    scratch s;
    REQUIRE(z->extract_to(s.pkg));
    CHECK(fs::is_symlink(s.pkg / "current"));
    CHECK(slurp(s.pkg / "current/lib.so") == "elf");
    CHECK(slurp(s.pkg / "v1/self") == "elf");
}

TEST_CASE("safe_relative_path refuses absolute, drive and parent paths",
          "[emulator][lambda][zip_archive]") {
    CHECK(safe_relative_path("a/b.py") == "a/b.py");
    CHECK(safe_relative_path("./a//./b") == "a/b");
    CHECK(safe_relative_path("a\\b") == "a/b");
    CHECK(safe_relative_path("./") == "");
    CHECK_FALSE(safe_relative_path(""));
    CHECK_FALSE(safe_relative_path("/etc/passwd"));
    CHECK_FALSE(safe_relative_path("\\etc\\passwd"));
    CHECK_FALSE(safe_relative_path("C:evil"));
    CHECK_FALSE(safe_relative_path("../evil"));
    CHECK_FALSE(safe_relative_path("a/../../evil"));
    CHECK_FALSE(safe_relative_path("a/..\\..\\evil"));
    CHECK_FALSE(safe_relative_path(std::string_view("a\0b", 3)));
}

TEST_CASE("zip_archive refuses entries named outside the package directory",
          "[emulator][lambda][zip_archive]") {
    for (const char* name :
         {"../evil.txt", "/tmp/evil.txt", "ok/../../evil.txt", "..\\evil.txt", "C:\\evil.txt"}) {
        INFO(name);
        zip_writer w;
        w.file("ok.txt", "fine").file(name, "evil");
        const auto message = error_of(w.bytes());
        CHECK(message.find("Could not unzip uploaded file") == 0);
        CHECK(message.find("leaves the package directory") != std::string::npos);
    }
}

TEST_CASE("zip_archive refuses links that lead outside, directly or through another link",
          "[emulator][lambda][zip_archive]") {
    SECTION("absolute target") {
        zip_writer w;
        w.symlink("passwd", "/etc/passwd");
        CHECK(error_of(w.bytes()).find("points outside") != std::string::npos);
    }
    SECTION("parent target") {
        zip_writer w;
        w.symlink("up", "../outside");
        CHECK(error_of(w.bytes()).find("points outside") != std::string::npos);
    }
    SECTION("through another link: a/b -> . makes a/b/../.. the parent") {
        zip_writer w;
        w.directory("a/").symlink("a/b", ".").symlink("x", "a/b/../..");
        CHECK(error_of(w.bytes()).find("points outside") != std::string::npos);
    }
    SECTION("a file written through a link is never followed") {
        zip_writer w;
        w.symlink("l", "..").file("l/evil.txt", "evil");
        scratch s;
        const std::string bytes = w.bytes();  // the archive borrows its bytes
        auto z = zip_archive::open(bytes);
        // Whatever the outcome, nothing lands next to pkg/.
        if (z)
            (void)z->extract_to(s.pkg);
        CHECK(s.outside().empty());
    }
}

TEST_CASE("zip_archive refuses zip bombs by declared and by actual size",
          "[emulator][lambda][zip_archive]") {
    SECTION("declared sizes over the limit") {
        zip_writer w;
        w.file("a", std::string(600, 'a')).file("b", std::string(600, 'b'));
        CHECK(error_of(w.bytes(), zip_limits{100, 1000}).find("would exceed 1000 bytes") !=
              std::string::npos);
    }
    SECTION("too many entries") {
        zip_writer w;
        for (int i = 0; i < 11; ++i) w.file("f" + std::to_string(i), "x");
        CHECK(error_of(w.bytes(), zip_limits{10, 1000}).find("more than 10 entries") !=
              std::string::npos);
    }
    SECTION("an entry inflating past its declared size") {
        // Declare 1 KB for 1 MB of zeros: inflation stops at 1 KB and the entry is refused.
        zip_writer w;
        w.file("bomb", std::string(1 << 20, '\0'));
        std::string bytes = w.bytes();
        const std::uint32_t small = 1024;
        // Uncompressed size in the local (offset 22) and central (offset 24) headers.
        const auto cd = bytes.rfind(std::string("\x50\x4b\x01\x02", 4));
        for (std::size_t at : {std::size_t{22}, cd + 24})
            for (int i = 0; i < 4; ++i)
                bytes[at + i] = static_cast<char>((small >> (8 * i)) & 0xFF);
        CHECK(error_of(bytes).find("larger than declared") != std::string::npos);
    }
}

TEST_CASE("zip_archive refuses malformed archives with a clear error",
          "[emulator][lambda][zip_archive]") {
    zip_writer w;
    w.file("index.js", "exports.handler = async () => 1;\n")
        .file("data.bin", std::string(300, 'z'));
    const std::string good = w.bytes();
    REQUIRE(error_of(good).empty());

    CHECK(error_of("").find("too short") != std::string::npos);
    CHECK(error_of("this is not a zip file, just some text").find("no end of central") !=
          std::string::npos);

    SECTION("every truncation fails cleanly") {
        for (std::size_t n = 0; n < good.size(); ++n) {
            INFO(n);
            CHECK_FALSE(error_of(good.substr(0, n)).empty());
        }
    }
    SECTION("a corrupted data byte is caught by the CRC or by inflate") {
        std::string bad = good;
        bad[30 + 8 + 2] ^= 0x55;  // inside index.js's deflate data
        CHECK_FALSE(error_of(bad).empty());
        zip_writer stored;
        stored.file("a.txt", "hello world", 0100644, false);
        std::string s = stored.bytes();
        s[30 + 5] ^= 0x01;
        CHECK(error_of(s).find("CRC-32 mismatch") != std::string::npos);
    }
    SECTION("every single flipped byte fails cleanly or extracts inside the directory") {
        for (std::size_t i = 0; i < good.size(); ++i) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ 0xA5);
            scratch s;
            auto z = zip_archive::open(bad);
            if (z)
                (void)z->extract_to(s.pkg);
            INFO(i);
            CHECK(s.outside().empty());
        }
    }
    SECTION("encryption and unknown methods") {
        std::string enc = good;
        const auto cd = enc.rfind(std::string("\x50\x4b\x01\x02", 4));
        enc[cd + 8] = 1;  // general purpose flag bit 0
        CHECK(error_of(enc).find("encrypted") != std::string::npos);
        std::string bz = good;
        bz[cd + 10] = 12;  // bzip2
        CHECK(error_of(bz).find("compression method 12") != std::string::npos);
    }
    SECTION("duplicates and files where directories are needed") {
        zip_writer dup;
        dup.file("a.txt", "1").file("./a.txt", "2");
        CHECK(error_of(dup.bytes()).find("appears twice") != std::string::npos);
        zip_writer clash;
        clash.file("a", "file").file("a/b", "below a file");
        CHECK(error_of(clash.bytes()).find("needs a directory") != std::string::npos);
    }
}

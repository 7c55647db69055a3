#pragma once
// The read_store implementations the one contract suite runs against (issue 9: "the same
// projection suite runs on SQLite and on PostgreSQL"): each backend makes an empty store.
//  - memory_backend: core::memory_read_store;
//  - sqlite_backend: a SQLite file in a fresh temporary directory;
//  - postgres_backend: the process's private PostgreSQL server (support/postgres_server.hpp),
//    emptied first (every collection dropped).

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/support/postgres_server.hpp"
#include <catch2/catch.hpp>

#include "esser/adapters/postgres/postgres_read_store.hpp"
#include "esser/adapters/sqlite/sqlite_read_store.hpp"
#include "esser/core/memory_read_store.hpp"

namespace esser::testing {

// A temporary directory removed at scope exit.
class temp_dir {
public:
    temp_dir() {
        std::string t = (std::filesystem::temp_directory_path() / "esser-rs-XXXXXX").string();
        if (!::mkdtemp(t.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = t;
    }

    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct memory_backend {
    static constexpr const char* name = "memory";

    std::unique_ptr<core::read_store> make() { return std::make_unique<core::memory_read_store>(); }
};

struct sqlite_backend {
    static constexpr const char* name = "sqlite";
    temp_dir dir;
    int n = 0;

    std::unique_ptr<core::read_store> make() {
        adapters::sqlite_read_store::options o;
        o.path = dir.file("store" + std::to_string(n++) + ".db");
        auto s = adapters::sqlite_read_store::open(o);
        REQUIRE(s.has_value());
        return std::move(*s);
    }
};

struct postgres_backend {
    static constexpr const char* name = "postgres";

    std::unique_ptr<core::read_store> make() {
        adapters::postgres_read_store::options o;
        o.conninfo = postgres_server::shared().url();
        auto s = adapters::postgres_read_store::open(o);
        if (!s)
            FAIL(s.error().describe());
        auto names = (*s)->collections();
        REQUIRE(names.has_value());
        for (const auto& c : *names) REQUIRE((*s)->drop(c).has_value());
        return std::move(*s);
    }
};

}  // namespace esser::testing

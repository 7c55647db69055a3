#pragma once
// Shared helpers of the persistence tests (issue 9): a scratch directory, one "run" of the
// engine and the streams on a database (node), and SQL behind the store's back.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "emulator/streams/stream_test_support.hpp"
#include <catch2/catch.hpp>
#include <sched.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/persist/sqlite_state_store.hpp"
#include "esser/emulator/streams/stream_registry.hpp"
#include "esser/emulator/streams/streams_api.hpp"

namespace esser::emulator::testing {

using nlohmann::json;

namespace fs = std::filesystem;

// A fresh directory per test, removed at the end.
struct scratch {
    scratch() {
        static int n = 0;
        path = fs::temp_directory_path() /
               ("esser-persist-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        fs::remove_all(path);
        fs::create_directories(path);
    }

    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }

    fs::path db() const { return path / "emulator.sqlite"; }

    fs::path path;
};

// One "run" of the emulator on a database: the engine and the streams restored from it, then
// recording to it, as esser-local wires them. Destroying it is a clean stop.
struct node {
    node(const fs::path& db, std::shared_ptr<core::manual_clock> c, std::uint64_t seed,
         durability_mode mode = durability_mode::normal)
        : node(sqlite_state_store::options{db, mode}, std::move(c), seed) {}

    node(sqlite_state_store::options store_options, std::shared_ptr<core::manual_clock> c,
         std::uint64_t seed)
        : clock(std::move(c)),
          ids(std::make_shared<core::seeded_id_source>(seed)),
          registry(*clock, *ids),
          engine(std::make_unique<dynamo_engine>(options())),
          api(registry) {
        auto opened = sqlite_state_store::open(std::move(store_options));
        if (!opened)
            FAIL(opened.error().describe());
        store = std::move(*opened);
        auto r = store->restore(*engine, registry);
        if (!r)
            FAIL(r.error().describe());
        restored = *r;
        engine->set_observer(&registry);
        engine->set_durability(store.get());
        registry.set_durability(store.get());
    }

    ~node() {
        engine->set_observer(nullptr);
        engine->set_durability(nullptr);
        registry.set_durability(nullptr);
    }

    dynamo_engine::options options() const {
        dynamo_engine::options o;
        o.clock = clock;
        o.ids = ids;
        o.region = "eu-west-1";
        o.account_id = "123456789012";
        return o;
    }

    // The response of a call that must succeed.
    static json ok(std::string_view op, const adapters::aws_result& r) {
        INFO(op << ": " << (r ? std::string() : r.error().type + ": " + r.error().message));
        REQUIRE(r);
        return *r;
    }

    json db(std::string_view op, const json& req) { return ok(op, engine->dispatch(op, req)); }

    json streams(std::string_view op, const json& req) { return ok(op, api.dispatch(op, req)); }

    // Every record of the stream in lineage order, through the Streams JSON API.
    std::vector<json> records(const std::string& arn) {
        testing::reference_consumer c(api, arn);
        c.poll();
        return c.records();
    }

    // Every item of the table (Scan), in key order.
    json scan(const std::string& table) {
        json items = db("Scan", {{"TableName", table}})["Items"];
        std::sort(items.begin(), items.end(),
                  [](const json& a, const json& b) { return a.dump() < b.dump(); });
        return items;
    }

    std::shared_ptr<core::manual_clock> clock;
    std::shared_ptr<core::seeded_id_source> ids;
    std::unique_ptr<sqlite_state_store> store;  // outlives what records to it
    stream_registry registry;
    std::unique_ptr<dynamo_engine> engine;
    streams_api api;
    sqlite_state_store::restored restored;
};

// A table keyed by "pk" (S) with a NEW_IMAGE stream.
inline json stream_table(const std::string& name) {
    return {
        {"TableName", name},
        {"AttributeDefinitions", json::array({{{"AttributeName", "pk"}, {"AttributeType", "S"}}})},
        {"KeySchema", json::array({{{"AttributeName", "pk"}, {"KeyType", "HASH"}}})},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}}}};
}

// Runs SQL on the database behind the store's back (what a user or a bug could do).
inline void run_sql(const fs::path& db_path, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

constexpr int no_user_namespaces = 77;

// Runs `body` in a forked child (inside a new user namespace when `unprivileged`); its exit
// code, 128 + signal when it died of one (a child that kills itself with SIGKILL: 137).
inline int in_child(bool unprivileged, const std::function<int()>& body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (unprivileged && ::unshare(CLONE_NEWUSER) != 0)
            ::_exit(no_user_namespaces);
        int rc = 1;
        try {
            rc = body();
        } catch (...) {
            rc = 2;
        }
        std::fflush(nullptr);
        ::_exit(rc);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A file's bytes.
inline std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace esser::emulator::testing

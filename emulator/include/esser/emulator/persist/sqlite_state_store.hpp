#pragma once
// sqlite_state_store: esser-local's emulator state in one SQLite database (--data-dir DIR:
// DIR/emulator.sqlite; issue 9 "Emulator persistence"). It is the durability_sink of the
// engine and of the streams, and restores both at start-up.
//
//   auto store = sqlite_state_store::open({.path = dir / "emulator.sqlite"});
//   store->restore(engine, registry);        // before traffic
//   engine.set_durability(store.get());
//   registry.set_durability(store.get());
//
// What it holds: every table's definition (indexes, TTL, tags, stream identity), every item
// (the engine's encoding), every stream's state (shards with lineage, counters) and every
// stream record with its position and sequence number; and the other services' state as
// documents (durability_sink.hpp document_saved): event source mappings with their per-shard
// checkpoints (esm_service), functions created through the Lambda API (lambda_service; their
// zip packages are files next to the database), SQS queues and their messages (sqs_service).
// Each service encodes and restores its own documents (their restore_* members), after
// restore() and in dependency order: functions and queues before mappings.
//
// Durability: the database is in WAL mode. Units submitted by concurrent requests are written
// together, one SQLite transaction per batch (group commit): the first waiting request becomes
// the writer and commits everything queued so far, the others wait for it, so N concurrent
// requests cost one transaction, not N. A unit is never split across transactions, so after a
// crash (kill -9) every acknowledged write and its stream record are present and nothing
// half-written is. durability_mode::normal (synchronous=NORMAL) survives a process crash;
// full (synchronous=FULL) fsyncs each transaction before acknowledging, so it survives a power
// loss too.
//
// Bad input: a file that is not an SQLite database, a database of another schema version
// (PRAGMA user_version), or damaged content is refused by open()/restore() with an error
// naming the file; nothing is written to it. A storage failure while serving (disk full, I/O
// error) fails that transaction and every later wait (std::runtime_error), so no write is
// acknowledged that is not stored; failure() tells the engine to refuse every later request
// (the change whose transaction failed stays in memory: nothing may read it) and
// options.on_failure tells esser-local to stop. A restart serves exactly what was stored.
//
// Thread safety: submit() and wait_durable() from any thread; open/restore/destruction from one.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/error.hpp"
#include "esser/emulator/dynamo/durability_sink.hpp"

struct sqlite3;

namespace esser::emulator {

class dynamo_engine;
class esm_service;
class lambda_service;
class sqs_service;
class stream_registry;

enum class durability_mode : std::uint8_t { normal, full };

class sqlite_state_store final : public durability_sink {
public:
    // The schema this build reads and writes (PRAGMA user_version). A database of another
    // version is refused; version 1 (before documents) is upgraded in place.
    static constexpr int schema_version = 2;

    struct options {
        std::filesystem::path path;
        durability_mode durability = durability_mode::normal;
        // How long open() waits for a database another connection holds before refusing it.
        std::chrono::milliseconds busy_timeout{2000};
        // Called once, on the storage's first failure while serving (from the thread that
        // found it), with the text every later wait throws: esser-local stops on it.
        std::function<void(const std::string&)> on_failure;
    };

    // Opens (creating when missing) the database and holds it exclusively until destroyed
    // (locking_mode=EXCLUSIVE: the data dir is esser-local's alone, and the WAL index lives in
    // memory instead of a -shm file). Errors: errc::unavailable when it cannot be opened or
    // written (a read-only file or directory, a read-only file system, a database another
    // connection holds past options.busy_timeout: "database is locked"), errc::parse_error
    // when the file is not an SQLite database, is damaged or has another schema version;
    // source = the path. Nothing is written to a file that is refused.
    [[nodiscard]] static core::result<std::unique_ptr<sqlite_state_store>> open(options o);

    // Writes what is still queued, then closes.
    ~sqlite_state_store() override;
    sqlite_state_store(const sqlite_state_store&) = delete;
    sqlite_state_store& operator=(const sqlite_state_store&) = delete;

    struct restored {
        std::size_t tables = 0;
        std::size_t items = 0;
        std::size_t streams = 0;
        std::size_t records = 0;
        std::vector<std::string> table_names;
        // Filled by whoever restores the documents (esser-local's local_environment).
        std::size_t functions = 0;
        std::size_t queues = 0;
        std::size_t messages = 0;
        std::size_t mappings = 0;
    };

    // Loads everything into an engine and a registry that are still empty (before traffic,
    // before set_durability). Errors name what is damaged.
    [[nodiscard]] core::result<restored> restore(dynamo_engine& engine, stream_registry& streams);

    // Restores the other services' documents after restore() (before their set_durability):
    // functions, then queues and their messages, then event source mappings with their
    // checkpoints (their pollers may start at once, so what they name comes first). Adds the
    // counts to `counts`. Errors name the store, the document and what is wrong with it.
    [[nodiscard]] core::result<void> restore_services(lambda_service& functions,
                                                      sqs_service& queues, esm_service& mappings,
                                                      restored& counts);

    // Calls fn(id, body) for every document of `kind`, by id; stops at fn's first error, which
    // is returned naming the store, the kind and the id. Returns how many were read.
    [[nodiscard]] core::result<std::size_t> for_each_document(
        std::string_view kind,
        const std::function<core::result<void>(std::string_view id, std::string_view body)>& fn);

    // ---- durability_sink ----
    std::uint64_t submit(std::vector<durable_change> unit) override;
    void wait_durable(std::uint64_t ticket) override;
    std::string failure() const override;

    const options& config() const { return opts_; }

private:
    explicit sqlite_state_store(options o);
    core::result<void> init();
    core::error failure(int rc, std::string_view doing) const;
    // One transaction holding every change of `units`; the error text, or empty.
    std::string write(const std::vector<std::vector<durable_change>>& units);

    struct statements;

    options opts_;
    sqlite3* db_ = nullptr;
    std::unique_ptr<statements> stmts_;

    mutable std::mutex mu_;  // guards everything below
    std::condition_variable written_;
    std::vector<std::vector<durable_change>> queue_;
    std::uint64_t submitted_ = 0;          // ticket of the last unit queued
    std::uint64_t durable_ = 0;            // ticket of the last unit written
    bool writing_ = false;                 // a waiter is writing a batch (the others wait)
    std::string failed_;                   // the storage failure, once one happened
    std::atomic<bool> has_failed_{false};  // failed_ is set (read without the mutex)
};

}  // namespace esser::emulator

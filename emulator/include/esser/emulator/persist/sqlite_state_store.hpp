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
// Durability: the database is in WAL mode, and a write is acknowledged once it survives what
// its mode promises (docs/run.md).
//   - durability_mode::normal: survives a crash of esser-local (kill -9), not an OS crash or a
//     power loss. The units are appended to a journal next to the database (the path with the
//     extension ".journal": DIR/emulator.journal; format in journal_codec.hpp) with one write()
//     per group of waiting requests; once write() returned the kernel holds them. A background
//     applier writes journaled units to SQLite in large transactions (synchronous=NORMAL), each
//     also storing the journal sequence it applied, and cuts the journal back to its header
//     when it caught up (when the journal reaches options.journal_limit, writers wait for that:
//     backpressure). open() replays the records beyond the applied sequence into SQLite before
//     anything else; a torn end (an OS crash or a failed append: never acknowledged) is cut off
//     with a warning (options.on_warning), damage inside the journal is refused.
//   - durability_mode::full: no journal. Units submitted by concurrent requests are written
//     together, one SQLite transaction per batch (group commit: the first waiting request
//     becomes the writer and commits everything queued so far, the others wait for it) with
//     synchronous=FULL, so each transaction is fsynced before it is acknowledged and survives a
//     power loss too. A journal left by a run in normal mode is replayed at open, then removed.
// Either way a unit is never split: after a crash every acknowledged write and its stream
// record are present and nothing half-written is.
//
// Bad input: a file that is not an SQLite database, a database of another schema version
// (PRAGMA user_version), or damaged content is refused by open()/restore() with an error
// naming the file; so is a journal damaged inside (errc::parse_error naming the journal and the
// record's byte offset) or one whose sequence does not continue the database's. Nothing is
// written to a file that is refused. A storage failure while serving (disk full, I/O error, in
// the journal or in SQLite) fails that write and every later wait (std::runtime_error), so no write
// is acknowledged that is not stored; failure() tells the engine to refuse every later request (the
// change whose transaction failed stays in memory: nothing may read it) and options.on_failure
// tells esser-local to stop. A restart serves exactly what was stored.
//
// Thread safety: submit() and wait_durable() from any thread; open/restore/destruction from one.
// restore(), restore_services() and for_each_document() read the database on the caller's
// thread: call them before anything is submitted (normal mode's applier writes it afterwards).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "esser/core/error.hpp"
#include "esser/emulator/dynamo/durability_sink.hpp"
#include "esser/emulator/persist/journal_codec.hpp"
#include "esser/emulator/persist/journal_file.hpp"

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
    // version is refused; versions 1 (before documents) and 2 (before the journal's applied
    // sequence) are upgraded in place.
    static constexpr int schema_version = 3;

    struct options {
        std::filesystem::path path;
        durability_mode durability = durability_mode::normal;
        // How long open() waits for a database another connection holds before refusing it.
        std::chrono::milliseconds busy_timeout{2000};
        // Called once, on the storage's first failure while serving (from the thread that
        // found it), with the text every later wait throws: esser-local stops on it.
        std::function<void(const std::string&)> on_failure;
        // Called at open with what was cut off the end of the journal (a torn record); default:
        // a line on stderr.
        std::function<void(const std::string&)> on_warning;
        // Normal mode: the journal's size at which writers wait until the applier has written
        // everything to SQLite and cut the journal (bounds the journal, the replay at open and
        // the units held in memory until applied).
        std::uint64_t journal_limit = 16u << 20;
        // Normal mode: the applier writes to SQLite once this many units wait, or
        // apply_interval after the first one came.
        std::size_t apply_after_units = 512;
        std::chrono::milliseconds apply_interval{10};
        // Normal mode: a group of units is written as records of at most this many payload
        // bytes (whole units; all of them with the one write()). A single unit above it fails.
        std::size_t journal_record_limit = journal_codec::max_record_bytes;
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
        std::size_t journal_records = 0;  // replayed from the journal at open
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

    // The journal of normal mode: the database's path with the extension ".journal".
    std::filesystem::path journal_path() const;

private:
    explicit sqlite_state_store(options o);
    core::result<void> init();
    // Applies the journal's records beyond the applied sequence, then leaves it empty (normal
    // mode, kept open for appends) or removes it (full mode).
    core::result<void> replay_journal();
    core::error failure(int rc, std::string_view doing) const;
    // One transaction holding every change of `units`, storing `applied` as the journal
    // sequence applied when it is set; the error text, or empty.
    std::string write(const std::vector<const std::vector<durable_change>*>& units,
                      std::optional<std::uint64_t> applied);
    // Normal mode: appends `batch` to the journal with one write(), as records of at most
    // journal_record_limit bytes, which it moves the units into (`written`); the error text,
    // or empty.
    std::string append_to_journal(std::vector<std::vector<durable_change>>& batch,
                                  std::vector<journal_record>& written);
    // The background applier (normal mode): journaled records into SQLite, then the journal
    // cut back to its header when caught up.
    void apply_loop();
    // Records the storage's first failure (under mu_); true when it is the first.
    bool fail_locked(std::string error);
    void report_failure(std::unique_lock<std::mutex>& lock, bool first);

    struct statements;

    options opts_;
    sqlite3* db_ = nullptr;
    std::unique_ptr<statements> stmts_;
    std::uint64_t applied_ = 0;  // the journal sequence SQLite holds (open and the applier)
    std::size_t replayed_ = 0;   // journal records replayed at open

    // Normal mode. The writer (the waiter holding writing_) alone touches these two:
    std::optional<journal_file> journal_;
    std::string journal_buffer_;

    mutable std::mutex mu_;  // guards everything below
    std::condition_variable written_;
    std::vector<std::vector<durable_change>> queue_;
    std::uint64_t submitted_ = 0;          // ticket of the last unit queued
    std::uint64_t durable_ = 0;            // ticket of the last unit written
    bool writing_ = false;                 // a waiter is writing a batch (the others wait), or
                                           // the applier is cutting the journal
    std::string failed_;                   // the storage failure, once one happened
    std::atomic<bool> has_failed_{false};  // failed_ is set (read without the mutex)
    // Normal mode:
    std::uint64_t journal_sequence_ = 0;     // sequence of the last record appended
    std::uint64_t journal_bytes_ = 0;        // the journal's size
    std::vector<journal_record> journaled_;  // appended, not yet applied to SQLite
    std::size_t journaled_units_ = 0;
    bool cut_wanted_ = false;  // a writer waits for the journal to be cut (journal_limit)
    bool stopping_ = false;
    std::condition_variable apply_wanted_;
    std::thread applier_;
};

}  // namespace esser::emulator

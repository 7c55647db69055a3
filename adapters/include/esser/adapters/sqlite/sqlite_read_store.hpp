#pragma once
// core::read_store over SQLite 3: the embedded default read store (issue 9). The contract is in
// core/read_store.hpp; this file adds what is SQLite's own.
//
// Storage: one table per collection, named like it:
//   CREATE TABLE "<collection>" (id TEXT PRIMARY KEY, version INTEGER NOT NULL,
//                                doc TEXT /* JSON; NULL = removed */, updated_at TEXT NOT NULL)
// plus the catalog esser_read_collections(name). The database runs in WAL mode with
// synchronous=NORMAL (a committed batch survives a process crash; the last batches may be lost on
// power loss, which at-least-once redelivery repairs), unless `synchronous_full` is set.
//
// Writes: one write() is one BEGIN IMMEDIATE ... COMMIT transaction with cached prepared
// statements; a failed batch is rolled back entirely. Filters run on SQLite's JSON1 functions
// (json_extract / json_type), so they scan the collection: fine for the esser API's paging over
// read models of modest size; index a hot member with plain SQL if needed.
//
// Errors: opening fails with errc::unavailable (type "SQLITE_CANTOPEN", ...) naming the path, or
// errc::parse_error for a file that is not a SQLite database. A locked database (another writer
// beyond busy_timeout), a read-only file or a full disk make writes fail with errc::unavailable
// (type "SQLITE_BUSY", "SQLITE_READONLY", "SQLITE_FULL", ...), writing nothing.
//
// Thread-safety: one connection, serialised by a mutex. Several processes may share a file
// (SQLite's locking); readers in other processes see each committed batch.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "esser/core/read_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace esser::adapters {

class sqlite_read_store final : public core::read_store {
public:
    struct options {
        std::string path = ":memory:";  // a file name, or ":memory:" (private to this store)
        bool read_only = false;         // open for reading only (an API process next to a writer)
        bool create = true;             // create the file when missing (ignored when read_only)
        std::chrono::milliseconds busy_timeout{5000};  // wait this long for another writer
        bool synchronous_full = false;  // fsync at every commit (PRAGMA synchronous=FULL)
    };

    [[nodiscard]] static core::result<std::unique_ptr<sqlite_read_store>> open(options opts);

    ~sqlite_read_store() override;
    sqlite_read_store(const sqlite_read_store&) = delete;
    sqlite_read_store& operator=(const sqlite_read_store&) = delete;

    [[nodiscard]] core::result<std::size_t> write(const std::vector<core::write_op>& ops) override;
    [[nodiscard]] core::result<std::optional<core::document>> get(std::string_view collection,
                                                                  std::string_view id) override;
    [[nodiscard]] core::result<core::document_page> list(std::string_view collection,
                                                         const core::list_query& q) override;
    [[nodiscard]] core::result<std::vector<std::string>> collections() override;
    [[nodiscard]] core::result<void> drop(std::string_view collection) override;

    const options& settings() const { return opts_; }

private:
    struct statements {
        sqlite3_stmt* upsert = nullptr;  // also removals: a NULL doc
        sqlite3_stmt* get = nullptr;
    };

    explicit sqlite_read_store(options opts);
    core::result<void> init();
    // Creates the collection's table (inside the caller's transaction) and prepares its
    // statements.
    core::result<statements*> writable(const std::string& collection);
    // The collection's statements if its table exists; null when it does not.
    core::result<statements*> readable(std::string_view collection);
    core::result<statements*> prepare(const std::string& collection);
    core::result<void> exec(const char* sql);
    void forget_statements();
    core::error fail_with(int rc, std::string_view doing) const;

    options opts_;
    sqlite3* db_ = nullptr;
    std::mutex mu_;
    std::map<std::string, statements, std::less<>> stmts_;  // collections known to exist
};

}  // namespace esser::adapters

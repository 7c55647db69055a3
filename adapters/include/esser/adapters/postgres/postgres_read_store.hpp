#pragma once
// core::read_store over PostgreSQL (libpq): the read store for teams that have a PostgreSQL
// (`--read-store postgres://...`, issue 9). The contract is in core/read_store.hpp; this file adds
// what is PostgreSQL's own.
//
// Storage: one table per collection, named like it (lowercase, see read_store.hpp):
//   CREATE TABLE "<collection>" (id TEXT COLLATE "C" PRIMARY KEY, version BIGINT NOT NULL,
//                                doc JSONB /* NULL = removed */, updated_at TEXT NOT NULL)
// plus the catalog esser_read_collections(name), in the connection's default schema. Ids use the
// "C" collation so pages come in byte order whatever the database's locale.
//
// Writes: a batch costs one statement per collection (the rows travel as one JSON array,
// `INSERT ... SELECT ... FROM jsonb_array_elements($1) ON CONFLICT (id) DO UPDATE ... WHERE
// version < EXCLUDED.version`), inside BEGIN/COMMIT when it spans several collections or creates
// a table. Filters compare `doc -> member` with a jsonb value (numbers numerically).
//
// The server going away: every operation runs on one connection; when it is lost (the server
// restarted, a network cut, SQLSTATE class 08, 57P01-57P03), the store reconnects with
// exponential backoff (backoff_initial doubling up to backoff_max) and runs the operation again,
// for at most `retry_for`. Re-running is safe because every operation is idempotent (writes are
// version-guarded), including after a COMMIT whose outcome was lost. Past `retry_for` the
// operation fails with errc::unavailable (type: the SQLSTATE, or "connection"); nothing is
// reported written that was not, so a projection fails its stream record and the stream delivers
// it again: the checkpoint never passes what was written. Other server errors map to
// errc::unavailable (type = SQLSTATE) without a retry.
//
// Thread-safety: one connection, serialised by a mutex (a caller waiting out an outage holds it).

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "esser/core/read_store.hpp"

struct pg_conn;
struct pg_result;

namespace esser::adapters {

class postgres_read_store final : public core::read_store {
public:
    struct options {
        // A libpq connection string: "postgresql://user@127.0.0.1:5432/db" or
        // "host=127.0.0.1 port=5432 dbname=db user=u".
        std::string conninfo;
        std::chrono::milliseconds retry_for{5000};
        std::chrono::milliseconds backoff_initial{20};
        std::chrono::milliseconds backoff_max{1000};
        int connect_timeout_s = 5;  // libpq connect_timeout for each attempt
    };

    // Connects (retrying as above) and creates the catalog. errc::unavailable when the server
    // cannot be reached within retry_for; errc::invalid_argument for a malformed conninfo.
    [[nodiscard]] static core::result<std::unique_ptr<postgres_read_store>> open(options opts);

    ~postgres_read_store() override;
    postgres_read_store(const postgres_read_store&) = delete;
    postgres_read_store& operator=(const postgres_read_store&) = delete;

    [[nodiscard]] core::result<std::size_t> write(const std::vector<core::write_op>& ops) override;
    [[nodiscard]] core::result<std::optional<core::document>> get(std::string_view collection,
                                                                  std::string_view id) override;
    [[nodiscard]] core::result<core::document_page> list(std::string_view collection,
                                                         const core::list_query& q) override;
    [[nodiscard]] core::result<std::vector<std::string>> collections() override;
    [[nodiscard]] core::result<void> drop(std::string_view collection) override;

    // How many connections were established so far (1 after open; more after outages).
    std::uint64_t connections() const;

private:
    class session;  // what one attempt of an operation sees (src/postgres/postgres_read_store.cpp)

    explicit postgres_read_store(options opts);
    core::result<void> connect();
    void disconnect();
    // Runs `attempt` on a live connection; reconnects and re-runs it while the connection is the
    // problem and retry_for allows.
    template <class T, class F>
    core::result<T> run(std::string_view what, F&& attempt);

    options opts_;
    pg_conn* conn_ = nullptr;
    mutable std::mutex mu_;
    std::set<std::string, std::less<>> tables_;  // collections known to have a table
    std::uint64_t connections_ = 0;
};

}  // namespace esser::adapters

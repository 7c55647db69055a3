#pragma once
// The read_store port: where projections keep their read models (DESIGN.md "Stream handler",
// issue 9 "Read stores").
//
// A read store holds named *collections* of JSON *documents*. Each document has an id, a
// version and an updated_at text; its body is a JSON object. The version makes writes
// idempotent under the stream's at-least-once delivery: a write is applied only when its version
// is greater than the stored one, so a redelivered or older write is ignored (projection.hpp).
//
// Implementations (all pass the one contract suite, tests/adapters/read_store_contract_test.cpp):
//  - core::memory_read_store: in process, for tests and for esser-local without a read store;
//  - adapters::sqlite_read_store: SQLite 3 (WAL), a file or ":memory:"; the embedded default;
//  - adapters::postgres_read_store: PostgreSQL through libpq; reconnects with backoff.
// adapters::open_read_store(url) picks one from a URL ("memory:", "sqlite:PATH",
// "postgres://...").
//
// In SQL stores each collection is one table named like the collection, with the columns
//   id TEXT PRIMARY KEY, version BIGINT, doc (JSON text / jsonb; NULL for a removed document),
//   updated_at TEXT
// so a read model can also be queried with plain SQL. The built-in aggregate-state projection
// writes one collection per entity (aggregate_state_projection.hpp).
//
// Custom projections (C++) write their own collections through this same port:
//
//   class basket_totals final : public core::projection {   // a custom read model
//       core::read_store& store_;
//       result<void> apply(const event& e) override {
//           if (e.entity != "Basket") return {};
//           auto written = store_.upsert("basket_totals", {e.id, e.version, {{"total", ...}},
//           e.at}); if (!written) return core::fail(written.error());   // retried by the stream
//           return {};
//       }
//   };
//
// A projection that derives one document from several streams must still give each write a
// version that grows with what it has seen (e.g. a counter kept in the document itself, read with
// get() first); per-stream projections simply use the event's version. For throughput, collect
// writes in apply() and send them with one write() from projection::flush(): a batch is one
// transaction in the SQL stores.
//
// Contract (every implementation):
//  - Collection names match [a-z][a-z0-9_]{0,62} (lowercase: SQLite table names ignore case and
//    PostgreSQL folds unquoted ones, so `SELECT * FROM items` works in both) and do not start
//    with "esser_" (reserved); ids are non-empty, at most 1024 bytes, without NUL; versions
//    are 1..2^63-1; bodies are JSON objects whose strings contain no NUL (PostgreSQL's jsonb cannot
//    store it). Anything else is errc::invalid_argument and writes nothing.
//  - A collection exists from its first write on; reading an unknown collection reads as empty.
//  - upsert(c, d) stores d iff c has no document d.id, or its stored version (of a document or
//    of a removal) is < d.version. remove(c, id, v) likewise replaces the document by a
//    tombstone at version v, so a late older upsert cannot bring it back. Both return whether
//    they changed the store.
//  - write(ops) applies a batch atomically: all of it or nothing. Ops for the same document are
//    first reduced to the one with the highest version (the first of equal ones). Returns how
//    many of the reduced ops changed the store.
//  - get() returns the live document (not a tombstone); list() returns live documents in
//    ascending byte order of id, a page at a time (list_query).
//  - Failures of the backend (unreachable, locked, read-only, disk full) are values:
//    errc::unavailable (retryable; `type` names the backend's code, e.g. "SQLITE_BUSY" or a
//    SQLSTATE). A failed write wrote nothing; after an unknown outcome (connection lost during
//    COMMIT) writing the same ops again is safe because they are idempotent.
//  - Safe to call from several threads (each implementation serialises as it needs).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::core {

struct document {
    std::string id;
    std::uint64_t version = 0;
    nlohmann::json body = nlohmann::json::object();
    std::string updated_at;  // RFC 3339 by convention (the built-in projection: the event's `at`)

    friend bool operator==(const document&, const document&) = default;
};

// One write of a batch.
struct write_op {
    enum class kind : std::uint8_t { upsert, remove };

    kind what = kind::upsert;
    std::string collection;
    document doc;  // remove: only id, version and updated_at are used

    static write_op upsert(std::string collection, document d);
    static write_op remove(std::string collection, std::string id, std::uint64_t version,
                           std::string updated_at = {});
};

// A page request: documents whose body has every `where` member equal to the given value, in
// ascending id order, starting after the id `after` ("" = from the start), at most `limit`.
struct list_query {
    // Member names match [A-Za-z0-9_-]{1,64}; values are scalars (string, number, boolean,
    // null). Numbers compare numerically (1 == 1.0); a missing member never matches.
    std::vector<std::pair<std::string, nlohmann::json>> where;
    std::size_t limit = 100;  // 1..max_limit
    std::string after;        // the previous page's `next`

    static constexpr std::size_t max_limit = 1000;
};

struct document_page {
    std::vector<document> items;
    std::string next;  // pass as list_query::after for the next page; "" on the last page
};

class read_store {
public:
    virtual ~read_store() = default;

    // See the contract above. write() with no ops is a no-op returning 0.
    [[nodiscard]] virtual result<std::size_t> write(const std::vector<write_op>& ops) = 0;

    [[nodiscard]] virtual result<std::optional<document>> get(std::string_view collection,
                                                              std::string_view id) = 0;

    [[nodiscard]] virtual result<document_page> list(std::string_view collection,
                                                     const list_query& q) = 0;

    // Names of the collections written so far, sorted.
    [[nodiscard]] virtual result<std::vector<std::string>> collections() = 0;

    // Removes a collection and everything in it (rebuilding a read model from scratch). An
    // unknown collection is not an error.
    [[nodiscard]] virtual result<void> drop(std::string_view collection) = 0;

    // One-op conveniences over write(): true when the store changed.
    [[nodiscard]] result<bool> upsert(std::string_view collection, document d);
    [[nodiscard]] result<bool> remove(std::string_view collection, std::string_view id,
                                      std::uint64_t version, std::string updated_at = {});
};

// Shared checks and batch reduction, used by every implementation (so all of them accept and
// refuse exactly the same input). Each returns errc::invalid_argument naming the problem.
namespace read_store_rules {

[[nodiscard]] result<void> check_collection(std::string_view name);
[[nodiscard]] result<void> check_op(const write_op& op);
[[nodiscard]] result<void> check_query(const list_query& q);

// Validates every op, then reduces the batch (contract above): the surviving ops, in the order
// of their first appearance.
[[nodiscard]] result<std::vector<const write_op*>> reduce_batch(const std::vector<write_op>& ops);

// Whether `body` satisfies every `where` clause (the reference semantics the SQL stores mirror).
bool matches(const nlohmann::json& body, const list_query& q);

}  // namespace read_store_rules

}  // namespace esser::core

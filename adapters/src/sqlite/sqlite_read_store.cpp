#include "esser/adapters/sqlite/sqlite_read_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace esser::adapters {

using core::document;
using core::error;
using core::fail;
using core::result;
using nlohmann::json;

namespace {

// The name of SQLite's primary result code, for error::type (stable, greppable).
const char* code_name(int rc) {
    switch (rc & 0xff) {
        case SQLITE_BUSY:
            return "SQLITE_BUSY";
        case SQLITE_LOCKED:
            return "SQLITE_LOCKED";
        case SQLITE_READONLY:
            return "SQLITE_READONLY";
        case SQLITE_IOERR:
            return "SQLITE_IOERR";
        case SQLITE_CORRUPT:
            return "SQLITE_CORRUPT";
        case SQLITE_FULL:
            return "SQLITE_FULL";
        case SQLITE_CANTOPEN:
            return "SQLITE_CANTOPEN";
        case SQLITE_PERM:
            return "SQLITE_PERM";
        case SQLITE_NOTADB:
            return "SQLITE_NOTADB";
        case SQLITE_NOMEM:
            return "SQLITE_NOMEM";
        case SQLITE_CONSTRAINT:
            return "SQLITE_CONSTRAINT";
        case SQLITE_TOOBIG:
            return "SQLITE_TOOBIG";
        case SQLITE_AUTH:
            return "SQLITE_AUTH";
        default:
            return "SQLITE_ERROR";
    }
}

// Identifiers are checked by read_store_rules::check_collection ([A-Za-z0-9_]), so quoting is
// only about keywords; doubling quotes would be needed for anything else.
std::string ident(std::string_view name) {
    return fmt::format("\"{}\"", name);
}

// Resets a statement when leaving a scope, so a cached statement never holds a read lock.
struct stmt_reset {
    sqlite3_stmt* s;

    ~stmt_reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

void bind_text(sqlite3_stmt* s, int i, std::string_view text) {
    sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* s, int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

// A row (version, doc, updated_at[, id]) as a document; the stored JSON was written by us, so a
// parse failure means someone edited the table by hand.
result<document> row_document(sqlite3_stmt* s, std::string id, int first) {
    document d;
    d.id = std::move(id);
    d.version = static_cast<std::uint64_t>(sqlite3_column_int64(s, first));
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, first + 1));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, first + 1));
    d.body = json::parse(p, p + n, nullptr, false);
    if (d.body.is_discarded() || !d.body.is_object()) {
        return fail(error::parse_error(
            fmt::format("sqlite read store: document \"{}\" does not hold a JSON object", d.id)));
    }
    d.updated_at = column_text(s, first + 2);
    return d;
}

}  // namespace

sqlite_read_store::sqlite_read_store(options opts) : opts_(std::move(opts)) {}

sqlite_read_store::~sqlite_read_store() {
    forget_statements();
    if (db_)
        sqlite3_close_v2(db_);
}

result<std::unique_ptr<sqlite_read_store>> sqlite_read_store::open(options opts) {
    std::unique_ptr<sqlite_read_store> store(new sqlite_read_store(std::move(opts)));
    if (auto r = store->init(); !r)
        return fail(std::move(r).error());
    return store;
}

error sqlite_read_store::fail_with(int rc, std::string_view doing) const {
    const char* msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    error e = (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) ? error::parse_error("")
                                                                      : error::unavailable("");
    e.message = fmt::format("sqlite read store {}: {}: {}", opts_.path, doing, msg);
    e.type = code_name(rc);
    e.source = opts_.path;
    return e;
}

result<void> sqlite_read_store::exec(const char* sql) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return fail(fail_with(rc, sql));
    return {};
}

result<void> sqlite_read_store::init() {
    int flags = SQLITE_OPEN_NOMUTEX;  // one connection behind our own mutex
    if (opts_.read_only) {
        flags |= SQLITE_OPEN_READONLY;
    } else {
        flags |= SQLITE_OPEN_READWRITE;
        if (opts_.create)
            flags |= SQLITE_OPEN_CREATE;
    }
    int rc = sqlite3_open_v2(opts_.path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        error e = fail_with(rc, "cannot open");
        sqlite3_close_v2(db_);
        db_ = nullptr;
        return fail(std::move(e));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(opts_.busy_timeout.count()));
    // Reading the schema is what detects a file that is not a database.
    if (auto r = exec("SELECT count(*) FROM sqlite_master"); !r)
        return r;
    if (opts_.read_only)
        return {};
    if (auto r = exec("PRAGMA journal_mode=WAL"); !r)
        return r;
    if (auto r =
            exec(opts_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        !r) {
        return r;
    }
    return exec("CREATE TABLE IF NOT EXISTS esser_read_collections (name TEXT PRIMARY KEY)");
}

void sqlite_read_store::forget_statements() {
    for (auto& [name, s] : stmts_) {
        sqlite3_finalize(s.upsert);
        sqlite3_finalize(s.get);
    }
    stmts_.clear();
}

result<sqlite_read_store::statements*> sqlite_read_store::prepare(const std::string& collection) {
    const std::string t = ident(collection);
    const std::string upsert = fmt::format(
        "INSERT INTO {0} (id, version, doc, updated_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version, doc = excluded.doc, "
        "updated_at = excluded.updated_at WHERE excluded.version > {0}.version",
        t);
    const std::string get =
        fmt::format("SELECT version, doc, updated_at FROM {} WHERE id = ?1 AND doc IS NOT NULL", t);
    statements s;
    auto prep = [&](const std::string& sql, sqlite3_stmt** out) {
        return sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, out, nullptr);
    };
    int rc = prep(upsert, &s.upsert);
    if (rc == SQLITE_OK)
        rc = prep(get, &s.get);
    if (rc != SQLITE_OK) {
        error e = fail_with(rc, "prepare");
        sqlite3_finalize(s.upsert);
        sqlite3_finalize(s.get);
        return fail(std::move(e));
    }
    return &stmts_.emplace(collection, s).first->second;
}

result<sqlite_read_store::statements*> sqlite_read_store::writable(const std::string& collection) {
    if (auto it = stmts_.find(collection); it != stmts_.end())
        return &it->second;
    const std::string ddl = fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
        "doc TEXT, updated_at TEXT NOT NULL) WITHOUT ROWID; "
        "INSERT OR IGNORE INTO esser_read_collections (name) VALUES ('{}')",
        ident(collection), collection);
    if (auto r = exec(ddl.c_str()); !r)
        return fail(std::move(r).error());
    return prepare(collection);
}

result<sqlite_read_store::statements*> sqlite_read_store::readable(std::string_view collection) {
    if (auto it = stmts_.find(collection); it != stmts_.end())
        return &it->second;
    // Another connection (a writer process) may have created it since we last looked.
    sqlite3_stmt* q = nullptr;
    const char* sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";
    int rc = sqlite3_prepare_v2(db_, sql, -1, &q, nullptr);
    if (rc != SQLITE_OK)
        return fail(fail_with(rc, "prepare"));
    bind_text(q, 1, collection);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return static_cast<statements*>(nullptr);
    if (rc != SQLITE_ROW)
        return fail(fail_with(rc, "read the schema"));
    return prepare(std::string(collection));
}

result<std::size_t> sqlite_read_store::write(const std::vector<core::write_op>& ops) {
    auto reduced = core::read_store_rules::reduce_batch(ops);
    if (!reduced)
        return fail(std::move(reduced).error());
    if (reduced->empty())
        return std::size_t{0};
    std::lock_guard lock(mu_);
    if (opts_.read_only) {
        error e = error::unavailable(
            fmt::format("sqlite read store {}: opened read-only, cannot write", opts_.path));
        e.type = "SQLITE_READONLY";
        e.source = opts_.path;
        return fail(std::move(e));
    }
    int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return fail(fail_with(rc, "begin a write transaction"));
    auto rollback = [&](error e) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        // Tables created in this transaction are gone again: forget what we prepared.
        forget_statements();
        return fail(std::move(e));
    };
    std::size_t changed = 0;
    std::string text;
    for (const core::write_op* op : *reduced) {
        auto s = writable(op->collection);
        if (!s)
            return rollback(std::move(s).error());
        sqlite3_stmt* st = (*s)->upsert;
        stmt_reset guard{st};
        bind_text(st, 1, op->doc.id);
        sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(op->doc.version));
        if (op->what == core::write_op::kind::upsert) {
            text = op->doc.body.dump();
            bind_text(st, 3, text);
        } else {
            sqlite3_bind_null(st, 3);
        }
        bind_text(st, 4, op->doc.updated_at);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            return rollback(fail_with(rc, fmt::format("write {}/{}", op->collection, op->doc.id)));
        changed += static_cast<std::size_t>(sqlite3_changes(db_));
    }
    rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return rollback(fail_with(rc, "commit"));
    return changed;
}

result<std::optional<document>> sqlite_read_store::get(std::string_view collection,
                                                       std::string_view id) {
    if (auto r = core::read_store_rules::check_collection(collection); !r)
        return fail(std::move(r).error());
    std::lock_guard lock(mu_);
    auto s = readable(collection);
    if (!s)
        return fail(std::move(s).error());
    if (!*s)
        return std::optional<document>{};
    sqlite3_stmt* st = (*s)->get;
    stmt_reset guard{st};
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return std::optional<document>{};
    if (rc != SQLITE_ROW)
        return fail(fail_with(rc, fmt::format("read {}/{}", collection, id)));
    auto d = row_document(st, std::string(id), 0);
    if (!d)
        return fail(std::move(d).error());
    return std::optional<document>(std::move(*d));
}

result<core::document_page> sqlite_read_store::list(std::string_view collection,
                                                    const core::list_query& q) {
    if (auto r = core::read_store_rules::check_collection(collection); !r)
        return fail(std::move(r).error());
    if (auto r = core::read_store_rules::check_query(q); !r)
        return fail(std::move(r).error());
    std::lock_guard lock(mu_);
    auto known = readable(collection);
    if (!known)
        return fail(std::move(known).error());
    core::document_page page;
    if (!*known)
        return page;
    // Parameters: ?1 cursor, ?2 limit + 1, then two per clause (JSON path, value).
    std::string sql =
        fmt::format("SELECT id, version, doc, updated_at FROM {} WHERE doc IS NOT NULL AND id > ?1",
                    ident(collection));
    int p = 3;
    for (const auto& [name, value] : q.where) {
        if (value.is_string()) {
            sql += fmt::format(
                " AND json_type(doc, ?{0}) = 'text' AND json_extract(doc, ?{0}) = ?{1}", p, p + 1);
        } else if (value.is_number()) {
            sql += fmt::format(
                " AND json_type(doc, ?{0}) IN ('integer', 'real') AND json_extract(doc, ?{0}) = "
                "?{1}",
                p, p + 1);
        } else if (value.is_boolean()) {
            sql += fmt::format(" AND json_type(doc, ?{}) = '{}'", p,
                               value.get<bool>() ? "true" : "false");
        } else {
            sql += fmt::format(" AND json_type(doc, ?{}) = 'null'", p);
        }
        p += 2;
    }
    sql += " ORDER BY id LIMIT ?2";
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK)
        return fail(fail_with(rc, "prepare a list query"));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(st, sqlite3_finalize);
    bind_text(st, 1, q.after);
    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(q.limit + 1));
    p = 3;
    for (const auto& [name, value] : q.where) {
        bind_text(st, p, fmt::format("$.\"{}\"", name));  // names are [A-Za-z0-9_-]
        if (value.is_number_integer() && !value.is_number_unsigned()) {
            sqlite3_bind_int64(st, p + 1, value.get<std::int64_t>());
        } else if (value.is_number_unsigned()) {
            const auto u = value.get<std::uint64_t>();
            if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
                sqlite3_bind_int64(st, p + 1, static_cast<sqlite3_int64>(u));
            } else {
                sqlite3_bind_double(st, p + 1, static_cast<double>(u));
            }
        } else if (value.is_number_float()) {
            sqlite3_bind_double(st, p + 1, value.get<double>());
        } else if (value.is_string()) {
            bind_text(st, p + 1, value.get_ref<const std::string&>());
        }
        p += 2;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (page.items.size() == q.limit) {
            page.next = page.items.back().id;
            break;
        }
        auto d = row_document(st, column_text(st, 0), 1);
        if (!d)
            return fail(std::move(d).error());
        page.items.push_back(std::move(*d));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(fail_with(rc, fmt::format("list {}", collection)));
    return page;
}

result<std::vector<std::string>> sqlite_read_store::collections() {
    std::lock_guard lock(mu_);
    std::vector<std::string> names;
    sqlite3_stmt* st = nullptr;
    // The catalog may be absent in a read-only database nobody wrote to yet.
    int rc =
        sqlite3_prepare_v2(db_,
                           "SELECT name FROM esser_read_collections WHERE name IN "
                           "(SELECT name FROM sqlite_master WHERE type = 'table') ORDER BY name",
                           -1, &st, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        if (opts_.read_only)
            return names;
        return fail(fail_with(rc, "read the catalog"));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(st, sqlite3_finalize);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) names.push_back(column_text(st, 0));
    if (rc != SQLITE_DONE)
        return fail(fail_with(rc, "read the catalog"));
    return names;
}

result<void> sqlite_read_store::drop(std::string_view collection) {
    if (auto r = core::read_store_rules::check_collection(collection); !r)
        return r;
    std::lock_guard lock(mu_);
    if (opts_.read_only) {
        error e = error::unavailable(
            fmt::format("sqlite read store {}: opened read-only, cannot drop", opts_.path));
        e.type = "SQLITE_READONLY";
        return fail(std::move(e));
    }
    // Statements on a dropped table must go before the DROP (an open statement would block it).
    forget_statements();
    const std::string sql = fmt::format(
        "BEGIN IMMEDIATE; DROP TABLE IF EXISTS {}; "
        "DELETE FROM esser_read_collections WHERE name = '{}'; COMMIT",
        ident(collection), collection);
    if (auto r = exec(sql.c_str()); !r) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return r;
    }
    return {};
}

}  // namespace esser::adapters

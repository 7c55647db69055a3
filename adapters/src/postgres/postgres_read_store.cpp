#include "esser/adapters/postgres/postgres_read_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace esser::adapters {

using core::document;
using core::error;
using core::fail;
using core::result;
using nlohmann::json;

namespace {

struct result_deleter {
    void operator()(PGresult* r) const { PQclear(r); }
};

using pg_result_ptr = std::unique_ptr<PGresult, result_deleter>;

constexpr const char* catalog_ddl =
    "CREATE TABLE IF NOT EXISTS esser_read_collections (name TEXT COLLATE \"C\" PRIMARY KEY)";

std::string ident(std::string_view name) {
    return fmt::format("\"{}\"", name);
}

// An error for a failed statement (r may be null when libpq could not even send it).
error statement_error(PGconn* c, const PGresult* r, std::string_view doing) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    if (msg.empty())
        msg = PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::string sqlstate = state ? state : "";
    error e;
    if (sqlstate.rfind("22", 0) == 0) {
        e = error::invalid_argument("");
    } else if (sqlstate.rfind("42", 0) == 0 && sqlstate != "42P01") {
        e = error::internal("");  // a statement of ours is wrong
    } else {
        e = error::unavailable("");
    }
    // No SQLSTATE with a dead connection: libpq lost the server.
    e.type =
        !sqlstate.empty() ? sqlstate : (PQstatus(c) == CONNECTION_BAD ? "connection" : "libpq");
    e.message = fmt::format("postgres read store: {}: {}", doing, msg);
    return e;
}

// Whether an error means "the connection (or the server) is gone": reconnect and re-run.
bool connection_lost(const error& e) {
    return e.type == "connection" || e.type.rfind("08", 0) == 0 || e.type == "57P01" ||
           e.type == "57P02" || e.type == "57P03";
}

// Runs one statement with text parameters; TUPLES_OK / COMMAND_OK or an error.
result<pg_result_ptr> exec(PGconn* c, const std::string& sql,
                           const std::vector<std::string>& params, std::string_view doing) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    values.reserve(params.size());
    lengths.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p.c_str());
        lengths.push_back(static_cast<int>(p.size()));
    }
    pg_result_ptr r(PQexecParams(c, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), lengths.data(), nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        return fail(statement_error(c, r.get(), doing));
    return r;
}

// A script of several statements (no parameters: only checked identifiers are embedded).
result<void> exec_script(PGconn* c, const std::string& sql, std::string_view doing) {
    pg_result_ptr r(PQexec(c, sql.c_str()));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        return fail(statement_error(c, r.get(), doing));
    return {};
}

result<document> row_document(const PGresult* r, int row, int first, std::string id) {
    document d;
    d.id = std::move(id);
    d.version = std::strtoull(PQgetvalue(r, row, first), nullptr, 10);
    const char* text = PQgetvalue(r, row, first + 1);
    d.body = json::parse(text, text + PQgetlength(r, row, first + 1), nullptr, false);
    if (d.body.is_discarded() || !d.body.is_object()) {
        return fail(error::parse_error(
            fmt::format("postgres read store: document \"{}\" does not hold a JSON object", d.id)));
    }
    d.updated_at.assign(PQgetvalue(r, row, first + 2),
                        static_cast<std::size_t>(PQgetlength(r, row, first + 2)));
    return d;
}

void ignore_notice(void*, const char*) {}

}  // namespace

postgres_read_store::postgres_read_store(options opts) : opts_(std::move(opts)) {}

postgres_read_store::~postgres_read_store() {
    disconnect();
}

std::uint64_t postgres_read_store::connections() const {
    std::lock_guard lock(mu_);
    return connections_;
}

result<std::unique_ptr<postgres_read_store>> postgres_read_store::open(options opts) {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(opts.conninfo.c_str(), &err);
    if (!parsed) {
        std::string why = err ? err : "out of memory";
        PQfreemem(err);
        while (!why.empty() && why.back() == '\n') why.pop_back();
        return fail(error::invalid_argument(
            fmt::format("postgres read store: bad connection string: {}", why)));
    }
    PQconninfoFree(parsed);
    std::unique_ptr<postgres_read_store> store(new postgres_read_store(std::move(opts)));
    std::lock_guard lock(store->mu_);
    auto ok = store->run<bool>("connect", [](PGconn*) -> result<bool> { return true; });
    if (!ok)
        return fail(std::move(ok).error());
    return store;
}

void postgres_read_store::disconnect() {
    if (conn_)
        PQfinish(conn_);
    conn_ = nullptr;
}

result<void> postgres_read_store::connect() {
    const std::string timeout = std::to_string(opts_.connect_timeout_s);
    // dbname is expanded as a connection string / URI; the later keywords override it.
    const char* keys[] = {"dbname", "connect_timeout", "client_encoding", nullptr};
    const char* values[] = {opts_.conninfo.c_str(), timeout.c_str(), "UTF8", nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        std::string msg = c ? PQerrorMessage(c) : "out of memory";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        if (c)
            PQfinish(c);
        error e = error::unavailable(fmt::format("postgres read store: cannot connect: {}", msg));
        e.type = "connection";
        return fail(std::move(e));
    }
    PQsetNoticeProcessor(c, ignore_notice, nullptr);  // "already exists, skipping" and the like
    conn_ = c;
    ++connections_;
    return {};
}

template <class T, class F>
result<T> postgres_read_store::run(std::string_view what, F&& attempt) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + opts_.retry_for;
    auto backoff = opts_.backoff_initial;
    int attempts = 0;
    for (;;) {
        ++attempts;
        error last;
        if (!conn_) {
            if (auto c = connect(); !c)
                last = std::move(c).error();
        }
        if (conn_) {
            result<T> r = attempt(conn_);
            if (r || !connection_lost(r.error()))
                return r;
            last = std::move(r).error();
            disconnect();
        }
        if (clock::now() + backoff > deadline) {
            last.message = fmt::format("{} (gave up on {} after {} attempts in {} ms)",
                                       last.message, what, attempts, opts_.retry_for.count());
            if (last.code != core::errc::unavailable)
                last.code = core::errc::unavailable;
            return fail(std::move(last));
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, opts_.backoff_max);
    }
}

result<std::size_t> postgres_read_store::write(const std::vector<core::write_op>& ops) {
    auto reduced = core::read_store_rules::reduce_batch(ops);
    if (!reduced)
        return fail(std::move(reduced).error());
    if (reduced->empty())
        return std::size_t{0};
    // One JSON array of rows per collection, in order of first appearance.
    std::vector<std::pair<std::string, std::string>> groups;
    for (const core::write_op* op : *reduced) {
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& x) { return x.first == op->collection; });
        if (g == groups.end()) {
            groups.emplace_back(op->collection, "[");
            g = groups.end() - 1;
        } else {
            g->second += ',';
        }
        std::string& a = g->second;
        a += "{\"i\":";
        a += json(op->doc.id).dump();
        a += ",\"v\":";
        a += std::to_string(op->doc.version);
        a += ",\"u\":";
        a += json(op->doc.updated_at).dump();
        if (op->what == core::write_op::kind::upsert) {
            a += ",\"d\":";  // absent for a removal: x->'d' is then SQL NULL
            a += op->doc.body.dump();
        }
        a += '}';
    }
    for (auto& g : groups) g.second += ']';

    std::lock_guard lock(mu_);
    return run<std::size_t>("write", [&](PGconn* c) -> result<std::size_t> {
        std::vector<std::string> created;
        for (const auto& g : groups) {
            if (!tables_.count(g.first))
                created.push_back(g.first);
        }
        const bool txn = groups.size() > 1 || !created.empty();
        auto failed = [&](error e) -> result<std::size_t> {
            if (txn && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE) {
                (void)exec_script(c, "ROLLBACK", "rollback");
            }
            // A table may have been dropped behind our back (or our DDL rolled back): check
            // again on the next attempt.
            tables_.clear();
            return fail(std::move(e));
        };
        if (txn) {
            if (auto r = exec_script(c, "BEGIN", "begin"); !r)
                return failed(std::move(r).error());
        }
        for (const auto& name : created) {
            const std::string ddl = fmt::format(
                "{}; CREATE TABLE IF NOT EXISTS {} (id TEXT COLLATE \"C\" PRIMARY KEY, "
                "version BIGINT NOT NULL, doc JSONB, updated_at TEXT NOT NULL); "
                "INSERT INTO esser_read_collections (name) VALUES ('{}') ON CONFLICT DO NOTHING",
                catalog_ddl, ident(name), name);
            if (auto r = exec_script(c, ddl, fmt::format("create {}", name)); !r)
                return failed(std::move(r).error());
        }
        std::size_t changed = 0;
        for (const auto& [name, rows] : groups) {
            const std::string sql = fmt::format(
                "INSERT INTO {} AS t (id, version, doc, updated_at) "
                "SELECT x->>'i', (x->>'v')::bigint, x->'d', x->>'u' "
                "FROM jsonb_array_elements($1::jsonb) AS x "
                "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, doc = EXCLUDED.doc, "
                "updated_at = EXCLUDED.updated_at WHERE t.version < EXCLUDED.version",
                ident(name));
            auto r = exec(c, sql, {rows}, fmt::format("write {}", name));
            if (!r)
                return failed(std::move(r).error());
            changed += std::strtoull(PQcmdTuples(r->get()), nullptr, 10);
        }
        if (txn) {
            if (auto r = exec_script(c, "COMMIT", "commit"); !r)
                return failed(std::move(r).error());
        }
        tables_.insert(created.begin(), created.end());
        return changed;
    });
}

result<std::optional<document>> postgres_read_store::get(std::string_view collection,
                                                         std::string_view id) {
    if (auto r = core::read_store_rules::check_collection(collection); !r)
        return fail(std::move(r).error());
    const std::string sql = fmt::format(
        "SELECT version, doc::text, updated_at FROM {} WHERE id = $1 AND doc IS NOT NULL",
        ident(collection));
    const std::string key(id);
    std::lock_guard lock(mu_);
    return run<std::optional<document>>("get", [&](PGconn* c) -> result<std::optional<document>> {
        auto r = exec(c, sql, {key}, fmt::format("read {}/{}", collection, id));
        if (!r) {
            if (r.error().type == "42P01")  // undefined_table: nothing written yet
                return std::optional<document>{};
            return fail(std::move(r).error());
        }
        if (PQntuples(r->get()) == 0)
            return std::optional<document>{};
        auto d = row_document(r->get(), 0, 0, key);
        if (!d)
            return fail(std::move(d).error());
        return std::optional<document>(std::move(*d));
    });
}

result<core::document_page> postgres_read_store::list(std::string_view collection,
                                                      const core::list_query& q) {
    if (auto r = core::read_store_rules::check_collection(collection); !r)
        return fail(std::move(r).error());
    if (auto r = core::read_store_rules::check_query(q); !r)
        return fail(std::move(r).error());
    std::string sql = fmt::format(
        "SELECT id, version, doc::text, updated_at FROM {} WHERE doc IS NOT NULL AND id > $1",
        ident(collection));
    std::vector<std::string> params{q.after, std::to_string(q.limit + 1)};
    for (const auto& [name, value] : q.where) {
        sql += fmt::format(" AND doc -> ${} = ${}::jsonb", params.size() + 1, params.size() + 2);
        params.push_back(name);
        params.push_back(value.dump());
    }
    sql += " ORDER BY id LIMIT $2";
    std::lock_guard lock(mu_);
    return run<core::document_page>("list", [&](PGconn* c) -> result<core::document_page> {
        core::document_page page;
        auto r = exec(c, sql, params, fmt::format("list {}", collection));
        if (!r) {
            if (r.error().type == "42P01")
                return page;
            return fail(std::move(r).error());
        }
        const int n = PQntuples(r->get());
        for (int i = 0; i < n; ++i) {
            if (page.items.size() == q.limit) {
                page.next = page.items.back().id;
                break;
            }
            std::string id(PQgetvalue(r->get(), i, 0),
                           static_cast<std::size_t>(PQgetlength(r->get(), i, 0)));
            auto d = row_document(r->get(), i, 1, std::move(id));
            if (!d)
                return fail(std::move(d).error());
            page.items.push_back(std::move(*d));
        }
        return page;
    });
}

result<std::vector<std::string>> postgres_read_store::collections() {
    std::lock_guard lock(mu_);
    return run<std::vector<std::string>>(
        "collections", [&](PGconn* c) -> result<std::vector<std::string>> {
            std::vector<std::string> names;
            auto r = exec(c,
                          "SELECT name FROM esser_read_collections "
                          "WHERE to_regclass(quote_ident(name)) IS NOT NULL ORDER BY name",
                          {}, "read the catalog");
            if (!r) {
                if (r.error().type == "42P01")
                    return names;
                return fail(std::move(r).error());
            }
            for (int i = 0; i < PQntuples(r->get()); ++i)
                names.emplace_back(PQgetvalue(r->get(), i, 0));
            return names;
        });
}

result<void> postgres_read_store::drop(std::string_view collection) {
    if (auto r = core::read_store_rules::check_collection(collection); !r)
        return r;
    const std::string sql = fmt::format(
        "BEGIN; {}; DROP TABLE IF EXISTS {}; DELETE FROM esser_read_collections WHERE name = '{}'; "
        "COMMIT",
        catalog_ddl, ident(collection), collection);
    std::lock_guard lock(mu_);
    auto r = run<bool>("drop", [&](PGconn* c) -> result<bool> {
        if (auto x = exec_script(c, sql, fmt::format("drop {}", collection)); !x) {
            if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
                (void)exec_script(c, "ROLLBACK", "rollback");
            return fail(std::move(x).error());
        }
        return true;
    });
    if (!r)
        return fail(std::move(r).error());
    tables_.erase(std::string(collection));
    return {};
}

}  // namespace esser::adapters

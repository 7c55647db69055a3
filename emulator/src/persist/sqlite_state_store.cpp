#include "esser/emulator/persist/sqlite_state_store.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <sqlite3.h>

#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

namespace esser::emulator {

namespace {

// A prepared statement, finalized with its owner. Bind positions start at 1, as in SQLite.
class statement {
public:
    statement() = default;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    ~statement() { sqlite3_finalize(s_); }

    int prepare(sqlite3* db, const char* sql) {
        return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
    }

    statement& text(int i, std::string_view v) {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        return *this;
    }

    statement& blob(int i, std::string_view v) {
        sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        return *this;
    }

    statement& integer(int i, std::uint64_t v) {
        sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>(v));
        return *this;
    }

    // Runs a statement that returns no rows; SQLITE_DONE on success.
    int run() {
        const int rc = sqlite3_step(s_);
        sqlite3_reset(s_);
        return rc;
    }

    // Row by row: SQLITE_ROW while there is one; reset() when done.
    int step() { return sqlite3_step(s_); }

    void reset() { sqlite3_reset(s_); }

    std::string_view column(int i) const {
        const void* p = sqlite3_column_blob(s_, i);
        const int n = sqlite3_column_bytes(s_, i);
        return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n))
                 : std::string_view();
    }

    std::uint64_t column_int(int i) const {
        return static_cast<std::uint64_t>(sqlite3_column_int64(s_, i));
    }

private:
    sqlite3_stmt* s_ = nullptr;
};

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS tables(id TEXT PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(table_id TEXT NOT NULL, key BLOB NOT NULL, item BLOB NOT NULL,
                                 PRIMARY KEY(table_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS streams(serial INTEGER PRIMARY KEY, version INTEGER NOT NULL,
                                   state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stream_records(stream INTEGER NOT NULL, shard INTEGER NOT NULL,
                                          position INTEGER NOT NULL, record BLOB NOT NULL,
                                          PRIMARY KEY(stream, shard, position)) WITHOUT ROWID;
)sql";

// Version 2 added the other services' documents (mappings, checkpoints, functions, queues,
// messages); a version-1 database is upgraded in place by adding the table.
constexpr const char* documents_sql = R"sql(
CREATE TABLE IF NOT EXISTS documents(kind TEXT NOT NULL, id BLOB NOT NULL, body BLOB NOT NULL,
                                     PRIMARY KEY(kind, id)) WITHOUT ROWID;
)sql";

// Version 3 added the journal sequence the database holds (--durability normal): one row.
constexpr const char* journal_sql = R"sql(
CREATE TABLE IF NOT EXISTS journal(applied INTEGER NOT NULL);
INSERT INTO journal(applied) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM journal);
)sql";

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace

struct sqlite_state_store::statements {
    statement begin, commit, rollback;
    statement save_table, drop_table_items, drop_table;
    statement save_item, remove_item;
    statement save_stream, drop_stream_records, drop_stream, clear_records, clear_streams;
    statement save_record, trim_records;
    statement save_document, remove_document, remove_documents;
    statement set_applied;
};

sqlite_state_store::sqlite_state_store(options o) : opts_(std::move(o)) {}

sqlite_state_store::~sqlite_state_store() {
    try {
        std::uint64_t last = 0;
        {
            std::lock_guard lock(mu_);
            last = submitted_;
        }
        wait_durable(last);
    } catch (const std::exception&) {
        // The failure was reported to every waiter; nothing more to do while closing.
    }
    if (applier_.joinable()) {
        // The applier writes what is journaled to the database and cuts the journal, then ends.
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        apply_wanted_.notify_one();
        applier_.join();
    }
    stmts_.reset();
    if (db_ != nullptr)
        sqlite3_close_v2(db_);
}

core::error sqlite_state_store::failure(int rc, std::string_view doing) const {
    const int primary = rc & 0xff;
    const bool not_ours =
        primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT || primary == SQLITE_FORMAT;
    std::string message = fmt::format("emulator state {}: {}: {}", opts_.path.string(), doing,
                                      db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    core::error e = not_ours ? core::error::parse_error(std::move(message))
                             : core::error::unavailable(std::move(message));
    e.source = opts_.path.string();
    return e;
}

core::result<std::unique_ptr<sqlite_state_store>> sqlite_state_store::open(options o) {
    std::unique_ptr<sqlite_state_store> store(new sqlite_state_store(std::move(o)));
    if (auto r = store->init(); !r)
        return core::fail(std::move(r).error());
    return store;
}

core::result<void> sqlite_state_store::init() {
    int rc =
        sqlite3_open_v2(opts_.path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK)
        return core::fail(failure(rc, "cannot open"));
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(opts_.busy_timeout.count()));
    // SQLite opens a file it may not write read-only without a word: refuse it here, before
    // serving, instead of failing the first write.
    if (sqlite3_db_readonly(db_, "main") == 1) {
        core::error e = core::error::unavailable(
            fmt::format("emulator state {} is read-only: esser-local must write its data dir",
                        opts_.path.string()));
        e.source = opts_.path.string();
        return core::fail(std::move(e));
    }
    // Exclusive locking: the data dir's LOCK already makes this process the only user, so the
    // per-transaction file locks and the shared-memory WAL index (-shm) are pure cost. The
    // first read below takes the lock (refused when another connection holds the file).
    if ((rc = sqlite3_exec(db_, "PRAGMA locking_mode=EXCLUSIVE", nullptr, nullptr, nullptr)) !=
        SQLITE_OK)
        return core::fail(failure(rc, "cannot lock"));
    // The schema version first: it reads the header, so a file that is not a database (or is
    // damaged) is refused here, before anything is written to it.
    int version = -1;
    {
        statement v;
        if ((rc = v.prepare(db_, "PRAGMA user_version")) != SQLITE_OK)
            return core::fail(failure(rc, "cannot read the schema version"));
        if ((rc = v.step()) != SQLITE_ROW)
            return core::fail(failure(rc, "cannot read the schema version"));
        version = static_cast<int>(v.column_int(0));
    }
    if (version < 0 || version > schema_version) {
        core::error e = core::error::parse_error(fmt::format(
            "emulator state {} has schema version {}; this esser-local reads version {} (use "
            "another --data-dir, or the esser-local that wrote it)",
            opts_.path.string(), version, schema_version));
        e.source = opts_.path.string();
        return core::fail(std::move(e));
    }
    if (version == 0) {
        // New (or empty) database: refuse one that already holds tables of someone else's.
        statement any;
        if ((rc = any.prepare(db_, "SELECT count(*) FROM sqlite_schema")) != SQLITE_OK ||
            (rc = any.step()) != SQLITE_ROW)
            return core::fail(failure(rc, "cannot read the schema"));
        if (any.column_int(0) != 0) {
            core::error e = core::error::parse_error(
                fmt::format("emulator state {} is an SQLite database esser-local did not write "
                            "(it has tables but no schema version)",
                            opts_.path.string()));
            e.source = opts_.path.string();
            return core::fail(std::move(e));
        }
    }
    // A larger WAL between checkpoints (4096 pages, 16 MiB) spreads the checkpoint's copy over
    // more transactions; the page cache (32 MiB) keeps the hot b-tree pages.
    const std::string setup = fmt::format(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous={}; PRAGMA wal_autocheckpoint=4096; "
        "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;",
        opts_.durability == durability_mode::full ? "FULL" : "NORMAL");
    if ((rc = sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, nullptr)) != SQLITE_OK)
        return core::fail(failure(rc, "cannot set up WAL mode"));
    if (version != schema_version) {
        // A new database gets the whole schema; a version-1 one the documents table and the
        // journal's row, a version-2 one the journal's row.
        const std::string create = fmt::format(
            "BEGIN; {} {} {} PRAGMA user_version={}; COMMIT;", version == 0 ? schema_sql : "",
            version <= 1 ? documents_sql : "", journal_sql, schema_version);
        if ((rc = sqlite3_exec(db_, create.c_str(), nullptr, nullptr, nullptr)) != SQLITE_OK) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            return core::fail(failure(rc, "cannot create the schema"));
        }
    }
    stmts_ = std::make_unique<statements>();
    auto& s = *stmts_;
    const std::pair<statement*, const char*> all[] = {
        {&s.begin, "BEGIN IMMEDIATE"},
        {&s.commit, "COMMIT"},
        {&s.rollback, "ROLLBACK"},
        {&s.save_table,
         "INSERT INTO tables(id, definition) VALUES(?1, ?2) "
         "ON CONFLICT(id) DO UPDATE SET definition = excluded.definition"},
        {&s.drop_table_items, "DELETE FROM items WHERE table_id = ?1"},
        {&s.drop_table, "DELETE FROM tables WHERE id = ?1"},
        {&s.save_item,
         "INSERT INTO items(table_id, key, item) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(table_id, key) DO UPDATE SET item = excluded.item"},
        {&s.remove_item, "DELETE FROM items WHERE table_id = ?1 AND key = ?2"},
        {&s.save_stream,
         "INSERT INTO streams(serial, version, state) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(serial) DO UPDATE SET version = excluded.version, state = excluded.state "
         "WHERE excluded.version > streams.version"},
        {&s.drop_stream_records, "DELETE FROM stream_records WHERE stream = ?1"},
        {&s.drop_stream, "DELETE FROM streams WHERE serial = ?1"},
        {&s.clear_records, "DELETE FROM stream_records"},
        {&s.clear_streams, "DELETE FROM streams"},
        {&s.save_record,
         "INSERT OR REPLACE INTO stream_records(stream, shard, position, record) "
         "VALUES(?1, ?2, ?3, ?4)"},
        {&s.trim_records,
         "DELETE FROM stream_records WHERE stream = ?1 AND shard = ?2 AND position < ?3"},
        {&s.save_document,
         "INSERT INTO documents(kind, id, body) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body"},
        {&s.remove_document, "DELETE FROM documents WHERE kind = ?1 AND id = ?2"},
        {&s.remove_documents,
         "DELETE FROM documents WHERE kind = ?1 AND substr(id, 1, length(?2)) = ?2"},
        {&s.set_applied, "UPDATE journal SET applied = ?1"},
    };
    for (const auto& [st, sql] : all) {
        if ((rc = st->prepare(db_, sql)) != SQLITE_OK)
            return core::fail(failure(rc, "cannot prepare a statement"));
    }
    {
        statement applied;
        if ((rc = applied.prepare(db_, "SELECT applied FROM journal")) != SQLITE_OK ||
            (rc = applied.step()) != SQLITE_ROW)
            return core::fail(failure(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
                                      "cannot read the journal sequence applied"));
        applied_ = applied.column_int(0);
    }
    if (auto replayed = replay_journal(); !replayed)
        return replayed;
    if (journal_)
        applier_ = std::thread([this] { apply_loop(); });
    return {};
}

std::filesystem::path sqlite_state_store::journal_path() const {
    return std::filesystem::path(opts_.path).replace_extension(".journal");
}

core::result<void> sqlite_state_store::replay_journal() {
    const std::filesystem::path path = journal_path();
    const bool normal = opts_.durability == durability_mode::normal;
    std::error_code ec;
    if (!normal && !std::filesystem::exists(path, ec))
        return {};
    auto file = journal_file::open(path);
    if (!file) {
        core::error e = file.error();
        e.message = fmt::format("emulator state {}: {}", opts_.path.string(), e.message);
        return core::fail(std::move(e));
    }
    auto bytes = file->read_all();
    if (!bytes) {
        core::error e = bytes.error();
        e.message = fmt::format("emulator state {}: {}", opts_.path.string(), e.message);
        return core::fail(std::move(e));
    }
    auto refused = [&](std::string why) {
        core::error e = core::error::parse_error(fmt::format("emulator state {}: journal {}: {}",
                                                             opts_.path.string(), path.string(),
                                                             std::move(why)));
        e.source = path.string();
        return core::fail(std::move(e));
    };
    auto contents = journal_codec::parse(*bytes);
    if (!contents)
        return refused(contents.error().message);
    if (!contents->torn_tail.empty()) {
        const std::string warning = fmt::format(
            "emulator state {}: journal {}: {}: cut off (a write that was never "
            "acknowledged, torn by an OS crash or a failed append)",
            opts_.path.string(), path.string(), contents->torn_tail);
        if (opts_.on_warning)
            opts_.on_warning(warning);
        else
            std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }
    // Records up to the applied sequence are in the database already (the applier had not cut
    // the journal yet); the first one beyond must follow it directly.
    std::vector<const std::vector<durable_change>*> units;
    std::uint64_t last = applied_;
    for (const auto& record : contents->records) {
        if (record.sequence <= applied_)
            continue;
        if (record.sequence != last + 1)
            return refused(fmt::format(
                "it continues at sequence {} but the database holds sequence {}: the records "
                "between are lost (a database replaced or restored from elsewhere? remove the "
                "journal to start from the database alone)",
                record.sequence, last));
        last = record.sequence;
        ++replayed_;
        for (const auto& unit : record.units) units.push_back(&unit);
    }
    if (last > applied_) {
        if (std::string error = write(units, last); !error.empty()) {
            core::error e = core::error::unavailable(error);
            e.source = opts_.path.string();
            return core::fail(std::move(e));
        }
        applied_ = last;
    }
    journal_sequence_ = applied_;
    auto cut = [&](core::result<void> r) -> core::result<void> {
        if (r)
            return r;
        core::error e = r.error();
        e.message = fmt::format("emulator state {}: {}", opts_.path.string(), e.message);
        return core::fail(std::move(e));
    };
    if (!normal) {
        // Full mode keeps no journal: what it held is in the database now.
        std::filesystem::remove(path, ec);
        if (ec) {
            core::error e = core::error::unavailable(
                fmt::format("emulator state {}: cannot remove the journal {}: {}",
                            opts_.path.string(), path.string(), ec.message()));
            e.source = path.string();
            return core::fail(std::move(e));
        }
        return {};
    }
    const std::string header = journal_codec::header();
    if (file->size() != header.size() || bytes->substr(0, header.size()) != header) {
        if (auto r = cut(file->truncate(0)); !r)
            return r;
        if (auto r = cut(file->append(header)); !r)
            return r;
    }
    journal_bytes_ = file->size();
    journal_.emplace(std::move(*file));
    return {};
}

core::result<sqlite_state_store::restored> sqlite_state_store::restore(dynamo_engine& engine,
                                                                       stream_registry& streams) {
    restored out;
    out.journal_records = replayed_;
    int rc = SQLITE_OK;
    // Tables with their items, one table at a time (items stream from a cursor).
    {
        statement tables, items;
        if ((rc = tables.prepare(db_, "SELECT id, definition FROM tables ORDER BY id")) !=
                SQLITE_OK ||
            (rc = items.prepare(db_, "SELECT item FROM items WHERE table_id = ?1")) != SQLITE_OK)
            return core::fail(failure(rc, "cannot read the tables"));
        while ((rc = tables.step()) == SQLITE_ROW) {
            const std::string id(tables.column(0));
            items.text(1, id);
            int item_rc = SQLITE_OK;
            auto next = [&]() -> std::optional<std::string_view> {
                if ((item_rc = items.step()) != SQLITE_ROW)
                    return std::nullopt;
                ++out.items;
                return items.column(0);
            };
            auto made = engine.restore_table(tables.column(1), next);
            items.reset();
            if (!made) {
                core::error e = made.error();
                e.message = fmt::format("emulator state {}: {}", opts_.path.string(), e.message);
                e.source = opts_.path.string();
                return core::fail(std::move(e));
            }
            if (item_rc != SQLITE_DONE)
                return core::fail(failure(item_rc, "cannot read the items"));
            ++out.tables;
            auto def = nlohmann::json::parse(tables.column(1), nullptr, false);
            out.table_names.push_back(def.value("name", ""));
        }
        if (rc != SQLITE_DONE)
            return core::fail(failure(rc, "cannot read the tables"));
    }
    // Streams, then their records in position order, then the registry links them up.
    {
        statement st, records;
        if ((rc = st.prepare(db_, "SELECT state FROM streams ORDER BY serial")) != SQLITE_OK ||
            (rc = records.prepare(db_,
                                  "SELECT stream, shard, position, record FROM stream_records "
                                  "ORDER BY stream, shard, position")) != SQLITE_OK)
            return core::fail(failure(rc, "cannot read the streams"));
        auto damaged = [&](core::error e) {
            e.message = fmt::format("emulator state {}: {}", opts_.path.string(), e.message);
            e.source = opts_.path.string();
            return core::fail(std::move(e));
        };
        while ((rc = st.step()) == SQLITE_ROW) {
            if (auto r = streams.restore_stream(st.column(0)); !r)
                return damaged(r.error());
            ++out.streams;
        }
        if (rc != SQLITE_DONE)
            return core::fail(failure(rc, "cannot read the streams"));
        while ((rc = records.step()) == SQLITE_ROW) {
            const auto shard = records.column_int(1);
            if (shard > UINT32_MAX)
                return damaged(core::error::parse_error("a stream record has a bad shard"));
            if (auto r =
                    streams.restore_record(records.column_int(0), static_cast<std::uint32_t>(shard),
                                           records.column_int(2), records.column(3));
                !r)
                return damaged(r.error());
            ++out.records;
        }
        if (rc != SQLITE_DONE)
            return core::fail(failure(rc, "cannot read the stream records"));
        streams.finish_restore();
    }
    return out;
}

core::result<void> sqlite_state_store::restore_services(lambda_service& functions,
                                                        sqs_service& queues, esm_service& mappings,
                                                        restored& counts) {
    auto fns = for_each_document("function", [&](std::string_view, std::string_view body) {
        return functions.restore_function(body);
    });
    if (!fns)
        return core::fail(fns.error());
    counts.functions += *fns;
    auto qs = for_each_document("queue", [&](std::string_view, std::string_view body) {
        return queues.restore_queue(body);
    });
    if (!qs)
        return core::fail(qs.error());
    counts.queues += *qs;
    auto msgs = for_each_document("message", [&](std::string_view id, std::string_view body) {
        return queues.restore_message(id, body);
    });
    if (!msgs)
        return core::fail(msgs.error());
    counts.messages += *msgs;
    std::map<std::string, std::string, std::less<>> checkpoints;
    auto read = for_each_document(
        "esm_shards", [&](std::string_view id, std::string_view body) -> core::result<void> {
            checkpoints.emplace(id, body);
            return {};
        });
    if (!read)
        return core::fail(read.error());
    auto maps = for_each_document("esm", [&](std::string_view id, std::string_view body) {
        const auto c = checkpoints.find(id);
        return mappings.restore_mapping(body,
                                        c == checkpoints.end() ? std::string_view() : c->second);
    });
    if (!maps)
        return core::fail(maps.error());
    counts.mappings += *maps;
    return {};
}

core::result<std::size_t> sqlite_state_store::for_each_document(
    std::string_view kind,
    const std::function<core::result<void>(std::string_view id, std::string_view body)>& fn) {
    statement docs;
    int rc = docs.prepare(db_, "SELECT id, body FROM documents WHERE kind = ?1 ORDER BY id");
    if (rc != SQLITE_OK)
        return core::fail(failure(rc, "cannot read the documents"));
    docs.text(1, kind);
    std::size_t n = 0;
    while ((rc = docs.step()) == SQLITE_ROW) {
        if (auto r = fn(docs.column(0), docs.column(1)); !r) {
            core::error e = r.error();
            e.message = fmt::format("emulator state {}: {} {}: {}", opts_.path.string(), kind,
                                    docs.column(0), e.message);
            e.source = opts_.path.string();
            return core::fail(std::move(e));
        }
        ++n;
    }
    if (rc != SQLITE_DONE)
        return core::fail(failure(rc, "cannot read the documents"));
    return n;
}

std::uint64_t sqlite_state_store::submit(std::vector<durable_change> unit) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(unit));
    return ++submitted_;
}

void sqlite_state_store::wait_durable(std::uint64_t ticket) {
    std::unique_lock lock(mu_);
    // A ticket never issued here (a thread's pending ticket of an earlier store that lived at
    // the same address) waits for what was submitted, not forever.
    ticket = std::min(ticket, submitted_);
    while (durable_ < ticket) {
        if (!failed_.empty())
            break;
        if (writing_) {
            written_.wait(lock);
            continue;
        }
        if (journal_ && journal_bytes_ >= opts_.journal_limit) {
            // Backpressure: the applier writes everything to the database and cuts the journal.
            cut_wanted_ = true;
            apply_wanted_.notify_one();
            written_.wait(lock);
            continue;
        }
        // Group commit: this waiter writes everything queued so far, as one journal record
        // (normal) or one transaction (full).
        writing_ = true;
        std::vector<std::vector<durable_change>> batch;
        batch.swap(queue_);
        const std::uint64_t upto = submitted_;
        lock.unlock();
        std::string error;
        std::vector<journal_record> records;
        if (journal_) {
            error = append_to_journal(batch, records);
        } else {
            std::vector<const std::vector<durable_change>*> units;
            units.reserve(batch.size());
            for (const auto& unit : batch) units.push_back(&unit);
            error = write(units, std::nullopt);
        }
        lock.lock();
        writing_ = false;
        bool first_failure = false;
        if (error.empty()) {
            durable_ = upto;
            if (journal_) {
                journal_bytes_ = journal_->size();
                const bool first = journaled_.empty();
                for (auto& record : records) {
                    journaled_units_ += record.units.size();
                    journaled_.push_back(std::move(record));
                }
                if (first || journaled_units_ >= opts_.apply_after_units)
                    apply_wanted_.notify_one();
            }
        } else {
            first_failure = fail_locked(std::move(error));
        }
        written_.notify_all();
        report_failure(lock, first_failure);
    }
    if (!failed_.empty() && durable_ < ticket)
        throw std::runtime_error(failed_);
}

bool sqlite_state_store::fail_locked(std::string error) {
    if (failed_.empty())
        failed_ = std::move(error);
    return !has_failed_.exchange(true);
}

void sqlite_state_store::report_failure(std::unique_lock<std::mutex>& lock, bool first) {
    if (!first || !opts_.on_failure)
        return;
    const std::string why = failed_;
    lock.unlock();
    opts_.on_failure(why);
    lock.lock();
}

std::string sqlite_state_store::append_to_journal(std::vector<std::vector<durable_change>>& batch,
                                                  std::vector<journal_record>& written) {
    journal_buffer_.clear();
    std::uint64_t sequence = journal_sequence_;
    std::vector<const std::vector<durable_change>*> units;
    units.reserve(batch.size());
    std::size_t payload = journal_codec::record_overhead;
    std::size_t first = 0;
    // Encodes batch[first, end) as the next record and moves those units into `written`.
    auto close = [&](std::size_t end) {
        journal_codec::append_record(journal_buffer_, ++sequence, units);
        journal_record record{sequence, {}};
        if (first == 0 && end == batch.size())
            record.units = std::move(batch);
        else
            record.units.assign(std::make_move_iterator(batch.begin() + first),
                                std::make_move_iterator(batch.begin() + end));
        written.push_back(std::move(record));
        units.clear();
        payload = journal_codec::record_overhead;
        first = end;
    };
    const std::size_t count = batch.size();
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t bytes = journal_codec::unit_bytes(batch[i]);
        if (journal_codec::record_overhead + bytes > opts_.journal_record_limit)
            return fmt::format(
                "emulator state {}: cannot write: a change of {} bytes exceeds "
                "the journal's record limit of {} bytes",
                opts_.path.string(), bytes, opts_.journal_record_limit);
        if (!units.empty() && payload + bytes > opts_.journal_record_limit)
            close(i);
        units.push_back(&batch[i]);
        payload += bytes;
    }
    if (!units.empty())
        close(count);
    if (auto r = journal_->append(journal_buffer_); !r)
        return fmt::format("emulator state {}: cannot write: {}", opts_.path.string(),
                           r.error().message);
    journal_sequence_ = sequence;
    // A buffer grown by one large batch is not kept for the small ones after it.
    if (journal_buffer_.capacity() > (1u << 20))
        std::string().swap(journal_buffer_);
    return {};
}

void sqlite_state_store::apply_loop() {
    std::unique_lock lock(mu_);
    for (;;) {
        // Asleep while there is nothing to do; once a record came, it waits up to
        // apply_interval for more (larger transactions), less when enough units wait.
        apply_wanted_.wait(lock, [&] {
            return stopping_ || cut_wanted_ || !journaled_.empty() ||
                   journal_bytes_ > journal_codec::header_bytes;
        });
        apply_wanted_.wait_for(lock, opts_.apply_interval, [&] {
            return stopping_ || cut_wanted_ || journaled_units_ >= opts_.apply_after_units;
        });
        if (!failed_.empty()) {
            // Fail-stop: what is journaled stays in the journal for the next start.
            if (stopping_)
                return;
            apply_wanted_.wait(lock, [&] { return stopping_; });
            continue;
        }
        // The journal is cut when a writer waits for it, at the end, and whenever the applier
        // finds nothing else to do; cutting holds the writers off (writing_) meanwhile, so
        // nothing is appended between the last apply and the cut.
        bool cut = stopping_ || cut_wanted_ ||
                   (journaled_.empty() && journal_bytes_ > journal_codec::header_bytes);
        if (cut) {
            while (writing_) written_.wait(lock);
            // Idle, but a record came meanwhile: apply it without holding the writers off; the
            // cut waits for the next idle moment.
            if (!stopping_ && !cut_wanted_ && !journaled_.empty())
                cut = false;
            else
                writing_ = true;
        }
        std::vector<journal_record> records;
        records.swap(journaled_);
        journaled_units_ = 0;
        if (records.empty() && !cut) {
            if (stopping_)
                return;
            continue;
        }
        lock.unlock();
        std::string error;
        if (!records.empty()) {
            std::vector<const std::vector<durable_change>*> units;
            for (const auto& record : records)
                for (const auto& unit : record.units) units.push_back(&unit);
            error = write(units, records.back().sequence);
            if (error.empty())
                applied_ = records.back().sequence;
        }
        if (error.empty() && cut) {
            if (auto r = journal_->truncate(journal_codec::header_bytes); !r)
                error =
                    fmt::format("emulator state {}: {}", opts_.path.string(), r.error().message);
        }
        records.clear();  // frees the units outside the lock
        lock.lock();
        bool first_failure = false;
        if (!error.empty())
            first_failure = fail_locked(std::move(error));
        if (cut) {
            writing_ = false;
            cut_wanted_ = false;
            journal_bytes_ = journal_->size();
        }
        written_.notify_all();
        report_failure(lock, first_failure);
        if (stopping_ && journaled_.empty() && failed_.empty())
            return;
    }
}

std::string sqlite_state_store::failure() const {
    if (!has_failed_.load())
        return {};
    std::lock_guard lock(mu_);
    return failed_;
}

std::string sqlite_state_store::write(const std::vector<const std::vector<durable_change>*>& units,
                                      std::optional<std::uint64_t> applied) {
    auto& s = *stmts_;
    int rc = s.begin.run();
    bool ok = rc == SQLITE_DONE;
    auto check = [&](int r) {
        if (ok && r != SQLITE_DONE) {
            ok = false;
            rc = r;
        }
    };
    for (const auto* unit : units) {
        for (const auto& change : *unit) {
            if (!ok)
                break;
            std::visit(
                overloaded{
                    [&](const table_saved& c) {
                        check(s.save_table.text(1, c.table_id).text(2, c.definition).run());
                    },
                    [&](const table_dropped& c) {
                        check(s.drop_table_items.text(1, c.table_id).run());
                        check(s.drop_table.text(1, c.table_id).run());
                    },
                    [&](const item_saved& c) {
                        check(s.save_item.text(1, c.table_id).blob(2, c.key).blob(3, c.item).run());
                    },
                    [&](const item_removed& c) {
                        check(s.remove_item.text(1, c.table_id).blob(2, c.key).run());
                    },
                    [&](const stream_saved& c) {
                        check(s.save_stream.integer(1, c.stream)
                                  .integer(2, c.version)
                                  .text(3, c.state)
                                  .run());
                    },
                    [&](const stream_dropped& c) {
                        check(s.drop_stream_records.integer(1, c.stream).run());
                        check(s.drop_stream.integer(1, c.stream).run());
                    },
                    [&](const streams_cleared&) {
                        check(s.clear_records.run());
                        check(s.clear_streams.run());
                    },
                    [&](const record_saved& c) {
                        check(s.save_record.integer(1, c.stream)
                                  .integer(2, c.shard)
                                  .integer(3, c.position)
                                  .blob(4, c.record)
                                  .run());
                    },
                    [&](const records_trimmed& c) {
                        check(s.trim_records.integer(1, c.stream)
                                  .integer(2, c.shard)
                                  .integer(3, c.position)
                                  .run());
                    },
                    [&](const document_saved& c) {
                        check(s.save_document.text(1, c.kind).blob(2, c.id).blob(3, c.body).run());
                    },
                    [&](const documents_removed& c) {
                        if (c.exact)
                            check(s.remove_document.text(1, c.kind).blob(2, c.id_prefix).run());
                        else
                            check(s.remove_documents.text(1, c.kind).blob(2, c.id_prefix).run());
                    },
                },
                change);
        }
    }
    if (ok && applied)
        check(s.set_applied.integer(1, *applied).run());
    if (ok)
        check(s.commit.run());
    if (ok)
        return {};
    std::string message = fmt::format("emulator state {}: cannot write: {}", opts_.path.string(),
                                      sqlite3_errmsg(db_));
    if (!sqlite3_get_autocommit(db_))
        s.rollback.run();
    return message;
}

}  // namespace esser::emulator

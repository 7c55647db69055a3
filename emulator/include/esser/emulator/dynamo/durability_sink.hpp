#pragma once
// The port through which the engine and the streams make their state durable (--data-dir,
// issue 9). Implementation: sqlite_state_store (emulator/persist). Without a sink (the default)
// nothing here runs: every call site checks a null pointer first.
//
// What is recorded: every committed item change, every table definition change, every stream
// record and every change to a stream's shards. The engine and the streams call record_durable()
// under the lock that orders the change (the table's lock for items and definitions, the
// stream's lock for stream state), so the sink receives each object's changes in commit order.
//
// Atomic units: changes recorded on one thread while a durability_group is open join one unit,
// submitted when the outermost group closes. table::commit opens one around an item change and
// the stream record it produces, TransactWriteItems one around all its writes, so a write is
// never durable without its stream record (spec/streams-and-lambda.md §3: one record per
// change). A change recorded outside a group is a unit by itself.
//
// Acknowledgement: dynamo_engine::dispatch calls await_durable() before it answers, which waits
// until every unit this thread submitted is durable (sink's wait_durable: written to the
// database, and fsynced with --durability full). A storage failure makes it throw; the engine
// turns that into InternalServerError and from then on refuses every request (failure()).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace esser::emulator {

// A table's definition as JSON text (table id = TableId, stable across renames of nothing: a
// table deleted and created again under the same name gets a new id).
struct table_saved {
    std::string table_id;
    std::string definition;
};

// The table and all its items are gone (DeleteTable, reset).
struct table_dropped {
    std::string table_id;
};

// An item written: `key` is its stored key (unique within the table), `item` the engine's item
// encoding (item_codec).
struct item_saved {
    std::string table_id;
    std::string key;
    std::string item;
};

struct item_removed {
    std::string table_id;
    std::string key;
};

// A stream's state (shards, lineage, counters) as JSON text. `version` rises with every save of
// the stream: a sink keeps the highest, whatever order units arrive in.
struct stream_saved {
    std::uint64_t stream = 0;  // the registry's stream serial
    std::uint64_t version = 0;
    std::string state;
};

// The stream and its records are gone (trimmed away).
struct stream_dropped {
    std::uint64_t stream = 0;
};

// Every stream and record is gone (the registry's reset).
struct streams_cleared {};

// The records of a shard before `position` were trimmed away (retention): the sink drops them
// (compaction).
struct records_trimmed {
    std::uint64_t stream = 0;
    std::uint32_t shard = 0;
    std::uint64_t position = 0;
};

// One stream record at an absolute position of a shard (the registry's encoding).
struct record_saved {
    std::uint64_t stream = 0;
    std::uint32_t shard = 0;
    std::uint64_t position = 0;
    std::string record;
};

// The state of the other services esser-local keeps with --data-dir (event source mappings and
// their checkpoints, Lambda functions, SQS queues and messages) as documents: `kind` names the
// owner's collection ("esm", "esm_shards", "function", "queue", "message"), `id` is unique
// within it (ordered as bytes), `body` is the owner's encoding. Only the owner reads it back.
struct document_saved {
    std::string kind;
    std::string id;
    std::string body;
};

// Removes the documents of `kind` whose id starts with `id_prefix` (exactly `id_prefix` when
// `exact`; an empty prefix without `exact` removes the whole kind).
struct documents_removed {
    std::string kind;
    std::string id_prefix;
    bool exact = false;
};

using durable_change =
    std::variant<table_saved, table_dropped, item_saved, item_removed, stream_saved, stream_dropped,
                 streams_cleared, record_saved, records_trimmed, document_saved, documents_removed>;

class durability_sink {
public:
    virtual ~durability_sink() = default;

    // Takes one atomic unit, in submission order; returns its ticket (rising). Called under the
    // caller's locks: quick, never blocks on I/O, never throws for storage failures.
    virtual std::uint64_t submit(std::vector<durable_change> unit) = 0;
    // Blocks until every unit up to `ticket` is durable. Throws std::runtime_error when the
    // storage failed (every later wait fails the same way).
    virtual void wait_durable(std::uint64_t ticket) = 0;

    // Empty while the storage works; once it failed, why (the text wait_durable throws). The
    // engine then refuses every request before running it, so the change that could not be
    // stored (still in memory) is never read or built on; esser-local also stops.
    virtual std::string failure() const { return {}; }
};

// Opens a group on this thread (nothing when `sink` is null); nested groups join the outermost,
// which submits the unit when it closes. Declare it after the lock guards it belongs to, so the
// unit is submitted while the locks are still held.
class durability_group {
public:
    explicit durability_group(durability_sink* sink);
    ~durability_group();
    durability_group(const durability_group&) = delete;
    durability_group& operator=(const durability_group&) = delete;

private:
    durability_sink* sink_;
};

// Records a change into this thread's open group, or submits it as a unit of its own.
void record_durable(durability_sink& sink, durable_change change);

// Waits until every unit this thread submitted to `sink` is durable (no-op when none is
// pending or `sink` is null). Throws what wait_durable throws.
void await_durable(durability_sink* sink);

}  // namespace esser::emulator

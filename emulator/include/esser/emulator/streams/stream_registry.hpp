#pragma once
// DynamoDB Streams: every table's streams, their shards and records (spec/streams-and-lambda.md
// §1-§3, §6; spec/dynamodb-api.md §3.9).
//
// The fake engine (emulator/dynamo) attaches one stream_registry as its table_observer: it calls
// stream_enabled / stream_disabled when a table's StreamSpecification changes (or the table is
// deleted) and item_changed for every committed change, under the table's lock, in commit order.
// The registry turns each change into exactly one record on the shard that owns the item's
// partition key. Three kinds of readers sit on top:
//   - streams_api: the DynamoDBStreams_20120810 JSON operations (ListStreams, DescribeStream,
//     GetShardIterator, GetRecords) through the typed operations below;
//   - Lambda event source mappings: the subscription API (shards, open_cursor, read, watch),
//     typed records, no JSON and no iterator expiry;
//   - the esser API: rotate, split, split_shard, set_partitions, tick.
//
// Behaviour that real consumers trip over, reproduced deterministically:
//   - shards roll over (options.rollover_interval, default 4 h) and split on demand; children
//     carry ParentShardId; shard ids are `shardId-<20-digit epoch ms>-<8 hex>`, listed sorted,
//     parents before children (§1.2);
//   - sequence numbers grow one digit per generation of a lineage (21 digits, then 22, ... up
//     to 38), so consumers comparing them as strings break as they would on AWS (§1.3, §6.6);
//   - records older than options.retention are trimmed; TrimmedDataAccessException for
//     positions before the trim point; iterators expire after options.iterator_ttl (§1.4);
//   - a disabled stream keeps its ARN, closes its shards and stays readable until trimmed; a
//     re-enabled table gets a new ARN (§1.1, §6.17).
// Everything time-dependent reads the clock port: with core::manual_clock and a
// core::seeded_id_source every id, sequence number and iterator is identical run to run.
//
// Thread safety: every member function may be called from any thread. A registry-wide
// shared_mutex guards the set of streams (taken shared on the hot path); each stream has its own
// mutex for its shards and records. Writes to different tables never wait for each other.
//
// Invariants (per stream):
//   - the open shards' hash ranges partition [0, 2^64) exactly; an item's partition key hash
//     picks one open shard;
//   - sequence numbers rise strictly within a shard; a child's numbers exceed its parent's;
//   - a shard's records are trimmed from the front only; positions (shard_cursor, iterators)
//     are absolute record indexes and survive trimming;
//   - closed shards never receive records; EndingSequenceNumber = their last record's number
//     (their StartingSequenceNumber when empty).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/durability_sink.hpp"
#include "esser/emulator/dynamo/table_observer.hpp"
#include "esser/emulator/streams/sequence_number.hpp"
#include "esser/emulator/streams/stream_options.hpp"
#include "esser/emulator/streams/stream_record.hpp"

namespace esser::emulator {

template <class T>
using streams_result = core::expected<T, adapters::aws_error>;

// StreamStatus (§1.1). Do not reorder.
enum class stream_status : std::uint8_t { ENABLING, ENABLED, DISABLING, DISABLED };
std::string_view stream_status_text(stream_status s) noexcept;

// ShardIteratorType (§1.4). Do not reorder.
enum class shard_iterator_type : std::uint8_t {
    TRIM_HORIZON,
    LATEST,
    AT_SEQUENCE_NUMBER,
    AFTER_SEQUENCE_NUMBER
};
std::string_view shard_iterator_type_text(shard_iterator_type t) noexcept;
std::optional<shard_iterator_type> parse_shard_iterator_type(std::string_view text) noexcept;

// A ListStreams entry.
struct stream_summary {
    std::string arn;
    std::string table;
    std::string label;
};

struct list_streams_page {
    std::vector<stream_summary> streams;
    std::optional<std::string> last_evaluated_stream_arn;  // set when more streams follow
};

// A shard as DescribeStream shows it.
struct shard_info {
    std::string shard_id;
    std::string parent_shard_id;  // empty: no parent
    sequence_number starting_sequence_number;
    std::optional<sequence_number> ending_sequence_number;  // present once closed

    bool closed() const { return ending_sequence_number.has_value(); }
};

struct stream_description {
    std::string arn;
    std::string label;
    std::string table;
    std::string region;
    stream_status status = stream_status::ENABLED;
    stream_view_type view_type = stream_view_type::KEYS_ONLY;
    core::time_point created;  // CreationRequestDateTime
    key_schema keys;
    std::vector<shard_info> shards;                      // sorted by shard id
    std::optional<std::string> last_evaluated_shard_id;  // set when more shards follow
};

struct get_records_page {
    std::vector<std::shared_ptr<const stream_record>> records;
    // Absent once a closed shard has been read to its end (§1.5: the JSON key is absent).
    std::optional<std::string> next_shard_iterator;
    std::string region;  // awsRegion of the records
};

// A read position in one shard for in-process consumers (the subscription API). A value: copy
// it, keep it, pass it back to read(). Unlike a shard iterator it never expires; it can still
// fall behind the trim point (TrimmedDataAccessException from read()).
class shard_cursor {
public:
    shard_cursor() = default;

    const std::string& stream_arn() const { return stream_arn_; }

    const std::string& shard_id() const { return shard_id_; }

    // Absolute index of the next record to read within the shard.
    std::uint64_t position() const { return position_; }

    // The same shard at absolute index `position` (a checkpoint kept across a restart:
    // esm_service under --data-dir). read() treats it as any cursor: a position past the end
    // reads from the end, one behind the trim point answers TrimmedDataAccessException.
    shard_cursor at(std::uint64_t position) const {
        shard_cursor c = *this;
        c.position_ = position;
        return c;
    }

private:
    friend class stream_registry;
    std::string stream_arn_;
    std::string shard_id_;
    std::uint64_t stream_serial_ = 0;
    std::uint32_t shard_serial_ = 0;
    std::uint64_t position_ = 0;
};

struct read_batch {
    std::vector<std::shared_ptr<const stream_record>> records;
    shard_cursor next;       // after the last record returned
    bool shard_end = false;  // the shard is closed and `next` is at its end: move to children
};

class stream_registry final : public table_observer {
public:
    using watch_id = std::uint64_t;

    // The clock and id source must outlive the registry. With options.follow_manual_clock and a
    // core::manual_clock, the registry subscribes to the clock (and unsubscribes in its
    // destructor). The id source supplies shard id suffixes, event id seeds, sequence number
    // offsets and the key that signs shard iterators.
    stream_registry(core::clock& clock, core::id_source& ids, stream_options options = {});
    ~stream_registry() override;
    stream_registry(const stream_registry&) = delete;
    stream_registry& operator=(const stream_registry&) = delete;

    const stream_options& options() const { return options_; }

    // --- table_observer (called by the engine under the table's lock) ---------------------
    // Creates a new stream (new label and ARN = table_arn + "/stream/" + label) with
    // partitions open shards. A table that still has an enabled stream gets it disabled first.
    stream_identity stream_enabled(std::string_view table, const std::string& table_arn,
                                   const key_schema& keys, stream_view_type view,
                                   core::time_point at) override;
    // Closes every open shard; the stream stays listed and readable (DISABLED) until trimmed.
    void stream_disabled(std::string_view table, core::time_point at) override;
    // Appends one record. Ignored when the table has no enabled stream. Reads the change's
    // encoded images when it has them (the engine's), else its decoded ones; the record is the
    // same either way.
    void item_changed(const item_change& change) override;

    // False: the record copies the engine's encoded images, so the engine need not decode them.
    bool wants_decoded_images() const override { return false; }

    // --- Streams API, typed (streams_api renders the JSON) ----------------------------------
    // Errors are AWS's (ValidationException, ResourceNotFoundException,
    // ExpiredIteratorException, TrimmedDataAccessException) with their messages; argument
    // ranges (Limit) are the caller's check (streams_api does them).

    // Streams sorted by ARN; `table` filters; paging after exclusive_start_stream_arn (which
    // must be well-formed but need not exist).
    streams_result<list_streams_page> list_streams(
        std::optional<std::string_view> table, std::size_t limit,
        std::optional<std::string_view> exclusive_start_stream_arn);
    // Shards sorted by id, after exclusive_start_shard_id (an unknown id gives no shards, as
    // on AWS), only children of `child_shards_of` when set (ShardFilter CHILD_SHARDS).
    streams_result<stream_description> describe_stream(
        std::string_view stream_arn, std::size_t limit,
        std::optional<std::string_view> exclusive_start_shard_id,
        std::optional<std::string_view> child_shards_of);
    // `sequence` is required for AT_/AFTER_SEQUENCE_NUMBER and must be absent otherwise.
    streams_result<std::string> get_shard_iterator(std::string_view stream_arn,
                                                   std::string_view shard_id,
                                                   shard_iterator_type type,
                                                   std::optional<sequence_number> sequence);
    // Up to `limit` records (and options.max_response_bytes) from the iterator's position.
    streams_result<get_records_page> get_records(std::string_view shard_iterator,
                                                 std::size_t limit);

    // --- Subscription API (Lambda event source mappings; no JSON, no iterator expiry) -------

    // The table's current (enabled) stream, if any.
    std::optional<stream_summary> latest_stream(std::string_view table);
    // Stream details without paging: status, view type, region, every shard with its lineage.
    streams_result<stream_description> describe(std::string_view stream_arn);
    // A cursor at a position, with GetShardIterator's validation (minus expiry).
    streams_result<shard_cursor> open_cursor(std::string_view stream_arn, std::string_view shard_id,
                                             shard_iterator_type type,
                                             std::optional<sequence_number> sequence = {});
    // Up to max_records records from the cursor (no byte cap). TrimmedDataAccessException when
    // the cursor fell behind the trim point; ResourceNotFoundException when the stream is gone.
    streams_result<read_batch> read(const shard_cursor& cursor, std::size_t max_records);
    // Calls `waker` after every record appended to the stream and every shard change
    // (rollover, split, rotate, disable). It runs on the writer's thread, possibly under the
    // engine's table lock: it must be quick and must not call the registry or the engine
    // (signal a condition variable, post to an executor). Unknown stream ->
    // ResourceNotFoundException.
    streams_result<watch_id> watch(std::string_view stream_arn, std::function<void()> waker);
    // Safe to call with an unknown or already removed id. After it returns, the waker is not
    // running and will not run again.
    void unwatch(watch_id id);

    // --- Replay (issue 8: record and replay fixture streams) -----------------------------------
    // A stream rebuilt from recorded records, readable through every read API above exactly as
    // the captured one was: same ARN, shard ids, lineage, sequence numbers and event ids.
    // import_stream creates `stream_arn` (arn:...:table/<table>/stream/<label>) for `table`,
    // DISABLED and without shards; it is not attached to the table (writes never reach it).
    // ValidationException when the ARN is malformed or already known.
    streams_result<void> import_stream(std::string_view stream_arn, std::string_view table,
                                       const key_schema& keys, stream_view_type view,
                                       core::time_point created);
    // Appends `record` to `shard_id` of an imported stream. The shard is created, closed, on
    // its first record with `parent_shard_id` (empty: none). ValidationException when the
    // stream was not imported, the parent differs from the first record's, or the sequence
    // number does not rise within the shard. Records are trimmed by options.retention like any.
    streams_result<void> import_record(std::string_view stream_arn, std::string_view shard_id,
                                       std::string_view parent_shard_id,
                                       std::shared_ptr<const stream_record> record);

    // --- esser API hooks (admin) ---------------------------------------------------------------
    // Closes every open shard of the table's enabled stream; each gets one child with the same
    // hash range. Returns the new shard ids. not_found when the table has no enabled stream.
    core::result<std::vector<std::string>> rotate(std::string_view table);
    // Splits every open shard into `children` (1..100) shards over its hash range.
    core::result<std::vector<std::string>> split(std::string_view table, std::size_t children);
    // Splits one open shard; validation error when it is closed, not_found when unknown.
    core::result<std::vector<std::string>> split_shard(std::string_view table,
                                                       std::string_view shard_id,
                                                       std::size_t children);
    // Shards of streams the table enables from now on (1..1000); overrides options.partitions.
    core::result<void> set_partitions(std::string_view table, std::size_t partitions);
    // Drops every stream with its shards, records and watchers (the esser API's reset). Call it
    // after the engine's reset(), which disables the tables' streams first; per-table partition
    // settings are kept. Cursors and iterators of dropped streams become unknown streams.
    void reset();
    // --- Durability (--data-dir, issue 9; durability_sink.hpp) -------------------------------
    // Attaches the sink (nullptr detaches; before traffic, after restoring; the sink outlives the
    // registry or is detached first). From then on every record is recorded with its position
    // in the unit of the write that produced it, and every change to a stream's shards (enable,
    // disable, rollover, split, rotate, a shard or stream trimmed away) as the stream's whole
    // state. Imported (replayed) streams are not recorded.
    void set_durability(durability_sink* sink);
    // Restoring, before traffic and before set_durability: every stream_saved::state, then every
    // record_saved in (stream, shard, position) order, then finish_restore(), which makes the
    // enabled streams the tables' streams again and resumes rollover and trimming from the
    // clock's now. Sequence numbers carry on after the highest one restored. Errors name what
    // is damaged; records of streams or shards that are gone are skipped.
    core::result<void> restore_stream(std::string_view state);
    core::result<void> restore_record(std::uint64_t stream, std::uint32_t shard,
                                      std::uint64_t position, std::string_view record);
    void finish_restore();

    // Applies rollovers and trimming up to clock.now() on every stream and removes streams
    // whose data is all gone. Every operation above does this lazily for the streams it
    // touches; tick() is for schedulers and for the manual-clock listener.
    void tick();

private:
    struct shard_state;
    struct stream_state;
    using stream_ptr = std::shared_ptr<stream_state>;

    stream_ptr find_by_arn(std::string_view arn) const;
    stream_ptr find_by_serial(std::uint64_t serial) const;
    stream_ptr enabled_stream(std::string_view table) const;
    streams_result<stream_ptr> resolve_arn(std::string_view arn) const;

    // All below expect the stream's mutex held.
    void housekeep(stream_state& s, core::time_point now);
    void roll_over(stream_state& s, core::time_point now);
    void trim(stream_state& s, core::time_point now);
    shard_state& new_shard(stream_state& s, const shard_state* parent, std::uint64_t hash_lo,
                           std::uint64_t hash_hi, core::time_point created);
    void close_shard(stream_state& s, shard_state& sh, core::time_point at);
    std::vector<std::string> split_locked(stream_state& s, shard_state& parent,
                                          std::size_t children, core::time_point now);
    void rebuild_open_index(stream_state& s);
    void wake(stream_state& s);
    streams_result<std::uint64_t> position_for(stream_state& s, shard_state& sh,
                                               shard_iterator_type type,
                                               const std::optional<sequence_number>& seq);
    stream_description describe_locked(const stream_state& s, core::time_point now) const;
    std::string make_iterator(const stream_state& s, const shard_state& sh, std::uint64_t position,
                              core::time_point issued, std::uint32_t reader) const;
    // §6.18: whether `reader` may read the shard now (options.max_readers_per_shard).
    bool admit_reader(shard_state& sh, std::uint32_t reader, core::time_point now) const;
    // §6.3: whether this GetRecords on an open shard answers an empty page.
    bool draw_empty_page();
    void purge_removed_streams();
    void on_clock(core::time_point t);
    // Records the stream's state to the sink (stream mutex held; no-op without a sink).
    void save_state(stream_state& s);

    durability_sink* sink_ = nullptr;

    core::clock& clock_;
    core::id_source& ids_;
    stream_options options_;
    std::uint64_t iterator_key_[2] = {0, 0};     // SipHash key signing shard iterators
    std::atomic<std::uint32_t> next_reader_{1};  // GetShardIterator calls so far, plus one
    std::atomic<std::uint64_t> page_draws_{0};   // empty-page draws so far
    std::uint64_t clock_subscription_ = 0;
    core::manual_clock* manual_clock_ = nullptr;

    mutable std::shared_mutex mu_;  // guards the maps below and the counters
    std::map<std::string, stream_ptr, std::less<>> by_arn_;  // sorted: ListStreams order

    struct string_hash {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::unordered_map<std::string, stream_ptr, string_hash, std::equal_to<>> enabled_by_table_;
    std::unordered_map<std::uint64_t, stream_ptr> by_serial_;
    std::unordered_map<std::string, std::size_t> partitions_by_table_;
    std::unordered_map<watch_id, std::uint64_t> watch_streams_;  // watch id -> stream serial
    std::uint64_t next_stream_serial_ = 1;
    std::unordered_map<std::uint64_t, bool> imported_;  // serials of imported streams
    watch_id next_watch_id_ = 1;
};

}  // namespace esser::emulator

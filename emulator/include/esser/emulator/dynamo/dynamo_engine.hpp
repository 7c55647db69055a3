#pragma once
// The fake DynamoDB: one object serving every DynamoDB operation through dispatch(), for the
// HTTP front (emulator/http) and for in-process callers (in_process_transport).
//
//   auto engine = std::make_shared<dynamo_engine>(dynamo_engine::options{
//       .clock = clock, .ids = ids});
//   adapters::aws_result r = engine->dispatch("PutItem", request_json);
//
// Behaviour follows spec/dynamodb-api.md: the operations of §3 with AWS's request checks in
// AWS's order (§1.4: JSON types -> constraints -> operation validation -> table lookup -> key
// and schema checks -> conditions -> execution), AWS's `__type`s and messages (§5), numbers as
// exact decimals (§2.2), item size and key limits (§2.3, §2.4).
//
// Operations: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable,
// DescribeTimeToLive, UpdateTimeToLive, PutItem, GetItem, DeleteItem, UpdateItem, Query, Scan,
// BatchWriteItem, BatchGetItem, TransactWriteItems, TransactGetItems, TagResource,
// UntagResource, ListTagsOfResource, DescribeLimits, DescribeEndpoints. Anything else gets
// UnknownOperationException (the HTTP front maps missing/garbled targets the same way).
//
// Concurrency: dispatch() may be called from any number of threads. Each table serialises its
// own operations with its own lock; there is no engine-wide lock on the item path (the table
// registry is read under a shared lock only to find the table). TransactWriteItems and
// TransactGetItems lock their tables in name order, so transactions never deadlock.
//
// Time comes only from the clock (CreationDateTime, stream labels, TTL expiry, the 10-minute
// ClientRequestToken window); TableId and other ids only from the id source, so a seeded run is
// reproducible.
//
// Streams: the engine does not keep stream records. It reports stream lifecycle and every
// committed item change to the attached table_observer (emulator/streams implements it), under
// the table's lock and in commit order. Without an observer, StreamSpecification is accepted
// and described, but no LatestStreamArn/LatestStreamLabel is claimed (there is no stream to
// read).
//
// TTL: sweep_expired_items() deletes every item whose TTL attribute (a Number of epoch seconds)
// is at or before now, on tables with TTL enabled; each deletion reaches the observer with
// by_ttl = true. Call it periodically, or on demand ("run the TTL sweep now"): nothing runs
// it behind the caller's back, so tests decide when expiry happens.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/transport.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/encoded_item.hpp"
#include "esser/emulator/dynamo/key_predicate.hpp"

namespace esser::emulator {

class durability_sink;
class table_observer;

class dynamo_engine {
public:
    struct options {
        // Both default to the real thing (system clock, random ids) when null.
        std::shared_ptr<core::clock> clock;
        std::shared_ptr<core::id_source> ids;
        // For ARNs (arn:aws:dynamodb:<region>:<account>:table/<name>).
        std::string region = "us-east-1";
        std::string account_id = "000000000000";
        // How long each status transition takes, in clock time (spec §3.1-3.2): a new table
        // is CREATING, a table after UpdateTable UPDATING, a GSI that UpdateTable adds
        // CREATING (backfilling), and a deleted table DELETING (still described and listed)
        // for this long. AWS takes seconds to minutes; 0, the default, makes every transition
        // immediate (CreateTable's and DeleteTable's own responses still say CREATING and
        // DELETING, as AWS's do).
        core::duration status_transition_delay{0};
        // The item size limit (spec §2.3); lower it only in tests.
        std::size_t max_item_size = 409600;
        // What DescribeEndpoints reports (host:port): the HTTP front sets its own address, so
        // SDKs with endpoint discovery keep talking to the emulator.
        std::string endpoint_address = "127.0.0.1:8000";
        // PutItem reads a plainly valid Item straight into the stored encoding in one walk
        // (the fast path); anything else, and every item when this is off, takes the
        // AttributeValue passes. Both give the same results; tests turn it off to compare.
        bool one_walk_put_item = true;
    };

    dynamo_engine();
    explicit dynamo_engine(options opts);
    ~dynamo_engine();
    dynamo_engine(const dynamo_engine&) = delete;
    dynamo_engine& operator=(const dynamo_engine&) = delete;

    // Serves one operation: `operation` is the bare name ("PutItem"), `request` the request
    // body object. Returns the response body object, or the AWS error (never throws for bad
    // input; an unexpected exception becomes InternalServerError).
    adapters::aws_result dispatch(std::string_view operation, const nlohmann::json& request);

    // dispatch() answering with the response body as JSON text: byte for byte what
    // dispatch(operation, request)->dump(-1, ' ', false, error_handler_t::replace) writes, with
    // the same errors. The reads (GetItem, Query, Scan, BatchGetItem, TransactGetItems) write
    // their items straight from the stored encoding into the text, never building their JSON
    // trees: this is the HTTP front's path (issue 6, Query of 100 events).
    core::expected<std::string, adapters::aws_error> dispatch_text(std::string_view operation,
                                                                   const nlohmann::json& request);

    // PutItem read straight from its request text, for the HTTP front: the Item goes to its
    // stored encoding without a JSON tree (~a third of a PutItem's instructions over HTTP).
    // Null when `operation` is not PutItem, options::one_walk_put_item is off, or the body is
    // not in the plain form that reader takes (emulator/src/dynamo/put_item_text.hpp): then
    // parse the body and call dispatch_text. Otherwise dispatch_prepared() serves it, with
    // byte for byte the answer dispatch_text gives for the parsed body. The prepared request
    // points into `body`, which must outlive it.
    struct prepared_request;
    std::shared_ptr<prepared_request> prepare_text(std::string_view operation,
                                                   std::string_view body) const;
    core::expected<std::string, adapters::aws_error> dispatch_prepared(
        const prepared_request& request);

    // Whether `operation` is a DynamoDB operation this engine serves.
    static bool serves(std::string_view operation);

    // ---- Native reads: GetItem and Query without JSON ----
    // For in-process callers that hold decoded keys (the esser API, the harness, benchmarks).
    // Same lookups, key checks and errors as the JSON operations; items come back in the
    // engine's encoding (encoded_item), decoded only as far as the caller asks.

    // The item, or nullopt. Errors: ResourceNotFoundException, ValidationException ("The
    // provided key element does not match the schema", ...).
    core::expected<std::optional<encoded_item>, adapters::aws_error> get_item(
        std::string_view table, const attribute_map& key);

    struct query_spec {
        std::string table;
        std::string index;  // empty: the table itself
        key_predicate key;  // partition key value and sort key predicate
        bool forward = true;
        std::optional<std::int64_t> limit;  // items evaluated (there is no filter here)
        std::optional<attribute_map> exclusive_start_key;
    };

    struct query_result {
        std::vector<encoded_item> items;
        std::optional<attribute_map> last_evaluated_key;  // as Query's LastEvaluatedKey
    };

    // One page, with Query's Limit / 1 MB / LastEvaluatedKey rules (spec §3.4).
    core::expected<query_result, adapters::aws_error> query(const query_spec& q);

    // Attaches the observer that receives stream lifecycle and item changes (nullptr detaches).
    // Attach before traffic starts; the observer must outlive the engine or be detached first.
    // Tables whose stream was enabled before attaching are announced to the new observer
    // (stream_enabled) so that it can serve them.
    void set_observer(table_observer* observer);

    // ---- Durability (--data-dir, issue 9; durability_sink.hpp) ----
    // Attaches the sink that every table definition change and item change is recorded to
    // (nullptr detaches). Attach before traffic starts, after restoring; the sink must outlive
    // the engine or be detached first. Every operation then answers only once its changes are
    // durable (an I/O failure answers InternalServerError).
    void set_durability(durability_sink* sink);

    // Restores a table saved through the sink (table_saved::definition) with its items (each
    // an item_saved::item; `next_item` returns them one by one, nullopt at the end). Nothing
    // reaches the observer or the sink: the table's stream identity is part of its definition
    // and the streams restore their own state. Errors (a damaged definition or item, a name
    // already in use) name the table and leave the engine without it.
    core::result<void> restore_table(
        std::string_view definition,
        const std::function<std::optional<std::string_view>()>& next_item);

    // Deletes expired items on every table with TTL enabled (spec: UpdateTimeToLive; the
    // attribute must be a Number of epoch seconds <= now; values more than five years in the
    // past are ignored, as AWS ignores them). Returns how many items were deleted.
    std::size_t sweep_expired_items();

    // Drops every table (the admin API's reset). Observers see stream_disabled for tables with
    // an enabled stream.
    void reset();

    // Memory the engine holds for items, in bytes (item blocks plus structure), and the raw
    // DynamoDB size of those items (the sum of item sizes, spec §2.3). For benchmarks and the
    // metrics endpoint.
    struct memory_usage {
        std::size_t item_bytes = 0;       // stored item blocks
        std::size_t structure_bytes = 0;  // partitions, vectors, index entries
        std::size_t raw_item_bytes = 0;   // sum of DynamoDB item sizes
        std::size_t items = 0;
    };

    memory_usage memory() const;

    const options& config() const;

    class impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace esser::emulator

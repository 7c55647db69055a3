#pragma once
// esm_service: esser-local's Lambda event source mappings over DynamoDB streams
// (spec/streams-and-lambda.md §4; AWS with-ddb, services-ddb-params,
// services-ddb-batchfailurereporting, services-dynamodb-errors).
//
// Control plane (what the REST routes of esm_routes.hpp call):
//   create / get / list / update / remove, with the request checks of esm_request.hpp plus the
//   existence checks that need the other services: the function (ResourceNotFoundException
//   "Function does not exist"), the stream (InvalidParameterValueException "Stream not found:
//   <arn>"), the duplicate mapping (ResourceConflictException, AWS's text), and the OnFailure
//   destination: an SQS queue of sqs_service that must exist when the mapping is created or
//   its destination changed (InvalidParameterValueException "The OnFailure destination <arn>
//   does not exist: ..."; an esser rule -- AWS checks the role's permission to send there --
//   that turns a mistyped ARN into an error at once instead of lost records later).
//   States: create answers "Creating", update "Updating" (or "Enabling"/"Disabling" when
//   Enabled changes), remove "Deleting"; the mapping is "Enabled"/"Disabled" right after (the
//   emulator applies changes at once; AWS takes minutes, §4.2).
//
// Delivery (§4.2-§4.5), per mapping and per shard:
//   - a batch's event is a stream_lambda_event (invocation::stream_event): typed records,
//     rendered to JSON (document or text) only if the function takes that form, and kept for
//     the batch's retries; bisect and partial retries reuse the renderings;
//   - a batch never mixes shards; a child shard is read only once its parent is finished
//     (read to its end with every batch done or discarded); shards present at creation start
//     at StartingPosition (LATEST = the position at create time), shards found later at their
//     start;
//   - filters (§4.6) drop records before they join a batch: no invoke, no retry, the
//     checkpoint moves past them;
//   - a function error (or a malformed partial response, or a tumbling-window response without
//     "state") retries the whole batch; the shard waits behind it, other shards go on;
//     BisectBatchOnFunctionError splits a failing batch in halves without counting a retry;
//     a partial response (ReportBatchItemFailures) checkpoints before the lowest failed record
//     and retries from there: when that made progress the remainder is a new batch (its own
//     count), when it did not the invoke counts as a failed attempt -- which reproduces AWS's
//     recorded counts (§4.4: record #6 delivered 5 times, OnFailure batchSize 1 with
//     approximateInvokeCount 4 for MaximumRetryAttempts 3) and can never retry forever;
//   - a batch is discarded when its failed attempts exceed MaximumRetryAttempts
//     (RetryAttemptsExhausted: invokes = 1 + MaximumRetryAttempts), or before an invoke when
//     its oldest record is older than MaximumRecordAgeInSeconds or than the stream's retention
//     (RecordAgeExceeded); the §4.5 record then goes to the OnFailure queue (an SQS message
//     any SQS client reads; a queue deleted since is re-created so the record is not lost),
//     and the shard moves on;
//   - throttles and service errors (Lambda could not invoke) retry without counting an
//     attempt, until the record age or retention ends them;
//   - a read behind the stream's trim point falls back to TRIM_HORIZON and says so in the
//     mapping's LastProcessingResult and status (§6.5); the in-process reader uses shard
//     cursors, which never expire, so there is no iterator to re-acquire (§6.4 cannot happen
//     here by construction).
//   - ParallelizationFactor N (§4.8): the records of a batch read from a shard are spread over
//     N sub-queues by a hash of the item's key (pk + sk); each sub-queue is a batch sequence
//     of its own (retries and discards per sub-queue), so a poison item blocks only its
//     sub-queue; the shard checkpoint moves once every sub-queue is done.
//   - Tumbling windows (§4.7): records are grouped by window [start, start + W) of their
//     ApproximateCreationDateTime; each invoke carries window/state/shardId/eventSourceARN/
//     isFinalInvokeForWindow/isWindowTerminatedEarly and must return {"state": {...}}; when a
//     record of a later window arrives, or the shard ends, or (real time) the window's end has
//     passed, the final invoke (isFinalInvokeForWindow true, no records) runs; its failure
//     blocks the shard until it succeeds.
//   - Enabled false pauses the mapping; a batch in progress is dropped and re-read from the
//     checkpoint when the mapping is enabled again.
//
// Two modes:
//   - manual (default): nothing runs by itself. drain() runs every enabled mapping until no
//     shard can make progress and returns what it did. Retries run at once, without waiting
//     (AWS's retry timing is not part of its contract); a batch that keeps failing with
//     unbounded retries (MaximumRetryAttempts -1) is tried at most
//     options.drain_max_attempts times per drain() and then reported as blocked: the next
//     drain() goes on retrying it (its count kept), and advancing the clock past
//     MaximumRecordAgeInSeconds or the retention discards it. Batching windows do not delay
//     drain(). Deterministic with core::manual_clock and core::seeded_id_source.
//   - real time (options.real_time, or start()): one poller thread per mapping wakes on every
//     append to its stream and every options.poll_interval (default 10 ms; AWS polls every
//     250 ms); failed batches wait options.retry_delay before their retry; batching windows
//     wait (clock time) for a full batch.
//
// Durability (--data-dir, issue 9; set_durability): every mapping of a function that is not
// in-process is recorded as a document (esm_info_state) when it is created, updated or
// deleted, and its per-shard checkpoints (shard, parent, the position after the last record
// whose batches are all finished, finished) whenever they move. A checkpoint moves only after
// the function acknowledged the batches before it (success, or a discard whose OnFailure
// message was recorded first), so the stored one is never ahead of what was delivered:
// restore_mapping resumes each shard there (at-least-once: batches in flight at a crash are
// delivered again, nothing is skipped). Mappings of in-process functions (esser-local's
// projector, registered again at every start) are not recorded. Lifetime counters and open
// tumbling windows are not kept: a window open at a restart is read again from its start.
//
// Thread-safe: every member may be called from any thread. Each mapping's delivery runs under
// its own mutex, so drain() and a poller never process one mapping at the same time.
// The lambda_service, stream_registry, sqs_service, clock and id source must outlive the
// service; the destructor stops the pollers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/esm/esm_config.hpp"

namespace esser::emulator {

class durability_sink;
class lambda_service;
class stream_registry;
class sqs_service;

struct esm_service_options {
    std::string region = "us-east-1";
    std::string account = "000000000000";
    // Start a poller thread per mapping (real-time mode). Off: only drain() delivers.
    bool real_time = false;
    // Real time: how often a poller looks at its shards when nothing woke it.
    std::chrono::milliseconds poll_interval{10};
    // Real time: how long a failed (or throttled) batch waits before its retry.
    std::chrono::milliseconds retry_delay{20};
    // drain(): invokes of one batch per drain() call when its retries are unbounded.
    std::uint32_t drain_max_attempts = 10;
};

// What drain() did for one mapping (counters are this drain's).
struct esm_drain_mapping {
    std::string uuid;
    std::uint64_t invokes = 0;            // function invocations (final window invokes too)
    std::uint64_t records_delivered = 0;  // records handed to the function (retries count again)
    std::uint64_t records_filtered = 0;   // records dropped by FilterCriteria
    std::uint64_t function_errors = 0;    // invokes that failed (errors, bad responses)
    std::uint64_t throttles = 0;          // throttled / service errors (not counted as retries)
    std::uint64_t batches_discarded = 0;  // batches given up (sent to OnFailure if set)
    std::vector<std::string> blocked_shards;  // shards left with a failing batch
};

struct esm_drain_report {
    std::vector<esm_drain_mapping> mappings;  // enabled mappings, by UUID
    std::uint64_t rounds = 0;                 // passes over the mappings
    // True when every mapping is idle: no readable record, no batch waiting for a retry.
    bool idle = true;
};

nlohmann::json to_json(const esm_drain_report& r);

class esm_service {
public:
    esm_service(lambda_service& lambda, stream_registry& streams, sqs_service& queues,
                core::clock& clock, core::id_source& ids, esm_service_options options = {},
                core::logger log = {});
    ~esm_service();
    esm_service(const esm_service&) = delete;
    esm_service& operator=(const esm_service&) = delete;

    const esm_service_options& options() const { return options_; }

    // CreateEventSourceMapping with a checked config (parse_create_request). The answer shows
    // State "Creating".
    core::result<esm_info> create(esm_config config);
    // ResourceNotFoundException "The resource you requested does not exist." when unknown.
    core::result<esm_info> get(std::string_view uuid) const;
    // ListEventSourceMappings: by creation order, filtered by stream ARN and/or function (name
    // or ARN) when given.
    std::vector<esm_info> list(std::string_view event_source_arn = {},
                               std::string_view function_name = {}) const;
    // UpdateEventSourceMapping: `update` is the body (parse_update_request applies it to the
    // current config). Changing FunctionName re-checks the function and the duplicate rule.
    core::result<esm_info> update(std::string_view uuid, const nlohmann::json& body);
    // DeleteEventSourceMapping: answers the mapping with State "Deleting"; it is gone after.
    core::result<esm_info> remove(std::string_view uuid);
    // Removes every mapping (the esser API's reset).
    void clear();

    // Manual mode (see the header comment).
    esm_drain_report drain();
    // Real-time pollers: start() starts one per mapping (and for mappings created later);
    // stop() stops and joins them. Idempotent.
    void start();
    void stop();

    // The esser API's view of one mapping: config, state, and per shard the checkpoint (the
    // last sequence number done), the records waiting, failed attempts of the batch at the
    // head, whether the shard is finished; lifetime counters.
    core::result<nlohmann::json> status(std::string_view uuid) const;

    // --- Durability (see the header comment) -----------------------------------------------
    // Attaches the sink (nullptr detaches; after restoring, before traffic; the sink outlives
    // the service or is detached first). Control-plane calls answer once their change is
    // durable; delivery records checkpoints as it goes (drain() returns once they are durable).
    void set_durability(durability_sink* sink);
    // Restores one recorded mapping (`state`: its "esm" document) with its checkpoints
    // (`shards`: its "esm_shards" document, empty when none was recorded), before
    // set_durability. Its function and OnFailure queue are not checked (a function restored
    // later, or never, is looked up at each delivery as after a DeleteFunction). In real-time
    // mode its poller starts at once. Errors (errc::parse_error) name what is damaged.
    core::result<void> restore_mapping(std::string_view state, std::string_view shards);

    struct mapping;

private:
    core::result<std::string> check_function(const esm_config& c) const;
    core::result<void> check_destination(const esm_config& c) const;
    core::result<void> check_duplicate(const esm_config& c, const std::string& function_arn,
                                       std::string_view except_uuid) const;
    void start_poller(const std::shared_ptr<mapping>& m);
    // The mapping with `uuid` (under a shared lock of mu_), or ResourceNotFoundException.
    core::result<std::shared_ptr<mapping>> find_mapping(std::string_view uuid) const;

    lambda_service& lambda_;
    stream_registry& streams_;
    sqs_service& queues_;
    core::clock& clock_;
    core::id_source& ids_;
    esm_service_options options_;
    core::logger log_;

    mutable std::shared_mutex mu_;
    std::map<std::string, std::shared_ptr<mapping>, std::less<>> by_uuid_;
    std::vector<std::string> order_;  // creation order
    bool running_ = false;
    std::uint64_t next_order_ = 1;  // creation order of the next mapping (kept when restored)
    std::atomic<durability_sink*> sink_{nullptr};
};

}  // namespace esser::emulator

#pragma once
// Settings of the DynamoDB Streams emulation (spec/streams-and-lambda.md §1, §6). Defaults are
// AWS's; tests shrink the durations (a rollover every few seconds, a one-hour retention) and
// drive them with core::manual_clock.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "esser/core/clock.hpp"

namespace esser::emulator {

struct stream_options {
    // Fallbacks for stream ARNs and awsRegion when the engine hands over a table ARN that does
    // not carry them (it normally does: arn:aws:dynamodb:<region>:<account>:table/<name>).
    std::string region = "us-east-1";
    std::string account = "000000000000";

    // Shards a new stream starts with (AWS: about one per table partition). Items are placed by
    // a stable hash of their partition key, so one item's records stay in one shard lineage.
    // 1..1000; set_partitions() overrides it per table.
    std::size_t partitions = 1;

    // An open shard closes this long after it was created and a child takes the new writes
    // (AWS: "about every 4 hours", undocumented, §1.2). Zero disables rollover.
    core::duration rollover_interval = std::chrono::hours(4);

    // Records older than this are trimmed; closed shards disappear this long after they closed,
    // disabled streams once their last shard is gone (§1.4: 24 h).
    core::duration retention = std::chrono::hours(24);

    // A shard iterator expires this long after it was issued (§1.4: 15 min).
    core::duration iterator_ttl = std::chrono::minutes(15);

    // How long a new stream shows ENABLING and a disabled one DISABLING before ENABLED /
    // DISABLED. Zero (default): the emulator is fast; records are captured either way.
    core::duration status_transition = core::duration::zero();

    // GetRecords response cap (§1.5: 1 MB), measured as the records' SizeBytes plus a per-record
    // overhead for the JSON around the images. At least one record is always returned.
    std::size_t max_response_bytes = 1024 * 1024;

    // Consumer-hardening switches (§6.3 and §6.18); both off by default. They apply to the
    // Streams API (GetRecords), not to the emulator's own in-process readers (event source
    // mappings, recordings), which AWS does not throttle in the same way.
    //
    // The probability (0..1) that GetRecords on an OPEN shard answers an empty page (Records []
    // and a NextShardIterator at the same position) although records are waiting, as AWS does
    // now and then (§6.3). Drawn from a generator seeded by empty_page_seed and advanced once per
    // GetRecords call on an open shard, so the same calls give the same pages run after run.
    double empty_page_probability = 0;
    std::uint64_t empty_page_seed = 0;

    // At most this many readers read one shard within any second of clock time; a GetRecords
    // of a further reader is refused with LimitExceededException "Rate exceeded" (§1.5, §6.18:
    // AWS throttles more than two). A reader is one GetShardIterator call and the GetRecords
    // chain that follows its NextShardIterators; it stops counting one second after its last
    // GetRecords. Zero: no limit.
    std::size_t max_readers_per_shard = 0;

    // When the clock is a core::manual_clock, subscribe to it so rollovers and trimming happen
    // (and watchers are woken) the moment the clock moves, not only at the next call.
    bool follow_manual_clock = true;
};

}  // namespace esser::emulator

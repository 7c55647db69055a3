#pragma once
// core::event_store on DynamoDB (DESIGN.md "DynamoDB layout"), over any dynamodb_transport: real
// DynamoDB through HTTPS + SigV4 in production, the emulator's engine in process locally. Same
// code, same requests, on both.
//
// events table (stream NEW_IMAGE): one item per event, pk S = "<Entity>#<id>" (HASH), v N (RANGE),
//   entity, id, type, data M, meta M, at (core/event_item.hpp does the item <-> event codec).
// snapshots table: pk S (HASH), v N, state M, at S, commands L (the latest snapshot per stream,
//   with its recent command ids for command idempotency).
//
// Requests:
//   append, one event     PutItem  ConditionExpression attribute_not_exists(pk)
//   append, several       TransactWriteItems of such Puts (at most 100: DynamoDB's limit)
//   read                  Query pk = :pk AND v BETWEEN :lo AND :hi, ConsistentRead, all pages
//   last_version          Query pk = :pk, ScanIndexForward false, Limit 1
//   load_snapshot         GetItem snapshots (ConsistentRead)
//   save_snapshot         PutItem with attribute_not_exists(pk) OR v < :v (older ones ignored)
//
// Errors: a failed condition (ConditionalCheckFailedException, or TransactionCanceledException
// with a ConditionalCheckFailed reason) is errc::version_conflict, nothing written; a malformed
// batch is errc::invalid_argument before any request; every other AWS error goes through
// to_core_error() (throttles stay retryable). A stored item that does not decode is
// errc::parse_error naming the attribute.
//
// Thread-safe (stateless besides its configuration).

#include <memory>
#include <string>

#include "esser/adapters/dynamodb/dynamodb_client.hpp"
#include "esser/core/event_store.hpp"

namespace esser::adapters {

class dynamodb_event_store final : public core::event_store {
public:
    struct options {
        std::string events_table = "events";
        std::string snapshots_table = "snapshots";
    };

    explicit dynamodb_event_store(std::shared_ptr<dynamodb_transport> transport);
    dynamodb_event_store(std::shared_ptr<dynamodb_transport> transport, options opts);

    [[nodiscard]] core::result<std::uint64_t> append(const core::stream_id& s,
                                                     std::vector<core::event> events) override;
    [[nodiscard]] core::result<std::vector<core::event>> read(
        const core::stream_id& s, std::uint64_t after = 0,
        std::uint64_t up_to = max_version) override;
    [[nodiscard]] core::result<std::uint64_t> last_version(const core::stream_id& s) override;
    [[nodiscard]] core::result<std::optional<core::snapshot>> load_snapshot(
        const core::stream_id& s, std::uint64_t at_or_below = max_version) override;
    [[nodiscard]] core::result<void> save_snapshot(const core::snapshot& snap) override;

    // Creates both tables if they are missing (on demand; the events table with a NEW_IMAGE
    // stream), for local setups and tests. Production tables come from the template.
    [[nodiscard]] core::result<void> ensure_tables();

    const options& config() const { return opts_; }

    // The CreateTable requests ensure_tables() sends.
    static nlohmann::json events_table_definition(const std::string& name);
    static nlohmann::json snapshots_table_definition(const std::string& name);

private:
    dynamodb_client db_;
    options opts_;
};

}  // namespace esser::adapters

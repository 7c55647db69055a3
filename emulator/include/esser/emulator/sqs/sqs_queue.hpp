#pragma once
// sqs_queue: one SQS standard queue -- its attributes and its messages with SQS's visibility
// model (AWS SQS Developer Guide "Visibility timeout", "Delay queues", "Message retention";
// API reference CreateQueue, SetQueueAttributes, GetQueueAttributes, SendMessage,
// ReceiveMessage, DeleteMessage, ChangeMessageVisibility, PurgeQueue).
//
// Time is whatever the caller passes as `now` (the clock port: sqs_service passes
// clock.now()), so a manual clock drives visibility timeouts, delays and retention.
//
// Invariants:
//   - messages_ holds every message not deleted, purged or expired, keyed by send sequence
//     (1, 2, ...), so receives hand out the oldest visible messages first (best effort FIFO,
//     which real standard queues only approximate);
//   - a message is visible iff now >= visible_at; received at least once => in flight while
//     invisible, never received => delayed while invisible;
//   - a message's receipt_handle names its latest receive; any well-formed handle of an
//     existing message deletes it (SQS: an older handle "might" still delete it).
// Not thread-safe: sqs_service guards each queue with its lock.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/sqs/sqs_names.hpp"

namespace esser::emulator {

// Queue attributes as SQS carries them: name -> string value.
using sqs_attribute_map = std::map<std::string, std::string, std::less<>>;

struct sqs_message {
    std::string message_id;  // UUID
    std::string body;
    std::string md5_of_body;
    sqs_message_attributes attributes;
    std::string md5_of_attributes;  // "" without attributes
    core::time_point sent_at;
    core::time_point visible_at;
    std::optional<core::time_point> first_received_at;
    std::uint32_t receive_count = 0;
    std::string receipt_handle;  // of the latest receive; empty before the first
    std::uint64_t sequence = 0;  // 1, 2, ... per queue, in send order
};

// What ApproximateNumberOfMessages* count.
struct sqs_queue_counts {
    std::size_t visible = 0;
    std::size_t in_flight = 0;  // received, not deleted, visibility timeout running
    std::size_t delayed = 0;    // never received, delay running

    std::size_t total() const { return visible + in_flight + delayed; }
};

class sqs_queue {
public:
    // A queue with SQS's default attributes, then `attributes` applied (checked first).
    static core::result<sqs_queue> make(std::string name, std::string arn,
                                        const sqs_attribute_map& attributes, core::time_point now);

    const std::string& name() const { return name_; }

    core::time_point created() const { return created_; }

    // Messages ever sent.
    std::uint64_t sent() const { return sequence_; }

    std::uint32_t visibility_timeout_s() const { return visibility_timeout_s_; }

    std::uint32_t receive_wait_time_s() const { return receive_wait_time_s_; }

    std::uint32_t maximum_message_size() const { return maximum_message_size_; }

    // Checks every name and value first (InvalidAttributeName "Unknown Attribute X.",
    // InvalidAttributeValue "Invalid value for the parameter X."), then applies them all.
    core::result<void> set_attributes(const sqs_attribute_map& attributes, core::time_point now);
    // True when each of `attributes` has the value this queue has (CreateQueue's idempotency
    // rule for an existing name; attributes not given are not compared).
    bool has_attributes(const sqs_attribute_map& attributes) const;
    // The attributes named (or every one for "All"), values as SQS renders them.
    core::result<sqs_attribute_map> attributes(const std::vector<std::string>& names,
                                               core::time_point now) const;

    // Stores `m` (message_id, body, md5s and attributes filled by the caller), stamped at
    // `now`, visible after `delay_s` (the queue's DelaySeconds when nullopt).
    const sqs_message& send(sqs_message m, std::optional<std::uint32_t> delay_s,
                            core::time_point now);
    // Up to `max` visible messages, oldest first, each made invisible for `visibility_s` (the
    // queue's VisibilityTimeout when nullopt) with a fresh receipt handle.
    std::vector<sqs_message> receive(std::size_t max, std::optional<std::uint32_t> visibility_s,
                                     core::time_point now, core::id_source& ids);
    // Up to `max` visible messages, oldest first, untouched.
    std::vector<sqs_message> peek(std::size_t max, core::time_point now) const;
    // ReceiptHandleIsInvalid for a handle this emulator never made; success for a message
    // already gone (as SQS: deleting twice is fine).
    core::result<void> delete_message(std::string_view receipt_handle);
    // MessageNotInflight when the message is visible; InvalidParameterValue when it is gone.
    core::result<void> change_visibility(std::string_view receipt_handle,
                                         std::uint32_t visibility_s, core::time_point now);
    // Removes every message; returns how many there were.
    std::size_t purge();
    sqs_queue_counts counts(core::time_point now) const;
    // Drops messages older than MessageRetentionPeriod.
    void expire(core::time_point now);

    // When the last PurgeQueue ran (SQS allows one per 60 s).
    std::optional<core::time_point> last_purge;

    // --- Durability (--data-dir, issue 9; sqs_service) -----------------------------------------
    // The attributes a client can set, with this queue's values: what make() needs to build it
    // again.
    sqs_attribute_map settable_attributes() const;

    // With tracking on, the queue notes the sequence of every message it drops (deleted,
    // expired; 0 for "every message": purge) until take_removed() hands them over.
    void track_removals(bool on) { track_removals_ = on; }

    std::vector<std::uint64_t> take_removed();

    // Restoring: the creation time, then every kept message (any order). A message that had
    // been received is visible again at `now` (its visibility timeout ended with the process
    // that set it); one never received keeps its delay. Sequences go on after the highest.
    void restore_created(core::time_point created) { created_ = created; }

    void restore_message(sqs_message m, core::time_point now);

private:
    sqs_queue() = default;
    std::string render(std::string_view attribute, core::time_point now) const;

    std::string name_;
    std::string arn_;
    core::time_point created_;
    core::time_point last_modified_;
    std::uint32_t visibility_timeout_s_ = 30;
    std::uint32_t message_retention_s_ = 345600;  // 4 days
    std::uint32_t delay_s_ = 0;
    std::uint32_t maximum_message_size_ = 262144;
    std::uint32_t receive_wait_time_s_ = 0;
    sqs_attribute_map stored_;  // attributes kept and echoed but not acted on (Policy, ...)
    std::uint64_t sequence_ = 0;
    std::map<std::uint64_t, sqs_message> messages_;
    std::unordered_map<std::string, std::uint64_t> by_id_;
    bool track_removals_ = false;
    std::vector<std::uint64_t> removed_;
};

// A message as esser-local keeps it under --data-dir (sqs_service), and back; the second
// refuses a document it did not write (errc::parse_error naming the member).
nlohmann::json sqs_message_state(const sqs_message& m);
core::result<sqs_message> sqs_message_from_state(const nlohmann::json& state);

// Receipt handles: opaque to clients, parsed only here and in sqs_queue.cpp.
// "<message id>:<receive count>:<16 hex digits>".
std::string make_receipt_handle(const sqs_message& m, core::id_source& ids);

}  // namespace esser::emulator

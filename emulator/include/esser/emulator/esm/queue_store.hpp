#pragma once
// queue_store: esser-local's named message queues. Today they are the OnFailure destinations of
// event source mappings (spec/streams-and-lambda.md §4.5): a discarded batch becomes one
// message whose body is the on-failure record, byte for byte what AWS puts in the SQS message
// body. Users read and clear them through the esser API (esm_routes.hpp,
// register_queue_routes: /esser/v1/queues/...).
//
// Designed to back an SQS emulation later: queues are named as SQS names them (1..80 of
// [A-Za-z0-9_-], optional ".fifo"), addressed by ARN arn:aws:sqs:<region>:<account>:<name>,
// messages carry SQS's MessageId (a UUID), MD5OfBody (hex MD5 of the body bytes) and
// SentTimestamp, and keep send order. Visibility timeouts, receipt handles, attributes and
// FIFO semantics are the SQS layer's business when it comes; here `take` consumes and `peek`
// reads without consuming.
//
// Thread-safe: every member may be called concurrently.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"

namespace esser::emulator {

struct queue_message {
    std::string message_id;   // UUID (SQS MessageId)
    std::string body;         // the exact bytes sent
    std::string md5_of_body;  // 32 lower-case hex digits (SQS MD5OfBody)
    core::time_point sent_at;
    std::uint64_t sequence = 0;  // 1, 2, ... per queue, in send order
};

struct queue_info {
    std::string name;
    std::string arn;
    std::size_t messages = 0;  // currently held
    std::uint64_t sent = 0;    // ever sent
    core::time_point created;
};

// The parts of arn:aws:sqs:<region>:<account>:<name>.
struct queue_arn {
    std::string region;
    std::string account;
    std::string name;
};

// Parses an SQS queue ARN (partition "aws*"); nullopt when it is not one.
std::optional<queue_arn> parse_queue_arn(std::string_view arn);

// SQS's queue name rule: 1..80 characters of [A-Za-z0-9_-], optionally ending in ".fifo".
bool valid_queue_name(std::string_view name) noexcept;

// hex(MD5(bytes)), as SQS's MD5OfBody.
std::string md5_hex(std::string_view bytes);

class queue_store {
public:
    // `clock` stamps messages; `ids` makes message ids. Both must outlive the store.
    queue_store(core::clock& clock, core::id_source& ids, std::string region = "us-east-1",
                std::string account = "000000000000");

    const std::string& region() const { return region_; }

    const std::string& account() const { return account_; }

    // "arn:aws:sqs:<region>:<account>:<name>"
    std::string arn_of(std::string_view name) const;
    // The queue name from a name or an ARN of this store's account (region and account of an
    // ARN are not checked: esser-local is one account). Errors: validation for a malformed one.
    core::result<std::string> resolve(std::string_view name_or_arn) const;

    // Creates the queue if it does not exist (idempotent). Error: validation for a bad name.
    core::result<queue_info> create(std::string_view name_or_arn);
    core::result<queue_info> info(std::string_view name_or_arn) const;
    // Every queue, sorted by name.
    std::vector<queue_info> list() const;
    // Appends a message. not_found when the queue does not exist.
    core::result<queue_message> send(std::string_view name_or_arn, std::string body);
    // Up to `max` messages from the oldest, left in place.
    core::result<std::vector<queue_message>> peek(std::string_view name_or_arn,
                                                  std::size_t max = SIZE_MAX) const;
    // Up to `max` messages from the oldest, removed.
    core::result<std::vector<queue_message>> take(std::string_view name_or_arn,
                                                  std::size_t max = SIZE_MAX);
    // Removes every message; returns how many there were.
    core::result<std::size_t> purge(std::string_view name_or_arn);
    // Deletes the queue and its messages.
    core::result<void> remove(std::string_view name_or_arn);
    // Deletes every queue (the esser API's reset).
    void clear();
    // Waits until the queue holds at least `count` messages (real-time tests). False on
    // timeout or when the queue does not exist.
    bool wait_for(std::string_view name_or_arn, std::size_t count,
                  std::chrono::milliseconds timeout) const;

private:
    struct queue {
        std::string name;
        core::time_point created;
        std::uint64_t sent = 0;
        std::deque<queue_message> messages;
    };

    queue_info info_of(const queue& q) const;

    core::clock& clock_;
    core::id_source& ids_;
    std::string region_;
    std::string account_;
    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    std::map<std::string, queue, std::less<>> queues_;
};

}  // namespace esser::emulator

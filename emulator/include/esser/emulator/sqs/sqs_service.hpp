#pragma once
// sqs_service: esser-local's SQS (standard queues), the queues behind both wire protocols
// (sqs_api.hpp, sqs_front.hpp) and the OnFailure destinations of event source mappings
// (spec/streams-and-lambda.md §4.5: a discarded batch becomes one message whose body is the
// on-failure record, byte for byte).
//
// Queues are addressed by name, by ARN arn:aws:sqs:<region>:<account>:<name>, or by URL
// <endpoint>/<account>/<name>; ARNs and URLs of another account are QueueDoesNotExist (one
// account per emulator). Message semantics are sqs_queue's (visibility timeouts, delays,
// retention on the clock port; receipt handles; counts).
//
// Long polling (ReceiveMessage WaitTimeSeconds): receive() answers through a callback. When no
// message is visible it parks the request -- no thread waits for it -- until a send to that
// queue wakes it, a message becomes visible again (the service's timer thread re-checks parked
// requests every options.long_poll_recheck, which also notices a manual clock moved through
// the esser API), the wait ends (answered with no messages, on the steady clock: AWS's wait is
// wall time), or cancel_receive() (the client went away). Parked requests on a deleted queue,
// on clear() and at destruction are answered with no messages.
//
// Thread-safe: every member may be called from any thread. Callbacks run outside the lock, on
// the calling thread or the timer thread. The clock and id source must outlive the service.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/sqs/sqs_queue.hpp"

namespace esser::emulator {

class durability_sink;

struct sqs_service_options {
    std::string region = "us-east-1";
    std::string account = "000000000000";
    // What queue URLs start with; esser-local sets its listening URL (set_endpoint_url).
    std::string endpoint_url = "http://127.0.0.1:8000";
    // How often parked long polls look for messages whose visibility ended.
    std::chrono::milliseconds long_poll_recheck{50};
};

// The esser API's view of a queue.
struct queue_info {
    std::string name;
    std::string arn;
    std::string url;
    std::size_t messages = 0;  // held now: visible, in flight and delayed
    std::uint64_t sent = 0;    // ever sent
    core::time_point created;
};

struct sqs_receive_request {
    std::string queue;  // name, ARN or URL
    std::size_t max_messages = 1;
    std::optional<std::uint32_t> visibility_timeout_s;
    // nullopt: the queue's ReceiveMessageWaitTimeSeconds.
    std::optional<std::uint32_t> wait_time_s;
};

struct sqs_queue_page {
    std::vector<std::string> urls;
    std::string next_token;  // empty on the last page
};

class sqs_service {
public:
    using receive_callback = std::function<void(core::result<std::vector<sqs_message>>)>;

    sqs_service(core::clock& clock, core::id_source& ids, sqs_service_options options = {});
    ~sqs_service();
    sqs_service(const sqs_service&) = delete;
    sqs_service& operator=(const sqs_service&) = delete;

    const std::string& region() const { return options_.region; }

    const std::string& account() const { return options_.account; }

    void set_endpoint_url(std::string url);
    std::string arn_of(std::string_view name) const;
    std::string url_of(std::string_view name) const;
    // The queue name from a name, an ARN or a URL. QueueDoesNotExist for an ARN or URL of
    // another account; InvalidParameterValue for text that is none of the three.
    core::result<std::string> resolve(std::string_view queue) const;

    // --- SQS actions -------------------------------------------------------------------------
    // Answers the URL. An existing queue is returned when every given attribute has its value;
    // otherwise QueueNameExists.
    core::result<std::string> create_queue(std::string_view name,
                                           const sqs_attribute_map& attributes);
    core::result<std::string> get_queue_url(std::string_view name) const;
    core::result<sqs_attribute_map> get_queue_attributes(std::string_view queue,
                                                         const std::vector<std::string>& names);
    core::result<void> set_queue_attributes(std::string_view queue,
                                            const sqs_attribute_map& attributes);
    // Checks the body (1..MaximumMessageSize bytes with the attributes, SQS's characters) and
    // the delay (0..900), then stores it. Wakes parked receives of the queue.
    core::result<sqs_message> send_message(std::string_view queue, std::string body,
                                           sqs_message_attributes attributes = {},
                                           std::optional<std::uint32_t> delay_s = std::nullopt);
    // Answers `done` exactly once (see the header comment). Returns a ticket for
    // cancel_receive() when the request was parked, 0 when `done` already ran.
    std::uint64_t receive(sqs_receive_request request, receive_callback done);
    // Drops a parked receive without answering it. No-op for an unknown ticket.
    void cancel_receive(std::uint64_t ticket);
    core::result<void> delete_message(std::string_view queue, std::string_view receipt_handle);
    core::result<void> change_message_visibility(std::string_view queue,
                                                 std::string_view receipt_handle,
                                                 std::uint32_t visibility_s);
    // One per queue per 60 s (PurgeQueueInProgress), as SQS.
    core::result<void> purge_queue(std::string_view queue);
    core::result<void> delete_queue(std::string_view queue);
    // Queue URLs by name, filtered by prefix; `max_results` (1..1000) pages them.
    core::result<sqs_queue_page> list_queues(std::string_view prefix,
                                             std::optional<std::uint32_t> max_results,
                                             std::string_view next_token) const;

    // --- esser's own access (event source mappings, /esser/v1/queues) ------------------------
    // Creates the queue with default attributes unless it exists (idempotent).
    core::result<queue_info> create(std::string_view queue);
    core::result<queue_info> info(std::string_view queue) const;
    std::vector<queue_info> list() const;
    // SendMessage without the size checks (the on-failure records are small and must land).
    core::result<sqs_message> send(std::string_view queue, std::string body);
    // Up to `max` visible messages, oldest first, left as they are.
    core::result<std::vector<sqs_message>> peek(std::string_view queue,
                                                std::size_t max = SIZE_MAX) const;
    // Up to `max` visible messages, oldest first, deleted.
    core::result<std::vector<sqs_message>> take(std::string_view queue, std::size_t max = SIZE_MAX);
    // Removes every message without SQS's 60 s rule; returns how many there were.
    core::result<std::size_t> purge(std::string_view queue);
    core::result<void> remove(std::string_view queue);
    // Deletes every queue (the esser API's reset); parked receives get no messages.
    void clear();
    // Waits until the queue holds at least `count` messages (real-time tests). False on
    // timeout or when the queue does not exist.
    bool wait_for(std::string_view queue, std::size_t count,
                  std::chrono::milliseconds timeout) const;

    // --- Durability (--data-dir, issue 9) ------------------------------------------------------
    // Attaches the sink (nullptr detaches; after restoring, before traffic). From then on every
    // queue (a "queue" document: name, creation time, settable attributes) and every message
    // ("message" documents, id "<queue>/<20-digit sequence>": body, attributes, times, receive
    // count) is recorded as it changes -- created, changed, sent, received, deleted, purged,
    // expired -- and each call returns (or answers its callback) once its changes are durable.
    // A storage failure answers InternalFailure (receive) or throws from the call.
    // Not recorded: ChangeMessageVisibility and the in-flight state itself (after a restart
    // every message that had been received is visible again), PurgeQueue's 60 s rule, and the
    // "sent" counter (after a restart it counts from the highest message kept).
    void set_durability(durability_sink* sink);
    // Restoring, before set_durability: every "queue" document, then every "message" one.
    // Errors (errc::parse_error) name what is damaged; a message of a queue not restored is
    // refused too.
    core::result<void> restore_queue(std::string_view state);
    core::result<void> restore_message(std::string_view id, std::string_view state);

private:
    struct waiter {
        std::uint64_t ticket;
        std::string queue;  // resolved name
        std::size_t max_messages;
        std::optional<std::uint32_t> visibility_timeout_s;
        std::chrono::steady_clock::time_point deadline;
        receive_callback done;
    };

    using ready_list = std::vector<std::pair<receive_callback, std::vector<sqs_message>>>;

    // Runs fn(queue, name) under the lock when `queue` names an existing queue of `self`;
    // otherwise returns resolve()'s error or QueueDoesNotExist. `fn` returns a core::result.
    template <class Self, class Fn>
    static auto with_queue(Self& self, std::string_view queue, Fn&& fn);
    sqs_queue* find_locked(const std::string& name);
    const sqs_queue* find_locked(const std::string& name) const;
    queue_info info_locked(const sqs_queue& q) const;
    std::string url_locked(std::string_view name) const;
    // Answers the parked receives of `name` that can now be served (all of them when
    // `flush`); collects the callbacks to run after unlocking.
    void serve_waiters_locked(std::string_view name, bool flush, ready_list& ready);
    void timer_loop();
    // Records (mu_ held) the queue's definition / the messages `saved` and those it dropped
    // since its last record. No-op without a sink.
    void record_queue_locked(const sqs_queue& q);
    void record_locked(sqs_queue& q, const std::vector<sqs_message>& saved);
    // Waits until this thread's records are durable; false (and `error` set) when the storage
    // failed.
    bool durable(core::error* error = nullptr);
    static void run(ready_list& ready);

    core::clock& clock_;
    core::id_source& ids_;
    sqs_service_options options_;

    mutable std::mutex mu_;
    mutable std::condition_variable changed_;  // wait_for
    std::condition_variable timer_cv_;
    std::map<std::string, sqs_queue, std::less<>> queues_;
    std::list<waiter> waiters_;
    std::uint64_t next_ticket_ = 1;
    bool stopping_ = false;
    std::atomic<durability_sink*> sink_{nullptr};  // set before traffic
    std::thread timer_;
};

}  // namespace esser::emulator

#pragma once
// event_queue: Lambda's internal queue for asynchronous (InvocationType=Event) invokes
// (spec/streams-and-lambda.md §5.1; AWS "Asynchronous invocation"):
//  - each event is invoked once soon after it is queued;
//  - a function error is retried `max_retries` times (AWS: twice), after retry_delays[i]
//    (AWS: about 1 and 2 minutes) measured on the clock and multiplied by delay_scale, so a
//    manual clock makes retries deterministic and a real clock can be sped up;
//  - a throttle or service error puts the event back with exponential backoff (1 s doubling
//    up to 5 min, scaled the same way) without using a retry, until the event is older than
//    max_event_age (AWS: 6 h);
//  - an event that runs out of retries or age becomes a failure record shaped like the
//    invocation record AWS sends to an on-failure destination, kept (the most recent
//    max_failures) for the user to read; a function deleted meanwhile drops its events.
// Workers: `workers` threads run due events concurrently.
//
// Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::emulator {

struct event_queue_options {
    unsigned max_retries = 2;
    std::vector<core::duration> retry_delays = {std::chrono::minutes(1), std::chrono::minutes(2)};
    double delay_scale = 1.0;
    core::duration max_event_age = std::chrono::hours(6);
    unsigned workers = 4;
    std::size_t max_failures = 1000;
};

struct queued_event {
    std::string request_id;
    std::string function_name;
    std::string function_arn;
    std::string payload;         // the event bytes
    std::string client_context;  // base64, may be empty
    // Filled by the queue.
    unsigned invokes = 0;   // attempts that reached the function (approximateInvokeCount)
    unsigned backoffs = 0;  // throttles / service errors so far
    core::time_point queued_at;
};

class event_queue {
public:
    // Runs one attempt; nullopt when the function no longer exists (the event is dropped).
    using invoker = std::function<std::optional<invocation_result>(const queued_event&)>;

    event_queue(event_queue_options o, std::shared_ptr<core::clock> clock, invoker run,
                core::logger log = {});
    // Stops (see stop()).
    ~event_queue();

    void push(queued_event e);
    // Events queued or running.
    std::size_t pending() const;
    // Blocks until no event is running and none is due now (later retries may remain), or
    // `timeout` passes; true when idle.
    bool wait_idle(std::chrono::milliseconds timeout) const;
    // The failure records, oldest first.
    std::vector<nlohmann::json> failures() const;
    // Lets running invokes finish, drops what is queued, joins the workers. Idempotent.
    void stop();

private:
    struct state;
    void work();
    core::duration scaled(core::duration d) const;

    event_queue_options opts_;
    std::shared_ptr<core::clock> clock_;
    invoker run_;
    core::logger log_;
    std::shared_ptr<state> st_;
    std::vector<std::thread> workers_;
    std::uint64_t listener_ = 0;
};

}  // namespace esser::emulator

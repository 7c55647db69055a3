#include "event_queue.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace esser::emulator {

namespace {

using nlohmann::json;

json payload_json(const std::string& bytes) {
    json j = json::parse(bytes, nullptr, false);
    return j.is_discarded() ? json(bytes) : j;
}

}  // namespace

// Shared with the manual clock's listener, which may run after the queue unsubscribed (the
// clock calls a copy of its listeners).
struct event_queue::state {
    mutable std::mutex mu;
    mutable std::condition_variable cv;
    std::multimap<core::time_point, queued_event> queue;  // by due time, FIFO within a time
    std::size_t running = 0;
    bool stopping = false;
    std::deque<json> failures;
};

event_queue::event_queue(event_queue_options o, std::shared_ptr<core::clock> clock, invoker run,
                         core::logger log)
    : opts_(std::move(o)),
      clock_(std::move(clock)),
      run_(std::move(run)),
      log_(std::move(log)),
      st_(std::make_shared<state>()) {
    if (auto manual = std::dynamic_pointer_cast<core::manual_clock>(clock_)) {
        // A manual clock only moves through set()/advance(): wake the workers then.
        std::weak_ptr<state> w = st_;
        listener_ = manual->subscribe([w](core::time_point) {
            if (auto s = w.lock()) {
                std::lock_guard lock(s->mu);
                s->cv.notify_all();
            }
        });
    }
    const unsigned n = std::max(1u, opts_.workers);
    for (unsigned i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
}

event_queue::~event_queue() {
    stop();
}

void event_queue::stop() {
    {
        std::lock_guard lock(st_->mu);
        if (st_->stopping && workers_.empty())
            return;
        st_->stopping = true;
        if (!st_->queue.empty())
            log_.warn("dropping {} queued asynchronous event(s) at shutdown", st_->queue.size());
        st_->queue.clear();
        st_->cv.notify_all();
    }
    for (auto& t : workers_)
        if (t.joinable())
            t.join();
    workers_.clear();
    if (listener_ != 0) {
        if (auto manual = std::dynamic_pointer_cast<core::manual_clock>(clock_))
            manual->unsubscribe(listener_);
        listener_ = 0;
    }
}

core::duration event_queue::scaled(core::duration d) const {
    return std::chrono::duration_cast<core::duration>(d * opts_.delay_scale);
}

void event_queue::push(queued_event e) {
    std::lock_guard lock(st_->mu);
    if (st_->stopping)
        return;
    e.queued_at = clock_->now();
    st_->queue.emplace(e.queued_at, std::move(e));
    st_->cv.notify_one();
}

std::size_t event_queue::pending() const {
    std::lock_guard lock(st_->mu);
    return st_->queue.size() + st_->running;
}

bool event_queue::wait_idle(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(st_->mu);
    return st_->cv.wait_for(lock, timeout, [&] {
        return st_->running == 0 &&
               (st_->queue.empty() || st_->queue.begin()->first > clock_->now());
    });
}

std::vector<json> event_queue::failures() const {
    std::lock_guard lock(st_->mu);
    return {st_->failures.begin(), st_->failures.end()};
}

void event_queue::work() {
    auto& s = *st_;
    std::unique_lock lock(s.mu);
    for (;;) {
        if (s.stopping)
            return;
        if (s.queue.empty()) {
            s.cv.wait(lock);
            continue;
        }
        const auto now = clock_->now();
        const auto due = s.queue.begin()->first;
        if (due > now) {
            if (clock_->is_manual())
                s.cv.wait(lock);  // woken by the clock listener or a push
            else
                s.cv.wait_for(lock, due - now);
            continue;
        }
        queued_event ev = std::move(s.queue.begin()->second);
        s.queue.erase(s.queue.begin());
        ++s.running;
        lock.unlock();

        std::optional<invocation_result> r;
        try {
            r = run_(ev);
        } catch (const std::exception& e) {
            r = invocation_result{};
            r->status = invoke_status::service_error;
            r->error_message = e.what();
        }

        lock.lock();
        --s.running;
        const auto t = clock_->now();
        auto fail = [&](std::string_view condition, json response) {
            json record = {{"version", "1.0"},
                           {"timestamp", core::format_rfc3339_ms(t)},
                           {"requestContext",
                            {{"requestId", ev.request_id},
                             {"functionArn", ev.function_arn + ":$LATEST"},
                             {"condition", condition},
                             {"approximateInvokeCount", ev.invokes}}},
                           {"requestPayload", payload_json(ev.payload)},
                           {"responseContext", std::move(response)}};
            if (r && r->status == invoke_status::function_error)
                record["responsePayload"] = r->payload;
            log_.warn("asynchronous event {} for {} failed: {} after {} invoke(s)", ev.request_id,
                      ev.function_name, condition, ev.invokes);
            s.failures.push_back(std::move(record));
            while (s.failures.size() > opts_.max_failures) s.failures.pop_front();
        };
        if (!r) {
            log_.info("dropping asynchronous event {}: function {} no longer exists", ev.request_id,
                      ev.function_name);
        } else if (r->status == invoke_status::success) {
            // done
        } else if (r->status == invoke_status::function_error) {
            ++ev.invokes;
            const bool retries_left = ev.invokes <= opts_.max_retries;
            core::duration delay{};
            if (retries_left && !opts_.retry_delays.empty()) {
                delay = scaled(opts_.retry_delays[std::min<std::size_t>(
                    ev.invokes - 1, opts_.retry_delays.size() - 1)]);
            }
            json response = {{"statusCode", 200},
                             {"executedVersion", r->executed_version},
                             {"functionError", r->function_error}};
            if (!retries_left) {
                fail("RetriesExhausted", std::move(response));
            } else if (t + delay - ev.queued_at > opts_.max_event_age) {
                fail("EventAgeExceeded", std::move(response));
            } else {
                s.queue.emplace(t + delay, std::move(ev));
            }
        } else {
            // Throttled or Lambda could not invoke: back off, do not count a retry.
            const auto base = std::chrono::seconds(1) * (1LL << std::min(ev.backoffs, 8u));
            const core::duration backoff = scaled(std::min<core::duration>(
                std::chrono::duration_cast<core::duration>(base), std::chrono::minutes(5)));
            ++ev.backoffs;
            if (t + backoff - ev.queued_at > opts_.max_event_age) {
                fail("EventAgeExceeded",
                     json{{"statusCode", r->status == invoke_status::throttled ? 429 : 500},
                          {"executedVersion", "$LATEST"}});
            } else {
                s.queue.emplace(t + backoff, std::move(ev));
            }
        }
        s.cv.notify_all();  // wait_idle() and the other workers
    }
}

}  // namespace esser::emulator

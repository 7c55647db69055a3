#include "task_pool.hpp"

#include <algorithm>

namespace esser::emulator {

task_pool::task_pool(std::size_t max_threads, std::chrono::milliseconds idle_timeout)
    : max_threads_(std::max<std::size_t>(max_threads, 1)), idle_timeout_(idle_timeout) {}

task_pool::~task_pool() {
    shutdown();
}

void task_pool::shutdown() {
    std::unique_lock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    exited_.wait(lock, [&] { return threads_ == 0; });
    // Threads drained the queue before exiting; anything posted meanwhile ran inline.
}

void task_pool::post(std::function<void()> task) {
    std::unique_lock lock(mu_);
    if (stopping_) {
        lock.unlock();
        task();
        return;
    }
    tasks_.push_back(std::move(task));
    if (idle_ > 0) {
        cv_.notify_one();
        return;
    }
    if (threads_ < max_threads_) {
        ++threads_;
        // Detached: the destructor waits for threads_ to reach zero instead of joining, so an
        // idle thread can retire on its own.
        std::thread([this] { work(); }).detach();
    }
}

std::size_t task_pool::threads() const {
    std::lock_guard lock(mu_);
    return threads_;
}

void task_pool::work() {
    std::unique_lock lock(mu_);
    for (;;) {
        if (tasks_.empty()) {
            if (stopping_)
                break;
            ++idle_;
            const bool woke =
                cv_.wait_for(lock, idle_timeout_, [&] { return stopping_ || !tasks_.empty(); });
            --idle_;
            if (!woke)
                break;  // idle too long: retire
            continue;
        }
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        lock.unlock();
        task();
        task = nullptr;  // destroy captures (responders) outside the lock
        lock.lock();
    }
    --threads_;
    // Notify under the lock: the destructor may return (and destroy exited_) the moment it
    // sees threads_ == 0, which it can only observe once we release the lock below.
    exited_.notify_all();
}

}  // namespace esser::emulator

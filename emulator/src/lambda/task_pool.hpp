#pragma once
// task_pool: threads for blocking work that must not run on an HTTP server thread (a
// RequestResponse invoke waits for its function, up to 15 minutes). Elastic: a thread is
// started when every thread is busy, up to max_threads; beyond that tasks wait in FIFO order;
// a thread idle for idle_timeout exits.
//
// Thread-safe. The destructor calls shutdown().

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace esser::emulator {

class task_pool {
public:
    explicit task_pool(std::size_t max_threads,
                       std::chrono::milliseconds idle_timeout = std::chrono::seconds(10));
    ~task_pool();
    task_pool(const task_pool&) = delete;
    task_pool& operator=(const task_pool&) = delete;

    // Runs `task` on a pool thread. After shutdown began, runs it on the calling thread.
    void post(std::function<void()> task);
    // Stops accepting tasks, lets the threads run what is queued, waits for them. Idempotent.
    void shutdown();

    std::size_t threads() const;

private:
    void work();

    std::size_t max_threads_;
    std::chrono::milliseconds idle_timeout_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable exited_;
    std::deque<std::function<void()>> tasks_;
    std::size_t threads_ = 0;
    std::size_t idle_ = 0;
    bool stopping_ = false;
};

}  // namespace esser::emulator

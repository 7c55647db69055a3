#pragma once
// runtime_instance: one execution environment of an executable function. It owns
//  - a Lambda Runtime API 2018-06-01 server on 127.0.0.1:<ephemeral port> (spec §5.2), whose
//    authority is the process's AWS_LAMBDA_RUNTIME_API;
//  - the runtime process (child_process), in its own process group;
//  - a supervisor thread that reads the process's stdout/stderr into the log line by line and
//    notices its exit.
//
// Phases (Invariants: only forward, except ready <-> busy):
//   init   spawned, no /next yet (init output goes to the log; /runtime/init/error allowed)
//   ready  between invocations: /next parked or on its way
//   busy   an invocation was handed out by /next and has no response/error yet
//   dead   exited, killed (timeout, init error, shutdown); never serves again
// One invocation at a time: runtime_function hands an instance to one invoke() call at a time.
//
// Runtime API answers (shapes as the AWS Runtime Interface Emulator renders them):
//   GET  /2018-06-01/runtime/invocation/next        200 + event + Lambda-Runtime-* headers
//   POST /2018-06-01/runtime/invocation/{id}/response  202 {"status":"OK"}; 413 over 6 MB
//   POST /2018-06-01/runtime/invocation/{id}/error     202 {"status":"OK"}
//   POST /2018-06-01/runtime/init/error                202 (init phase only, else 403)
//   an unknown or finished request id                  400 {"errorType":"InvalidRequestID"}
//   a call the phase does not allow                    403 {"errorType":"InvalidStateTransition"}
//
// Thread-safety: invoke() from one thread at a time; alive(), pid(), kill() from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

#include "esser/core/expected.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/http_request.hpp"
#include "esser/emulator/http/http_response.hpp"
#include "esser/emulator/http/responder.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_log.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::emulator {

class child_process;
class http_server;
class invoke_log;

struct runtime_instance_config {
    function_config function;           // argv, timeout, memory, init timeout
    std::vector<std::string> env;       // the environment minus AWS_LAMBDA_RUNTIME_API
    std::shared_ptr<function_log> log;  // may be null
    core::logger logger;                // emulator-side diagnostics
};

class runtime_instance {
public:
    // Starts the Runtime API server. The process starts with the first invoke(). Fails (a
    // service error) when no port can be bound.
    static core::expected<std::unique_ptr<runtime_instance>, invocation_result> start(
        runtime_instance_config cfg);

    // Kills the process group, joins the supervisor, stops the server.
    ~runtime_instance();
    runtime_instance(const runtime_instance&) = delete;
    runtime_instance& operator=(const runtime_instance&) = delete;

    // Runs one invocation within `budget` (measured from when the runtime receives the event).
    // The first call starts the process, which has the function's init_timeout to reach /next;
    // a program that cannot be executed is Runtime.InvalidEntrypoint (a service error when the
    // system refused the process). After a timeout, an init failure or an exit the instance is
    // dead. nullopt: this (warm) instance's process had exited before it took the event, so
    // nothing ran and the caller should use another instance.
    std::optional<invocation_result> invoke(const invocation& inv, std::chrono::nanoseconds budget);

    bool alive() const;
    pid_t pid() const;

    // "127.0.0.1:<port>"
    const std::string& runtime_api() const { return runtime_api_; }

    // Kills the process group now (the supervisor reaps it); the instance is dead.
    void kill();

private:
    enum class phase { init, ready, busy, dead };

    struct pending_invocation {
        const invocation* inv = nullptr;
        std::chrono::nanoseconds budget{};
        std::string event_bytes;
        invoke_log* log = nullptr;
        std::chrono::steady_clock::time_point queued_at;
        std::chrono::steady_clock::time_point delivered_at;
        std::chrono::steady_clock::time_point finished_at;
        bool delivered = false;
        std::optional<invocation_result> result;
    };

    explicit runtime_instance(runtime_instance_config cfg);

    // Starts the process (output_mu_ held while child_ is set) and the supervisor. Returns the
    // invoke's outcome when it cannot.
    std::optional<invocation_result> spawn_process(std::string_view request_id);

    // Runtime API handlers (server thread).
    void on_next(http_request req, responder res);
    void on_response(http_request req, responder res);
    void on_error(http_request req, responder res);
    void on_init_error(http_request req, responder res);

    struct delivery {
        responder to;
        http_response answer;
    };

    // Hands the pending invocation to the parked /next (if it is still waiting): marks it
    // delivered and returns the answer to send once mu_ is released.
    std::optional<delivery> deliver_locked();
    void finish_locked(invocation_result r);
    std::chrono::steady_clock::time_point deadline_locked() const;
    void supervise();
    void drain_output();
    void route_line(int stream, std::string_view line);
    void on_exit(int status);
    unsigned max_memory_mb() const;

    runtime_instance_config cfg_;
    std::string runtime_api_;
    std::unique_ptr<http_server> server_;
    std::unique_ptr<child_process> child_;  // set once, under output_mu_
    std::atomic<pid_t> pid_{-1};
    std::thread supervisor_;
    std::chrono::steady_clock::time_point spawned_at_;

    // Output assembly (drain_output may run on the supervisor and on handler threads).
    std::mutex output_mu_;
    std::string partial_[2];
    bool eof_[2] = {false, false};

    mutable std::mutex mu_;
    std::condition_variable cv_;
    phase phase_ = phase::init;
    std::optional<responder> parked_;  // a /next waiting for an event
    std::optional<pending_invocation> current_;
    std::string current_id_;                                 // request id of `current_`
    std::optional<std::chrono::nanoseconds> init_duration_;  // until the first /next
};

}  // namespace esser::emulator

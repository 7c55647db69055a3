#include "runtime_instance.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "child_process.hpp"
#include "invoke_log.hpp"
#include "invoke_outcome.hpp"
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;
using steady = std::chrono::steady_clock;

constexpr std::size_t max_line_bytes = 256u * 1024;  // longer output is split into lines
constexpr std::size_t max_error_body_bytes = 1u << 20;

http_response accepted() {
    return http_response::json(202, json{{"status", "OK"}});
}

http_response rapi_error(int status, std::string_view type, std::string message) {
    return http_response::json(status,
                               json{{"errorMessage", std::move(message)}, {"errorType", type}});
}

http_response invalid_request_id() {
    return rapi_error(400, "InvalidRequestID", "Invalid request ID");
}

http_response invalid_transition(std::string_view from, std::string_view to, std::string_view why) {
    return rapi_error(
        403, "InvalidStateTransition",
        fmt::format("State transition from {} to {} failed for runtime. Error: {}", from, to, why));
}

// The error object an /error or /init/error call reports: the body when it is a JSON object
// (with errorType filled from Lambda-Runtime-Function-Error-Type when the body has none),
// otherwise Lambda's wrapping of the header and the text.
json error_payload(const http_request& req) {
    const auto header = req.headers.get("Lambda-Runtime-Function-Error-Type");
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_discarded() && body.is_object()) {
        if (!body.contains("errorType") && header)
            body["errorType"] = std::string(*header);
        return body;
    }
    std::string text = req.body.substr(0, std::min(req.body.size(), max_error_body_bytes));
    return json{{"errorMessage", std::move(text)},
                {"errorType", header ? std::string(*header) : std::string("Runtime.Unknown")}};
}

const char* phase_name(int p) {
    static const char* names[] = {"Init", "Ready", "Invoke", "Dead"};
    return names[p];
}

std::string wall_stamp() {
    return core::format_rfc3339_ms(core::time_point(std::chrono::system_clock::now()));
}

}  // namespace

runtime_instance::runtime_instance(runtime_instance_config cfg) : cfg_(std::move(cfg)) {}

core::expected<std::unique_ptr<runtime_instance>, invocation_result> runtime_instance::start(
    runtime_instance_config cfg) {
    std::unique_ptr<runtime_instance> inst(new runtime_instance(std::move(cfg)));
    runtime_instance* self = inst.get();

    // The handlers capture the raw pointer: the destructor stops the server (joining its
    // thread) before any member goes away.
    auto routes = std::make_shared<router>();
    routes->add(
        "GET", "/2018-06-01/runtime/invocation/next",
        [self](http_request q, responder r) { self->on_next(std::move(q), std::move(r)); },
        "runtime.next");
    routes->add(
        "POST", "/2018-06-01/runtime/invocation/{id}/response",
        [self](http_request q, responder r) { self->on_response(std::move(q), std::move(r)); },
        "runtime.response");
    routes->add(
        "POST", "/2018-06-01/runtime/invocation/{id}/error",
        [self](http_request q, responder r) { self->on_error(std::move(q), std::move(r)); },
        "runtime.error");
    routes->add(
        "POST", "/2018-06-01/runtime/init/error",
        [self](http_request q, responder r) { self->on_init_error(std::move(q), std::move(r)); },
        "runtime.init_error");
    routes->fallback(
        [](http_request q, responder r) {
            r.send(rapi_error(
                404, "NotFound",
                fmt::format("no such Runtime API route: {} {}", q.method, std::string(q.path()))));
        },
        "runtime.unknown");

    http_server_options so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 1;
    so.name = "lambda-runtime-api";
    // Bodies up to 64 MiB reach the handlers, which answer AWS's 413 above 6 MB themselves.
    so.max_body_bytes = 64u * 1024 * 1024;
    so.shutdown_grace = std::chrono::milliseconds(200);
    so.max_connections = 64;
    auto server = http_server::start(so, std::move(routes), inst->cfg_.logger);
    if (!server) {
        return core::unexpected(service_error_result("cannot start the Runtime API server for " +
                                                     inst->cfg_.function.name + ": " +
                                                     server.error().message));
    }
    inst->server_ = std::move(*server);
    inst->runtime_api_ = inst->server_->authority();

    return inst;
}

std::optional<invocation_result> runtime_instance::spawn_process(std::string_view request_id) {
    spawn_options so;
    so.argv = cfg_.function.command;
    so.env = cfg_.env;
    so.env.push_back("AWS_LAMBDA_RUNTIME_API=" + runtime_api_);
    so.working_directory = cfg_.function.working_directory;
    // The runtime may call the API before spawn() even returns: the handlers' first step,
    // drain_output(), takes output_mu_, so they wait until child_ is set.
    std::unique_lock spawn_lock(output_mu_);
    spawned_at_ = steady::now();
    auto child = child_process::spawn(so);
    if (!child) {
        spawn_lock.unlock();
        const auto& f = child.error();
        if (!f.not_executable) {
            return service_error_result("cannot start the runtime of " + cfg_.function.name + ": " +
                                        f.message);
        }
        return function_error_result(
            platform_error("Runtime.InvalidEntrypoint",
                           fmt::format("RequestId: {} Error: {}", request_id, f.message)));
    }
    child_ = std::move(*child);
    pid_.store(child_->pid());
    spawn_lock.unlock();
    cfg_.logger.debug("started runtime pid {} for {} on {}", child_->pid(), cfg_.function.name,
                      runtime_api_);
    supervisor_ = std::thread([this] { supervise(); });
    return std::nullopt;
}

runtime_instance::~runtime_instance() {
    std::optional<responder> parked;
    {
        std::lock_guard lock(mu_);
        phase_ = phase::dead;
        parked = std::move(parked_);
        parked_.reset();
    }
    if (child_)
        child_->kill_group(SIGKILL);
    if (supervisor_.joinable())
        supervisor_.join();
    if (parked)
        parked->send(rapi_error(500, "InternalServerError", "the execution environment stopped"));
    if (server_)
        server_->stop();
}

bool runtime_instance::alive() const {
    std::lock_guard lock(mu_);
    return phase_ != phase::dead;
}

pid_t runtime_instance::pid() const {
    return pid_.load();
}

void runtime_instance::kill() {
    {
        std::lock_guard lock(mu_);
        phase_ = phase::dead;
    }
    std::lock_guard lock(output_mu_);
    if (child_)
        child_->kill_group(SIGKILL);
}

// ---------------------------------------------------------------------------------------------
// Invoking

steady::time_point runtime_instance::deadline_locked() const {
    const auto& c = *current_;
    if (c.delivered)
        return c.delivered_at + c.budget;
    if (phase_ == phase::init)
        return std::max(spawned_at_ + cfg_.function.init_timeout, c.queued_at);
    // A warm instance that answered its last invocation but has not come back to /next yet:
    // the invoke's own budget bounds the wait.
    return c.queued_at + c.budget;
}

std::optional<runtime_instance::delivery> runtime_instance::deliver_locked() {
    if (!parked_ || parked_->done() || !current_ || current_->delivered)
        return std::nullopt;
    auto& c = *current_;
    const invocation& inv = *c.inv;
    c.delivered = true;
    c.delivered_at = steady::now();
    phase_ = phase::busy;

    http_response r = http_response::text(200, std::move(c.event_bytes), "application/json");
    r.headers.set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
    // Absolute epoch milliseconds in wall-clock time: the runtime compares it with its own clock.
    const auto wall_deadline =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(c.budget);
    r.headers.set("Lambda-Runtime-Deadline-Ms",
                  std::to_string(core::to_epoch_ms(core::time_point(wall_deadline))));
    r.headers.set("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_function_arn);
    if (!inv.trace_id.empty())
        r.headers.set("Lambda-Runtime-Trace-Id", inv.trace_id);
    if (!inv.client_context.empty()) {
        // The Invoke API takes it base64-encoded; runtimes receive the JSON text.
        auto decoded = base64_decode(inv.client_context);
        r.headers.set("Lambda-Runtime-Client-Context", decoded ? *decoded : inv.client_context);
    }
    if (c.log)
        c.log->start();
    cv_.notify_all();  // the invoke's deadline just changed (init/queue -> delivery + budget)
    delivery d{std::move(*parked_), std::move(r)};
    parked_.reset();
    return d;
}

void runtime_instance::finish_locked(invocation_result r) {
    if (!current_ || current_->result)
        return;
    current_->result = std::move(r);
    current_->finished_at = steady::now();
    if (phase_ == phase::busy)
        phase_ = phase::ready;
    cv_.notify_all();
}

std::optional<invocation_result> runtime_instance::invoke(const invocation& inv,
                                                          std::chrono::nanoseconds budget) {
    invoke_log log(cfg_.log.get(), inv.request_id);
    std::string event = event_text(inv);

    std::unique_lock lk(mu_);
    const bool cold = !child_;
    if (phase_ == phase::dead) {
        // A warm environment that died while idle: the caller takes another one.
        return std::nullopt;
    }
    current_.emplace();
    current_->inv = &inv;
    current_->budget = budget;
    current_->event_bytes = std::move(event);
    current_->log = &log;
    current_->queued_at = steady::now();
    current_id_ = inv.request_id;
    if (cold) {
        // The invocation is registered before the process exists, so whatever the process does
        // during init (output, /init/error, exiting) is attributed to it.
        lk.unlock();
        if (auto failed = spawn_process(inv.request_id)) {
            lk.lock();
            current_.reset();
            current_id_.clear();
            phase_ = phase::dead;
            lk.unlock();
            log.start();
            if (failed->status == invoke_status::function_error) {
                log.output(failed->payload.value("errorMessage", ""));
                log.output("Runtime.InvalidEntrypoint");
            }
            log.end(steady::duration::zero(), cfg_.function.memory_size_mb, 0, std::nullopt,
                    failed->status == invoke_status::function_error
                        ? "error\tError Type: Runtime.InvalidEntrypoint"
                        : "");
            failed->log_tail = log.text();
            return failed;
        }
        lk.lock();
        current_->queued_at = steady::now();
    }
    if (auto d = deliver_locked()) {
        lk.unlock();
        // If the /next connection died in between, the runtime never sees the event: the
        // invoke then ends by its timeout or by the process's exit.
        d->to.send(std::move(d->answer));
        lk.lock();
    }

    bool timed_out = false;
    bool init_timed_out = false;
    while (!current_->result) {
        const auto dl = deadline_locked();
        if (cv_.wait_until(lk, dl) == std::cv_status::timeout && !current_->result &&
            steady::now() >= deadline_locked()) {
            init_timed_out = !current_->delivered && phase_ == phase::init;
            timed_out = true;
            current_->finished_at = steady::now();
            phase_ = phase::dead;
            if (init_timed_out) {
                current_->result = function_error_result(platform_error(
                    "Sandbox.Timedout",
                    fmt::format("RequestId: {} Error: Runtime init timed out after {} seconds",
                                inv.request_id, format_seconds(cfg_.function.init_timeout))));
            } else {
                current_->result = timeout_result(inv.request_id, budget);
            }
        }
    }
    const bool delivered = current_->delivered;
    const auto duration =
        delivered ? current_->finished_at - current_->delivered_at : steady::duration::zero();
    if (!cold && !delivered && !timed_out && phase_ == phase::dead) {
        // The warm process exited between invocations, before taking this event: nothing ran,
        // so the caller may hand the event to another environment.
        current_.reset();
        current_id_.clear();
        return std::nullopt;
    }
    lk.unlock();

    if (timed_out) {
        kill();
        if (!delivered)
            log.start();
        log.output(fmt::format("{} {} Task timed out after {} seconds", wall_stamp(),
                               inv.request_id,
                               format_seconds(init_timed_out ? cfg_.function.init_timeout
                                                             : std::chrono::nanoseconds(budget))));
    } else {
        // Output written before the response was posted is in the pipe by now.
        drain_output();
    }
    const unsigned memory = max_memory_mb();

    lk.lock();
    invocation_result r = std::move(*current_->result);
    std::optional<std::chrono::nanoseconds> init;
    if (cold && init_duration_)
        init = init_duration_;
    current_.reset();
    current_id_.clear();
    lk.unlock();

    if (!delivered && !timed_out)
        log.start();  // failed before the runtime took the event (init error, early exit)
    std::string status;
    if (timed_out) {
        status = "timeout";
    } else if (r.status == invoke_status::function_error && r.payload.is_object() &&
               r.payload.value("errorType", "") == "Runtime.ExitError") {
        status = "error\tError Type: Runtime.ExitError";
    }
    log.end(duration, cfg_.function.memory_size_mb, memory, init, status);
    r.log_tail = log.text();
    return r;
}

// ---------------------------------------------------------------------------------------------
// Runtime API handlers

void runtime_instance::on_next(http_request, responder res) {
    drain_output();  // init output first, then START
    std::optional<responder> replaced;
    std::optional<delivery> d;
    {
        std::lock_guard lock(mu_);
        if (phase_ == phase::dead) {
            res.send(rapi_error(500, "InternalServerError", "the execution environment stopped"));
            return;
        }
        if (phase_ == phase::busy) {
            res.send(invalid_transition("Invoke", "Ready",
                                        "the current invocation has no response or error yet"));
            return;
        }
        if (phase_ == phase::init) {
            init_duration_ = steady::now() - spawned_at_;
            phase_ = phase::ready;
        }
        if (parked_ && !parked_->done())
            replaced = std::move(parked_);
        parked_ = std::move(res);
        d = deliver_locked();
    }
    if (replaced) {
        replaced->send(
            invalid_transition("Ready", "Ready", "a newer /next call replaced this one"));
    }
    if (d)
        d->to.send(std::move(d->answer));
}

void runtime_instance::on_response(http_request req, responder res) {
    drain_output();
    const std::string id(req.path_param("id"));
    http_response answer;
    {
        std::lock_guard lock(mu_);
        if (!current_ || !current_->delivered || current_->result || id != current_id_) {
            answer = invalid_request_id();
        } else if (req.body.size() > max_response_payload_bytes) {
            finish_locked(response_too_large_result(req.body.size()));
            answer = rapi_error(413, "RequestEntityTooLarge",
                                fmt::format("Exceeded maximum allowed payload size ({} bytes).",
                                            max_response_payload_bytes));
        } else {
            finish_locked(response_from_bytes(std::move(req.body)));
            answer = accepted();
        }
    }
    res.send(std::move(answer));
}

void runtime_instance::on_error(http_request req, responder res) {
    drain_output();
    const std::string id(req.path_param("id"));
    http_response answer;
    {
        std::lock_guard lock(mu_);
        if (!current_ || !current_->delivered || current_->result || id != current_id_) {
            answer = invalid_request_id();
        } else {
            finish_locked(function_error_result(error_payload(req)));
            answer = accepted();
        }
    }
    res.send(std::move(answer));
}

void runtime_instance::on_init_error(http_request req, responder res) {
    drain_output();
    {
        std::lock_guard lock(mu_);
        if (phase_ != phase::init) {
            res.send(invalid_transition(phase_name(static_cast<int>(phase_)), "InitError",
                                        "init errors are reported before the first /next"));
            return;
        }
        json payload = error_payload(req);
        if (current_ && current_->log) {
            current_->log->output(fmt::format(
                "INIT_REPORT Init Duration: {:.2f} ms\tPhase: init\t"
                "Status: error\tError Type: {}",
                std::chrono::duration<double, std::milli>(steady::now() - spawned_at_).count(),
                payload.value("errorType", "Runtime.Unknown")));
        }
        finish_locked(function_error_result(std::move(payload)));
        // AWS resets an environment whose init failed: this one never serves.
        phase_ = phase::dead;
    }
    res.send(accepted());
    if (child_)
        child_->kill_group(SIGKILL);
}

// ---------------------------------------------------------------------------------------------
// Process supervision and output

void runtime_instance::route_line(int stream, std::string_view line) {
    (void)stream;  // stdout and stderr both go to the log, as in CloudWatch
    std::lock_guard lock(mu_);
    if (current_ && current_->log) {
        current_->log->output(line);
    } else if (cfg_.log) {
        cfg_.log->append(line);
    }
}

void runtime_instance::drain_output() {
    std::lock_guard lock(output_mu_);
    if (!child_)
        return;
    const int fds[2] = {child_->stdout_fd(), child_->stderr_fd()};
    char buf[16384];
    for (int s = 0; s < 2; ++s) {
        while (!eof_[s]) {
            const ssize_t n = ::read(fds[s], buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                    eof_[s] = true;
                break;
            }
            if (n == 0) {
                eof_[s] = true;
                break;
            }
            std::string& p = partial_[s];
            p.append(buf, static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (;;) {
                const auto nl = p.find('\n', start);
                if (nl == std::string::npos)
                    break;
                route_line(s, std::string_view(p).substr(start, nl - start));
                start = nl + 1;
            }
            p.erase(0, start);
            while (p.size() > max_line_bytes) {
                route_line(s, std::string_view(p).substr(0, max_line_bytes));
                p.erase(0, max_line_bytes);
            }
        }
        if (eof_[s] && !partial_[s].empty()) {
            route_line(s, partial_[s]);
            partial_[s].clear();
        }
    }
}

void runtime_instance::supervise() {
    const int exit_fd = child_->exit_fd();
    for (;;) {
        pollfd fds[3];
        nfds_t n = 0;
        {
            std::lock_guard lock(output_mu_);
            if (!eof_[0])
                fds[n++] = pollfd{child_->stdout_fd(), POLLIN, 0};
            if (!eof_[1])
                fds[n++] = pollfd{child_->stderr_fd(), POLLIN, 0};
        }
        const nfds_t exit_index = n;
        if (exit_fd >= 0)
            fds[n++] = pollfd{exit_fd, POLLIN, 0};
        // Without a pidfd, look at the process every 20 ms.
        const int rc = ::poll(fds, n, exit_fd >= 0 ? -1 : 20);
        if (rc < 0 && errno != EINTR)
            break;  // cannot happen with valid fds; fall through to killing and reaping
        drain_output();
        const bool exited =
            exit_fd >= 0 ? (rc > 0 && (fds[exit_index].revents != 0)) : child_->exited();
        if (exited)
            break;
    }
    // Whatever the runtime started in its group goes too (AWS freezes/destroys the whole
    // environment); then collect the rest of the output, bounded, and reap.
    child_->kill_group(SIGKILL);
    for (int i = 0; i < 25; ++i) {
        pollfd fds[2];
        nfds_t n = 0;
        {
            std::lock_guard lock(output_mu_);
            if (!eof_[0])
                fds[n++] = pollfd{child_->stdout_fd(), POLLIN, 0};
            if (!eof_[1])
                fds[n++] = pollfd{child_->stderr_fd(), POLLIN, 0};
        }
        if (n == 0)
            break;
        ::poll(fds, n, 20);
        drain_output();
    }
    const int status = child_->reap();
    {
        // A grandchild outside the group may still hold a pipe: stop reading, keep what came.
        std::lock_guard lock(output_mu_);
        for (int s = 0; s < 2; ++s) {
            eof_[s] = true;
            if (!partial_[s].empty()) {
                route_line(s, partial_[s]);
                partial_[s].clear();
            }
        }
    }
    on_exit(status);
}

void runtime_instance::on_exit(int status) {
    std::optional<responder> parked;
    {
        std::lock_guard lock(mu_);
        const bool expected = phase_ == phase::dead;
        phase_ = phase::dead;
        parked = std::move(parked_);
        parked_.reset();
        if (current_ && !current_->result) {
            const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            const std::string text = fmt::format(
                "RequestId: {} Error: {}", current_id_,
                clean ? std::string("Runtime exited without providing a reason")
                      : "Runtime exited with error: " + child_process::describe_status(status));
            if (current_->log) {
                current_->log->output(text);
                current_->log->output("Runtime.ExitError");
            }
            finish_locked(function_error_result(platform_error("Runtime.ExitError", text)));
        } else if (!expected && cfg_.log) {
            cfg_.log->append(
                fmt::format("esser: runtime process {} exited between invocations ({})",
                            child_->pid(), child_process::describe_status(status)));
        }
        cv_.notify_all();
    }
    // Dropping the parked /next answers it; the process is gone anyway.
    parked.reset();
}

unsigned runtime_instance::max_memory_mb() const {
    // The high-water mark of the runtime process's resident set (Linux VmHWM), as REPORT's
    // "Max Memory Used". One read() of a small proc file: cheap enough for every invoke.
    const pid_t p = pid();
    if (p <= 0)
        return 0;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(p));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char* hwm = std::strstr(buf, "VmHWM:");
    if (!hwm)
        return 0;
    const unsigned long kb = std::strtoul(hwm + 6, nullptr, 10);
    return static_cast<unsigned>((kb + 1023) / 1024);
}

}  // namespace esser::emulator

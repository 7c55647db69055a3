#pragma once
// http_server: a small HTTP/1.1 server (Boost.Beast + Asio C++20 coroutines behind a pimpl;
// this header is Beast-free) serving one router on one listening socket.
//
// Behaviour (issue 6):
//  - keep-alive, HTTP/1.0 and 1.1, pipelined requests answered in order, `Expect:
//    100-continue`;
//  - a request body larger than max_body_bytes, or than its route's own limit
//    (router::body_limit), is answered 413 (empty, or the route's answer) and the connection
//    closed (a Content-Length over the limit is refused before any body byte is read; what the
//    client still sends is read and dropped, bounded, so that it sees the answer);
//  - slow clients are cut off: idle_timeout while waiting for the next request on a kept-alive
//    connection, header_timeout from its first byte to the end of its header (slow-loris),
//    body_timeout for the body, write_timeout for the response; a timed-out connection is
//    closed without an answer (as nginx does);
//  - malformed HTTP is answered 400 (431 for an oversized header) and the connection closed;
//  - at most max_connections open connections; one more is answered a canned 503 (with
//    Retry-After) and closed, so a flood never exhausts the process;
//  - handlers are asynchronous (responder.hpp): while one waits, the connection watches for the
//    client going away and cancels the request if it does;
//  - stop(): stop accepting, close idle connections, let in-flight requests finish and be
//    written (with Connection: close), and after shutdown_grace cancel what remains.
//
// Several servers may run in one process (the Lambda engine starts one per function instance
// for the Runtime API); each owns its io_contexts and threads.
//
// Threading: each thread runs an io_context of its own and every connection lives on one of
// them (round-robin at accept), so a connection's handlers run on one thread, in order (its
// strand), and the threads never hand work to each other.
//
// Invariants: one strand per connection; every connection coroutine owns its state through
// shared pointers, so nothing dangles when a handler answers after the connection died.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "esser/core/expected.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class http_metrics;

struct http_server_options {
    // Address to bind: an IP literal or "localhost". esser binds loopback by default; binding
    // another address exposes an unauthenticated emulator to the network.
    std::string host = "127.0.0.1";
    // 0 asks the kernel for a free port; read it back with http_server::port().
    std::uint16_t port = 8000;
    // Threads serving connections, each with its own io_context; 0 means one per hardware
    // thread.
    unsigned threads = 1;
    std::size_t max_connections = 1024;
    // DynamoDB's limit (spec §1.1); a route may set its own (router::body_limit).
    std::uint64_t max_body_bytes = 16u * 1024 * 1024;
    std::uint32_t max_header_bytes = 64u * 1024;
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    // How long stop() lets in-flight requests finish before cancelling them.
    std::chrono::milliseconds shutdown_grace{5'000};
    // Names the server in logs (logger name) and metrics (label server="...").
    std::string name = "esser-http";
    // Where request, connection and error counts go; null for none.
    std::shared_ptr<http_metrics> metrics;
};

// Why the server could not start listening.
struct listen_error {
    enum class kind {
        address_in_use,     // another process holds host:port
        permission_denied,  // e.g. a port below 1024 without privileges
        bad_address,        // host is not a local address, or does not resolve
        other,
    };
    kind what = kind::other;
    std::string message;  // "127.0.0.1:8000: Address already in use"
};

class http_server {
public:
    // Binds host:port, starts the threads and begins serving `routes`. A bind failure is a
    // value, never an exception.
    static core::expected<std::unique_ptr<http_server>, listen_error> start(
        http_server_options options, std::shared_ptr<const router> routes, core::logger log = {});

    // Stops (as stop()) if still running.
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    // The bound address, e.g. "127.0.0.1" and 8000 (the real port when options.port was 0).
    const std::string& host() const;
    std::uint16_t port() const;
    // "127.0.0.1:8000": the form AWS_LAMBDA_RUNTIME_API takes.
    std::string authority() const;
    // "http://127.0.0.1:8000": the form --endpoint-url takes.
    std::string url() const;

    // Graceful shutdown as described above; blocks until every connection is gone and the
    // threads are joined (at most about shutdown_grace + 1 s, unless a synchronous handler
    // blocks forever). Idempotent; thread-safe. Called from one of this server's own threads
    // (a handler), it only begins the shutdown and returns.
    void stop();
    // Begins the graceful shutdown and returns at once.
    void request_stop();
    // Blocks until stop() has completed (on whatever thread called it).
    void wait();

    std::size_t open_connections() const;

    struct impl;  // defined in http_server.cpp; shared with the connection coroutines

private:
    explicit http_server(std::shared_ptr<impl> p);
    std::shared_ptr<impl> impl_;
};

}  // namespace esser::emulator

#pragma once
// A small synchronous HTTP/1.1 client for one origin (scheme, host, port), over plain TCP or TLS,
// with a pool of keep-alive connections. It is what http_transport sends DynamoDB requests
// through, and what the production Lambda runtime loop can use to reach the Runtime API.
//
// Behaviour:
//  - TLS (https): OpenSSL through Beast; the peer certificate is verified against the system
//    trust store (or tls.ca_file) and the endpoint's host name or IP (RFC 2818 / 6125); SNI is
//    sent for host names. TLS 1.2 minimum.
//  - Keep-alive: a connection whose response allows it goes back to an idle pool (at most
//    max_idle_connections; idle longer than idle_timeout is closed). Each send() takes the most
//    recently used idle connection or opens a new one, so concurrent callers each get their own
//    connection and never wait for each other.
//  - A reused connection the server closed while idle (failure before any response byte) is
//    replaced by a fresh one once, transparently: that is a property of keep-alive, not a retry.
//  - Timeouts: connect_timeout covers the TCP connect and the TLS handshake; request_timeout
//    covers writing the request and reading the whole response. Name resolution uses the system
//    resolver, whose own timeouts apply.
//  - Failures are values (http_failure), never exceptions; no retries here (http_transport owns
//    the retry policy).
//
// Thread-safe: send() may be called from several threads at once.
// Boost.Beast and OpenSSL stay inside http_client.cpp.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "esser/adapters/http/http_message.hpp"
#include "esser/adapters/http/url.hpp"
#include "esser/core/error.hpp"
#include "esser/core/expected.hpp"

namespace esser::adapters {

struct tls_options {
    bool verify_peer = true;  // false only for tests against a throwaway server
    std::string ca_file;      // PEM file of trusted CAs; empty = the system store
    std::string ca_pem;       // PEM text of trusted CAs (added to ca_file / the system store)
};

struct http_client_options {
    std::chrono::milliseconds connect_timeout{3100};  // SDK defaults are in this range
    std::chrono::milliseconds request_timeout{30000};
    std::chrono::milliseconds idle_timeout{30000};
    std::size_t max_idle_connections = 16;
    std::size_t max_response_bytes = 64u << 20;  // DynamoDB responses stay far below (16 MiB)
    tls_options tls;
};

struct http_failure {
    enum class kind {
        resolve,          // the host name did not resolve
        connect,          // TCP connect failed (refused, unreachable)
        connect_timeout,  // TCP connect or TLS handshake took longer than connect_timeout
        tls,              // TLS handshake failed (certificate not trusted, wrong name, protocol)
        timeout,          // the response did not arrive within request_timeout
        closed,           // the connection broke after the request was (partly) sent
        protocol,         // the response is not valid HTTP/1.1 or is larger than allowed
    };
    kind what = kind::connect;
    std::string message;  // one line, names the endpoint and the cause
    // True when the request may have reached the server (it is not safe to assume it did not).
    bool maybe_sent = false;
};

std::string_view to_string(http_failure::kind k) noexcept;

class http_client {
public:
    struct statistics {
        std::uint64_t requests = 0;            // completed exchanges (any status)
        std::uint64_t connections_opened = 0;  // TCP (+TLS) connections established
        std::uint64_t reused = 0;              // exchanges on a pooled connection
        std::uint64_t stale_reconnects = 0;    // pooled connections found closed and replaced
    };

    // Builds the TLS context when `origin` is https (errors: an unreadable or invalid CA file
    // or PEM, core::errc::invalid_argument, type "TlsConfigurationError"). `origin.path` is
    // ignored: requests carry their own target.
    static core::result<std::unique_ptr<http_client>> create(url origin,
                                                             http_client_options options = {});
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Sends `req` and reads the whole response. Adds Host (origin's host_header()) and
    // Content-Length when missing; sends req.target as is.
    core::expected<http_response, http_failure> send(http_request req);

    const url& origin() const noexcept;
    statistics stats() const;
    // Closes every idle connection (e.g. before a Lambda freeze).
    void close_idle();

private:
    struct impl;
    explicit http_client(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace esser::adapters

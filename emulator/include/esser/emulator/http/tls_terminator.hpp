#pragma once
// tls_terminator: HTTPS for esser-local (`serve --tls-cert FILE --tls-key FILE`, issue 10). It
// accepts TLS connections on the public address, completes the handshake with the given
// certificate chain and key (PEM; TLS 1.2 or later), and relays each connection's plaintext,
// byte for byte in both directions, to the HTTP server listening on a loopback port. The HTTP
// server is unchanged: everything it does (keep-alive, limits, timeouts, errors, metrics)
// applies to HTTPS clients as is, and SigV4 verification sees exactly the bytes the client
// signed.
//
// Behaviour:
//  - a handshake that fails (not TLS, no shared protocol, the client refuses the certificate)
//    or takes longer than handshake_timeout closes that connection only;
//  - when either side closes or fails, both sockets close and the relay ends (HTTP needs no
//    half-close: every message is delimited, and the server closes after Connection: close);
//  - at most max_connections relayed connections; one more is closed at accept;
//  - stop(): closes the listener and every relayed connection, then joins the threads.
// Costs one loopback hop per request; the HTTP server sees the relay's loopback address as the
// remote endpoint.
//
// Asio and OpenSSL stay in tls_terminator.cpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "esser/core/expected.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/http_server.hpp"

namespace esser::emulator {

struct tls_terminator_options {
    std::string host = "127.0.0.1";   // an IP literal or "localhost"
    std::uint16_t port = 0;           // 0: any free port
    std::string cert_file;            // PEM certificate chain (server certificate first)
    std::string key_file;             // PEM private key of that certificate
    std::uint16_t upstream_port = 0;  // the plain HTTP server on 127.0.0.1
    unsigned threads = 1;
    std::size_t max_connections = 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
};

class tls_terminator {
public:
    // Errors, as values: a certificate or key that cannot be loaded, or a key that does not
    // match the certificate (kind::other; the message names the flag, the file and OpenSSL's
    // reason), or an address that cannot be bound (as http_server::start).
    static core::expected<std::unique_ptr<tls_terminator>, listen_error> start(
        tls_terminator_options options, core::logger log = {});

    // Stops (as stop()) if still running.
    ~tls_terminator();
    tls_terminator(const tls_terminator&) = delete;
    tls_terminator& operator=(const tls_terminator&) = delete;

    // The bound port (the real one when options.port was 0).
    std::uint16_t port() const;
    // "https://127.0.0.1:<port>": the form --endpoint-url takes.
    std::string url() const;
    // Relayed connections open now (handshaking or relaying).
    std::size_t open_connections() const;
    // Idempotent; blocks until every relay has ended and the threads are joined. Must not be
    // called from a relay thread.
    void stop();

    struct impl;

private:
    explicit tls_terminator(std::shared_ptr<impl> p);
    std::shared_ptr<impl> impl_;
};

}  // namespace esser::emulator

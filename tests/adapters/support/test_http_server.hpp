#pragma once
// A scriptable HTTP/1.1 server on 127.0.0.1 (ephemeral port) for client tests, plain or TLS.
// One background thread serves every connection (Asio coroutines); a handler decides, per
// request, what the server does: answer (with a correct, wrong or no x-amz-crc32), close without
// answering, hang until the client gives up, or write raw bytes. It records what it received.
// Beast stays inside test_http_server.cpp.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/support/test_pki.hpp"

#include "esser/adapters/http/http_message.hpp"

namespace esser::testing {

struct test_reply {
    enum class action {
        respond,                 // write the response; keep the connection unless close_after
        close_without_response,  // read the request, then close the socket
        hang,                    // read the request, never answer (until the client closes)
        raw,                     // write `raw` bytes as they are, then close
    };
    action what = action::respond;
    int status = 200;
    adapters::http_headers headers;  // Content-Length is added
    std::string body;
    bool crc32 = true;                       // add x-amz-crc32 of the body...
    std::optional<std::string> crc32_value;  // ...or exactly this value
    bool close_after = false;  // respond, then close (without saying Connection: close)
    std::string raw;

    static test_reply json(int status, std::string body) {
        test_reply r;
        r.status = status;
        r.body = std::move(body);
        r.headers.add("Content-Type", "application/x-amz-json-1.0");
        return r;
    }
};

class test_http_server {
public:
    using handler = std::function<test_reply(const adapters::http_request&)>;

    // Starts listening at once. With `tls`, serves HTTPS with that certificate and key.
    explicit test_http_server(handler h, std::optional<tls_identity> tls = std::nullopt);
    ~test_http_server();  // stops and joins; open connections are closed
    test_http_server(const test_http_server&) = delete;
    test_http_server& operator=(const test_http_server&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:<port>" or "https://..."
    std::string url() const;
    std::size_t connections() const;  // accepted TCP connections
    std::vector<adapters::http_request> received() const;

    struct state;  // public only so the serving coroutines in the .cpp can name it

private:
    std::unique_ptr<state> state_;
};

// A port on 127.0.0.1 that nobody listens on (bound, then released).
std::uint16_t unused_port();

}  // namespace esser::testing

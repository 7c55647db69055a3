#include "esser/adapters/http/http_client.hpp"

#include <atomic>
#include <cassert>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace esser::adapters {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

std::string_view to_string(http_failure::kind k) noexcept {
    switch (k) {
        case http_failure::kind::resolve:
            return "resolve";
        case http_failure::kind::connect:
            return "connect";
        case http_failure::kind::connect_timeout:
            return "connect_timeout";
        case http_failure::kind::tls:
            return "tls";
        case http_failure::kind::timeout:
            return "timeout";
        case http_failure::kind::closed:
            return "closed";
        case http_failure::kind::protocol:
            return "protocol";
    }
    return "unknown";
}

namespace {

// One pooled connection. It owns its io_context so that a blocking send() can drive exactly its
// own operations to completion (ioc.run() returns when they are done) while other threads drive
// theirs. Members are destroyed in reverse order: streams before the io_context.
struct connection {
    net::io_context ioc{1};
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    steady::time_point idle_since;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

// Starts an operation with a completion handler that records its error code, runs the
// connection's io_context until nothing is left to do, and returns that error code. Every
// operation started this way completes: the stream's timer (expires_at) or our own timer
// cancels it.
template <class Start>
beast::error_code run(net::io_context& ioc, Start&& start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

bool is_stale_error(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::connection_aborted || ec == ssl::error::stream_truncated;
}

http_failure failure(http_failure::kind k, std::string message, bool maybe_sent) {
    return http_failure{k, std::move(message), maybe_sent};
}

}  // namespace

struct http_client::impl {
    url origin;
    http_client_options options;
    std::optional<ssl::context> tls;
    std::string origin_text;  // "https://host:port", for messages

    std::mutex mutex;
    std::vector<std::unique_ptr<connection>> idle;

    std::atomic<std::uint64_t> requests{0}, opened{0}, reused{0}, stale{0};

    std::unique_ptr<connection> take_idle() {
        std::lock_guard lock(mutex);
        const auto now = steady::now();
        while (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            if (now - c->idle_since < options.idle_timeout)
                return c;
            // Too old: the server has probably closed it; dropping it here is cheaper than
            // finding out on the wire. (Destroyed outside any I/O: just closes the socket.)
        }
        return nullptr;
    }

    void give_back(std::unique_ptr<connection> c) {
        c->idle_since = steady::now();
        std::lock_guard lock(mutex);
        if (idle.size() < options.max_idle_connections)
            idle.push_back(std::move(c));
    }

    core::expected<std::unique_ptr<connection>, http_failure> open() {
        auto c = std::make_unique<connection>();
        // Resolve (bounded by connect_timeout as far as the system resolver lets us).
        tcp::resolver resolver(c->ioc);
        net::steady_timer timer(c->ioc);
        tcp::resolver::results_type endpoints;
        beast::error_code rec = net::error::would_block;
        resolver.async_resolve(origin.host, std::to_string(origin.port),
                               [&](beast::error_code ec, tcp::resolver::results_type r) {
                                   rec = ec;
                                   endpoints = std::move(r);
                                   timer.cancel();
                               });
        timer.expires_after(options.connect_timeout);
        timer.async_wait([&](beast::error_code ec) {
            if (!ec)
                resolver.cancel();
        });
        c->ioc.run();
        if (rec)
            return core::unexpected(failure(http_failure::kind::resolve,
                                            "could not resolve host '" + origin.host + "' of " +
                                                origin_text + ": " + rec.message(),
                                            false));
        if (tls) {
            c->secure.emplace(c->ioc, *tls);
        } else {
            c->plain.emplace(c->ioc);
        }
        auto& low = c->lowest();
        low.expires_after(options.connect_timeout);
        if (auto ec = run(c->ioc, [&](auto h) { low.async_connect(endpoints, std::move(h)); })) {
            if (ec == beast::error::timeout)
                return core::unexpected(
                    failure(http_failure::kind::connect_timeout,
                            "could not connect to " + origin_text + ": timed out after " +
                                std::to_string(options.connect_timeout.count()) + " ms",
                            false));
            return core::unexpected(
                failure(http_failure::kind::connect,
                        "could not connect to " + origin_text + ": " + ec.message(), false));
        }
        low.socket().set_option(tcp::no_delay(true));
        if (tls) {
            SSL* ssl_handle = c->secure->native_handle();
            if (origin.is_ip_literal()) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), origin.host.c_str());
            } else {
                // SNI, and the name the certificate must carry.
                SSL_set_tlsext_host_name(ssl_handle, origin.host.c_str());
                SSL_set1_host(ssl_handle, origin.host.c_str());
            }
            low.expires_after(options.connect_timeout);
            auto ec = run(c->ioc, [&](auto h) {
                c->secure->async_handshake(ssl::stream_base::client, std::move(h));
            });
            if (ec == beast::error::timeout)
                return core::unexpected(
                    failure(http_failure::kind::connect_timeout,
                            "TLS handshake with " + origin_text + " timed out after " +
                                std::to_string(options.connect_timeout.count()) + " ms",
                            false));
            if (ec) {
                std::string why = ec.message();
                const long verify = SSL_get_verify_result(ssl_handle);
                if (verify != X509_V_OK)
                    why += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) +
                           ")";
                return core::unexpected(
                    failure(http_failure::kind::tls,
                            "TLS handshake with " + origin_text + " failed: " + why, false));
            }
        }
        ++opened;
        return c;
    }

    // One exchange on `c`. `reused` says whether the connection came from the pool; `stale` is
    // set when it failed the way a connection closed while idle fails.
    core::expected<http_response, http_failure> exchange(connection& c,
                                                         bhttp::request<bhttp::string_body>& req,
                                                         bool reused, bool& stale, bool& reusable) {
        stale = false;
        reusable = false;
        const auto deadline = steady::now() + options.request_timeout;
        auto& low = c.lowest();
        low.expires_at(deadline);
        auto wec = run(c.ioc, [&](auto h) {
            if (c.secure)
                bhttp::async_write(*c.secure, req, std::move(h));
            else
                bhttp::async_write(*c.plain, req, std::move(h));
        });
        if (wec) {
            if (reused && is_stale_error(wec)) {
                stale = true;
                return core::unexpected(failure(http_failure::kind::closed, wec.message(), false));
            }
            if (wec == beast::error::timeout)
                return core::unexpected(failure(http_failure::kind::timeout,
                                                "timed out sending the request to " + origin_text,
                                                true));
            return core::unexpected(failure(
                http_failure::kind::closed,
                "connection to " + origin_text + " broke while sending: " + wec.message(), true));
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(options.max_response_bytes);
        low.expires_at(deadline);
        auto rec = run(c.ioc, [&](auto h) {
            if (c.secure)
                bhttp::async_read(*c.secure, c.buffer, parser, std::move(h));
            else
                bhttp::async_read(*c.plain, c.buffer, parser, std::move(h));
        });
        if (rec) {
            if (reused && !parser.got_some() && c.buffer.size() == 0 && is_stale_error(rec)) {
                stale = true;
                return core::unexpected(failure(http_failure::kind::closed, rec.message(), true));
            }
            if (rec == beast::error::timeout)
                return core::unexpected(
                    failure(http_failure::kind::timeout,
                            "no complete response from " + origin_text + " within " +
                                std::to_string(options.request_timeout.count()) + " ms",
                            true));
            if (rec == bhttp::error::body_limit)
                return core::unexpected(
                    failure(http_failure::kind::protocol,
                            "response from " + origin_text + " is larger than " +
                                std::to_string(options.max_response_bytes) + " bytes",
                            true));
            const bool parse_error =
                rec.category() == beast::error_code(bhttp::error::bad_version).category() &&
                rec != bhttp::error::end_of_stream && rec != bhttp::error::partial_message;
            if (parse_error)
                return core::unexpected(failure(
                    http_failure::kind::protocol,
                    "invalid HTTP response from " + origin_text + ": " + rec.message(), true));
            return core::unexpected(
                failure(http_failure::kind::closed,
                        "connection to " + origin_text +
                            " closed before a complete response: " + rec.message(),
                        true));
        }
        auto& msg = parser.get();
        reusable = msg.keep_alive() && !parser.need_eof() && c.buffer.size() == 0;
        http_response res;
        res.status = static_cast<int>(msg.result_int());
        for (const auto& f : msg)
            res.headers.add(std::string(f.name_string()), std::string(f.value()));
        res.body = std::move(msg.body());
        return res;
    }
};

core::result<std::unique_ptr<http_client>> http_client::create(url origin,
                                                               http_client_options options) {
    auto p = std::make_unique<impl>();
    p->origin_text = origin.scheme + "://" + origin.host_header();
    if (origin.is_tls()) {
        auto config_error = [](std::string m) {
            core::error e = core::error::invalid_argument(std::move(m));
            e.type = "TlsConfigurationError";
            return core::fail(std::move(e));
        };
        ssl::context ctx(ssl::context::tls_client);
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        beast::error_code ec;
        if (options.tls.verify_peer) {
            if (!options.tls.ca_file.empty()) {
                ctx.load_verify_file(options.tls.ca_file, ec);
                if (ec)
                    return config_error("cannot load CA file '" + options.tls.ca_file +
                                        "': " + ec.message());
            } else {
                ctx.set_default_verify_paths(ec);
                if (ec)
                    return config_error("cannot load the system trust store: " + ec.message());
            }
            if (!options.tls.ca_pem.empty()) {
                ctx.add_certificate_authority(net::buffer(options.tls.ca_pem), ec);
                if (ec)
                    return config_error("invalid CA certificate PEM: " + ec.message());
            }
            ctx.set_verify_mode(ssl::verify_peer);
        } else {
            ctx.set_verify_mode(ssl::verify_none);
        }
        p->tls.emplace(std::move(ctx));
    }
    p->origin = std::move(origin);
    p->options = std::move(options);
    return std::unique_ptr<http_client>(new http_client(std::move(p)));
}

http_client::http_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

http_client::~http_client() = default;

const url& http_client::origin() const noexcept {
    return impl_->origin;
}

http_client::statistics http_client::stats() const {
    return {impl_->requests.load(), impl_->opened.load(), impl_->reused.load(),
            impl_->stale.load()};
}

void http_client::close_idle() {
    std::vector<std::unique_ptr<connection>> doomed;
    std::lock_guard lock(impl_->mutex);
    doomed.swap(impl_->idle);
}

core::expected<http_response, http_failure> http_client::send(http_request in) {
    bhttp::request<bhttp::string_body> req;
    const auto verb = bhttp::string_to_verb(in.method);
    if (verb == bhttp::verb::unknown)
        req.method_string(in.method);
    else
        req.method(verb);
    req.target(in.target);
    req.version(11);
    for (const auto& h : in.headers) req.insert(h.name, h.value);
    if (in.headers.find("host") == nullptr)
        req.set(bhttp::field::host, impl_->origin.host_header());
    req.body() = std::move(in.body);
    req.prepare_payload();
    req.keep_alive(true);

    auto c = impl_->take_idle();
    bool reused = c != nullptr;
    for (int round = 0;; ++round) {
        if (!c) {
            auto opened = impl_->open();
            if (!opened)
                return core::unexpected(std::move(opened.error()));
            c = std::move(*opened);
            reused = false;
        }
        bool stale = false, reusable = false;
        auto res = impl_->exchange(*c, req, reused, stale, reusable);
        if (!res && stale && round == 0) {
            // The server closed this idle connection; a fresh one is what the caller asked for.
            ++impl_->stale;
            c.reset();
            continue;
        }
        if (!res)
            return res;  // the connection is dropped with `c`
        ++impl_->requests;
        if (reused)
            ++impl_->reused;
        if (reusable)
            impl_->give_back(std::move(c));
        return res;
    }
}

}  // namespace esser::adapters

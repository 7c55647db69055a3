#include "esser/emulator/http/tls_terminator.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace esser::emulator {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// One relayed connection. Everything on it runs on its strand (the accepted socket's executor).
struct relay {
    relay(tcp::socket client, ssl::context& ctx)
        : tls(std::move(client), ctx),
          upstream(tls.get_executor()),
          handshake_timer(tls.get_executor()) {}

    ssl::stream<tcp::socket> tls;
    tcp::socket upstream;
    net::steady_timer handshake_timer;
    std::uint64_t id = 0;
    bool closed = false;  // set by close(): nothing may reopen a socket afterwards

    // Both sockets; every pending operation on them completes with an error.
    void close() {
        closed = true;
        boost::system::error_code ignored;
        tls.next_layer().close(ignored);
        upstream.close(ignored);
    }
};

}  // namespace

struct tls_terminator::impl {
    tls_terminator_options opts;
    core::logger log;
    ssl::context ctx{ssl::context::tls_server};
    net::io_context ioc;
    std::optional<tcp::acceptor> acceptor;
    std::vector<std::thread> threads;
    std::uint16_t bound_port = 0;
    std::atomic<bool> stopping{false};

    mutable std::mutex mu;  // guards relays and next_id
    std::unordered_map<std::uint64_t, std::weak_ptr<relay>> relays;
    std::uint64_t next_id = 1;

    explicit impl(unsigned n) : ioc(static_cast<int>(n)) {}
};

namespace {

using impl_ptr = std::shared_ptr<tls_terminator::impl>;

// Copies bytes one way until the source ends or either side fails, then closes both sockets,
// which ends the other direction too.
template <class From, class To>
net::awaitable<void> pump(std::shared_ptr<relay> r, From& from, To& to) {
    std::array<char, 16384> buf;
    for (;;) {
        auto [rec, n] = co_await from.async_read_some(net::buffer(buf), use_nothrow);
        if (n > 0) {
            auto [wec, wn] = co_await net::async_write(to, net::buffer(buf.data(), n), use_nothrow);
            if (wec)
                break;
        }
        if (rec)
            break;
    }
    r->close();
}

net::awaitable<void> serve_relay(std::shared_ptr<relay> r, impl_ptr s) {
    // 1. The handshake, bounded: if the timer fires first it closes the socket, which fails
    // the handshake (no reliance on per-operation cancellation of ssl::stream).
    r->handshake_timer.expires_after(s->opts.handshake_timeout);
    r->handshake_timer.async_wait([r](boost::system::error_code ec) {
        if (!ec)
            r->close();
    });
    auto [hec] = co_await r->tls.async_handshake(ssl::stream_base::server, use_nothrow);
    r->handshake_timer.cancel();
    if (hec || r->closed) {
        s->log.debug("TLS handshake failed: {}", hec ? hec.message() : "closed");
        co_return;
    }
    // 2. The HTTP server on loopback.
    const tcp::endpoint up(net::ip::make_address_v4("127.0.0.1"), s->opts.upstream_port);
    auto [cec] = co_await r->upstream.async_connect(up, use_nothrow);
    if (cec) {
        s->log.warn("TLS relay cannot reach the HTTP server on port {}: {}", s->opts.upstream_port,
                    cec.message());
        co_return;
    }
    boost::system::error_code ignored;
    r->upstream.set_option(tcp::no_delay(true), ignored);
    // 3. Both directions at once: an ssl::stream allows one read and one write in flight, on
    // one strand.
    net::co_spawn(r->tls.get_executor(), pump(r, r->upstream, r->tls), net::detached);
    co_await pump(r, r->tls, r->upstream);
}

net::awaitable<void> accept_loop(impl_ptr s) {
    for (;;) {
        auto [ec, socket] =
            co_await s->acceptor->async_accept(net::make_strand(s->ioc), use_nothrow);
        if (s->stopping || ec == net::error::operation_aborted)
            co_return;
        if (ec) {
            s->log.warn("TLS accept failed: {}", ec.message());
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::unique_lock lock(s->mu);
        if (s->relays.size() >= s->opts.max_connections) {
            lock.unlock();
            s->log.warn("TLS connection refused: {} connections open", s->opts.max_connections);
            socket.close(ignored);
            continue;
        }
        auto r = std::make_shared<relay>(std::move(socket), s->ctx);
        r->id = s->next_id++;
        s->relays.emplace(r->id, r);
        lock.unlock();
        net::co_spawn(r->tls.get_executor(), serve_relay(r, s), [s, r](std::exception_ptr) {
            r->close();
            std::lock_guard l(s->mu);
            s->relays.erase(r->id);
        });
    }
}

listen_error bind_error(const std::string& where, const boost::system::error_code& ec) {
    listen_error e{listen_error::kind::other, where + ": " + ec.message()};
    if (ec == net::error::address_in_use)
        e.what = listen_error::kind::address_in_use;
    else if (ec == net::error::access_denied)
        e.what = listen_error::kind::permission_denied;
    else if (ec == boost::system::errc::address_not_available)
        e.what = listen_error::kind::bad_address;
    return e;
}

}  // namespace

core::expected<std::unique_ptr<tls_terminator>, listen_error> tls_terminator::start(
    tls_terminator_options o, core::logger log) {
    const unsigned n = std::max(1u, o.threads);
    auto s = std::make_shared<impl>(n);
    s->opts = std::move(o);
    s->log = std::move(log);
    boost::system::error_code ec;
    s->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
    s->ctx.use_certificate_chain_file(s->opts.cert_file, ec);
    if (ec) {
        return core::unexpected(listen_error{
            listen_error::kind::other, "--tls-cert " + s->opts.cert_file +
                                           ": not a PEM certificate chain (" + ec.message() + ")"});
    }
    s->ctx.use_private_key_file(s->opts.key_file, ssl::context::pem, ec);
    if (ec) {
        return core::unexpected(listen_error{listen_error::kind::other,
                                             "--tls-key " + s->opts.key_file +
                                                 ": not the PEM private key of --tls-cert (" +
                                                 ec.message() + ")"});
    }

    const std::string where = s->opts.host + ":" + std::to_string(s->opts.port);
    auto addr = net::ip::make_address(s->opts.host == "localhost" ? "127.0.0.1" : s->opts.host, ec);
    if (ec)
        return core::unexpected(
            listen_error{listen_error::kind::bad_address, where + ": " + ec.message()});
    const tcp::endpoint ep(addr, s->opts.port);
    s->acceptor.emplace(net::make_strand(s->ioc));
    s->acceptor->open(ep.protocol(), ec);
    if (!ec)
        s->acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        s->acceptor->bind(ep, ec);
    if (!ec)
        s->acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return core::unexpected(bind_error(where, ec));
    s->bound_port = s->acceptor->local_endpoint().port();

    net::co_spawn(s->acceptor->get_executor(), accept_loop(s), net::detached);
    for (unsigned i = 0; i < n; ++i) s->threads.emplace_back([s] { s->ioc.run(); });
    return std::unique_ptr<tls_terminator>(new tls_terminator(std::move(s)));
}

tls_terminator::tls_terminator(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

tls_terminator::~tls_terminator() {
    stop();
}

std::uint16_t tls_terminator::port() const {
    return impl_->bound_port;
}

std::string tls_terminator::url() const {
    return "https://" + impl_->opts.host + ":" + std::to_string(port());
}

std::size_t tls_terminator::open_connections() const {
    std::lock_guard lock(impl_->mu);
    return impl_->relays.size();
}

void tls_terminator::stop() {
    auto& s = *impl_;
    if (!s.stopping.exchange(true)) {
        net::post(s.acceptor->get_executor(), [p = impl_] {
            boost::system::error_code ignored;
            p->acceptor->close(ignored);
            std::vector<std::shared_ptr<relay>> live;
            {
                std::lock_guard lock(p->mu);
                for (auto& [id, w] : p->relays) {
                    if (auto r = w.lock())
                        live.push_back(std::move(r));
                }
            }
            for (auto& r : live) net::post(r->tls.get_executor(), [r] { r->close(); });
        });
    }
    // Every coroutine ends once its sockets are closed; then run() returns on every thread.
    for (auto& t : s.threads) {
        if (t.joinable())
            t.join();
    }
}

}  // namespace esser::emulator

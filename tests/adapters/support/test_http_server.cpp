#include "adapters/support/test_http_server.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <zlib.h>

namespace esser::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// Coroutines get a raw pointer: the io_context is a member, so every coroutine frame is
// destroyed (when the io_context is) before the rest of the state.
struct test_http_server::state {
    handler on_request;
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::optional<ssl::context> tls;
    std::thread thread;
    std::atomic<std::size_t> accepted{0};
    mutable std::mutex mutex;
    std::vector<adapters::http_request> received;
};

namespace {

adapters::http_request to_request(const bhttp::request<bhttp::string_body>& in) {
    adapters::http_request r;
    r.method = std::string(in.method_string());
    r.target = std::string(in.target());
    for (const auto& f : in) r.headers.add(std::string(f.name_string()), std::string(f.value()));
    r.body = in.body();
    return r;
}

std::string crc_of(const std::string& body) {
    return std::to_string(
        crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
}

template <class Stream>
void close_stream(Stream& s) {
    beast::error_code ec;
    beast::get_lowest_layer(s).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(s).socket().close(ec);
}

template <class Stream>
net::awaitable<void> serve(test_http_server::state* st, Stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, use_nothrow);
        if (ec)
            co_return;
        auto request = to_request(req);
        {
            std::lock_guard lock(st->mutex);
            st->received.push_back(request);
        }
        test_reply reply = st->on_request(request);
        switch (reply.what) {
            case test_reply::action::close_without_response:
                close_stream(stream);
                co_return;
            case test_reply::action::hang: {
                // Wait for the client to give up (it closes; the read fails).
                bhttp::request<bhttp::string_body> next;
                co_await bhttp::async_read(stream, buffer, next, use_nothrow);
                co_return;
            }
            case test_reply::action::raw: {
                co_await net::async_write(stream, net::buffer(reply.raw), use_nothrow);
                close_stream(stream);
                co_return;
            }
            case test_reply::action::respond:
                break;
        }
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
        const auto* connection = reply.headers.find("connection");
        const bool close = connection != nullptr && adapters::iequals(*connection, "close");
        for (const auto& h : reply.headers)
            if (!adapters::iequals(h.name, "connection"))
                res.insert(h.name, h.value);
        if (reply.crc32_value)
            res.set("x-amz-crc32", *reply.crc32_value);
        else if (reply.crc32)
            res.set("x-amz-crc32", crc_of(reply.body));
        res.body() = std::move(reply.body);
        res.keep_alive(req.keep_alive() && !close);
        res.prepare_payload();
        auto [wec, wn] = co_await bhttp::async_write(stream, res, use_nothrow);
        if (wec || !res.keep_alive() || reply.close_after) {
            close_stream(stream);
            co_return;
        }
    }
}

net::awaitable<void> serve_tls(test_http_server::state* st, tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *st->tls);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
    if (ec)
        co_return;  // e.g. the client refused our certificate
    co_await serve(st, std::move(stream));
}

net::awaitable<void> accept_loop(test_http_server::state* st) {
    for (;;) {
        auto [ec, socket] = co_await st->acceptor.async_accept(use_nothrow);
        if (ec)
            co_return;
        ++st->accepted;
        if (st->tls)
            net::co_spawn(st->ioc, serve_tls(st, std::move(socket)), net::detached);
        else
            net::co_spawn(st->ioc, serve(st, beast::tcp_stream(std::move(socket))), net::detached);
    }
}

}  // namespace

test_http_server::test_http_server(handler h, std::optional<tls_identity> tls)
    : state_(std::make_unique<state>()) {
    state_->on_request = std::move(h);
    if (tls) {
        state_->tls.emplace(ssl::context::tls_server);
        state_->tls->use_certificate_chain(net::buffer(tls->certificate_pem));
        state_->tls->use_private_key(net::buffer(tls->private_key_pem), ssl::context::pem);
    }
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(ep.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(ep);
    state_->acceptor.listen();
    net::co_spawn(state_->ioc, accept_loop(state_.get()), net::detached);
    state_->thread = std::thread([st = state_.get()] { st->ioc.run(); });
}

test_http_server::~test_http_server() {
    state_->ioc.stop();
    state_->thread.join();
}

std::uint16_t test_http_server::port() const {
    return state_->acceptor.local_endpoint().port();
}

std::string test_http_server::url() const {
    return std::string(state_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

std::size_t test_http_server::connections() const {
    return state_->accepted.load();
}

std::vector<adapters::http_request> test_http_server::received() const {
    std::lock_guard lock(state_->mutex);
    return state_->received;
}

std::uint16_t unused_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

}  // namespace esser::testing

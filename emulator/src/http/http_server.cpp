#include "esser/emulator/http/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "beast_convert.hpp"
#include "wire_response.hpp"
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <sys/socket.h>

#include "esser/emulator/http/http_metrics.hpp"

namespace esser::emulator {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
constexpr std::size_t max_concurrent_refusals = 64;

// Filled by a responder's sink (any thread), read by the connection (its strand).
struct wait_slot {
    std::mutex mu;
    std::optional<http_response> response;
    std::function<void()> wake;  // set while the connection waits; called under mu
    bool closed = false;         // the connection stopped waiting: drop late answers
};

struct connection {
    explicit connection(tcp::socket s) : stream(std::move(s)), wake(stream.get_executor()) {}

    beast::tcp_stream stream;
    net::steady_timer wake;  // an event: cancelled when the handler answers
    std::uint64_t id = 0;
    std::string remote;
    // Strand-only state.
    bool idle = true;                      // no byte of a next request received yet
    bool forced = false;                   // the grace period ran out: abandon everything
    bool watching = false;                 // an async_wait for client disconnect is pending
    std::function<void()> cancel_pending;  // cancels the request being handled
};

}  // namespace

// Lets a responder on a foreign thread post to a connection's strand only while the
// io_context exists.
struct post_gate {
    std::mutex mu;
    bool open = true;
};

struct http_server::impl {
    http_server_options opts;
    std::shared_ptr<const router> routes;
    core::logger log;
    std::shared_ptr<http_metrics> metrics;
    std::shared_ptr<post_gate> gate = std::make_shared<post_gate>();

    // One io_context per thread, each run by its thread alone: a connection lives on one of
    // them (chosen round-robin at accept), so its handlers never hop threads and the threads
    // never wake each other (one shared io_context cost ~10 us of CPU per request on two
    // cores in cross-thread wake-ups and scheduler locking). The io_context's single thread is
    // the connection's implicit strand; handlers answering from foreign threads post to it.
    // Destroyed by stop() (acceptor first) once the threads are joined: that frees coroutine
    // frames still suspended, which hold references to this object.
    std::vector<std::unique_ptr<net::io_context>> iocs;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
    std::optional<tcp::acceptor> acceptor;
    std::size_t next_ioc = 0;  // accept loop only
    std::vector<std::thread> threads;
    std::vector<std::thread::id> thread_ids;  // written before serving, then read-only
    std::string bound_host;
    std::uint16_t bound_port = 0;

    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> refusing{0};

    mutable std::mutex mu;
    std::condition_variable cv;
    std::unordered_map<std::uint64_t, std::weak_ptr<connection>> conns;
    std::uint64_t next_id = 1;
    bool stopped = false;
    bool stop_in_progress = false;

    impl(http_server_options o, std::shared_ptr<const router> r, core::logger l)
        : opts(std::move(o)), routes(std::move(r)), log(std::move(l)), metrics(opts.metrics) {
        for (unsigned i = 0; i < opts.threads; ++i)
            iocs.push_back(std::make_unique<net::io_context>(1));
        acceptor.emplace(iocs.front()->get_executor());
    }

    ~impl() {
        acceptor.reset();
        iocs.clear();
    }

    net::io_context& next_context() {
        auto& ctx = *iocs[next_ioc];
        next_ioc = (next_ioc + 1) % iocs.size();
        return ctx;
    }

    std::size_t open() const {
        std::lock_guard lock(mu);
        return conns.size();
    }
};

namespace {

using server_ptr = std::shared_ptr<http_server::impl>;

void note_timeout(const server_ptr& s, std::string_view phase) {
    if (s->metrics)
        s->metrics->timed_out(s->opts.name, phase);
}

void note_protocol_error(const server_ptr& s, std::string_view kind) {
    if (s->metrics)
        s->metrics->protocol_error(s->opts.name, kind);
}

// Writes head and body in one gathered write (one sendmsg when the socket takes it all).
net::awaitable<std::tuple<boost::system::error_code, std::size_t>> write_response(
    beast::tcp_stream& stream, const detail::wire_response& wire) {
    const std::array<net::const_buffer, 2> parts{net::buffer(wire.head), net::buffer(wire.body)};
    co_return co_await net::async_write(stream, parts, use_nothrow);
}

// Writes a short error answer and leaves the connection to be closed by the caller.
net::awaitable<void> write_error(std::shared_ptr<connection> c, server_ptr s, int status,
                                 unsigned version, std::string body) {
    http_response r = http_response::text(status, std::move(body));
    r.close = true;
    c->stream.expires_after(
        std::min<clock_type::duration>(s->opts.write_timeout, std::chrono::seconds(2)));
    co_await write_response(c->stream,
                            detail::to_wire(std::move(r), version == 10 ? 10 : 11, false));
}

// Closes a connection whose client may still be sending a body we refused: our side is shut
// down first, then what the client sends is read and dropped until it closes, for at most
// body_timeout (and 10 s) and 256 MiB. Closing at once would make the kernel reset the
// connection over the unread bytes, and a client still writing its body (urllib3, the SDKs)
// would see that reset instead of our answer.
net::awaitable<void> linger_close(std::shared_ptr<connection> c, server_ptr s) {
    boost::system::error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    c->stream.expires_after(
        std::min<clock_type::duration>(s->opts.body_timeout, std::chrono::seconds(10)));
    std::array<char, 64 * 1024> sink;
    std::uint64_t dropped = 0;
    while (dropped < 256u * 1024 * 1024 && !s->stopping && !c->forced) {
        auto [ec, n] = co_await c->stream.async_read_some(net::buffer(sink), use_nothrow);
        if (ec)
            break;
        dropped += n;
    }
}

// Watches a waiting connection for the client going away: readable with nothing to read
// means EOF (or a reset), and the pending request is cancelled. Bytes of a pipelined request
// leave it alone.
void watch_disconnect(std::shared_ptr<connection> c) {
    c->watching = true;
    c->stream.socket().async_wait(tcp::socket::wait_read, [c](boost::system::error_code ec) {
        c->watching = false;
        if (ec)
            return;
        char byte;
        const auto n =
            ::recv(c->stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            if (c->cancel_pending)
                c->cancel_pending();
            c->wake.cancel();
        }
    });
}

// Runs the router on `req` and waits (without holding a thread) until the handler answers or
// the request is cancelled. Returns nullopt when cancelled.
net::awaitable<std::optional<http_response>> handle_request(std::shared_ptr<connection> c,
                                                            server_ptr s, http_request req,
                                                            std::string* route_name) {
    auto slot = std::make_shared<wait_slot>();
    responder res([slot](http_response r) {
        std::lock_guard lock(slot->mu);
        if (slot->closed)
            return;
        slot->response = std::move(r);
        if (slot->wake) {
            slot->wake();
            slot->wake = nullptr;
        }
    });
    // The server keeps no copy of the responder (only a canceller), so a handler that drops
    // its responder is answered 500 at once instead of leaving the client waiting.
    auto cancel = res.canceller();
    auto fail = [&](std::string_view what) {
        s->log.error("handler for {} threw: {}", c->remote, what);
        std::lock_guard lock(slot->mu);
        if (!slot->response)
            slot->response = http_response::text(500, "esser: internal error in a handler\n");
    };
    try {
        *route_name = std::string(s->routes->dispatch(std::move(req), std::move(res)));
    } catch (const std::exception& e) {
        fail(e.what());
    } catch (...) {
        fail("a non-exception");
    }

    bool must_wait = false;
    {
        std::lock_guard lock(slot->mu);
        if (!slot->response) {
            must_wait = true;
            // A weak reference: a handler that keeps its responder forever must not keep the
            // connection (and its socket) alive.
            slot->wake = [w = std::weak_ptr<connection>(c), gate = s->gate] {
                std::lock_guard gl(gate->mu);
                if (!gate->open)
                    return;
                if (auto cc = w.lock())
                    net::post(cc->stream.get_executor(), [cc] { cc->wake.cancel(); });
            };
        }
    }
    if (must_wait && !c->forced) {
        c->cancel_pending = cancel;
        watch_disconnect(c);
        c->wake.expires_at(clock_type::time_point::max());
        co_await c->wake.async_wait(use_nothrow);
        if (c->watching) {
            boost::system::error_code ignored;
            c->stream.socket().cancel(ignored);
        }
        c->cancel_pending = nullptr;
    }
    std::optional<http_response> out;
    {
        std::lock_guard lock(slot->mu);
        slot->closed = true;
        slot->wake = nullptr;
        out = std::move(slot->response);
    }
    if (!out)
        cancel();  // woken by a disconnect or a forced stop
    co_return out;
}

net::awaitable<void> serve_connection(std::shared_ptr<connection> c, server_ptr s) {
    const auto& o = s->opts;
    beast::flat_buffer buffer;
    for (;;) {
        // 1. Wait for the first byte of the next request (keep-alive idle time).
        if (buffer.size() == 0) {
            c->idle = true;
            if (s->stopping || c->forced)
                break;
            c->stream.expires_after(o.idle_timeout);
            auto [ec, n] = co_await c->stream.async_read_some(buffer.prepare(8192), use_nothrow);
            buffer.commit(n);
            c->idle = false;
            if (ec) {
                if (ec == beast::error::timeout)
                    note_timeout(s, "idle");
                break;
            }
        }
        c->idle = false;

        // 2. The header, within header_timeout of its first byte (slow-loris guard).
        http::request_parser<http::string_body> parser;
        parser.header_limit(o.max_header_bytes);
        // The body limit depends on the route (router::body_limit): set once the header is in,
        // before any body byte is parsed. Beast sizes nothing by Content-Length before then.
        parser.body_limit(boost::none);
        c->stream.expires_after(o.header_timeout);
        auto [hec, hn] = co_await http::async_read_header(c->stream, buffer, parser, use_nothrow);
        std::string_view failed_phase = "header";
        beast::error_code ec = hec;
        const route_body_limit* route_limit = nullptr;
        if (!ec && !parser.is_done()) {
            const auto& head = parser.get();
            const std::string_view target(head.target().data(), head.target().size());
            route_limit = s->routes->body_limit_for(
                std::string_view(head.method_string().data(), head.method_string().size()),
                target.substr(0, target.find('?')));
            const std::uint64_t limit = route_limit ? route_limit->max_bytes : o.max_body_bytes;
            parser.body_limit(limit);
            const auto declared = parser.content_length();
            if (declared && *declared > limit)
                ec = http::error::body_limit;  // refused before any body byte is read
        }
        if (!ec && !parser.is_done()) {
            // 3. The body, within body_timeout. A client that waits for "100 Continue" gets it.
            if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
                http::response<http::empty_body> cont{http::status::continue_,
                                                      parser.get().version()};
                c->stream.expires_after(o.write_timeout);
                auto [wec, wn] = co_await http::async_write(c->stream, cont, use_nothrow);
                if (wec)
                    break;
            }
            failed_phase = "body";
            c->stream.expires_after(o.body_timeout);
            auto [bec, bn] = co_await http::async_read(c->stream, buffer, parser, use_nothrow);
            ec = bec;
        }
        if (ec) {
            const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
            if (ec == beast::error::timeout) {
                // tcp_stream has closed the socket already: nothing can be written.
                note_timeout(s, failed_phase);
            } else if (ec == http::error::body_limit) {
                note_protocol_error(s, "body_too_large");
                // The route's answer (Lambda: RequestEntityTooLargeException), else spec §1.1's
                // 413 with no body.
                http_response r = route_limit ? route_limit->too_large : http_response::empty(413);
                c->stream.expires_after(std::chrono::seconds(2));
                auto [wec, wn] = co_await write_response(
                    c->stream, detail::to_wire(std::move(r), version, false));
                if (!wec)
                    co_await linger_close(c, s);
            } else if (ec == http::error::header_limit) {
                note_protocol_error(s, "header_too_large");
                co_await write_error(c, s, 431, version, "request header too large\n");
            } else if (ec.category() == beast::error_code(http::error::end_of_stream).category() &&
                       ec != http::error::end_of_stream && ec != http::error::partial_message) {
                note_protocol_error(s, "malformed");
                co_await write_error(c, s, 400, version,
                                     "malformed HTTP request: " + ec.message() + "\n");
            }
            // end_of_stream, partial_message, resets, cancellation: just close.
            break;
        }

        // 4. Handle.
        const auto started = clock_type::now();
        auto breq = parser.release();
        const unsigned version = breq.version();
        const bool client_keep_alive = breq.keep_alive();
        std::string method(breq.method_string());
        std::string target(breq.target());
        c->stream.expires_never();
        std::string route_name;
        std::optional<http_response> res = co_await handle_request(
            c, s, detail::from_beast(std::move(breq), c->remote), &route_name);
        if (!res)
            break;  // cancelled: the client left or the server gave up

        // 5. Write.
        const int status = res->status;
        std::string operation = res->operation.empty() ? route_name : res->operation;
        // The request line of the log carries the id the client got (DynamoDB, Streams and
        // Lambda answers set x-amzn-RequestId), so a client-side error can be found in the log.
        std::string request_id;
        if (s->log.enabled(core::log_level::debug)) {
            if (auto id = res->headers.get("x-amzn-RequestId"))
                request_id = std::string(*id);
        }
        const bool keep_alive = client_keep_alive && !res->close && !s->stopping && !c->forced;
        const auto wire = detail::to_wire(std::move(*res), version, keep_alive);
        // Counted when the response is ready, before it is written: a client that reads
        // /metrics right after its response must see its request counted (counting after the
        // write raced with the client's next request under load).
        const double seconds = std::chrono::duration<double>(clock_type::now() - started).count();
        if (s->metrics)
            s->metrics->request_finished(o.name, operation, wire.status, seconds);
        c->stream.expires_after(o.write_timeout);
        auto [wec, wn] = co_await write_response(c->stream, wire);
        if (s->log.enabled(core::log_level::debug)) {
            s->log.log(core::log_level::debug, request_id, "{} {} {} -> {} ({}) {:.3f} ms",
                       c->remote, method, target, status, operation, seconds * 1e3);
        }
        if (wec) {
            if (wec == beast::error::timeout)
                note_timeout(s, "write");
            break;
        }
        if (!keep_alive)
            break;
    }
    beast::error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    c->stream.close();
}

// Answers a connection over the bound with a canned 503 and closes it politely (reading what
// the client sent, briefly, so the close does not reset the connection before the client read
// the answer).
net::awaitable<void> refuse_connection(beast::tcp_stream stream, server_ptr s) {
    static const std::string canned = [] {
        const std::string body = "esser: too many open connections; retry later\n";
        return "HTTP/1.1 503 Service Unavailable\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Retry-After: 1\r\n"
               "Connection: close\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    stream.expires_after(std::chrono::seconds(1));
    auto [ec, n] = co_await net::async_write(stream, net::buffer(canned), use_nothrow);
    beast::error_code ignored;
    if (!ec) {
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        char sink[4096];
        for (int i = 0; i < 16; ++i) {
            auto [rec, rn] = co_await stream.async_read_some(net::buffer(sink), use_nothrow);
            if (rec)
                break;
        }
    }
    stream.close();
    s->refusing.fetch_sub(1);
}

void finish_connection(const server_ptr& s, std::uint64_t id) {
    {
        std::lock_guard lock(s->mu);
        s->conns.erase(id);
    }
    s->cv.notify_all();
    if (s->metrics)
        s->metrics->connection_closed(s->opts.name);
}

net::awaitable<void> accept_loop(server_ptr s) {
    net::steady_timer backoff(s->acceptor->get_executor());
    for (;;) {
        auto [ec, socket] = co_await s->acceptor->async_accept(s->next_context(), use_nothrow);
        if (s->stopping)
            break;
        if (ec) {
            if (ec == net::error::operation_aborted)
                break;
            // Out of descriptors (a flood) or a transient network error: pause instead of
            // spinning, then keep serving.
            s->log.warn("accept failed: {}", ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(use_nothrow);
            continue;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::string remote;
        if (auto ep = socket.remote_endpoint(ignored); !ignored)
            remote = ep.address().to_string() + ":" + std::to_string(ep.port());

        std::unique_lock lock(s->mu);
        if (s->conns.size() >= s->opts.max_connections) {
            lock.unlock();
            if (s->metrics)
                s->metrics->connection_refused(s->opts.name);
            if (s->refusing.fetch_add(1) >= max_concurrent_refusals) {
                s->refusing.fetch_sub(1);
                socket.close(ignored);
                continue;
            }
            beast::tcp_stream stream(std::move(socket));
            auto ex = stream.get_executor();
            net::co_spawn(ex, refuse_connection(std::move(stream), s), [](std::exception_ptr) {});
            continue;
        }
        auto c = std::make_shared<connection>(std::move(socket));
        c->id = s->next_id++;
        c->remote = std::move(remote);
        s->conns.emplace(c->id, c);
        lock.unlock();
        if (s->metrics)
            s->metrics->connection_opened(s->opts.name);
        net::co_spawn(c->stream.get_executor(), serve_connection(c, s),
                      [s, id = c->id](std::exception_ptr e) {
                          if (e) {
                              try {
                                  std::rethrow_exception(e);
                              } catch (const std::exception& ex) {
                                  s->log.error("connection failed: {}", ex.what());
                              } catch (...) {
                                  s->log.error("connection failed");
                              }
                          }
                          finish_connection(s, id);
                      });
    }
}

std::vector<std::shared_ptr<connection>> live_connections(const server_ptr& s) {
    std::vector<std::shared_ptr<connection>> out;
    std::lock_guard lock(s->mu);
    for (auto& [id, w] : s->conns)
        if (auto c = w.lock())
            out.push_back(std::move(c));
    return out;
}

listen_error to_listen_error(const boost::system::error_code& ec, const std::string& where) {
    listen_error e;
    e.message = where + ": " + ec.message();
    if (ec == net::error::address_in_use) {
        e.what = listen_error::kind::address_in_use;
    } else if (ec == net::error::access_denied) {
        e.what = listen_error::kind::permission_denied;
    } else if (ec == net::error::address_family_not_supported ||
               ec == boost::system::errc::address_not_available ||
               ec == boost::system::errc::invalid_argument) {
        e.what = listen_error::kind::bad_address;
    }
    return e;
}

}  // namespace

core::expected<std::unique_ptr<http_server>, listen_error> http_server::start(
    http_server_options options, std::shared_ptr<const router> routes, core::logger log) {
    using core::unexpected;
    if (options.threads == 0)
        options.threads = std::max(1u, std::thread::hardware_concurrency());
    if (!routes)
        routes = std::make_shared<router>();
    auto s = std::make_shared<impl>(std::move(options), std::move(routes), std::move(log));
    const std::string where = s->opts.host + ":" + std::to_string(s->opts.port);

    boost::system::error_code ec;
    net::ip::address address = net::ip::make_address(s->opts.host, ec);
    if (ec) {
        tcp::resolver resolver(*s->iocs.front());
        auto results = resolver.resolve(s->opts.host, std::to_string(s->opts.port),
                                        tcp::resolver::passive, ec);
        if (ec || results.empty()) {
            return unexpected(listen_error{listen_error::kind::bad_address,
                                           where + ": cannot resolve host '" + s->opts.host + "'"});
        }
        address = results.begin()->endpoint().address();
    }
    const tcp::endpoint endpoint(address, s->opts.port);
    auto& acceptor = *s->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return unexpected(to_listen_error(ec, where));
    s->bound_port = acceptor.local_endpoint().port();
    s->bound_host = address.to_string();

    for (auto& ctx : s->iocs) s->work.push_back(net::make_work_guard(*ctx));
    net::co_spawn(acceptor.get_executor(), accept_loop(s), [s](std::exception_ptr e) {
        if (e)
            s->log.error("accept loop ended by an exception");
    });
    for (auto& ctx : s->iocs) {
        s->threads.emplace_back([s, ctx = ctx.get()] {
            for (;;) {
                try {
                    ctx->run();
                    return;
                } catch (const std::exception& e) {
                    s->log.error("uncaught exception on a server thread: {}", e.what());
                }
            }
        });
    }
    {
        std::lock_guard lock(s->mu);
        for (auto& t : s->threads) s->thread_ids.push_back(t.get_id());
    }
    s->log.info("listening on http://{}:{}", s->bound_host, s->bound_port);
    return std::unique_ptr<http_server>(new http_server(std::move(s)));
}

http_server::http_server(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

http_server::~http_server() {
    stop();
}

const std::string& http_server::host() const {
    return impl_->bound_host;
}

std::uint16_t http_server::port() const {
    return impl_->bound_port;
}

std::string http_server::authority() const {
    const auto& h = impl_->bound_host;
    const bool v6 = h.find(':') != std::string::npos;
    return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(impl_->bound_port);
}

std::string http_server::url() const {
    return "http://" + authority();
}

std::size_t http_server::open_connections() const {
    return impl_->open();
}

void http_server::request_stop() {
    auto s = impl_;
    if (s->stopping.exchange(true))
        return;
    net::post(s->acceptor->get_executor(), [s] {
        boost::system::error_code ignored;
        s->acceptor->close(ignored);
    });
    // Idle keep-alive connections close now; busy ones after their current response (their
    // coroutine reads `stopping`). A connection registered after this snapshot sees
    // `stopping` before its first read.
    for (auto& c : live_connections(s)) {
        net::post(c->stream.get_executor(), [c] {
            if (c->idle)
                c->stream.cancel();
        });
    }
}

void http_server::stop() {
    auto s = impl_;
    {
        std::unique_lock lock(s->mu);
        if (s->stopped)
            return;
        if (std::find(s->thread_ids.begin(), s->thread_ids.end(), std::this_thread::get_id()) !=
            s->thread_ids.end()) {
            lock.unlock();
            request_stop();  // joining our own thread would deadlock
            return;
        }
        if (s->stop_in_progress) {
            s->cv.wait(lock, [&] { return s->stopped; });
            return;
        }
        s->stop_in_progress = true;
    }
    request_stop();
    {
        std::unique_lock lock(s->mu);
        s->cv.wait_for(lock, s->opts.shutdown_grace, [&] { return s->conns.empty(); });
    }
    // Grace is over: cancel waiting requests and close every socket.
    for (auto& c : live_connections(s)) {
        net::post(c->stream.get_executor(), [c] {
            c->forced = true;
            if (c->cancel_pending)
                c->cancel_pending();
            c->wake.cancel();
            boost::system::error_code ignored;
            c->stream.socket().close(ignored);
        });
    }
    {
        std::unique_lock lock(s->mu);
        if (!s->cv.wait_for(lock, std::chrono::seconds(1), [&] { return s->conns.empty(); })) {
            s->log.error("{} connection(s) still busy after the shutdown grace period",
                         s->conns.size());
        }
    }
    {
        std::lock_guard gl(s->gate->mu);
        s->gate->open = false;
    }
    s->work.clear();
    for (auto& ctx : s->iocs) ctx->stop();
    for (auto& t : s->threads) t.join();
    s->threads.clear();
    // Frees what is left in the io_contexts (suspended coroutines and their sockets).
    s->acceptor.reset();
    s->iocs.clear();
    {
        std::lock_guard lock(s->mu);
        s->stopped = true;
    }
    s->cv.notify_all();
    s->log.info("stopped");
}

void http_server::wait() {
    auto s = impl_;
    std::unique_lock lock(s->mu);
    s->cv.wait(lock, [&] { return s->stopped; });
}

}  // namespace esser::emulator

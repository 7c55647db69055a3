// esser-bench: a small load generator for any DynamoDB-compatible endpoint (issue 6).
//
//   esser-bench run --endpoint http://127.0.0.1:8000 --workload put --connections 64
//                   --duration 10s [--max-requests N] [--table T] [--threads N]
//   esser-bench null-server [--port N]      a do-nothing server: every request answered {}
//   esser-bench startup --endpoint URL -- CMD [ARGS...]
//                                           ms from exec(CMD) to its first answered request
//
// Workloads (the event-store access pattern, DESIGN.md "DynamoDB layout"):
//   put    conditional PutItem of a new event item (attribute_not_exists(pk)), each unique
//   query  Query of one stream holding 100 events (KeyConditionExpression pk = :p)
//   get    GetItem of one event
// Keep-alive connections, each sending its next request when the previous answer arrived; each
// of --threads threads drives its share of them with epoll.
// Bounded: stops at --duration or --max-requests, whichever comes first. Prints a table and a
// JSON line: requests, errors (by __type), req/s, latency p50/p90/p99/max in ms.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esser/core/clock.hpp"
#include "esser/emulator/http/aws_wire.hpp"
#include "esser/emulator/http/http_response_reader.hpp"
#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/http/stop_signal.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

struct endpoint {
    std::string host = "127.0.0.1";
    std::string port = "8000";
};

bool parse_endpoint(const std::string& url, endpoint& out) {
    std::string rest = url;
    if (rest.rfind("http://", 0) == 0)
        rest = rest.substr(7);
    if (auto slash = rest.find('/'); slash != std::string::npos)
        rest.resize(slash);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        out.host = rest;
        out.port = "80";
    } else {
        out.host = rest.substr(0, colon);
        out.port = rest.substr(colon + 1);
    }
    return !out.host.empty() && !out.port.empty();
}

struct settings {
    endpoint ep;
    std::string workload = "put";
    unsigned connections = 64;
    std::chrono::milliseconds duration{10'000};
    std::uint64_t max_requests = 5'000'000;
    std::string table = "esser_bench";
    unsigned threads = 1;
};

http::request<http::string_body> make_request(const endpoint& ep, const std::string& op,
                                              std::string body) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, ep.host + ":" + ep.port);
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", "DynamoDB_20120810." + op);
    // Well formed for emulators that check the header's shape; never verified.
    req.set("X-Amz-Date", "20240101T000000Z");
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" +
                std::string(64, '0'));
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

json event_item(const std::string& pk, int v) {
    return {{"pk", {{"S", pk}}},
            {"v", {{"N", std::to_string(v)}}},
            {"entity", {{"S", "Item"}}},
            {"id", {{"S", pk.substr(pk.find('#') + 1)}}},
            {"type", {{"S", "ItemCreated"}}},
            {"data",
             {{"M",
               {{"name", {{"S", "a bench item"}}},
                {"price", {{"N", "12.50"}}},
                {"tags", {{"L", {{{"S", "bench"}}, {{"S", "load"}}}}}}}}}},
            {"meta",
             {{"M",
               {{"event_id", {{"S", "00000000-0000-4000-8000-000000000000"}}},
                {"command_id", {{"S", "00000000-0000-4000-8000-000000000001"}}}}}}},
            {"at", {{"S", "2024-01-01T00:00:00.000Z"}}}};
}

// A workload's request bytes, rendered once: only a put's key changes between requests (the
// placeholder \u0001 in the template stands for it). Each request is the head and the body.
class request_template {
public:
    request_template(const settings& s, const std::string& op) {
        json body;
        if (s.workload == "put") {
            body = {{"TableName", s.table},
                    {"Item", event_item("Item#\x01", 1)},
                    {"ConditionExpression", "attribute_not_exists(pk)"}};
        } else if (s.workload == "query") {
            body = {{"TableName", s.table},
                    {"KeyConditionExpression", "pk = :p"},
                    {"ExpressionAttributeValues", {{":p", {{"S", "Item#query"}}}}}};
        } else {
            body = {{"TableName", s.table},
                    {"Key", {{"pk", {{"S", "Item#query"}}}, {"v", {{"N", "50"}}}}}};
        }
        const std::string text = body.dump();
        for (std::size_t at = 0;;) {
            const auto hole = text.find("\\u0001", at);
            body_parts_.push_back(text.substr(at, hole - at));
            if (hole == std::string::npos)
                break;
            at = hole + 6;
        }
        head_ = "POST / HTTP/1.1\r\nHost: " + s.ep.host + ":" + s.ep.port +
                "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: "
                "DynamoDB_20120810." +
                op +
                // Well formed for emulators that check the header's shape; never verified.
                "\r\nX-Amz-Date: 20240101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 "
                "Credential=bench/20240101/us-east-1/dynamodb/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" +
                std::string(64, '0') + "\r\nContent-Length: ";
    }

    // The whole request number `n` of connection `conn` into `out` (replaced).
    void render(unsigned conn, std::uint64_t n, std::string& out) const {
        std::string key;
        if (body_parts_.size() > 1)
            key = "b" + std::to_string(conn) + "-" + std::to_string(n);
        std::size_t length = key.size() * (body_parts_.size() - 1);
        for (const auto& p : body_parts_) length += p.size();
        out.assign(head_);
        out += std::to_string(length);
        out += "\r\n\r\n";
        for (std::size_t i = 0; i < body_parts_.size(); ++i) {
            if (i > 0)
                out += key;
            out += body_parts_[i];
        }
    }

private:
    std::string head_;
    std::vector<std::string> body_parts_;
};

std::string operation_of(const std::string& workload) {
    if (workload == "put")
        return "PutItem";
    if (workload == "query")
        return "Query";
    return "GetItem";
}

struct shared_state {
    settings s;
    steady::time_point deadline;
    std::atomic<std::uint64_t> issued{0};
    std::mutex mu;
    std::vector<std::uint32_t> latencies_us;
    std::map<std::string, std::uint64_t> errors;
    std::uint64_t ok = 0;
};

// The error's name from an AWS JSON error body ("...#ValidationException" -> the part after '#').
std::string error_type(const std::string& body) {
    auto doc = json::parse(body, nullptr, false);
    std::string type = doc.is_object() ? doc.value("__type", "") : "";
    if (auto h = type.rfind('#'); h != std::string::npos)
        type = type.substr(h + 1);
    return type;
}

// One keep-alive connection of the load loop: sends a request, reads its answer, repeats.
struct load_connection {
    unsigned id = 0;
    int fd = -1;
    std::uint64_t sent = 0;
    std::string out;
    std::size_t out_at = 0;
    steady::time_point t0;
    esser::emulator::http_response_reader reader;
};

// Opens a blocking TCP connection with Nagle off, then makes it non-blocking.
int connect_to(const endpoint& ep, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(ep.host.c_str(), ep.port.c_str(), &hints, &found); rc != 0) {
        error = std::string("resolve: ") + ::gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (auto* a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            error = std::string("connect: ") + std::strerror(errno);
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd >= 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return fd;
}

// The load of one thread: its connections on one epoll set, each with one request in flight.
// Plain non-blocking sockets and http_response_reader keep the client's own cost per request
// small: on a shared machine every microsecond the client spends is taken from the server.
void run_load(shared_state& st, std::vector<unsigned> ids) {
    const std::string op = operation_of(st.s.workload);
    const request_template tmpl(st.s, op);
    std::vector<std::uint32_t> lat;
    lat.reserve(1 << 16);
    std::map<std::string, std::uint64_t> errors;
    std::uint64_t ok = 0;
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<std::unique_ptr<load_connection>> conns;
    std::size_t open = 0;
    auto close_conn = [&](load_connection& c) {
        if (c.fd >= 0) {
            ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
            c.fd = -1;
            --open;
        }
    };
    // Writes what is left of c.out; false when the connection failed.
    auto flush = [&](load_connection& c) {
        while (c.out_at < c.out.size()) {
            const auto n =
                ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) {
                epoll_event ev{EPOLLIN | EPOLLOUT, {.ptr = &c}};
                ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
                return true;
            }
            if (n < 0) {
                ++errors[std::string("write: ") + std::strerror(errno)];
                return false;
            }
            c.out_at += static_cast<std::size_t>(n);
        }
        return true;
    };
    // Sends the connection's next request, or closes it when the run is over.
    auto next = [&](load_connection& c) {
        if (steady::now() >= st.deadline || st.issued.fetch_add(1) >= st.s.max_requests) {
            close_conn(c);
            return;
        }
        tmpl.render(c.id, c.sent++, c.out);
        c.out_at = 0;
        c.reader.expect(esser::emulator::http_response_reader::body_mode::keep_errors);
        c.t0 = steady::now();
        if (!flush(c))
            close_conn(c);
    };
    for (unsigned id : ids) {
        std::string error;
        auto c = std::make_unique<load_connection>();
        c->id = id;
        c->fd = connect_to(st.s.ep, error);
        if (c->fd < 0) {
            ++errors[error];
            continue;
        }
        epoll_event ev{EPOLLIN, {.ptr = c.get()}};
        ::epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        ++open;
        conns.push_back(std::move(c));
    }
    for (auto& c : conns) next(*c);

    // Answers still in flight at the deadline are awaited, for at most 10 s more.
    const auto hard_stop = st.deadline + std::chrono::seconds(10);
    std::vector<epoll_event> events(std::max<std::size_t>(conns.size(), 1));
    std::vector<char> buf(256 * 1024);
    while (open > 0 && steady::now() < hard_stop) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
        for (int i = 0; i < n; ++i) {
            auto& c = *static_cast<load_connection*>(events[i].data.ptr);
            if (c.fd < 0)
                continue;
            if (events[i].events & EPOLLOUT) {
                if (!flush(c)) {
                    close_conn(c);
                    continue;
                }
                if (c.out_at == c.out.size()) {
                    epoll_event ev{EPOLLIN, {.ptr = &c}};
                    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
                }
            }
            if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            for (;;) {
                const auto got = ::recv(c.fd, buf.data(), buf.size(), 0);
                if (got < 0 && errno == EAGAIN)
                    break;
                auto state =
                    got > 0 ? c.reader.feed(std::string_view(buf.data(), got)) : c.reader.finish();
                if (got > 0 && state == esser::emulator::http_response_reader::state::done &&
                    c.reader.consumed() != static_cast<std::size_t>(got))
                    state = esser::emulator::http_response_reader::state::failed;  // unasked bytes
                if (state == esser::emulator::http_response_reader::state::reading)
                    continue;
                if (got < 0)
                    ++errors[std::string("read: ") + std::strerror(errno)];
                else if (state == esser::emulator::http_response_reader::state::failed)
                    ++errors["read: " + (c.reader.error().empty()
                                             ? std::string("bytes after the response")
                                             : c.reader.error())];
                if (state != esser::emulator::http_response_reader::state::done) {
                    close_conn(c);
                    break;
                }
                lat.push_back(static_cast<std::uint32_t>(
                    std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - c.t0)
                        .count()));
                if (c.reader.status() == 200) {
                    ++ok;
                } else {
                    ++errors[std::to_string(c.reader.status()) + " " + error_type(c.reader.body())];
                }
                if (!c.reader.keep_alive()) {
                    close_conn(c);
                    break;
                }
                next(c);
                break;
            }
        }
    }
    for (auto& c : conns) close_conn(*c);
    ::close(ep);
    std::lock_guard lock(st.mu);
    st.latencies_us.insert(st.latencies_us.end(), lat.begin(), lat.end());
    for (auto& [k, v] : errors) st.errors[k] += v;
    st.ok += ok;
}

// One synchronous call for setup.
json call(const endpoint& ep, const std::string& op, const json& body, int* status = nullptr) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(ep.host, ep.port));
    auto req = make_request(ep, op, body.dump());
    http::write(stream, req);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(stream, b, res);
    if (status)
        *status = res.result_int();
    return json::parse(res.body(), nullptr, false);
}

bool setup(const settings& s) {
    int status = 0;
    call(s.ep, "CreateTable",
         {{"TableName", s.table},
          {"AttributeDefinitions",
           {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
            {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
          {"KeySchema",
           {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
            {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
          {"BillingMode", "PAY_PER_REQUEST"}},
         &status);
    for (int i = 0; i < 200; ++i) {  // wait until ACTIVE (dynalite takes a moment)
        auto d = call(s.ep, "DescribeTable", {{"TableName", s.table}}, &status);
        if (status == 200 && d["Table"]["TableStatus"] == "ACTIVE")
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (s.workload == "query" || s.workload == "get") {
        for (int v = 1; v <= 100; ++v) {
            call(s.ep, "PutItem", {{"TableName", s.table}, {"Item", event_item("Item#query", v)}},
                 &status);
            if (status != 200) {
                std::cerr << "esser-bench: preloading failed with HTTP " << status << "\n";
                return false;
            }
        }
    }
    return true;
}

double percentile(const std::vector<std::uint32_t>& sorted, double p) {
    if (sorted.empty())
        return 0;
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(idx, sorted.size() - 1)] / 1000.0;
}

int run(const settings& s) {
    try {
        if (!setup(s))
            return 1;
    } catch (const std::exception& e) {
        std::cerr << "esser-bench: cannot reach " << s.ep.host << ":" << s.ep.port << ": "
                  << e.what() << "\n";
        return 1;
    }
    auto st = std::make_shared<shared_state>();
    st->s = s;
    const auto start = steady::now();
    st->deadline = start + s.duration;
    const unsigned threads = std::min(s.threads, s.connections);
    std::vector<std::vector<unsigned>> share(threads);
    for (unsigned c = 0; c < s.connections; ++c) share[c % threads].push_back(c);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t)
        workers.emplace_back([&, t] { run_load(*st, share[t]); });
    run_load(*st, share[0]);
    for (auto& t : workers) t.join();
    const double secs = std::chrono::duration<double>(steady::now() - start).count();
    auto& lat = st->latencies_us;
    std::sort(lat.begin(), lat.end());
    std::uint64_t errors = 0;
    json err = json::object();
    for (auto& [k, v] : st->errors) {
        errors += v;
        err[k] = v;
    }
    const double rps = static_cast<double>(lat.size()) / secs;
    json out = {{"endpoint", s.ep.host + ":" + s.ep.port},
                {"workload", s.workload},
                {"operation", operation_of(s.workload)},
                {"connections", s.connections},
                {"seconds", secs},
                {"requests", lat.size()},
                {"ok", st->ok},
                {"errors", err},
                {"req_per_s", rps},
                {"latency_ms",
                 {{"p50", percentile(lat, 0.50)},
                  {"p90", percentile(lat, 0.90)},
                  {"p99", percentile(lat, 0.99)},
                  {"max", lat.empty() ? 0.0 : lat.back() / 1000.0}}}};
    std::printf(
        "%-10s %-8s %5u conns %9.0f req/s  p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  "
        "ok %llu  errors %llu\n",
        s.workload.c_str(), operation_of(s.workload).c_str(), s.connections, rps,
        percentile(lat, 0.5), percentile(lat, 0.9), percentile(lat, 0.99),
        static_cast<unsigned long long>(st->ok), static_cast<unsigned long long>(errors));
    std::cout << out.dump() << "\n";
    return st->ok > 0 ? 0 : 1;
}

int null_server(std::uint16_t port, unsigned threads) {
    using namespace esser::emulator;
    auto routes = std::make_shared<router>();
    routes->fallback([](http_request, responder res) {
        http_response r;
        r.body = "{}";
        r.headers.set("Content-Type", "application/x-amz-json-1.0");
        r.headers.set("x-amz-crc32", std::to_string(crc32_of(r.body)));
        r.headers.set("x-amzn-RequestId", std::string(52, 'A'));
        res.send(std::move(r));
    });
    http_server_options o;
    o.port = port;
    o.threads = threads;
    o.name = "null";
    auto server = http_server::start(o, routes);
    if (!server) {
        std::cerr << "esser-bench null-server: " << server.error().message << "\n";
        return 3;
    }
    std::cout << "null server listening on " << (*server)->url() << std::endl;
    wait_for_stop_signal();
    (*server)->stop();
    return 0;
}

// Milliseconds from exec to the first answered request on `ep` (GET /, any status).
int startup(const endpoint& ep, std::vector<char*> argv) {
    argv.push_back(nullptr);
    const auto t0 = steady::now();
    const pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv.data());
        _exit(127);
    }
    double ms = -1;
    for (int i = 0; i < 20000; ++i) {  // at most ~10 s
        try {
            net::io_context ioc;
            tcp::resolver resolver(ioc);
            beast::tcp_stream stream(ioc);
            stream.connect(resolver.resolve(ep.host, ep.port));
            http::request<http::empty_body> req{http::verb::get, "/", 11};
            req.set(http::field::host, ep.host);
            http::write(stream, req);
            beast::flat_buffer b;
            http::response<http::string_body> res;
            http::read(stream, b, res);
            ms = std::chrono::duration<double, std::milli>(steady::now() - t0).count();
            break;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    }
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    if (ms < 0) {
        std::cerr << "esser-bench startup: no answer within 10 s\n";
        return 1;
    }
    std::printf("first answer after %.1f ms\n", ms);
    std::cout << json{{"startup_ms", ms}, {"command", argv[0]}}.dump() << "\n";
    return 0;
}

void usage() {
    std::cerr
        << "usage:\n"
           "  esser-bench run [--endpoint URL] [--workload put|query|get] [--connections N]\n"
           "                  [--duration D] [--max-requests N] [--table T] [--threads N]\n"
           "  esser-bench null-server [--port N] [--threads N]\n"
           "  esser-bench startup [--endpoint URL] -- CMD [ARGS...]\n"
           "Defaults: --endpoint http://127.0.0.1:8000 --workload put --connections 64\n"
           "          --duration 10s --max-requests 5000000 --table esser_bench --threads 1\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    const std::string mode = argv[1];
    settings s;
    std::uint16_t port = 8001;
    std::vector<char*> command;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "esser-bench: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        try {
            if (a == "--") {
                for (++i; i < argc; ++i) command.push_back(argv[i]);
            } else if (a == "--endpoint") {
                if (!parse_endpoint(next(), s.ep))
                    throw std::invalid_argument("bad endpoint");
            } else if (a == "--workload") {
                s.workload = next();
                if (s.workload != "put" && s.workload != "query" && s.workload != "get")
                    throw std::invalid_argument("workload must be put, query or get");
            } else if (a == "--connections") {
                s.connections = static_cast<unsigned>(std::stoul(next()));
                if (s.connections == 0 || s.connections > 10000)
                    throw std::invalid_argument("connections: 1..10000");
            } else if (a == "--duration") {
                auto d = esser::core::parse_duration(next());
                if (!d)
                    throw std::invalid_argument(d.error().message);
                s.duration = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
            } else if (a == "--max-requests") {
                s.max_requests = std::stoull(next());
            } else if (a == "--table") {
                s.table = next();
            } else if (a == "--threads") {
                s.threads = std::max(1u, static_cast<unsigned>(std::stoul(next())));
            } else if (a == "--port") {
                port = static_cast<std::uint16_t>(std::stoul(next()));
            } else if (a == "-h" || a == "--help") {
                usage();
                return 0;
            } else {
                throw std::invalid_argument("unknown option " + a);
            }
        } catch (const std::exception& e) {
            std::cerr << "esser-bench: " << e.what() << "\n";
            usage();
            return 2;
        }
    }
    if (mode == "run")
        return run(s);
    if (mode == "null-server")
        return null_server(port, s.threads);
    if (mode == "startup" && !command.empty())
        return startup(s.ep, command);
    usage();
    return 2;
}

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
// Keep-alive connections, each sending its next request when the previous answer arrived.
// Bounded: stops at --duration or --max-requests, whichever comes first. Prints a table and a
// JSON line: requests, errors (by __type), req/s, latency p50/p90/p99/max in ms.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esser/core/clock.hpp"
#include "esser/emulator/http/aws_wire.hpp"
#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/http/stop_signal.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

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

std::string request_body(const settings& s, unsigned conn, std::uint64_t n) {
    if (s.workload == "put") {
        return json{
            {"TableName", s.table},
            {"Item", event_item("Item#b" + std::to_string(conn) + "-" + std::to_string(n), 1)},
            {"ConditionExpression", "attribute_not_exists(pk)"}}
            .dump();
    }
    if (s.workload == "query") {
        return json{{"TableName", s.table},
                    {"KeyConditionExpression", "pk = :p"},
                    {"ExpressionAttributeValues", {{":p", {{"S", "Item#query"}}}}}}
            .dump();
    }
    return json{{"TableName", s.table},
                {"Key", {{"pk", {{"S", "Item#query"}}}, {"v", {{"N", "50"}}}}}}
        .dump();
}

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

net::awaitable<void> run_connection(std::shared_ptr<shared_state> st, unsigned conn) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    beast::tcp_stream stream(ex);
    auto [rec, results] =
        co_await resolver.async_resolve(st->s.ep.host, st->s.ep.port, use_nothrow);
    if (rec)
        co_return;
    auto [cec, ep] = co_await stream.async_connect(results, use_nothrow);
    if (cec) {
        std::lock_guard lock(st->mu);
        ++st->errors["connect: " + cec.message()];
        co_return;
    }
    stream.socket().set_option(tcp::no_delay(true));
    beast::flat_buffer buffer;
    std::vector<std::uint32_t> lat;
    lat.reserve(1 << 16);
    std::map<std::string, std::uint64_t> errors;
    std::uint64_t ok = 0;
    const std::string op = operation_of(st->s.workload);
    for (std::uint64_t i = 0;; ++i) {
        if (steady::now() >= st->deadline)
            break;
        if (st->issued.fetch_add(1) >= st->s.max_requests)
            break;
        auto req = make_request(st->s.ep, op, request_body(st->s, conn, i));
        const auto t0 = steady::now();
        auto [wec, wn] = co_await http::async_write(stream, req, use_nothrow);
        if (wec) {
            ++errors["write: " + wec.message()];
            break;
        }
        http::response<http::string_body> res;
        auto [ec, n] = co_await http::async_read(stream, buffer, res, use_nothrow);
        if (ec) {
            ++errors["read: " + ec.message()];
            break;
        }
        lat.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t0).count()));
        if (res.result_int() == 200) {
            ++ok;
        } else {
            auto body = json::parse(res.body(), nullptr, false);
            std::string type = body.is_object() ? body.value("__type", "") : "";
            if (auto h = type.rfind('#'); h != std::string::npos)
                type = type.substr(h + 1);
            ++errors[std::to_string(res.result_int()) + " " + type];
        }
        if (!res.keep_alive())
            break;
    }
    std::lock_guard lock(st->mu);
    st->latencies_us.insert(st->latencies_us.end(), lat.begin(), lat.end());
    for (auto& [k, v] : errors) st->errors[k] += v;
    st->ok += ok;
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
    net::io_context ioc(static_cast<int>(s.threads));
    const auto start = steady::now();
    st->deadline = start + s.duration;
    for (unsigned c = 0; c < s.connections; ++c)
        net::co_spawn(net::make_strand(ioc), run_connection(st, c), net::detached);
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < s.threads; ++t) threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
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

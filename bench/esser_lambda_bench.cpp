// Issue 10 "Speed": command handling through esser-lambda on esser-local over HTTP. esser-local
// (in this process: the same local_server `serve` runs, verifying SigV4 with --credentials)
// runs the real esser-lambda executable as the shop domain's command function through its
// Runtime API; esser-lambda writes the events over HTTP + SigV4 to esser-local's DynamoDB. The
// client sends Lambda Invoke requests (signed, keep-alive) with one CreateItem command each, on
// a fresh aggregate id, and waits for the answer.
//
// Reported per client count (1, then 4 concurrent clients against a function allowed 4
// instances): commands/s (wall time: several processes take part) and the p50/p99 latency of
// one command, Invoke sent to answer received. Seven runs of N commands after a warm-up; the
// median run's figures.
//
//   build/release/bench/bench-esser-lambda [commands-per-run]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench_util.hpp"

#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/adapters/http/http_client.hpp"
#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/app/local_server.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"

using namespace esser;
using esser::bench::steady;
using nlohmann::json;

namespace {

const adapters::credentials key{"AKIDBENCH", "bench-secret", ""};

struct run_figures {
    double rate = 0;  // commands/s
    double p50_us = 0, p99_us = 0;
    long failures = 0;
};

// Sends `n` CreateItem commands on one keep-alive connection; latencies (µs) appended to `us`.
long client(const std::string& url, const std::string& prefix, long n, std::vector<double>& us) {
    auto origin = adapters::url::parse(url);
    auto http = adapters::http_client::create(*origin);
    if (!http) {
        std::fprintf(stderr, "client: %s\n", http.error().message.c_str());
        std::exit(1);
    }
    adapters::sigv4_signer signer("us-east-1", "lambda");
    long failures = 0;
    for (long i = 0; i < n; ++i) {
        adapters::http_request req;
        req.target = "/2015-03-31/functions/shop-command/invocations";
        req.headers.set("Host", origin->host_header());
        req.headers.set("Content-Type", "application/json");
        req.body = json{{"entity", "Item"},
                        {"command", "CreateItem"},
                        {"id", prefix + std::to_string(i)},
                        {"data", {{"name", "bench"}, {"price", 1.5}}}}
                       .dump();
        const auto t0 = steady::now();
        signer.sign(req, key, std::chrono::system_clock::now());
        auto res = (*http)->send(std::move(req));
        us.push_back(std::chrono::duration<double, std::micro>(steady::now() - t0).count());
        if (!res || res->status != 200 || res->headers.find("X-Amz-Function-Error"))
            ++failures;
    }
    return failures;
}

run_figures run(const std::string& url, int clients, long n, const std::string& tag) {
    std::vector<std::vector<double>> per(static_cast<std::size_t>(clients));
    std::atomic<long> failures{0};
    const auto t0 = steady::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            failures += client(url, tag + "-" + std::to_string(c) + "-", n / clients,
                               per[static_cast<std::size_t>(c)]);
        });
    }
    for (auto& t : threads) t.join();
    const double wall = bench::seconds_since(t0);
    std::vector<double> all;
    for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    auto at = [&](double q) { return all[std::min(all.size() - 1, std::size_t(q * all.size()))]; };
    return {double(all.size()) / wall, at(0.50), at(0.99), failures.load()};
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 400;
    const emulator::cli::command_spec spec = emulator::serve_command().spec;
    auto parsed = emulator::cli::parse(
        spec, std::vector<std::string>{"--port", "0", "--threads", "2", "--credentials",
                                       key.access_key_id + ":" + key.secret_access_key});
    auto settings = emulator::serve_settings_from(*parsed);
    auto server = emulator::local_server::start(std::move(*settings),
                                                std::make_shared<core::null_log_sink>());
    if (!server) {
        std::fprintf(stderr, "esser-local: %s\n", server.error().message.c_str());
        return 1;
    }
    const std::string url = (*server)->url();
    emulator::function_config c;
    c.name = "shop-command";
    c.kind = emulator::function_kind::executable;
    c.command = {ESSER_LAMBDA_PATH};
    c.handler = "command";
    c.max_concurrency = 4;
    c.timeout = std::chrono::seconds(30);
    c.environment = {
        {"ESSER_DOMAIN_FILE", std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json"},
        {"ESSER_LOG_LEVEL", "error"}};
    if (auto made = (*server)->environment().lambda().create_function(c); !made) {
        std::fprintf(stderr, "create_function: %s\n", made.error().message.c_str());
        return 1;
    }

    bench::report rep("esser-lambda");
    long failures = 0;
    for (int clients : {1, 4}) {
        // Warm-up: starts the runtime instances and fills the connection pools.
        failures += run(url, clients, 40L * clients, "warm" + std::to_string(clients)).failures;
        std::vector<run_figures> runs;
        for (int r = 0; r < 7; ++r) {
            runs.push_back(run(url, clients, n, fmt::format("c{}r{}", clients, r)));
            failures += runs.back().failures;
        }
        std::vector<double> rates, p50, p99;
        for (const auto& f : runs) {
            rates.push_back(f.rate);
            p50.push_back(f.p50_us);
            p99.push_back(f.p99_us);
        }
        const std::string who = fmt::format("{} client{}", clients, clients > 1 ? "s" : "");
        rep.add("CreateItem via Invoke, esser-lambda, " + who, "commands/s", 0, rates, "wall time");
        rep.add("  latency p50, " + who, "us", 0, p50, "lower is better");
        rep.add("  latency p99, " + who, "us", 0, p99, "lower is better");
    }
    rep.print();
    (*server)->stop();
    if (failures) {
        std::fprintf(stderr, "%ld commands failed\n", failures);
        return 1;
    }
    return 0;
}

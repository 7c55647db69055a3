// Issue 5 "Functions": warm invoke latency of an executable function -- a C++ custom runtime in
// its own process, reached through the Lambda Runtime API 2018-06-01 (GET /next, POST
// /response over keep-alive HTTP on 127.0.0.1) -- and, for comparison, of an in-process
// function. Latency = lambda_function::invoke() call to return, on the caller's thread, with a
// small JSON event (~100 bytes) and the runtime echoing it back with its metadata.
//
// Seven runs of N invokes after a warm-up; for each run p50/p99/p99.9 of the individual
// latencies; the median run's figures are reported.
//
//   build/release/bench/bench-lambda-invoke [invokes-per-run]
// The runtime is bench/esser-bench-runtime (tests/emulator/lambda/support/test_runtime.cpp),
// found next to this binary.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include <unistd.h>

#include "esser/emulator/lambda/in_process_function.hpp"
#include "esser/emulator/lambda/runtime_function.hpp"

using namespace esser::emulator;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

using esser::bench::latency;
using esser::bench::median_run;

latency measure(lambda_function& fn, const invocation& inv, long n, long* failures) {
    return esser::bench::measure_latency(
        n, [&] { return fn.invoke(inv).status == invoke_status::success; }, failures);
}

std::string runtime_path() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return (self.parent_path() / "esser-bench-runtime").string();
}

}  // namespace

int main(int argc, char** argv) {
    const long per_run = argc > 1 ? std::atol(argv[1]) : 5000;
    constexpr int runs = 7;

    invocation inv;
    inv.payload = json{{"action", "echo"},
                       {"order", {{"id", "4f1c2a9e-6a7b-4c1d"}, {"items", 3}, {"total", "19.90"}}}};
    // Filled once so the loop measures the invoke path, not id generation.
    inv.request_id = "bench-0000-4000-8000-000000000000";
    inv.invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench";
    inv.trace_id = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0";

    function_config cfg;
    cfg.name = "bench";
    cfg.kind = function_kind::executable;
    cfg.command = {runtime_path()};
    cfg.timeout = std::chrono::seconds(10);
    cfg.max_concurrency = 1;
    auto log = std::make_shared<function_log>(64 * 1024);
    runtime_function_options ro;
    ro.log = log;
    runtime_function exe(cfg, ro);

    long failures = 0;
    measure(exe, inv, 200, &failures);  // cold start + warm-up
    if (failures != 0) {
        std::fprintf(stderr, "bench-lambda-invoke: the runtime at %s does not answer:\n%s\n",
                     cfg.command[0].c_str(), log->text().c_str());
        return 1;
    }
    std::vector<latency> exe_runs;
    for (int i = 0; i < runs; ++i) exe_runs.push_back(measure(exe, inv, per_run, &failures));

    function_config ip_cfg;
    ip_cfg.name = "bench-in-process";
    in_process_function in_proc(
        ip_cfg, [](const json& e, in_process_context&) -> esser::core::result<json> {
            return json{{"echo", e}};
        });
    measure(in_proc, inv, 1000, &failures);
    std::vector<latency> ip_runs;
    for (int i = 0; i < runs; ++i) ip_runs.push_back(measure(in_proc, inv, per_run, &failures));

    const auto e = median_run(exe_runs);
    const auto p = median_run(ip_runs);
    std::printf("%-44s %10s %10s %10s %10s\n", "warm invoke latency (median of 7 runs)", "p50 us",
                "p99 us", "p99.9 us", "mean us");
    std::printf("%-44s %10.1f %10.1f %10.1f %10.1f\n", "executable (C++ runtime, Runtime API)",
                e.p50_us, e.p99_us, e.p999_us, e.mean_us);
    std::printf("%-44s %10.2f %10.2f %10.2f %10.2f\n", "in-process handler", p.p50_us, p.p99_us,
                p.p999_us, p.mean_us);
    std::printf(
        "{\"benchmark\":\"lambda-invoke\",\"runs\":%d,\"invokes_per_run\":%ld,"
        "\"executable_p50_us\":%.1f,\"executable_p99_us\":%.1f,\"executable_p999_us\":%.1f,"
        "\"in_process_p50_us\":%.2f,\"in_process_p99_us\":%.2f,\"failures\":%ld}\n",
        runs, per_run, e.p50_us, e.p99_us, e.p999_us, p.p50_us, p.p99_us, failures);
    return failures == 0 ? 0 : 1;
}

// Issue 13 "Speed": zip functions through the runtime shims, in-process lambda_service (no HTTP
// front): warm invoke latency of a Python handler through the python3.x shim (p50/p99, median
// of 7 runs), the same for a Node handler through the nodejs20.x shim, and the cold start of
// each shim (the first invoke on a new instance: process start, interpreter start, handler
// import, first /next, the invoke itself; median of 15).
//
// Latency = lambda_service::invoke() call to return on the caller's thread with a ~100-byte
// JSON event and a handler returning a small object. SAM local takes about a second per invoke
// (a container per invoke); the target is single-digit milliseconds warm.
//
//   build/release/bench/bench-lambda-zip [invokes-per-run]
// The shims are found like esser-local finds them (ESSER_RUNTIME_DIR, installed, source tree).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "emulator/lambda/support/zip_writer.hpp"

#include "esser/emulator/lambda/lambda_service.hpp"

using namespace esser::emulator;
using nlohmann::json;

namespace {

namespace bench = esser::bench;

double elapsed_us(bench::steady::time_point t0) {
    return std::chrono::duration<double, std::micro>(bench::steady::now() - t0).count();
}

bench::latency measure(lambda_service& s, const invoke_request& req, long n, long* failures) {
    return bench::measure_latency(
        n,
        [&] {
            auto r = s.invoke(req);
            return r && r->result.status == invoke_status::success;
        },
        failures);
}

// Cold start: each round changes the configuration (a new version: new instances), then times
// the first invoke.
double cold_start_ms(lambda_service& s, const std::string& name, const invoke_request& req,
                     int rounds, long* failures) {
    std::vector<double> ms;
    for (int i = 0; i < rounds; ++i) {
        auto updated = s.update_function_configuration(name, [i](function_config& c) {
            c.environment["ROUND"] = std::to_string(i);
            return esser::core::result<void>{};
        });
        if (!updated) {
            ++*failures;
            continue;
        }
        const auto t0 = bench::steady::now();
        auto r = s.invoke(req);
        ms.push_back(elapsed_us(t0) / 1000.0);
        if (!r || r->result.status != invoke_status::success)
            ++*failures;
    }
    return bench::median(ms);
}

}  // namespace

int main(int argc, char** argv) {
    const long per_run = argc > 1 ? std::atol(argv[1]) : 2000;
    constexpr int runs = 7;
    constexpr int cold_rounds = 15;

    lambda_service_options o;
    lambda_service s(o);
    function_config py;
    py.name = "bench-python";
    py.runtime = "python3.11";
    py.handler = "app.handler";
    py.timeout = std::chrono::seconds(10);
    py.max_concurrency = 1;
    auto created = s.create_zip_function(
        py, esser::test::zip_writer()
                .file("app.py",
                      "def handler(event, context):\n"
                      "    return {'ok': True, 'id': context.aws_request_id, 'n': len(event)}\n")
                .bytes());
    if (!created) {
        std::fprintf(stderr, "bench-lambda-zip: %s\n", created.error().message.c_str());
        return 1;
    }
    function_config node = py;
    node.name = "bench-node";
    node.runtime = "nodejs20.x";
    node.handler = "index.handler";
    auto node_created = s.create_zip_function(
        node,
        esser::test::zip_writer()
            .file("index.js",
                  "exports.handler = async (event, context) =>\n"
                  "  ({ ok: true, id: context.awsRequestId, n: Object.keys(event).length });\n")
            .bytes());
    if (!node_created) {
        std::fprintf(stderr, "bench-lambda-zip: %s\n", node_created.error().message.c_str());
        return 1;
    }

    invoke_request req;
    req.payload = json{{"action", "echo"},
                       {"order", {{"id", "4f1c2a9e-6a7b-4c1d"}, {"items", 3}, {"total", "19.90"}}}}
                      .dump();
    long failures = 0;
    std::vector<bench::latency> py_runs, node_runs;
    req.function_name = py.name;
    measure(s, req, 200, &failures);  // cold start + warm-up
    if (failures != 0) {
        std::fprintf(stderr, "bench-lambda-zip: the python function fails:\n%s\n",
                     s.function_log_text(py.name)->c_str());
        return 1;
    }
    for (int i = 0; i < runs; ++i) py_runs.push_back(measure(s, req, per_run, &failures));
    const double py_cold = cold_start_ms(s, py.name, req, cold_rounds, &failures);

    req.function_name = node.name;
    measure(s, req, 200, &failures);
    for (int i = 0; i < runs; ++i) node_runs.push_back(measure(s, req, per_run, &failures));
    const double node_cold = cold_start_ms(s, node.name, req, cold_rounds, &failures);

    const auto p = bench::median_run(py_runs);
    const auto n = bench::median_run(node_runs);
    std::printf("%-46s %10s %10s %10s %14s\n", "zip function invoke (median of runs)", "p50 us",
                "p99 us", "mean us", "cold start ms");
    std::printf("%-46s %10.1f %10.1f %10.1f %14.1f\n", "python3.11 shim (python3 -u bootstrap.py)",
                p.p50_us, p.p99_us, p.mean_us, py_cold);
    std::printf("%-46s %10.1f %10.1f %10.1f %14.1f\n", "nodejs20.x shim (node bootstrap.js)",
                n.p50_us, n.p99_us, n.mean_us, node_cold);
    std::printf(
        "{\"benchmark\":\"lambda-zip\",\"runs\":%d,\"invokes_per_run\":%ld,"
        "\"python_warm_p50_us\":%.1f,\"python_warm_p99_us\":%.1f,\"python_cold_start_ms\":%.1f,"
        "\"node_warm_p50_us\":%.1f,\"node_warm_p99_us\":%.1f,\"node_cold_start_ms\":%.1f,"
        "\"failures\":%ld}\n",
        runs, per_run, p.p50_us, p.p99_us, py_cold, n.p50_us, n.p99_us, node_cold, failures);
    return failures == 0 ? 0 : 1;
}

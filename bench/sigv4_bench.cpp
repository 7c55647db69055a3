// Issue 10: SigV4 signing throughput (target: >= 200,000 signatures/s on one core) and, for
// esser-local's --credentials, verification throughput.
//
// The request is what http_transport signs for a typical event append: a conditional PutItem of
// ~400 bytes with Host, Content-Type, X-Amz-Target, amz-sdk-request and a session token (as in
// Lambda). Each iteration copies the unsigned request and signs it (the transport builds a fresh
// request per attempt). Seven runs of 200,000 signatures; the median run is reported, as
// operations per second of wall-clock time and per second of this thread's CPU time (the two
// agree on an idle machine; on a shared one the CPU-time rate is the single-core throughput).
//
//   build/release/bench/bench-sigv4 [signatures-per-run]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/adapters/aws/sigv4_verifier.hpp"

using namespace esser::adapters;
using steady = std::chrono::steady_clock;

namespace {

http_request put_item() {
    http_request r;
    r.headers = {{"Host", "dynamodb.eu-west-1.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "DynamoDB_20120810.PutItem"},
                 {"User-Agent", "esser/0.1"},
                 {"amz-sdk-request", "attempt=1; max=3"}};
    r.body =
        R"j({"TableName":"events","Item":{"pk":{"S":"Basket#4f1c2a9e-6a7b-4c1d-9e8f-0a1b2c3d4e5f"},)j"
        R"j("v":{"N":"17"},"entity":{"S":"Basket"},"id":{"S":"4f1c2a9e-6a7b-4c1d-9e8f-0a1b2c3d4e5f"},)j"
        R"j("type":{"S":"ItemAdded"},"data":{"M":{"item":{"S":"Item#42"},"quantity":{"N":"2"}}},)j"
        R"j("meta":{"M":{"event_id":{"S":"01HQ7Z9K3M8N2P4R6T8V0X2Z4B"},"command_id":{"S":"c-1"}}},)j"
        R"j("at":{"S":"2024-03-01T12:00:00.000Z"}},"ConditionExpression":"attribute_not_exists(pk)"})j";
    return r;
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct rates {
    std::vector<double> wall, cpu;
};

template <class F>
void measure(rates& r, long n, F&& body) {
    const auto t0 = steady::now();
    const double c0 = thread_cpu_seconds();
    for (long i = 0; i < n; ++i) body();
    const double c = thread_cpu_seconds() - c0;
    const double w = std::chrono::duration<double>(steady::now() - t0).count();
    r.wall.push_back(double(n) / w);
    r.cpu.push_back(double(n) / c);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const long per_run = argc > 1 ? std::atol(argv[1]) : 200000;
    constexpr int runs = 7;
    const credentials creds{"ASIAEXAMPLEEXAMPLE12", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            std::string(600, 'T')};  // Lambda session tokens are ~600-1000 bytes
    const sigv4_signer signer("eu-west-1", "dynamodb");
    const http_request unsigned_request = put_item();
    const auto now = esser::core::system_clock().now();

    rates sign, verify;
    std::size_t sink = 0;
    http_request signed_request = unsigned_request;
    signer.sign(signed_request, creds, now);
    const auto lookup = [&](std::string_view) -> std::optional<credentials> { return creds; };

    for (int run = 0; run < runs; ++run) {
        measure(sign, per_run, [&] {
            http_request r = unsigned_request;
            sink += signer.sign(r, creds, now).signature.size();
        });
        measure(verify, per_run / 4,
                [&] { sink += verify_sigv4(signed_request, lookup, now).has_value(); });
    }
    const double sign_cpu = median(sign.cpu), sign_wall = median(sign.wall);
    const double verify_cpu = median(verify.cpu), verify_wall = median(verify.wall);
    std::printf("%-38s %16s %16s\n", "benchmark (median of 7 runs)", "per CPU-second",
                "per wall-second");
    std::printf("%-38s %16.0f %16.0f\n", "sigv4 sign (PutItem, session token)", sign_cpu,
                sign_wall);
    std::printf("%-38s %16.0f %16.0f\n", "sigv4 verify (same request)", verify_cpu, verify_wall);
    std::printf(
        "{\"benchmark\":\"sigv4\",\"runs\":%d,\"signatures_per_run\":%ld,"
        "\"sign_per_cpu_s_median\":%.0f,\"sign_per_wall_s_median\":%.0f,"
        "\"verify_per_cpu_s_median\":%.0f,\"verify_per_wall_s_median\":%.0f,"
        "\"target_sign_per_s\":200000,\"meets_target\":%s,\"checksum\":%zu}\n",
        runs, per_run, sign_cpu, sign_wall, verify_cpu, verify_wall,
        sign_cpu >= 200000 ? "true" : "false", sink);
    return 0;
}

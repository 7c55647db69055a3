#pragma once
// Small helpers every benchmark uses: repeat a measurement, take medians, print a readable table
// and a one-line JSON summary (what scripts/run-bench.sh collects and issue notes quote).
//
//   esser::bench::report rep("core");
//   rep.add("fold, built-in reducers", "events/s", 1e6, esser::bench::repeat(5, [&] {
//       ... do N things, return N / seconds ...
//   }));
//   rep.print();   // table on stdout, then: BENCH_JSON {"bench":"core","results":[...]}
//
// Rates are "higher is better"; a target of 0 means none. Missing a target is reported in the
// table and the JSON ("met": false); the exit code stays 0 so every benchmark runs.
//
// Time is the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: targets are
// "per core", and build machines run other jobs beside the benchmark. Single-threaded
// benchmarks use cpu_timer; multi-threaded ones measure wall time themselves and say so.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <time.h>

namespace esser::bench {

// CPU time of the calling thread, in seconds.
inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall-clock time, for multi-threaded benchmarks and for reporting wall rates beside CPU rates.
using steady = std::chrono::steady_clock;

inline double seconds_since(steady::time_point t0) {
    return std::chrono::duration<double>(steady::now() - t0).count();
}

// Measures the calling thread's CPU time since construction (or restart()).
class cpu_timer {
public:
    cpu_timer() : t0_(thread_cpu_seconds()) {}

    void restart() { t0_ = thread_cpu_seconds(); }

    double seconds() const { return thread_cpu_seconds() - t0_; }

    // n / elapsed seconds.
    double rate(double n) const { return n / seconds(); }

private:
    double t0_;
};

inline double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Calls `one_run` `runs` times; each call returns the rate it measured.
template <class F>
std::vector<double> repeat(int runs, F&& one_run) {
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(runs));
    for (int i = 0; i < runs; ++i) out.push_back(one_run());
    return out;
}

// Wall-clock latency of `n` calls of `one()` (which returns true on success; failures are
// counted into *failures): p50, p99, p99.9 and mean, in microseconds.
struct latency {
    double p50_us = 0, p99_us = 0, p999_us = 0, mean_us = 0;
};

template <class F>
latency measure_latency(long n, F&& one, long* failures) {
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(n));
    double total = 0;
    for (long i = 0; i < n; ++i) {
        const auto t0 = steady::now();
        const bool ok = one();
        const double d = std::chrono::duration<double, std::micro>(steady::now() - t0).count();
        if (!ok)
            ++*failures;
        us.push_back(d);
        total += d;
    }
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[std::min(us.size() - 1, std::size_t(q * us.size()))]; };
    return {at(0.50), at(0.99), at(0.999), n > 0 ? total / double(n) : 0};
}

// The run whose p50 is the median of the runs' p50s.
inline latency median_run(std::vector<latency> runs) {
    std::sort(runs.begin(), runs.end(),
              [](const latency& a, const latency& b) { return a.p50_us < b.p50_us; });
    return runs[runs.size() / 2];
}

class report {
public:
    explicit report(std::string bench) : bench_(std::move(bench)) {}

    void add(std::string name, std::string unit, double target, std::vector<double> runs,
             std::string note = "") {
        rows_.push_back(
            {std::move(name), std::move(unit), target, std::move(runs), std::move(note)});
    }

    void print() const {
        fmt::print("{:<58} {:>14} {:>14} {:>14} {:>12}  {}\n", "measurement", "median", "min",
                   "max", "target", "");
        nlohmann::json results = nlohmann::json::array();
        for (const auto& r : rows_) {
            const double med = median(r.runs);
            const double lo = *std::min_element(r.runs.begin(), r.runs.end());
            const double hi = *std::max_element(r.runs.begin(), r.runs.end());
            const bool met = r.target <= 0 || med >= r.target;
            fmt::print("{:<58} {:>14.0f} {:>14.0f} {:>14.0f} {:>12} {} {}\n",
                       r.name + " (" + r.unit + ")", med, lo, hi,
                       r.target > 0 ? fmt::format("{:.0f}", r.target) : "-", met ? "ok" : "MISSED",
                       r.note);
            results.push_back({{"name", r.name},
                               {"unit", r.unit},
                               {"median", med},
                               {"runs", r.runs},
                               {"target", r.target},
                               {"met", met}});
        }
        fmt::print("BENCH_JSON {}\n",
                   nlohmann::json{{"bench", bench_}, {"results", results}}.dump());
        std::fflush(stdout);
    }

private:
    struct row {
        std::string name;
        std::string unit;
        double target;
        std::vector<double> runs;
        std::string note;
    };

    std::string bench_;
    std::vector<row> rows_;
};

}  // namespace esser::bench

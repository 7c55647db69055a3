#pragma once
// The clock port: the only source of time in esser.
//
// Everything time-dependent (event timestamps, stream retention, iterator expiry, shard rollover,
// record age, batching and tumbling windows, TTL) reads a `clock`, so a test can swap in
// `manual_clock` and cross a day in microseconds with identical results every run (DESIGN.md
// "Time").

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/error.hpp"

namespace esser::core {

using time_point = std::chrono::system_clock::time_point;
using duration = std::chrono::system_clock::duration;

// Thread-safe: now() may be called from any thread.
class clock {
public:
    virtual ~clock() = default;
    virtual time_point now() const = 0;
    // True for a clock that only moves when told to (tests, --clock manual).
    virtual bool is_manual() const { return false; }
};

// Wall-clock time.
class system_clock final : public clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only through set() and advance(). Starts at `origin` (default
// 2024-01-01T00:00:00Z). Thread-safe; listeners run synchronously on the thread that moved the
// clock, after the new time is visible, and must not move the clock themselves.
//
// Invariants: time never goes backwards through advance(); set() may move it anywhere (tests
// that need to rewind say so explicitly).
class manual_clock final : public clock {
public:
    static constexpr std::int64_t default_origin_ms = 1704067200000;  // 2024-01-01T00:00:00Z

    explicit manual_clock(time_point origin = time_point(std::chrono::milliseconds(default_origin_ms)));

    time_point now() const override;
    bool is_manual() const override { return true; }

    void set(time_point t);
    // Moves forward by d; a negative d is a broken invariant (use set()).
    void advance(duration d);

    using listener = std::function<void(time_point)>;
    // Returns an id for unsubscribe(). Listeners are how schedulers built on the clock (stream
    // rollover, pollers, TTL sweeps) learn that time moved.
    std::uint64_t subscribe(listener l);
    void unsubscribe(std::uint64_t id);

private:
    void notify(time_point t);

    std::atomic<std::int64_t> now_ns_;
    std::mutex listeners_mu_;
    std::vector<std::pair<std::uint64_t, listener>> listeners_;
    std::uint64_t next_listener_id_ = 1;
};

// "2024-01-01T00:00:00.000Z": RFC 3339, UTC, millisecond precision (the `at` of an event).
std::string format_rfc3339_ms(time_point t);
// "2024-01-01T00:00:00Z": seconds precision.
std::string format_rfc3339_s(time_point t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; fractions beyond nanoseconds are truncated.
result<time_point> parse_rfc3339(std::string_view text);

// Milliseconds / seconds since the Unix epoch.
std::int64_t to_epoch_ms(time_point t);
time_point from_epoch_ms(std::int64_t ms);

// Parses "250ms", "15s", "4h", "1d", "1h30m", "0": a duration as users write it on command lines
// and in scenario files. Units: ms, s, m, h, d.
result<duration> parse_duration(std::string_view text);

}  // namespace esser::core

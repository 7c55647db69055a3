#include "esser/core/clock.hpp"

#include <cassert>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace esser::core {

namespace {
std::int64_t to_ns(time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

time_point from_ns(std::int64_t ns) {
    return time_point(std::chrono::duration_cast<duration>(std::chrono::nanoseconds(ns)));
}
}  // namespace

manual_clock::manual_clock(time_point origin) : now_ns_(to_ns(origin)) {}

time_point manual_clock::now() const {
    return from_ns(now_ns_.load(std::memory_order_acquire));
}

void manual_clock::set(time_point t) {
    now_ns_.store(to_ns(t), std::memory_order_release);
    notify(t);
}

void manual_clock::advance(duration d) {
    assert(d.count() >= 0 && "manual_clock::advance with a negative duration; use set()");
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    const auto after = now_ns_.fetch_add(ns, std::memory_order_acq_rel) + ns;
    notify(from_ns(after));
}

std::uint64_t manual_clock::subscribe(listener l) {
    std::lock_guard lock(listeners_mu_);
    const auto id = next_listener_id_++;
    listeners_.emplace_back(id, std::move(l));
    return id;
}

void manual_clock::unsubscribe(std::uint64_t id) {
    std::lock_guard lock(listeners_mu_);
    std::erase_if(listeners_, [id](const auto& p) { return p.first == id; });
}

void manual_clock::notify(time_point t) {
    // Copy under the lock so a listener may (un)subscribe others without deadlocking.
    std::vector<listener> copy;
    {
        std::lock_guard lock(listeners_mu_);
        copy.reserve(listeners_.size());
        for (auto& [id, l] : listeners_) copy.push_back(l);
    }
    for (auto& l : copy) l(t);
}

std::int64_t to_epoch_ms(time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

time_point from_epoch_ms(std::int64_t ms) {
    return time_point(std::chrono::duration_cast<duration>(std::chrono::milliseconds(ms)));
}

namespace {
std::string format_utc(time_point t, bool with_ms) {
    const std::int64_t ms = to_epoch_ms(t);
    std::int64_t secs = ms / 1000;
    std::int64_t frac = ms % 1000;
    if (frac < 0) {
        frac += 1000;
        secs -= 1;
    }
    const std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    if (with_ms) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<int>(frac));
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    return buf;
}

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size())
        return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

std::string format_rfc3339_ms(time_point t) {
    return format_utc(t, true);
}

std::string format_rfc3339_s(time_point t) {
    return format_utc(t, false);
}

result<time_point> parse_rfc3339(std::string_view s) {
    auto bad = [&] {
        return fail(error::parse_error("'" + std::string(s) +
                                       "' is not an RFC 3339 timestamp; expected e.g. "
                                       "2024-01-01T00:00:00Z or 2024-01-01T00:00:00.000+02:00"));
    };
    int y, mo, d, h, mi, sec;
    if (s.size() < 20 || !read_int(s, 0, 4, y) || s[4] != '-' || !read_int(s, 5, 2, mo) ||
        s[7] != '-' || !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !read_int(s, 11, 2, h) || s[13] != ':' || !read_int(s, 14, 2, mi) || s[16] != ':' ||
        !read_int(s, 17, 2, sec)) {
        return bad();
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return bad();
    std::size_t pos = 19;
    std::int64_t nanos = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9)
                nanos = nanos * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0)
            return bad();
        for (int i = digits; i < 9; ++i) nanos *= 10;
    }
    std::int64_t offset_s = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos] == '+' ? 1 : -1;
        int oh, om;
        if (!read_int(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !read_int(s, pos + 4, 2, om) || oh > 23 || om > 59) {
            return bad();
        }
        offset_s = sign * (oh * 3600 + om * 60);
        pos += 6;
    } else {
        return bad();
    }
    if (pos != s.size())
        return bad();
    const std::int64_t days =
        days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    // time_point counts nanoseconds in 64 bits: about 1677-09-21 to 2262-04-11.
    constexpr std::int64_t max_secs =
        std::chrono::duration_cast<std::chrono::seconds>(duration::max()).count() - 1;
    if (secs > max_secs || secs < -max_secs) {
        return fail(error::parse_error("'" + std::string(s) +
                                       "' is outside the representable range (years 1678 to "
                                       "2261)"));
    }
    return time_point(std::chrono::duration_cast<duration>(std::chrono::seconds(secs) +
                                                           std::chrono::nanoseconds(nanos)));
}

result<duration> parse_duration(std::string_view s) {
    auto bad = [&] {
        return fail(error::parse_error("'" + std::string(s) +
                                       "' is not a duration; write a number with a unit, "
                                       "e.g. 250ms, 15s, 5m, 4h, 1d or 1h30m"));
    };
    if (s == "0")
        return duration::zero();
    if (s.empty())
        return bad();
    // Accumulated in nanoseconds with overflow checks: "99999999999d" is an error, not UB.
    const std::int64_t max_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(duration::max()).count();
    std::int64_t total = 0;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::int64_t n = 0;
        auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), n);
        if (ec != std::errc() || n < 0)
            return bad();
        pos = static_cast<std::size_t>(ptr - s.data());
        std::string_view unit;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= 'a' && s[pos] <= 'z') ++pos;
        unit = s.substr(start, pos - start);
        std::int64_t unit_ns;
        if (unit == "ms")
            unit_ns = 1'000'000;
        else if (unit == "s")
            unit_ns = 1'000'000'000;
        else if (unit == "m")
            unit_ns = 60'000'000'000;
        else if (unit == "h")
            unit_ns = 3'600'000'000'000;
        else if (unit == "d")
            unit_ns = 86'400'000'000'000;
        else
            return bad();
        if (n > (max_ns - total) / unit_ns) {
            return fail(error::parse_error("'" + std::string(s) + "' is too long a duration"));
        }
        total += n * unit_ns;
    }
    return std::chrono::duration_cast<duration>(std::chrono::nanoseconds(total));
}

}  // namespace esser::core

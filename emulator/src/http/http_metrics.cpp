#include "esser/emulator/http/http_metrics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace esser::emulator {

namespace {

// Label values are escaped as the exposition format requires (backslash, quote, newline).
std::string esc(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string fmt_double(double d) {
    return fmt::format("{}", d);
}

}  // namespace

void http_metrics::request_finished(std::string_view server, std::string_view operation, int status,
                                    double seconds) {
    std::size_t bucket =
        std::lower_bound(std::begin(bucket_bounds), std::end(bucket_bounds), seconds) -
        std::begin(bucket_bounds);
    std::lock_guard lock(mu_);
    ++requests_[{std::string(server), {std::string(operation), status}}];
    histogram& h = durations_[{std::string(server), std::string(operation)}];
    if (bucket < bucket_count)
        ++h.buckets[bucket];
    ++h.count;
    h.sum += seconds;
}

void http_metrics::connection_opened(std::string_view server) {
    std::lock_guard lock(mu_);
    ++open_[std::string(server)];
    ++accepted_[std::string(server)];
}

void http_metrics::connection_closed(std::string_view server) {
    std::lock_guard lock(mu_);
    --open_[std::string(server)];
}

void http_metrics::connection_refused(std::string_view server) {
    std::lock_guard lock(mu_);
    ++refused_[std::string(server)];
}

void http_metrics::timed_out(std::string_view server, std::string_view phase) {
    std::lock_guard lock(mu_);
    ++timeouts_[{std::string(server), std::string(phase)}];
}

void http_metrics::protocol_error(std::string_view server, std::string_view kind) {
    std::lock_guard lock(mu_);
    ++protocol_errors_[{std::string(server), std::string(kind)}];
}

std::uint64_t http_metrics::requests(std::string_view operation, int status) const {
    std::lock_guard lock(mu_);
    std::uint64_t n = 0;
    for (const auto& [k, v] : requests_) {
        if (k.second.first == operation && k.second.second == status)
            n += v;
    }
    return n;
}

std::int64_t http_metrics::open_connections() const {
    std::lock_guard lock(mu_);
    std::int64_t n = 0;
    for (const auto& [k, v] : open_) n += v;
    return n;
}

std::string http_metrics::render_prometheus() const {
    std::lock_guard lock(mu_);
    std::string out;
    auto header = [&](std::string_view name, std::string_view type, std::string_view help) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };

    header("esser_http_requests_total", "counter",
           "HTTP requests answered, by operation and status code.");
    for (const auto& [k, v] : requests_) {
        out += fmt::format(
            "esser_http_requests_total{{server=\"{}\",operation=\"{}\",status=\"{}\"}} {}\n",
            esc(k.first), esc(k.second.first), k.second.second, v);
    }

    header("esser_http_request_duration_seconds", "histogram",
           "Time from a request fully read to its response written.");
    for (const auto& [k, h] : durations_) {
        const std::string labels =
            fmt::format("server=\"{}\",operation=\"{}\"", esc(k.first), esc(k.second));
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            cumulative += h.buckets[i];
            out += fmt::format("esser_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                               labels, fmt_double(bucket_bounds[i]), cumulative);
        }
        out += fmt::format("esser_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                           labels, h.count);
        out += fmt::format("esser_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                           fmt_double(h.sum));
        out += fmt::format("esser_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
    }

    auto per_server = [&](std::string_view name, std::string_view type, std::string_view help,
                          const auto& series) {
        header(name, type, help);
        for (const auto& [server, v] : series)
            out += fmt::format("{}{{server=\"{}\"}} {}\n", name, esc(server), v);
    };
    per_server("esser_http_connections_open", "gauge", "Open client connections.", open_);
    per_server("esser_http_connections_accepted_total", "counter", "Client connections accepted.",
               accepted_);
    per_server("esser_http_connections_refused_total", "counter",
               "Connections answered 503 because max_connections were open.", refused_);

    auto per_kind = [&](std::string_view name, std::string_view label, std::string_view help,
                        const auto& series) {
        header(name, "counter", help);
        for (const auto& [k, v] : series)
            out += fmt::format("{}{{server=\"{}\",{}=\"{}\"}} {}\n", name, esc(k.first), label,
                               esc(k.second), v);
    };
    per_kind("esser_http_timeouts_total", "phase",
             "Connections closed because a client was too slow, by phase.", timeouts_);
    per_kind("esser_http_protocol_errors_total", "kind",
             "Requests refused before routing (400, 413, 431).", protocol_errors_);
    return out;
}

}  // namespace esser::emulator

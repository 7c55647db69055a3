#pragma once
// http_metrics: counters and latency histograms of the HTTP front, rendered in the Prometheus
// text exposition format (version 0.0.4) for GET /metrics.
//
// Series (every one carries server="<options.name>"):
//   esser_http_requests_total{operation,status}            counter
//   esser_http_request_duration_seconds{operation}         histogram, from the end of the
//                                                           request read to the end of the write
//   esser_http_connections_open                             gauge
//   esser_http_connections_accepted_total                   counter
//   esser_http_connections_refused_total                    counter (over max_connections)
//   esser_http_timeouts_total{phase=idle|header|body|write} counter
//   esser_http_protocol_errors_total{kind=malformed|body_too_large|header_too_large} counter
// Labels come from a small fixed set (route names and operation names chosen by services), so
// the number of series stays bounded whatever clients send.
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace esser::emulator {

class http_metrics {
public:
    // Upper bounds (seconds) of the latency buckets; +Inf is implied.
    static constexpr double bucket_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                               0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                               1.0,    2.5,     5.0,    10.0};
    static constexpr std::size_t bucket_count = std::size(bucket_bounds);

    void request_finished(std::string_view server, std::string_view operation, int status,
                          double seconds);
    void connection_opened(std::string_view server);
    void connection_closed(std::string_view server);
    void connection_refused(std::string_view server);
    void timed_out(std::string_view server, std::string_view phase);
    void protocol_error(std::string_view server, std::string_view kind);

    // The whole exposition, "# HELP"/"# TYPE" lines included.
    std::string render_prometheus() const;

    // For tests and health: the count of answered requests with this operation and status.
    std::uint64_t requests(std::string_view operation, int status) const;
    std::int64_t open_connections() const;

private:
    struct histogram {
        std::uint64_t buckets[bucket_count] = {};  // non-cumulative; rendered cumulative
        std::uint64_t count = 0;
        double sum = 0;
    };

    using key2 = std::pair<std::string, std::string>;

    mutable std::mutex mu_;
    std::map<std::pair<std::string, std::pair<std::string, int>>, std::uint64_t> requests_;
    std::map<key2, histogram> durations_;                    // (server, operation)
    std::map<std::string, std::int64_t, std::less<>> open_;  // server
    std::map<std::string, std::uint64_t, std::less<>> accepted_;
    std::map<std::string, std::uint64_t, std::less<>> refused_;
    std::map<key2, std::uint64_t> timeouts_;         // (server, phase)
    std::map<key2, std::uint64_t> protocol_errors_;  // (server, kind)
};

}  // namespace esser::emulator

#pragma once
// function_log: what CloudWatch Logs would hold for one function (its log group
// /aws/lambda/<name>): the platform lines (START, END, REPORT, timeouts, exits) and every line the
// function wrote to stdout or stderr, in arrival order.
//
// Bounded: keeps the most recent `max_bytes` of text (older lines are dropped whole), so a chatty
// function cannot exhaust memory. Each line may also be forwarded to a core::logger (esser-local
// prints function output that way), tagged with the request id when known.
//
// Thread-safe: every member may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "esser/core/log_sink.hpp"

namespace esser::emulator {

class function_log {
public:
    explicit function_log(std::size_t max_bytes = 1u << 20, core::logger forward = {});

    // Appends one line (without its newline; a trailing '\n' or "\r\n" is removed).
    void append(std::string_view line, std::string_view request_id = {});

    // Every retained line, each followed by '\n'.
    std::string text() const;
    // Total bytes ever appended (lines plus newlines): a position that only grows.
    std::uint64_t end_position() const;
    // The retained text appended at or after `position` (whole lines; what was dropped to stay
    // under max_bytes is gone).
    std::string since(std::uint64_t position) const;
    void clear();

private:
    struct line {
        std::uint64_t position;  // of its first byte
        std::string text;        // with its '\n'
    };

    mutable std::mutex mu_;
    std::deque<line> lines_;
    std::size_t bytes_ = 0;
    std::uint64_t end_ = 0;
    std::size_t max_bytes_;
    core::logger forward_;
};

}  // namespace esser::emulator

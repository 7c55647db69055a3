#pragma once
// The log_sink port and a small named logger on top of it.
//
// Messages are formatted at the call site with fmt (only when the level is enabled) and handed
// to the sink as a record. Sinks: `null_log_sink`, `stream_log_sink` (human-readable text on a
// terminal, or JSON lines for machines and Lambda's CloudWatch), and `memory_log_sink` for tests.
// Every component has its own named logger: `logger log_{"esser-streams", sink};`.

#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace esser::core {

enum class log_level : std::uint8_t { trace, debug, info, warn, error, off };

std::string_view to_string(log_level l) noexcept;
// "trace|debug|info|warn|error|off" (case-insensitive); false when unknown.
bool parse_log_level(std::string_view text, log_level& out) noexcept;

struct log_record {
    log_level level;
    std::string_view logger;      // component name, e.g. "esser-http"
    std::string_view message;
    std::string_view request_id;  // empty when the record is not about one request
};

// Thread-safe: write() may be called concurrently.
class log_sink {
public:
    virtual ~log_sink() = default;
    virtual bool enabled(log_level l) const = 0;
    virtual void write(const log_record& r) = 0;
};

class null_log_sink final : public log_sink {
public:
    bool enabled(log_level) const override { return false; }
    void write(const log_record&) override {}
};

enum class log_format : std::uint8_t { text, json };

// Writes one line per record to an ostream. Text: "2024-01-01T00:00:00.000Z INFO esser-http
// [req-id] message". JSON: {"time":...,"level":"info","logger":...,"request_id":...,"msg":...}.
// The timestamp comes from the wall clock (logs are about the real run, not the emulated time).
class stream_log_sink final : public log_sink {
public:
    stream_log_sink(std::ostream& out, log_level min, log_format format);
    bool enabled(log_level l) const override { return l >= min_ && l != log_level::off; }
    void write(const log_record& r) override;

private:
    std::mutex mu_;
    std::ostream& out_;
    log_level min_;
    log_format format_;
};

// Keeps records in memory; for tests that assert on what was logged.
class memory_log_sink final : public log_sink {
public:
    struct entry {
        log_level level;
        std::string logger;
        std::string message;
        std::string request_id;
    };
    explicit memory_log_sink(log_level min = log_level::trace) : min_(min) {}
    bool enabled(log_level l) const override { return l >= min_; }
    void write(const log_record& r) override;
    std::vector<entry> entries() const;

private:
    mutable std::mutex mu_;
    log_level min_;
    std::vector<entry> entries_;
};

// A named front for a sink. Cheap to copy; a default-constructed logger logs nothing.
class logger {
public:
    logger() = default;
    logger(std::string name, std::shared_ptr<log_sink> sink)
        : name_(std::move(name)), sink_(std::move(sink)) {}

    bool enabled(log_level l) const { return sink_ && sink_->enabled(l); }

    template <class... Args>
    void log(log_level l, std::string_view request_id, fmt::format_string<Args...> f,
             Args&&... args) const {
        if (!enabled(l)) return;
        const std::string msg = fmt::format(f, std::forward<Args>(args)...);
        sink_->write(log_record{l, name_, msg, request_id});
    }
    template <class... Args>
    void debug(fmt::format_string<Args...> f, Args&&... args) const {
        log(log_level::debug, {}, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void info(fmt::format_string<Args...> f, Args&&... args) const {
        log(log_level::info, {}, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void warn(fmt::format_string<Args...> f, Args&&... args) const {
        log(log_level::warn, {}, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void error(fmt::format_string<Args...> f, Args&&... args) const {
        log(log_level::error, {}, f, std::forward<Args>(args)...);
    }

    const std::shared_ptr<log_sink>& sink() const { return sink_; }

private:
    std::string name_;
    std::shared_ptr<log_sink> sink_;
};

}  // namespace esser::core

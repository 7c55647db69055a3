#include "invoke_log.hpp"

#include <fmt/format.h>

namespace esser::emulator {

namespace {

constexpr std::size_t max_collected = 64u * 1024;

double to_ms(std::chrono::nanoseconds d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

invoke_log::invoke_log(function_log* log, std::string request_id)
    : log_(log), request_id_(std::move(request_id)) {}

void invoke_log::add(std::string_view line) {
    if (log_)
        log_->append(line, request_id_);
    std::lock_guard lock(mu_);
    lines_.append(line).push_back('\n');
    if (lines_.size() > max_collected) {
        // Keep whole lines: cut at the first newline past the excess.
        auto cut = lines_.find('\n', lines_.size() - max_collected);
        lines_.erase(0, cut == std::string::npos ? lines_.size() : cut + 1);
    }
}

void invoke_log::start(std::string_view version) {
    add(fmt::format("START RequestId: {} Version: {}", request_id_, version));
}

void invoke_log::output(std::string_view line) {
    add(line);
}

void invoke_log::end(std::chrono::nanoseconds duration, unsigned memory_size_mb,
                     unsigned max_memory_mb, std::optional<std::chrono::nanoseconds> init_duration,
                     std::string_view status) {
    add(fmt::format("END RequestId: {}", request_id_));
    const double ms = to_ms(duration);
    // Billed per started millisecond (AWS bills 1 ms granularity since 2020).
    const auto billed = static_cast<long long>(ms) + (ms > static_cast<long long>(ms) ? 1 : 0);
    std::string report = fmt::format(
        "REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {} ms\t"
        "Memory Size: {} MB\t",
        request_id_, ms, std::max<long long>(billed, 1), memory_size_mb);
    if (max_memory_mb > 0)
        report += fmt::format("Max Memory Used: {} MB\t", max_memory_mb);
    if (init_duration)
        report += fmt::format("Init Duration: {:.2f} ms\t", to_ms(*init_duration));
    if (!status.empty())
        report += fmt::format("Status: {}", status);
    add(report);
}

std::string invoke_log::text() const {
    std::lock_guard lock(mu_);
    return lines_;
}

std::string format_seconds(std::chrono::nanoseconds d) {
    return fmt::format("{:.2f}", std::chrono::duration<double>(d).count());
}

}  // namespace esser::emulator

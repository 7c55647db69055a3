#include "esser/emulator/lambda/function_log.hpp"

#include <algorithm>

namespace esser::emulator {

function_log::function_log(std::size_t max_bytes, core::logger forward)
    : max_bytes_(std::max<std::size_t>(max_bytes, 1)), forward_(std::move(forward)) {}

void function_log::append(std::string_view text, std::string_view request_id) {
    if (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    forward_.log(core::log_level::info, request_id, "{}", text);
    std::string stored;
    stored.reserve(text.size() + 1);
    stored.append(text).push_back('\n');
    std::lock_guard lock(mu_);
    const std::uint64_t pos = end_;
    end_ += stored.size();
    bytes_ += stored.size();
    lines_.push_back(line{pos, std::move(stored)});
    // Drop whole lines from the front; always keep the newest line even if it alone is over.
    while (bytes_ > max_bytes_ && lines_.size() > 1) {
        bytes_ -= lines_.front().text.size();
        lines_.pop_front();
    }
}

std::string function_log::text() const {
    std::lock_guard lock(mu_);
    std::string out;
    out.reserve(bytes_);
    for (const auto& l : lines_) out += l.text;
    return out;
}

std::uint64_t function_log::end_position() const {
    std::lock_guard lock(mu_);
    return end_;
}

std::string function_log::since(std::uint64_t position) const {
    std::lock_guard lock(mu_);
    auto it = std::lower_bound(lines_.begin(), lines_.end(), position,
                               [](const line& l, std::uint64_t p) { return l.position < p; });
    std::string out;
    for (; it != lines_.end(); ++it) out += it->text;
    return out;
}

void function_log::clear() {
    std::lock_guard lock(mu_);
    lines_.clear();
    bytes_ = 0;
}

}  // namespace esser::emulator

#include "esser/core/log_sink.hpp"

#include <cctype>

#include "esser/core/clock.hpp"

namespace esser::core {

std::string_view to_string(log_level l) noexcept {
    switch (l) {
        case log_level::trace: return "trace";
        case log_level::debug: return "debug";
        case log_level::info: return "info";
        case log_level::warn: return "warn";
        case log_level::error: return "error";
        case log_level::off: return "off";
    }
    return "off";
}

bool parse_log_level(std::string_view text, log_level& out) noexcept {
    std::string lower;
    for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (auto l : {log_level::trace, log_level::debug, log_level::info, log_level::warn,
                   log_level::error, log_level::off}) {
        if (lower == to_string(l)) {
            out = l;
            return true;
        }
    }
    if (lower == "warning") {
        out = log_level::warn;
        return true;
    }
    return false;
}

namespace {
void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += fmt::format("\\u{:04x}", c);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

stream_log_sink::stream_log_sink(std::ostream& out, log_level min, log_format format)
    : out_(out), min_(min), format_(format) {}

void stream_log_sink::write(const log_record& r) {
    const std::string ts = format_rfc3339_ms(std::chrono::system_clock::now());
    std::string line;
    if (format_ == log_format::json) {
        line = "{\"time\":";
        append_json_string(line, ts);
        line += ",\"level\":";
        append_json_string(line, to_string(r.level));
        line += ",\"logger\":";
        append_json_string(line, r.logger);
        if (!r.request_id.empty()) {
            line += ",\"request_id\":";
            append_json_string(line, r.request_id);
        }
        line += ",\"msg\":";
        append_json_string(line, r.message);
        line += "}\n";
    } else {
        line = fmt::format("{} {:<5} {}", ts, upper(to_string(r.level)), r.logger);
        if (!r.request_id.empty()) line += fmt::format(" [{}]", r.request_id);
        line += ' ';
        line += r.message;
        line += '\n';
    }
    std::lock_guard lock(mu_);
    out_ << line;
    out_.flush();
}

void memory_log_sink::write(const log_record& r) {
    std::lock_guard lock(mu_);
    entries_.push_back(entry{r.level, std::string(r.logger), std::string(r.message),
                             std::string(r.request_id)});
}

std::vector<memory_log_sink::entry> memory_log_sink::entries() const {
    std::lock_guard lock(mu_);
    return entries_;
}

}  // namespace esser::core

#include "stream_arn.hpp"

#include <vector>

namespace esser::emulator::streams_detail {

namespace {
bool all_of(std::string_view s, bool (*pred)(char)) {
    for (char c : s) {
        if (!pred(c))
            return false;
    }
    return true;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_lower_alnum_dash(char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
}

bool is_table_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '.' || c == '-';
}

// "YYYY-MM-DDTHH:MM:SS.mmm" with plausible field ranges.
bool valid_label(std::string_view s) {
    static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.ddd";
    if (s.size() != shape.size())
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
            return false;
    }
    auto num = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
        return v;
    };
    const int month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2),
              second = num(17, 2);
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 &&
           second <= 60;
}

// Splits "arn:p:s:r:a:rest" into its six colon-separated fields (rest may contain ':').
bool split_arn(std::string_view arn, std::string_view (&f)[6]) {
    std::size_t pos = 0;
    for (int i = 0; i < 5; ++i) {
        const auto colon = arn.find(':', pos);
        if (colon == std::string_view::npos)
            return false;
        f[i] = arn.substr(pos, colon - pos);
        pos = colon + 1;
    }
    f[5] = arn.substr(pos);
    return f[0] == "arn" && f[2] == "dynamodb" && !f[1].empty() &&
           all_of(f[1], is_lower_alnum_dash) && !f[3].empty() &&
           all_of(f[3], is_lower_alnum_dash) && f[4].size() == 12 && all_of(f[4], is_digit);
}
}  // namespace

bool valid_table_name(std::string_view name) {
    return name.size() >= 3 && name.size() <= 255 && all_of(name, is_table_char);
}

std::optional<stream_arn_parts> parse_stream_arn(std::string_view arn) {
    std::string_view f[6];
    if (!split_arn(arn, f))
        return std::nullopt;
    std::string_view rest = f[5];
    if (!rest.starts_with("table/"))
        return std::nullopt;
    rest.remove_prefix(6);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    const std::string_view table = rest.substr(0, slash);
    rest.remove_prefix(slash);
    if (!rest.starts_with("/stream/"))
        return std::nullopt;
    rest.remove_prefix(8);
    if (!valid_table_name(table) || !valid_label(rest))
        return std::nullopt;
    return stream_arn_parts{f[1], f[3], f[4], table, rest};
}

std::optional<table_arn_parts> parse_table_arn(std::string_view arn) {
    std::string_view f[6];
    if (!split_arn(arn, f))
        return std::nullopt;
    if (!f[5].starts_with("table/") || !valid_table_name(f[5].substr(6)))
        return std::nullopt;
    return table_arn_parts{f[3], f[4]};
}

std::string format_stream_label(core::time_point t) {
    std::string s = core::format_rfc3339_ms(t);  // "2024-01-01T00:00:00.000Z"
    s.pop_back();
    return s;
}

}  // namespace esser::emulator::streams_detail

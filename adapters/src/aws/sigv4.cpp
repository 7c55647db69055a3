#include "esser/adapters/aws/sigv4.hpp"

#include <algorithm>
#include <vector>

#include "sha256.hpp"
#include "sigv4_detail.hpp"
#include <time.h>

#include "esser/core/hex_digit.hpp"

namespace esser::adapters::sigv4 {

namespace {

bool unreserved(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void append_encoded(std::string& out, std::string_view in, bool keep_slash) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char c : in) {
        if (unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(char(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
}

// Form-style decoding: %XY escapes and '+' as space. An escape that is not two hex digits is
// kept literally (its '%' is then re-encoded as %25).
std::string decode_query_component(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < in.size() && core::hex_digit_value(in[i + 1]) >= 0 &&
                   core::hex_digit_value(in[i + 2]) >= 0) {
            out.push_back(
                char(core::hex_digit_value(in[i + 1]) * 16 + core::hex_digit_value(in[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return out;
}

}  // namespace

bool is_unsigned_header(std::string_view n) noexcept {
    return n == "user-agent" || n == "expect" || n == "x-amzn-trace-id" || n == "authorization";
}

std::string format_amz_date(core::time_point t) {
    // By hand rather than gmtime_r + strftime: this runs once per signature.
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day ymd{days};
    const int y = int(ymd.year());
    if (y < 0 || y > 9999) {
        // Outside what four digits can say; never a real signing time.
        struct tm tm {};

        const time_t tt = static_cast<time_t>(secs.time_since_epoch().count());
        gmtime_r(&tt, &tm);
        char buf[64];
        const auto n = strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
        return std::string(buf, n);
    }
    const hh_mm_ss<seconds> hms{secs - days};
    const unsigned fields[] = {unsigned(ymd.month()), unsigned(ymd.day()),
                               unsigned(hms.hours().count()), unsigned(hms.minutes().count()),
                               unsigned(hms.seconds().count())};
    std::string out(16, '0');
    out[0] = char('0' + y / 1000);
    out[1] = char('0' + y / 100 % 10);
    out[2] = char('0' + y / 10 % 10);
    out[3] = char('0' + y % 10);
    char* p = out.data() + 4;
    for (int i = 0; i < 5; ++i) {
        if (i == 2)
            *p++ = 'T';
        *p++ = char('0' + fields[i] / 10);
        *p++ = char('0' + fields[i] % 10);
    }
    *p = 'Z';
    return out;
}

bool parse_amz_date(std::string_view s, core::time_point& out) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z')
        return false;
    auto num = [&](std::size_t at, std::size_t len, int& v) {
        v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, se;
    if (!num(0, 4, y) || !num(4, 2, mo) || !num(6, 2, d) || !num(9, 2, h) || !num(11, 2, mi) ||
        !num(13, 2, se))
        return false;
    using namespace std::chrono;
    const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 60)
        return false;
    out = time_point_cast<core::duration>(sys_days{ymd} + hours{h} + minutes{mi} + seconds{se});
    return true;
}

std::string canonical_uri(std::string_view path) {
    if (path.empty() || path == "/")
        return "/";
    // Remove "." / ".." and empty segments (RFC 3986 §5.2.4 plus AWS's "//" collapsing).
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        const auto seg = path.substr(start, end - start);
        if (seg == "..") {
            if (!out.empty())
                out.pop_back();
        } else if (!seg.empty() && seg != ".") {
            out.push_back(seg);
        }
        start = end + 1;
    }
    std::string normal;
    normal.reserve(path.size());
    if (path.front() == '/')
        normal.push_back('/');
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i)
            normal.push_back('/');
        normal.append(out[i]);
    }
    if (path.back() == '/' && !out.empty())
        normal.push_back('/');
    std::string encoded;
    encoded.reserve(normal.size() + 16);
    append_encoded(encoded, normal, /*keep_slash=*/true);
    return encoded;
}

std::string canonical_query(std::string_view query) {
    if (query.empty())
        return {};
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos)
            end = query.size();
        const auto item = query.substr(start, end - start);
        const auto eq = item.find('=');
        std::string k, v;
        append_encoded(k, decode_query_component(item.substr(0, eq)), false);
        if (eq != std::string_view::npos)
            append_encoded(v, decode_query_component(item.substr(eq + 1)), false);
        pairs.emplace_back(std::move(k), std::move(v));
        start = end + 1;
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (i)
            out.push_back('&');
        out.append(pairs[i].first).push_back('=');
        out.append(pairs[i].second);
    }
    return out;
}

std::string canonical_headers(const http_headers& headers, std::span<const std::string> names) {
    std::string out;
    for (const auto& name : names) {
        out.append(name).push_back(':');
        bool first = true;
        for (const auto& h : headers) {
            if (!iequals(h.name, name))
                continue;
            if (!first)
                out.push_back(',');
            detail::append_trimmed(out, h.value);
            first = false;
        }
        out.push_back('\n');
    }
    return out;
}

std::string payload_hash(std::string_view body) {
    if (body.empty())
        return std::string(empty_payload_hash);
    return adapters::detail::to_hex(adapters::detail::sha256(body));
}

std::string canonical_request(std::string_view method, std::string_view path,
                              std::string_view query, const http_headers& headers,
                              std::span<const std::string> names, std::string_view hash) {
    std::string cr;
    cr.reserve(256);
    for (char c : method) cr.push_back((c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c);
    cr.push_back('\n');
    cr.append(canonical_uri(path)).push_back('\n');
    cr.append(canonical_query(query)).push_back('\n');
    cr.append(canonical_headers(headers, names)).push_back('\n');
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i)
            cr.push_back(';');
        cr.append(names[i]);
    }
    cr.push_back('\n');
    cr.append(hash);
    return cr;
}

std::string credential_scope(std::string_view date8, std::string_view region,
                             std::string_view service) {
    std::string s;
    s.reserve(date8.size() + region.size() + service.size() + 16);
    s.append(date8).push_back('/');
    s.append(region).push_back('/');
    s.append(service).append("/aws4_request");
    return s;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
    std::string s;
    s.reserve(algorithm.size() + amz_date.size() + scope.size() + 68);
    s.append(algorithm).push_back('\n');
    s.append(amz_date).push_back('\n');
    s.append(scope).push_back('\n');
    adapters::detail::append_hex(
        s, adapters::detail::as_view(adapters::detail::sha256(canonical_request)));
    return s;
}

std::string signing_key(std::string_view secret, std::string_view date8, std::string_view region,
                        std::string_view service) {
    using adapters::detail::as_view;
    using adapters::detail::hmac_sha256;
    std::string k = "AWS4";
    k.append(secret);
    const auto k_date = hmac_sha256(k, date8);
    const auto k_region = hmac_sha256(as_view(k_date), region);
    const auto k_service = hmac_sha256(as_view(k_region), service);
    const auto k_signing = hmac_sha256(as_view(k_service), "aws4_request");
    return std::string(as_view(k_signing));
}

std::string signature(std::string_view key, std::string_view sts) {
    return adapters::detail::to_hex(adapters::detail::hmac_sha256(key, sts));
}

namespace detail {

void append_trimmed(std::string& out, std::string_view v) {
    // Appends maximal runs of non-space bytes in one go: header values are mostly a single run
    // (tokens, hashes) or words separated by single spaces.
    const char* p = v.data();
    const char* const end = p + v.size();
    bool first = true;
    while (p != end) {
        while (p != end && is_space(*p)) ++p;
        if (p == end)
            break;
        const char* word = p;
        while (p != end && !is_space(*p)) ++p;
        if (!first)
            out.push_back(' ');
        out.append(word, static_cast<std::size_t>(p - word));
        first = false;
    }
}

std::string lower(std::string_view s) {
    return lowercase(s);
}

}  // namespace detail

}  // namespace esser::adapters::sigv4

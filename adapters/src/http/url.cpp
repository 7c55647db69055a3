#include "esser/adapters/http/url.hpp"

#include <charconv>

#include <arpa/inet.h>

namespace esser::adapters {

namespace {

core::unexpected<core::error> bad(std::string_view text, std::string_view why) {
    core::error e = core::error::invalid_argument("invalid endpoint URL '" + std::string(text) +
                                                  "': " + std::string(why));
    e.type = "InvalidEndpointError";
    return core::fail(std::move(e));
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return out;
}

bool host_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

}  // namespace

core::result<url> url::parse(std::string_view text) {
    for (unsigned char c : text)
        if (c <= 0x20 || c == 0x7f)
            return bad(text, "contains whitespace or control characters");
    const auto sep = text.find("://");
    if (sep == std::string_view::npos)
        return bad(text, "expected http:// or https://");
    url u;
    u.scheme = to_lower(text.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https")
        return bad(text, "unsupported scheme '" + u.scheme + "' (expected http or https)");
    std::string_view rest = text.substr(sep + 3);
    const auto path_at = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_at);
    std::string_view tail = path_at == std::string_view::npos ? "" : rest.substr(path_at);
    if (tail.find_first_of("?#") != std::string_view::npos)
        return bad(text, "an endpoint cannot carry a query or a fragment");
    if (authority.find('@') != std::string_view::npos)
        return bad(text, "credentials in the URL are not supported");

    std::string_view host = authority, port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return bad(text, "unterminated IPv6 literal");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return bad(text, "junk after IPv6 literal");
            port_text = after.substr(1);
            if (port_text.empty())
                return bad(text, "empty port");
        }
        in6_addr a6{};
        if (inet_pton(AF_INET6, std::string(host).c_str(), &a6) != 1)
            return bad(text, "invalid IPv6 literal");
    } else {
        const auto colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port_text = authority.substr(colon + 1);
            if (port_text.empty())
                return bad(text, "empty port");
        }
        for (char c : host)
            if (!host_char_ok(c))
                return bad(text, "invalid character in host name");
    }
    if (host.empty())
        return bad(text, "empty host");
    u.host = to_lower(host);
    if (!port_text.empty()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
        if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
            return bad(text, "invalid port '" + std::string(port_text) + "'");
        u.port = static_cast<std::uint16_t>(v);
    } else {
        u.port = u.is_tls() ? 443 : 80;
    }
    // A lone "/" is no base path: requests go to "/" either way.
    u.path = tail == "/" ? "" : std::string(tail);
    return u;
}

bool url::is_ip_literal() const noexcept {
    in6_addr a6{};
    in_addr a4{};
    return inet_pton(AF_INET6, host.c_str(), &a6) == 1 ||
           inet_pton(AF_INET, host.c_str(), &a4) == 1;
}

std::string url::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (!default_port())
        h += ":" + std::to_string(port);
    return h;
}

std::string url::to_string() const {
    return scheme + "://" + host_header() + path;
}

}  // namespace esser::adapters

#pragma once
// An absolute http:// or https:// URL, as endpoints are configured (AWS_ENDPOINT_URL,
// --endpoint-url): scheme, host, port, optional base path. No userinfo, no query, no fragment:
// an endpoint that carries them is refused rather than silently truncated.

#include <cstdint>
#include <string>
#include <string_view>

#include "esser/core/error.hpp"

namespace esser::adapters {

struct url {
    std::string scheme;      // "http" or "https" (lowercased)
    std::string host;        // lowercased; an IPv6 literal without its brackets
    std::uint16_t port = 0;  // explicit or the scheme's default (80, 443)
    std::string path;        // "" or a base path starting with '/', as written (percent-encoded)

    // Parses "http[s]://host[:port][/path]". Errors (core::errc::invalid_argument, type
    // "InvalidEndpointError") name what is wrong: missing or unsupported scheme, empty host, bad
    // port, userinfo, query or fragment present, whitespace or control characters.
    static core::result<url> parse(std::string_view text);

    bool is_tls() const noexcept { return scheme == "https"; }

    bool is_ip_literal() const noexcept;

    bool default_port() const noexcept { return port == (is_tls() ? 443 : 80); }

    // The Host header value: host, bracketed if IPv6, with ":port" unless it is the default.
    std::string host_header() const;
    // "https://host[:port]/path" (the port only when not the default).
    std::string to_string() const;

    friend bool operator==(const url&, const url&) = default;
};

}  // namespace esser::adapters

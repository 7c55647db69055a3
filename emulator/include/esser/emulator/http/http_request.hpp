#pragma once
// One HTTP request as a handler sees it: fully read (the body is complete), owned, Beast-free.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "esser/emulator/http/http_headers.hpp"

namespace esser::emulator {

struct http_request {
    std::string method;  // as sent: "GET", "POST", ... (methods are case-sensitive tokens)
    std::string target;  // the request-target as sent, e.g. "/2015-03-31/functions/f?Qualifier=1"
    unsigned version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
    http_headers headers;
    // The message body with any chunked transfer coding removed. Content-Encoding (gzip) is NOT
    // undone: that is the business of the service that accepts it (the AWS front does).
    std::string body;
    bool keep_alive = true;       // whether the client asked to keep the connection open
    std::string remote_endpoint;  // "127.0.0.1:53412"; empty when not from a socket

    // Filled by the router: the values of the route's {name} segments (percent-decoded), and
    // "*" for the rest matched by a trailing wildcard (raw, not decoded).
    std::vector<std::pair<std::string, std::string>> path_params;

    // The target up to '?', not decoded: "/2015-03-31/functions/f".
    std::string_view path() const;
    // The target after '?', not decoded; empty when there is none.
    std::string_view query() const;
    // The first query parameter named `name`, percent-decoded ('+' is a space); nullopt when
    // absent or when its encoding is invalid.
    std::optional<std::string> query_param(std::string_view name) const;
    // A path parameter filled by the router; empty when there is none.
    std::string_view path_param(std::string_view name) const;
};

// Decodes %XX escapes (and '+' as a space when `plus_as_space`); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space = false);

}  // namespace esser::emulator

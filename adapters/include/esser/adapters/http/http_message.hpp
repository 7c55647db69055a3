#pragma once
// Plain, owning HTTP/1.1 request and response values: what esser signs (SigV4), verifies, sends
// through http_client and receives back. Beast-free on purpose, so that public headers of the
// adapters layer never pull in Boost.Beast; http_client converts at its boundary.
//
// Header names compare case-insensitively (RFC 9110 §5.1); their order and repetitions are kept
// as given, because SigV4 joins repeated headers in order.

#include <string>
#include <string_view>
#include <vector>

namespace esser::adapters {

struct http_header {
    std::string name;
    std::string value;

    friend bool operator==(const http_header&, const http_header&) = default;
};

// ASCII case-insensitive equality, as header names need.
bool iequals(std::string_view a, std::string_view b) noexcept;

class http_headers {
public:
    http_headers() = default;

    http_headers(std::initializer_list<http_header> h) : items_(h) {}

    // The first value of `name`, or nullptr.
    const std::string* find(std::string_view name) const noexcept;
    // Replaces every header called `name` by one with `value` (appended if there was none; the
    // position of the first existing one is kept otherwise).
    void set(std::string_view name, std::string value);
    // Appends, keeping existing headers of the same name.
    void add(std::string name, std::string value);
    // Removes every header called `name`; returns how many were removed.
    std::size_t remove(std::string_view name);

    const std::vector<http_header>& items() const noexcept { return items_; }

    auto begin() const noexcept { return items_.begin(); }

    auto end() const noexcept { return items_.end(); }

    std::size_t size() const noexcept { return items_.size(); }

    bool empty() const noexcept { return items_.empty(); }

    friend bool operator==(const http_headers&, const http_headers&) = default;

private:
    std::vector<http_header> items_;
};

struct http_request {
    std::string method = "POST";
    // The request-target exactly as it goes on the request line: percent-encoded path, then an
    // optional "?query" (RFC 9112 §3.2 origin-form), e.g. "/", "/a%20b?x=1&y=2".
    std::string target = "/";
    http_headers headers;
    std::string body;

    // Path part of `target` (before '?'), and the query (after '?', empty if none).
    std::string_view path() const noexcept;
    std::string_view query() const noexcept;
};

struct http_response {
    int status = 0;
    http_headers headers;
    std::string body;
};

}  // namespace esser::adapters

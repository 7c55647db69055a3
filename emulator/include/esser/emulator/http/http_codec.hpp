#pragma once
// The server's HTTP/1.1 parsing and serialisation, callable without a socket: the fuzzer and
// the tests feed raw bytes through exactly the code the server runs (Beast's parser with the
// server's limits, and the same request/response conversions).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "esser/emulator/http/http_request.hpp"
#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator {

struct http_parse_limits {
    std::uint64_t max_body_bytes = 16u * 1024 * 1024;
    std::uint32_t max_header_bytes = 64u * 1024;
};

enum class http_parse_status {
    ok,                // `request` holds one complete request of `consumed` bytes
    incomplete,        // more bytes are needed
    malformed,         // not HTTP/1.x: the server answers 400
    body_too_large,    // the server answers 413
    header_too_large,  // the server answers 431
};

struct http_parse_result {
    http_parse_status status = http_parse_status::incomplete;
    http_request request;
    std::size_t consumed = 0;
    std::string detail;  // the parser's reason when not ok
};

// Parses the first request in `bytes`.
http_parse_result parse_http_request(std::string_view bytes, const http_parse_limits& limits = {});

// The bytes the server writes for `res` answering a request of HTTP `version` (10 or 11):
// status line, the handler's headers (CR/LF stripped from values, invalid names dropped),
// Content-Length, and Connection when keep-alive differs from the version's default.
std::string serialize_http_response(const http_response& res, unsigned version = 11,
                                    bool keep_alive = true);

// The reason phrase of a status code ("Not Found"), or "" for an unknown one.
std::string_view http_reason_phrase(int status) noexcept;

}  // namespace esser::emulator

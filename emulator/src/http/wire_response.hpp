#pragma once
// Private to the http area: a response as the server writes it, the status line and header
// block in one string and the body beside it, so the server sends both with one gathered write
// and never copies the body (a Query answer is ~40 KB).
//
// The bytes follow RFC 9112 §4 and §6 and are what Beast's serializer wrote for the same
// message (http_codec_test compares them): status line, the handler's fields in order, then
// Connection when keep-alive differs from the version's default, then Content-Length, except
// on 204 and 304, which carry none (RFC 9110 §8.6; Beast wrote "Content-Length: 0").

#include <string>

#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator::detail {

struct wire_response {
    int status = 500;  // as written: outside 200..999 a handler's status becomes 500
    std::string head;  // "HTTP/1.1 200 OK\r\n...\r\n\r\n"
    std::string body;  // empty for 204 and 304
};

// Header names that are not HTTP tokens are dropped and CR, LF and NUL are removed from values
// (no header injection from a handler); Content-Length, Transfer-Encoding and Connection are the
// server's; `keep_alive` is also off when res.close is set. `version` is 10 or 11.
wire_response to_wire(http_response&& res, unsigned version, bool keep_alive);

}  // namespace esser::emulator::detail

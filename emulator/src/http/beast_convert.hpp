#pragma once
// Private to the http area: conversions between Beast messages and the Beast-free vocabulary
// (http_request, http_response). Included only by http_codec.cpp and http_server.cpp.

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "esser/emulator/http/http_request.hpp"
#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator::detail {

using beast_request = boost::beast::http::request<boost::beast::http::string_body>;
using beast_response = boost::beast::http::response<boost::beast::http::string_body>;

// Moves the fields and body out of `req`.
http_request from_beast(beast_request&& req, std::string remote_endpoint);

// The message the server writes. Status outside 200..999 becomes 500; header names that are
// not HTTP tokens are dropped and CR, LF and NUL are removed from values (no header injection
// from a handler); Content-Length, Transfer-Encoding and Connection are the server's; bodies of
// 204 and 304 are dropped.
beast_response to_beast(http_response&& res, unsigned version, bool keep_alive);

}  // namespace esser::emulator::detail

#pragma once
// Private to the http area: a Beast request into the Beast-free vocabulary (http_request).
// Included only by http_codec.cpp and http_server.cpp. Responses are written without Beast
// (wire_response.hpp).

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "esser/emulator/http/http_request.hpp"
#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator::detail {

using beast_request = boost::beast::http::request<boost::beast::http::string_body>;

// Moves the fields and body out of `req`.
http_request from_beast(beast_request&& req, std::string remote_endpoint);

}  // namespace esser::emulator::detail

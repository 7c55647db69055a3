#pragma once
// One HTTP response as a handler builds it. The server adds Content-Length (and Connection when
// it closes the connection); everything else is the handler's.

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "esser/emulator/http/http_headers.hpp"

namespace esser::emulator {

struct http_response {
    int status = 200;  // 100..999; anything else is written as 500
    http_headers headers;
    std::string body;
    // Ask the server to close the connection after writing this response.
    bool close = false;
    // A label for metrics and logs ("DynamoDB.PutItem", "lambda.Invoke"); never sent. Empty:
    // the server uses the name of the route that handled the request. Keep the set of values
    // small and fixed (never echo user input): each value is a Prometheus series.
    std::string operation;

    // `body` with Content-Type `content_type`.
    static http_response text(int status, std::string body,
                              std::string_view content_type = "text/plain; charset=utf-8");
    // `body` serialised compactly (invalid UTF-8 replaced by U+FFFD) as application/json.
    static http_response json(int status, const nlohmann::json& body);
    // No body.
    static http_response empty(int status);
};

}  // namespace esser::emulator

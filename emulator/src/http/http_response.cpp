#include "esser/emulator/http/http_response.hpp"

#include <nlohmann/json.hpp>

namespace esser::emulator {

http_response http_response::text(int status, std::string body, std::string_view content_type) {
    http_response r;
    r.status = status;
    r.headers.set("Content-Type", std::string(content_type));
    r.body = std::move(body);
    return r;
}

http_response http_response::json(int status, const nlohmann::json& body) {
    // Replace, never throw, on invalid UTF-8: a response must always be writable.
    return text(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                "application/json");
}

http_response http_response::empty(int status) {
    http_response r;
    r.status = status;
    return r;
}

}  // namespace esser::emulator

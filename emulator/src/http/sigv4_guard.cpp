#include "esser/emulator/http/sigv4_guard.hpp"

#include <chrono>

#include "esser/emulator/http/rest_error.hpp"

namespace esser::emulator {

sigv4_guard::sigv4_guard(std::vector<adapters::credentials> keys, time_source now)
    : keys_(std::move(keys)), now_(std::move(now)) {
    if (!now_)
        now_ = [] { return std::chrono::system_clock::now(); };
}

core::expected<adapters::sigv4_identity, adapters::aws_error> sigv4_guard::verify(
    const http_request& req, std::string_view service) const {
    // The verifier works on the adapters' (client side) request type: copy what it reads.
    adapters::http_request signed_req;
    signed_req.method = req.method;
    signed_req.target = req.target;
    for (const auto& [name, value] : req.headers) signed_req.headers.add(name, value);
    signed_req.body = req.body;
    const auto lookup = [this](std::string_view key) -> std::optional<adapters::credentials> {
        for (const auto& c : keys_) {
            if (c.access_key_id == key)
                return c;
        }
        return std::nullopt;
    };
    adapters::sigv4_verify_options o;
    o.service = std::string(service);
    return adapters::verify_sigv4(signed_req, lookup, now_(), o);
}

std::optional<http_response> sigv4_guard::rest_error_answer(const http_request& req,
                                                            std::string_view service) const {
    auto verified = verify(req, service);
    if (verified)
        return std::nullopt;
    // REST services answer every authentication failure 403 (DynamoDB's JSON protocol: 400).
    http_response r = lambda_error_response(403, verified.error().type, verified.error().message);
    r.operation = "auth.refused";
    return r;
}

}  // namespace esser::emulator

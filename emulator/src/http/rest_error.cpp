#include "esser/emulator/http/rest_error.hpp"

#include <nlohmann/json.hpp>

namespace esser::emulator {

http_response lambda_error_response(int status, std::string_view type, std::string_view message,
                                    std::string_view fault) {
    http_response r = http_response::json(
        status, {{"Type", std::string(fault)}, {"message", std::string(message)}});
    r.headers.set("x-amzn-ErrorType", std::string(type));
    return r;
}

int esser_error_status(core::errc code) noexcept {
    using core::errc;
    switch (code) {
        case errc::validation:
        case errc::invalid_domain:
        case errc::parse_error:
        case errc::invalid_argument:
            return 400;
        case errc::not_found:
            return 404;
        case errc::version_conflict:
            return 409;
        case errc::aggregate_deleted:
            return 410;
        case errc::vetoed:
            return 422;
        case errc::throttled:
            return 429;
        case errc::remote:
            return 502;
        case errc::unavailable:
            return 503;
        case errc::timeout:
            return 504;
        case errc::internal:
            return 500;
    }
    return 500;
}

http_response esser_error_response(const core::error& e) {
    nlohmann::json err = {{"type", std::string(core::to_string(e.code))}, {"message", e.message}};
    if (!e.fields.empty()) {
        nlohmann::json fields = nlohmann::json::array();
        for (const auto& f : e.fields)
            fields.push_back({{"pointer", f.pointer}, {"reason", f.reason}});
        err["fields"] = std::move(fields);
    }
    if (!e.type.empty())
        err["remote_type"] = e.type;
    if (!e.source.empty())
        err["source"] = e.source;
    return http_response::json(esser_error_status(e.code), {{"error", std::move(err)}});
}

}  // namespace esser::emulator

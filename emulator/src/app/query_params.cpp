#include "query_params.hpp"

#include <charconv>

namespace esser::emulator {

core::result<std::optional<std::uint64_t>> number_param(const http_request& req,
                                                        std::string_view name, std::uint64_t min,
                                                        std::uint64_t max) {
    const bool present = req.query().find(std::string(name) + "=") != std::string_view::npos;
    auto text = req.query_param(name);
    if (!text) {
        if (!present)
            return std::optional<std::uint64_t>{};
        text = std::string("(malformed)");
    }
    std::uint64_t v = 0;
    const char* end = text->data() + text->size();
    auto [p, ec] = std::from_chars(text->data(), end, v);
    if (text->empty() || ec != std::errc() || p != end || v < min || v > max) {
        return core::fail(core::error::validation(
            "query parameter '" + std::string(name) + "' must be a whole number from " +
                std::to_string(min) + " to " + std::to_string(max),
            {{"/" + std::string(name), "not a whole number in range: " + *text}}));
    }
    return std::optional<std::uint64_t>{v};
}

core::result<std::vector<std::pair<std::string, std::string>>> query_params(
    const http_request& req) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view q = req.query();
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        auto value = eq == std::string_view::npos ? std::optional<std::string>(std::string())
                                                  : percent_decode(pair.substr(eq + 1), true);
        if (!key || !value) {
            const std::string raw(pair);
            return core::fail(core::error::validation(
                "query parameter '" + raw + "' has a malformed %-escape",
                {{"/" + (key ? *key : raw), "malformed percent-encoding"}}));
        }
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

}  // namespace esser::emulator

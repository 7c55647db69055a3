#include "esser/emulator/http/http_codec.hpp"

#include <sstream>

#include "beast_convert.hpp"
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

namespace esser::emulator {

namespace beast = boost::beast;
namespace http = beast::http;

namespace detail {

http_request from_beast(beast_request&& req, std::string remote_endpoint) {
    http_request out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    out.version = req.version();
    out.keep_alive = req.keep_alive();
    for (const auto& f : req) out.headers.add(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(req.body());
    out.remote_endpoint = std::move(remote_endpoint);
    return out;
}

namespace {

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

bool is_token(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s)
        if (!is_token_char(c))
            return false;
    return true;
}

std::string clean_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v)
        if (c != '\r' && c != '\n' && c != '\0')
            out += c;
    return out;
}

}  // namespace

beast_response to_beast(http_response&& res, unsigned version, bool keep_alive) {
    beast_response out;
    out.version(version);
    const int status = (res.status >= 200 && res.status <= 999) ? res.status : 500;
    out.result(static_cast<unsigned>(status));
    for (const auto& [name, value] : res.headers) {
        if (!is_token(name))
            continue;
        if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
            iequals(name, "Connection"))
            continue;
        out.insert(name, clean_value(value));
    }
    if (status != 204 && status != 304)
        out.body() = std::move(res.body);
    out.keep_alive(keep_alive && !res.close);
    out.prepare_payload();
    return out;
}

}  // namespace detail

http_parse_result parse_http_request(std::string_view bytes, const http_parse_limits& limits) {
    http_parse_result result;
    http::request_parser<http::string_body> parser;
    parser.header_limit(limits.max_header_bytes);
    parser.body_limit(limits.max_body_bytes);
    parser.eager(true);
    std::size_t used = 0;
    while (!parser.is_done()) {
        beast::error_code ec;
        const std::size_t n =
            parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        // need_more: everything available was offered (a header must arrive whole).
        if (ec == http::error::need_more || (!ec && n == 0 && used >= bytes.size())) {
            result.status = http_parse_status::incomplete;
            result.consumed = used;
            return result;
        }
        if (!ec && n == 0) {  // defensive: no progress and no reason
            result.status = http_parse_status::malformed;
            result.detail = "parser made no progress";
            return result;
        }
        if (ec) {
            result.detail = ec.message();
            if (ec == http::error::body_limit) {
                result.status = http_parse_status::body_too_large;
            } else if (ec == http::error::header_limit) {
                result.status = http_parse_status::header_too_large;
            } else {
                result.status = http_parse_status::malformed;
            }
            result.consumed = used;
            return result;
        }
    }
    result.status = http_parse_status::ok;
    result.consumed = used;
    result.request = detail::from_beast(parser.release(), {});
    return result;
}

std::string serialize_http_response(const http_response& res, unsigned version, bool keep_alive) {
    http_response copy = res;
    auto msg = detail::to_beast(std::move(copy), version, keep_alive);
    std::ostringstream os;
    os << msg;
    return std::move(os).str();
}

std::string_view http_reason_phrase(int status) noexcept {
    if (status < 100 || status > 999)
        return {};
    const auto s = http::int_to_status(static_cast<unsigned>(status));
    if (s == http::status::unknown)
        return {};
    const auto r = http::obsolete_reason(s);
    return {r.data(), r.size()};
}

}  // namespace esser::emulator

#include "esser/emulator/http/http_codec.hpp"

#include <array>

#include "beast_convert.hpp"
#include "wire_response.hpp"
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

// RFC 9110 §5.6.2 tchar.
constexpr std::array<bool, 256> token_chars = [] {
    std::array<bool, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] = true;
    return t;
}();

bool is_token_char(char c) {
    return token_chars[static_cast<unsigned char>(c)];
}

bool is_token(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s)
        if (!is_token_char(c))
            return false;
    return true;
}

void append_clean_value(std::string& out, std::string_view v) {
    const char* p = v.data();
    const char* const end = p + v.size();
    while (p != end) {
        const char* run = p;
        while (p != end && *p != '\r' && *p != '\n' && *p != '\0') ++p;
        out.append(run, p);
        if (p != end)
            ++p;
    }
}

void append_number(std::string& out, std::size_t n) {
    char digits[20];
    char* p = digits + sizeof(digits);
    do {
        *--p = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    out.append(p, digits + sizeof(digits));
}

}  // namespace

wire_response to_wire(http_response&& res, unsigned version, bool keep_alive) {
    wire_response out;
    out.status = (res.status >= 200 && res.status <= 999) ? res.status : 500;
    const bool has_body = out.status != 204 && out.status != 304;
    if (has_body)
        out.body = std::move(res.body);
    keep_alive = keep_alive && !res.close;

    std::size_t size = 64;
    for (const auto& [name, value] : res.headers) size += name.size() + value.size() + 4;
    std::string& h = out.head;
    h.reserve(size);
    h += "HTTP/";
    h += static_cast<char>('0' + version / 10 % 10);
    h += '.';
    h += static_cast<char>('0' + version % 10);
    h += ' ';
    append_number(h, static_cast<std::size_t>(out.status));
    h += ' ';
    h += http_reason_phrase(out.status);
    h += "\r\n";
    for (const auto& [name, value] : res.headers) {
        if (!is_token(name))
            continue;
        if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
            iequals(name, "Connection"))
            continue;
        h += name;
        h += ": ";
        append_clean_value(h, value);
        h += "\r\n";
    }
    if (version >= 11 && !keep_alive)
        h += "Connection: close\r\n";
    else if (version < 11 && keep_alive)
        h += "Connection: keep-alive\r\n";
    if (has_body) {
        h += "Content-Length: ";
        append_number(h, out.body.size());
        h += "\r\n";
    }
    h += "\r\n";
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
    auto wire = detail::to_wire(std::move(copy), version, keep_alive);
    return std::move(wire.head) + wire.body;
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

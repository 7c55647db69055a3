#include "esser/emulator/http/http_response_reader.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace esser::emulator {

namespace {

constexpr std::size_t max_chunk_line = 4096;

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Calls fn(token) for each comma-separated, trimmed, non-empty element of a field value.
template <typename Fn>
void for_each_element(std::string_view value, Fn fn) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        const auto item = trim(value.substr(0, comma));
        if (!item.empty())
            fn(item);
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
}

}  // namespace

void http_response_reader::expect(body_mode mode, bool head_request) {
    phase_ = phase::head;
    state_ = state::reading;
    mode_ = mode;
    keep_body_ = mode == body_mode::keep;
    head_request_ = head_request;
    head_.clear();
    body_.clear();
    error_.clear();
    status_ = 0;
    keep_alive_ = false;
    remaining_ = 0;
    body_size_ = 0;
    consumed_ = 0;
}

http_response_reader::state http_response_reader::fail(std::string why) {
    error_ = std::move(why);
    keep_alive_ = false;
    state_ = state::failed;
    return state_;
}

void http_response_reader::take_body(std::string_view part) {
    body_size_ += part.size();
    if (keep_body_)
        body_.append(part);
}

http_response_reader::state http_response_reader::feed(std::string_view bytes) {
    consumed_ = 0;
    while (state_ == state::reading && consumed_ < bytes.size()) {
        std::string_view in = bytes.substr(consumed_);
        switch (phase_) {
            case phase::head: {
                // Search only where the terminator can newly appear.
                const std::size_t from = head_.size() < 3 ? 0 : head_.size() - 3;
                const std::size_t room = limits_.max_header_bytes - head_.size();
                const auto take = std::min(in.size(), room);
                head_.append(in.substr(0, take));
                const auto end = head_.find("\r\n\r\n", from);
                if (end == std::string::npos) {
                    consumed_ += take;
                    if (head_.size() >= limits_.max_header_bytes)
                        return fail("response head larger than " +
                                    std::to_string(limits_.max_header_bytes) + " bytes");
                    break;
                }
                // Give back what follows the head.
                const std::size_t extra = head_.size() - (end + 4);
                consumed_ += take - extra;
                head_.resize(end + 4);
                if (parse_head() == state::failed)
                    return state_;
                break;
            }
            case phase::fixed_body: {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
                take_body(in.substr(0, n));
                consumed_ += n;
                remaining_ -= n;
                if (remaining_ == 0)
                    state_ = state::done;
                break;
            }
            case phase::until_close: {
                if (body_size_ + in.size() > limits_.max_body_bytes)
                    return fail("response body larger than " +
                                std::to_string(limits_.max_body_bytes) + " bytes");
                take_body(in);
                consumed_ += in.size();
                break;
            }
            case phase::chunk_size:
            case phase::trailer:
            case phase::chunk_data_end: {
                // One line at a time (chunk-size [; ext] CRLF, a trailer field, or the CRLF after
                // chunk data), gathered in head_.
                const auto lf = in.find('\n');
                const auto take = lf == std::string_view::npos ? in.size() : lf + 1;
                if (head_.size() + take > max_chunk_line)
                    return fail("chunked coding: a line longer than " +
                                std::to_string(max_chunk_line) + " bytes");
                head_.append(in.substr(0, take));
                consumed_ += take;
                if (lf == std::string_view::npos)
                    break;
                if (head_.size() < 2 || head_[head_.size() - 2] != '\r')
                    return fail("chunked coding: a line not ended by CRLF");
                std::string_view line(head_.data(), head_.size() - 2);
                if (phase_ == phase::chunk_data_end) {
                    if (!line.empty())
                        return fail("chunked coding: chunk data longer than its size");
                    phase_ = phase::chunk_size;
                } else if (phase_ == phase::trailer) {
                    if (line.empty())
                        state_ = state::done;
                } else {
                    const auto hex = trim(line.substr(0, line.find(';')));
                    std::uint64_t size = 0;
                    const auto [p, ec] =
                        std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
                    if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size())
                        return fail("chunked coding: bad chunk size '" + std::string(line) + "'");
                    if (size > limits_.max_body_bytes - body_size_)
                        return fail("response body larger than " +
                                    std::to_string(limits_.max_body_bytes) + " bytes");
                    remaining_ = size;
                    phase_ = size == 0 ? phase::trailer : phase::chunk_data;
                }
                head_.clear();
                break;
            }
            case phase::chunk_data: {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
                take_body(in.substr(0, n));
                consumed_ += n;
                remaining_ -= n;
                if (remaining_ == 0)
                    phase_ = phase::chunk_data_end;
                break;
            }
        }
    }
    return state_;
}

http_response_reader::state http_response_reader::finish() {
    if (state_ != state::reading)
        return state_;
    if (phase_ == phase::until_close) {
        state_ = state::done;
        return state_;
    }
    return fail(phase_ == phase::head && head_.empty()
                    ? "connection closed before a response"
                    : "connection closed in the middle of a response");
}

http_response_reader::state http_response_reader::parse_head() {
    std::string_view head(head_);
    head.remove_suffix(2);  // keep one CRLF per line
    // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF.
    const auto eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') ||
        line[8] != ' ' || (line.size() > 12 && line[12] != ' '))
        return fail("malformed status line '" + std::string(line.substr(0, 80)) + "'");
    int code = 0;
    for (int i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9')
            return fail("malformed status line '" + std::string(line.substr(0, 80)) + "'");
        code = code * 10 + (line[i] - '0');
    }
    if (code < 100)
        return fail("status code " + std::to_string(code) + " out of range");
    for (char c : line.substr(12))
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail("control character in the reason phrase");
    const bool http11 = line[7] == '1';

    std::optional<std::uint64_t> length;
    bool chunked = false;
    bool other_coding = false;
    bool close = !http11;
    std::string_view rest = head.substr(eol + 2);
    while (!rest.empty()) {
        const auto e = rest.find("\r\n");
        const std::string_view field = rest.substr(0, e);
        rest.remove_prefix(e + 2);
        if (field.empty() || field.front() == ' ' || field.front() == '\t')
            return fail("obsolete line folding or an empty header line");
        const auto colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return fail("header line without a name: '" + std::string(field.substr(0, 80)) + "'");
        const auto name = field.substr(0, colon);
        if (!std::all_of(name.begin(), name.end(), is_tchar))
            return fail("invalid header name '" + std::string(name.substr(0, 80)) + "'");
        const auto value = trim(field.substr(colon + 1));
        for (char c : value)
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return fail("control character in header " + std::string(name));
        if (iequals(name, "content-length")) {
            bool bad = false;
            for_each_element(value, [&](std::string_view v) {
                std::uint64_t n = 0;
                const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
                if (ec != std::errc() || p != v.data() + v.size() || (length && *length != n))
                    bad = true;
                length = n;
            });
            if (bad || !length)
                return fail("invalid Content-Length '" + std::string(value.substr(0, 80)) + "'");
        } else if (iequals(name, "transfer-encoding")) {
            for_each_element(value, [&](std::string_view coding) {
                // chunked must be the final coding; anything after it, or only others, means
                // the body runs until the close (RFC 9112 §6.3).
                chunked = iequals(coding, "chunked");
                other_coding = other_coding || !chunked;
            });
        } else if (iequals(name, "connection")) {
            for_each_element(value, [&](std::string_view opt) {
                if (iequals(opt, "close"))
                    close = true;
                else if (iequals(opt, "keep-alive") && !http11)
                    close = false;
            });
        }
    }

    if (code >= 100 && code < 200 && code != 101) {
        // An interim response (100 Continue, 103 Early Hints): the real one follows.
        head_.clear();
        return state_;
    }
    status_ = code;
    keep_alive_ = !close;
    keep_body_ = mode_ == body_mode::keep || (mode_ == body_mode::keep_errors && code >= 300);
    head_.clear();
    if (head_request_ || code == 204 || code == 304 || code == 101) {
        state_ = state::done;
    } else if (chunked) {
        phase_ = phase::chunk_size;
    } else if (other_coding) {
        phase_ = phase::until_close;
        keep_alive_ = false;
    } else if (length) {
        if (*length > limits_.max_body_bytes)
            return fail("response body of " + std::to_string(*length) +
                        " bytes is over the limit of " + std::to_string(limits_.max_body_bytes));
        remaining_ = *length;
        phase_ = phase::fixed_body;
        if (remaining_ == 0)
            state_ = state::done;
        else if (keep_body_)
            body_.reserve(static_cast<std::size_t>(remaining_));
    } else {
        phase_ = phase::until_close;
        keep_alive_ = false;
    }
    return state_;
}

}  // namespace esser::emulator

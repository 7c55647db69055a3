#pragma once
// A deliberately dumb HTTP client over plain POSIX sockets, for tests that must control every
// byte on the wire (slow-loris, malformed requests, pipelining, half-closed connections).
// Every read has a timeout, so a server bug fails a test instead of hanging it.

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace esser::test {

struct raw_response {
    int status = 0;
    std::string reason;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;

    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }

    bool has_header(const std::string& name) const { return headers.count(name) > 0; }
};

class raw_client {
public:
    explicit raw_client(std::uint16_t port,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
        : timeout_(timeout) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0)
            throw std::runtime_error("socket() failed");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error(std::string("connect() failed: ") + std::strerror(errno));
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }

    ~raw_client() {
        if (fd_ >= 0)
            ::close(fd_);
    }

    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;

    // Sends all of `bytes`; false if the peer is gone.
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

    // Reads one response; nullopt on timeout, EOF or a reset before a complete response.
    std::optional<raw_response> read_response() {
        std::size_t header_end;
        while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill())
                return std::nullopt;
        }
        raw_response r;
        std::string_view head(buf_.data(), header_end);
        const auto first_eol = head.find("\r\n");
        std::string_view status_line = head.substr(0, first_eol);
        // "HTTP/1.1 200 OK"
        if (status_line.size() < 12)
            return std::nullopt;
        r.status = std::stoi(std::string(status_line.substr(9, 3)));
        r.reason = std::string(status_line.size() > 13 ? status_line.substr(13) : "");
        std::string_view rest =
            first_eol == std::string_view::npos ? std::string_view{} : head.substr(first_eol + 2);
        while (!rest.empty()) {
            const auto eol = rest.find("\r\n");
            std::string_view line = rest.substr(0, eol);
            rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
            const auto colon = line.find(':');
            if (colon == std::string_view::npos)
                continue;
            std::string name(line.substr(0, colon));
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            r.headers.emplace(std::move(name), std::string(value));
        }
        buf_.erase(0, header_end + 4);
        std::size_t length = 0;
        if (r.has_header("content-length"))
            length = std::stoul(r.header("content-length"));
        if (r.status == 100)
            return r;
        while (buf_.size() < length) {
            if (!fill())
                return std::nullopt;
        }
        r.body = buf_.substr(0, length);
        buf_.erase(0, length);
        return r;
    }

    // True when the server closed the connection (EOF or reset) within the timeout.
    bool closed_by_peer() {
        for (;;) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0)
                return false;
            char c[512];
            const auto n = ::recv(fd_, c, sizeof c, 0);
            if (n <= 0)
                return true;
            buf_.append(c, static_cast<std::size_t>(n));
        }
    }

    int fd() const { return fd_; }

private:
    bool fill() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0)
            return false;
        char chunk[65536];
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        buf_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::chrono::milliseconds timeout_;
    std::string buf_;
};

// "POST / HTTP/1.1" with Host, Content-Length and the given extra header lines.
inline std::string make_request(std::string_view method, std::string_view target,
                                std::string_view body = {}, std::string_view extra_headers = {}) {
    std::string r;
    r += method;
    r += ' ';
    r += target;
    r += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    r += extra_headers;
    if (!body.empty() || method == "POST")
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += "\r\n";
    r += body;
    return r;
}

}  // namespace esser::test

#pragma once
// An incremental HTTP/1.1 *response* parser for clients that drive a server hard: esser-bench
// (issue 6) reads every answer through it. It keeps no copy of the body unless asked, allocates
// nothing per response once warm, and is strict: anything that is not a well-formed HTTP/1.x
// response (RFC 9112 §4 status line, §5 fields, §6.3 message body length, §7.1 chunked coding)
// is an error with a reason, never a guess.
//
//   http_response_reader r;
//   r.expect(/*head_request=*/false);
//   for (;;) {                          // bytes arrive in any split
//       auto n = recv(fd, buf, sizeof buf, 0);
//       if (n == 0) r.finish();          // the peer closed: completes a read-until-close body
//       auto st = r.feed(std::string_view(buf, n));   // consumes what belongs to this response
//       if (st == http_response_reader::state::done) { ... r.status() ... r.body() ... }
//       if (st == http_response_reader::state::failed) { ... r.error() ... }
//   }
//
// Bytes after a complete response (the next pipelined one) are not consumed: feed() reports how
// many it took through consumed().

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace esser::emulator {

class http_response_reader {
public:
    enum class state { reading, done, failed };

    struct limits {
        std::size_t max_header_bytes = 64 * 1024;
        std::uint64_t max_body_bytes = 64ull * 1024 * 1024;
    };

    http_response_reader() = default;

    explicit http_response_reader(limits l) : limits_(l) {}

    // What to do with the body: store it, only count it, or store it only when the status is
    // not 2xx (a load generator reads the error's __type and nothing else).
    enum class body_mode { keep, discard, keep_errors };

    // Starts a new response. A response to HEAD has no body whatever its headers say.
    void expect(body_mode mode = body_mode::keep, bool head_request = false);

    // Consumes bytes of the current response; returns the state after them. In `done` or
    // `failed`, further bytes are not consumed.
    state feed(std::string_view bytes);
    // The connection ended: a body delimited by the close is complete; anything else that is
    // unfinished becomes an error.
    state finish();

    state current() const { return state_; }

    std::size_t consumed() const { return consumed_; }  // by the last feed()

    int status() const { return status_; }

    // The server keeps the connection open after this response (HTTP/1.1 without
    // "Connection: close"; HTTP/1.0 with "Connection: keep-alive"; never for a read-until-close
    // body).
    bool keep_alive() const { return keep_alive_; }

    std::uint64_t body_size() const { return body_size_; }

    const std::string& body() const { return body_; }  // empty unless kept

    const std::string& error() const { return error_; }

private:
    enum class phase {
        head,
        fixed_body,
        chunk_size,
        chunk_data,
        chunk_data_end,
        trailer,
        until_close
    };

    state fail(std::string why);
    state parse_head();  // head_ holds the whole head, ending with CRLF CRLF
    void take_body(std::string_view part);

    limits limits_{};
    phase phase_ = phase::head;
    state state_ = state::reading;
    body_mode mode_ = body_mode::keep;
    bool keep_body_ = true;  // for this response, once its status is known
    bool head_request_ = false;
    std::string head_;  // the head so far (and scratch for chunk-size lines and trailers)
    std::string body_;
    std::string error_;
    int status_ = 0;
    bool keep_alive_ = false;
    std::uint64_t remaining_ = 0;  // of a fixed body or the current chunk
    std::uint64_t body_size_ = 0;
    std::size_t consumed_ = 0;
};

}  // namespace esser::emulator

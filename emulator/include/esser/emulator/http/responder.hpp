#pragma once
// responder: how an asynchronous handler answers a request.
//
// A handler receives the request and a responder, and calls send() exactly once, from any
// thread, now or later. That is what lets a Lambda Runtime API `GET /runtime/invocation/next`
// long-poll park until an invocation arrives without holding a server thread, and lets a
// service finish work on its own strand or thread pool (spec/streams-and-lambda.md §5.2).
//
//   void next_handler(http_request req, responder res) {
//       queue_.park(std::move(res));          // answered later, by the invoke path
//   }
//   ...
//   parked.send(http_response::json(200, event));
//
// Copies share one request. Guarantees:
//  - The first send() delivers the response; later ones return false and do nothing.
//  - When the last copy is destroyed without a send(), the request is answered 500 ("handler
//    dropped the request") so a bug cannot hang a client.
//  - The owner of the request (the server) may cancel it: the client disconnected, or the
//    server stopped and its shutdown grace period ran out. After that send() returns false and
//    the on_cancel callback (if any) runs once. Long-pollers use it to stop waiting.
// Thread safety: every member may be called concurrently from any thread.

#include <functional>
#include <memory>

#include "esser/emulator/http/http_response.hpp"

namespace esser::emulator {

class responder {
public:
    using sink = std::function<void(http_response)>;

    // A responder whose response goes to `deliver` (called at most once, on the thread that
    // calls send() or that destroys the last copy). The server makes these; so can tests and
    // in-process callers.
    explicit responder(sink deliver);

    // Delivers `res`. Returns false (and drops `res`) if the request was already answered or
    // cancelled.
    bool send(http_response res) const;
    // True once answered (by send() or a drop) or cancelled.
    bool done() const;
    // True once the owner cancelled the request.
    bool cancelled() const;
    // Runs `fn` once when the request is cancelled; immediately on this thread if it already
    // was. Never runs after a successful send(). `fn` runs on a server thread: keep it short,
    // thread-safe and non-blocking. A later call replaces an earlier callback.
    void on_cancel(std::function<void()> fn) const;

    // For the owner of the request: a callable that cancels it. It holds no claim on the
    // response, so keeping it does not prevent the "dropped" answer.
    std::function<void()> canceller() const;

private:
    struct state;
    struct handle;
    std::shared_ptr<handle> h_;
};

}  // namespace esser::emulator

#include "esser/emulator/http/responder.hpp"

#include <mutex>

namespace esser::emulator {

// Shared by every copy of a responder and by cancellers.
struct responder::state {
    std::mutex mu;
    sink deliver;  // emptied once used
    bool done = false;
    bool cancelled = false;
    std::function<void()> on_cancel;

    // Takes the sink if the request is still open; the caller delivers outside the lock, so a
    // sink may itself use the responder without deadlocking.
    sink claim() {
        std::lock_guard lock(mu);
        if (done)
            return {};
        done = true;
        on_cancel = nullptr;
        return std::move(deliver);
    }

    void cancel() {
        std::function<void()> fn;
        {
            std::lock_guard lock(mu);
            if (done)
                return;
            done = true;
            cancelled = true;
            deliver = nullptr;
            fn = std::move(on_cancel);
        }
        if (fn)
            fn();
    }
};

// Held only by responder copies: when the last copy goes, an unanswered request is answered.
struct responder::handle {
    std::shared_ptr<state> s;

    handle() = default;
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;

    ~handle() {
        if (!s)
            return;
        if (auto deliver = s->claim()) {
            http_response r = http_response::text(
                500, "esser: the handler dropped the request without answering it\n");
            r.operation = "dropped";
            try {
                deliver(std::move(r));
            } catch (...) {
                // A destructor must not throw; the owner sees the request as abandoned.
            }
        }
    }
};

responder::responder(sink deliver) : h_(std::make_shared<handle>()) {
    h_->s = std::make_shared<state>();
    h_->s->deliver = std::move(deliver);
}

bool responder::send(http_response res) const {
    auto deliver = h_->s->claim();
    if (!deliver)
        return false;
    deliver(std::move(res));
    return true;
}

bool responder::done() const {
    std::lock_guard lock(h_->s->mu);
    return h_->s->done;
}

bool responder::cancelled() const {
    std::lock_guard lock(h_->s->mu);
    return h_->s->cancelled;
}

void responder::on_cancel(std::function<void()> fn) const {
    {
        std::lock_guard lock(h_->s->mu);
        if (!h_->s->cancelled) {
            if (!h_->s->done)
                h_->s->on_cancel = std::move(fn);
            return;
        }
    }
    if (fn)
        fn();
}

std::function<void()> responder::canceller() const {
    return [s = h_->s] { s->cancel(); };
}

}  // namespace esser::emulator

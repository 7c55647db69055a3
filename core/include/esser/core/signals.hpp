#pragma once
// Publish/subscribe signals around command handling (the seed's event_received, event_pre_save,
// event_post_save with @receiver(signal, sender=...)).
//
//   received   a command arrived (before validation). Notification only.
//   pre_save   validated events are about to be appended. A receiver may veto by returning an
//              error (use error::vetoed(type, message)); the command then fails with it and
//              nothing is written. Runs inside command_handler, once per attempt.
//   post_save  an event is stored. Emitted by stream_handler for every event read from the
//              DynamoDB stream (production: the projection Lambda), at least once per event; a
//              failing receiver fails that record so the stream delivers it again.
//
// Sender filters: a receiver sees only matching signals. Empty members match anything.
//   entity      the aggregate's entity ("Item")
//   command     the command's name ("UpdatePrice"); received and pre_save only (stored events
//               do not record the command's name)
//   event_type  pre_save: any of the events has this type; post_save: the event's type
//
// Receivers are registered while the domain is built (domain_builder) and are immutable
// afterwards, so emitting is lock-free and thread-safe. Receivers run in registration order.
// An exception escaping a receiver becomes errc::internal naming the signal.

#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "esser/core/aggregate.hpp"
#include "esser/core/command.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event.hpp"

namespace esser::core {

struct sender_filter {
    std::string entity{};
    std::string command{};
    std::string event_type{};
};

// What a pre_save receiver sees: the command, the aggregate before it, the events to append.
struct pre_save_args {
    const command& cmd;
    const aggregate& before;
    const std::vector<event>& events;
};

using received_fn = std::function<result<void>(const command&)>;
using pre_save_fn = std::function<result<void>(const pre_save_args&)>;
using post_save_fn = std::function<result<void>(const event&)>;

// Wraps a receiver returning void or result<void> as a std::function returning result<void>.
template <class Arg, class F>
std::function<result<void>(Arg)> make_receiver(F&& fn) {
    using R = std::invoke_result_t<F&, Arg>;
    if constexpr (std::is_void_v<R>) {
        return [f = std::forward<F>(fn)](Arg a) mutable -> result<void> {
            f(a);
            return {};
        };
    } else {
        static_assert(std::is_convertible_v<R, result<void>>,
                      "a receiver returns void or core::result<void>");
        return std::function<result<void>(Arg)>(std::forward<F>(fn));
    }
}

class signals {
public:
    // Receivers may return void (never fail) or result<void>. A received receiver's error fails
    // the command like a veto.
    template <class F>
    void on_received(sender_filter filter, F&& fn) {
        received_.push_back(
            {std::move(filter), make_receiver<const command&>(std::forward<F>(fn))});
    }

    template <class F>
    void on_pre_save(sender_filter filter, F&& fn) {
        pre_save_.push_back(
            {std::move(filter), make_receiver<const pre_save_args&>(std::forward<F>(fn))});
    }

    template <class F>
    void on_post_save(sender_filter filter, F&& fn) {
        post_save_.push_back({std::move(filter), make_receiver<const event&>(std::forward<F>(fn))});
    }

    // The first failing receiver's error is returned; later receivers do not run.
    [[nodiscard]] result<void> emit_received(const command& c) const;
    [[nodiscard]] result<void> emit_pre_save(const pre_save_args& a) const;
    [[nodiscard]] result<void> emit_post_save(const event& e) const;

    bool empty() const { return received_.empty() && pre_save_.empty() && post_save_.empty(); }

    // For domain checks: every registered filter, per signal.
    std::vector<sender_filter> received_filters() const;
    std::vector<sender_filter> pre_save_filters() const;
    std::vector<sender_filter> post_save_filters() const;

private:
    template <class Fn>
    struct receiver {
        sender_filter filter;
        Fn fn;
    };

    std::vector<receiver<received_fn>> received_;
    std::vector<receiver<pre_save_fn>> pre_save_;
    std::vector<receiver<post_save_fn>> post_save_;
};

}  // namespace esser::core

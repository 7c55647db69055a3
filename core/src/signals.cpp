#include "esser/core/signals.hpp"

#include <exception>

namespace esser::core {

namespace {

bool matches(const std::string& want, const std::string& have) {
    return want.empty() || want == have;
}

template <class Fn, class Arg>
result<void> call(const Fn& fn, const Arg& arg, const char* signal) {
    try {
        return fn(arg);
    } catch (const std::exception& ex) {
        return fail(error::internal(std::string("a ") + signal + " receiver threw: " + ex.what()));
    } catch (...) {
        return fail(error::internal(std::string("a ") + signal + " receiver threw"));
    }
}

}  // namespace

result<void> signals::emit_received(const command& c) const {
    for (const auto& r : received_) {
        if (!matches(r.filter.entity, c.entity) || !matches(r.filter.command, c.name))
            continue;
        auto res = call(r.fn, c, "received");
        if (!res)
            return res;
    }
    return {};
}

result<void> signals::emit_pre_save(const pre_save_args& a) const {
    for (const auto& r : pre_save_) {
        if (!matches(r.filter.entity, a.cmd.entity) || !matches(r.filter.command, a.cmd.name)) {
            continue;
        }
        if (!r.filter.event_type.empty()) {
            bool any = false;
            for (const auto& e : a.events) any = any || e.type == r.filter.event_type;
            if (!any)
                continue;
        }
        auto res = call(r.fn, a, "pre_save");
        if (!res)
            return res;
    }
    return {};
}

result<void> signals::emit_post_save(const event& e) const {
    for (const auto& r : post_save_) {
        if (!matches(r.filter.entity, e.entity) || !matches(r.filter.event_type, e.type))
            continue;
        auto res = call(r.fn, e, "post_save");
        if (!res)
            return res;
    }
    return {};
}

std::vector<sender_filter> signals::received_filters() const {
    std::vector<sender_filter> out;
    for (const auto& r : received_) out.push_back(r.filter);
    return out;
}

std::vector<sender_filter> signals::pre_save_filters() const {
    std::vector<sender_filter> out;
    for (const auto& r : pre_save_) out.push_back(r.filter);
    return out;
}

std::vector<sender_filter> signals::post_save_filters() const {
    std::vector<sender_filter> out;
    for (const auto& r : post_save_) out.push_back(r.filter);
    return out;
}

}  // namespace esser::core

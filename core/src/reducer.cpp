#include "esser/core/reducer.hpp"

#include <algorithm>
#include <exception>
#include <limits>

#include "json_path.hpp"
#include <fmt/format.h>

namespace esser::core {

using nlohmann::json;

std::string_view to_string(reducer_op op) noexcept {
    switch (op) {
        case reducer_op::merge:
            return "merge";
        case reducer_op::set:
            return "set";
        case reducer_op::unset:
            return "unset";
        case reducer_op::append:
            return "append";
        case reducer_op::union_:
            return "union";
        case reducer_op::increment:
            return "increment";
        case reducer_op::delete_:
            return "delete";
        case reducer_op::function:
            return "function";
    }
    return "merge";
}

bool parse_reducer_op(std::string_view t, reducer_op& out) noexcept {
    static constexpr reducer_op all[] = {
        reducer_op::merge,  reducer_op::set,       reducer_op::unset,   reducer_op::append,
        reducer_op::union_, reducer_op::increment, reducer_op::delete_, reducer_op::function};
    for (auto op : all) {
        if (to_string(op) == t) {
            out = op;
            return true;
        }
    }
    return false;
}

reducer_step reducer_step::merge(std::vector<std::string> fields) {
    reducer_step s;
    s.op = reducer_op::merge;
    s.fields = std::move(fields);
    return s;
}

reducer_step reducer_step::merge_into(std::string path, std::vector<std::string> fields) {
    reducer_step s = merge(std::move(fields));
    s.path = std::move(path);
    s.from = "";
    return s;
}

reducer_step reducer_step::set(std::string path, std::optional<std::string> from) {
    reducer_step s;
    s.op = reducer_op::set;
    s.path = std::move(path);
    s.from = std::move(from);
    return s;
}

reducer_step reducer_step::set_value(std::string path, json value) {
    reducer_step s = set(std::move(path));
    s.value = std::move(value);
    return s;
}

reducer_step reducer_step::unset(std::string path) {
    reducer_step s;
    s.op = reducer_op::unset;
    s.path = std::move(path);
    return s;
}

reducer_step reducer_step::append(std::string path, std::optional<std::string> from) {
    reducer_step s;
    s.op = reducer_op::append;
    s.path = std::move(path);
    s.from = std::move(from);
    return s;
}

reducer_step reducer_step::union_of(std::string path, std::optional<std::string> from) {
    reducer_step s;
    s.op = reducer_op::union_;
    s.path = std::move(path);
    s.from = std::move(from);
    return s;
}

reducer_step reducer_step::increment(std::string path, std::optional<std::string> from) {
    reducer_step s;
    s.op = reducer_op::increment;
    s.path = std::move(path);
    s.from = std::move(from);
    return s;
}

reducer_step reducer_step::increment_by(std::string path, json amount) {
    reducer_step s = increment(std::move(path));
    s.value = std::move(amount);
    return s;
}

reducer_step reducer_step::remove(std::vector<std::string> fields) {
    reducer_step s = merge(std::move(fields));
    s.op = reducer_op::delete_;
    return s;
}

reducer_step reducer_step::function(std::string name, reducer_fn fn) {
    reducer_step s;
    s.op = reducer_op::function;
    s.fn_name = std::move(name);
    s.fn = std::move(fn);
    return s;
}

result<void> reducer::add(const std::string& event_type, reducer_step step,
                          const std::string& where) {
    auto bad = [&](const std::string& member, std::string reason) {
        return fail(error::invalid_domain(fmt::format("reducer step for {} is invalid", event_type),
                                          {{where + member, std::move(reason)}}));
    };
    auto path = detail::split_pointer(step.path);
    if (!path)
        return bad("/path", "'" + step.path + "' is not a JSON Pointer (use \"/member\")");
    std::optional<detail::tokens> from = path;
    if (step.from) {
        from = detail::split_pointer(*step.from);
        if (!from) {
            return bad("/from", "'" + *step.from + "' is not a JSON Pointer (use \"/member\")");
        }
    }
    switch (step.op) {
        case reducer_op::set:
        case reducer_op::unset:
        case reducer_op::append:
        case reducer_op::union_:
        case reducer_op::increment:
            if (path->empty()) {
                return bad("/path", fmt::format("'{}' needs a non-empty path into the state",
                                                to_string(step.op)));
            }
            break;
        case reducer_op::function:
            if (!step.fn)
                return bad("/name", "no C++ function given for this step");
            break;
        case reducer_op::merge:
        case reducer_op::delete_:
            if (step.value && !step.value->is_object()) {
                return bad("/value", "a merge value must be a JSON object");
            }
            break;
    }
    if (step.op == reducer_op::increment && step.value && !step.value->is_number()) {
        return bad("/value", "an increment amount must be a number");
    }
    // merge/delete read the whole data unless told otherwise, whatever their target path.
    if ((step.op == reducer_op::merge || step.op == reducer_op::delete_) && !step.from) {
        from = detail::tokens{};
    }
    auto& e = entries_[event_type];
    e.specs.push_back(std::move(step));
    e.paths.push_back(std::move(*path));
    e.froms.push_back(std::move(*from));
    return {};
}

const std::vector<reducer_step>* reducer::steps(std::string_view event_type) const {
    auto it = entries_.find(event_type);
    return it == entries_.end() ? nullptr : &it->second.specs;
}

std::vector<std::string> reducer::event_types() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& [k, v] : entries_) out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

// Copies the members of `src` (all, or only `fields`) into `target`.
void merge_members(json& target, const json& src, const std::vector<std::string>& fields) {
    if (fields.empty()) {
        for (auto it = src.begin(); it != src.end(); ++it) target[it.key()] = it.value();
        return;
    }
    for (const auto& f : fields) {
        auto it = src.find(f);
        if (it != src.end())
            target[f] = *it;
    }
}

bool is_integer(const json& v) {
    return v.is_number_integer();
}  // signed or unsigned

// a + b, exactly for integers (error on overflow), as doubles otherwise.
bool add_numbers(const json& a, const json& b, json& out, std::string& why) {
    if (is_integer(a) && is_integer(b)) {
        // Work in __int128 so mixed signed/unsigned operands cannot overflow the sum itself.
        const auto as_wide = [](const json& v) -> __int128 {
            return v.is_number_unsigned() ? static_cast<__int128>(v.get<std::uint64_t>())
                                          : static_cast<__int128>(v.get<std::int64_t>());
        };
        const __int128 sum = as_wide(a) + as_wide(b);
        if (sum >= 0 && sum <= static_cast<__int128>(std::numeric_limits<std::uint64_t>::max())) {
            out = static_cast<std::uint64_t>(sum);
            return true;
        }
        if (sum < 0 && sum >= static_cast<__int128>(std::numeric_limits<std::int64_t>::min())) {
            out = static_cast<std::int64_t>(sum);
            return true;
        }
        why = "integer overflow";
        return false;
    }
    out = a.get<double>() + b.get<double>();
    return true;
}

}  // namespace

result<void> reducer::apply(json& state, const event& e) const {
    if (!state.is_object()) {
        return fail(error::internal(
            fmt::format("cannot fold {} (version {}): the state is a {}, not an object", e.type,
                        e.version, state.type_name())));
    }
    auto it = entries_.find(e.type);
    if (it != entries_.end()) {
        const entry& en = it->second;
        for (std::size_t i = 0; i < en.specs.size(); ++i) {
            const reducer_step& s = en.specs[i];
            std::string why;
            auto step_fail = [&] {
                return fail(error::internal(
                    fmt::format("reducer step {} ({} {}) cannot apply {} version {} of {}#{}: {}",
                                i + 1, to_string(s.op), s.path.empty() ? "/" : s.path, e.type,
                                e.version, e.entity, e.id, why)));
            };
            const json* src = s.value ? &*s.value : detail::find(e.data, en.froms[i]);
            switch (s.op) {
                case reducer_op::merge:
                case reducer_op::delete_: {
                    json* target = detail::find_or_create(state, en.paths[i], why);
                    if (!target)
                        return step_fail();
                    if (target->is_null())
                        *target = json::object();
                    if (!target->is_object()) {
                        why = std::string("the target is a ") + target->type_name();
                        return step_fail();
                    }
                    if (src) {
                        if (!src->is_object()) {
                            why = std::string("the source is a ") + src->type_name() +
                                  ", not an object";
                            return step_fail();
                        }
                        merge_members(*target, *src, s.fields);
                    }
                    if (s.op == reducer_op::delete_)
                        state[std::string(deleted_member)] = true;
                    break;
                }
                case reducer_op::set: {
                    if (!src)
                        break;
                    json* target = detail::find_or_create(state, en.paths[i], why);
                    if (!target)
                        return step_fail();
                    *target = *src;
                    break;
                }
                case reducer_op::unset:
                    detail::erase(state, en.paths[i]);
                    break;
                case reducer_op::append:
                case reducer_op::union_: {
                    if (!src)
                        break;
                    json* target = detail::find_or_create(state, en.paths[i], why);
                    if (!target)
                        return step_fail();
                    if (target->is_null())
                        *target = json::array();
                    if (!target->is_array()) {
                        why = std::string("the target is a ") + target->type_name() +
                              ", not an array";
                        return step_fail();
                    }
                    if (s.op == reducer_op::append) {
                        target->push_back(*src);
                        break;
                    }
                    auto add_unique = [&](const json& v) {
                        if (std::find(target->begin(), target->end(), v) == target->end()) {
                            target->push_back(v);
                        }
                    };
                    if (src->is_array()) {
                        for (const auto& v : *src) add_unique(v);
                    } else {
                        add_unique(*src);
                    }
                    break;
                }
                case reducer_op::increment: {
                    static const json one = 1;
                    if (!src) {
                        if (s.from)
                            break;  // the amount comes from the data and is absent
                        src = &one;
                    }
                    if (!src->is_number()) {
                        why = std::string("the amount is a ") + src->type_name();
                        return step_fail();
                    }
                    json* target = detail::find_or_create(state, en.paths[i], why);
                    if (!target)
                        return step_fail();
                    if (target->is_null())
                        *target = 0;
                    if (!target->is_number()) {
                        why = std::string("the target is a ") + target->type_name();
                        return step_fail();
                    }
                    json sum;
                    if (!add_numbers(*target, *src, sum, why))
                        return step_fail();
                    *target = std::move(sum);
                    break;
                }
                case reducer_op::function:
                    try {
                        s.fn(state, e);
                    } catch (const std::exception& ex) {
                        why = std::string("function '") + s.fn_name + "' threw: " + ex.what();
                        return step_fail();
                    }
                    if (!state.is_object()) {
                        why = std::string("function '") + s.fn_name + "' left a non-object state";
                        return step_fail();
                    }
                    break;
            }
        }
    }
    state[std::string(latest_version_member)] = e.version;
    return {};
}

result<void> reducer::fold(aggregate& a, const std::vector<event>& events) const {
    for (const event& e : events) {
        if (e.version != a.version + 1) {
            return fail(error::internal(fmt::format(
                "event versions of {} are out of order: expected {}, got {} (the event store "
                "must return consecutive versions in ascending numeric order)",
                a.stream.key(), a.version + 1, e.version)));
        }
        auto r = apply(a.state, e);
        if (!r)
            return r;
        a.version = e.version;
        if (!e.meta.command_id.empty()) {
            if (!a.recent_commands.empty() &&
                a.recent_commands.back().command_id == e.meta.command_id &&
                a.recent_commands.back().last_version + 1 == e.version) {
                a.recent_commands.back().last_version = e.version;
            } else {
                a.recent_commands.push_back({e.meta.command_id, e.version, e.version});
            }
        }
    }
    if (!events.empty()) {
        auto it = a.state.find(deleted_member);
        a.deleted = it != a.state.end() && it->is_boolean() && it->get<bool>();
    }
    return {};
}

}  // namespace esser::core

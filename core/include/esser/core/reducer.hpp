#pragma once
// The reducer: how an entity folds its events into a state (the seed's `on_<event>` methods).
//
// For each event type, a list of steps, each a built-in operation or a C++ function. Paths are
// JSON Pointers (RFC 6901): `path` into the state, `from` into the event's data (default: the
// same pointer as `path`), or a constant `value` instead of `from`.
//
//   merge      copy the members of the data (or of the object at `from`; only `fields` when
//              given) into the state (or into the object at `path`). The seed's on_created.
//   set        state[path] = data[from] (or value). Nothing happens when the source is absent.
//   unset      remove state[path] (no error when absent).
//   append     push data[from] (or value) onto the array at state[path] (created when absent).
//   union      add data[from]'s elements (or the single value) to the array at state[path],
//              skipping those already present: a set that keeps insertion order.
//   increment  state[path] += data[from] (or value; default 1). Integers stay integers
//              (overflow is an error); otherwise doubles. An absent target counts as 0.
//   delete     merge (as above), then mark the aggregate deleted: state["deleted"] = true.
//   function   a C++ reducer_fn(state, event), registered by name for domain files.
//
// After the steps, state["latest_version"] = event.version. Events whose type has no steps
// only advance latest_version.
//
// Purity: folding reads nothing but the state and the event (no I/O, no other aggregates, no
// clock). Built-in steps are pure by construction; C++ functions must be.
//
// Thread-safety: a reducer is immutable once its domain is built; apply()/fold() are const and
// may run concurrently.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/aggregate.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event.hpp"

namespace esser::core {

// A C++ reducer step. Mutates `state` in place from `e` alone; may throw for a broken
// invariant (reported as errc::internal naming the event).
using reducer_fn = std::function<void(nlohmann::json& state, const event& e)>;

// Persisted by name in domain files ("merge", "set", ...): do not rename.
enum class reducer_op : std::uint8_t {
    merge,
    set,
    unset,
    append,
    union_,
    increment,
    delete_,
    function
};

// "merge", "set", "unset", "append", "union", "increment", "delete", "function".
std::string_view to_string(reducer_op op) noexcept;
// The inverse; false when unknown.
bool parse_reducer_op(std::string_view text, reducer_op& out) noexcept;

struct reducer_step {
    reducer_op op = reducer_op::merge;
    std::string path;                     // JSON Pointer into the state ("" = the state)
    std::optional<std::string> from;      // JSON Pointer into the event data (default: path)
    std::optional<nlohmann::json> value;  // a constant source instead of `from`
    std::vector<std::string> fields;      // merge/delete: only these members of the source
    reducer_fn fn;                        // function: the C++ step
    std::string fn_name;                  // function: its registered name (for messages)

    static reducer_step merge(std::vector<std::string> fields = {});
    static reducer_step merge_into(std::string path, std::vector<std::string> fields = {});
    static reducer_step set(std::string path, std::optional<std::string> from = std::nullopt);
    static reducer_step set_value(std::string path, nlohmann::json value);
    static reducer_step unset(std::string path);
    static reducer_step append(std::string path, std::optional<std::string> from = std::nullopt);
    static reducer_step union_of(std::string path, std::optional<std::string> from = std::nullopt);
    static reducer_step increment(std::string path, std::optional<std::string> from = std::nullopt);
    static reducer_step increment_by(std::string path, nlohmann::json amount);
    static reducer_step remove(std::vector<std::string> fields = {});  // the `delete` op
    static reducer_step function(std::string name, reducer_fn fn);
};

class reducer {
public:
    // Appends a step for `event_type`. errc::invalid_domain when a pointer is malformed or an op
    // lacks what it needs (set without a path, function without a function, ...); `where` is
    // the JSON Pointer of the step in the domain document, for the error.
    [[nodiscard]] result<void> add(const std::string& event_type, reducer_step step,
                                   const std::string& where = "");

    // The steps registered for `event_type` (null when none).
    const std::vector<reducer_step>* steps(std::string_view event_type) const;
    // Event types with steps, sorted.
    std::vector<std::string> event_types() const;

    // Folds one event into `state` (a JSON object): runs its steps, sets latest_version.
    // errc::internal when a step cannot apply (e.g. increment on a string), naming the event
    // type, version and step; `state` may then be partially updated.
    [[nodiscard]] result<void> apply(nlohmann::json& state, const event& e) const;

    // Folds `events` into `a`. Each event's version must be a.version + 1 (the store returns
    // them in numeric order; a gap or a reordering is errc::internal). Updates version, state,
    // deleted and recent_commands.
    [[nodiscard]] result<void> fold(aggregate& a, const std::vector<event>& events) const;

private:
    struct string_hash {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    // One event type's steps with their pointers split into reference tokens once.
    struct entry {
        std::vector<reducer_step> specs;
        std::vector<std::vector<std::string>> paths;  // per step: `path` tokens
        std::vector<std::vector<std::string>> froms;  // per step: `from` (or `path`) tokens
    };

    std::unordered_map<std::string, entry, string_hash, std::equal_to<>> entries_;
};

}  // namespace esser::core

#pragma once
// Structural JSON comparison for the given-when-then harness (issue 7): what differs, where (JSON
// Pointer), and a readable rendering of it.
//
//   path_filter ignore({"/meta/event_id", "/**/at"});
//   auto diffs = json_diff(expected, actual, diff_mode::subset, ignore);
//   if (!diffs.empty()) std::cout << format_differences(diffs);
//
// Modes:
//   exact   both documents are equal, member for member, element for element;
//   subset  every member `expected` names has an equal value in `actual` (recursively: objects
//           in `actual` may have more members, at any depth). Arrays still match element by
//           element with the same length (the elements themselves compared as subsets).
// Numbers compare by value (10 == 10.0), as JSON does; everything else by type and value.
//
// Ignore patterns are JSON Pointers whose segments may be `*` (any one member name or index) or
// `**` (any number of segments, including none): "/meta/event_id", "/*/at", "/**/trace_id".
// An ignored path is never compared, neither present nor absent.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::emulator {

enum class diff_mode : std::uint8_t { exact, subset };

// Parses "exact" / "subset".
core::result<diff_mode> diff_mode_from_string(std::string_view s);

// A set of ignore patterns. Immutable after construction; cheap to test against.
class path_filter {
public:
    path_filter() = default;
    // Patterns must be JSON Pointers ("" is the whole document); a malformed one is an
    // errc::invalid_argument from make(), and a std::invalid_argument from this constructor.
    explicit path_filter(const std::vector<std::string>& patterns);
    static core::result<path_filter> make(const std::vector<std::string>& patterns);

    // True when the pointer (split into unescaped tokens) matches one of the patterns.
    bool matches(const std::vector<std::string>& tokens) const;

    bool empty() const { return patterns_.empty(); }

    // Adds the patterns of `other` (for fixture-wide plus per-check ignores).
    path_filter combined(const path_filter& other) const;

    const std::vector<std::string>& patterns() const { return sources_; }

private:
    std::vector<std::vector<std::string>> patterns_;
    std::vector<std::string> sources_;
};

struct json_difference {
    enum class kind : std::uint8_t {
        changed,     // both have a value at `pointer`, and they differ
        missing,     // `expected` has a value there, `actual` has none
        unexpected,  // `actual` has a value there, `expected` has none (exact mode only)
    };
    std::string pointer;  // RFC 6901, escaped
    kind what = kind::changed;
    nlohmann::json expected;  // null for `unexpected`
    nlohmann::json actual;    // null for `missing`
};

// The differences between `expected` and `actual`, in document order of `expected` (then
// `actual`'s extra members). `base` prefixes every pointer (e.g. "/events/2").
std::vector<json_difference> json_diff(const nlohmann::json& expected, const nlohmann::json& actual,
                                       diff_mode mode, const path_filter& ignore = {},
                                       const std::string& base = "");

// One line per difference, each indented by `indent`:
//   /price: expected 12.5, got 10.5
//   /colors/2: missing (expected "blue")
//   /extra: unexpected "x"
// Long values are shortened to ~120 characters.
std::string format_differences(const std::vector<json_difference>& diffs,
                               std::string_view indent = "  ");

// Compact JSON text shortened to about `max` characters ("..." in the middle of long values).
std::string short_json(const nlohmann::json& j, std::size_t max = 120);

}  // namespace esser::emulator

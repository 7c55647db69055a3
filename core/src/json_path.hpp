#pragma once
// JSON Pointer helpers on pre-split reference tokens (RFC 6901), used on the hot paths of the
// reducer and the command validator: no exceptions, no re-parsing per event.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace esser::core::detail {

using tokens = std::vector<std::string>;

// "/a/b~1c" -> {"a", "b/c"}; "" -> {}. nullopt when malformed (no leading '/', bad escape).
std::optional<tokens> split_pointer(std::string_view pointer);

// The inverse of split_pointer.
std::string join_pointer(const tokens& t);

// An array index token: "0" or digits without a leading zero; false otherwise.
bool array_index(std::string_view token, std::size_t& out) noexcept;

// The value at `t`, or null when absent (never throws).
const nlohmann::json* find(const nlohmann::json& root, const tokens& t) noexcept;

// The value at `t`, creating objects for absent members (and for null values on the way).
// Array tokens must index an existing element or be "-" (append a null). Null when the path
// crosses a scalar or an invalid index; `why` then says what went wrong.
nlohmann::json* find_or_create(nlohmann::json& root, const tokens& t, std::string& why);

// Removes the value at `t`; false when it was absent.
bool erase(nlohmann::json& root, const tokens& t);

}  // namespace esser::core::detail

#pragma once
// HTTP header fields as a small ordered list with case-insensitive names (RFC 9110 §5.1).
//
// Part of the Beast-free HTTP vocabulary (http_request, http_response, responder, router): other
// areas implement handlers with these types and never include Boost.Beast or Asio.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace esser::emulator {

// ASCII case-insensitive equality, as HTTP field names and most tokens compare.
bool iequals(std::string_view a, std::string_view b) noexcept;

// Ordered header fields. Lookups are linear: requests carry a dozen fields, and a flat vector
// beats a map at that size. Names keep the spelling they were given; values are stored as is
// (the server strips CR/LF from response values before writing them).
class http_headers {
public:
    using field = std::pair<std::string, std::string>;

    // The value of the first field named `name` (any case), or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    // The value of the first field named `name`, or `fallback`.
    std::string_view value_or(std::string_view name, std::string_view fallback = {}) const;

    bool contains(std::string_view name) const { return get(name).has_value(); }

    // Replaces every field named `name` by one field.
    void set(std::string name, std::string value);
    // Appends a field, keeping earlier ones of the same name.
    void add(std::string name, std::string value);
    // Removes every field named `name`.
    void erase(std::string_view name);

    std::size_t size() const { return fields_.size(); }

    bool empty() const { return fields_.empty(); }

    std::vector<field>::const_iterator begin() const { return fields_.begin(); }

    std::vector<field>::const_iterator end() const { return fields_.end(); }

private:
    std::vector<field> fields_;
};

}  // namespace esser::emulator

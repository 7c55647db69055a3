#include "esser/emulator/http/http_headers.hpp"

#include <algorithm>

namespace esser::emulator {

namespace {
char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

std::optional<std::string_view> http_headers::get(std::string_view name) const {
    for (const auto& [n, v] : fields_) {
        if (iequals(n, name))
            return std::string_view(v);
    }
    return std::nullopt;
}

std::string_view http_headers::value_or(std::string_view name, std::string_view fallback) const {
    auto v = get(name);
    return v ? *v : fallback;
}

void http_headers::set(std::string name, std::string value) {
    erase(name);
    fields_.emplace_back(std::move(name), std::move(value));
}

void http_headers::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

void http_headers::erase(std::string_view name) {
    std::erase_if(fields_, [&](const field& f) { return iequals(f.first, name); });
}

}  // namespace esser::emulator

#include "esser/adapters/http/http_message.hpp"

#include <algorithm>

namespace esser::adapters {

namespace {
constexpr char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

const std::string* http_headers::find(std::string_view name) const noexcept {
    for (const auto& h : items_)
        if (iequals(h.name, name))
            return &h.value;
    return nullptr;
}

void http_headers::set(std::string_view name, std::string value) {
    auto first = std::find_if(items_.begin(), items_.end(),
                              [&](const http_header& h) { return iequals(h.name, name); });
    if (first == items_.end()) {
        items_.push_back({std::string(name), std::move(value)});
        return;
    }
    first->value = std::move(value);
    auto rest = std::remove_if(first + 1, items_.end(),
                               [&](const http_header& h) { return iequals(h.name, name); });
    items_.erase(rest, items_.end());
}

void http_headers::add(std::string name, std::string value) {
    items_.push_back({std::move(name), std::move(value)});
}

std::size_t http_headers::remove(std::string_view name) {
    auto it = std::remove_if(items_.begin(), items_.end(),
                             [&](const http_header& h) { return iequals(h.name, name); });
    const auto n = static_cast<std::size_t>(items_.end() - it);
    items_.erase(it, items_.end());
    return n;
}

std::string_view http_request::path() const noexcept {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
}

std::string_view http_request::query() const noexcept {
    std::string_view t = target;
    const auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

}  // namespace esser::adapters

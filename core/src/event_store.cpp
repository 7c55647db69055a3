#include "esser/core/event_store.hpp"

#include <charconv>

namespace esser::core {

std::string expected_version::to_string() const {
    switch (kind_) {
        case kind::any: return "any";
        case kind::no_stream: return "no_stream";
        case kind::exact: return std::to_string(version_);
    }
    return "any";
}

result<expected_version> expected_version::from_json(const nlohmann::json& j) {
    auto bad = [] {
        return fail(error::validation(
            "expected version must be \"any\", \"no_stream\" or a non-negative integer",
            {{"", "not an expected version"}}));
    };
    if (j.is_number_unsigned()) return exact(j.get<std::uint64_t>());
    if (j.is_number_integer()) return bad();  // negative
    if (!j.is_string()) return bad();
    const auto& s = j.get_ref<const std::string&>();
    if (s == "any") return any();
    if (s == "no_stream") return no_stream();
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return bad();
    return exact(v);
}

result<std::uint64_t> event_store::last_version(const stream_id& s) {
    auto events = read(s);
    if (!events) return fail(std::move(events).error());
    return events->empty() ? 0 : events->back().version;
}

}  // namespace esser::core

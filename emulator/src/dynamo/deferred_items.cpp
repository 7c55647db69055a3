#include "deferred_items.hpp"

#include <cstring>
#include <stdexcept>

namespace esser::emulator {

using nlohmann::json;

namespace {

json make_node(std::uint64_t subtype, std::uint32_t first, std::uint32_t count) {
    json::binary_t::container_type payload(8);
    std::memcpy(payload.data(), &first, 4);
    std::memcpy(payload.data() + 4, &count, 4);
    return json::binary(std::move(payload), subtype);
}

}  // namespace

std::uint32_t deferred_items::add(std::string_view encoded) {
    const std::size_t begin = item_bytes();
    const std::size_t end = begin + encoded.size();
    // Offsets are 32-bit: an answer is at most ~16 MB (100 BatchGetItem items of 400 KB, or a
    // 1 MB page), far below 4 GB.
    if (end > UINT32_MAX - padding)
        throw std::length_error("deferred_items: answer too large");
    // The padding moves behind the new item (appends grow the buffer geometrically).
    bytes_.resize(begin);
    bytes_.append(encoded);
    bytes_.append(padding, '\0');
    ends_.push_back(static_cast<std::uint32_t>(end));
    return static_cast<std::uint32_t>(ends_.size() - 1);
}

std::string_view deferred_items::item(std::uint32_t i) const {
    const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return {bytes_.data() + begin, ends_[i] - begin};
}

json deferred_items::item_node(std::uint32_t i) {
    return make_node(item_subtype, i, 1);
}

json deferred_items::list_node(std::uint32_t first, std::uint32_t count) {
    return make_node(list_subtype, first, count);
}

std::optional<deferred_items::node> deferred_items::node_of(const json::binary_t& b) {
    if (!b.has_subtype() || (b.subtype() != item_subtype && b.subtype() != list_subtype) ||
        b.size() != 8) {
        return std::nullopt;
    }
    node n;
    std::memcpy(&n.first, b.data(), 4);
    std::memcpy(&n.count, b.data() + 4, 4);
    n.list = b.subtype() == list_subtype;
    return n;
}

}  // namespace esser::emulator

#pragma once
// The items of one text answer (dynamo_engine::dispatch_text, the HTTP front's path; issue 6,
// Query of 100 events).
//
// A read copies each plain item's stored encoding here while its table's lock is held, and puts
// a small node standing for that item (item_node), or for a run of items written as a JSON
// array (list_node), into its response document; write_response_text() (response_text.hpp)
// then writes the items from here into the text, after the lock is released. Why a copy and
// not a pointer to the stored block: the block may be freed by a write the moment the lock is
// gone; rendering under the lock instead would make every other reader of the table wait for
// the answer's ~40 KB of text. One buffer per answer: a memcpy per item, no allocation per item.
//
// Invariants: bytes_ holds the items back to back followed by `padding` bytes, so that 16 bytes
// may be loaded from any position inside an item (json_text::padded_string); ends_[i] is the end
// of item i in bytes_. Not thread-safe: one answer is built by one thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace esser::emulator {

class deferred_items {
public:
    // Bytes readable after every item's end.
    static constexpr std::size_t padding = 16;

    // The JSON binary subtypes of the nodes ("essr", "essl"). JSON text never parses into a
    // binary node and attribute values convert to none, so no other node carries them.
    static constexpr std::uint64_t item_subtype = 0x65737372;
    static constexpr std::uint64_t list_subtype = 0x6573736c;

    // What a node stands for: item `first`, or the array of items [first, first + count).
    struct node {
        std::uint32_t first = 0;
        std::uint32_t count = 0;
        bool list = false;
    };

    // Copies `encoded` (an item in item_codec's encoding); returns its number.
    std::uint32_t add(std::string_view encoded);

    // How many items were added.
    std::uint32_t size() const { return static_cast<std::uint32_t>(ends_.size()); }

    // Item `i` (< size()), followed by at least `padding` readable bytes.
    std::string_view item(std::uint32_t i) const;

    // The encoded bytes of all items (a measure of the answer's size).
    std::size_t item_bytes() const { return ends_.empty() ? 0 : ends_.back(); }

    // The node standing for item `i`.
    static nlohmann::json item_node(std::uint32_t i);

    // The node standing for the JSON array of items [first, first + count).
    static nlohmann::json list_node(std::uint32_t first, std::uint32_t count);

    // What `b` stands for, or nullopt when it is not a node of this class.
    static std::optional<node> node_of(const nlohmann::json::binary_t& b);

private:
    std::string bytes_;
    std::vector<std::uint32_t> ends_;
};

}  // namespace esser::emulator

#pragma once
// An item as the engine stores it: its compact binary encoding (emulator/src/dynamo/item_codec),
// copied out of the table. The native read API returns these so that a caller pays for decoding
// only what it uses: decode() for the attribute tree, to_json() for the wire form, get() for one
// attribute.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value.hpp"

namespace esser::emulator {

class encoded_item {
public:
    encoded_item() = default;

    // `bytes` must come from the engine (the decoders trust their input).
    explicit encoded_item(std::string bytes) : bytes_(std::move(bytes)) {}

    std::string_view bytes() const { return bytes_; }

    attribute_map decode() const;
    nlohmann::json to_json() const;
    // One top-level attribute, decoded.
    std::optional<attribute_value> get(std::string_view name) const;
    // DynamoDB's item size (spec §2.3).
    std::size_t item_size() const;

    friend bool operator==(const encoded_item&, const encoded_item&) = default;

private:
    std::string bytes_;
};

}  // namespace esser::emulator

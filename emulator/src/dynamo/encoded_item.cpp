#include "esser/emulator/dynamo/encoded_item.hpp"

#include "item_codec.hpp"

namespace esser::emulator {

attribute_map encoded_item::decode() const {
    return item_codec::decode(bytes_);
}

nlohmann::json encoded_item::to_json() const {
    return item_codec::to_json(bytes_);
}

std::optional<attribute_value> encoded_item::get(std::string_view name) const {
    auto v = item_codec::find(bytes_, name);
    if (!v)
        return std::nullopt;
    return item_codec::decode_value(*v);
}

std::size_t encoded_item::item_size() const {
    return item_codec::item_size(bytes_);
}

}  // namespace esser::emulator

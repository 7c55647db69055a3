#include "response_text.hpp"

#include <charconv>

#include "item_codec.hpp"

#include "esser/emulator/dynamo/json_text.hpp"

namespace esser::emulator {

using nlohmann::json;

json response_item(std::string_view encoded, deferred_items* deferred) {
    if (deferred == nullptr)
        return item_codec::to_json(encoded);
    return deferred_items::item_node(deferred->add(encoded));
}

namespace {

void write_value(const json& doc, const deferred_items& items, json_text& out) {
    switch (doc.type()) {
        case json::value_t::object: {
            out.raw('{');
            bool first = true;
            for (auto it = doc.begin(); it != doc.end(); ++it) {
                if (!first)
                    out.raw(',');
                first = false;
                out.string(it.key());
                out.raw(':');
                write_value(it.value(), items, out);
            }
            out.raw('}');
            return;
        }
        case json::value_t::array: {
            out.raw('[');
            bool first = true;
            for (const auto& value : doc) {
                if (!first)
                    out.raw(',');
                first = false;
                write_value(value, items, out);
            }
            out.raw(']');
            return;
        }
        case json::value_t::string:
            out.string(doc.get_ref<const std::string&>());
            return;
        case json::value_t::number_integer:
            out.integer(doc.get<std::int64_t>());
            return;
        case json::value_t::number_unsigned: {
            char* d = out.room(24);
            out.commit(static_cast<std::size_t>(
                std::to_chars(d, d + 24, doc.get<std::uint64_t>()).ptr - d));
            return;
        }
        case json::value_t::binary: {
            const auto node = deferred_items::node_of(doc.get_binary());
            if (!node)
                break;
            if (!node->list) {
                item_codec::write_json_padded(items.item(node->first), out);
                return;
            }
            out.raw('[');
            for (std::uint32_t i = 0; i < node->count; ++i) {
                if (i > 0)
                    out.raw(',');
                item_codec::write_json_padded(items.item(node->first + i), out);
            }
            out.raw(']');
            return;
        }
        default:  // null, boolean, float: dump()'s own formatting
            break;
    }
    out.raw(doc.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void write_response_text(const json& doc, const deferred_items& items, std::string& out) {
    json_text text(out);
    // One allocation for the whole answer: item text is about 1.5 times the encoding (names
    // and values are copied; tags and lengths become {"S":...} and quotes).
    text.room(items.item_bytes() * 7 / 4 + 256);
    write_value(doc, items, text);
}

}  // namespace esser::emulator

#include "response_text.hpp"

#include <charconv>

#include "item_codec.hpp"

#include "esser/emulator/dynamo/json_text.hpp"

namespace esser::emulator {

using nlohmann::json;

json response_item(std::string_view encoded, item_form form) {
    if (form == item_form::tree)
        return item_codec::to_json(encoded);
    const auto* p = reinterpret_cast<const std::uint8_t*>(encoded.data());
    return json::binary(json::binary_t::container_type(p, p + encoded.size()),
                        deferred_item_subtype);
}

namespace {

void write_value(const json& doc, json_text& out) {
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
                write_value(it.value(), out);
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
                write_value(value, out);
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
            const auto& b = doc.get_binary();
            if (b.has_subtype() && b.subtype() == deferred_item_subtype) {
                item_codec::write_json(
                    std::string_view(reinterpret_cast<const char*>(b.data()), b.size()), out);
                return;
            }
            break;
        }
        default:  // null, boolean, float: dump()'s own formatting
            break;
    }
    out.raw(doc.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void write_response_text(const json& doc, std::string& out) {
    json_text text(out);
    write_value(doc, text);
}

}  // namespace esser::emulator

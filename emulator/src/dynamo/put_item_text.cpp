#include "put_item_text.hpp"

#include <algorithm>

#include "json_cursor.hpp"
#include "operation_schemas.hpp"

namespace esser::emulator {

namespace {

// A member of PutItem's schema (operation_schemas.cpp) this reader takes: every one but the Item
// (read separately) and the legacy Expected and ConditionalOperator.
bool plain_member(std::string_view name) {
    if (name == "Expected" || name == "ConditionalOperator")
        return false;
    static const schema::fields& put_item = *schema::for_operation("PutItem");
    return std::any_of(put_item.begin(), put_item.end(),
                       [&](const schema::field& f) { return f.name == name; });
}

}  // namespace

std::shared_ptr<dynamo_engine::prepared_request> read_put_item_text(std::string_view body) {
    json_cursor in(body);
    if (!in.consume('{'))
        return nullptr;
    auto out = std::make_shared<dynamo_engine::prepared_request>();
    out->request = json::object();
    bool has_item = false;
    do {
        std::string_view name;
        if (!in.plain_string(name) || !in.consume(':'))
            return nullptr;
        if (name == "Item") {
            if (has_item)
                return nullptr;
            has_item = true;
            const auto size = item_codec::encode_json_text(in, out->item.bytes, &out->item.index);
            if (!size)
                return nullptr;
            out->item.size = *size;
            continue;
        }
        if (!plain_member(name) || out->request.contains(name))
            return nullptr;
        std::string_view text;
        if (in.plain_string(text)) {
            out->request[std::string(name)] = std::string(text);
            continue;
        }
        // Not a plain string (an object, an escape, a wrong type): the full parser reads it.
        std::string_view span;
        if (!in.skip_value(span))
            return nullptr;
        json value = json::parse(span, nullptr, false);
        if (value.is_discarded())
            return nullptr;
        out->request[std::string(name)] = std::move(value);
    } while (in.consume(','));
    if (!has_item || !in.consume('}') || !in.at_end())
        return nullptr;
    out->request["Item"] = json::object();
    return out;
}

}  // namespace esser::emulator

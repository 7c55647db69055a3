#include "put_item_text.hpp"

#include <algorithm>
#include <array>

#include "json_cursor.hpp"

namespace esser::emulator {

namespace {

// PutItem's members but Item (operation_schemas.cpp) without the legacy Expected and
// ConditionalOperator.
constexpr std::array<std::string_view, 8> plain_members = {"TableName",
                                                           "ConditionExpression",
                                                           "ExpressionAttributeNames",
                                                           "ExpressionAttributeValues",
                                                           "ReturnValues",
                                                           "ReturnConsumedCapacity",
                                                           "ReturnItemCollectionMetrics",
                                                           "ReturnValuesOnConditionCheckFailure"};

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
        if (std::find(plain_members.begin(), plain_members.end(), name) == plain_members.end() ||
            out->request.contains(name))
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

#pragma once
// PutItem read straight from its request text (issue 6: the HTTP front's PutItem without JSON
// trees). The Item goes to its stored encoding in one walk of the text
// (item_codec::encode_json_text); the other members, few and small, become the JSON object
// the operation reads, with an empty object standing in the Item's place (the schema pass
// skips the Item's type pass, as it does for encode_json's items, and only asks that it be
// there).
//
// Taken: one JSON object, optional whitespace around it, members TableName, Item,
// ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues, ReturnValues,
// ReturnConsumedCapacity, ReturnItemCollectionMetrics and ReturnValuesOnConditionCheckFailure,
// each at most once, with plain names (printable ASCII, no escapes), the Item in encode_json_text's
// plain form. Anything else (legacy Expected, an unknown or repeated member, a byte order mark,
// escapes in a name) is declined: the body is then parsed and served as before, with the same
// answer and errors.

#include <memory>
#include <string_view>

#include "engine_impl.hpp"

namespace esser::emulator {

struct dynamo_engine::prepared_request {
    json request;  // the members but the Item, and "Item": {}
    encoded_put_item item;
};

// The request, or null when declined. Its index's names point into `body`.
std::shared_ptr<dynamo_engine::prepared_request> read_put_item_text(std::string_view body);

}  // namespace esser::emulator

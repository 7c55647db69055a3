#pragma once
// DynamoDB's AttributeValue JSON <-> attribute_value: the one place where wire values are read
// and written (spec/dynamodb-api.md §1.4 steps 6 and 8, §2.1, §2.2).
//
// Reading happens in two passes, because AWS reports every JSON type error of a request
// (SerializationException, step 6) before any constraint violation (ValidationException, steps
// 7-8), wherever in the request they are:
//
//  1. check_*_shape(): JSON types only. Returns the SerializationException AWS (Coral, a Java
//     service) gives, with its Java-style message, e.g. "NUMBER_VALUE cannot be converted to
//     String", "Unexpected value type in payload", "Base64 encoded length is expected a multiple
//     of 4 bytes but found: 5". Unknown tags and tags whose value is JSON null are ignored, as
//     Coral ignores unknown and null members. Booleans accept the strings true/false/1/0/yes/no
//     (any case), as Coral does.
//  2. *_from_json(): on a shape-checked value, the AttributeValue rules, returning the
//     ValidationException message text (the caller wraps it: some contexts prefix it, e.g.
//     "ExpressionAttributeValues contains invalid value: <msg> for key :v"):
//       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
//       "Supplied AttributeValue has more than one datatypes set, must contain exactly one of
//        the supported datatypes"
//       "One or more parameter values were invalid: Null attribute value types must have the
//        value of true"
//       "One or more parameter values were invalid: An string set  may not be empty" (sic)
//       "One or more parameter values were invalid: An number set  may not be empty" (sic)
//       "One or more parameter values were invalid: Binary sets should not be empty"
//       "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
//       "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS
//        contains duplicates." (sic)
//       "Input collection contains duplicates"                                  (NS)
//       number messages of decimal::parse()
//       "Nesting Levels have exceeded supported limits: Attributes in the item have nested
//        levels beyond supported limit"   (a top-level attribute is level 1; at most 32 levels)
//       attribute_name_too_large_text     (an attribute name, top-level or a map key at any
//        depth, longer than max_attribute_name_bytes)
//     Checks run per value in DynamoDB's order (dynalite validateAttributeValue, written against
//     AWS): per tag (in the JSON object's key order) number syntax/range, NULL true, set
//     emptiness, set numbers, set duplicates, nested values; "more than one datatypes" last.
//
// read_*() do both passes for callers that handle a lone value.
//
// Writing: numbers canonical (decimal::to_string), sets in their sorted order, B/BS base64.

#include <string>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"
#include "esser/core/expected.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"

namespace esser::emulator {

// The deepest nesting DynamoDB accepts, counting a top-level attribute value as level 1.
inline constexpr int max_attribute_depth = 32;

// The longest attribute name DynamoDB accepts, in UTF-8 bytes: "64 KB" in AWS's naming rules
// (HowItWorks.NamingRulesDataTypes), measured as 65,535 accepted and 65,536 refused, top-level
// or nested, with the message below (ScyllaDB issue 9169, ExtendDB issue 365, both measured
// against DynamoDB). Key attributes are limited to 255 by CreateTable's AttributeName checks.
inline constexpr std::size_t max_attribute_name_bytes = 65535;
inline constexpr const char* attribute_name_too_large_text =
    "1 validation error detected: Attribute name is too large, must be less than 65536 bytes";

// Pass 1 (SerializationException). nullopt when the JSON types are right.
// An AttributeValue ({"S":"x"}, ...).
std::optional<adapters::aws_error> check_attribute_value_shape(const nlohmann::json& j);
// A Map<String, AttributeValue> (Item, Key, ExpressionAttributeValues, ExclusiveStartKey...).
std::optional<adapters::aws_error> check_attribute_map_shape(const nlohmann::json& j);

// Pass 2 (ValidationException message). Precondition: the shape check passed.
// `depth` is the nesting level of `j` itself (1 for a top-level attribute value).
core::expected<attribute_value, std::string> attribute_value_from_json(const nlohmann::json& j,
                                                                       int depth = 1);
// A map of top-level attribute values (each at depth 1).
core::expected<attribute_map, std::string> attribute_map_from_json(const nlohmann::json& j);

// Both passes; the error is a SerializationException or a ValidationException.
core::expected<attribute_value, adapters::aws_error> read_attribute_value(const nlohmann::json& j);
core::expected<attribute_map, adapters::aws_error> read_attribute_map(const nlohmann::json& j);

// The wire form.
nlohmann::json to_json(const attribute_value& v);
nlohmann::json to_json(const attribute_map& m);

}  // namespace esser::emulator

#pragma once
// DynamoDB AttributeValue JSON <-> plain JSON, exactly (spec/dynamodb-api.md §2.1, §2.2).
//
// The wire form of a DynamoDB value is a one-member object naming its type:
//   {"S":"text"}  {"N":"12.5"}  {"BOOL":true}  {"NULL":true}  {"M":{...}}  {"L":[...]}
//   {"SS":[...]}  {"NS":[...]}  {"B":"<base64>"}  {"BS":[...]}
// This file converts it to and from the plain JSON that events, states and projections use.
// Every adapter (dynamodb_event_store, the stream handler, fixtures) goes through these
// functions, so an event reads back exactly as it was written.
//
// Mapping, plain -> AttributeValue:
//   string -> S, bool -> BOOL, null -> NULL, object -> M, array -> L,
//   integer -> N (its decimal digits), floating point -> N (the shortest decimal text that reads
//   back as the same double, in DynamoDB's canonical plain notation: "12.5", "0.0000001", "1e30"
//   becomes "1000000000000000000000000000000").
// Mapping, AttributeValue -> plain:
//   S, BOOL, NULL, M, L as above; SS -> array of strings; NS -> array of numbers;
//   N -> an integer when it is one and fits int64 (negative) / uint64 (positive), otherwise a
//   double when that double's shortest text denotes exactly the same decimal value.
//
// Exactness (never round silently): a number that has no exact JSON form (e.g. "0.1000000000000
// 000000001", 38-digit integers beyond uint64 that no double holds exactly), a non-finite double,
// or a double outside DynamoDB's range (1e-130 .. 9.99e125) is errc::parse_error with a
// field_error naming the JSON Pointer of the value. B and BS have no plain JSON form and are
// rejected the same way (events never contain binary values).
//
// Nesting deeper than 32 levels (DynamoDB's own limit) is rejected, so hostile input cannot
// exhaust the stack. Errors carry the pointer relative to the `path` argument.
//
// All functions are pure and thread-safe.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::core {

// DynamoDB's nesting limit for documents (M and L inside an attribute).
inline constexpr int max_attribute_depth = 32;

// {"S":"x"} -> "x", {"M":{"a":{"N":"1"}}} -> {"a":1}, ...
[[nodiscard]] result<nlohmann::json> from_attribute_value(const nlohmann::json& av,
                                                          std::string_view path = "");
// An item or the content of an M: {"name": AttributeValue, ...} -> {"name": plain, ...}.
[[nodiscard]] result<nlohmann::json> from_attribute_map(const nlohmann::json& map,
                                                        std::string_view path = "");

// "x" -> {"S":"x"}, {"a":1} -> {"M":{"a":{"N":"1"}}}, ...
[[nodiscard]] result<nlohmann::json> to_attribute_value(const nlohmann::json& plain,
                                                        std::string_view path = "");
// A plain object -> {"name": AttributeValue, ...} (the form of an item or of an M's content).
[[nodiscard]] result<nlohmann::json> to_attribute_map(const nlohmann::json& plain_object,
                                                      std::string_view path = "");

// The text of an N for a plain JSON number (see the mapping above); `path` names the value in
// errors.
[[nodiscard]] result<std::string> number_to_text(const nlohmann::json& number,
                                                 std::string_view path = "");
// The plain JSON number for an N's text (DynamoDB syntax: "3", "-7.1234", "1e+5", ".5", ...).
[[nodiscard]] result<nlohmann::json> number_from_text(std::string_view text,
                                                      std::string_view path = "");

// Appends one reference token to a JSON Pointer, escaping "~" and "/" (RFC 6901).
void append_pointer_token(std::string& pointer, std::string_view token);

}  // namespace esser::core

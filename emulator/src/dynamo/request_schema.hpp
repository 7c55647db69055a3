#pragma once
// The generic front half of every DynamoDB operation: the JSON type pass and the constraint pass
// AWS's request layer (Coral) runs before the operation itself (spec/dynamodb-api.md §1.4 steps
// 6 and 7).
//
//  - type pass: walks the request against the operation's schema, field by field in schema
//    order, and stops at the first JSON type error with Coral's SerializationException text
//    ("NUMBER_VALUE cannot be converted to String", "Unexpected field type", ...). Unknown
//    members are ignored; members whose value is JSON null count as absent.
//  - constraint pass: first the top-level `required` members ("The parameter 'TableName' is
//    required but was not present in the request") and table-name lengths, then every other
//    constraint, collecting up to 10 violations into one ValidationException:
//      "2 validation errors detected: Value 'x' at 'tableName' failed to satisfy constraint:
//       Member must have length greater than or equal to 3; Value null at 'item' failed to
//       satisfy constraint: Member must not be null"
//    Paths are lowerCamel, list elements are "<list>.<1-based index>.member", map values
//    "<map>.<key>.member".
//
// The order of members and of constraints inside a member is AWS's, as dynalite's validations
// (verified against AWS) record it. Lenient values Coral accepts (booleans as "true"/"yes"/"1",
// integers as floats that are then floored) are read with json_bool()/json_int() below.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/adapters/dynamodb/aws_error.hpp"

namespace esser::emulator::schema {

enum class kind : std::uint8_t {
    string,
    boolean,
    integer,             // Integer
    long_,               // Long
    list,                // List<element>
    map,                 // Map<java_name, element>
    field_struct,        // FieldStruct<java_name>: a structure member
    value_struct,        // ValueStruct<java_name>: a structure as a list/map element
    attribute_value,     // AttrStruct<ValueStruct>
    attribute_map,       // Map<AttributeValue> of AttrStruct<ValueStruct>
    parameterized_list,  // Coral's generic list (BatchWriteItem's per-table request list)
    parameterized_map,   // Coral's generic map (BatchGetItem's keys)
};

enum class check_kind : std::uint8_t {
    not_null,
    table_name_pattern,  // [a-zA-Z0-9_.-]+
    min_length,
    max_length,
    min_value,
    max_value,
    one_of,
    map_keys,    // every key satisfies `key_checks`
    map_values,  // every value satisfies `value_checks` (lengths)
    children,    // position at which members / elements are checked
};

struct check {
    check_kind what;
    std::int64_t n = 0;
    std::vector<std::string_view> values;  // one_of
    std::vector<check> nested;             // map_keys / map_values
};

struct field {
    std::string_view name;  // wire name; "member" for elements
    kind type = kind::string;
    std::string_view java_name;  // for Coral's collection-type messages
    bool required = false;       // top level: "The parameter 'X' is required ..."
    bool table_name = false;     // top level: the 3..255 length check done with `required`
    std::vector<check> checks;   // in AWS's order; `children` marks where members are checked
    std::vector<field> members;  // field_struct / value_struct
    std::vector<field> element;  // list / map / parameterized_*: exactly one element spec
};

using fields = std::vector<field>;

// Both passes, in order (the request's members are located once): the first JSON type error,
// else the constraint violations, else nullopt. `typed`, if not null, is a member value the
// caller has already found free of JSON type errors (PutItem's Item, item_codec::encode_json):
// its type pass is skipped.
std::optional<adapters::aws_error> check_request(const nlohmann::json& request,
                                                 const fields& schema,
                                                 const nlohmann::json* typed = nullptr);

// Coral's reading of a type-checked value.
bool json_bool(const nlohmann::json& j);
std::int64_t json_int(const nlohmann::json& j);
// The member if present and not JSON null.
const nlohmann::json* member(const nlohmann::json& object, std::string_view name);

// ---- building schemas ----
field string_field(std::string_view name, std::vector<check> checks = {});
field bool_field(std::string_view name);
field int_field(std::string_view name, std::vector<check> checks = {});
field long_field(std::string_view name, std::vector<check> checks = {});
field attr_map_field(std::string_view name, std::vector<check> checks = {});
field attr_value_field(std::string_view name);
field list_field(std::string_view name, field element, std::vector<check> checks = {});
field map_field(std::string_view name, std::string_view java_name, field element,
                std::vector<check> checks = {});
field struct_field(std::string_view name, std::string_view java_name, fields members,
                   std::vector<check> checks = {});
field value_struct(std::string_view java_name, fields members);  // a list/map element

check not_null();
check table_name_pattern();
check min_length(std::int64_t n);
check max_length(std::int64_t n);
check min_value(std::int64_t n);
check max_value(std::int64_t n);
check one_of(std::vector<std::string_view> values);
check children();
check map_keys(std::vector<check> nested);
check map_values(std::vector<check> nested);

// TableName as every item operation declares it.
field table_name_member();
// TableName as table operations declare it (required, with the length pre-check).
field required_table_name();

}  // namespace esser::emulator::schema

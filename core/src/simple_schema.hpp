#pragma once
// A fast acceptance check for the simple JSON Schemas commands usually carry, run before
// valijson (command_schema::validate). It answers only "valijson accepts this payload too";
// whenever it says no (the payload is invalid, or the check is not sure), the caller runs
// valijson, which produces the errors. So the errors a user sees always come from one place,
// and the only property this type must keep is soundness: accepts(v) implies that valijson
// (draft 7, strong types, the command's effective schema) accepts v.
//
// The subset, per schema object (anything else: compile() returns nullopt and every payload
// goes to valijson):
//   type (a name or an array of names), enum (of strings, booleans and null), properties,
//   required, additionalProperties (a boolean or such a schema), items (one such schema),
//   minItems, maxItems, uniqueItems, minLength, maxLength, minimum, maximum,
//   exclusiveMinimum, exclusiveMaximum (draft 7: numbers); annotations (title, description,
//   $comment, $schema, default, examples, readOnly, writeOnly) and esser's x-* keywords,
//   which command_handler evaluates, are ignored.
// The comparisons are valijson's own: numbers as doubles (an integer through int64_t), string
// lengths in code points. Where valijson's behaviour is odd (unsigned integers above INT64_MAX,
// strings with NUL or malformed UTF-8, uniqueItems over non-strings, enum over numbers),
// accepts() says no and valijson decides.
//
// Immutable after compile(); accepts() is const, allocation-free and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace esser::core::detail {

class simple_schema {
public:
    // The compiled check for `schema` (the effective schema, with the injected
    // additionalProperties: false), or nullopt when it uses anything outside the subset.
    static std::optional<simple_schema> compile(const nlohmann::json& schema);

    // True only if valijson accepts `value` as well. False: invalid, or not sure.
    bool accepts(const nlohmann::json& value) const { return accepts(0, value); }

private:
    // Bits of node::types.
    enum : std::uint8_t {
        t_null = 1,
        t_boolean = 2,
        t_object = 4,
        t_array = 8,
        t_number = 16,
        t_integer = 32,
        t_string = 64,
        t_any = 127
    };

    enum class extra : std::uint8_t { allowed, refused, checked };

    enum limit : std::uint8_t {
        min_items,
        max_items,
        min_length,
        max_length,
        minimum,
        maximum,
        exclusive_minimum,
        exclusive_maximum
    };

    struct node {
        std::uint8_t types = t_any;
        // enum: the allowed values (strings, booleans, null); has_enum even when empty.
        bool has_enum = false;
        std::vector<nlohmann::json> enum_values;
        // objects
        std::vector<std::pair<std::string, std::uint32_t>> properties;  // name -> node
        std::vector<std::string> required;
        extra additional = extra::allowed;
        std::uint32_t additional_node = 0;
        // arrays
        bool has_items = false;
        std::uint32_t items_node = 0;
        bool unique_items = false;
        // minItems, maxItems, minLength, maxLength, minimum, maximum, exclusiveMinimum,
        // exclusiveMaximum (indexed by `limit`); counts are at most 2^53, exact as doubles.
        std::optional<double> limits[8];
    };

    // Compiles `schema` into nodes_ and returns its index; nullopt outside the subset.
    std::optional<std::uint32_t> add(const nlohmann::json& schema, int depth);

    bool accepts(std::uint32_t n, const nlohmann::json& value) const;

    std::vector<node> nodes_;
};

}  // namespace esser::core::detail

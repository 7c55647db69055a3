#pragma once
// A command's payload schema: JSON Schema (draft 7, checked by valijson) plus esser's keywords,
// compiled once when the domain is built and immutable afterwards.
//
// Unknown fields: every object schema reached from the root through `properties`, `items` and
// `additionalProperties` that lists `properties` but says nothing about extra members
// (no additionalProperties, patternProperties, or composition keywords: allOf/anyOf/oneOf/not/
// if/$ref/dependencies) gets "additionalProperties": false. So unknown fields are rejected
// unless the schema explicitly allows them ("additionalProperties": true or a schema).
//
// esser keywords, placed in a property's schema (anywhere under `properties` / `items`):
//   "x-diff": true                 the value must differ from the value at the same pointer in
//                                  the aggregate's current state (the seed's `diff`)
//   "x-aggregate-exists": "Item"   the value (an id, or an array of ids) names an existing,
//                                  not deleted aggregate of that entity
//   "x-project": "Item"            after validation, the id is replaced by that aggregate's
//   "x-project": {"entity": "Item", "fields": ["name", "price"]}
//                                  current state (plus "id"; only `fields` when given); the
//                                  aggregate must exist
// The keywords need the aggregate store, so command_handler evaluates them; this type finds
// them (keywords()) and checks their syntax at compile time.
//
// Errors: validate() lists every failing field by JSON Pointer into the payload with a reason
// a user can act on ("must be of type number, not string", "is not allowed (unknown field)",
// "is required", "must be one of: orange, black"). Thread-safe: validate() is const and
// creates a fresh valijson::Validator per document.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::core {

// One occurrence of an esser keyword.
struct schema_keyword {
    enum class kind : std::uint8_t { diff, aggregate_exists, project };

    // A step of the data path: a member name, or every element of an array (each == true).
    struct step {
        std::string name;
        bool each = false;
    };

    kind what = kind::diff;
    std::vector<step> path;           // where the value sits in the payload
    std::string entity;               // aggregate_exists, project: the referenced entity
    std::vector<std::string> fields;  // project: the state members to keep (empty: all)
    std::string schema_pointer;       // where the keyword sits in the domain document
};

class command_schema {
public:
    // Compiles `schema`. `where` is the schema's JSON Pointer in the domain document, used in
    // errors (errc::invalid_domain) that name the offending part ("…/schema/properties/price/
    // type: …"). Never throws.
    [[nodiscard]] static result<std::shared_ptr<const command_schema>> compile(
        const nlohmann::json& schema, const std::string& where);

    ~command_schema();
    command_schema(const command_schema&) = delete;
    command_schema& operator=(const command_schema&) = delete;

    // Validates `payload` against the JSON Schema part. errc::validation listing every failing
    // field by JSON Pointer (relative to the payload); errc::internal if the validator itself
    // failed (never expected).
    [[nodiscard]] result<void> validate(const nlohmann::json& payload) const;

    // The esser keywords found in the schema, in document order.
    const std::vector<schema_keyword>& keywords() const;

    // The schema as given and as enforced (with the injected additionalProperties: false).
    const nlohmann::json& source() const;
    const nlohmann::json& effective() const;

private:
    struct impl;
    explicit command_schema(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace esser::core

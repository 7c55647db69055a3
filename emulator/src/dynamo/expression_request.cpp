// compile_request(): the expression fields of a request as JSON, checked in AWS's order
// (spec/dynamodb-api.md §1.4, §4.1; dynalite validations/index.js validateExpressionParams and
// validateExpressions, whose tests ran against AWS).

#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator {

namespace {

using adapters::aws_error;
using nlohmann::json;

// The request members this file reads; gathered in one pass over the request object.
enum member_id : std::uint8_t {
    m_condition,
    m_update,
    m_key_condition,
    m_filter,
    m_projection,
    m_names,
    m_values,
    m_expected,
    m_attribute_updates,
    m_attributes_to_get,
    m_query_filter,
    m_scan_filter,
    m_conditional_operator,
    m_key_conditions,
    m_count
};

constexpr std::array<std::string_view, m_count> member_names = {"ConditionExpression",
                                                                "UpdateExpression",
                                                                "KeyConditionExpression",
                                                                "FilterExpression",
                                                                "ProjectionExpression",
                                                                "ExpressionAttributeNames",
                                                                "ExpressionAttributeValues",
                                                                "Expected",
                                                                "AttributeUpdates",
                                                                "AttributesToGet",
                                                                "QueryFilter",
                                                                "ScanFilter",
                                                                "ConditionalOperator",
                                                                "KeyConditions"};

// Members present and not JSON null (Coral ignores null members), by member_id.
using request_members = std::array<const json*, m_count>;

request_members gather(const json& request) {
    request_members m{};
    if (!request.is_object())
        return m;
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (it->is_null())
            continue;
        const std::string& key = it.key();
        for (std::size_t i = 0; i < member_names.size(); ++i) {
            if (key == member_names[i]) {
                m[i] = &*it;
                break;
            }
        }
    }
    return m;
}

struct context_fields {
    // Expression fields in the order AWS lists them in messages.
    std::array<member_id, 3> expressions{};
    std::size_t expression_count = 0;
    std::array<member_id, 4> legacy{};
    std::size_t legacy_count = 0;
};

context_fields fields_of(expression_context c) {
    switch (c) {
        case expression_context::put_item:
        case expression_context::delete_item:
            return {{m_condition}, 1, {m_expected}, 1};
        case expression_context::update_item:
            return {{m_update, m_condition}, 2, {m_attribute_updates, m_expected}, 2};
        case expression_context::get_item:
        case expression_context::batch_get_item:
            return {{m_projection}, 1, {m_attributes_to_get}, 1};
        case expression_context::query:
            return {{m_projection, m_filter, m_key_condition},
                    3,
                    {m_attributes_to_get, m_query_filter, m_conditional_operator, m_key_conditions},
                    4};
        case expression_context::scan:
            return {{m_projection, m_filter},
                    2,
                    {m_attributes_to_get, m_scan_filter, m_conditional_operator},
                    3};
        case expression_context::transact_condition_check:
        case expression_context::transact_put:
        case expression_context::transact_delete:
            return {{m_condition}, 1, {}, 0};
        case expression_context::transact_update:
            return {{m_update, m_condition}, 2, {}, 0};
        case expression_context::transact_get:
            return {{m_projection}, 1, {}, 0};
    }
    return {};
}

// SerializationException texts of Coral (a Java service) for a String member of the wrong type.
std::optional<aws_error> check_string(const json& j) {
    if (j.is_string())
        return std::nullopt;
    if (j.is_boolean()) {
        return aws_error::serialization(j.get<bool>()
                                            ? "TRUE_VALUE cannot be converted to String"
                                            : "FALSE_VALUE cannot be converted to String");
    }
    if (j.is_number_float())
        return aws_error::serialization("DECIMAL_VALUE cannot be converted to String");
    if (j.is_number())
        return aws_error::serialization("NUMBER_VALUE cannot be converted to String");
    if (j.is_array())
        return aws_error::serialization("Unrecognized collection type class java.lang.String");
    return aws_error::serialization("Start of structure or map found where not expected");
}

std::optional<aws_error> check_names_shape(const json& j) {
    if (j.is_array()) {
        return aws_error::serialization(
            "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>");
    }
    if (!j.is_object())
        return aws_error::serialization("Unexpected field type");
    for (const auto& [key, value] : j.items()) {
        if (value.is_null())
            continue;
        if (auto e = check_string(value))
            return e;
    }
    return std::nullopt;
}

bool valid_placeholder(std::string_view key, char sigil) {
    if (key.size() < 2 || key[0] != sigil)
        return false;
    for (std::size_t i = 1; i < key.size(); ++i) {
        const char c = key[i];
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

}  // namespace

core::expected<compiled_expressions, aws_error> compile_request(const json& request,
                                                                expression_context context) {
    const context_fields f = fields_of(context);
    const request_members m = gather(request);
    bool takes_values = false;
    for (std::size_t i = 0; i < f.expression_count; ++i) {
        if (f.expressions[i] != m_projection)
            takes_values = true;
    }

    // 1. JSON types.
    const json* expressions[3] = {};
    for (std::size_t i = 0; i < f.expression_count; ++i) {
        expressions[i] = m[f.expressions[i]];
        if (expressions[i] != nullptr) {
            if (auto e = check_string(*expressions[i]))
                return core::unexpected(std::move(*e));
        }
    }
    const json* names = m[m_names];
    if (names != nullptr) {
        if (auto e = check_names_shape(*names))
            return core::unexpected(std::move(*e));
    }
    const json* values = takes_values ? m[m_values] : nullptr;
    if (values != nullptr) {
        if (auto e = check_attribute_map_shape(*values))
            return core::unexpected(std::move(*e));
    }

    // 2, 3. Expression and non-expression parameters.
    std::string present;
    for (std::size_t i = 0; i < f.expression_count; ++i) {
        if (expressions[i] == nullptr)
            continue;
        if (!present.empty())
            present += ", ";
        present += member_names[f.expressions[i]];
    }
    if (!present.empty()) {
        std::string legacy;
        const bool key_conditions_alone =
            m[m_key_conditions] != nullptr && m[m_key_condition] == nullptr;
        for (std::size_t i = 0; i < f.legacy_count; ++i) {
            if (f.legacy[i] == m_key_conditions && key_conditions_alone)
                continue;
            if (m[f.legacy[i]] == nullptr)
                continue;
            if (!legacy.empty())
                legacy += ", ";
            legacy += member_names[f.legacy[i]];
        }
        if (!legacy.empty()) {
            return core::unexpected(aws_error::validation(
                "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {" +
                legacy + "} Expression parameters: {" + present + "}"));
        }
    }
    if (names != nullptr && present.empty()) {
        return core::unexpected(aws_error::validation(
            "ExpressionAttributeNames can only be specified when using expressions"));
    }
    if (values != nullptr) {
        bool any = false;
        std::string list;
        std::size_t count = 0;
        for (std::size_t i = 0; i < f.expression_count; ++i) {
            if (f.expressions[i] == m_projection)
                continue;
            if (expressions[i] != nullptr)
                any = true;
            if (!list.empty())
                list += " and ";
            list += member_names[f.expressions[i]];
            ++count;
        }
        if (!any) {
            return core::unexpected(aws_error::validation(
                "ExpressionAttributeValues can only be specified when using expressions: " + list +
                (count > 1 ? " are null" : " is null")));
        }
    }

    // 4. Query needs a key condition of one style or the other.
    if (context == expression_context::query && m[m_key_conditions] == nullptr &&
        m[m_key_condition] == nullptr) {
        return core::unexpected(aws_error::validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
            "request."));
    }

    // 5. The placeholder maps.
    expression_source source;
    if (names != nullptr) {
        if (names->empty()) {
            return core::unexpected(
                aws_error::validation("ExpressionAttributeNames must not be empty"));
        }
        for (const auto& [key, value] : names->items()) {
            if (!valid_placeholder(key, '#')) {
                return core::unexpected(aws_error::validation(
                    "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key +
                    "\""));
            }
        }
        source.names.reserve(names->size());
        for (auto it = names->begin(); it != names->end(); ++it) {
            if (it->is_null())
                continue;
            const std::string& name = it->get_ref<const std::string&>();
            if (name.empty()) {
                return core::unexpected(aws_error::validation(
                    "ExpressionAttributeNames contains invalid value: Empty attribute name for "
                    "key " +
                    it.key()));
            }
            if (name.size() > max_attribute_name_bytes)
                return core::unexpected(aws_error::validation(attribute_name_too_large_text));
            source.names.emplace_back(it.key(), name);
        }
    }
    if (values != nullptr) {
        if (values->empty()) {
            return core::unexpected(
                aws_error::validation("ExpressionAttributeValues must not be empty"));
        }
        for (const auto& [key, value] : values->items()) {
            if (!valid_placeholder(key, ':')) {
                return core::unexpected(aws_error::validation(
                    "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key +
                    "\""));
            }
        }
        std::vector<attribute_map::entry> entries;
        entries.reserve(values->size());
        for (auto it = values->begin(); it != values->end(); ++it) {
            if (it->is_null())
                continue;
            auto v = attribute_value_from_json(*it);
            if (!v) {
                // A name over the limit inside a value is reported as in an item, unprefixed
                // (see attribute_value_json.hpp).
                if (v.error() == attribute_name_too_large_text)
                    return core::unexpected(aws_error::validation(v.error()));
                return core::unexpected(aws_error::validation(
                    "ExpressionAttributeValues contains invalid value: " + v.error() + " for key " +
                    it.key()));
            }
            entries.emplace_back(it.key(), std::move(*v));
        }
        source.values = attribute_map(std::move(entries));
    }

    // 6, 7. The expressions themselves, and unused placeholders.
    for (std::size_t i = 0; i < f.expression_count; ++i) {
        if (expressions[i] == nullptr)
            continue;
        const std::string_view text = expressions[i]->get_ref<const std::string&>();
        switch (f.expressions[i]) {
            case m_condition:
                source.condition = text;
                break;
            case m_update:
                source.update = text;
                break;
            case m_key_condition:
                source.key_condition = text;
                break;
            case m_filter:
                source.filter = text;
                break;
            default:
                source.projection = text;
                break;
        }
    }
    return compile_expressions(std::move(source));
}

}  // namespace esser::emulator

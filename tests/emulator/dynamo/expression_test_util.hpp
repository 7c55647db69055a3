#pragma once
// Helpers for the expression tests: requests and items written as JSON text.

#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator::testing {

// Compiles the request; returns "" on success, else "<ErrorType>: <message>" for a
// non-validation error or just the message of a ValidationException.
inline std::string compile_error(std::string_view request_json,
                                 expression_context context = expression_context::scan) {
    const auto request = nlohmann::json::parse(request_json);
    auto r = compile_request(request, context);
    if (r)
        return "";
    if (r.error().type != "ValidationException")
        return r.error().type + ": " + r.error().message;
    return r.error().message;
}

inline compiled_expressions compile_ok(std::string_view request_json,
                                       expression_context context = expression_context::scan) {
    const auto request = nlohmann::json::parse(request_json);
    auto r = compile_request(request, context);
    INFO(request_json);
    if (!r)
        FAIL("unexpected error: " << r.error().message);
    return std::move(*r);
}

// A FilterExpression request (Scan) with optional names and values.
inline std::string filter_error(std::string_view expression, std::string_view names = "",
                                std::string_view values = "") {
    nlohmann::json request = {{"TableName", "t"}, {"FilterExpression", expression}};
    if (!names.empty())
        request["ExpressionAttributeNames"] = nlohmann::json::parse(names);
    if (!values.empty())
        request["ExpressionAttributeValues"] = nlohmann::json::parse(values);
    return compile_error(request.dump(), expression_context::scan);
}

inline attribute_map make_item(std::string_view json_text) {
    auto r = read_attribute_map(nlohmann::json::parse(json_text));
    if (!r)
        FAIL("bad test item: " << r.error().message);
    return std::move(*r);
}

inline nlohmann::json to_json_item(const attribute_map& m) {
    return to_json(m);
}

}  // namespace esser::emulator::testing

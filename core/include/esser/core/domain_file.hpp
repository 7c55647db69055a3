#pragma once
// Loading a domain from its declarative JSON file. The format is documented in
// docs/domain-file.md; scenarios/shop/domain.json is the worked example:
//
//   {"esser": 1, "name": "shop",
//    "entities": {
//      "Item": {
//        "initial_state": {},
//        "snapshot": {"every": 100},
//        "commands": {
//          "CreateItem":  {"kind": "create", "event": "ItemCreated", "schema": {...}},
//          "UpdatePrice": {"event": "PriceUpdated",
//                          "schema": {"type": "object", "required": ["price"],
//                                     "properties": {"price": {"type": "number", "x-diff":
//                                     true}}}}},
//        "reducer": {
//          "on_ItemCreated": "merge",
//          "on_PriceUpdated": {"op": "set", "path": "/price"}}}},
//    "receivers": {"pre_save": [{"entity": "Item", "command": "UpdatePrice",
//                                "function": "check_price"}]}}
//
// Errors: a file that cannot be read or parsed is errc::parse_error (with line and column);
// a document that is not a valid domain is errc::invalid_domain listing every problem by JSON
// Pointer with what to do. error::source is the file name. Never throws, never aborts.

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/function_registry.hpp"

namespace esser::core {

// Reads a domain document into a builder, so C++ code can add entities or receivers before
// building. Format problems found while reading are recorded in the builder and reported by
// build() together with schema problems.
[[nodiscard]] domain_builder read_domain(const nlohmann::json& doc,
                                         const function_registry& fns = {});

// read_domain + build.
[[nodiscard]] result<std::shared_ptr<const domain>> load_domain(
    const nlohmann::json& doc, const function_registry& fns = {},
    const std::string& source = "domain");
// Parses `text` as JSON first.
[[nodiscard]] result<std::shared_ptr<const domain>> load_domain_text(
    std::string_view text, const function_registry& fns = {}, const std::string& source = "domain");
[[nodiscard]] result<std::shared_ptr<const domain>> load_domain_file(
    const std::string& path, const function_registry& fns = {});

// Parses JSON text; errc::parse_error with "line L, column C" on a syntax error. Comments are
// not allowed (the file must stay valid JSON for every other tool).
[[nodiscard]] result<nlohmann::json> parse_json_text(std::string_view text,
                                                     const std::string& source);
// Reads and parses a JSON file; errc::not_found when it cannot be opened.
[[nodiscard]] result<nlohmann::json> read_json_file(const std::string& path);

}  // namespace esser::core

#pragma once
// Reading a CloudFormation or SAM template as users keep it (issue 10, `esser-local serve
// --template FILE`): JSON (what `esser-local template` writes by default) or YAML (what most
// people write by hand, short-form tags included; yaml_reader.hpp says which YAML).
//
// The format is chosen by the content: a text whose first character other than whitespace is
// '{' is JSON (or, if it is not valid JSON, YAML in flow style; if it is neither, the error is
// the JSON parser's), anything else YAML.
//
// Errors: errc::not_found (the file cannot be opened), errc::parse_error (JSON: the parser's
// message; YAML: "<line>:<column>: <problem>"), with `source` set to the path.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::adapters {

// The template in `text` (`source` names it in errors).
[[nodiscard]] core::result<nlohmann::json> read_template_text(std::string_view text,
                                                              const std::string& source);

// The template in the file at `path`.
[[nodiscard]] core::result<nlohmann::json> read_template_file(const std::string& path);

}  // namespace esser::adapters

#pragma once
// A strict reader for the YAML that people write CloudFormation and SAM templates in (issue 10,
// `esser-local serve --template FILE`): it turns the text into the JSON template
// CloudFormation itself would see, so one loader (stack_loader) serves both formats.
//
// Accepted (YAML 1.2, block and flow styles):
//   - block mappings and block sequences, a sequence as a mapping value at the key's own
//     indentation, compact nested collections in sequence entries ("- Key: v", "- - a");
//   - flow collections [a, b] and {k: v}, over several lines, trailing commas allowed;
//   - plain scalars (several lines fold into one, as YAML folds them), 'single quoted'
//     ('' is a quote) and "double quoted" (every YAML escape: \n \t \" \\ \/ \0 \a \b \e \f \r
//     \v \N \_ \L \P \xHH \uHHHH \UHHHHHHHH, escaped line breaks);
//   - literal | and folded > block scalars with chomping (-, +) and an indentation indicator;
//   - comments, one optional "---" document start and "..." document end;
//   - CloudFormation's short-form intrinsic tags, turned into their long forms (CloudFormation
//     User Guide, "Intrinsic function reference"): !Ref X -> {"Ref": X}, !Condition X ->
//     {"Condition": X}, !GetAtt a.b.c -> {"Fn::GetAtt": ["a", "b.c"]} (a sequence passes as it
//     is), and !<Name> -> {"Fn::<Name>": ...} for Base64, Cidr, FindInMap, GetAZs, ImportValue,
//     Join, Select, Split, Sub, Transform, And, Equals, If, Not, Or, Contains,
//     EachMemberEquals, EachMemberIn, RefAll, ValueOf, ValueOfAll, Length, ToJsonString.
//     A tag with nothing after it stands for "" (!GetAZs "" is commonly written bare);
//   - the core schema's standard tags on a scalar's text: !!str, !!int, !!float, !!bool,
//     !!null (and !!map, !!seq on collections), as YAML writers emit them for quoted numbers.
// Plain scalars resolve to what YAML 1.2's core schema and YAML 1.1 (PyYAML, and the SnakeYAML
// CloudFormation reads templates with) agree on: null, ~ and an empty value are null;
// true/false (also True, TRUE) booleans; decimal integers without a leading zero and 0x hex
// integers; decimal floats with a '.' and an exponent only with its sign (1.5, -.5, 1.0e+20).
// Whatever the two disagree on stays a string: 017, 0o17, 1e3, 1_000, 1:30, yes/no/on/off,
// 2010-09-09; so do .inf and .nan (JSON cannot hold them) and integers beyond 64 bits.
//
// Refused with an error (never guessed at): anchors (&a) and aliases (*a), merge keys
// (<<), complex keys (? and collections as keys), several documents in one stream, directives
// (%YAML, %TAG), other tags (!!binary, !!timestamp, !Foo), duplicate keys, tabs in
// indentation, a value
// indented inconsistently, unterminated quotes and flow collections, content after the
// document.
//
// Errors are core::errc::parse_error whose message starts "<line>:<column>: " (both from 1,
// the column counting bytes), for example "7:12: anchors and aliases (&name) are not supported".
// Input size is unbounded but nesting is limited to 200 levels (deeper: an error, never a stack
// overflow).
//
// Pure function: no I/O, thread-safe.

#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/error.hpp"

namespace esser::adapters {

// The JSON value of the single YAML document in `text` (see above).
[[nodiscard]] core::result<nlohmann::json> read_cloudformation_yaml(std::string_view text);

}  // namespace esser::adapters

#pragma once
// Reads a request body into an nlohmann::json tree, several times faster than json::parse on
// AWS JSON 1.0 requests (issue 6: every DynamoDB call over HTTP starts here; nlohmann's lexer
// was a third of esser-local's user time on PutItem). The result is exactly json::parse's:
// - the same texts are accepted (RFC 8259, strings in well-formed UTF-8, a leading UTF-8 BOM
//   skipped, nothing after the value but whitespace, or a NUL byte and anything after it, which
//   nlohmann takes for the end of the input) and every other text is refused;
// - the same tree: "-5" is number_integer, "5" number_unsigned, a number with a fraction or
//   exponent or out of 64-bit range number_float (strtod), a float that overflows refused;
//   \u escapes decoded with surrogate pairs, a lone surrogate refused; of duplicate keys the
//   last wins.
// The one difference: nesting deeper than `max_depth` is reported as too_deep without reading
// further (the reader recurses; nlohmann does not), and the caller falls back to json::parse.
// json_reader_test checks the equivalence against json::parse on corpora and random texts.

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace esser::emulator::detail {

enum class json_read_status { ok, invalid, too_deep };

// Parses `text` into `out` (unchanged unless ok).
json_read_status read_json(std::string_view text, nlohmann::json& out, std::size_t max_depth);

}  // namespace esser::emulator::detail

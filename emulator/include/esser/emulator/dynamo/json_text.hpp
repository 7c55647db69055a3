#pragma once
// JSON text written straight into a string, byte for byte what nlohmann::json::dump() writes
// for the same document (compact, ensure_ascii off, error_handler_t::replace). The hot
// renderings (stream records for Lambda events, item_codec::write_json) use it to skip building
// a nlohmann::json tree only to serialise it; their tests compare against dump().

#include <cstdint>
#include <string>
#include <string_view>

namespace esser::emulator {

// `s` as a JSON string literal: '"' and '\\' escaped, \b \t \n \f \r, other control characters
// as \u00xx (lower-case hex), everything else as is (UTF-8 passes through). Text that is not
// valid UTF-8 gets dump()'s replacement (U+FFFD for each invalid sequence).
void append_json_string(std::string& out, std::string_view s);

// Decimal text of an integer.
void append_json_int(std::string& out, std::int64_t v);

}  // namespace esser::emulator

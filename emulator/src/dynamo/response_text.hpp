#pragma once
// Response bodies of the read operations written as text without building the items' JSON
// trees (issue 6: a Query of 100 events answers ~20 KB of JSON; building and dumping a tree of
// ~5,000 nodes for it was most of the HTTP front's time).
//
// A read operation puts each plain (unprojected) item into its response with response_item():
// as its wire-form tree for dispatch() (in-process callers use the tree), or, for
// dispatch_text(), as a *deferred item*: a JSON binary node (subtype deferred_item_subtype)
// holding the item's stored encoding. write_response_text() renders a response document to
// text, writing deferred items straight from their encoding (item_codec::write_json). The text
// is byte for byte what dump(-1, ' ', false, replace) writes for the same document with every
// deferred item expanded (json_text.hpp's contract; tested against dump() on every read test).
// A deferred item never leaves the engine: dispatch() never produces one.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace esser::emulator {

// How a read operation puts plain items into its response.
enum class item_form {
    tree,      // item_codec::to_json: the response is used as a document (dispatch())
    deferred,  // a deferred item: the response is only written as text (dispatch_text())
};

// The JSON binary subtype that marks a deferred item ("essr"): JSON text never parses into a
// binary node, and attribute values convert to none, so no other node carries it.
inline constexpr std::uint64_t deferred_item_subtype = 0x65737372;

// The response member for an item stored as `encoded` (item_codec's encoding).
nlohmann::json response_item(std::string_view encoded, item_form form);

// Appends `doc` as compact JSON text, deferred items written from their encoding. Other
// binary nodes (none exist) are written as dump() writes them.
void write_response_text(const nlohmann::json& doc, std::string& out);

}  // namespace esser::emulator

#pragma once
// Response bodies of the read operations written as text without building the items' JSON
// trees (issue 6: a Query of 100 events answers ~40 KB of JSON; building and dumping a tree of
// ~5,000 nodes for it was most of the HTTP front's time).
//
// A read operation puts each plain (unprojected) item into its response with response_item():
// as its wire-form tree for dispatch() (in-process callers use the tree), or, for
// dispatch_text(), copied into the answer's deferred_items with a node standing for it in the
// document (a Query or Scan page puts one node for its whole Items array). write_response_text()
// renders a response document to text, writing deferred items straight from their encoding
// (item_codec::write_json_padded). The text is byte for byte what dump(-1, ' ', false, replace)
// writes for the same document with every node expanded into its items' trees (json_text.hpp's
// contract; tested against dump() on every read test). Nodes never leave the engine:
// dispatch() never produces one.

#include <string>
#include <string_view>

#include "deferred_items.hpp"
#include <nlohmann/json.hpp>

namespace esser::emulator {

// The response member for an item stored as `encoded` (item_codec's encoding): its tree when
// `deferred` is null (dispatch()), else a copy in `deferred` and the node standing for it.
nlohmann::json response_item(std::string_view encoded, deferred_items* deferred);

// Appends `doc` as compact JSON text, the nodes of `items` written from their encoding. Other
// binary nodes (none exist) are written as dump() writes them.
void write_response_text(const nlohmann::json& doc, const deferred_items& items, std::string& out);

}  // namespace esser::emulator

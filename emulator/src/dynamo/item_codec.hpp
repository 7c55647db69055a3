#pragma once
// The compact binary form items are stored in, and sortable key bytes.
//
// Items live in the engine encoded, not as attribute_value trees: one contiguous byte string per
// item, about the size of the item's raw attribute bytes, decoded on read. This is what keeps a
// million ~200-byte items within twice their raw size (issue 3 memory target).
//
// Item encoding (all integers are LEB128 varints unless stated):
//   item   := count { name value }            names in ascending byte order
//   name   := len bytes
//   value  := tag(1 byte = value_type) payload
//     S, B       len bytes
//     N          number
//     BOOL       1 byte (0/1)
//     NULL       nothing
//     M          byte_len count { name value }  (byte_len lets a reader skip the map in O(1))
//     L          byte_len count { value }
//     SS, BS     count { len bytes }
//     NS         count { number }
//   number := head(1 byte: 0x80 if negative | coefficient byte count 0..16) zigzag(exponent)
//             coefficient (little-endian, that many bytes)
//
// Key bytes: a key attribute (S, N or B) as bytes whose memcmp order is DynamoDB's order for
// that type (spec §2.5): S and B as their raw bytes (UTF-8 byte order, unsigned bytes); N as
//   0x01                                   zero
//   0x02 (e+130) digits                    positive: e = adjusted exponent, digits '0'..'9'
//   0x00 (125-e) ~digits 0xFF              negative: everything inverted, then a terminator
// so that equal numbers have equal bytes ("1" and "1.0").
//
// The decoders trust their input: it was produced by encode() in this process.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/json_text.hpp"

namespace esser::emulator {
class json_cursor;
}

namespace esser::emulator::item_codec {

void encode(const attribute_map& item, std::string& out);
std::string encode(const attribute_map& item);

// Where the top-level attributes of an encoded item are, so that key lookups need not scan it.
// encode_json fills it; its names point into the JSON item, which must outlive it. An item of
// more than `capacity` attributes is not indexed: find() then scans.
class attribute_index {
public:
    static constexpr std::size_t capacity = 16;

    // find(bytes, name) of the item this index was filled for.
    std::optional<std::string_view> find(std::string_view bytes, std::string_view name) const;

    // encode_json's side: start an item of `attributes` attributes, then add each in order.
    void reset(std::size_t attributes) {
        n_ = 0;
        indexed_ = attributes <= capacity;
    }

    void add(std::string_view name, std::size_t begin, std::size_t end) {
        if (indexed_)
            entries_[n_++] = {name, static_cast<std::uint32_t>(begin),
                              static_cast<std::uint32_t>(end - begin)};
    }

private:
    struct entry {
        std::string_view name;
        std::uint32_t at = 0, size = 0;  // the encoded value
    };

    std::array<entry, capacity> entries_{};
    std::size_t n_ = 0;
    bool indexed_ = false;
};

// PutItem's Item straight from its DynamoDB JSON (spec §2.1-2.3) in one walk, without building
// an attribute_map: merges the type pass, the AttributeValue pass, encode() and item_size().
// Accepts only plainly valid items: every value an object with exactly one known tag whose
// value has its natural JSON type (S/N/B strings, BOOL a boolean, NULL true, sets non-empty
// arrays of strings without duplicates, M an object, L an array), numbers that decimal::parse
// takes, base64 that decodes, names up to max_attribute_name_bytes, at most max_attribute_depth
// levels. Anything else, invalid or merely unusual (Coral's boolean strings, JSON null members,
// several tags, unknown tags), is declined: nullopt, and the caller runs the two passes of
// attribute_value_json.hpp, which give AWS's error in AWS's order.
// On success `out` (cleared first) holds exactly encode(attribute_map_from_json(item)) and the
// result is the item's size (spec §2.3). `index`, if given, is filled for the encoded item.
std::optional<std::size_t> encode_json(const nlohmann::json& item, std::string& out,
                                       attribute_index* index = nullptr);

// encode_json of the object at the cursor, read straight from the request text without a JSON
// tree (PutItem's Item; put_item_text.hpp). Takes a narrower plain form: names and string
// values of printable ASCII without escapes, no sets, no repeated names; anything else
// declines (nullopt, the cursor then unusable) and the caller parses the request in full.
// On success the result, `out` and `index` are exactly encode_json's for the same item, and
// the index's names point into the text.
std::optional<std::size_t> encode_json_text(json_cursor& in, std::string& out,
                                            attribute_index* index = nullptr);

attribute_map decode(std::string_view bytes);
// Only the named top-level attributes (sorted, unique names), for projections and key reads.
attribute_map decode_some(std::string_view bytes, const std::vector<std::string>& names);
// The wire form of the whole item, built without attribute_value trees.
nlohmann::json to_json(std::string_view bytes);
// The same document as text appended to `out`, byte for byte to_json(bytes).dump(), without
// building the tree (Lambda events of stream records).
void write_json(std::string_view bytes, std::string& out);
void write_json(std::string_view bytes, json_text& out);
// write_json() of bytes followed by at least 15 more readable bytes (deferred_items pads its
// buffer so): strings are copied 16 bytes at a time (json_text::padded_string).
void write_json_padded(std::string_view bytes, json_text& out);

// The encoded value (tag + payload) of a top-level attribute, if present.
std::optional<std::string_view> find(std::string_view bytes, std::string_view name);
// find() of two names in one scan (the key attributes).
using attribute_pair = std::pair<std::optional<std::string_view>, std::optional<std::string_view>>;
attribute_pair find_pair(std::string_view bytes, std::string_view a, std::string_view b);
attribute_value decode_value(std::string_view value_bytes);
// Key bytes of an encoded value, which must be S, N or B.
void append_key_bytes_of_encoded(std::string_view value_bytes, std::string& out);
// Number of top-level attributes.
std::size_t attribute_count(std::string_view bytes);
// The byte length of an encoded S or B value (tag + payload).
std::size_t bytes_length(std::string_view value_bytes);
// The DynamoDB size (spec §2.3) of an encoded item, without decoding it.
std::size_t item_size(std::string_view bytes);
// The size of an encoded item as a stream record's SizeBytes counts it
// (spec/streams-and-lambda.md §2.4): item_size except that a Number counts
// ceil(significant digits / 2) + 1 (no byte for the exponent's parity or the sign).
std::size_t stream_size(std::string_view bytes);
// stream_size(bytes), and in the same walk find_pair(bytes, a, b) into `found`.
std::size_t stream_size(std::string_view bytes, std::string_view a, std::string_view b,
                        attribute_pair& found);

// A top-level attribute of an encoded item: its name and its encoded value (tag + payload, as
// find() returns it).
struct encoded_attribute {
    std::string_view name;
    std::string_view value;
};

// The encoding of the item made of `attributes` (ascending name order, no name twice), appended
// to `out`: byte for byte encode() of that item decoded. encoded_size() is its length.
void encode(std::span<const encoded_attribute> attributes, std::string& out);
std::size_t encoded_size(std::span<const encoded_attribute> attributes);

// Key bytes of a value (S, N or B).
void append_key_bytes(const attribute_value& v, std::string& out);
std::string key_bytes(const attribute_value& v);

}  // namespace esser::emulator::item_codec

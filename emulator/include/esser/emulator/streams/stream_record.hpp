#pragma once
// One DynamoDB Streams record, typed, and its two JSON renderings (spec/streams-and-lambda.md
// §2.4 GetRecords, §2.5 the Lambda event).
//
// Records are immutable once appended and shared (std::shared_ptr<const stream_record>) between
// the shard that holds them and every reader, so reading copies pointers, never images.
//
// Which images a record carries follows the stream's view type (§1.1):
//
//   view                 INSERT     MODIFY      REMOVE
//   KEYS_ONLY            -          -           -
//   NEW_IMAGE            new        new         -
//   OLD_IMAGE            -          old         old
//   NEW_AND_OLD_IMAGES   new        old, new    old
//
// Images are whole items including the key attributes, never deltas.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"
#include "esser/emulator/dynamo/table_observer.hpp"
#include "esser/emulator/streams/sequence_number.hpp"

namespace esser::emulator {

// eventName. Derived from the change: no old image -> INSERT, no new image -> REMOVE, both ->
// MODIFY (§3). Do not reorder (ordinal used in tests' golden output).
enum class stream_event_name : std::uint8_t { INSERT, MODIFY, REMOVE };

// "INSERT", "MODIFY", "REMOVE".
std::string_view stream_event_name_text(stream_event_name n) noexcept;
// "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES".
std::string_view stream_view_type_text(stream_view_type v) noexcept;
// The inverse; nullopt for anything else (case-sensitive, as AWS).
std::optional<stream_view_type> parse_stream_view_type(std::string_view text) noexcept;

// Images are stored encoded (the engine's compact item encoding, one buffer per record: keys,
// then the old image, then the new image), so a record costs about the raw size of its
// attributes; the accessors decode on each call (copy what you keep) and the JSON renderings
// read the encoding directly.
struct stream_record {
    stream_event_name event_name = stream_event_name::INSERT;
    stream_view_type view_type = stream_view_type::KEYS_ONLY;
    bool by_ttl = false;           // a TTL deletion: userIdentity Service/dynamodb.amazonaws.com
    std::uint32_t size_bytes = 0;  // SizeBytes (record_size_bytes below)
    sequence_number sequence;
    core::time_point at;              // commit time (full precision; retention, record age)
    std::array<char, 32> event_id{};  // 32 lower-case hex digits

    std::string_view event_id_text() const { return {event_id.data(), event_id.size()}; }

    // ApproximateCreationDateTime: epoch seconds, rounded down (§2.4, §6 item 16).
    std::int64_t approximate_creation_date_time() const;

    // Stores the images (per the view type, the caller passes only those the record carries).
    void set_images(const item& keys, const item* old_image, const item* new_image);
    // The same from the engine's encoded images (item_change::old_encoded/new_encoded, at
    // least one present), and size_bytes with them: the record carries the old image if
    // `with_old` and the new one if `with_new` (per the view type, as for set_images); the key
    // attributes named by `schema` are read from the new image, or the old for a deletion.
    // Stores byte for byte what set_images of the decoded items stores, and the size
    // record_size_bytes computes, without decoding anything.
    void set_encoded_images(const key_schema& schema, std::optional<std::string_view> old_image,
                            std::optional<std::string_view> new_image, bool with_old,
                            bool with_new);
    item keys() const;

    // The key attributes in the engine's item encoding (emulator/src/dynamo/item_codec.hpp).
    std::string_view encoded_keys() const { return std::string_view(images_).substr(0, old_at_); }

    bool has_old_image() const { return has_old_; }

    // Bytes of the encoded images (keys + old + new): bounds the size of their JSON.
    std::size_t encoded_size() const { return images_.size(); }

    bool has_new_image() const { return has_new_; }

    std::optional<item> old_image() const;
    std::optional<item> new_image() const;
    // DynamoDB JSON of the images ({"pk":{"S":"a"}}); null when absent.
    nlohmann::json keys_json() const;
    nlohmann::json old_image_json() const;
    nlohmann::json new_image_json() const;
    // The same documents as text appended to `out` (byte for byte their dump()); false, and
    // nothing written, when the record has no such image.
    void append_keys_json(std::string& out) const;
    bool append_old_image_json(std::string& out) const;
    bool append_new_image_json(std::string& out) const;

    // The record as bytes for --data-dir (esser's own layout, version byte first), and back.
    // decode() checks the layout (lengths, enum values, image offsets) and returns nullopt for
    // anything it did not write; the images themselves are trusted as the engine's encoding.
    void encode(std::string& out) const;
    static std::optional<stream_record> decode(std::string_view bytes);

private:
    std::string images_;  // encoded keys | old image | new image
    std::uint32_t old_at_ = 0, new_at_ = 0;
    bool has_old_ = false, has_new_ = false;
};

// SizeBytes (§2.4, matches 9/9 real samples): the DynamoDB size of Keys + OldImage + NewImage
// as they appear in the record. Per attribute: UTF-8 bytes of the name + the value's size, with
// S = UTF-8 bytes, B = raw bytes, BOOL/NULL = 1, N = ceil(significant digits / 2) + 1; sets are
// the sum of their elements, L = 3 + sum(1 + element), M = 3 + sum(1 + name + value).
std::size_t record_size_bytes(const item& keys, const item* old_image, const item* new_image);

// The GetRecords element:
//   {"eventID","eventName","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion",
//    "dynamodb":{"ApproximateCreationDateTime":<int>,"Keys",["NewImage"],["OldImage"],
//                "SequenceNumber","SizeBytes","StreamViewType"},
//    ["userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}]}
// Built directly from the typed record (no JSON text in between).
nlohmann::json to_streams_json(const stream_record& r, std::string_view region);

// The record as Lambda hands it to a function (§2.5): the GetRecords element plus
// "eventSourceARN" (the stream ARN).
nlohmann::json to_lambda_json(const stream_record& r, std::string_view region,
                              std::string_view stream_arn);
// to_lambda_json(r, region, stream_arn).dump() appended to `out`, written straight from the
// record's encoded images (no JSON tree): what executable and URL functions receive.
void append_lambda_json(const stream_record& r, std::string_view region,
                        std::string_view stream_arn, std::string& out);

}  // namespace esser::emulator

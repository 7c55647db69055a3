#pragma once
// How other parts of the emulator learn what a table does, without the engine knowing them.
//
// The engine calls an observer (DynamoDB Streams is the main one: emulator/streams) for stream
// lifecycle and for every committed item change. Calls are made while the table's own lock is
// held, in commit order, so a write and its stream record are atomic: no reader can see the
// write without the record, and records of one item are in the item's modification order
// (spec/streams-and-lambda.md §3).
//
// Contract for implementations: be quick (no I/O beyond memory), never call back into the engine,
// never throw for expected conditions.

#include <optional>
#include <string>
#include <string_view>

#include "esser/core/clock.hpp"
#include "esser/emulator/dynamo/attribute_value.hpp"
#include "esser/emulator/dynamo/key_schema.hpp"

namespace esser::emulator {

// StreamViewType (spec §1.1). Persisted by name; do not reorder.
enum class stream_view_type : std::uint8_t { KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES };

// One committed change to one item. Writes that change nothing, failed conditions and cancelled
// transactions produce no item_change at all.
//
// The images come in two forms. The engine always sets old_encoded/new_encoded, the whole items
// in its stored encoding (emulator/src/dynamo/item_codec.hpp), for the images that exist. It
// sets the decoded keys/old_image/new_image only for an observer whose wants_decoded_images()
// is true (decoding an item costs more than the rest of a PutItem's stream work); for one that
// says false, keys, old_image and new_image are null. A change built by hand (tests, benches)
// may carry the decoded form only: then keys is set and both encodings are nullopt.
// Everything pointed to is valid during the item_changed call only.
struct item_change {
    std::string_view table;
    const item* keys = nullptr;       // the key attributes (table key schema), see above
    const item* old_image = nullptr;  // whole item before the change; null if it did not exist
    const item* new_image = nullptr;  // whole item after the change; null if it was deleted
    std::optional<std::string_view> old_encoded;  // old_image encoded; nullopt if it did not exist
    std::optional<std::string_view> new_encoded;  // new_image encoded; nullopt if it was deleted
    bool by_ttl = false;                          // a TTL expiry deletion (userIdentity Service)
    core::time_point at;                          // commit time, from the clock port

    // Whether the change carries the encoded images (else the decoded ones).
    bool encoded() const { return old_encoded.has_value() || new_encoded.has_value(); }
};

// What a stream-enabling observer hands back for DescribeTable/CreateTable/UpdateTable.
struct stream_identity {
    std::string arn;    // arn:aws:dynamodb:<region>:<account>:table/<t>/stream/<label>
    std::string label;  // "2024-01-01T00:00:00.000" (no trailing Z)
};

class table_observer {
public:
    virtual ~table_observer() = default;

    // A table got an enabled stream (CreateTable with StreamSpecification, or UpdateTable).
    virtual stream_identity stream_enabled(std::string_view table, const std::string& table_arn,
                                           const key_schema& keys, stream_view_type view,
                                           core::time_point at) = 0;
    // The table's enabled stream was disabled (UpdateTable) or the table was deleted: open
    // shards close; the stream stays readable until trimmed.
    virtual void stream_disabled(std::string_view table, core::time_point at) = 0;
    // A committed change on a table whose stream is enabled.
    virtual void item_changed(const item_change& change) = 0;

    // Whether item_changed needs keys/old_image/new_image decoded (see item_change); an observer
    // that reads the encoded images answers false and the engine skips the decoding. Constant
    // for the observer's lifetime.
    virtual bool wants_decoded_images() const { return true; }
};

}  // namespace esser::emulator

#pragma once
// journal_codec: the byte format of esser-local's state journal (DIR/emulator.journal, issue 9
// "Emulator persistence", --durability normal), and its one parser. sqlite_state_store appends a
// record per group of units it acknowledges and applies them to SQLite later; at open it replays
// the records SQLite has not applied yet.
//
// Format (integers little-endian, strings as u32 length + bytes):
//   header  "ESSERJNL" u32 version (1)
//   record  u32 length, u32 crc32(length's 4 bytes + payload), payload of `length` bytes:
//           u64 sequence, u32 unit count, per unit: u32 change count, per change: u8 tag and
//           the alternative's fields in declaration order. Tags (persisted, never renumbered):
//           1 table_saved, 2 table_dropped, 3 item_saved, 4 item_removed, 5 stream_saved,
//           6 stream_dropped, 7 streams_cleared, 8 record_saved, 9 records_trimmed,
//           10 document_saved, 11 documents_removed (journal_codec.cpp's layout()).
// Sequences rise by one from record to record (across truncations too: the store continues
// after the sequence SQLite applied).
//
// What a reader can find, and what parse() makes of it:
//   - a torn tail: the file ends inside a record's header or payload, its last record fails its
//     checksum, or the file ends with zero bytes (an OS crash or a failed append: the record was
//     never acknowledged). parse() keeps the whole records before it and says why in torn_tail.
//   - damage in the middle (a record that fails its checksum with more bytes after it), a length
//     above max_record_bytes, a record whose checksum holds but whose payload does not decode
//     (bad tag, a field running past the record, bytes left over, a bad bool) or a sequence that
//     does not follow the previous one: errc::parse_error naming the record's byte offset. The
//     caller adds the file's name.
//   - a file too short for the header but a prefix of it: torn (no records); any other header:
//     errc::parse_error ("not an esser journal", or the unknown version).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/error.hpp"
#include "esser/emulator/dynamo/durability_sink.hpp"

namespace esser::emulator {

// One record: the units acknowledged together, in submission order.
struct journal_record {
    std::uint64_t sequence = 0;
    std::vector<std::vector<durable_change>> units;
};

struct journal_contents {
    std::vector<journal_record> records;
    std::size_t valid_bytes = 0;  // header and whole records; the rest is the torn tail
    std::string torn_tail;        // why the bytes after valid_bytes were cut; empty when none
};

class journal_codec {
public:
    static constexpr std::string_view magic = "ESSERJNL";
    static constexpr std::uint32_t version = 1;
    static constexpr std::size_t header_bytes = 12;
    static constexpr std::size_t record_header_bytes = 8;  // length + crc32
    // A record longer than this is damage, not a record (a unit is at most a few MiB: a
    // BatchWriteItem of 16 MiB is the largest request).
    static constexpr std::uint32_t max_record_bytes = 256u << 20;

    // Bytes of a record payload before its units (sequence and unit count).
    static constexpr std::size_t record_overhead = 12;

    // The file header (magic and version).
    static std::string header();

    // The bytes `unit` takes in a record's payload (a writer keeps records within
    // max_record_bytes with it: record_overhead plus the sum over its units).
    static std::size_t unit_bytes(const std::vector<durable_change>& unit);

    // Appends one record holding `units` (as pointers: the caller's batches are not copied).
    static void append_record(std::string& out, std::uint64_t sequence,
                              const std::vector<const std::vector<durable_change>*>& units);

    // Reads a whole journal (header included). See the header comment for what is an error.
    [[nodiscard]] static core::result<journal_contents> parse(std::string_view bytes);
};

}  // namespace esser::emulator

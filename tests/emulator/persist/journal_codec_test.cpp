// Issue 9, --durability normal: the journal's byte format (journal_codec). Every durable_change
// alternative survives a round trip; a torn end is cut off with its reason; damage inside the
// journal, a record longer than the limit, an unknown change tag, a payload that does not decode
// and a broken sequence are refused with the record's byte offset.
#include "esser/emulator/persist/journal_codec.hpp"

#include <cstring>

#include <catch2/catch.hpp>
#include <zlib.h>

using namespace esser::emulator;

namespace {

// One unit holding every alternative, with bytes that need care (NULs, high bytes, empty).
std::vector<durable_change> every_change() {
    const std::string binary("k\0\xff\x01", 4);
    return {
        table_saved{"T-1", R"({"name":"T"})"},
        table_dropped{"T-0"},
        item_saved{"T-1", binary, std::string(3000, 'i')},
        item_removed{"T-1", ""},
        stream_saved{7, 42, R"({"shards":[]})"},
        stream_dropped{6},
        streams_cleared{},
        record_saved{7, 3, 0xFFFFFFFFFFFFull, binary},
        records_trimmed{7, 0xFFFFFFFFu, 12},
        document_saved{"esm", "uuid/1", "{}"},
        documents_removed{"message", "q/", false},
        documents_removed{"esm", "uuid", true},
    };
}

std::string journal_of(const std::vector<std::vector<std::vector<durable_change>>>& records,
                       std::uint64_t first = 1) {
    std::string out = journal_codec::header();
    for (const auto& units : records) {
        std::vector<const std::vector<durable_change>*> ptrs;
        for (const auto& u : units) ptrs.push_back(&u);
        journal_codec::append_record(out, first++, ptrs);
    }
    return out;
}

// Rewrites a record's crc32 after a test edited its payload, so that the checksum holds and the
// parser reaches the payload's decoding.
void reseal(std::string& j, std::size_t record_at) {
    std::uint32_t length = 0;
    std::memcpy(&length, j.data() + record_at, 4);
    uLong crc = ::crc32(0L, Z_NULL, 0);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(j.data() + record_at), 4);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(j.data() + record_at + 8), length);
    const auto c = static_cast<std::uint32_t>(crc);
    std::memcpy(j.data() + record_at + 4, &c, 4);
}

// `j` with `value` written at byte `at` inside the record at `record_at`, resealed.
template <class T>
std::string patched(std::string j, std::size_t record_at, std::size_t at, T value) {
    std::memcpy(j.data() + at, &value, sizeof value);
    reseal(j, record_at);
    return j;
}

}  // namespace

TEST_CASE("every durable change comes back from the journal as it was written",
          "[emulator][persist][journal_codec]") {
    const auto unit = every_change();
    const std::string j = journal_of({{unit, {}, {table_dropped{"x"}}}, {{streams_cleared{}}}}, 41);
    auto parsed = journal_codec::parse(j);
    REQUIRE(parsed);
    CHECK(parsed->torn_tail.empty());
    CHECK(parsed->valid_bytes == j.size());
    REQUIRE(parsed->records.size() == 2);
    CHECK(parsed->records[0].sequence == 41);
    CHECK(parsed->records[1].sequence == 42);
    REQUIRE(parsed->records[0].units.size() == 3);
    CHECK(parsed->records[0].units[1].empty());
    const auto& back = parsed->records[0].units[0];
    REQUIRE(back.size() == unit.size());
    for (std::size_t i = 0; i < unit.size(); ++i) {
        INFO("change " << i);
        REQUIRE(back[i].index() == unit[i].index());
    }
    CHECK(std::get<table_saved>(back[0]).definition == R"({"name":"T"})");
    CHECK(std::get<table_dropped>(back[1]).table_id == "T-0");
    CHECK(std::get<item_saved>(back[2]).key == std::string("k\0\xff\x01", 4));
    CHECK(std::get<item_saved>(back[2]).item == std::string(3000, 'i'));
    CHECK(std::get<item_removed>(back[3]).key.empty());
    CHECK(std::get<stream_saved>(back[4]).version == 42);
    CHECK(std::get<stream_saved>(back[4]).state == R"({"shards":[]})");
    CHECK(std::get<stream_dropped>(back[5]).stream == 6);
    const auto& rec = std::get<record_saved>(back[7]);
    CHECK(rec.stream == 7);
    CHECK(rec.shard == 3);
    CHECK(rec.position == 0xFFFFFFFFFFFFull);
    CHECK(rec.record == std::string("k\0\xff\x01", 4));
    const auto& trim = std::get<records_trimmed>(back[8]);
    CHECK(trim.shard == 0xFFFFFFFFu);
    CHECK(trim.position == 12);
    CHECK(std::get<document_saved>(back[9]).id == "uuid/1");
    CHECK(std::get<document_saved>(back[9]).body == "{}");
    CHECK_FALSE(std::get<documents_removed>(back[10]).exact);
    CHECK(std::get<documents_removed>(back[10]).id_prefix == "q/");
    CHECK(std::get<documents_removed>(back[11]).exact);
    CHECK(std::get<table_dropped>(parsed->records[0].units[2][0]).table_id == "x");
    CHECK(std::holds_alternative<streams_cleared>(parsed->records[1].units[0][0]));
}

TEST_CASE("unit_bytes is what a unit takes in a record, so writers can bound their records",
          "[emulator][persist][journal_codec]") {
    const auto unit = every_change();
    const std::vector<durable_change> empty;
    std::string out;
    journal_codec::append_record(out, 1, {&unit, &empty, &unit});
    std::uint32_t length = 0;
    std::memcpy(&length, out.data(), 4);
    CHECK(length == journal_codec::record_overhead + 2 * journal_codec::unit_bytes(unit) +
                        journal_codec::unit_bytes(empty));
    CHECK(journal_codec::unit_bytes(empty) == 4);
}

TEST_CASE("each change is written with the tag the format documents (persisted tags never move)",
          "[emulator][persist][journal_codec]") {
    const auto unit = every_change();
    const int documented[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11};
    for (std::size_t i = 0; i < unit.size(); ++i) {
        const std::string j = journal_of({{{unit[i]}}});
        // header, length + crc, sequence (8), unit count (4), change count (4), then the tag
        const std::size_t tag_at = journal_codec::header_bytes + 8 + 16;
        INFO("change " << i);
        CHECK(static_cast<int>(static_cast<unsigned char>(j[tag_at])) == documented[i]);
    }
    CHECK(journal_codec::header() == std::string("ESSERJNL\x01\0\0\0", 12));
}

TEST_CASE("an empty journal or a bare header holds no records",
          "[emulator][persist][journal_codec]") {
    auto empty = journal_codec::parse("");
    REQUIRE(empty);
    CHECK(empty->records.empty());
    CHECK(empty->torn_tail.empty());
    auto header = journal_codec::parse(journal_codec::header());
    REQUIRE(header);
    CHECK(header->records.empty());
    CHECK(header->valid_bytes == journal_codec::header_bytes);
}

TEST_CASE("a torn end of the journal is cut off with the reason, the whole records before it kept",
          "[emulator][persist][journal_codec]") {
    const std::string one = journal_of({{{table_dropped{"a"}}}});
    const std::string two = journal_of({{{table_dropped{"a"}}}, {{table_dropped{"b"}}}});
    const std::size_t second_at = one.size();

    auto check_cut = [&](const std::string& bytes, const std::string& reason) {
        auto parsed = journal_codec::parse(bytes);
        REQUIRE(parsed);
        REQUIRE(parsed->records.size() == 1);
        CHECK(parsed->valid_bytes == second_at);
        CHECK_THAT(parsed->torn_tail, Catch::Contains(reason));
    };
    SECTION("inside the record header") {
        check_cut(two.substr(0, second_at + 5),
                  "the record header at offset " + std::to_string(second_at) + " is cut short");
    }
    SECTION("inside the payload") {
        check_cut(two.substr(0, two.size() - 1),
                  "the record at offset " + std::to_string(second_at) + " is cut short");
    }
    SECTION("the last record fails its checksum") {
        std::string bad = two;
        bad.back() ^= 0x20;
        check_cut(bad,
                  "the last record (offset " + std::to_string(second_at) + ") fails its checksum");
    }
    SECTION("zero bytes at the end") {
        check_cut(one + std::string(100, '\0'), "100 zero bytes at offset");
    }
    SECTION("a header cut short") {
        auto parsed = journal_codec::parse(journal_codec::header().substr(0, 5));
        REQUIRE(parsed);
        CHECK(parsed->records.empty());
        CHECK_THAT(parsed->torn_tail, Catch::Contains("the header is cut short (5 of 12 bytes)"));
    }
}

TEST_CASE("damage inside the journal is refused with the record's byte offset",
          "[emulator][persist][journal_codec]") {
    const std::string j =
        journal_of({{{table_dropped{"a"}}}, {{table_dropped{"b"}}}, {{table_dropped{"c"}}}});
    const std::size_t first_at = journal_codec::header_bytes;
    std::uint32_t first_length = 0;
    std::memcpy(&first_length, j.data() + first_at, 4);
    const std::size_t second_at = first_at + 8 + first_length;
    auto refused = [](const std::string& bytes) {
        auto parsed = journal_codec::parse(bytes);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == esser::core::errc::parse_error);
        return parsed.error().message;
    };

    SECTION("a bad checksum with records after it") {
        std::string bad = j;
        bad[second_at + 8 + 3] ^= 0x01;  // a byte of the second record's sequence
        CHECK(refused(bad) == "the record at byte offset " + std::to_string(second_at) +
                                  " fails its checksum and " +
                                  std::to_string(j.size() - second_at - 8 - first_length) +
                                  " bytes follow it (damage inside the journal, not a torn end)");
    }
    SECTION("a huge length") {
        std::string bad = j;
        const std::uint32_t huge = 0x7FFFFFFF;
        std::memcpy(bad.data() + second_at, &huge, 4);
        CHECK(refused(bad) == "the record at byte offset " + std::to_string(second_at) +
                                  " claims 2147483647 bytes, more than the limit of 268435456");
    }
    // Payload offsets: sequence (8), unit count (4), change count (4), then the tag.
    const std::size_t payload = first_at + journal_codec::record_header_bytes;
    SECTION("an unknown change tag (the checksum holds)") {
        CHECK(refused(patched(j, first_at, payload + 16, std::uint8_t{99})) ==
              "the record at byte offset " + std::to_string(first_at) +
                  " does not decode: unknown change tag 99 at payload byte 16");
    }
    SECTION("a string running past the record") {
        CHECK_THAT(refused(patched(j, first_at, payload + 17, std::uint32_t{1000})),
                   Catch::Contains("a string runs past the end of the record"));
    }
    SECTION("a bad flag") {
        const std::string k = journal_of({{{documents_removed{"esm", "x", true}}}});
        CHECK_THAT(refused(patched(k, first_at, k.size() - 1, std::uint8_t{2})),
                   Catch::Contains("a flag holds 2 (0 or 1 expected)"));
    }
    SECTION("more units than bytes") {
        CHECK_THAT(refused(patched(j, first_at, payload + 8, std::uint32_t{1000000})),
                   Catch::Contains("does not decode: 1000000 units claimed in"));
    }
    SECTION("a sequence that does not follow") {
        CHECK(refused(patched(j, second_at, second_at + 8, std::uint64_t{9})) ==
              "the record at byte offset " + std::to_string(second_at) + " has sequence 9 after 1");
    }
    SECTION("not a journal, or another version") {
        CHECK_THAT(refused("SQLite format 3\0"), Catch::Contains("not an esser journal"));
        CHECK_THAT(refused("PK"), Catch::Contains("not an esser journal"));
        std::string v2 = journal_codec::header();
        v2[8] = 2;
        CHECK(refused(v2) == "journal format version 2 (this build reads version 1)");
    }
}

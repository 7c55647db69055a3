#include "esser/emulator/persist/journal_codec.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <zlib.h>

namespace esser::emulator {

namespace {

// A change's tag in a record.
using tag = std::uint8_t;

// Each alternative's tag and fields, in the order a record holds them: the format (the tags are
// persisted: never renumber one, never reorder fields). Encoding reads them, decoding fills them.
auto layout(table_saved& c) {
    return std::pair(tag{1}, std::tie(c.table_id, c.definition));
}

auto layout(table_dropped& c) {
    return std::pair(tag{2}, std::tie(c.table_id));
}

auto layout(item_saved& c) {
    return std::pair(tag{3}, std::tie(c.table_id, c.key, c.item));
}

auto layout(item_removed& c) {
    return std::pair(tag{4}, std::tie(c.table_id, c.key));
}

auto layout(stream_saved& c) {
    return std::pair(tag{5}, std::tie(c.stream, c.version, c.state));
}

auto layout(stream_dropped& c) {
    return std::pair(tag{6}, std::tie(c.stream));
}

auto layout(streams_cleared&) {
    return std::pair(tag{7}, std::tuple<>());
}

auto layout(record_saved& c) {
    return std::pair(tag{8}, std::tie(c.stream, c.shard, c.position, c.record));
}

auto layout(records_trimmed& c) {
    return std::pair(tag{9}, std::tie(c.stream, c.shard, c.position));
}

auto layout(document_saved& c) {
    return std::pair(tag{10}, std::tie(c.kind, c.id, c.body));
}

auto layout(documents_removed& c) {
    return std::pair(tag{11}, std::tie(c.kind, c.id_prefix, c.exact));
}

// Integers are little-endian.
template <class U>
void put(std::string& out,
         U v) requires std::is_same_v<U, std::uint32_t> || std::is_same_v<U, std::uint64_t> {
    char b[sizeof(U)];
    for (std::size_t i = 0; i < sizeof(U); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out.append(b, sizeof(U));
}

void put(std::string& out, const std::string& s) {
    put(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

void put(std::string& out, bool v) {
    out.push_back(v ? '\1' : '\0');
}

template <class U>
U get(const char* p) {
    U v = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i)
        v |= static_cast<U>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

// crc32 of a record: its length field and its payload.
std::uint32_t record_crc(const char* length_field, std::string_view payload) {
    uLong crc = ::crc32(0L, Z_NULL, 0);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(length_field), 4);
    // zlib takes uInt lengths; a payload is at most max_record_bytes (< 4 GiB).
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(payload.data()),
                  static_cast<uInt>(payload.size()));
    return static_cast<std::uint32_t>(crc);
}

template <class U>
std::size_t field_bytes(
    U) requires std::is_same_v<U, std::uint32_t> || std::is_same_v<U, std::uint64_t> {
    return sizeof(U);
}

std::size_t field_bytes(const std::string& s) {
    return 4 + s.size();
}

std::size_t field_bytes(bool) {
    return 1;
}

// Calls fn(tag, fields) with a change's layout. layout() hands out references to fill when
// decoding; through here they are only read.
template <class F>
auto with_layout(const durable_change& change, F&& fn) {
    return std::visit(
        [&](const auto& c) {
            auto [code, fields] =
                layout(const_cast<std::remove_const_t<std::remove_reference_t<decltype(c)>>&>(c));
            return fn(code, fields);
        },
        change);
}

void encode(std::string& out, const durable_change& change) {
    with_layout(change, [&](tag code, const auto& fields) {
        out.push_back(static_cast<char>(code));
        std::apply([&](const auto&... field) { (put(out, field), ...); }, fields);
    });
}

// Reads one record's payload; the first problem found, as text, in `error`.
class payload_reader {
public:
    explicit payload_reader(std::string_view p) : p_(p) {}

    template <class U>
    bool read(U& v) requires std::is_same_v<U, std::uint32_t> || std::is_same_v<U, std::uint64_t> {
        if (!need(sizeof(U), sizeof(U) == 4 ? "a 32-bit field" : "a 64-bit field"))
            return false;
        v = get<U>(p_.data() + at_);
        at_ += sizeof(U);
        return true;
    }

    bool read(std::string& v) {
        std::uint32_t n = 0;
        if (!read(n) || !need(n, "a string"))
            return false;
        v.assign(p_.data() + at_, n);
        at_ += n;
        return true;
    }

    bool read(bool& v) {
        if (!need(1, "a flag"))
            return false;
        const auto b = static_cast<std::uint8_t>(p_[at_++]);
        if (b > 1) {
            error = fmt::format("a flag holds {} (0 or 1 expected)", b);
            return false;
        }
        v = b == 1;
        return true;
    }

    bool change(durable_change& out) {
        if (!need(1, "a change tag"))
            return false;
        const auto code = static_cast<tag>(p_[at_++]);
        if (decode_as(code, out))
            return true;
        if (error.empty())
            error = fmt::format("unknown change tag {} at payload byte {}", code, at_ - 1);
        return false;
    }

    bool done() const { return at_ == p_.size(); }

    std::size_t left() const { return p_.size() - at_; }

    std::string error;

private:
    // Finds the alternative whose layout has `tag` and reads its fields; false (error empty)
    // when no alternative has it.
    template <std::size_t I = 0>
    bool decode_as(tag code, durable_change& out) {
        if constexpr (I == std::variant_size_v<durable_change>) {
            return false;
        } else {
            std::variant_alternative_t<I, durable_change> c{};
            auto [own, fields] = layout(c);
            if (own != code)
                return decode_as<I + 1>(code, out);
            if (!std::apply([&](auto&... field) { return (read(field) && ...); }, fields))
                return false;
            out = std::move(c);
            return true;
        }
    }

    bool need(std::size_t n, const char* what) {
        if (p_.size() - at_ >= n)
            return true;
        error = fmt::format("{} runs past the end of the record (payload byte {})", what, at_);
        return false;
    }

    std::string_view p_;
    std::size_t at_ = 0;
};

bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '\0'; });
}

}  // namespace

std::string journal_codec::header() {
    std::string h(magic);
    put(h, version);
    return h;
}

std::size_t journal_codec::unit_bytes(const std::vector<durable_change>& unit) {
    std::size_t n = 4;  // the change count
    for (const auto& change : unit)
        n += with_layout(change, [](tag, const auto& fields) {
            return std::apply(
                [](const auto&... field) { return (std::size_t{1} + ... + field_bytes(field)); },
                fields);
        });
    return n;
}

void journal_codec::append_record(std::string& out, std::uint64_t sequence,
                                  const std::vector<const std::vector<durable_change>*>& units) {
    const std::size_t start = out.size();
    out.append(record_header_bytes, '\0');  // length and crc, filled in below
    put(out, sequence);
    put(out, static_cast<std::uint32_t>(units.size()));
    for (const auto* unit : units) {
        put(out, static_cast<std::uint32_t>(unit->size()));
        for (const auto& change : *unit) encode(out, change);
    }
    const std::size_t length = out.size() - start - record_header_bytes;
    std::string field;
    put(field, static_cast<std::uint32_t>(length));
    std::memcpy(out.data() + start, field.data(), 4);
    const std::uint32_t crc =
        record_crc(field.data(), std::string_view(out).substr(start + record_header_bytes, length));
    field.clear();
    put(field, crc);
    std::memcpy(out.data() + start + 4, field.data(), 4);
}

core::result<journal_contents> journal_codec::parse(std::string_view bytes) {
    journal_contents out;
    const std::string head = header();
    if (bytes.size() < header_bytes) {
        if (std::string_view(head).substr(0, bytes.size()) != bytes)
            return core::fail(core::error::parse_error(
                "not an esser journal (its first bytes are not \"ESSERJNL\")"));
        if (!bytes.empty())
            out.torn_tail =
                fmt::format("the header is cut short ({} of {} bytes)", bytes.size(), header_bytes);
        return out;
    }
    if (bytes.substr(0, magic.size()) != magic)
        return core::fail(core::error::parse_error(
            "not an esser journal (its first bytes are not \"ESSERJNL\")"));
    if (const std::uint32_t v = get<std::uint32_t>(bytes.data() + magic.size()); v != version)
        return core::fail(core::error::parse_error(
            fmt::format("journal format version {} (this build reads version {})", v, version)));
    std::size_t at = header_bytes;
    out.valid_bytes = at;
    std::optional<std::uint64_t> previous;
    while (at < bytes.size()) {
        const std::string_view rest = bytes.substr(at);
        auto damaged = [&](std::string why) {
            return core::fail(core::error::parse_error(
                fmt::format("the record at byte offset {} {}", at, std::move(why))));
        };
        auto undecodable = [&](const std::string& why) {
            return damaged("does not decode: " + why);
        };
        if (all_zero(rest)) {
            out.torn_tail = fmt::format("{} zero bytes at offset {} end the file", rest.size(), at);
            break;
        }
        if (rest.size() < record_header_bytes) {
            out.torn_tail = fmt::format(
                "the record header at offset {} is cut short ({} of {} "
                "bytes)",
                at, rest.size(), record_header_bytes);
            break;
        }
        const std::uint32_t length = get<std::uint32_t>(rest.data());
        if (length > max_record_bytes)
            return damaged(fmt::format("claims {} bytes, more than the limit of {}", length,
                                       max_record_bytes));
        if (rest.size() - record_header_bytes < length) {
            out.torn_tail =
                fmt::format("the record at offset {} is cut short ({} of {} payload bytes)", at,
                            rest.size() - record_header_bytes, length);
            break;
        }
        const std::string_view payload = rest.substr(record_header_bytes, length);
        const std::size_t after = record_header_bytes + length;
        if (record_crc(rest.data(), payload) != get<std::uint32_t>(rest.data() + 4)) {
            if (after == rest.size()) {
                out.torn_tail = fmt::format("the last record (offset {}) fails its checksum", at);
                break;
            }
            return damaged(
                fmt::format("fails its checksum and {} bytes follow it (damage "
                            "inside the journal, not a torn end)",
                            rest.size() - after));
        }
        journal_record record;
        payload_reader r(payload);
        std::uint32_t units = 0;
        if (!r.read(record.sequence) || !r.read(units))
            return undecodable(r.error);
        if (previous && record.sequence != *previous + 1)
            return damaged(fmt::format("has sequence {} after {}", record.sequence, *previous));
        // Each unit takes at least its 4-byte count: a count beyond that is damage, not a reason
        // to reserve memory.
        if (units > r.left() / 4)
            return undecodable(fmt::format("{} units claimed in {} bytes", units, r.left()));
        record.units.resize(units);
        for (auto& unit : record.units) {
            std::uint32_t changes = 0;
            if (!r.read(changes))
                return undecodable(r.error);
            if (changes > r.left())  // a change takes at least its tag byte
                return undecodable(
                    fmt::format("{} changes claimed in {} bytes", changes, r.left()));
            unit.resize(changes);
            for (auto& change : unit)
                if (!r.change(change))
                    return undecodable(r.error);
        }
        if (!r.done())
            return undecodable(fmt::format("{} bytes after its last change", r.left()));
        previous = record.sequence;
        out.records.push_back(std::move(record));
        at += after;
        out.valid_bytes = at;
    }
    return out;
}

}  // namespace esser::emulator

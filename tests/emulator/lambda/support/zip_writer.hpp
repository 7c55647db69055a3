#pragma once
// zip_writer: builds zip files in memory for tests and benchmarks (stored or deflate entries,
// Unix modes, symbolic links), so zip_archive is tested against archives we control byte by
// byte, and so Lambda tests can package handlers without an external `zip` tool. Not a
// general-purpose writer: no ZIP64, no data descriptors.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <zlib.h>

namespace esser::test {

class zip_writer {
public:
    struct entry {
        std::string name;
        std::string data;             // for a link: its target
        std::uint32_t unix_mode = 0;  // 0: made on a non-Unix host (no mode)
        bool deflate = true;
    };

    zip_writer& file(std::string name, std::string data, std::uint32_t mode = 0100644,
                     bool deflate = true) {
        entries_.push_back({std::move(name), std::move(data), mode, deflate});
        return *this;
    }

    zip_writer& directory(std::string name) {
        entries_.push_back({std::move(name), {}, 040755, false});
        return *this;
    }

    zip_writer& symlink(std::string name, std::string target) {
        entries_.push_back({std::move(name), std::move(target), 0120777, false});
        return *this;
    }

    // The archive. Offsets of each local header are kept in local_offsets().
    std::string bytes() {
        std::string out, central;
        offsets_.clear();
        for (const auto& e : entries_) {
            const std::string body = e.deflate ? deflate_raw(e.data) : e.data;
            const std::uint32_t crc =
                ::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(e.data.data()),
                        static_cast<uInt>(e.data.size()));
            const std::uint16_t method = e.deflate ? 8 : 0;
            offsets_.push_back(out.size());
            const std::size_t local_at = out.size();
            put32(out, 0x04034b50);
            put16(out, 20);
            put16(out, 0);
            put16(out, method);
            put16(out, 0);
            put16(out, 0x21);
            put32(out, crc);
            put32(out, static_cast<std::uint32_t>(body.size()));
            put32(out, static_cast<std::uint32_t>(e.data.size()));
            put16(out, static_cast<std::uint16_t>(e.name.size()));
            put16(out, 0);
            out += e.name;
            out += body;

            put32(central, 0x02014b50);
            put16(central, e.unix_mode ? (3u << 8) | 20 : 20);
            put16(central, 20);
            put16(central, 0);
            put16(central, method);
            put16(central, 0);
            put16(central, 0x21);
            put32(central, crc);
            put32(central, static_cast<std::uint32_t>(body.size()));
            put32(central, static_cast<std::uint32_t>(e.data.size()));
            put16(central, static_cast<std::uint16_t>(e.name.size()));
            put16(central, 0);
            put16(central, 0);
            put16(central, 0);
            put16(central, 0);
            put32(central, e.unix_mode << 16);
            put32(central, static_cast<std::uint32_t>(local_at));
            central += e.name;
        }
        const std::size_t cd_at = out.size();
        out += central;
        put32(out, 0x06054b50);
        put16(out, 0);
        put16(out, 0);
        put16(out, static_cast<std::uint16_t>(entries_.size()));
        put16(out, static_cast<std::uint16_t>(entries_.size()));
        put32(out, static_cast<std::uint32_t>(central.size()));
        put32(out, static_cast<std::uint32_t>(cd_at));
        put16(out, 0);
        return out;
    }

    const std::vector<std::size_t>& local_offsets() const { return offsets_; }

    static std::string deflate_raw(std::string_view in) {
        z_stream z{};
        deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z.avail_in = static_cast<uInt>(in.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = static_cast<uInt>(out.size());
        deflate(&z, Z_FINISH);
        out.resize(z.total_out);
        deflateEnd(&z);
        return out;
    }

private:
    static void put16(std::string& s, std::uint32_t v) {
        s += static_cast<char>(v & 0xFF);
        s += static_cast<char>((v >> 8) & 0xFF);
    }

    static void put32(std::string& s, std::uint32_t v) {
        put16(s, v & 0xFFFF);
        put16(s, v >> 16);
    }

    std::vector<entry> entries_;
    std::vector<std::size_t> offsets_;
};

}  // namespace esser::test

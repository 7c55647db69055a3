#include "esser/emulator/lambda/zip_archive.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace esser::emulator {

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t end_signature = 0x06054b50;
constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
constexpr std::uint32_t central_signature = 0x02014b50;
constexpr std::uint32_t local_signature = 0x04034b50;
constexpr std::size_t end_size = 22;
constexpr std::size_t central_size = 46;
constexpr std::size_t local_size = 30;
constexpr std::uint16_t method_stored = 0;
constexpr std::uint16_t method_deflate = 8;
constexpr std::uint8_t host_unix = 3;

core::error unzip_error(std::string_view reason) {
    core::error e = core::error::validation(
        fmt::format("Could not unzip uploaded file. Please check your file, then try to upload "
                    "again. ({})",
                    reason));
    e.type = "InvalidParameterValueException";
    return e;
}

// Little-endian readers; the caller has checked the bounds.
std::uint16_t u16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                      (static_cast<unsigned char>(b[at + 1]) << 8));
}

std::uint32_t u32(std::string_view b, std::size_t at) {
    return static_cast<std::uint32_t>(u16(b, at)) |
           (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}

bool fits(std::string_view b, std::uint64_t at, std::uint64_t n) {
    return at <= b.size() && n <= b.size() - at;
}

// Inflates a raw deflate stream into exactly `size` bytes; anything else is an error (the
// output buffer is never grown past `size`, which bounds what a bomb can cost).
core::result<std::string> inflate_exact(std::string_view in, std::uint64_t size,
                                        const std::string& name) {
    std::string out(static_cast<std::size_t>(size), '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return core::fail(core::error::internal("zlib inflateInit2 failed"));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z, Z_FINISH);
    if (rc == Z_BUF_ERROR && z.avail_out == 0 && z.avail_in > 0) {
        // The output is full but input remains: maybe only the end-of-block marker is left.
        unsigned char probe = 0;
        z.next_out = &probe;
        z.avail_out = 1;
        rc = inflate(&z, Z_FINISH);
        if (z.avail_out == 0)
            rc = Z_DATA_ERROR;  // it produced a byte beyond the declared size
    }
    const auto produced = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        return core::fail(unzip_error(fmt::format(
            "'{}': the deflate data is corrupt, truncated or larger than declared", name)));
    }
    if (produced != size)
        return core::fail(
            unzip_error(fmt::format("'{}': inflated size differs from the declared "
                                    "size",
                                    name)));
    return out;
}

// Creates every directory of `rel` (a safe relative path) under `root`, refusing to pass
// through anything that is not a real directory.
core::result<void> make_directories(const fs::path& root, const std::string& rel) {
    fs::path p = root;
    std::size_t start = 0;
    while (start < rel.size()) {
        auto slash = rel.find('/', start);
        if (slash == std::string::npos)
            slash = rel.size();
        p /= rel.substr(start, slash - start);
        start = slash + 1;

        struct stat st {};

        if (::lstat(p.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                return core::fail(unzip_error(
                    fmt::format("'{}' needs a directory where the package has a file", rel)));
            continue;
        }
        if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST)
            return core::fail(core::error::internal(
                fmt::format("cannot create {}: {}", p.string(), std::strerror(errno))));
    }
    return {};
}

std::string parent_of(const std::string& rel) {
    const auto slash = rel.rfind('/');
    return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

core::result<void> write_file(const fs::path& path, const std::string& rel, const std::string& data,
                              mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return core::fail(unzip_error(fmt::format("'{}' appears twice", rel)));
        return core::fail(core::error::internal(
            fmt::format("cannot create {}: {}", path.string(), std::strerror(errno))));
    }
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            ::close(fd);
            return core::fail(core::error::internal(
                fmt::format("cannot write {}: {}", path.string(), std::strerror(err))));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool ok = ::fchmod(fd, mode) == 0;
    ::close(fd);
    if (!ok)
        return core::fail(core::error::internal(fmt::format("cannot chmod {}", path.string())));
    return {};
}

// Where `path` (absolute, its directories real) really leads: like realpath(3), but a link or a
// component that does not exist is no reason to stop -- dangling links are followed as far as
// their text goes, and what does not exist is taken lexically. nullopt for a loop.
std::optional<fs::path> resolve_physically(const fs::path& path) {
    std::vector<std::string> todo;  // components still to walk, next one last
    for (const auto& c : path.relative_path()) todo.insert(todo.begin(), c.string());
    fs::path at = "/";
    int links_followed = 0;
    while (!todo.empty()) {
        const std::string c = std::move(todo.back());
        todo.pop_back();
        if (c.empty() || c == ".")
            continue;
        if (c == "..") {
            at = at.parent_path();
            continue;
        }
        const fs::path next = at / c;

        struct stat st {};

        if (::lstat(next.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
            if (++links_followed > 40)
                return std::nullopt;
            std::error_code ec;
            const fs::path target = fs::read_symlink(next, ec);
            if (ec)
                return std::nullopt;
            if (target.is_absolute())
                at = "/";
            std::vector<std::string> parts;
            for (const auto& t : target.relative_path()) parts.push_back(t.string());
            for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
            continue;
        }
        at = next;
    }
    return at;
}

}  // namespace

std::optional<std::string> safe_relative_path(std::string_view name) {
    if (name.empty() || name.find('\0') != std::string_view::npos)
        return std::nullopt;
    std::string n(name);
    std::replace(n.begin(), n.end(), '\\', '/');
    if (n.front() == '/')
        return std::nullopt;
    // "C:..." is absolute on Windows; refuse any first component that looks like a drive.
    if (n.size() >= 2 && n[1] == ':' && std::isalpha(static_cast<unsigned char>(n[0])))
        return std::nullopt;
    std::string out;
    std::size_t start = 0;
    while (start <= n.size()) {
        auto slash = n.find('/', start);
        if (slash == std::string::npos)
            slash = n.size();
        const std::string_view part(n.data() + start, slash - start);
        start = slash + 1;
        if (part.empty() || part == ".")
            continue;
        if (part == "..")
            return std::nullopt;
        if (!out.empty())
            out += '/';
        out += part;
    }
    return out;
}

core::result<zip_archive> zip_archive::open(std::string_view bytes, zip_limits limits) {
    zip_archive z(bytes, limits);
    if (bytes.size() < end_size)
        return core::fail(unzip_error("too short to be a zip file"));

    // The end record is the last thing in the file, followed by a comment of at most 64 KiB.
    std::size_t end_at = std::string_view::npos;
    const std::size_t lowest =
        bytes.size() > end_size + 0xFFFF ? bytes.size() - end_size - 0xFFFF : 0;
    for (std::size_t at = bytes.size() - end_size + 1; at-- > lowest;) {
        if (u32(bytes, at) == end_signature &&
            at + end_size + u16(bytes, at + 20) <= bytes.size()) {
            end_at = at;
            break;
        }
    }
    if (end_at == std::string_view::npos)
        return core::fail(unzip_error("no end of central directory record"));
    const auto disk = u16(bytes, end_at + 4);
    const auto cd_disk = u16(bytes, end_at + 6);
    const auto entries_here = u16(bytes, end_at + 8);
    const auto entries_total = u16(bytes, end_at + 10);
    const std::uint64_t cd_size = u32(bytes, end_at + 12);
    const std::uint64_t cd_offset = u32(bytes, end_at + 16);
    if (entries_total == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF ||
        (end_at >= 20 && u32(bytes, end_at - 20) == zip64_locator_signature))
        return core::fail(unzip_error("ZIP64 archives are not supported"));
    if (disk != 0 || cd_disk != 0 || entries_here != entries_total)
        return core::fail(unzip_error("multi-disk archives are not supported"));
    if (entries_total > limits.max_entries)
        return core::fail(unzip_error(fmt::format("more than {} entries", limits.max_entries)));
    if (cd_offset + cd_size > end_at)
        return core::fail(unzip_error("the central directory lies outside the file"));

    std::uint64_t total = 0;
    std::size_t at = static_cast<std::size_t>(cd_offset);
    const std::size_t cd_end = static_cast<std::size_t>(cd_offset + cd_size);
    z.entries_.reserve(entries_total);
    for (unsigned i = 0; i < entries_total; ++i) {
        if (at + central_size > cd_end || u32(bytes, at) != central_signature)
            return core::fail(unzip_error("a central directory header is malformed"));
        const auto made_by = u16(bytes, at + 4);
        const auto flags = u16(bytes, at + 8);
        zip_entry e;
        e.method = u16(bytes, at + 10);
        e.crc32 = u32(bytes, at + 16);
        e.compressed_size = u32(bytes, at + 20);
        e.size = u32(bytes, at + 24);
        const std::size_t name_len = u16(bytes, at + 28);
        const std::size_t extra_len = u16(bytes, at + 30);
        const std::size_t comment_len = u16(bytes, at + 32);
        const auto external = u32(bytes, at + 38);
        e.local_header_offset = u32(bytes, at + 42);
        const std::size_t next = at + central_size + name_len + extra_len + comment_len;
        if (next > cd_end)
            return core::fail(unzip_error("a central directory header is malformed"));
        e.name = std::string(bytes.substr(at + central_size, name_len));
        std::replace(e.name.begin(), e.name.end(), '\\', '/');
        at = next;

        if (e.compressed_size == 0xFFFFFFFF || e.size == 0xFFFFFFFF ||
            e.local_header_offset == 0xFFFFFFFF)
            return core::fail(unzip_error("ZIP64 archives are not supported"));
        if (flags & 0x0041)
            return core::fail(unzip_error(fmt::format("'{}' is encrypted", e.name)));
        if (e.method != method_stored && e.method != method_deflate)
            return core::fail(unzip_error(
                fmt::format("'{}' uses compression method {} (stored and deflate are supported)",
                            e.name, e.method)));
        if (e.method == method_stored && e.compressed_size != e.size)
            return core::fail(unzip_error(fmt::format("'{}': stored sizes differ", e.name)));
        if (!safe_relative_path(e.name))
            return core::fail(unzip_error(
                fmt::format("'{}' is an absolute path or leaves the package directory", e.name)));
        if ((made_by >> 8) == host_unix)
            e.unix_mode = external >> 16;
        const auto type = e.unix_mode & S_IFMT;
        e.symlink = type == S_IFLNK;
        e.directory = !e.symlink && (e.name.back() == '/' || type == S_IFDIR || (external & 0x10));
        if (e.local_header_offset + local_size > cd_offset)
            return core::fail(
                unzip_error(fmt::format("'{}': its local header lies outside the file", e.name)));
        total += e.size;
        if (total > limits.max_unzipped_bytes)
            return core::fail(unzip_error(fmt::format("the unzipped package would exceed {} bytes",
                                                      limits.max_unzipped_bytes)));
        z.entries_.push_back(std::move(e));
    }
    return z;
}

core::result<std::string> zip_archive::read(const zip_entry& e) const {
    const auto at = e.local_header_offset;
    if (!fits(bytes_, at, local_size) ||
        u32(bytes_, static_cast<std::size_t>(at)) != local_signature)
        return core::fail(unzip_error(fmt::format("'{}': no local header", e.name)));
    const auto p = static_cast<std::size_t>(at);
    const auto method = u16(bytes_, p + 8);
    const std::size_t name_len = u16(bytes_, p + 26);
    const std::size_t extra_len = u16(bytes_, p + 28);
    if (method != e.method)
        return core::fail(
            unzip_error(fmt::format("'{}': local and central headers disagree", e.name)));
    const std::uint64_t data_at = at + local_size + name_len + extra_len;
    if (!fits(bytes_, data_at, e.compressed_size))
        return core::fail(unzip_error(fmt::format("'{}': data past the end of the file", e.name)));
    const std::string_view data = bytes_.substr(static_cast<std::size_t>(data_at),
                                                static_cast<std::size_t>(e.compressed_size));
    std::string out;
    if (e.method == method_stored) {
        out = std::string(data);
    } else {
        auto inflated = inflate_exact(data, e.size, e.name);
        if (!inflated)
            return core::fail(inflated.error());
        out = std::move(*inflated);
    }
    const auto crc = ::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data()),
                             static_cast<uInt>(out.size()));
    if (crc != e.crc32)
        return core::fail(unzip_error(fmt::format("'{}': CRC-32 mismatch", e.name)));
    return out;
}

core::result<std::uint64_t> zip_archive::extract_to(const fs::path& dir) const {
    std::uint64_t written = 0;
    std::vector<const zip_entry*> links;
    std::set<std::string> seen;
    for (const auto& e : entries_) {
        const std::string rel = *safe_relative_path(e.name);
        if (rel.empty())
            continue;  // "./": the package directory itself
        if (e.symlink) {
            links.push_back(&e);
            continue;
        }
        if (e.directory) {
            if (auto ok = make_directories(dir, rel); !ok)
                return core::fail(ok.error());
            continue;
        }
        if (!seen.insert(rel).second)
            return core::fail(unzip_error(fmt::format("'{}' appears twice", rel)));
        if (auto ok = make_directories(dir, parent_of(rel)); !ok)
            return core::fail(ok.error());
        auto data = read(e);
        if (!data)
            return core::fail(data.error());
        mode_t mode = 0644;
        if (e.unix_mode != 0)
            mode = (e.unix_mode & 0777) | 0400;  // keep it readable by its owner
        if (auto ok = write_file(dir / rel, rel, *data, mode); !ok)
            return core::fail(ok.error());
        written += data->size();
    }

    // Links last, so that no file above was written through one; then check where each one
    // really leads, through whatever other links it passes.
    std::error_code ec;
    const fs::path root = fs::canonical(dir, ec);
    if (ec)
        return core::fail(core::error::internal("cannot resolve " + dir.string()));
    for (const zip_entry* e : links) {
        const std::string rel = *safe_relative_path(e->name);
        auto target = read(*e);
        if (!target)
            return core::fail(target.error());
        if (target->empty() || target->find('\0') != std::string::npos || target->front() == '/')
            return core::fail(unzip_error(
                fmt::format("symbolic link '{}' points outside the package directory", rel)));
        if (auto ok = make_directories(dir, parent_of(rel)); !ok)
            return core::fail(ok.error());
        const fs::path link = dir / rel;
        if (::symlink(target->c_str(), link.c_str()) != 0) {
            if (errno == EEXIST)
                return core::fail(unzip_error(fmt::format("'{}' appears twice", rel)));
            return core::fail(core::error::internal(
                fmt::format("cannot create link {}: {}", link.string(), std::strerror(errno))));
        }
    }
    for (const zip_entry* e : links) {
        const std::string rel = *safe_relative_path(e->name);
        const auto resolved = resolve_physically(root / rel);
        const bool inside =
            resolved &&
            std::mismatch(root.begin(), root.end(), resolved->begin(), resolved->end()).first ==
                root.end();
        if (!inside)
            return core::fail(unzip_error(
                fmt::format("symbolic link '{}' points outside the package directory", rel)));
    }
    return written;
}

}  // namespace esser::emulator

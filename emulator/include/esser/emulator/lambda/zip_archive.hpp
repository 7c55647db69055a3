#pragma once
// zip_archive: a reader of zip packages, the format CreateFunction/UpdateFunctionCode receive
// in Code.ZipFile (issue 13; PKWARE APPNOTE.TXT 6.3: end of central directory record, central
// directory file headers, local file headers; methods 0 "stored" and 8 "deflate").
//
//   auto zip = zip_archive::open(bytes);           // parses the central directory only
//   if (!zip) ...;                                 // corrupt: InvalidParameterValueException
//   auto written = zip->extract_to(dir);           // files, directories, safe symlinks
//
// What is refused (every error is errc::validation, type "InvalidParameterValueException",
// message starting with AWS's "Could not unzip uploaded file. Please check your file, then try
// to upload again." followed by the reason in parentheses):
//  - anything that is not a well-formed zip: no end record, headers or data out of bounds,
//    central and local headers that disagree, a CRC-32 or size mismatch, a truncated deflate
//    stream; encrypted entries, methods other than stored/deflate, ZIP64 archives, multi-disk
//    archives;
//  - names that would write outside the target directory: absolute paths ("/x", "C:x"),
//    ".." components, NUL bytes, empty names; a backslash counts as a separator, so "..\\x" is
//    refused too;
//  - symbolic links whose target leaves the directory (absolute, or escaping through ".." or
//    through another link): checked on the real file system after extraction;
//  - zip bombs: more than limits.max_entries entries, declared sizes summing to more than
//    limits.max_unzipped_bytes, or an entry inflating to more than it declares (inflation stops
//    at the declared size: memory and disk use are bounded by the limits, whatever the input);
//  - two entries with the same path, or a file where a directory is needed.
//
// extract_to never follows a symbolic link while writing (links are created after every file
// and directory, and files are opened O_NOFOLLOW | O_EXCL), so nothing is written outside the
// target directory. On failure the directory may hold a partial extraction: the caller removes
// it.
//
// Not thread-safe for concurrent use of one object; distinct objects are independent. The
// archive's bytes are borrowed: they must outlive the zip_archive.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/error.hpp"

namespace esser::emulator {

struct zip_limits {
    std::size_t max_entries = 65535;
    // AWS's quota: 250 MB unzipped (deployment package, including layers).
    std::uint64_t max_unzipped_bytes = 262'144'000;
};

struct zip_entry {
    std::string name;  // as stored, with '\\' turned into '/'
    std::uint16_t method = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t size = 0;
    std::uint64_t local_header_offset = 0;
    // Unix mode from the external attributes when the archive was made on Unix (0: unknown).
    std::uint32_t unix_mode = 0;
    bool directory = false;
    bool symlink = false;
};

class zip_archive {
public:
    // Parses the end record and the central directory; checks names and limits. Reads no data.
    static core::result<zip_archive> open(std::string_view bytes, zip_limits limits = {});

    const std::vector<zip_entry>& entries() const { return entries_; }

    // The uncompressed bytes of `e` (one of entries()), size and CRC-32 checked.
    core::result<std::string> read(const zip_entry& e) const;

    // Writes every entry under `dir` (which must exist). Files get their Unix permission bits
    // (0644 when the archive has none), directories 0755. Returns the bytes written.
    core::result<std::uint64_t> extract_to(const std::filesystem::path& dir) const;

private:
    zip_archive(std::string_view bytes, zip_limits limits) : bytes_(bytes), limits_(limits) {}

    std::string_view bytes_;
    zip_limits limits_;
    std::vector<zip_entry> entries_;
};

// A path inside a package made safe: '\\' -> '/', "." and empty components dropped ("" for a
// name that is only those, e.g. "./"). nullopt when the name is empty, absolute, has a drive
// letter, a ".." component or a NUL byte.
std::optional<std::string> safe_relative_path(std::string_view name);

}  // namespace esser::emulator

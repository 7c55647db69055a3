#pragma once
// journal_file: the append-only file behind sqlite_state_store's journal (DIR/emulator.journal,
// --durability normal; issue 9). It knows bytes, not records: journal_codec writes and reads
// those. A record appended with one write() survives a crash of the process as soon as write()
// returned (the kernel holds it); it is not fsynced, so an OS crash or a power loss may lose or
// tear the end of the file (normal durability promises no more, docs/run.md).
//
// Errors (errc::unavailable, the path in the message and in source): the file cannot be
// opened, created, read, written or truncated (a read-only directory, a full disk, EFBIG).
// A failed append cuts the file back to where it ended, so no half record stays behind when
// the disk allows it.
//
// Thread safety: none; sqlite_state_store serialises every call.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "esser/core/error.hpp"

namespace esser::emulator {

class journal_file {
public:
    // Opens `path` for appending, creating it (empty) when missing.
    [[nodiscard]] static core::result<journal_file> open(const std::filesystem::path& path);

    journal_file(journal_file&& other) noexcept;
    journal_file& operator=(journal_file&& other) noexcept;
    journal_file(const journal_file&) = delete;
    journal_file& operator=(const journal_file&) = delete;
    ~journal_file();

    // The whole file as it is now.
    [[nodiscard]] core::result<std::string> read_all() const;

    // Appends `bytes` with one write() (retried only for the part a signal interrupted).
    [[nodiscard]] core::result<void> append(std::string_view bytes);

    // Cuts the file to `size` bytes (then appends go after them).
    [[nodiscard]] core::result<void> truncate(std::uint64_t size);

    // The file's length as this object knows it (what it read and appended).
    std::uint64_t size() const { return size_; }

    const std::filesystem::path& path() const { return path_; }

private:
    journal_file(std::filesystem::path path, int fd, std::uint64_t size);
    core::error failure(std::string_view doing, int err) const;

    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace esser::emulator

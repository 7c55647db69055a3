#pragma once
// data_dir: esser-local's --data-dir (issue 9, "Emulator persistence" and "Bad input").
//
// open(path):
//  - creates the directory when missing (and its parents);
//  - takes an exclusive lock on DIR/LOCK (flock, LevelDB's LOCK file), held until the object
//    dies: a second esser-local on the same directory is refused, naming the pid that holds it.
//    The kernel drops the lock when the process dies, so a kill -9 leaves no stale lock;
//  - reads DIR/FORMAT, a JSON object {"format":"esser-local-data","version":N}; a directory
//    without one (new, or empty) gets one for format_version. Another format or version, an
//    unreadable or malformed FORMAT, or a non-empty directory without FORMAT (someone else's
//    files) is refused: never silently misread, never written into.
// Errors are values with core::error::source = the path:
//   errc::unavailable    the directory cannot be created or written (read-only, full disk,
//                        permissions), or it is locked by another process (type "locked");
//   errc::invalid_argument  not a directory, another format or version, foreign content.
//
// What lives in it today: the emulator's tables, items and streams (emulator.sqlite,
// sqlite_state_store) and the read store (read_store.sqlite) when --read-store is not given.
//
// Thread safety: immutable after open().

#include <filesystem>
#include <memory>
#include <string>

#include "esser/core/error.hpp"

namespace esser::emulator {

class data_dir {
public:
    // The version of the directory layout this build reads and writes. Bump it when the layout
    // changes; older directories are refused with a message saying so.
    static constexpr int format_version = 1;
    static constexpr const char* format_name = "esser-local-data";

    [[nodiscard]] static core::result<std::unique_ptr<data_dir>> open(std::filesystem::path path);

    ~data_dir();
    data_dir(const data_dir&) = delete;
    data_dir& operator=(const data_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // path() / name
    std::filesystem::path file(std::string_view name) const { return path_ / name; }

private:
    data_dir(std::filesystem::path path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}

    std::filesystem::path path_;
    int lock_fd_ = -1;
};

}  // namespace esser::emulator

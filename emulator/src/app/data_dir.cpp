#include "esser/emulator/app/data_dir.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

namespace esser::emulator {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

core::error failure(core::error e, const fs::path& where) {
    e.source = where.string();
    return e;
}

core::error io_failure(const std::string& what, int err, const fs::path& where) {
    return failure(core::error::unavailable(what + ": " + std::strerror(err)), where);
}

// Writes `text` to `target` through a temporary file and a rename, so a crash leaves either
// no FORMAT or a whole one.
core::result<void> write_atomically(const fs::path& target, const std::string& text) {
    const fs::path tmp = target.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return core::fail(io_failure("cannot write the data directory", errno, target));
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
        const int e = ok ? errno : err;
        ::unlink(tmp.c_str());
        return core::fail(io_failure("cannot write the data directory", e, target));
    }
    return {};
}

core::result<void> check_format(const fs::path& dir) {
    const fs::path format = dir / "FORMAT";
    std::error_code ec;
    if (!fs::exists(format, ec)) {
        // Only LOCK (ours) may be there already; anything else is not ours to take over.
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const auto name = entry.path().filename().string();
            if (name != "LOCK" && name != "FORMAT.tmp") {
                return core::fail(failure(
                    core::error::invalid_argument(
                        "the data directory is not empty and has no FORMAT file (found '" + name +
                        "'): it is not an esser-local data directory; pass an empty or new "
                        "directory"),
                    dir));
            }
        }
        const json marker = {{"format", data_dir::format_name},
                             {"version", data_dir::format_version}};
        return write_atomically(format, marker.dump() + "\n");
    }
    std::ifstream in(format, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
        return core::fail(io_failure("cannot read the data directory's FORMAT", errno, format));
    const json marker = json::parse(text.str(), nullptr, false);
    const auto* name =
        marker.is_object() && marker.contains("format") ? &marker["format"] : nullptr;
    const auto* version =
        marker.is_object() && marker.contains("version") ? &marker["version"] : nullptr;
    if (!name || !version || *name != data_dir::format_name || !version->is_number_integer()) {
        return core::fail(failure(
            core::error::invalid_argument("the data directory's FORMAT is not an esser-local "
                                          "format marker; refusing to read or write it"),
            format));
    }
    if (version->get<long long>() != data_dir::format_version) {
        return core::fail(failure(
            core::error::invalid_argument(
                "the data directory has format version " + version->dump() +
                "; this esser-local reads version " + std::to_string(data_dir::format_version) +
                " only. Use the esser-local that wrote it, or start with a new --data-dir"),
            format));
    }
    return {};
}

}  // namespace

core::result<std::unique_ptr<data_dir>> data_dir::open(std::filesystem::path path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) {
        return core::fail(failure(
            core::error::unavailable("cannot create the data directory: " + ec.message()), path));
    }
    if (!fs::is_directory(path, ec)) {
        return core::fail(
            failure(core::error::invalid_argument("the data directory is not a directory"), path));
    }
    const fs::path lock = path / "LOCK";
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return core::fail(
            io_failure("cannot write the data directory (it must be writable)", errno, path));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            core::error e = core::error::unavailable(
                "the data directory is in use by another esser-local" +
                (n > 0 ? " (pid " + std::string(buf, static_cast<std::size_t>(n)) + ")"
                       : std::string()) +
                "; stop it or pass another --data-dir");
            e.type = "locked";
            return core::fail(failure(std::move(e), path));
        }
        return core::fail(io_failure("cannot lock the data directory", err, path));
    }
    // The holder's pid, for the message another process prints.
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        const int err = errno;
        ::close(fd);
        return core::fail(io_failure("cannot write the data directory", err, path));
    }
    if (auto ok = check_format(path); !ok) {
        ::close(fd);
        return core::fail(ok.error());
    }
    return std::unique_ptr<data_dir>(new data_dir(std::move(path), fd));
}

data_dir::~data_dir() {
    if (lock_fd_ >= 0)
        ::close(lock_fd_);
}

}  // namespace esser::emulator

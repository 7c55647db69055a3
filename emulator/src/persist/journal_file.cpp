#include "esser/emulator/persist/journal_file.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace esser::emulator {

journal_file::journal_file(std::filesystem::path path, int fd, std::uint64_t size)
    : path_(std::move(path)), fd_(fd), size_(size) {}

journal_file::journal_file(journal_file&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)) {}

journal_file& journal_file::operator=(journal_file&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

journal_file::~journal_file() {
    if (fd_ >= 0)
        ::close(fd_);
}

core::error journal_file::failure(std::string_view doing, int err) const {
    core::error e = core::error::unavailable(
        fmt::format("journal {}: {}: {}", path_.string(), doing, std::strerror(err)));
    e.source = path_.string();
    return e;
}

core::result<journal_file> journal_file::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int err = errno;
        return core::fail(journal_file(path, -1, 0).failure("cannot open", err));
    }

    struct stat st {};

    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return core::fail(journal_file(path, -1, 0).failure("cannot read its size", err));
    }
    return journal_file(path, fd, static_cast<std::uint64_t>(st.st_size));
}

core::result<std::string> journal_file::read_all() const {
    std::string out(size_, '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return core::fail(failure("cannot read", errno));
        if (n == 0)
            break;  // shorter than fstat said: read what is there
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return out;
}

core::result<void> journal_file::append(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        const int err = n < 0 ? errno : EIO;
        // Best effort: no half record stays behind (a reader would cut it off as a torn end).
        if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0)
            size_ += done;
        return core::fail(failure("cannot append", err));
    }
    size_ += done;
    return {};
}

core::result<void> journal_file::truncate(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
        return core::fail(failure("cannot truncate", errno));
    size_ = size;
    return {};
}

}  // namespace esser::emulator

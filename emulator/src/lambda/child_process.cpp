#include "child_process.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace esser::emulator {

namespace {

// Owns the fds of a half-built spawn so every early return closes them.
struct fd_pair {
    int r = -1;
    int w = -1;

    ~fd_pair() {
        if (r >= 0)
            ::close(r);
        if (w >= 0)
            ::close(w);
    }
};

bool make_pipe(fd_pair& p) {
    int fds[2];
    // O_CLOEXEC: no other child may inherit our pipe ends (a sibling holding a write end would
    // keep this child's stdout open after it died).
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    p.r = fds[0];
    p.w = fds[1];
    return true;
}

// Go's os/exec wording, which Lambda's messages use ("fork/exec ...: no such file or
// directory").
std::string errno_text(int e) {
    std::string s = std::strerror(e);
    if (!s.empty())
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

const char* signal_text(int sig) {
    switch (sig) {
        case SIGKILL:
            return "killed";
        case SIGSEGV:
            return "segmentation fault";
        case SIGABRT:
            return "aborted";
        case SIGTERM:
            return "terminated";
        case SIGINT:
            return "interrupt";
        case SIGBUS:
            return "bus error";
        case SIGFPE:
            return "floating point exception";
        case SIGILL:
            return "illegal instruction";
        case SIGPIPE:
            return "broken pipe";
        case SIGHUP:
            return "hangup";
        case SIGQUIT:
            return "quit";
        default:
            return nullptr;
    }
}

}  // namespace

core::expected<std::unique_ptr<child_process>, spawn_failure> child_process::spawn(
    const spawn_options& o) {
    auto fail = [&](int e, bool program_fault) {
        const std::string prog = o.argv.empty() ? std::string() : o.argv[0];
        return core::unexpected(
            spawn_failure{e, program_fault, fmt::format("fork/exec {}: {}", prog, errno_text(e))});
    };
    if (o.argv.empty() || o.argv[0].empty())
        return fail(ENOENT, true);

    fd_pair out, err;
    if (!make_pipe(out) || !make_pipe(err))
        return fail(errno, false);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);

    struct cleanup {
        posix_spawn_file_actions_t* fa;
        posix_spawnattr_t* attr;

        ~cleanup() {
            posix_spawn_file_actions_destroy(fa);
            posix_spawnattr_destroy(attr);
        }
    } cleanup{&fa, &attr};

    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out.w, 1);
    posix_spawn_file_actions_adddup2(&fa, err.w, 2);
    // Nothing else of ours leaks into the runtime: listening sockets, other instances' pipes.
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (!o.working_directory.empty())
        posix_spawn_file_actions_addchdir_np(&fa, o.working_directory.c_str());

    // Own process group (killable as a whole), default signal dispositions and an empty mask:
    // the emulator may block SIGINT/SIGTERM on its threads, a runtime must not inherit that.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    argv.reserve(o.argv.size() + 1);
    for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(o.env.size() + 1);
    for (const auto& e : o.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = -1;
    // glibc's posix_spawn reports exec failures (ENOENT, EACCES, ENOEXEC) as its return value.
    const int rc = ::posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
    if (rc != 0) {
        const bool program_fault = rc == ENOENT || rc == EACCES || rc == ENOEXEC || rc == ENOTDIR ||
                                   rc == ELOOP || rc == ENAMETOOLONG || rc == EISDIR ||
                                   rc == ETXTBSY || rc == EPERM;
        return fail(rc, program_fault);
    }

    std::unique_ptr<child_process> c(new child_process());
    c->pid_ = pid;
    ::close(out.w);
    out.w = -1;
    ::close(err.w);
    err.w = -1;
    c->out_fd_ = out.r;
    out.r = -1;
    c->err_fd_ = err.r;
    err.r = -1;
    ::fcntl(c->out_fd_, F_SETFL, ::fcntl(c->out_fd_, F_GETFL) | O_NONBLOCK);
    ::fcntl(c->err_fd_, F_SETFL, ::fcntl(c->err_fd_, F_GETFL) | O_NONBLOCK);
#ifdef SYS_pidfd_open
    c->pid_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (c->pid_fd_ >= 0)
        ::fcntl(c->pid_fd_, F_SETFD, FD_CLOEXEC);
#endif
    return c;
}

child_process::~child_process() {
    bool reaped;
    {
        std::lock_guard lock(reap_mu_);
        reaped = reaped_;
    }
    if (!reaped && pid_ > 0) {
        kill_group(SIGKILL);
        reap();
    }
    for (int fd : {out_fd_, err_fd_, pid_fd_})
        if (fd >= 0)
            ::close(fd);
}

bool child_process::exited() const {
    std::lock_guard lock(reap_mu_);
    if (reaped_)
        return true;
    siginfo_t info{};
    // WNOWAIT: look without reaping.
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno == ECHILD;
    return info.si_pid == pid_;
}

void child_process::kill_group(int sig) const {
    std::lock_guard lock(reap_mu_);
    if (reaped_ || pid_ <= 0)
        return;
    ::kill(-pid_, sig);
}

int child_process::reap() {
    // Wait without reaping, then reap under the lock: while the zombie exists its pid and
    // process group id cannot be reused, so a concurrent kill_group() is always safe.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 &&
           errno == EINTR) {
    }
    std::lock_guard lock(reap_mu_);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
}

std::string child_process::describe_status(int status) {
    if (WIFEXITED(status))
        return fmt::format("exit status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = signal_text(sig);
        std::string s = name ? fmt::format("signal: {}", name) : fmt::format("signal: {}", sig);
        if (WCOREDUMP(status))
            s += " (core dumped)";
        return s;
    }
    return fmt::format("wait status {}", status);
}

}  // namespace esser::emulator

#pragma once
// child_process: one external program started with posix_spawn in its own process group, with
// stdout and stderr piped back to us, stdin on /dev/null, a clean signal mask and only fds 0-2
// inherited. What a Lambda execution environment is to AWS, minus the sandbox.
//
// Lifecycle: spawn() -> (the caller polls stdout_fd/stderr_fd/exit_fd) -> kill_group() ->
// reap(). The pid is never reaped behind the owner's back, so kill_group() cannot hit a
// recycled process group: a process group id stays allocated while its leader is an unreaped
// zombie. The destructor kills and reaps if the owner did not.
//
// Thread-safety: kill_group() and exited() may be called from any thread, concurrently with
// reap(); reap() and the destructor from one thread (the supervisor) only.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <sys/types.h>

#include "esser/core/expected.hpp"

namespace esser::emulator {

struct spawn_options {
    std::vector<std::string> argv;  // argv[0] is the program: absolute, or relative to cwd
    std::vector<std::string> env;   // "NAME=value", the whole environment
    std::string working_directory;  // empty: ours
};

struct spawn_failure {
    int error = 0;                // errno
    bool not_executable = false;  // ENOENT, EACCES, ENOEXEC, ENOTDIR, ...: the program's fault
    std::string message;          // "fork/exec /x/bootstrap: no such file or directory"
};

class child_process {
public:
    static core::expected<std::unique_ptr<child_process>, spawn_failure> spawn(
        const spawn_options& o);

    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }

    // Non-blocking read ends of the child's stdout and stderr (owned here).
    int stdout_fd() const { return out_fd_; }

    int stderr_fd() const { return err_fd_; }

    // A pidfd that polls readable once the child exited, or -1 when the kernel offers none (then
    // poll exited() periodically).
    int exit_fd() const { return pid_fd_; }

    // True once the child exited (not reaped: the zombie keeps the pid and group reserved).
    bool exited() const;
    // Sends `sig` to the whole process group (the runtime and everything it started). No-op
    // after reap().
    void kill_group(int sig) const;
    // Waits for the child to exit and reaps it; returns its wait status. Call once.
    int reap();

    // "exit status 1", "signal: killed", "signal: segmentation fault (core dumped)": how Lambda
    // words an exit in "Runtime exited with error: ...".
    static std::string describe_status(int status);

private:
    child_process() = default;

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    int pid_fd_ = -1;
    // Guards the reaping itself so kill_group() never signals a group id that was freed.
    mutable std::mutex reap_mu_;
    bool reaped_ = false;
};

}  // namespace esser::emulator

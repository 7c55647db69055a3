#pragma once
// A server run as a child process by a test (dynalite under node, esser-local): started with an
// argv, ready once a line it prints on stdout satisfies a predicate (bounded wait), stopped with
// the fixture. Its stdin is a pipe that closes with the fixture (dynalite exits on EOF), its
// stdout stays open (read only up to the ready line; the rest stays in the pipe, so a server
// that prints more later is never killed by SIGPIPE), its stderr is the test's.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace esser::testing {

class server_process {
public:
    // Starts argv[0] (searched on PATH when it has no '/') with argv and the test's environment
    // plus `extra_env` ("NAME=value"). Returns the ready line. Throws std::runtime_error when
    // the program cannot start, exits or prints no ready line within `timeout`, with what it
    // printed.
    static std::unique_ptr<server_process> start(
        const std::vector<std::string>& argv,
        const std::function<bool(const std::string& line)>& ready,
        std::chrono::milliseconds timeout, std::string& ready_line,
        const std::vector<std::string>& extra_env = {});

    // As stop(), ignoring the status.
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    pid_t pid() const noexcept { return pid_; }

    // Closes stdin, sends SIGTERM and waits (after `grace`, SIGKILL). Returns the wait status
    // (see waitpid), or -1 when already stopped.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

private:
    server_process() = default;
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
};

}  // namespace esser::testing

#include "adapters/support/server_process.hpp"

#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace esser::testing {

std::unique_ptr<server_process> server_process::start(
    const std::vector<std::string>& argv, const std::function<bool(const std::string&)>& ready,
    std::chrono::milliseconds timeout, std::string& ready_line,
    const std::vector<std::string>& extra_env) {
    if (argv.empty())
        throw std::invalid_argument("server_process: empty argv");
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        throw std::runtime_error("server_process: pipe failed");
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        throw std::runtime_error("server_process: pipe failed");
    }
    // Everything the child needs is built before fork (only async-signal-safe calls after it).
    std::vector<std::string> args = argv, env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> argp, envp;
    for (auto& a : args) argp.push_back(a.data());
    argp.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("server_process: fork failed");
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        execvpe(argp[0], argp.data(), envp.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    std::unique_ptr<server_process> s(new server_process);
    s->pid_ = pid;
    s->stdin_fd_ = in[1];
    s->stdout_fd_ = out[0];

    // Lines until one is ready, bounded by `timeout` in all.
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    std::string seen, line;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            give_up - std::chrono::steady_clock::now());
        pollfd pfd{s->stdout_fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            break;
        char c = 0;
        if (read(s->stdout_fd_, &c, 1) != 1)
            break;  // the program closed stdout or exited
        if (c != '\n') {
            line.push_back(c);
            continue;
        }
        if (ready(line)) {
            ready_line = line;
            return s;
        }
        seen += line + "\n";
        line.clear();
    }
    s->stop(std::chrono::seconds(2));
    throw std::runtime_error(argv[0] + " did not become ready within " +
                             std::to_string(timeout.count()) + " ms; it printed:\n" + seen + line);
}

int server_process::stop(std::chrono::milliseconds grace) {
    if (stdin_fd_ >= 0)
        close(stdin_fd_);
    stdin_fd_ = -1;
    if (pid_ <= 0)
        return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    const auto give_up = std::chrono::steady_clock::now() + grace;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > give_up) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
    if (stdout_fd_ >= 0)
        close(stdout_fd_);
    stdout_fd_ = -1;
    return status;
}

server_process::~server_process() {
    stop();
}

}  // namespace esser::testing

#include "adapters/support/dynalite_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace esser::testing {

namespace {

namespace fs = std::filesystem;

fs::path install_dir() {
    return fs::path(ESSER_BINARY_DIR) / "npm" / "dynalite";
}

bool installed() {
    return fs::exists(install_dir() / "node_modules" / "dynalite" / "package.json");
}

int shell(const std::string& cmd) {
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Started by node: dynalite with no artificial table-creation delays, listening on an ephemeral
// port it prints; it exits when its stdin closes (so a crashed test leaves no server behind).
constexpr const char* launcher = R"js(
const dynalite = require(process.argv[1]);
const server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0});
server.listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\n'); });
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
)js";

}  // namespace

std::unique_ptr<dynalite_server> dynalite_server::start(std::string& skip_reason) {
    const fs::path dir = install_dir();
    if (!installed()) {
        fs::create_directories(dir);
        const std::string log = (dir / "npm-install.log").string();
        // flock: ctest runs test cases as parallel processes; one installs, the others wait.
        const std::string cmd = "flock '" + (dir / ".lock").string() + "' sh -c 'test -f \"" +
                                (dir / "node_modules/dynalite/package.json").string() +
                                "\" || timeout 300 npm install --prefix \"" + dir.string() +
                                "\" dynalite@" + version +
                                " --no-audit --no-fund --loglevel=error' > '" + log + "' 2>&1";
        if (shell(cmd) != 0 || !installed()) {
            if (shell("timeout 30 npm ping > /dev/null 2>&1") != 0) {
                skip_reason = "npm's registry is unreachable, so dynalite " + std::string(version) +
                              " could not be installed into " + dir.string();
                return nullptr;
            }
            throw std::runtime_error("npm install dynalite@" + std::string(version) +
                                     " failed; see " + log);
        }
    }

    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error("dynalite_server: pipe failed");
    const std::string module = (dir / "node_modules" / "dynalite").string();
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("dynalite_server: fork failed");
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        execlp("node", "node", "-e", launcher, module.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    std::unique_ptr<dynalite_server> s(new dynalite_server);
    s->pid_ = pid;
    s->stdin_fd_ = in[1];

    // Read the port (bounded: 20 s for node to load dynalite).
    std::string line;
    pollfd pfd{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
        if (poll(&pfd, 1, 20000) <= 0)
            break;
        char buf[64];
        const ssize_t n = read(out[0], buf, sizeof buf);
        if (n <= 0)
            break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    const int port = std::atoi(line.c_str());
    if (port <= 0 || port > 65535)
        throw std::runtime_error("dynalite did not start (node printed '" + line + "')");
    s->port_ = static_cast<std::uint16_t>(port);
    return s;
}

dynalite_server::~dynalite_server() {
    if (stdin_fd_ >= 0)
        close(stdin_fd_);
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
}

}  // namespace esser::testing

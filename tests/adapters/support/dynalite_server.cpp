#include "adapters/support/dynalite_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <sys/wait.h>

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

    const std::string module = (dir / "node_modules" / "dynalite").string();
    std::string line;
    // Bounded: 20 s for node to load dynalite and print its port.
    auto proc = server_process::start(
        {"node", "-e", launcher, module}, [](const std::string&) { return true; },
        std::chrono::seconds(20), line);
    const int port = std::atoi(line.c_str());
    if (port <= 0 || port > 65535)
        throw std::runtime_error("dynalite did not start (node printed '" + line + "')");
    std::unique_ptr<dynalite_server> s(new dynalite_server);
    s->process_ = std::move(proc);
    s->port_ = static_cast<std::uint16_t>(port);
    return s;
}

dynalite_server::~dynalite_server() = default;

}  // namespace esser::testing

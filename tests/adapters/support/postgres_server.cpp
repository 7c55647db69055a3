#include "adapters/support/postgres_server.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace esser::testing {
namespace fs = std::filesystem;

namespace {

using namespace std::chrono_literals;

constexpr uid_t nobody_id = 65534;  // nobody / nogroup on Debian

bool executable(const std::string& p) {
    return ::access(p.c_str(), X_OK) == 0;
}

int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t n = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n) != 0) {
        if (s >= 0)
            ::close(s);
        throw std::runtime_error("postgres_server: cannot find a free 127.0.0.1 port");
    }
    ::close(s);
    return ntohs(a.sin_port);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// fork + exec `argv` (through setpriv as nobody when asked), stdout/stderr appended to `log`.
// The child dies with this process (parent-death signal).
pid_t spawn(std::vector<std::string> argv, const std::string& log, bool as_nobody) {
    if (as_nobody) {
        // setpriv sets the parent-death signal after changing credentials (a credential change
        // clears one set before).
        std::vector<std::string> pre = {
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--pdeathsig", "KILL",
            "--"};
        argv.insert(argv.begin(), pre.begin(), pre.end());
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("postgres_server: fork failed");
    if (pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

// Waits for `pid` to exit for at most `limit`; true when it did (and was reaped).
bool wait_exit(pid_t pid, std::chrono::milliseconds limit, int* status = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int st = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) {
            if (status)
                *status = st;
            return true;
        }
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(5ms);
    }
}

// The pids whose parent is `parent` (from /proc/<pid>/stat), and the state letter of each.
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::string stat = read_file("/proc/" + name + "/stat");
        // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
        auto close = stat.rfind(')');
        if (close == std::string::npos)
            continue;
        std::istringstream rest(stat.substr(close + 1));
        char state = 0;
        long ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent)
            out.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return out;
}

// True once `pid` is gone or a zombie (its resources released).
bool dead(pid_t pid) {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close == std::string::npos || stat.size() < close + 3 || stat[close + 2] == 'Z' ||
           stat[close + 2] == 'X';
}

}  // namespace

std::string postgres_server::find_binaries() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("ESSER_PG_BIN"); env && *env) {
        dirs.emplace_back(env);
    } else {
        dirs = {"/usr/lib/postgresql/15/bin", "/usr/local/bin"};
    }
    for (const auto& d : dirs) {
        if (executable(d + "/initdb") && executable(d + "/postgres"))
            return d;
    }
    std::string where;
    for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d;
    throw std::runtime_error(
        "PostgreSQL server binaries (initdb, postgres) not found in " + where +
        ": install PostgreSQL 15 (Debian 12: `apt-get install postgresql`, or run "
        "scripts/install-deps.sh), or point ESSER_PG_BIN at the directory holding them");
}

std::unique_ptr<postgres_server> postgres_server::start(options opts) {
    std::unique_ptr<postgres_server> s(new postgres_server());
    s->opts_ = opts;
    s->bin_ = find_binaries();
    s->as_nobody_ = ::geteuid() == 0;
    std::string tmpl = (fs::temp_directory_path() / "esser-pg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::runtime_error("postgres_server: mkdtemp failed");
    s->dir_ = tmpl;
    if (s->as_nobody_ && ::chown(s->dir_.c_str(), nobody_id, nobody_id) != 0)
        throw std::runtime_error("postgres_server: cannot chown " + s->dir_ + " to nobody");
    s->make_data_directory();
    // A port found free can be taken before postgres binds it: try a few.
    for (int attempt = 0;; ++attempt) {
        s->port_ = free_port();
        try {
            s->launch();
            return s;
        } catch (const std::exception&) {
            if (attempt == 2)
                throw;
        }
    }
}

// initdb costs seconds (much more on a loaded machine) and every test process needs a fresh
// cluster: run it once into a template directory shared by all test processes (under a file
// lock: ctest runs several at once), then copy the template for each server.
void postgres_server::make_data_directory() {
    const std::string owner = as_nobody_ ? "nobody" : std::to_string(::geteuid());
    const fs::path tmp = fs::temp_directory_path();
    char tag[32];
    std::snprintf(tag, sizeof tag, "%zx", std::hash<std::string>{}(bin_));
    const std::string tmpl = (tmp / ("esser-pg15-template-" + owner + "-" + tag)).string();
    const std::string lock_path = tmpl + ".lock";
    int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0666);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
        throw std::runtime_error("postgres_server: cannot lock " + lock_path);

    struct unlock {
        int fd;

        ~unlock() {
            ::flock(fd, LOCK_UN);
            ::close(fd);
        }
    } unlock_at_exit{lock};

    // The marker is written last, so a template cut short by a crash is made again.
    if (!fs::exists(tmpl + "/esser-template-complete")) {
        std::error_code ec;
        fs::remove_all(tmpl, ec);
        fs::create_directories(tmpl);
        if (as_nobody_ && ::chown(tmpl.c_str(), nobody_id, nobody_id) != 0)
            throw std::runtime_error("postgres_server: cannot chown " + tmpl + " to nobody");
        const std::string log = dir_ + "/initdb.log";
        pid_t pid = spawn({bin_ + "/initdb", "-D", tmpl + "/data", "-A", "trust", "-U", "postgres",
                           "-E", "UTF8", "--no-locale", "--no-sync"},
                          log, as_nobody_);
        int status = 0;
        if (!wait_exit(pid, 120s, &status) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            throw std::runtime_error("postgres_server: initdb failed (see " + log + "):\n" +
                                     read_file(log));
        }
        std::ofstream(tmpl + "/esser-template-complete") << "initdb done\n";
    }
    // cp -a as the server's user keeps the owner and the 0700 mode postgres insists on.
    pid_t pid = spawn({"cp", "-a", tmpl + "/data", dir_ + "/data"}, dir_ + "/copy.log", as_nobody_);
    int status = 0;
    if (!wait_exit(pid, 120s, &status) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("postgres_server: copying the template cluster failed:\n" +
                                 read_file(dir_ + "/copy.log"));
    }
}

postgres_server& postgres_server::shared() {
    static std::unique_ptr<postgres_server> server = start();
    return *server;
}

void postgres_server::launch() {
    std::vector<std::string> argv = {bin_ + "/postgres",
                                     "-D",
                                     dir_ + "/data",
                                     "-p",
                                     std::to_string(port_),
                                     "-c",
                                     "listen_addresses=127.0.0.1",
                                     "-c",
                                     "unix_socket_directories=" + dir_,
                                     "-c",
                                     "max_connections=50"};
    if (!opts_.durable) {
        for (const char* o : {"fsync=off", "full_page_writes=off"}) {
            argv.emplace_back("-c");
            argv.emplace_back(o);
        }
    }
    pid_ = spawn(argv, dir_ + "/server.log", as_nobody_);
    wait_ready();
}

void postgres_server::wait_ready() {
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) +
                                 " user=postgres dbname=postgres "
                                 "connect_timeout=2";
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
        if (PQping(conninfo.c_str()) == PQPING_OK)
            return;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("postgres_server: postgres exited while starting (see " +
                                     dir_ + "/server.log):\n" + read_file(dir_ + "/server.log"));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            wait_exit(pid_, 10s);
            pid_ = -1;
            throw std::runtime_error("postgres_server: postgres not ready after 60 s (see " + dir_ +
                                     "/server.log)");
        }
        std::this_thread::sleep_for(10ms);
    }
}

std::string postgres_server::url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

void postgres_server::kill() {
    if (pid_ <= 0)
        return;
    // The whole server dies at once, backends included (as when its container is killed): a
    // backend outliving its postmaster for a moment could otherwise still answer a client.
    std::vector<pid_t> backends = children_of(pid_);
    ::kill(pid_, SIGKILL);
    for (pid_t b : backends) ::kill(b, SIGKILL);
    wait_exit(pid_, 30s);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (pid_t b : backends) {
        while (!dead(b) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(5ms);
    }
    pid_ = -1;
}

void postgres_server::restart() {
    if (pid_ > 0)
        stop();
    // Should an old backend still hold the previous shared memory for a moment, postgres refuses
    // to start: try again, bounded.
    for (int attempt = 0;; ++attempt) {
        try {
            launch();
            return;
        } catch (const std::exception&) {
            if (attempt == 50)
                throw;
            std::this_thread::sleep_for(100ms);
        }
    }
}

void postgres_server::stop() {
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGINT);  // fast shutdown
    if (!wait_exit(pid_, 30s)) {
        ::kill(pid_, SIGKILL);
        wait_exit(pid_, 10s);
    }
    pid_ = -1;
}

postgres_server::~postgres_server() {
    stop();
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

}  // namespace esser::testing

#pragma once
// A private PostgreSQL server for tests and benchmarks (issue 9: "its tests start a real
// PostgreSQL 15 server (Debian's) in a temporary directory on a 127.0.0.1 port, and stop it").
//
// start(): a fresh cluster in a temporary directory (a copy of a template cluster made once by
// initdb and shared by every test process: $TMPDIR/esser-pg15-template-<user>-<binaries>), then
// `postgres` as a child of this process on a free 127.0.0.1 port (Unix socket in the same
// directory). initdb refuses to run as root, so
// when this process is root both run as `nobody` through `setpriv` (the directory is chown'ed to
// it). The server gets the parent-death signal, so a crashed test leaves no server behind. The
// destructor stops it (fast shutdown) and removes the directory.
//
// Binaries: $ESSER_PG_BIN if set, else /usr/lib/postgresql/15/bin, then /usr/local/bin. Missing
// ones make start() throw std::runtime_error saying what to install.
//
// Not thread-safe; Catch2-free (the benchmark links it too). The parent-death signal follows the
// *thread* that started the server: start and restart it from a thread that outlives its use.

#include <memory>
#include <string>

#include <sys/types.h>

namespace esser::testing {

class postgres_server {
public:
    struct options {
        bool durable = false;  // false: fsync=off (tests); true: PostgreSQL's defaults (bench)
    };

    [[nodiscard]] static std::unique_ptr<postgres_server> start(options opts);

    [[nodiscard]] static std::unique_ptr<postgres_server> start() { return start(options{}); }

    // One server per process, started on first use, stopped at exit.
    static postgres_server& shared();

    ~postgres_server();
    postgres_server(const postgres_server&) = delete;
    postgres_server& operator=(const postgres_server&) = delete;

    // "postgresql://postgres@127.0.0.1:<port>/postgres"
    std::string url() const;

    int port() const { return port_; }

    pid_t pid() const { return pid_; }

    const std::string& directory() const { return dir_; }

    // SIGKILL the postmaster and its backends (a crash) and wait until they are gone.
    void kill();
    // Starts it again on the same port and data directory (crash recovery runs).
    void restart();
    void stop();

    // The directory holding initdb and postgres, or an exception naming what to install.
    static std::string find_binaries();

private:
    postgres_server() = default;
    void make_data_directory();
    void launch();
    void wait_ready();

    options opts_;
    std::string bin_;
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
    bool as_nobody_ = false;
};

}  // namespace esser::testing

#pragma once
// dynalite (npm, in-memory DynamoDB written against real AWS behaviour) as an independent
// implementation for client tests (issue 10). Installed on first use with npm into
// <build>/npm/dynalite (under a file lock, so parallel ctest processes install once), started
// with node on an ephemeral 127.0.0.1 port, stopped with the fixture.
//
// If npm cannot reach its registry and dynalite is not installed yet, start() returns nullopt
// and says why; callers then skip loudly. Any other failure (install error, node crash) is a
// test failure.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapters/support/server_process.hpp"

namespace esser::testing {

class dynalite_server {
public:
    // The pinned version the tests run against.
    static constexpr const char* version = "4.0.0";

    // Installs if needed and starts dynalite. `skip_reason` is set when nullopt is returned
    // because npm's registry is unreachable; other failures throw std::runtime_error.
    static std::unique_ptr<dynalite_server> start(std::string& skip_reason);
    ~dynalite_server();  // stops node (closes its stdin, then SIGTERM, then waits)
    dynalite_server(const dynalite_server&) = delete;
    dynalite_server& operator=(const dynalite_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    dynalite_server() = default;
    std::unique_ptr<server_process> process_;
    std::uint16_t port_ = 0;
};

}  // namespace esser::testing

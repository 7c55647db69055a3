#pragma once
// The esser-local executable as a child process for network tests (issue 10): `esser-local
// serve --port 0 --log-level warn <flags>` on a free 127.0.0.1 port, ready once it prints its
// "listening on <url>" line; SIGTERM on destruction. The path of the binary comes from the
// build (ESSER_LOCAL_PATH, set by tests/adapters/network/CMakeLists.txt).

#include <memory>
#include <string>
#include <vector>

#include "adapters/support/server_process.hpp"

namespace esser::testing {

struct esser_local_process {
    std::unique_ptr<server_process> process;
    std::string url;  // "http://127.0.0.1:<port>" (https with --tls-cert)

    // Throws std::runtime_error when it does not start within 20 s (with what it printed).
    static esser_local_process start(const std::vector<std::string>& flags,
                                     const std::vector<std::string>& extra_env = {});
};

}  // namespace esser::testing

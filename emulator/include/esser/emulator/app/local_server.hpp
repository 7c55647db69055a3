#pragma once
// local_server: what `esser-local serve` runs, startable in-process (tests, the harness):
// a local_environment plus the HTTP server on its port, and the start-up banner.

#include <memory>
#include <string>

#include "esser/core/expected.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/app/cli.hpp"
#include "esser/emulator/app/local_environment.hpp"
#include "esser/emulator/http/http_server.hpp"

namespace esser::emulator {

struct serve_settings {
    local_environment_options env;
    http_server_options http;
    core::log_level log_level = core::log_level::info;
    core::log_format log_format = core::log_format::text;
};

// The serve flags as settings (defaults for absent flags). Bad values are usage errors.
core::expected<serve_settings, cli::usage_error> serve_settings_from(const cli::parsed_args& a);

// Why serve could not start, as the CLI reports it.
struct start_failure {
    int exit_code = 1;    // exit_failure or exit_cannot_listen (commands.hpp)
    std::string message;  // one or two lines, actionable
};

class local_server {
public:
    static core::expected<std::unique_ptr<local_server>, start_failure> start(
        serve_settings settings, std::shared_ptr<core::log_sink> sink);

    // What serve prints once listening: endpoint, state, copy-paste examples.
    std::string banner() const;

    local_environment& environment() { return *env_; }

    http_server& server() { return *server_; }

    // Graceful: see http_server::stop().
    void stop() { server_->stop(); }

private:
    local_server() = default;
    serve_settings settings_;
    std::unique_ptr<local_environment> env_;
    std::unique_ptr<http_server> server_;
};

}  // namespace esser::emulator

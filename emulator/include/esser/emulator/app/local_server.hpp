#pragma once
// local_server: what `esser-local serve` runs, startable in-process (tests, the harness):
// a local_environment plus the HTTP server on its port, and the start-up banner.

#include <memory>
#include <string>
#include <vector>

#include "esser/core/expected.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/app/cli.hpp"
#include "esser/emulator/app/local_environment.hpp"
#include "esser/emulator/app/stack_loader.hpp"
#include "esser/emulator/http/http_server.hpp"
#include "esser/emulator/http/tls_terminator.hpp"

namespace esser::emulator {

struct serve_settings {
    local_environment_options env;
    http_server_options http;
    core::log_level log_level = core::log_level::info;
    core::log_format log_format = core::log_format::text;
    // --tls-cert / --tls-key (PEM files): serve HTTPS through a tls_terminator on http.host and
    // http.port, the HTTP server moving to a free loopback port behind it. Both or neither.
    std::string tls_cert;
    std::string tls_key;
    // --template FILE: the stack to create once listening (stack_loader.hpp), its functions
    // running --lambda-binary (default: esser-lambda next to this executable, else on PATH).
    std::string template_file;
    std::string lambda_binary;
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

    // What --template created (empty without it).
    const std::vector<stack_resource>& stack() const { return stack_; }

    // What serve prints once listening: endpoint, state, copy-paste examples.
    std::string banner() const;

    local_environment& environment() { return *env_; }

    // The HTTP server; behind the TLS terminator when serving HTTPS (then its url() is the
    // loopback hop, not the endpoint clients use).
    http_server& server() { return *server_; }

    // The endpoint clients use: "https://127.0.0.1:<port>" with TLS, else server().url().
    std::string url() const;

    // Graceful: the TLS terminator (if any) closes, then see http_server::stop().
    void stop();

    ~local_server();
    local_server(const local_server&) = delete;
    local_server& operator=(const local_server&) = delete;

private:
    local_server() = default;
    core::result<void> load_template(const serve_settings& settings);
    serve_settings settings_;
    std::unique_ptr<local_environment> env_;
    std::unique_ptr<http_server> server_;
    std::unique_ptr<tls_terminator> tls_;  // only with --tls-cert
    std::vector<stack_resource> stack_;
    std::string bundled_domain_copy_;  // a file holding the bundled domain, for --template
};

}  // namespace esser::emulator

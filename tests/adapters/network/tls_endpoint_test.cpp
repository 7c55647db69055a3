// Issue 10 (esser-local as a TLS endpoint): `serve --tls-cert --tls-key` with a self-signed
// certificate made by the openssl command. The production transport, trusting that certificate,
// runs the event store over HTTPS + SigV4 (with --credentials) on one kept-alive connection; a
// client that does not trust it gets a typed, non-retried SSLError; plain HTTP or garbage sent
// to the TLS port fails cleanly and leaves the server serving; unusable certificate or key files
// stop serve with a message naming the flag and the file. esser-lambda run by an HTTPS
// esser-local reaches it back over HTTPS.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "adapters/network/local_server_fixture.hpp"
#include <catch2/catch.hpp>
#include <unistd.h>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/adapters/http/http_client.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"

using namespace esser;
using esser::testing::start_local;
using esser::testing::transport_to;
using esser::testing::try_start_local;
using nlohmann::json;

namespace {

// A self-signed certificate for 127.0.0.1 and localhost, valid for a day, made once per process
// in files of this process only: ctest runs each test case as its own process, in parallel, and
// a shared file rewritten by another case made this one's clients trust another key (SSLError).
struct self_signed {
    std::string cert = file("cert");
    std::string key = file("key");

    static std::string file(const char* what) {
        return std::string(ESSER_BINARY_DIR) + "/tls_endpoint_" + std::to_string(::getpid()) + "_" +
               what + ".pem";
    }

    ~self_signed() {
        std::remove(cert.c_str());
        std::remove(key.c_str());
    }

    self_signed() {
        const std::string cmd =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
            "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
            key + "' -out '" + cert + "' 2>/dev/null";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
};

const self_signed& pki() {
    static const self_signed p;
    return p;
}

const adapters::credentials creds{"AKIDTLS", "tls-secret", ""};

}  // namespace

TEST_CASE("esser-local serves the event store over HTTPS with SigV4",
          "[adapters][network][tls_endpoint]") {
    auto s = start_local(
        {"--tls-cert", pki().cert, "--tls-key", pki().key, "--credentials", "AKIDTLS:tls-secret"});
    const std::string url = s->url();
    REQUIRE(url.rfind("https://127.0.0.1:", 0) == 0);
    CHECK(s->banner().find(url) != std::string::npos);
    CHECK(s->banner().find("--cacert " + pki().cert) != std::string::npos);

    auto t = transport_to(url, creds, nullptr, pki().cert);
    adapters::dynamodb_event_store store(t);
    REQUIRE(store.ensure_tables());
    const core::event e = esser::testing::item_created("tls", {{"name", "over TLS"}});
    REQUIRE(store.append({"Item", "tls"}, {e}).value() == 1);
    for (int i = 0; i < 5; ++i) CHECK(store.last_version({"Item", "tls"}).value() == 1);
    // Keep-alive works through the terminator: one TLS connection for every call.
    CHECK(t->stats().dynamodb.connections_opened == 1);
    // A wrong secret is still refused over TLS.
    auto wrong = transport_to(url, {"AKIDTLS", "nope", ""}, nullptr, pki().cert);
    auto refused = wrong->call("ListTables", json::object());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().type == "InvalidSignatureException");

    SECTION("a client that does not trust the certificate gets SSLError, not retried") {
        auto untrusting = transport_to(url, creds);
        auto r = untrusting->call("ListTables", json::object());
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "SSLError");
        CHECK(untrusting->stats().retries == 0);
    }
    SECTION("plain HTTP to the TLS port fails cleanly, and the server keeps serving") {
        auto port = url.substr(url.rfind(':') + 1);
        auto origin = adapters::url::parse("http://127.0.0.1:" + port);
        REQUIRE(origin);
        adapters::http_client_options o;
        o.request_timeout = std::chrono::seconds(5);
        auto plain = adapters::http_client::create(*origin, o);
        REQUIRE(plain);
        adapters::http_request req;
        req.method = "GET";
        req.target = "/esser/v1/health";
        req.headers.set("Host", origin->host_header());
        CHECK_FALSE((*plain)->send(req));
        CHECK(store.last_version({"Item", "tls"}).value() == 1);
    }
}

// The production path over TLS: esser-lambda, run by esser-local, calls it back over HTTPS
// (AWS_ENDPOINT_URL https://..., trusting --tls-cert through AWS_CA_BUNDLE, signing with
// --credentials).
TEST_CASE("esser-lambda run by an HTTPS esser-local calls it back over HTTPS",
          "[adapters][network][tls_endpoint]") {
    auto s = start_local(
        {"--tls-cert", pki().cert, "--tls-key", pki().key, "--credentials", "AKIDTLS:tls-secret"});
    emulator::function_config c;
    c.name = "tls-command";
    c.kind = emulator::function_kind::executable;
    c.command = {ESSER_LAMBDA_PATH};
    c.handler = "command";
    c.timeout = std::chrono::seconds(30);
    c.environment = {
        {"ESSER_DOMAIN_FILE", std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json"},
        {"ESSER_LOG_LEVEL", "warn"}};
    REQUIRE(s->environment().lambda().create_function(c));
    auto r = s->environment().lambda().invoke_function("tls-command",
                                                       {{"entity", "Item"},
                                                        {"command", "CreateItem"},
                                                        {"id", "over-tls"},
                                                        {"data", {{"name", "Key"}, {"price", 1}}}});
    REQUIRE(r);
    INFO(r->payload.dump() << " " << r->error_message);
    REQUIRE(r->status == emulator::invoke_status::success);
    CHECK(r->payload["version"] == 1);
    adapters::dynamodb_event_store store(transport_to(s->url(), creds, nullptr, pki().cert));
    CHECK(store.last_version({"Item", "over-tls"}).value() == 1);
}

TEST_CASE("esser-local refuses unusable TLS files", "[adapters][network][tls_endpoint]") {
    auto missing = try_start_local({"--tls-cert", "/nonexistent/cert.pem", "--tls-key", pki().key});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("--tls-cert /nonexistent/cert.pem") != std::string::npos);
    CHECK(missing.error().exit_code == 1);
    auto swapped = try_start_local({"--tls-cert", pki().key, "--tls-key", pki().key});
    REQUIRE_FALSE(swapped);
    CHECK(swapped.error().message.find("--tls-cert") != std::string::npos);
    auto cert_as_key = try_start_local({"--tls-cert", pki().cert, "--tls-key", pki().cert});
    REQUIRE_FALSE(cert_as_key);
    CHECK(cert_as_key.error().message.find("--tls-key") != std::string::npos);

    const emulator::cli::command_spec spec = emulator::serve_command().spec;
    for (const char* alone : {"--tls-cert", "--tls-key"}) {
        auto parsed = emulator::cli::parse(spec, std::vector<std::string>{alone, pki().cert});
        REQUIRE(parsed);
        auto settings = emulator::serve_settings_from(*parsed);
        REQUIRE_FALSE(settings);
        CHECK(settings.error().message == "--tls-cert and --tls-key go together");
    }
}

#pragma once
// esser-local in this process for the network tests: `serve` flags parsed by the real CLI
// (serve_command's spec and serve_settings_from), on a free 127.0.0.1 port, quiet, one thread;
// production http_transports pointed at it; and single REST requests (Lambda's API), signed.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/adapters/dynamodb/http_transport.hpp"
#include "esser/adapters/http/http_client.hpp"
#include "esser/adapters/read_store/open_read_store.hpp"
#include "esser/core/event.hpp"
#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/app/local_server.hpp"

namespace esser::testing {

inline core::expected<std::unique_ptr<emulator::local_server>, emulator::start_failure>
try_start_local(const std::vector<std::string>& flags) {
    const emulator::cli::command_spec spec = emulator::serve_command().spec;
    auto parsed = emulator::cli::parse(spec, flags);
    REQUIRE(parsed);
    auto settings = emulator::serve_settings_from(*parsed);
    REQUIRE(settings);
    settings->http.port = 0;
    settings->http.threads = 1;
    return emulator::local_server::start(std::move(*settings),
                                         std::make_shared<core::null_log_sink>());
}

inline std::unique_ptr<emulator::local_server> start_local(const std::vector<std::string>& flags) {
    auto s = try_start_local(flags);
    if (!s)
        FAIL("esser-local did not start: " << s.error().message);
    return std::move(*s);
}

// A DynamoDB http_transport for `endpoint` signing with `creds`; no sleeping between retries.
// `ca_pem`: the certificate to trust for https (empty: the system store).
inline std::shared_ptr<adapters::http_transport> transport_to(
    const std::string& endpoint, adapters::credentials creds,
    std::shared_ptr<const core::clock> clock = nullptr, const std::string& ca_file = "") {
    adapters::http_transport_options o;
    o.region = "eu-west-1";
    auto origin = adapters::url::parse(endpoint);
    REQUIRE(origin);
    o.dynamodb_endpoint = *origin;
    o.creds = std::move(creds);
    o.clock = std::move(clock);
    o.http.tls.ca_file = ca_file;
    o.sleep = [](std::chrono::nanoseconds) {};
    auto t = adapters::http_transport::create(o);
    REQUIRE(t);
    return std::shared_ptr<adapters::http_transport>(std::move(*t));
}

// A REST request (Lambda's API): `body` as JSON unless it is null (then no body at all).
inline adapters::http_request rest_request(std::string method, std::string target,
                                           const nlohmann::json& body) {
    adapters::http_request req;
    req.method = std::move(method);
    req.target = std::move(target);
    if (!body.is_null()) {
        req.headers.set("Content-Type", "application/json");
        req.body = body.dump();
    }
    return req;
}

// Event `version` 1 of Item `id` with `data`, as an ItemCreated append carries it.
inline core::event item_created(const std::string& id, nlohmann::json data) {
    core::event e;
    e.entity = "Item";
    e.id = id;
    e.version = 1;
    e.type = "ItemCreated";
    e.data = std::move(data);
    e.meta = {"ev-" + id, "c-" + id, "c-" + id, "c-" + id};
    e.at = "2024-01-01T00:00:00.000Z";
    return e;
}

// Sends one request to `endpoint` on a fresh connection, signed for `service` with `creds`
// (unsigned when creds has no access key). A transport failure fails the test.
inline adapters::http_response send_signed(const std::string& endpoint, adapters::http_request req,
                                           const adapters::credentials& creds,
                                           const std::string& service = "lambda") {
    auto origin = adapters::url::parse(endpoint);
    REQUIRE(origin);
    auto http = adapters::http_client::create(*origin);
    REQUIRE(http);
    req.headers.set("Host", origin->host_header());
    if (!creds.access_key_id.empty()) {
        adapters::sigv4_signer signer("us-east-1", service);
        signer.sign(req, creds, std::chrono::system_clock::now());
    }
    auto res = (*http)->send(std::move(req));
    if (!res)
        FAIL("request to " << endpoint << " failed: " << res.error().message);
    return *res;
}

// Waits (bounded by `timeout`, polling every 20 ms) until the SQLite read store at `db` holds
// document `id` of `collection` at `version` or later, and returns it; nullopt on timeout.
// The store is written by another process (a projection function), so it is reopened per poll.
inline std::optional<core::document> wait_for_document(const std::string& db,
                                                       const std::string& collection,
                                                       const std::string& id, std::uint64_t version,
                                                       std::chrono::seconds timeout) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
        if (std::filesystem::exists(db)) {
            auto rs = adapters::open_read_store("sqlite:" + db, {.read_only = true});
            if (rs) {
                auto got = (*rs)->get(collection, id);
                if (got && *got && (*got)->version >= version)
                    return **got;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

}  // namespace esser::testing

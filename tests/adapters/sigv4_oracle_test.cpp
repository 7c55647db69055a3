// Issue 10: SigV4 is tested against an independent oracle. tests/adapters/sigv4_oracle.py signs
// fixed and seeded-random requests with Debian's python3-botocore at fixed times; every
// canonical request, string to sign and Authorization header produced by sigv4_signer must be
// byte-for-byte botocore's, and verify_sigv4 must accept every request botocore signed (and
// reject it once tampered with). The test fails, never skips, when the oracle cannot run:
// python3-botocore is a test dependency (scripts/install-deps.sh).
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdio.h>
#include <sys/wait.h>

#include "esser/adapters/aws/sigv4.hpp"
#include "esser/adapters/aws/sigv4_signer.hpp"
#include "esser/adapters/aws/sigv4_verifier.hpp"
#include "esser/adapters/http/url.hpp"

using namespace esser::adapters;
using nlohmann::json;

namespace {

constexpr const char* oracle_python = "/usr/bin/python3";  // Debian's, where botocore lives

json run_oracle(int random_cases) {
    const std::string cmd = std::string(oracle_python) + " " + ESSER_SOURCE_DIR +
                            "/tests/adapters/sigv4_oracle.py " + std::to_string(random_cases);
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buf[65536];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    const int status = pclose(pipe);
    INFO("oracle command: " << cmd);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    json j = json::parse(out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    return j;
}

std::string from_hex(const std::string& h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(char(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

http_headers headers_of(const json& list) {
    http_headers h;
    for (const auto& kv : list) h.add(kv[0].get<std::string>(), kv[1].get<std::string>());
    return h;
}

// (lowercase name, value) pairs, stably sorted by name: header order across names does not
// matter on the wire, the order of repeated headers does.
std::vector<std::pair<std::string, std::string>> normalized(const http_headers& h) {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& x : h) {
        std::string n = x.name;
        for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
        v.emplace_back(n, x.value);
    }
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return v;
}

// botocore derives Host from the URL when the request has none; esser's signer needs it
// explicitly, from url::host_header() (which this therefore checks against botocore too).
std::string host_of(const std::string& wire_url) {
    const auto scheme_end = wire_url.find("://") + 3;
    const auto authority_end = wire_url.find_first_of("/?", scheme_end);
    auto u = url::parse(wire_url.substr(0, authority_end));
    REQUIRE(u);
    return u->host_header();
}

}  // namespace

TEST_CASE("sigv4_signer signs byte for byte as botocore does", "[adapters][sigv4_signer][oracle]") {
    const json oracle = run_oracle(300);
    const auto& cases = oracle.at("cases");
    REQUIRE(cases.size() >= 300);
    std::size_t compared = 0;
    for (const auto& c : cases) {
        INFO("case: " << c["name"].get<std::string>() << " (botocore "
                      << oracle["botocore"].get<std::string>()
                      << ")\nURL: " << c["wire_url"].get<std::string>());
        http_request req;
        req.method = c["method"];
        req.target = c["target"];
        req.headers = headers_of(c["headers_before"]);
        req.body = from_hex(c["body_hex"]);
        const bool implicit_host = req.headers.find("host") == nullptr;
        if (implicit_host)
            req.headers.add("Host", host_of(c["wire_url"]));
        esser::core::time_point at;
        REQUIRE(sigv4::parse_amz_date(c["time"].get<std::string>(), at));
        const credentials creds{c["access_key"], c["secret"], c["token"]};

        const sigv4_signer signer(c["region"], c["service"]);
        const sigv4_signature sig = signer.sign(req, creds, at);
        REQUIRE(sig.canonical_request == c["canonical_request"].get<std::string>());
        REQUIRE(sig.string_to_sign == c["string_to_sign"].get<std::string>());
        REQUIRE(sig.authorization == c["authorization"].get<std::string>());
        REQUIRE(*req.headers.find("Authorization") == sig.authorization);

        http_headers after = req.headers;
        if (implicit_host)
            after.remove("host");
        REQUIRE(normalized(after) == normalized(headers_of(c["headers_after"])));
        ++compared;

        // The verifier accepts what botocore signed, as it would arrive on the wire...
        http_request wire;
        wire.method = c["method"];
        wire.target = c["target"];
        wire.headers = headers_of(c["headers_after"]);
        if (implicit_host)
            wire.headers.add("Host", host_of(c["wire_url"]));
        wire.body = req.body;
        sigv4_verify_options opts;
        opts.service = c["service"];
        opts.allow_unsigned_payload = true;
        const auto lookup = [&](std::string_view key) -> std::optional<credentials> {
            if (key == creds.access_key_id)
                return creds;
            return std::nullopt;
        };
        const auto ok = verify_sigv4(wire, lookup, at + std::chrono::minutes(14), opts);
        INFO(
            "verifier: " << (ok ? std::string("ok") : ok.error().type + ": " + ok.error().message));
        REQUIRE(ok);
        CHECK(ok->access_key_id == creds.access_key_id);
        CHECK(ok->region == c["region"].get<std::string>());

        // ...and not once the request was changed in transit.
        http_request tampered = wire;
        if (wire.headers.find("x-amz-content-sha256"))
            tampered.method = wire.method == "PUT" ? "POST" : "PUT";
        else
            tampered.body += "x";
        const auto bad = verify_sigv4(tampered, lookup, at, opts);
        REQUIRE_FALSE(bad);
        CHECK(bad.error().type == "InvalidSignatureException");
    }
    CHECK(compared == cases.size());
}

// Issue 10: credentials, region and endpoint resolution from the standard environment
// variables, and the typed errors a misconfigured Lambda or CI job gets.
#include "esser/adapters/aws/aws_config.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "esser/adapters/dynamodb/http_transport.hpp"

using namespace esser::adapters;

namespace {
using env_map = std::map<std::string, std::string, std::less<>>;

environment_lookup lookup(const env_map& m) {
    return [m](std::string_view n) -> std::optional<std::string> {
        auto it = m.find(n);
        if (it == m.end())
            return std::nullopt;
        return it->second;
    };
}

const env_map keys{{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}};

env_map with(env_map base, const env_map& more) {
    for (const auto& [k, v] : more) base[k] = v;
    return base;
}
}  // namespace

TEST_CASE("credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
          "[adapters][aws_config]") {
    auto c = credentials_from_environment(lookup(with(keys, {{"AWS_SESSION_TOKEN", "tok"}})));
    REQUIRE(c);
    CHECK(*c == credentials{"AKID", "secret", "tok"});
    auto legacy = credentials_from_environment(lookup(with(keys, {{"AWS_SECURITY_TOKEN", "old"}})));
    CHECK(legacy->session_token == "old");
    CHECK(credentials_from_environment(lookup(keys))->session_token.empty());
}

TEST_CASE("missing or partial credentials are typed errors", "[adapters][aws_config]") {
    auto none = credentials_from_environment(lookup({}));
    REQUIRE_FALSE(none);
    CHECK(none.error().type == "NoCredentialsError");
    CHECK(none.error().code == esser::core::errc::invalid_argument);
    CHECK(none.error().message.find("Unable to locate credentials") == 0);
    auto empty = credentials_from_environment(
        lookup({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}}));
    CHECK(empty.error().type == "NoCredentialsError");
    auto partial = credentials_from_environment(lookup({{"AWS_ACCESS_KEY_ID", "AKID"}}));
    REQUIRE_FALSE(partial);
    CHECK(partial.error().type == "PartialCredentialsError");
    CHECK(partial.error().message ==
          "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY");
}

TEST_CASE("the region comes from AWS_REGION, else AWS_DEFAULT_REGION", "[adapters][aws_config]") {
    CHECK(*region_from_environment(lookup(
              {{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-east-1"}})) == "eu-west-1");
    CHECK(*region_from_environment(lookup({{"AWS_DEFAULT_REGION", "us-east-1"}})) == "us-east-1");
    auto none = region_from_environment(lookup({}));
    REQUIRE_FALSE(none);
    CHECK(none.error().type == "NoRegionError");
    for (const char* bad : {"us east 1", "-us-east-1", "us-east-1-", "eu_west_1", "a/b"}) {
        INFO(bad);
        auto r = region_from_environment(lookup({{"AWS_REGION", bad}}));
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "InvalidRegionError");
    }
}

TEST_CASE("endpoints: service variable, then AWS_ENDPOINT_URL, then the regional endpoint",
          "[adapters][aws_config]") {
    const env_map base = with(keys, {{"AWS_REGION", "eu-west-1"}});
    auto regional = aws_config::from_environment(lookup(base));
    REQUIRE(regional);
    CHECK(regional->dynamodb_endpoint.to_string() == "https://dynamodb.eu-west-1.amazonaws.com");
    CHECK(regional->streams_endpoint.to_string() ==
          "https://streams.dynamodb.eu-west-1.amazonaws.com");
    CHECK(regional->creds == credentials{"AKID", "secret", ""});

    auto general = aws_config::from_environment(
        lookup(with(base, {{"AWS_ENDPOINT_URL", "http://localhost:8000"}})));
    CHECK(general->dynamodb_endpoint.to_string() == "http://localhost:8000");
    CHECK(general->streams_endpoint.to_string() == "http://localhost:8000");

    auto specific = aws_config::from_environment(
        lookup(with(base, {{"AWS_ENDPOINT_URL", "http://localhost:8000"},
                           {"AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9000"}})));
    CHECK(specific->dynamodb_endpoint.to_string() == "http://127.0.0.1:9000");
    CHECK(specific->streams_endpoint.to_string() == "http://localhost:8000");

    // As in the SDKs, the DynamoDB variable alone does not move Streams.
    auto only_ddb = aws_config::from_environment(
        lookup(with(base, {{"AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9000"}})));
    CHECK(only_ddb->streams_endpoint.to_string() ==
          "https://streams.dynamodb.eu-west-1.amazonaws.com");

    auto china = aws_config::from_environment(lookup(with(keys, {{"AWS_REGION", "cn-north-1"}})));
    CHECK(china->dynamodb_endpoint.host == "dynamodb.cn-north-1.amazonaws.com.cn");
}

TEST_CASE("aws_config reports the first configuration problem", "[adapters][aws_config]") {
    CHECK(aws_config::from_environment(lookup({{"AWS_REGION", "eu-west-1"}})).error().type ==
          "NoCredentialsError");
    CHECK(aws_config::from_environment(lookup(keys)).error().type == "NoRegionError");
    auto bad = aws_config::from_environment(lookup(with(
        keys, {{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000"}})));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().type == "InvalidEndpointError");
    CHECK(bad.error().message.find("AWS_ENDPOINT_URL_DYNAMODB: ") == 0);
}

// Issue 10 (esser-local over TLS): http_transport_options reads AWS_CA_BUNDLE as botocore does,
// so esser-lambda trusts esser-local's self-signed certificate.
TEST_CASE("http transport options trust the CA bundle of AWS_CA_BUNDLE", "[adapters][aws_config]") {
    const env_map base = with(keys, {{"AWS_REGION", "eu-west-1"}});
    auto plain = http_transport_options::from_environment(lookup(base));
    REQUIRE(plain);
    CHECK(plain->http.tls.ca_file.empty());
    auto with_ca = http_transport_options::from_environment(
        lookup(with(base, {{"AWS_CA_BUNDLE", "/etc/esser/ca.pem"}})));
    REQUIRE(with_ca);
    CHECK(with_ca->http.tls.ca_file == "/etc/esser/ca.pem");
    auto empty =
        http_transport_options::from_environment(lookup(with(base, {{"AWS_CA_BUNDLE", ""}})));
    REQUIRE(empty);
    CHECK(empty->http.tls.ca_file.empty());
}

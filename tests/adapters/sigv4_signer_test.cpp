// Issue 10: SigV4 building blocks and signer contract (the byte-for-byte comparison with
// botocore is sigv4_oracle_test.cpp; these pin the documented edge cases by name).
#include "esser/adapters/aws/sigv4_signer.hpp"

#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4.hpp"

using namespace esser::adapters;
namespace core = esser::core;

namespace {
core::time_point at(const char* amz) {
    core::time_point t;
    REQUIRE(sigv4::parse_amz_date(amz, t));
    return t;
}
}  // namespace

TEST_CASE("sigv4 formats and parses ISO 8601 basic dates", "[adapters][sigv4]") {
    CHECK(sigv4::format_amz_date(at("20150830T123600Z")) == "20150830T123600Z");
    CHECK(sigv4::format_amz_date(core::time_point{}) == "19700101T000000Z");
    // Sub-second parts are dropped, never rounded up.
    CHECK(sigv4::format_amz_date(at("20240229T235959Z") + std::chrono::milliseconds(999)) ==
          "20240229T235959Z");
    core::time_point t;
    for (const char* bad :
         {"", "20150830T123600", "20150830 123600Z", "2015-08-30T12:36:00Z", "20150230T123600Z",
          "20150830T246000Z", "2015083OT123600Z", "20150830T123600Z "}) {
        INFO(bad);
        CHECK_FALSE(sigv4::parse_amz_date(bad, t));
    }
}

TEST_CASE("sigv4 canonical URI normalises segments and double-encodes", "[adapters][sigv4]") {
    CHECK(sigv4::canonical_uri("") == "/");
    CHECK(sigv4::canonical_uri("/") == "/");
    CHECK(sigv4::canonical_uri("//") == "/");
    CHECK(sigv4::canonical_uri("/a/./b/../c//d/") == "/a/c/d/");
    CHECK(sigv4::canonical_uri("/..") == "/");
    CHECK(sigv4::canonical_uri("/a b/%41") == "/a%20b/%2541");
    CHECK(sigv4::canonical_uri("/~x-_.y") == "/~x-_.y");
    CHECK(sigv4::canonical_uri("/\xc3\xa4") == "/%C3%A4");
}

TEST_CASE("sigv4 canonical query decodes, re-encodes and sorts", "[adapters][sigv4]") {
    CHECK(sigv4::canonical_query("") == "");
    CHECK(sigv4::canonical_query("b=2&a=1&a=0") == "a=0&a=1&b=2");
    CHECK(sigv4::canonical_query("c") == "c=");
    CHECK(sigv4::canonical_query("x=a+b") == "x=a%20b");
    CHECK(sigv4::canonical_query("x=a%2bb") == "x=a%2Bb");
    CHECK(sigv4::canonical_query("x=a/b~") == "x=a%2Fb~");
    // An escape that is not one stays literal, its '%' encoded.
    CHECK(sigv4::canonical_query("x=%zz&y=%4") == "x=%25zz&y=%254");
    // Sorting is by encoded bytes: uppercase before lowercase.
    CHECK(sigv4::canonical_query("a=1&B=2") == "B=2&a=1");
}

TEST_CASE("sigv4 derives the documented signing key", "[adapters][sigv4]") {
    // docs.aws.amazon.com, "Examples of how to derive a signing key for Signature Version 4".
    const std::string key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                               "20120215", "us-east-1", "iam");
    std::string hex;
    for (unsigned char c : key) {
        static constexpr char d[] = "0123456789abcdef";
        hex += d[c >> 4];
        hex += d[c & 15];
    }
    CHECK(hex == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("sigv4_signer signs the AWS documentation's example request",
          "[adapters][sigv4_signer]") {
    http_request req;
    req.method = "GET";
    req.target = "/?Action=ListUsers&Version=2010-05-08";
    req.headers = {{"Host", "iam.amazonaws.com"},
                   {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    const credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
    const auto sig = sigv4_signer("us-east-1", "iam").sign(req, creds, at("20150830T123600Z"));
    CHECK(sig.authorization ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date, "
          "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    CHECK(*req.headers.find("x-amz-date") == "20150830T123600Z");
    CHECK(req.headers.find("x-amz-security-token") == nullptr);
}

TEST_CASE("sigv4_signer adds the session token and signs it", "[adapters][sigv4_signer]") {
    http_request req;
    req.headers = {{"Host", "dynamodb.eu-west-1.amazonaws.com"}};
    req.body = "{}";
    const auto sig = sigv4_signer("eu-west-1", "dynamodb")
                         .sign(req, {"AKID", "secret", "the-token"}, at("20240101T000000Z"));
    CHECK(*req.headers.find("X-Amz-Security-Token") == "the-token");
    CHECK(sig.signed_headers == "host;x-amz-date;x-amz-security-token");
    CHECK(sig.credential_scope == "20240101/eu-west-1/dynamodb/aws4_request");
}

TEST_CASE("sigv4_signer re-signs a retried request from scratch", "[adapters][sigv4_signer]") {
    const sigv4_signer signer("us-east-1", "dynamodb");
    const credentials creds{"AKID", "secret", ""};
    http_request req;
    req.headers = {{"Host", "h"}};
    const auto first = signer.sign(req, creds, at("20240101T000000Z"));
    const auto second = signer.sign(req, creds, at("20240101T000001Z"));
    CHECK(first.signature != second.signature);
    CHECK(second.signed_headers == "host;x-amz-date");  // the old Authorization is not signed
    CHECK(req.headers.size() == 3);                     // Host, X-Amz-Date, Authorization
}

TEST_CASE("sigv4_signer's key cache follows the secret and the day", "[adapters][sigv4_signer]") {
    // The cache must never sign with a key derived from another secret or another day.
    const sigv4_signer cached("us-east-1", "dynamodb");
    auto sign_fresh = [](const credentials& c, core::time_point t) {
        http_request r;
        r.headers = {{"Host", "h"}};
        return sigv4_signer("us-east-1", "dynamodb").sign(r, c, t).signature;
    };
    auto sign_cached = [&](const credentials& c, core::time_point t) {
        http_request r;
        r.headers = {{"Host", "h"}};
        return cached.sign(r, c, t).signature;
    };
    const credentials a{"AKID", "secret-a", ""}, b{"AKID", "secret-b", ""};
    const auto day1 = at("20240101T235959Z"), day2 = at("20240102T000000Z");
    CHECK(sign_cached(a, day1) == sign_fresh(a, day1));
    CHECK(sign_cached(b, day1) == sign_fresh(b, day1));
    CHECK(sign_cached(b, day2) == sign_fresh(b, day2));
    CHECK(sign_cached(a, day1) == sign_fresh(a, day1));
}

TEST_CASE("sigv4_signer refuses a request without a Host header", "[adapters][sigv4_signer]") {
    http_request req;
    CHECK_THROWS_AS(sigv4_signer("us-east-1", "dynamodb").sign(req, {"a", "b", ""}, {}),
                    std::invalid_argument);
}

// Issue 10: verify_sigv4, the function esser-local's --credentials will call. Every rejection
// returns AWS's error type and message (texts from dynalite's recordings of AWS, see the
// header), in AWS's order of checks.
#include "esser/adapters/aws/sigv4_verifier.hpp"

#include <catch2/catch.hpp>

#include "esser/adapters/aws/sigv4.hpp"
#include "esser/adapters/aws/sigv4_signer.hpp"

using namespace esser::adapters;
namespace core = esser::core;

namespace {

const credentials alice{"AKIDALICE", "alice-secret", ""};
const credentials bob{"ASIABOB", "bob-secret", "bob-session-token"};

std::optional<credentials> lookup(std::string_view key) {
    if (key == alice.access_key_id)
        return alice;
    if (key == bob.access_key_id)
        return bob;
    return std::nullopt;
}

http_request put_item() {
    http_request r;
    r.headers = {{"Host", "localhost:8000"},
                 {"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "DynamoDB_20120810.PutItem"}};
    r.body = R"({"TableName":"events","Item":{"pk":{"S":"a"}}})";
    return r;
}

// 2024-03-01T12:00:00Z (computed without Catch2 macros: this runs before main).
const core::time_point signed_at = core::time_point(
    std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} + std::chrono::hours(12));

http_request signed_put(const credentials& c = alice, const char* region = "us-east-1") {
    http_request r = put_item();
    sigv4_signer(region, "dynamodb").sign(r, c, signed_at);
    return r;
}

aws_error rejection(const http_request& r, core::time_point now = signed_at,
                    const sigv4_verify_options& o = {}) {
    auto v = verify_sigv4(r, lookup, now, o);
    REQUIRE_FALSE(v);
    CHECK(v.error().status == 400);
    return v.error();
}

}  // namespace

TEST_CASE("verify_sigv4 accepts a correctly signed request", "[adapters][sigv4_verifier]") {
    auto v = verify_sigv4(signed_put(), lookup, signed_at + std::chrono::minutes(3));
    REQUIRE(v);
    CHECK(v->access_key_id == "AKIDALICE");
    CHECK(v->region == "us-east-1");
    CHECK(v->signed_at == signed_at);
    auto with_token = verify_sigv4(signed_put(bob, "eu-west-1"), lookup, signed_at);
    REQUIRE(with_token);
    CHECK(with_token->region == "eu-west-1");
}

TEST_CASE("verify_sigv4 asks for an Authorization header", "[adapters][sigv4_verifier]") {
    const auto e = rejection(put_item());
    CHECK(e.type == "MissingAuthenticationTokenException");
    CHECK(e.message == "Request is missing Authentication Token");
    CHECK(e.qualified_type() == "com.amazon.coral.service#MissingAuthenticationTokenException");
    http_request basic = put_item();
    basic.headers.add("Authorization", "Basic dXNlcjpwYXNz");
    CHECK(rejection(basic).type == "MissingAuthenticationTokenException");
}

TEST_CASE("verify_sigv4 lists the missing Authorization parameters", "[adapters][sigv4_verifier]") {
    http_request r = put_item();
    r.headers.add("Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDALICE/20240301/us-east-1/dynamodb/aws4_request");
    const auto e = rejection(r);
    CHECK(e.type == "IncompleteSignatureException");
    CHECK(e.message ==
          "Authorization header requires 'Signature' parameter. Authorization header requires "
          "'SignedHeaders' parameter. Authorization header requires existence of either a "
          "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 "
          "Credential=AKIDALICE/20240301/us-east-1/dynamodb/aws4_request");
}

TEST_CASE("verify_sigv4 rejects a component without an equal sign", "[adapters][sigv4_verifier]") {
    http_request r = put_item();
    r.headers.add("Authorization", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders");
    const auto e = rejection(r);
    CHECK(e.type == "IncompleteSignatureException");
    CHECK(e.message ==
          "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
          "'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.");
}

TEST_CASE("verify_sigv4 rejects a date that is not ISO 8601 basic", "[adapters][sigv4_verifier]") {
    http_request r = signed_put();
    r.headers.set("X-Amz-Date", "201");
    const auto e = rejection(r);
    CHECK(e.type == "IncompleteSignatureException");
    CHECK(e.message ==
          "Date must be in ISO-8601 'basic format'. Got '201'. See "
          "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST_CASE("verify_sigv4 allows 15 minutes of clock skew and no more",
          "[adapters][sigv4_verifier]") {
    using std::chrono::minutes;
    using std::chrono::seconds;
    const auto r = signed_put();
    CHECK(verify_sigv4(r, lookup, signed_at + minutes(15), {}));
    CHECK(verify_sigv4(r, lookup, signed_at - minutes(15), {}));
    const auto late = rejection(r, signed_at + minutes(15) + seconds(1));
    CHECK(late.type == "InvalidSignatureException");
    CHECK(late.message ==
          "Signature expired: 20240301T120000Z is now earlier than 20240301T120001Z "
          "(20240301T121501Z - 15 min.)");
    const auto early = rejection(r, signed_at - minutes(20));
    CHECK(early.type == "InvalidSignatureException");
    CHECK(early.message ==
          "Signature not yet current: 20240301T120000Z is still later than 20240301T115500Z "
          "(20240301T114000Z + 15 min.)");
}

TEST_CASE("verify_sigv4 accepts Alternator's space-separated header far enough to date it",
          "[adapters][sigv4_verifier]") {
    // scylladb test_authorization.py::test_expired_signature, run against AWS: AWS reports the
    // expired date, so it parses space-separated components.
    http_request r = put_item();
    r.headers.add("X-Amz-Date", "20170101T010101Z");
    r.headers.add("Authorization",
                  "AWS4-HMAC-SHA256 Credential=alternator/2/3/4/aws4_request "
                  "SignedHeaders=x-amz-date;host Signature=123");
    const auto e = rejection(r);
    CHECK(e.type == "InvalidSignatureException");
    CHECK(e.message.rfind("Signature expired: 20170101T010101Z", 0) == 0);
}

TEST_CASE("verify_sigv4 requires Host to be signed", "[adapters][sigv4_verifier]") {
    http_request r = signed_put();
    std::string auth = *r.headers.find("authorization");
    auth.replace(auth.find("host;"), 5, "");
    r.headers.set("Authorization", auth);
    const auto e = rejection(r);
    CHECK(e.type == "InvalidSignatureException");
    CHECK(e.message == "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST_CASE("verify_sigv4 names an unsupported algorithm", "[adapters][sigv4_verifier]") {
    http_request r = signed_put();
    std::string auth = *r.headers.find("authorization");
    auth.replace(0, 16, "AWS4-HMAC-SHA25");
    r.headers.set("Authorization", auth);
    const auto e = rejection(r);
    CHECK(e.type == "IncompleteSignatureException");
    CHECK(e.message ==
          "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ");
}

TEST_CASE("verify_sigv4 checks the credential scope", "[adapters][sigv4_verifier]") {
    http_request r = signed_put();
    auto with_credential = [&](const std::string& cred) {
        http_request x = r;
        std::string auth = *x.headers.find("authorization");
        const auto from = auth.find("Credential=") + 11, to = auth.find(',', from);
        auth.replace(from, to - from, cred);
        x.headers.set("Authorization", auth);
        return x;
    };
    const auto four = rejection(with_credential("a/b/c/d"));
    CHECK(four.type == "IncompleteSignatureException");
    CHECK(four.message ==
          "Credential must have exactly 5 slash-delimited elements, e.g. "
          "keyid/date/region/service/term, got 'a/b/c/d'");
    // Trailing slashes are ignored.
    CHECK(verify_sigv4(with_credential("AKIDALICE/20240301/us-east-1/dynamodb/aws4_request//"),
                       lookup, signed_at));
    const auto all = rejection(with_credential("AKIDALICE/b/c!/d/e"));
    CHECK(all.type == "InvalidSignatureException");
    CHECK(all.message ==
          "Credential should be scoped to a valid region, not 'c!'. Credential should be scoped "
          "to correct service: 'dynamodb'. Credential should be scoped with a valid terminator: "
          "'aws4_request', not 'e'. Date in Credential scope does not match YYYYMMDD from "
          "ISO-8601 version of date from HTTP: 'b' != '20240301', from '20240301T120000Z'.");
    sigv4_verify_options eu;
    eu.region = "eu-west-1";
    const auto region = rejection(r, signed_at, eu);
    CHECK(region.message == "Credential should be scoped to a valid region, not 'us-east-1'. ");
}

TEST_CASE("verify_sigv4 does not know an unknown access key", "[adapters][sigv4_verifier]") {
    const auto e = rejection(signed_put({"AKIDMALLORY", "x", ""}));
    CHECK(e.type == "UnrecognizedClientException");
    CHECK(e.message == "The security token included in the request is invalid.");
}

TEST_CASE("verify_sigv4 shows the canonical request when the signature differs",
          "[adapters][sigv4_verifier]") {
    const auto e = rejection(signed_put({"AKIDALICE", "not-alice-secret", ""}));
    CHECK(e.type == "InvalidSignatureException");
    CHECK(e.message ==
          "The request signature we calculated does not match the signature you provided. "
          "Check your AWS Secret Access Key and signing method. Consult the service "
          "documentation for details.\n\nThe Canonical String for this request should have "
          "been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:localhost:8000\n"
          "x-amz-date:20240301T120000Z\nx-amz-target:DynamoDB_20120810.PutItem\n\n"
          "content-type;host;x-amz-date;x-amz-target\n" +
              sigv4::payload_hash(put_item().body) +
              "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240301T120000Z\n"
              "20240301/us-east-1/dynamodb/aws4_request\n" +
              e.message.substr(e.message.size() - 66, 64) + "'\n");
    // A changed body, a changed signed header, a changed signature: all the same error.
    http_request body = signed_put();
    body.body += " ";
    CHECK(rejection(body).type == "InvalidSignatureException");
    http_request header = signed_put();
    header.headers.set("X-Amz-Target", "DynamoDB_20120810.DeleteTable");
    CHECK(rejection(header).type == "InvalidSignatureException");
    http_request sig = signed_put();
    std::string auth = *sig.headers.find("authorization");
    auth.back() = auth.back() == '0' ? '1' : '0';
    sig.headers.set("Authorization", auth);
    CHECK(rejection(sig).type == "InvalidSignatureException");
}

TEST_CASE("verify_sigv4 checks X-Amz-Content-Sha256 against the body",
          "[adapters][sigv4_verifier]") {
    http_request r = put_item();
    r.headers.add("X-Amz-Content-Sha256", sigv4::payload_hash("something else"));
    sigv4_signer("us-east-1", "dynamodb").sign(r, alice, signed_at);
    const auto e = rejection(r);
    CHECK(e.message ==
          "The provided 'x-amz-content-sha256' header does not match what was computed.");
    http_request unsigned_payload = put_item();
    unsigned_payload.headers.add("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
    sigv4_signer("us-east-1", "dynamodb").sign(unsigned_payload, alice, signed_at);
    CHECK(rejection(unsigned_payload).type == "InvalidSignatureException");
    sigv4_verify_options allow;
    allow.allow_unsigned_payload = true;
    CHECK(verify_sigv4(unsigned_payload, lookup, signed_at, allow));
}

TEST_CASE("verify_sigv4 requires the session token issued with the key",
          "[adapters][sigv4_verifier]") {
    const auto wrong = rejection(signed_put({bob.access_key_id, bob.secret_access_key, "forged"}));
    CHECK(wrong.type == "UnrecognizedClientException");
    CHECK(wrong.message == "The security token included in the request is invalid");
    CHECK(rejection(signed_put({bob.access_key_id, bob.secret_access_key, ""})).type ==
          "UnrecognizedClientException");
    CHECK(
        rejection(signed_put({alice.access_key_id, alice.secret_access_key, "unexpected"})).type ==
        "UnrecognizedClientException");
}

TEST_CASE("verify_sigv4 accepts an RFC 1123 Date header instead of X-Amz-Date",
          "[adapters][sigv4_verifier]") {
    http_request r = signed_put();
    // Re-sign by hand with the date carried by Date: the string to sign uses the ISO form.
    r.headers.remove("x-amz-date");
    r.headers.remove("authorization");
    r.headers.add("Date", "Fri, 01 Mar 2024 12:00:00 GMT");
    std::vector<std::string> names{"content-type", "date", "host", "x-amz-target"};
    const auto cr =
        sigv4::canonical_request("POST", "/", "", r.headers, names, sigv4::payload_hash(r.body));
    const auto scope = sigv4::credential_scope("20240301", "us-east-1", "dynamodb");
    const auto sts = sigv4::string_to_sign("20240301T120000Z", scope, cr);
    const auto sig = sigv4::signature(
        sigv4::signing_key(alice.secret_access_key, "20240301", "us-east-1", "dynamodb"), sts);
    r.headers.add("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/" + scope +
                                       ", SignedHeaders=content-type;date;host;x-amz-target, "
                                       "Signature=" +
                                       sig);
    CHECK(verify_sigv4(r, lookup, signed_at));
    r.headers.set("Date", "yesterday");
    CHECK(rejection(r).type == "IncompleteSignatureException");
}

TEST_CASE("verify_sigv4 survives malformed Authorization headers", "[adapters][sigv4_verifier]") {
    // Bad input from the network: every one must produce a typed rejection, none may crash.
    for (const char* auth :
         {"AWS4-", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 ,,,,",
          "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=", "AWS4-HMAC-SHA256 ===",
          "AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;;;, Signature=x",
          "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=00",
          "AWS4-HMAC-SHA256\tCredential=AKIDALICE/20240301/us-east-1/dynamodb/aws4_request,"
          "SignedHeaders=host,Signature=zz"}) {
        INFO(auth);
        http_request r = put_item();
        r.headers.add("X-Amz-Date", "20240301T120000Z");
        r.headers.add("Authorization", auth);
        const auto v = verify_sigv4(r, lookup, signed_at);
        REQUIRE_FALSE(v);
        CHECK((v.error().type == "IncompleteSignatureException" ||
               v.error().type == "InvalidSignatureException"));
    }
}

// Issue 6, spec/dynamodb-api.md §1.1, §1.6, §1.7: the wire helpers of the AWS front.
#include "esser/emulator/http/aws_wire.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;

TEST_CASE("crc32_of matches zlib's CRC-32 and dynalite's constant", "[emulator][http][aws_wire]") {
    CHECK(crc32_of("") == 0u);
    CHECK(crc32_of("123456789") == 0xCBF43926u);  // the standard check value
    CHECK(crc32_of("<UnknownOperationException/>\n") == 3552371480u);
}

TEST_CASE("gunzip decodes single and concatenated members and refuses the rest",
          "[emulator][http][aws_wire]") {
    CHECK(gunzip(gzip("hello"), 100).value() == "hello");
    CHECK(gunzip(gzip("he") + gzip("llo"), 100).value() == "hello");
    CHECK(gunzip(gzip(""), 100).value().empty());
    CHECK(gunzip("", 100).error() == gunzip_error::corrupt);
    CHECK(gunzip("plain text", 100).error() == gunzip_error::corrupt);
    const std::string g = gzip("some longer text to compress, some longer text");
    CHECK(gunzip(g.substr(0, g.size() - 1), 100).error() == gunzip_error::corrupt);
    CHECK(gunzip(g + "x", 100).error() == gunzip_error::corrupt);
    CHECK(gunzip(gzip(std::string(1000, 'a')), 999).error() == gunzip_error::too_large);
    CHECK(gunzip(gzip(std::string(1000, 'a')), 1000).value().size() == 1000);
}

TEST_CASE("parse_sigv4_scope reads the Credential scope and nothing else",
          "[emulator][http][aws_wire]") {
    auto s = parse_sigv4_scope(
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/ap-southeast-2/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc");
    REQUIRE(s);
    CHECK(s->access_key_id == "AKID");
    CHECK(s->date == "20240101");
    CHECK(s->region == "ap-southeast-2");
    CHECK(s->service == "dynamodb");
    // botocore puts no spaces after commas; some clients add several.
    CHECK(parse_sigv4_scope("AWS4-HMAC-SHA256 Credential=a/b/r/s/t,SignedHeaders=h,Signature=x")
              ->region == "r");
    CHECK_FALSE(parse_sigv4_scope("Basic abc"));
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256 Credential=a/b/c/d"));
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256"));
    CHECK_FALSE(parse_sigv4_scope(""));
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256 SignedHeaders=h, Signature=x"));
    // Words are joined before the split (dynalite's reading), six parts or none are refused,
    // and the first Credential decides.
    CHECK(parse_sigv4_scope("AWS4-HMAC-SHA256 Cred ential = a/b/r 2/s/t, Signature=x")->region ==
          "r2");
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f"));
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256 Credential"));
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256 Credential="));
    CHECK_FALSE(parse_sigv4_scope("AWS4-HMAC-SHA256 Credential=a/b, Credential=a/b/r/s/t"));
    CHECK(parse_sigv4_scope("AWS4-HMAC-SHA256 X=1, Credential=k/d/r/s/t")->access_key_id == "k");
}

TEST_CASE("incomplete_signature_message names every missing part as DynamoDB does",
          "[emulator][http][aws_wire]") {
    CHECK(incomplete_signature_message(
              "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=h, Signature=s", true)
              .empty());
    CHECK(incomplete_signature_message("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=h",
                                       true) ==
          "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
          "Credential=a/b/c/d/e, SignedHeaders=h");
}

TEST_CASE("json_nesting_depth counts brackets outside strings", "[emulator][http][aws_wire]") {
    CHECK(json_nesting_depth("{}", 10) == 1);
    CHECK(json_nesting_depth(R"({"a":[{"b":[]}]})", 10) == 4);
    CHECK(json_nesting_depth(R"({"a":"[[[[\"{{{"})", 10) == 1);
    CHECK(json_nesting_depth("42", 10) == 0);
    CHECK(json_nesting_depth(std::string(1000000, '['), 64) == 65);  // stops early
    CHECK(json_nesting_depth("]]]}}}", 10) == 0);
}

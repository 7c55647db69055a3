// Issue 13, SQS: queue names, ARNs and URLs parsed as SQS parses them (bad input included), and
// the MD5 digests clients check.
#include "esser/emulator/sqs/sqs_names.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;

TEST_CASE("queue names follow SQS's rule", "[emulator][sqs][sqs_names][bad_input]") {
    CHECK(valid_queue_name("dlq"));
    CHECK(valid_queue_name("My_Queue-1"));
    CHECK(valid_queue_name(std::string(80, 'a')));
    CHECK(valid_queue_name("q.fifo"));
    CHECK_FALSE(valid_queue_name(""));
    CHECK_FALSE(valid_queue_name(".fifo"));
    CHECK_FALSE(valid_queue_name(std::string(81, 'a')));
    CHECK_FALSE(valid_queue_name("bad name"));
    CHECK_FALSE(valid_queue_name("a/b"));
    CHECK_FALSE(valid_queue_name("q.txt"));
}

TEST_CASE("queue ARNs are parsed and refused when malformed",
          "[emulator][sqs][sqs_names][bad_input]") {
    auto a = parse_queue_arn("arn:aws:sqs:eu-west-1:123:my-q");
    REQUIRE(a);
    CHECK(a->region == "eu-west-1");
    CHECK(a->account == "123");
    CHECK(a->name == "my-q");
    CHECK_FALSE(parse_queue_arn("arn:aws:sqs::1:q"));
    CHECK_FALSE(parse_queue_arn("arn:aws:sqs:us-east-1:1"));
    CHECK_FALSE(parse_queue_arn("arn:aws:sns:us-east-1:1:topic"));
    CHECK_FALSE(parse_queue_arn("arn:aws:sqs:us-east-1:1:bad name"));
    CHECK_FALSE(parse_queue_arn(""));
}

TEST_CASE("queue URLs give their account and name", "[emulator][sqs][sqs_names][bad_input]") {
    auto u = parse_queue_url("http://127.0.0.1:8000/000000000000/dlq");
    REQUIRE(u);
    CHECK(u->account == "000000000000");
    CHECK(u->name == "dlq");
    CHECK(parse_queue_url("https://sqs.us-east-1.amazonaws.com/123456789012/q")->name == "q");
    CHECK(parse_queue_url("/000000000000/q")->name == "q");  // the path of a query request
    CHECK_FALSE(parse_queue_url("http://127.0.0.1:8000/"));
    CHECK_FALSE(parse_queue_url("http://127.0.0.1:8000"));
    CHECK_FALSE(parse_queue_url("http:///000000000000/q"));
    CHECK_FALSE(parse_queue_url("http://h/abc/q"));
    CHECK_FALSE(parse_queue_url("http://h/000000000000/q/extra"));
    CHECK_FALSE(parse_queue_url("http://h/000000000000/"));
    CHECK_FALSE(parse_queue_url("http://h//q"));
    CHECK_FALSE(parse_queue_url("q"));
}

TEST_CASE("MD5 of a body and of message attributes", "[emulator][sqs][sqs_names]") {
    CHECK(md5_hex("hello") == "5d41402abc4b2a76b9719d911017c592");
    CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(md5_of_message_attributes({}).empty());
    // The digest is over the length-prefixed encoding: the same bytes, built by hand here.
    sqs_message_attributes one;
    one["a"] = {"String", "x", ""};
    const std::string encoded = std::string("\0\0\0\1a\0\0\0\6String\1\0\0\0\1x", 21);
    CHECK(md5_of_message_attributes(one) == md5_hex(encoded));
    // Binary values use transport byte 2 and their raw bytes.
    sqs_message_attributes bin;
    bin["b"] = {"Binary", "", std::string("\x00\xff", 2)};
    const std::string bin_encoded = std::string("\0\0\0\1b\0\0\0\6Binary\2\0\0\0\2\x00\xff", 22);
    CHECK(md5_of_message_attributes(bin) == md5_hex(bin_encoded));
    // Sorted by name whatever the insertion order.
    sqs_message_attributes two;
    two["z"] = {"Number", "1", ""};
    two["a"] = {"String", "x", ""};
    sqs_message_attributes two_again;
    two_again["a"] = {"String", "x", ""};
    two_again["z"] = {"Number", "1", ""};
    CHECK(md5_of_message_attributes(two) == md5_of_message_attributes(two_again));
    CHECK(md5_of_message_attributes(two) != md5_of_message_attributes(one));
}

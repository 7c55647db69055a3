// Issue 5 "Event source mappings", filters (spec/streams-and-lambda.md §4.6): the EventBridge
// pattern subset over the Lambda-event record, typed DynamoDB values, the recorded AWS filter
// cases, and invalid patterns refused with AWS's message.
#include "esser/emulator/esm/event_filter.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace esser::emulator;
using nlohmann::json;

namespace {

json record(json new_image, std::string event_name = "INSERT") {
    return {{"eventID", "1"},
            {"eventName", event_name},
            {"eventVersion", "1.1"},
            {"eventSource", "aws:dynamodb"},
            {"awsRegion", "us-east-1"},
            {"dynamodb",
             {{"ApproximateCreationDateTime", 1704067200},
              {"Keys", {{"pk", {{"S", "a"}}}}},
              {"NewImage", std::move(new_image)},
              {"SequenceNumber", "400000000000000000001"},
              {"SizeBytes", 10},
              {"StreamViewType", "NEW_IMAGE"}}},
            {"eventSourceARN", "arn:aws:dynamodb:us-east-1:1:table/T/stream/x"}};
}

bool matches(const char* pattern, const json& r) {
    auto f = event_filter::compile(pattern);
    REQUIRE(f);
    return f->matches(r);
}

}  // namespace

TEST_CASE("patterns need the DynamoDB type descriptor", "[emulator][esm][event_filter]") {
    // AWS-REC: {"k":["v"]} without {"S": ...} does not match.
    const json r = record({{"pk", {{"S", "a"}}}, {"k", {{"S", "v"}}}});
    CHECK(matches(R"({"dynamodb":{"NewImage":{"k":{"S":["v"]}}}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"NewImage":{"k":["v"]}}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"NewImage":{"k":{"S":["V"]}}}})", r));
}

TEST_CASE("operators: OR within a list, AND across keys, prefix, suffix, anything-but, exists",
          "[emulator][esm][event_filter]") {
    const json r =
        record({{"pk", {{"S", "a"}}}, {"region", {{"S", "us-west-2"}}}, {"n", {{"N", "42"}}}});
    CHECK(matches(R"({"eventName":["MODIFY","INSERT"]})", r));
    CHECK_FALSE(matches(R"({"eventName":["MODIFY","REMOVE"]})", r));
    CHECK(matches(R"({"eventName":["INSERT"],"eventSource":["aws:dynamodb"]})", r));
    CHECK_FALSE(matches(R"({"eventName":["INSERT"],"eventSource":["aws:s3"]})", r));
    CHECK(matches(R"({"dynamodb":{"NewImage":{"region":{"S":[{"prefix":"us-"}]}}}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"NewImage":{"region":{"S":[{"prefix":"eu-"}]}}}})", r));
    CHECK(matches(R"({"dynamodb":{"NewImage":{"region":{"S":[{"suffix":"-2"}]}}}})", r));
    // AWS-REC: anything-but "101" matches N "42".
    CHECK(matches(R"({"dynamodb":{"NewImage":{"n":{"N":[{"anything-but":["101"]}]}}}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"NewImage":{"n":{"N":[{"anything-but":"42"}]}}}})", r));
    // AWS-REC: exists false matches a missing key.
    CHECK(matches(R"({"dynamodb":{"NewImage":{"gone":[{"exists":false}]}}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"NewImage":{"gone":[{"exists":true}]}}})", r));
    CHECK(matches(R"({"dynamodb":{"NewImage":{"n":[{"exists":true}]}}})", r) == false);
    CHECK(matches(R"({"dynamodb":{"NewImage":{"n":{"N":[{"exists":true}]}}}})", r));
    // TTL-only pattern (DOC): no userIdentity on user writes.
    CHECK_FALSE(matches(
        R"({"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}})", r));
}

TEST_CASE("numeric conditions match JSON numbers only", "[emulator][esm][event_filter]") {
    const json r = record({{"pk", {{"S", "a"}}}, {"n", {{"N", "101"}}}});
    // AWS-REC numeric_filter: N "101" is a string, so numeric > 100 does not match it.
    CHECK_FALSE(matches(R"({"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",100]}]}}}})", r));
    // AWS-REC date_time_conversion: ApproximateCreationDateTime is a number.
    CHECK(matches(R"({"dynamodb":{"ApproximateCreationDateTime":[{"numeric":[">",0]}]}})", r));
    CHECK(matches(R"({"dynamodb":{"SizeBytes":[{"numeric":[">=",10,"<",11]}]}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"SizeBytes":[{"numeric":["=",11]}]}})", r));
    // Numbers match by text: 10 is not 10.0.
    CHECK(matches(R"({"dynamodb":{"SizeBytes":[10]}})", r));
    CHECK_FALSE(matches(R"({"dynamodb":{"SizeBytes":[10.0]}})", r));
}

TEST_CASE("invalid patterns are refused with AWS's message", "[emulator][esm][event_filter]") {
    for (const char* bad :
         {"", "not json", "[]", "{}", "{\"a\": 1}", "{\"a\": []}", "{\"a\": {}}", "{\"a\": [[1]]}",
          "{\"a\": [{\"nope\": 1}]}", "{\"a\": [{\"prefix\": 1}]}",
          "{\"a\": [{\"numeric\": [\">\"]}]}", "{\"a\": [{\"numeric\": [\">\", 1, \">\", 2]}]}",
          "{\"a\": [{\"exists\": \"yes\"}]}", "{\"a\": [{\"anything-but\": []}]}",
          "{\"a\": [{\"prefix\": \"x\", \"suffix\": \"y\"}]}"}) {
        INFO(bad);
        auto f = event_filter::compile(bad);
        REQUIRE_FALSE(f);
        CHECK(f.error().type == "InvalidParameterValueException");
        CHECK(f.error().message == "Invalid filter pattern definition.");
    }
    // A pathological nesting depth is refused, not a stack overflow.
    std::string deep;
    for (int i = 0; i < 10000; ++i) deep += "{\"a\":";
    deep += "[1]";
    for (int i = 0; i < 10000; ++i) deep += "}";
    CHECK_FALSE(event_filter::compile(deep));
}

TEST_CASE("filter criteria OR their filters; none lets everything pass",
          "[emulator][esm][event_filter]") {
    const json r = record({{"pk", {{"S", "a"}}}}, "MODIFY");
    auto none = filter_criteria::compile({});
    REQUIRE(none);
    CHECK(none->matches(r));
    auto two =
        filter_criteria::compile({R"({"eventName":["INSERT"]})", R"({"eventName":["MODIFY"]})"});
    REQUIRE(two);
    CHECK(two->matches(r));
    auto one = filter_criteria::compile({R"({"eventName":["INSERT"]})"});
    CHECK_FALSE(one->matches(r));
}

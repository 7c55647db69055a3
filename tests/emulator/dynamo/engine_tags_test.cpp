// Issue 12: TagResource / UntagResource / ListTagsOfResource (and Tags on CreateTable),
// DescribeLimits, DescribeEndpoints through dispatch(), with AWS's messages for bad ARNs and
// missing members (dynalite's recorded texts).
#include "emulator/dynamo/engine_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::test;

namespace {

const std::string arn_of_things = "arn:aws:dynamodb:us-east-1:000000000000:table/things";

json tag(const std::string& k, const std::string& v) {
    return {{"Key", k}, {"Value", v}};
}

}  // namespace

TEST_CASE_METHOD(engine_fixture, "tags are set, listed in key order, replaced and removed",
                 "[emulator][dynamo][engine_tags]") {
    ok("CreateTable",
       {{"TableName", "things"},
        {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
        {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"Tags", {tag("team", "core"), tag("env", "dev")}}});
    auto list = [&] { return ok("ListTagsOfResource", {{"ResourceArn", arn_of_things}})["Tags"]; };
    CHECK(list() == json{tag("env", "dev"), tag("team", "core")});
    CHECK(ok("TagResource", {{"ResourceArn", arn_of_things},
                             {"Tags", {tag("env", "prod"), tag("cost", "")}}}) == json::object());
    CHECK(list() == json{tag("cost", ""), tag("env", "prod"), tag("team", "core")});
    CHECK(ok("UntagResource", {{"ResourceArn", arn_of_things}, {"TagKeys", {"team", "absent"}}}) ==
          json::object());
    CHECK(list() == json{tag("cost", ""), tag("env", "prod")});
    // A table created again under the same name starts without tags.
    ok("DeleteTable", {{"TableName", "things"}});
    create_hash_table("things");
    CHECK(list() == json::array());
}

TEST_CASE_METHOD(engine_fixture, "tagging requests with bad ARNs or members get AWS's errors",
                 "[emulator][dynamo][engine_tags]") {
    create_hash_table("things");
    CHECK(validation("TagResource", {{"Tags", {tag("a", "b")}}}) == "Invalid TableArn");
    auto denied = err("TagResource", {{"ResourceArn", "things"}, {"Tags", {tag("a", "b")}}});
    CHECK(denied.type == "AccessDeniedException");
    CHECK(denied.message ==
          "User: arn:aws:iam::000000000000:root is not authorized to perform: "
          "dynamodb:TagResource on resource: things");
    CHECK(validation("TagResource", {{"ResourceArn", arn_of_things}}) ==
          "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member "
          "must not be null");
    CHECK(validation("UntagResource", {{"ResourceArn", arn_of_things}}) ==
          "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
          "Member must not be null");
    const std::string not_table = "arn:aws:dynamodb:us-east-1:000000000000:stream/things/x";
    CHECK(validation("ListTagsOfResource", {{"ResourceArn", not_table}}) ==
          "Invalid TableArn: Invalid ResourceArn provided as input " + not_table);
    CHECK(validation("TagResource", {{"ResourceArn", arn_of_things}, {"Tags", json::array()}}) ==
          "Atleast one Tag needs to be provided as Input.");
    CHECK(
        validation("UntagResource", {{"ResourceArn", arn_of_things}, {"TagKeys", json::array()}}) ==
        "Atleast one Tag Key needs to be provided as Input.");
    const std::string other = "arn:aws:dynamodb:us-east-1:000000000000:table/other";
    auto missing = err("TagResource", {{"ResourceArn", other}, {"Tags", {tag("a", "b")}}});
    CHECK(missing.type == "ResourceNotFoundException");
    CHECK(missing.message == "Requested resource not found: ResourcArn: " + other + " not found");
    missing = err("UntagResource", {{"ResourceArn", other}, {"TagKeys", {"a"}}});
    CHECK(missing.type == "ResourceNotFoundException");
    CHECK(missing.message == "Requested resource not found");
    // Another account's table of the same name is not this one.
    missing = err("ListTagsOfResource",
                  {{"ResourceArn", "arn:aws:dynamodb:us-east-1:111111111111:table/things"}});
    CHECK(missing.type == "ResourceNotFoundException");
    CHECK(ok("ListTagsOfResource", {{"ResourceArn", arn_of_things}})["Tags"] == json::array());
}

TEST_CASE_METHOD(engine_fixture, "DescribeLimits and DescribeEndpoints answer like DynamoDB",
                 "[emulator][dynamo][engine_tags]") {
    CHECK(ok("DescribeLimits", json::object()) == json{{"AccountMaxReadCapacityUnits", 80000},
                                                       {"AccountMaxWriteCapacityUnits", 80000},
                                                       {"TableMaxReadCapacityUnits", 40000},
                                                       {"TableMaxWriteCapacityUnits", 40000}});
    CHECK(ok("DescribeEndpoints", json::object()) ==
          json{{"Endpoints", {{{"Address", "127.0.0.1:8000"}, {"CachePeriodInMinutes", 1440}}}}});
    CHECK(esser::emulator::dynamo_engine::serves("DescribeLimits"));
    CHECK(esser::emulator::dynamo_engine::serves("TagResource"));
}

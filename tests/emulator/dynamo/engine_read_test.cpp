// Issue 3: Scan (spec/dynamodb-api.md §3.5) paging, Limit and LastEvaluatedKey (§7 trap 1),
// segments, Select COUNT, the 1 MB page; Query's request checks that need no expression.
#include <set>

#include "engine_fixture.hpp"

using namespace esser::test;
using namespace esser;

namespace {
void fill(engine_fixture& f, const std::string& table, int partitions, int per_partition) {
    for (int p = 0; p < partitions; ++p) {
        for (int v = 1; v <= per_partition; ++v) {
            f.ok("PutItem", {{"TableName", table}, {"Item", {{"pk", S("p" + std::to_string(p))}, {"v", N(std::to_string(v))}}}});
        }
    }
}
std::string key_of(const json& item) { return item["pk"]["S"].get<std::string>() + "/" + item["v"]["N"].get<std::string>(); }
}  // namespace

TEST_CASE_METHOD(engine_fixture, "Scan pages with Limit and returns every item exactly once", "[emulator][dynamo][engine_read]") {
    create_events_table("events");
    fill(*this, "events", 7, 5);
    std::set<std::string> seen;
    json start;
    int pages = 0;
    for (;;) {
        json r = {{"TableName", "events"}, {"Limit", 4}};
        if (!start.is_null()) r["ExclusiveStartKey"] = start;
        json page = ok("Scan", r);
        ++pages;
        CHECK(page["ScannedCount"] == page["Count"]);
        for (const auto& i : page["Items"]) CHECK(seen.insert(key_of(i)).second);
        if (!page.contains("LastEvaluatedKey")) break;
        start = page["LastEvaluatedKey"];
        CHECK(start.size() == 2);
        REQUIRE(pages < 20);
    }
    CHECK(seen.size() == 35);
    // 35 items in pages of 4: the ninth page has 3 items and no LastEvaluatedKey.
    CHECK(pages == 9);
}

TEST_CASE_METHOD(engine_fixture, "Limit equal to the remaining items still returns a LastEvaluatedKey",
                 "[emulator][dynamo][engine_read]") {
    // dynalite scan "should not return LastEvaluatedKey if Limit is large", checked against AWS.
    create_events_table("events");
    fill(*this, "events", 1, 3);
    json page = ok("Scan", {{"TableName", "events"}, {"Limit", 3}});
    CHECK(page["Count"] == 3);
    REQUIRE(page.contains("LastEvaluatedKey"));
    json next = ok("Scan", {{"TableName", "events"}, {"Limit", 3}, {"ExclusiveStartKey", page["LastEvaluatedKey"]}});
    CHECK(next["Count"] == 0);
    CHECK(next["Items"] == json::array());
    CHECK_FALSE(next.contains("LastEvaluatedKey"));
    CHECK_FALSE(ok("Scan", {{"TableName", "events"}, {"Limit", 4}}).contains("LastEvaluatedKey"));
}

TEST_CASE_METHOD(engine_fixture, "parallel Scan segments partition the table", "[emulator][dynamo][engine_read]") {
    create_events_table("events");
    fill(*this, "events", 40, 2);
    std::set<std::string> seen;
    for (int s = 0; s < 4; ++s) {
        json page = ok("Scan", {{"TableName", "events"}, {"Segment", s}, {"TotalSegments", 4}});
        for (const auto& i : page["Items"]) CHECK(seen.insert(key_of(i)).second);
    }
    CHECK(seen.size() == 80);
    CHECK(validation("Scan", {{"TableName", "events"}, {"Segment", 3}, {"TotalSegments", 2}}) ==
          "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 2");
    CHECK(validation("Scan", {{"TableName", "events"}, {"Segment", 1}}) ==
          "The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
    CHECK(validation("Scan", {{"TableName", "events"}, {"TotalSegments", 2}}) ==
          "The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
}

TEST_CASE_METHOD(engine_fixture, "Scan Select COUNT returns no Items", "[emulator][dynamo][engine_read]") {
    create_events_table("events");
    fill(*this, "events", 2, 2);
    json r = ok("Scan", {{"TableName", "events"}, {"Select", "COUNT"}});
    CHECK_FALSE(r.contains("Items"));
    CHECK(r["Count"] == 4);
    CHECK(r["ScannedCount"] == 4);
    CHECK(validation("Scan", {{"TableName", "events"}, {"Select", "ALL_PROJECTED_ATTRIBUTES"}}) ==
          "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
}

TEST_CASE_METHOD(engine_fixture, "a Scan page stops after about 1 MB", "[emulator][dynamo][engine_read]") {
    create_events_table("events");
    for (int i = 0; i < 30; ++i) {
        ok("PutItem", {{"TableName", "events"}, {"Item", {{"pk", S("p")}, {"v", N(std::to_string(i))}, {"blob", S(std::string(100000, 'x'))}}}});
    }
    json page = ok("Scan", {{"TableName", "events"}});
    // Items of ~100 KB: the page takes items until 1 MiB has been read, then stops.
    CHECK(page["Count"] == 11);
    CHECK(page.contains("LastEvaluatedKey"));
}

TEST_CASE_METHOD(engine_fixture, "ExclusiveStartKey is checked against the schema", "[emulator][dynamo][engine_read]") {
    create_events_table("events");
    CHECK(validation("Scan", {{"TableName", "events"}, {"ExclusiveStartKey", {{"pk", S("a")}}}}) ==
          "The provided starting key is invalid: The provided key element does not match the schema");
    CHECK(validation("Scan", {{"TableName", "events"}, {"ExclusiveStartKey", {{"pk", S("a")}, {"v", S("1")}}}}) ==
          "The provided starting key is invalid: The provided key element does not match the schema");
    CHECK(validation("Scan", {{"TableName", "events"}, {"ExclusiveStartKey", {{"pk", S("a")}, {"v", {{"NULL", false}}}}}}) ==
          "The provided starting key is invalid: One or more parameter values were invalid: Null attribute value types must have the value of true");
    CHECK(validation("Scan", {{"TableName", "events"}, {"ExclusiveStartKey", {{"pk", S("a")}, {"v", N("x")}}}}) ==
          "The parameter cannot be converted to a numeric value: x");
}

TEST_CASE_METHOD(engine_fixture, "Query's own request checks", "[emulator][dynamo][engine_read]") {
    create_events_table("events");
    CHECK(validation("Query", {{"TableName", "events"}}) ==
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    CHECK(validation("Query", {{"TableName", "events"}, {"Limit", 0}, {"KeyConditionExpression", "pk = :p"}}) ==
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    CHECK(validation("Query", {{"TableName", "events"}, {"KeyConditionExpression", "pk = :p"}, {"QueryFilter", {{"x", {{"ComparisonOperator", "NULL"}}}}}}) ==
          "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
          "{QueryFilter} Expression parameters: {KeyConditionExpression}");
    auto e = err("Query", {{"TableName", "events"}, {"ScanIndexForward", 3}, {"KeyConditionExpression", "pk = :p"}});
    CHECK(e.type == "SerializationException");
    CHECK(e.message == "NUMBER_VALUE cannot be converted to Boolean");
}

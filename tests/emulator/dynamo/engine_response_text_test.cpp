// Issue 6 (HTTP front speed): dynamo_engine::dispatch_text writes the reads' items straight from
// their stored encoding into the response text. Its answer must be byte for byte the dump() of
// dispatch()'s answer. engine_fixture::call compares the two on every read of every engine
// test; this file covers what those tests might not: every attribute type, numbers, escapes,
// binary (base64), sets, nested maps and lists, projections, Select COUNT, LastEvaluatedKey,
// Count/ScannedCount and ConsumedCapacity, over all five reads; and response_text itself.
#include <string>

#include "engine_fixture.hpp"
#include "item_codec.hpp"
#include "response_text.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

using namespace esser::test;
using namespace esser;

namespace {

std::string dumped(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// An item with every attribute type, awkward names and strings that need escaping.
json awkward_item(const std::string& pk, int v) {
    std::string controls;
    for (int c = 1; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
    return {
        {"pk", S(pk)},
        {"v", N(std::to_string(v))},
        {"s", S("quote \" backslash \\ slash / tab \t newline \n " + controls + " del \x7f")},
        {"unicode", S("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad")},
        {"empty", S("")},
        {"n_int", N("-42")},
        {"n_big", N("12345678901234567890123456789012345678E+50")},
        {"n_small", N("0.000000000000000000000000000000000000001")},
        {"n_exp", N("1.5E+10")},
        {"n_frac", N("-12.50")},
        {"n_zero", N("-0.0")},
        {"b", {{"B", "AAECAwQF/w=="}}},
        {"b_empty", {{"B", ""}}},
        {"t", {{"BOOL", true}}},
        {"f", {{"BOOL", false}}},
        {"nul", {{"NULL", true}}},
        {"ss", {{"SS", {"b", "a", "\"q\"", "\xc3\xa9"}}}},
        {"ns", {{"NS", {"3", "-1.5", "1E+2", "0.001"}}}},
        {"bs", {{"BS", {"AQ==", "Ag==", "//8="}}}},
        {"m",
         {{"M",
           {{"inner \"name\"", S("x")},
            {"list", {{"L", {S("a"), N("1"), {{"M", json::object()}}, {{"L", json::array()}}}}}},
            {"deep", {{"M", {{"deeper", {{"M", {{"n", N("7")}, {"nul", {{"NULL", true}}}}}}}}}}},
            {"set", {{"NS", {"2", "1"}}}}}}}},
        {"l", {{"L", {{{"BOOL", false}}, {{"B", "AQID"}}, {{"SS", {"z"}}}}}}},
        {"empty_m", {{"M", json::object()}}},
        {"empty_l", {{"L", json::array()}}},
        {"na\xc3\xafve \"name\" \\", S("value")},
        {"g", S("gsi-" + std::to_string(v % 3))},
        {"lsi", N(std::to_string(100 - v))},
    };
}

void create_indexed_table(engine_fixture& f, const std::string& name) {
    f.ok("CreateTable",
         {{"TableName", name},
          {"AttributeDefinitions",
           {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
            {{"AttributeName", "v"}, {"AttributeType", "N"}},
            {{"AttributeName", "g"}, {"AttributeType", "S"}},
            {{"AttributeName", "lsi"}, {"AttributeType", "N"}}}},
          {"KeySchema",
           {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
            {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
          {"LocalSecondaryIndexes",
           {{{"IndexName", "by_lsi"},
             {"KeySchema",
              {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
               {{"AttributeName", "lsi"}, {"KeyType", "RANGE"}}}},
             {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}}},
          {"GlobalSecondaryIndexes",
           {{{"IndexName", "by_g"},
             {"KeySchema", {{{"AttributeName", "g"}, {"KeyType", "HASH"}}}},
             {"Projection", {{"ProjectionType", "INCLUDE"}, {"NonKeyAttributes", {"s", "m"}}}}}}},
          {"BillingMode", "PAY_PER_REQUEST"}});
}

struct filled_fixture : engine_fixture {
    filled_fixture() {
        create_indexed_table(*this, "events");
        create_hash_table("other");
        for (int v = 1; v <= 12; ++v)
            ok("PutItem", {{"TableName", "events"}, {"Item", awkward_item("Item#1", v)}});
        ok("PutItem", {{"TableName", "events"}, {"Item", awkward_item("Item#2", 1)}});
        ok("PutItem",
           {{"TableName", "other"},
            {"Item", {{"pk", S("o\"1")}, {"x", {{"NS", {"1", "2"}}}}, {"b", {{"B", "AA=="}}}}}});
    }

    // The text answer of a read (call() has already compared it with dump()).
    std::string text(std::string_view op, const json& request) {
        ok(op, request);
        auto t = engine->dispatch_text(op, request);
        REQUIRE(t.has_value());
        return *t;
    }
};

}  // namespace

TEST_CASE_METHOD(filled_fixture, "dispatch_text writes a Query's items as dump() does",
                 "[emulator][dynamo][response_text]") {
    const json base = {{"TableName", "events"},
                       {"KeyConditionExpression", "pk = :p"},
                       {"ExpressionAttributeValues", {{":p", S("Item#1")}}}};
    SECTION("all items, both directions, with and without capacity") {
        for (bool forward : {true, false}) {
            for (const char* capacity : {"NONE", "TOTAL", "INDEXES"}) {
                json r = base;
                r["ScanIndexForward"] = forward;
                r["ReturnConsumedCapacity"] = capacity;
                r["ConsistentRead"] = forward;
                const std::string t = text("Query", r);
                CHECK(t.find("\"Count\":12,") != std::string::npos);
                CHECK(t.find("\"ScannedCount\":12") != std::string::npos);
            }
        }
    }
    SECTION("pages with LastEvaluatedKey") {
        json r = base;
        r["Limit"] = 5;
        json page = ok("Query", r);
        REQUIRE(page.contains("LastEvaluatedKey"));
        r["ExclusiveStartKey"] = page["LastEvaluatedKey"];
        ok("Query", r);
    }
    SECTION("Select COUNT, filters and projections") {
        json r = base;
        r["Select"] = "COUNT";
        CHECK(text("Query", r).find("Items") == std::string::npos);
        r = base;
        r["FilterExpression"] = "lsi > :three";
        r["ExpressionAttributeValues"][":three"] = N("3");
        r["Limit"] = 7;
        ok("Query", r);
        r = base;
        r["ProjectionExpression"] = "pk, m.deep, l[1], #n, ss";
        r["ExpressionAttributeNames"] = {{"#n", "na\xc3\xafve \"name\" \\"}};
        ok("Query", r);
        r = base;
        r["KeyConditionExpression"] = "pk = :p AND v BETWEEN :a AND :b";
        r["ExpressionAttributeValues"][":a"] = N("2");
        r["ExpressionAttributeValues"][":b"] = N("4");
        ok("Query", r);
    }
    SECTION("indexes: local keys-only, global include, ALL_ATTRIBUTES of a local index") {
        json r = base;
        r["IndexName"] = "by_lsi";
        r["ReturnConsumedCapacity"] = "INDEXES";
        r["Limit"] = 4;
        json page = ok("Query", r);
        r["ExclusiveStartKey"] = page["LastEvaluatedKey"];
        ok("Query", r);
        r.erase("ExclusiveStartKey");
        r["Select"] = "ALL_ATTRIBUTES";
        ok("Query", r);
        ok("Query", {{"TableName", "events"},
                     {"IndexName", "by_g"},
                     {"KeyConditionExpression", "g = :g"},
                     {"ExpressionAttributeValues", {{":g", S("gsi-1")}}},
                     {"ReturnConsumedCapacity", "INDEXES"}});
    }
    SECTION("no match") {
        json r = base;
        r["ExpressionAttributeValues"][":p"] = S("nobody");
        CHECK(text("Query", r) == R"({"Count":0,"Items":[],"ScannedCount":0})");
    }
}

TEST_CASE_METHOD(
    filled_fixture,
    "dispatch_text writes Scan, GetItem, BatchGetItem and TransactGetItems as dump() does",
    "[emulator][dynamo][response_text]") {
    ok("Scan", {{"TableName", "events"}});
    ok("Scan", {{"TableName", "events"}, {"Limit", 3}, {"ReturnConsumedCapacity", "TOTAL"}});
    ok("Scan", {{"TableName", "events"}, {"Segment", 1}, {"TotalSegments", 3}});
    ok("Scan", {{"TableName", "events"}, {"IndexName", "by_g"}});
    ok("Scan", {{"TableName", "events"}, {"AttributesToGet", {"s", "b", "ns"}}});
    ok("Scan", {{"TableName", "other"}, {"Select", "COUNT"}});

    const json key = {{"pk", S("Item#1")}, {"v", N("3")}};
    for (const char* capacity : {"NONE", "TOTAL", "INDEXES"}) {
        ok("GetItem",
           {{"TableName", "events"}, {"Key", key}, {"ReturnConsumedCapacity", capacity}});
        ok("GetItem", {{"TableName", "events"},
                       {"Key", {{"pk", S("Item#1")}, {"v", N("99")}}},
                       {"ReturnConsumedCapacity", capacity}});
        ok("BatchGetItem",
           {{"RequestItems",
             {{"events",
               {{"Keys",
                 {key, {{"pk", S("Item#2")}, {"v", N("1")}}, {{"pk", S("x")}, {"v", N("1")}}}}}},
              {"other", {{"Keys", {{{"pk", S("o\"1")}}}}, {"ConsistentRead", true}}}}},
            {"ReturnConsumedCapacity", capacity}});
        ok("TransactGetItems",
           {{"TransactItems",
             {{{"Get", {{"TableName", "events"}, {"Key", key}}}},
              {{"Get", {{"TableName", "events"}, {"Key", {{"pk", S("none")}, {"v", N("1")}}}}}},
              {{"Get",
                {{"TableName", "other"},
                 {"Key", {{"pk", S("o\"1")}}},
                 {"ProjectionExpression", "x"}}}}}},
            {"ReturnConsumedCapacity", capacity}});
    }
    ok("GetItem", {{"TableName", "events"},
                   {"Key", key},
                   {"ProjectionExpression", "m.#l[2], unicode"},
                   {"ExpressionAttributeNames", {{"#l", "list"}}}});
    ok("GetItem", {{"TableName", "events"}, {"Key", key}, {"AttributesToGet", {"bs", "t"}}});
    CHECK(text("GetItem", {{"TableName", "other"}, {"Key", {{"pk", S("o\"1")}}}}) ==
          R"({"Item":{"b":{"B":"AA=="},"pk":{"S":"o\"1"},"x":{"NS":["1","2"]}}})");
    CHECK(text("GetItem", {{"TableName", "other"}, {"Key", {{"pk", S("nobody")}}}}) == "{}");
}

TEST_CASE_METHOD(filled_fixture, "dispatch_text answers errors as dispatch() does",
                 "[emulator][dynamo][response_text]") {
    err("Query", {{"TableName", "missing"},
                  {"KeyConditionExpression", "pk = :p"},
                  {"ExpressionAttributeValues", {{":p", S("x")}}}});
    err("GetItem", {{"TableName", "events"}, {"Key", {{"pk", S("x")}}}});
    err("Scan", {{"TableName", "events"}, {"Limit", 0}});
    // Non-read operations through dispatch_text: the dump of their answer, or their error.
    for (const char* op : {"DescribeTable", "ListTagsOfResource"}) {
        const json r = {{"TableName", "events"}};
        auto a = engine->dispatch(op, r);
        auto b = engine->dispatch_text(op, r);
        REQUIRE(a.has_value() == b.has_value());
        if (a)
            CHECK(*b == dumped(*a));
        else
            CHECK(b.error().to_json() == a.error().to_json());
    }
    auto u = engine->dispatch_text("NoSuchOperation", json::object());
    REQUIRE_FALSE(u.has_value());
    CHECK(u.error().type == "UnknownOperationException");
}

TEST_CASE("write_response_text writes what dump() writes", "[emulator][dynamo][response_text]") {
    using emulator::item_form;
    const json item = awkward_item("p", 1);
    const std::string encoded =
        emulator::item_codec::encode(*emulator::attribute_map_from_json(item));
    json doc = {
        {"Items",
         {emulator::response_item(encoded, item_form::deferred),
          emulator::response_item(encoded, item_form::deferred)}},
        {"Count", 2},
        {"Negative", -9223372036854775807LL - 1},
        {"Unsigned", 18446744073709551615ULL},
        {"Float", 0.5},
        {"Floats", {1.0, 1e300, -2.25e-7, 3.0}},
        {"Null", nullptr},
        {"Bools", {true, false}},
        {"Empty", {{"object", json::object()}, {"array", json::array()}, {"string", ""}}},
        {"Invalid UTF-8 \xff", "bad \xc3 byte \xed\xa0\x80 surrogate"},
        {"Other binary", json::binary({1, 2, 3}, 7)},
    };
    json expanded = doc;
    expanded["Items"] = {emulator::item_codec::to_json(encoded),
                         emulator::item_codec::to_json(encoded)};
    std::string out = "prefix:";
    emulator::write_response_text(doc, out);
    CHECK(out == "prefix:" + dumped(expanded));
    std::string alone;
    emulator::write_response_text(emulator::response_item(encoded, item_form::deferred), alone);
    CHECK(alone == dumped(emulator::response_item(encoded, item_form::tree)));
}

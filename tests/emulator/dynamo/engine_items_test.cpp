// Issue 3: PutItem, GetItem, DeleteItem, UpdateItem (spec/dynamodb-api.md §3.3) with AWS's
// validation messages (§2.3, §2.4, §5); bad input leaves the table unchanged.
#include "engine_fixture.hpp"

using namespace esser::test;
using namespace esser;

namespace {
const std::string invalid = "One or more parameter values were invalid: ";
}

TEST_CASE_METHOD(engine_fixture, "PutItem and GetItem round-trip an item with canonical numbers",
                 "[emulator][dynamo][engine_items]") {
    create_events_table("events");
    json item = {
        {"pk", S("Item#1")},
        {"v", N("001")},
        {"data",
         {{"M",
           {{"price", N("12.50")}, {"tags", {{"SS", {"b", "a"}}}}, {"raw", {{"B", "AAE="}}}}}}},
        {"list", {{"L", {S("x"), {{"BOOL", true}}, {{"NULL", true}}}}}}};
    CHECK(ok("PutItem", {{"TableName", "events"}, {"Item", item}}) == json::object());
    json got =
        ok("GetItem", {{"TableName", "events"}, {"Key", {{"pk", S("Item#1")}, {"v", N("1")}}}});
    CHECK(got["Item"]["v"] == N("1"));
    CHECK(got["Item"]["data"]["M"]["price"] == N("12.5"));
    CHECK(got["Item"]["data"]["M"]["tags"] == json{{"SS", {"a", "b"}}});
    CHECK(got["Item"]["data"]["M"]["raw"] == json{{"B", "AAE="}});
    CHECK(got["Item"]["list"] == item["list"]);
    // Numeric keys compare by value: 1.0 is the same key as 1.
    CHECK(ok("GetItem", {{"TableName", "events"}, {"Key", {{"pk", S("Item#1")}, {"v", N("1.0")}}}})
              .contains("Item"));
    CHECK(ok("GetItem", {{"TableName", "events"}, {"Key", {{"pk", S("Item#1")}, {"v", N("2")}}}}) ==
          json::object());
}

TEST_CASE_METHOD(engine_fixture, "PutItem replaces the whole item and returns ALL_OLD",
                 "[emulator][dynamo][engine_items]") {
    create_hash_table("things");
    ok("PutItem", {{"TableName", "things"}, {"Item", {{"pk", S("a")}, {"x", N("1")}}}});
    json r = ok("PutItem", {{"TableName", "things"},
                            {"Item", {{"pk", S("a")}, {"y", S("2")}}},
                            {"ReturnValues", "ALL_OLD"}});
    CHECK(r["Attributes"] == json{{"pk", S("a")}, {"x", N("1")}});
    CHECK(ok("GetItem", {{"TableName", "things"}, {"Key", {{"pk", S("a")}}}})["Item"] ==
          json{{"pk", S("a")}, {"y", S("2")}});
    CHECK(validation(
              "PutItem",
              {{"TableName", "things"}, {"Item", {{"pk", S("a")}}}, {"ReturnValues", "ALL_NEW"}}) ==
          "ReturnValues can only be ALL_OLD or NONE");
}

TEST_CASE_METHOD(engine_fixture, "twelve versions of one aggregate come back in numeric order",
                 "[emulator][dynamo][engine_items]") {
    // DESIGN.md: v is a Number so that 10 sorts after 9 (the seed's string key sorted "10" < "2").
    create_events_table("events");
    for (int v : {12, 3, 10, 1, 11, 2, 9, 4, 8, 5, 7, 6, 100}) {
        ok("PutItem",
           {{"TableName", "events"}, {"Item", {{"pk", S("Item#1")}, {"v", N(std::to_string(v))}}}});
    }
    json items = scan_all("events");
    REQUIRE(items.size() == 13);
    std::vector<std::string> order;
    for (const auto& i : items) order.push_back(i["v"]["N"]);
    CHECK(order == std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
                                            "12", "100"});
}

TEST_CASE_METHOD(engine_fixture, "item key validation messages are AWS's and nothing is written",
                 "[emulator][dynamo][engine_items]") {
    create_events_table("events");
    ok("PutItem", {{"TableName", "events"}, {"Item", {{"pk", S("keep")}, {"v", N("1")}}}});
    const json before = scan_all("events");
    SECTION("missing key attribute") {
        CHECK(validation("PutItem", {{"TableName", "events"}, {"Item", {{"pk", S("a")}}}}) ==
              invalid + "Missing the key v in the item");
    }
    SECTION("wrong key type") {
        CHECK(validation("PutItem",
                         {{"TableName", "events"}, {"Item", {{"pk", N("1")}, {"v", N("1")}}}}) ==
              invalid + "Type mismatch for key pk expected: S actual: N");
    }
    SECTION("empty string key") {
        CHECK(validation("PutItem",
                         {{"TableName", "events"}, {"Item", {{"pk", S("")}, {"v", N("1")}}}}) ==
              "One or more parameter values are not valid. The AttributeValue for a key attribute "
              "cannot contain an empty string value. Key: pk");
        CHECK(validation("GetItem",
                         {{"TableName", "events"}, {"Key", {{"pk", S("")}, {"v", N("1")}}}}) ==
              invalid +
                  "The AttributeValue for a key attribute cannot contain an empty string value. "
                  "Key: pk");
    }
    SECTION("hash key too large") {
        CHECK(
            validation("PutItem", {{"TableName", "events"},
                                   {"Item", {{"pk", S(std::string(2049, 'x'))}, {"v", N("1")}}}}) ==
            invalid + "Size of hashkey has exceeded the maximum size limit of2048 bytes");
        ok("PutItem",
           {{"TableName", "events"}, {"Item", {{"pk", S(std::string(2048, 'x'))}, {"v", N("1")}}}});
        ok("DeleteItem",
           {{"TableName", "events"}, {"Key", {{"pk", S(std::string(2048, 'x'))}, {"v", N("1")}}}});
    }
    SECTION("Key parameter shape") {
        const std::string mismatch = "The provided key element does not match the schema";
        CHECK(validation("GetItem", {{"TableName", "events"}, {"Key", {{"pk", S("a")}}}}) ==
              mismatch);
        CHECK(validation("GetItem", {{"TableName", "events"},
                                     {"Key", {{"pk", S("a")}, {"v", S("1")}}}}) == mismatch);
        CHECK(validation("DeleteItem", {{"TableName", "events"},
                                        {"Key", {{"pk", S("a")}, {"v", N("1")}, {"x", N("1")}}}}) ==
              mismatch);
        CHECK(validation("UpdateItem", {{"TableName", "events"},
                                        {"Key", {{"pk", S("a")}, {"w", N("1")}}}}) == mismatch);
    }
    SECTION("oversize item, before the table lookup") {
        json big = {{"pk", S("a")}, {"v", N("1")}, {"blob", S(std::string(409600, 'x'))}};
        CHECK(validation("PutItem", {{"TableName", "events"}, {"Item", big}}) ==
              "Item size has exceeded the maximum allowed size");
        CHECK(validation("PutItem", {{"TableName", "missing_table"}, {"Item", big}}) ==
              "Item size has exceeded the maximum allowed size");
        // Exactly at the limit is fine: 2 + 1 + 1 + 2 + 4 + (409600 - 10) bytes.
        json exact = {{"pk", S("a")}, {"v", N("1")}, {"blob", S(std::string(409600 - 10, 'x'))}};
        ok("PutItem", {{"TableName", "events"}, {"Item", exact}});
        ok("DeleteItem", {{"TableName", "events"}, {"Key", {{"pk", S("a")}, {"v", N("1")}}}});
    }
    SECTION("unknown table") {
        auto e = err("PutItem", {{"TableName", "nope"}, {"Item", {{"pk", S("a")}}}});
        CHECK(e.type == "ResourceNotFoundException");
        CHECK(e.message == "Requested resource not found");
        CHECK(err("GetItem", {{"TableName", "nope"}, {"Key", {{"pk", S("a")}}}}).message ==
              "Requested resource not found");
    }
    SECTION("invalid values win over a missing table (spec §1.4 step 8)") {
        CHECK(
            validation("PutItem", {{"TableName", "nope"}, {"Item", {{"pk", {{"NULL", false}}}}}}) ==
            invalid + "Null attribute value types must have the value of true");
    }
    SECTION("missing required members") {
        CHECK(validation("PutItem", {{"TableName", "events"}}) ==
              "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
              "Member must not be null");
        CHECK(validation("GetItem", {{"Key", {{"pk", S("a")}}}}) ==
              "1 validation error detected: Value null at 'tableName' failed to satisfy "
              "constraint: Member must not be null");
    }
    SECTION("numbers out of range") {
        CHECK(validation("PutItem", {{"TableName", "events"},
                                     {"Item", {{"pk", S("a")}, {"v", N("1e126")}}}}) ==
              "Number overflow. Attempting to store a number with magnitude larger than supported "
              "range");
    }
    CHECK(scan_all("events") == before);
}

TEST_CASE_METHOD(engine_fixture, "index key types are checked on put",
                 "[emulator][dynamo][engine_items]") {
    ok("CreateTable", {{"TableName", "gsi_table"},
                       {"AttributeDefinitions",
                        {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                         {{"AttributeName", "c"}, {"AttributeType", "S"}}}},
                       {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                       {"BillingMode", "PAY_PER_REQUEST"},
                       {"GlobalSecondaryIndexes",
                        {{{"IndexName", "index1"},
                          {"KeySchema", {{{"AttributeName", "c"}, {"KeyType", "HASH"}}}},
                          {"Projection", {{"ProjectionType", "ALL"}}}}}}});
    CHECK(validation("PutItem",
                     {{"TableName", "gsi_table"}, {"Item", {{"pk", S("a")}, {"c", N("1")}}}}) ==
          invalid + "Type mismatch for Index Key c Expected: S Actual: N IndexName: index1");
    ok("PutItem", {{"TableName", "gsi_table"}, {"Item", {{"pk", S("a")}, {"c", S("x")}}}});
    ok("PutItem", {{"TableName", "gsi_table"}, {"Item", {{"pk", S("b")}}}});  // sparse
    json s = ok("Scan", {{"TableName", "gsi_table"}, {"IndexName", "index1"}});
    CHECK(s["Count"] == 1);
    ok("DeleteItem", {{"TableName", "gsi_table"}, {"Key", {{"pk", S("a")}}}});
    CHECK(ok("Scan", {{"TableName", "gsi_table"}, {"IndexName", "index1"}})["Count"] == 0);
}

TEST_CASE_METHOD(engine_fixture, "DeleteItem returns ALL_OLD and deleting nothing succeeds",
                 "[emulator][dynamo][engine_items]") {
    create_hash_table("things");
    ok("PutItem", {{"TableName", "things"}, {"Item", {{"pk", S("a")}, {"x", N("1")}}}});
    CHECK(ok("DeleteItem", {{"TableName", "things"},
                            {"Key", {{"pk", S("a")}}},
                            {"ReturnValues", "ALL_OLD"}})["Attributes"] ==
          json{{"pk", S("a")}, {"x", N("1")}});
    CHECK(ok("DeleteItem",
             {{"TableName", "things"}, {"Key", {{"pk", S("a")}}}, {"ReturnValues", "ALL_OLD"}}) ==
          json::object());
    CHECK(item_count("things") == 0);
}

TEST_CASE_METHOD(engine_fixture, "UpdateItem without an expression creates a key-only item",
                 "[emulator][dynamo][engine_items]") {
    create_events_table("events");
    json r = ok("UpdateItem", {{"TableName", "events"},
                               {"Key", {{"pk", S("a")}, {"v", N("1")}}},
                               {"ReturnValues", "ALL_NEW"}});
    CHECK(r["Attributes"] == json{{"pk", S("a")}, {"v", N("1")}});
    CHECK(item_count("events") == 1);
}

TEST_CASE_METHOD(engine_fixture, "GetItem AttributesToGet projects top-level attributes",
                 "[emulator][dynamo][engine_items]") {
    create_hash_table("things");
    ok("PutItem",
       {{"TableName", "things"}, {"Item", {{"pk", S("a")}, {"x", N("1")}, {"y", N("2")}}}});
    CHECK(ok("GetItem", {{"TableName", "things"},
                         {"Key", {{"pk", S("a")}}},
                         {"AttributesToGet", {"y", "zz"}}})["Item"] == json{{"y", N("2")}});
    CHECK(validation("GetItem", {{"TableName", "things"},
                                 {"Key", {{"pk", S("a")}}},
                                 {"AttributesToGet", {"y", "y"}}}) ==
          invalid + "Duplicate value in attribute name: y");
    CHECK(validation("GetItem", {{"TableName", "things"},
                                 {"Key", {{"pk", S("a")}}},
                                 {"AttributesToGet", {"y"}},
                                 {"ProjectionExpression", "y"}}) ==
          "Can not use both expression and non-expression parameters in the same request: "
          "Non-expression parameters: "
          "{AttributesToGet} Expression parameters: {ProjectionExpression}");
}

TEST_CASE_METHOD(engine_fixture, "placeholder maps without expressions are refused",
                 "[emulator][dynamo][engine_items]") {
    create_hash_table("things");
    CHECK(validation("PutItem", {{"TableName", "things"},
                                 {"Item", {{"pk", S("a")}}},
                                 {"ExpressionAttributeNames", {{"#a", "x"}}}}) ==
          "ExpressionAttributeNames can only be specified when using expressions");
    CHECK(validation("PutItem", {{"TableName", "things"},
                                 {"Item", {{"pk", S("a")}}},
                                 {"ExpressionAttributeValues", {{":a", S("x")}}}}) ==
          "ExpressionAttributeValues can only be specified when using expressions: "
          "ConditionExpression is null");
    CHECK(validation("UpdateItem", {{"TableName", "things"},
                                    {"Key", {{"pk", S("a")}}},
                                    {"ExpressionAttributeValues", {{":a", S("x")}}}}) ==
          "ExpressionAttributeValues can only be specified when using expressions: "
          "UpdateExpression and ConditionExpression are null");
    CHECK(item_count("things") == 0);
}

TEST_CASE_METHOD(engine_fixture, "every committed change reaches the observer, no-op writes do not",
                 "[emulator][dynamo][engine_items]") {
    recording_observer obs;
    engine->set_observer(&obs);
    create_events_table("events", true);
    ok("PutItem",
       {{"TableName", "events"}, {"Item", {{"pk", S("a")}, {"v", N("1")}, {"x", S("1")}}}});
    ok("PutItem", {{"TableName", "events"},
                   {"Item", {{"pk", S("a")}, {"v", N("1")}, {"x", S("1")}}}});  // same: no change
    ok("PutItem",
       {{"TableName", "events"}, {"Item", {{"pk", S("a")}, {"v", N("1")}, {"x", S("2")}}}});
    ok("DeleteItem", {{"TableName", "events"}, {"Key", {{"pk", S("a")}, {"v", N("1")}}}});
    ok("DeleteItem",
       {{"TableName", "events"}, {"Key", {{"pk", S("a")}, {"v", N("1")}}}});  // nothing to delete
    REQUIRE(obs.changes.size() == 3);
    CHECK(obs.changes[0].table == "events");
    CHECK(obs.changes[0].keys == json{{"pk", S("a")}, {"v", N("1")}});
    CHECK(obs.changes[0].old_image.is_null());
    CHECK(obs.changes[0].new_image["x"] == S("1"));
    CHECK(obs.changes[1].old_image["x"] == S("1"));
    CHECK(obs.changes[1].new_image["x"] == S("2"));
    CHECK(obs.changes[2].new_image.is_null());
    CHECK(obs.changes[2].old_image["x"] == S("2"));
    CHECK_FALSE(obs.changes[2].by_ttl);
    engine->set_observer(nullptr);
}

TEST_CASE_METHOD(engine_fixture, "ReturnConsumedCapacity has AWS's shape",
                 "[emulator][dynamo][engine_items]") {
    create_hash_table("things");
    json r = ok("PutItem", {{"TableName", "things"},
                            {"Item", {{"pk", S("a")}, {"x", S(std::string(1500, 'x'))}}},
                            {"ReturnConsumedCapacity", "TOTAL"}});
    CHECK(r["ConsumedCapacity"] == json{{"TableName", "things"}, {"CapacityUnits", 2.0}});
    r = ok("GetItem", {{"TableName", "things"},
                       {"Key", {{"pk", S("a")}}},
                       {"ReturnConsumedCapacity", "INDEXES"},
                       {"ConsistentRead", true}});
    CHECK(r["ConsumedCapacity"] == json{{"TableName", "things"},
                                        {"CapacityUnits", 1.0},
                                        {"Table", {{"CapacityUnits", 1.0}}}});
    r = ok(
        "GetItem",
        {{"TableName", "things"}, {"Key", {{"pk", S("a")}}}, {"ReturnConsumedCapacity", "NONE"}});
    CHECK_FALSE(r.contains("ConsumedCapacity"));
}

// Issue 12: writes also cost what they write to each index (AWS's GSI/LSI write rules), and
// INDEXES lists it per index.
TEST_CASE_METHOD(engine_fixture, "ReturnConsumedCapacity counts index writes like AWS",
                 "[emulator][dynamo][engine_items]") {
    ok("CreateTable", {{"TableName", "ixt"},
                       {"AttributeDefinitions",
                        {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                         {{"AttributeName", "v"}, {"AttributeType", "N"}},
                         {{"AttributeName", "at"}, {"AttributeType", "S"}},
                         {{"AttributeName", "g"}, {"AttributeType", "S"}}}},
                       {"KeySchema",
                        {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                         {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                       {"LocalSecondaryIndexes",
                        {{{"IndexName", "by_at"},
                          {"KeySchema",
                           {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                            {{"AttributeName", "at"}, {"KeyType", "RANGE"}}}},
                          {"Projection", {{"ProjectionType", "ALL"}}}}}},
                       {"GlobalSecondaryIndexes",
                        {{{"IndexName", "by_g"},
                          {"KeySchema", {{{"AttributeName", "g"}, {"KeyType", "HASH"}}}},
                          {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}}},
                       {"BillingMode", "PAY_PER_REQUEST"}});
    const json key = {{"pk", S("a")}, {"v", N("1")}};
    json item = {{"pk", S("a")},
                 {"v", N("1")},
                 {"at", S("x")},
                 {"g", S("1")},
                 {"big", S(std::string(1500, 'b'))}};
    auto capacity = [](const json& table, const json& lsi, const json& gsi) {
        double total = table.get<double>();
        json c = {{"TableName", "ixt"}, {"Table", {{"CapacityUnits", table}}}};
        if (!lsi.is_null()) {
            c["LocalSecondaryIndexes"] = {{"by_at", {{"CapacityUnits", lsi}}}};
            total += lsi.get<double>();
        }
        if (!gsi.is_null()) {
            c["GlobalSecondaryIndexes"] = {{"by_g", {{"CapacityUnits", gsi}}}};
            total += gsi.get<double>();
        }
        c["CapacityUnits"] = total;
        return c;
    };
    // A new item enters both indexes: 2 KB in the ALL index, keys only in the other.
    json r = ok("PutItem",
                {{"TableName", "ixt"}, {"Item", item}, {"ReturnConsumedCapacity", "INDEXES"}});
    CHECK(r["ConsumedCapacity"] == capacity(2.0, 2.0, 1.0));
    // Only a non-key attribute changes: the KEYS_ONLY index is not written.
    item["big"] = S(std::string(1500, 'c'));
    r = ok("PutItem",
           {{"TableName", "ixt"}, {"Item", item}, {"ReturnConsumedCapacity", "INDEXES"}});
    CHECK(r["ConsumedCapacity"] == capacity(2.0, 2.0, nullptr));
    // The GSI key changes: delete + put there.
    r = ok("UpdateItem", {{"TableName", "ixt"},
                          {"Key", key},
                          {"UpdateExpression", "SET g = :g"},
                          {"ExpressionAttributeValues", {{":g", S("2")}}},
                          {"ReturnConsumedCapacity", "INDEXES"}});
    CHECK(r["ConsumedCapacity"] == capacity(2.0, 2.0, 2.0));
    // Removing the GSI key takes the item out of that index only.
    r = ok("UpdateItem", {{"TableName", "ixt"},
                          {"Key", key},
                          {"UpdateExpression", "REMOVE g"},
                          {"ReturnConsumedCapacity", "TOTAL"}});
    CHECK(r["ConsumedCapacity"] == json{{"TableName", "ixt"}, {"CapacityUnits", 5.0}});
    r = ok("DeleteItem",
           {{"TableName", "ixt"}, {"Key", key}, {"ReturnConsumedCapacity", "INDEXES"}});
    CHECK(r["ConsumedCapacity"] == capacity(2.0, 2.0, nullptr));
    // BatchWriteItem counts the same way, per table.
    item["g"] = S("3");
    r = ok("BatchWriteItem", {{"RequestItems", {{"ixt", {{{"PutRequest", {{"Item", item}}}}}}}},
                              {"ReturnConsumedCapacity", "INDEXES"}});
    CHECK(r["ConsumedCapacity"] == json{capacity(2.0, 2.0, 1.0)});
    // A transaction pays twice, on the indexes too.
    item["pk"] = S("b");
    r = ok("TransactWriteItems",
           {{"TransactItems", {{{"Put", {{"TableName", "ixt"}, {"Item", item}}}}}},
            {"ReturnConsumedCapacity", "INDEXES"}});
    CHECK(r["ConsumedCapacity"] == json{capacity(4.0, 4.0, 2.0)});
}

TEST_CASE_METHOD(engine_fixture, "item counts and sizes are kept exactly",
                 "[emulator][dynamo][engine_items]") {
    create_hash_table("things");
    ok("PutItem",
       {{"TableName", "things"}, {"Item", {{"pk", S("ab")}, {"n", N("12345")}}}});  // 2+2 + 1+4
    ok("PutItem", {{"TableName", "things"}, {"Item", {{"pk", S("cd")}}}});          // 2+2
    json t = ok("DescribeTable", {{"TableName", "things"}})["Table"];
    CHECK(t["ItemCount"] == 2);
    CHECK(t["TableSizeBytes"] == 13);
    ok("PutItem", {{"TableName", "things"}, {"Item", {{"pk", S("ab")}}}});
    t = ok("DescribeTable", {{"TableName", "things"}})["Table"];
    CHECK(t["ItemCount"] == 2);
    CHECK(t["TableSizeBytes"] == 8);
}

TEST_CASE_METHOD(
    engine_fixture,
    "attribute names: 65,535 bytes accepted, 65,536 refused at any depth and via #names",
    "[emulator][dynamo][engine_items]") {
    // Issue 12 (attribute-name lengths): AWS's naming rules allow names up to 64 KB, measured as
    // 65,535 bytes; longer names are refused with one message wherever they appear.
    create_hash_table("names");
    const std::string longest(65535, 'n'), too_long(65536, 'n');
    const std::string message =
        "1 validation error detected: Attribute name is too large, must be less than 65536 bytes";
    ok("PutItem",
       {{"TableName", "names"},
        {"Item", {{"pk", S("ok")}, {longest, S("top")}, {"m", {{"M", {{longest, S("in")}}}}}}}});
    const json got = ok("GetItem", {{"TableName", "names"}, {"Key", {{"pk", S("ok")}}}});
    CHECK(got["Item"][longest] == S("top"));
    CHECK(got["Item"]["m"]["M"][longest] == S("in"));

    const json before = scan_all("names");
    CHECK(validation("PutItem", {{"TableName", "names"},
                                 {"Item", {{"pk", S("a")}, {too_long, S("x")}}}}) == message);
    CHECK(validation(
              "PutItem",
              {{"TableName", "names"},
               {"Item", {{"pk", S("a")}, {"l", {{"L", {{{"M", {{too_long, S("deep")}}}}}}}}}}}) ==
          message);
    CHECK(validation("UpdateItem", {{"TableName", "names"},
                                    {"Key", {{"pk", S("a")}}},
                                    {"UpdateExpression", "SET #n = :v"},
                                    {"ExpressionAttributeNames", {{"#n", too_long}}},
                                    {"ExpressionAttributeValues", {{":v", S("x")}}}}) == message);
    CHECK(validation("UpdateItem", {{"TableName", "names"},
                                    {"Key", {{"pk", S("a")}}},
                                    {"UpdateExpression", "SET doc = :v"},
                                    {"ExpressionAttributeValues",
                                     {{":v", {{"M", {{too_long, S("x")}}}}}}}}) == message);
    CHECK(
        validation("BatchWriteItem",
                   {{"RequestItems",
                     {{"names",
                       {{{"PutRequest", {{"Item", {{"pk", S("b")}, {too_long, S("x")}}}}}}}}}}}) ==
        message);
    CHECK(scan_all("names") == before);  // nothing refused was written
}

// Issue 3: table operations (spec/dynamodb-api.md §3.1, §3.2, TTL), their validation messages
// and the observer's stream lifecycle calls.
#include "engine_fixture.hpp"

using namespace esser::test;
using namespace esser;

namespace {
json events_table_request(const std::string& name) {
    return {{"TableName", name},
            {"AttributeDefinitions",
             {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
              {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
            {"KeySchema",
             {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
              {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
            {"ProvisionedThroughput", {{"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}}}};
}

const std::string invalid = "One or more parameter values were invalid: ";
}  // namespace

TEST_CASE_METHOD(engine_fixture,
                 "CreateTable returns AWS's TableDescription and DescribeTable shows ACTIVE",
                 "[emulator][dynamo][engine_tables]") {
    json d = ok("CreateTable", events_table_request("events"))["TableDescription"];
    CHECK(d["TableStatus"] == "CREATING");
    CHECK(d["TableName"] == "events");
    CHECK(d["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/events");
    CHECK(d["TableId"].get<std::string>().size() == 36);
    CHECK(d["CreationDateTime"].get<double>() == Approx(1704067200.0));
    CHECK(d["ProvisionedThroughput"] ==
          json{{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}});
    CHECK(d["ItemCount"] == 0);
    CHECK(d["TableSizeBytes"] == 0);
    CHECK_FALSE(d.contains("BillingModeSummary"));
    CHECK(d["KeySchema"][1] == json{{"AttributeName", "v"}, {"KeyType", "RANGE"}});
    json t = ok("DescribeTable", {{"TableName", "events"}})["Table"];
    CHECK(t["TableStatus"] == "ACTIVE");
    CHECK(t["TableId"] == d["TableId"]);
}

TEST_CASE_METHOD(engine_fixture, "on-demand tables always carry BillingModeSummary",
                 "[emulator][dynamo][engine_tables]") {
    // spec §7 trap 13: code reading BillingModeSummary breaks on null.
    create_hash_table("ondemand");
    json t = ok("DescribeTable", {{"TableName", "ondemand"}})["Table"];
    CHECK(t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST");
    CHECK(t["BillingModeSummary"].contains("LastUpdateToPayPerRequestDateTime"));
    CHECK(t["ProvisionedThroughput"]["ReadCapacityUnits"] == 0);
}

TEST_CASE_METHOD(engine_fixture, "CreateTable validation messages are AWS's",
                 "[emulator][dynamo][engine_tables]") {
    auto base = events_table_request("tt1");
    SECTION("existing table") {
        ok("CreateTable", base);
        auto e = err("CreateTable", base);
        CHECK(e.type == "ResourceInUseException");
        CHECK(e.message == "Table already exists: tt1");
    }
    SECTION("missing TableName") {
        base.erase("TableName");
        CHECK(validation("CreateTable", base) ==
              "The parameter 'TableName' is required but was not present in the request");
    }
    SECTION("short TableName") {
        base["TableName"] = "ab";
        CHECK(validation("CreateTable", base) ==
              "TableName must be at least 3 characters long and at most 255 characters long");
    }
    SECTION("bad TableName characters and several problems at once") {
        base["TableName"] = "a b";
        base["KeySchema"][0]["KeyType"] = "SIDEWAYS";
        CHECK(validation("CreateTable", base) ==
              "2 validation errors detected: Value 'a b' at 'tableName' failed to satisfy "
              "constraint: Member must "
              "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'SIDEWAYS' at "
              "'keySchema.1.member.keyType' "
              "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]");
    }
    SECTION("provisioned without throughput") {
        base.erase("ProvisionedThroughput");
        CHECK(validation("CreateTable", base) ==
              invalid +
                  "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                  "BillingMode is PROVISIONED");
    }
    SECTION("on demand with throughput") {
        base["BillingMode"] = "PAY_PER_REQUEST";
        CHECK(validation("CreateTable", base) ==
              invalid +
                  "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                  "BillingMode is PAY_PER_REQUEST");
    }
    SECTION("undefined key attribute") {
        base["AttributeDefinitions"] = {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                        {{"AttributeName", "w"}, {"AttributeType", "N"}}};
        CHECK(validation("CreateTable", base) ==
              invalid +
                  "Some index key attributes are not defined in AttributeDefinitions. Keys: [pk, "
                  "v], AttributeDefinitions: [pk, w]");
    }
    SECTION("unused definition") {
        base["AttributeDefinitions"].push_back({{"AttributeName", "x"}, {"AttributeType", "S"}});
        CHECK(validation("CreateTable", base) ==
              invalid +
                  "Number of attributes in KeySchema does not exactly match number of attributes "
                  "defined in AttributeDefinitions");
    }
    SECTION("first key not HASH") {
        base["KeySchema"] = {{{"AttributeName", "v"}, {"KeyType", "RANGE"}},
                             {{"AttributeName", "pk"}, {"KeyType", "HASH"}}};
        CHECK(validation("CreateTable", base) ==
              "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    }
    SECTION("same name twice") {
        base["KeySchema"] = {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                             {{"AttributeName", "pk"}, {"KeyType", "RANGE"}}};
        base["AttributeDefinitions"] = {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                        {{"AttributeName", "pk"}, {"AttributeType", "S"}}};
        CHECK(validation("CreateTable", base) ==
              "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    SECTION("attribute names of key attributes: 255 characters at most") {
        // Spec §3.1 (AttributeDefinitions/KeySchema members: AttributeName 1..255, as dynalite's
        // createTable validations): 255 is accepted, 256 refused in both lists.
        const std::string longest(255, 'k');
        auto ok_request = base;
        ok_request["AttributeDefinitions"][1]["AttributeName"] = longest;
        ok_request["KeySchema"][1]["AttributeName"] = longest;
        CHECK(ok("CreateTable", ok_request)["TableDescription"]["KeySchema"][1]["AttributeName"] ==
              longest);
        const std::string too_long(256, 'k');
        base["TableName"] = "tt2";
        base["AttributeDefinitions"][1]["AttributeName"] = too_long;
        base["KeySchema"][1]["AttributeName"] = too_long;
        const std::string m = validation("CreateTable", base);
        CHECK(m.rfind("2 validation errors detected: ", 0) == 0);
        for (const char* at :
             {"attributeDefinitions.2.member.attributeName", "keySchema.2.member.attributeName"})
            CHECK(m.find("Value '" + too_long + "' at '" + at +
                         "' failed to satisfy constraint: Member must have length less than or "
                         "equal to 255") != std::string::npos);
    }
    SECTION("JSON type errors are SerializationExceptions") {
        base["TableName"] = 5;
        auto e = err("CreateTable", base);
        CHECK(e.type == "SerializationException");
        CHECK(e.message == "NUMBER_VALUE cannot be converted to String");
    }
    // A refused request creates nothing (the first section created tt1 on purpose).
    const json names = ok("ListTables", json::object())["TableNames"];
    CHECK((names == json::array() || names == json{"tt1"}));
}

TEST_CASE_METHOD(engine_fixture, "CreateTable with indexes describes them with ARNs",
                 "[emulator][dynamo][engine_tables]") {
    json r = events_table_request("idx");
    r["AttributeDefinitions"].push_back({{"AttributeName", "type"}, {"AttributeType", "S"}});
    r["AttributeDefinitions"].push_back({{"AttributeName", "at"}, {"AttributeType", "S"}});
    r["LocalSecondaryIndexes"] = {{{"IndexName", "by_at"},
                                   {"KeySchema",
                                    {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                     {{"AttributeName", "at"}, {"KeyType", "RANGE"}}}},
                                   {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}};
    r["GlobalSecondaryIndexes"] = {
        {{"IndexName", "by_type"},
         {"KeySchema", {{{"AttributeName", "type"}, {"KeyType", "HASH"}}}},
         {"Projection", {{"ProjectionType", "INCLUDE"}, {"NonKeyAttributes", {"data"}}}},
         {"ProvisionedThroughput", {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}}}}};
    json d = ok("CreateTable", r)["TableDescription"];
    CHECK(d["LocalSecondaryIndexes"][0]["IndexArn"] ==
          "arn:aws:dynamodb:us-east-1:000000000000:table/idx/index/by_at");
    CHECK(d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING");
    CHECK(d["GlobalSecondaryIndexes"][0]["Projection"]["NonKeyAttributes"] == json{"data"});
    SECTION("LSI with another hash key") {
        r["TableName"] = "idx2";
        r["LocalSecondaryIndexes"][0]["KeySchema"][0]["AttributeName"] = "type";
        CHECK(validation("CreateTable", r) ==
              invalid +
                  "Index KeySchema does not have the same leading hash key as table KeySchema for "
                  "index: by_at. index hash key: type, table hash key: pk");
    }
    SECTION("NonKeyAttributes without INCLUDE") {
        r["TableName"] = "idx3";
        r["GlobalSecondaryIndexes"][0]["Projection"]["ProjectionType"] = "ALL";
        CHECK(validation("CreateTable", r) ==
              invalid + "ProjectionType is ALL, but NonKeyAttributes is specified");
    }
}

TEST_CASE_METHOD(engine_fixture, "DescribeTable and DeleteTable on a missing table name the table",
                 "[emulator][dynamo][engine_tables]") {
    for (const char* op : {"DescribeTable", "DeleteTable", "UpdateTable", "DescribeTimeToLive"}) {
        json r = {{"TableName", "nope"}};
        if (std::string(op) == "UpdateTable")
            r["BillingMode"] = "PAY_PER_REQUEST";
        auto e = err(op, r);
        CHECK(e.type == "ResourceNotFoundException");
        CHECK(e.message == "Requested resource not found: Table: nope not found");
    }
}

TEST_CASE_METHOD(engine_fixture, "a table is CREATING until the activation delay passes",
                 "[emulator][dynamo][engine_tables]") {
    emulator::dynamo_engine::options o;
    o.clock = clock;
    o.ids = ids;
    o.status_transition_delay = std::chrono::milliseconds(500);
    engine = std::make_shared<emulator::dynamo_engine>(o);
    create_hash_table("slow");
    CHECK(ok("DescribeTable", {{"TableName", "slow"}})["Table"]["TableStatus"] == "CREATING");
    auto e = err("PutItem", {{"TableName", "slow"}, {"Item", {{"pk", S("a")}}}});
    CHECK(e.type == "ResourceNotFoundException");
    CHECK(e.message == "Requested resource not found");
    e = err("DeleteTable", {{"TableName", "slow"}});
    CHECK(e.type == "ResourceInUseException");
    CHECK(e.message ==
          "Attempt to change a resource which is still in use: Table is being created: slow");
    clock->advance(std::chrono::milliseconds(500));
    CHECK(ok("DescribeTable", {{"TableName", "slow"}})["Table"]["TableStatus"] == "ACTIVE");
    ok("PutItem", {{"TableName", "slow"}, {"Item", {{"pk", S("a")}}}});
}

// Issue 12: status transitions with a configurable delay (spec §3.1-3.2). UpdateTable makes the
// table UPDATING (usable, not changeable) and a new GSI CREATING with Backfilling (not readable);
// DeleteTable leaves the table DELETING (described and listed, not usable, name not reusable).
TEST_CASE_METHOD(engine_fixture, "UPDATING, backfilling and DELETING last the status delay",
                 "[emulator][dynamo][engine_tables]") {
    emulator::dynamo_engine::options o;
    o.clock = clock;
    o.ids = ids;
    o.status_transition_delay = std::chrono::seconds(2);
    engine = std::make_shared<emulator::dynamo_engine>(o);
    create_events_table("tbl");
    clock->advance(std::chrono::seconds(2));
    ok("PutItem", {{"TableName", "tbl"}, {"Item", {{"pk", S("a")}, {"v", N("1")}, {"k", S("x")}}}});

    json d = ok("UpdateTable",
                {{"TableName", "tbl"},
                 {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "S"}}}},
                 {"GlobalSecondaryIndexUpdates",
                  {{{"Create",
                     {{"IndexName", "by_k"},
                      {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
                      {"Projection", {{"ProjectionType", "ALL"}}}}}}}}})["TableDescription"];
    CHECK(d["TableStatus"] == "UPDATING");
    CHECK(d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING");
    CHECK(d["GlobalSecondaryIndexes"][0]["Backfilling"] == true);
    CHECK(validation("Query", {{"TableName", "tbl"},
                               {"IndexName", "by_k"},
                               {"KeyConditionExpression", "k = :k"},
                               {"ExpressionAttributeValues", {{":k", S("x")}}}}) ==
          "Cannot read from backfilling global secondary index: by_k");
    CHECK(validation("Scan", {{"TableName", "tbl"}, {"IndexName", "by_k"}}) ==
          "Cannot read from backfilling global secondary index: by_k");
    // The table stays usable while UPDATING, but not changeable.
    ok("PutItem", {{"TableName", "tbl"}, {"Item", {{"pk", S("b")}, {"v", N("1")}, {"k", S("x")}}}});
    auto e = err("UpdateTable", {{"TableName", "tbl"}, {"BillingMode", "PAY_PER_REQUEST"}});
    CHECK(e.type == "ResourceInUseException");
    CHECK(e.message ==
          "Attempt to change a resource which is still in use: Table is being updated: tbl");

    clock->advance(std::chrono::seconds(2));
    d = ok("DescribeTable", {{"TableName", "tbl"}})["Table"];
    CHECK(d["TableStatus"] == "ACTIVE");
    CHECK(d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE");
    CHECK_FALSE(d["GlobalSecondaryIndexes"][0].contains("Backfilling"));
    CHECK(ok("Scan", {{"TableName", "tbl"}, {"IndexName", "by_k"}})["Count"] == 2);

    create_hash_table("two");
    ok("DeleteTable", {{"TableName", "tbl"}});
    CHECK(ok("DescribeTable", {{"TableName", "tbl"}})["Table"]["TableStatus"] == "DELETING");
    CHECK(ok("ListTables", json::object())["TableNames"] == json{"tbl", "two"});
    CHECK(ok("ListTables", {{"Limit", 1}})["LastEvaluatedTableName"] == "tbl");
    e = err("PutItem", {{"TableName", "tbl"}, {"Item", {{"pk", S("c")}, {"v", N("1")}}}});
    CHECK(e.type == "ResourceNotFoundException");
    for (const char* op : {"DeleteTable", "CreateTable"}) {
        e = err(op, {{"TableName", "tbl"},
                     {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
                     {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                     {"BillingMode", "PAY_PER_REQUEST"}});
        CHECK(e.type == "ResourceInUseException");
        CHECK(e.message ==
              "Attempt to change a resource which is still in use: Table is being deleted: tbl");
    }

    clock->advance(std::chrono::seconds(2));
    CHECK(err("DescribeTable", {{"TableName", "tbl"}}).type == "ResourceNotFoundException");
    CHECK(ok("ListTables", json::object())["TableNames"] == json{"two"});
    create_hash_table("tbl");  // the name is free again
    clock->advance(std::chrono::seconds(2));
    CHECK(scan_all("tbl").empty());
}

TEST_CASE_METHOD(engine_fixture, "ListTables pages in name order",
                 "[emulator][dynamo][engine_tables]") {
    for (const char* n : {"ccc", "aaa", "bbb", "ddd"}) create_hash_table(n);
    json p1 = ok("ListTables", {{"Limit", 2}});
    CHECK(p1["TableNames"] == json{"aaa", "bbb"});
    CHECK(p1["LastEvaluatedTableName"] == "bbb");
    json p2 = ok("ListTables", {{"Limit", 2}, {"ExclusiveStartTableName", "bbb"}});
    CHECK(p2["TableNames"] == json{"ccc", "ddd"});
    CHECK_FALSE(p2.contains("LastEvaluatedTableName"));
    CHECK(ok("ListTables", json::object())["TableNames"].size() == 4);
    CHECK(validation("ListTables", {{"Limit", 0}}) ==
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
          "must have value greater than or equal to 1");
}

TEST_CASE_METHOD(engine_fixture, "DeleteTable says DELETING and the table is gone",
                 "[emulator][dynamo][engine_tables]") {
    create_hash_table("gone");
    ok("PutItem", {{"TableName", "gone"}, {"Item", {{"pk", S("a")}}}});
    json d = ok("DeleteTable", {{"TableName", "gone"}})["TableDescription"];
    CHECK(d["TableStatus"] == "DELETING");
    CHECK(d["ItemCount"] == 1);
    CHECK(err("DescribeTable", {{"TableName", "gone"}}).type == "ResourceNotFoundException");
    // A new table of the same name starts empty.
    create_hash_table("gone");
    CHECK(scan_all("gone").empty());
}

TEST_CASE_METHOD(engine_fixture, "UpdateTable turns streams on and off through the observer",
                 "[emulator][dynamo][engine_tables]") {
    recording_observer obs;
    engine->set_observer(&obs);
    create_events_table("evt");
    CHECK(validation("UpdateTable", {{"TableName", "evt"}}) ==
          "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
          "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
    CHECK(validation("UpdateTable",
                     {{"TableName", "evt"}, {"StreamSpecification", {{"StreamEnabled", false}}}}) ==
          "Table has no stream to disable: TableName: evt");
    json d = ok("UpdateTable",
                {{"TableName", "evt"},
                 {"StreamSpecification",
                  {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}}}})["TableDescription"];
    CHECK(d["StreamSpecification"] ==
          json{{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}});
    CHECK(d["LatestStreamArn"].get<std::string>().rfind(
              d["TableArn"].get<std::string>() + "/stream/", 0) == 0);
    CHECK(d["LatestStreamLabel"] == "2024-01-01T00:00:00.000");
    CHECK(obs.enabled == std::vector<std::string>{"evt"});
    CHECK(
        validation("UpdateTable", {{"TableName", "evt"},
                                   {"StreamSpecification",
                                    {{"StreamEnabled", true}, {"StreamViewType", "KEYS_ONLY"}}}}) ==
        "Table already has an enabled stream: TableName: evt");
    ok("UpdateTable", {{"TableName", "evt"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
    CHECK(obs.disabled == std::vector<std::string>{"evt"});
    json after = ok("DescribeTable", {{"TableName", "evt"}})["Table"];
    CHECK_FALSE(after.contains("StreamSpecification"));
    CHECK(after.contains("LatestStreamArn"));  // the old stream stays readable
    engine->set_observer(nullptr);
}

TEST_CASE_METHOD(engine_fixture, "without an observer a stream is described but no ARN is claimed",
                 "[emulator][dynamo][engine_tables]") {
    create_events_table("evt", true);
    json t = ok("DescribeTable", {{"TableName", "evt"}})["Table"];
    CHECK(t["StreamSpecification"]["StreamEnabled"] == true);
    CHECK_FALSE(t.contains("LatestStreamArn"));
    // Attaching an observer later announces the table's stream.
    recording_observer obs;
    engine->set_observer(&obs);
    CHECK(obs.enabled == std::vector<std::string>{"evt"});
    CHECK(ok("DescribeTable", {{"TableName", "evt"}})["Table"].contains("LatestStreamArn"));
    engine->set_observer(nullptr);
}

TEST_CASE_METHOD(engine_fixture, "UpdateTable changes billing and throughput with AWS's checks",
                 "[emulator][dynamo][engine_tables]") {
    ok("CreateTable", events_table_request("ptt"));
    CHECK(validation("UpdateTable", {{"TableName", "ptt"},
                                     {"ProvisionedThroughput",
                                      {{"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}}}}) ==
          "The provisioned throughput for the table will not change. The requested value equals "
          "the current value. Current "
          "ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current "
          "WriteCapacityUnits provisioned "
          "for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB "
          "Developer Guide for current limits and "
          "how to request higher limits.");
    json d = ok("UpdateTable",
                {{"TableName", "ptt"},
                 {"ProvisionedThroughput",
                  {{"ReadCapacityUnits", 7}, {"WriteCapacityUnits", 5}}}})["TableDescription"];
    CHECK(d["ProvisionedThroughput"]["ReadCapacityUnits"] == 7);
    d = ok("UpdateTable",
           {{"TableName", "ptt"}, {"BillingMode", "PAY_PER_REQUEST"}})["TableDescription"];
    CHECK(d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST");
    CHECK(validation("UpdateTable", {{"TableName", "ptt"},
                                     {"ProvisionedThroughput",
                                      {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}}}}) ==
          invalid +
              "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
              "is PAY_PER_REQUEST");
}

TEST_CASE_METHOD(engine_fixture, "UpdateTable creates a global secondary index from existing items",
                 "[emulator][dynamo][engine_tables]") {
    create_events_table("gsi");
    ok("PutItem",
       {{"TableName", "gsi"}, {"Item", {{"pk", S("a")}, {"v", N("1")}, {"type", S("Created")}}}});
    ok("PutItem", {{"TableName", "gsi"}, {"Item", {{"pk", S("a")}, {"v", N("2")}}}});
    json d = ok("UpdateTable",
                {{"TableName", "gsi"},
                 {"AttributeDefinitions", {{{"AttributeName", "type"}, {"AttributeType", "S"}}}},
                 {"GlobalSecondaryIndexUpdates",
                  {{{"Create",
                     {{"IndexName", "by_type"},
                      {"KeySchema", {{{"AttributeName", "type"}, {"KeyType", "HASH"}}}},
                      {"Projection", {{"ProjectionType", "ALL"}}}}}}}}})["TableDescription"];
    CHECK(d["GlobalSecondaryIndexes"][0]["ItemCount"] == 1);  // sparse: only the item with `type`
    json s = ok("Scan", {{"TableName", "gsi"}, {"IndexName", "by_type"}});
    CHECK(s["Count"] == 1);
    CHECK(s["Items"][0]["type"] == S("Created"));
    ok("UpdateTable",
       {{"TableName", "gsi"},
        {"GlobalSecondaryIndexUpdates", {{{"Delete", {{"IndexName", "by_type"}}}}}}});
    CHECK(validation("Scan", {{"TableName", "gsi"}, {"IndexName", "by_type"}}) ==
          "The table does not have the specified index: by_type");
}

TEST_CASE_METHOD(engine_fixture, "TimeToLive is described and updated with AWS's refusals",
                 "[emulator][dynamo][engine_tables]") {
    create_hash_table("ttl");
    CHECK(ok("DescribeTimeToLive", {{"TableName", "ttl"}}) ==
          json{{"TimeToLiveDescription", {{"TimeToLiveStatus", "DISABLED"}}}});
    CHECK(ok("UpdateTimeToLive",
             {{"TableName", "ttl"},
              {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "expires"}}}}) ==
          json{{"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "expires"}}}});
    CHECK(ok("DescribeTimeToLive", {{"TableName", "ttl"}})["TimeToLiveDescription"] ==
          json{{"TimeToLiveStatus", "ENABLED"}, {"AttributeName", "expires"}});
    CHECK(validation("UpdateTimeToLive", {{"TableName", "ttl"},
                                          {"TimeToLiveSpecification",
                                           {{"Enabled", true}, {"AttributeName", "expires"}}}}) ==
          "TimeToLive is already enabled");
    ok("UpdateTimeToLive",
       {{"TableName", "ttl"},
        {"TimeToLiveSpecification", {{"Enabled", false}, {"AttributeName", "expires"}}}});
    CHECK(validation("UpdateTimeToLive", {{"TableName", "ttl"},
                                          {"TimeToLiveSpecification",
                                           {{"Enabled", false}, {"AttributeName", "expires"}}}}) ==
          "TimeToLive is already disabled");
}

TEST_CASE_METHOD(engine_fixture, "unknown operations and non-object bodies",
                 "[emulator][dynamo][engine_tables]") {
    auto e = err("ExecuteStatement", json::object());
    CHECK(e.type == "UnknownOperationException");
    CHECK(e.message.empty());
    e = err("ListTables", json::array());
    CHECK(e.type == "SerializationException");
    CHECK(emulator::dynamo_engine::serves("TransactWriteItems"));
    CHECK_FALSE(emulator::dynamo_engine::serves("GetRecords"));
}

// Issue 3: BatchWriteItem / BatchGetItem (spec/dynamodb-api.md §3.6), TransactWriteItems /
// TransactGetItems (§3.7) without conditions, and the TTL sweep.
#include "engine_fixture.hpp"

using namespace esser::test;
using namespace esser;

namespace {
json put(const std::string& table, const json& item) {
    return {{"Put", {{"TableName", table}, {"Item", item}}}};
}

json del(const std::string& table, const json& key) {
    return {{"Delete", {{"TableName", table}, {"Key", key}}}};
}
}  // namespace

TEST_CASE_METHOD(engine_fixture, "BatchWriteItem puts and deletes across tables",
                 "[emulator][dynamo][engine_batch]") {
    create_hash_table("aaa");
    create_events_table("bbb");
    ok("PutItem", {{"TableName", "aaa"}, {"Item", {{"pk", S("old")}}}});
    json r = ok("BatchWriteItem",
                {{"RequestItems",
                  {{"aaa",
                    {{{"PutRequest", {{"Item", {{"pk", S("x")}}}}}},
                     {{"DeleteRequest", {{"Key", {{"pk", S("old")}}}}}}}},
                   {"bbb", {{{"PutRequest", {{"Item", {{"pk", S("e")}, {"v", N("1")}}}}}}}}}},
                 {"ReturnConsumedCapacity", "TOTAL"}});
    CHECK(r["UnprocessedItems"] == json::object());
    CHECK(r["ConsumedCapacity"].size() == 2);
    CHECK(scan_all("aaa") == json{{{"pk", S("x")}}});
    CHECK(item_count("bbb") == 1);
}

TEST_CASE_METHOD(engine_fixture, "BatchWriteItem refuses bad batches whole and writes nothing",
                 "[emulator][dynamo][engine_batch]") {
    create_hash_table("aaa");
    auto batch = [](json reqs) { return json{{"RequestItems", {{"aaa", std::move(reqs)}}}}; };
    json good = {{"PutRequest", {{"Item", {{"pk", S("good")}}}}}};
    SECTION("duplicate keys") {
        CHECK(validation("BatchWriteItem", batch({good, good})) ==
              "Provided list of item keys contains duplicates");
    }
    SECTION("wrong key type reads as a schema mismatch") {
        CHECK(validation("BatchWriteItem",
                         batch({good, {{"PutRequest", {{"Item", {{"pk", N("1")}}}}}}})) ==
              "The provided key element does not match the schema");
    }
    SECTION("an empty request") {
        CHECK(validation("BatchWriteItem", batch({good, json::object()})) ==
              "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
              "of the supported datatypes");
    }
    SECTION("too many requests for a table") {
        json reqs = json::array();
        for (int i = 0; i < 26; ++i)
            reqs.push_back({{"PutRequest", {{"Item", {{"pk", S(std::to_string(i))}}}}}});
        CHECK(validation("BatchWriteItem", batch(reqs))
                  .find("Map value must satisfy constraint: [Member must have length less than or "
                        "equal to 25, Member must have length greater than or equal to 1]") !=
              std::string::npos);
    }
    SECTION("a missing table") {
        json r = batch({good});
        r["RequestItems"]["zzz"] = json::array({good});
        auto e = err("BatchWriteItem", r);
        CHECK(e.type == "ResourceNotFoundException");
        CHECK(e.message == "Requested resource not found");
    }
    CHECK(scan_all("aaa").empty());
}

TEST_CASE_METHOD(engine_fixture, "BatchGetItem returns found items and checks its keys",
                 "[emulator][dynamo][engine_batch]") {
    create_hash_table("aaa");
    for (const char* k : {"a", "b", "c"})
        ok("PutItem", {{"TableName", "aaa"}, {"Item", {{"pk", S(k)}, {"x", N("1")}}}});
    json r = ok("BatchGetItem",
                {{"RequestItems",
                  {{"aaa", {{"Keys", {{{"pk", S("a")}}, {{"pk", S("c")}}, {{"pk", S("zz")}}}}}}}}});
    CHECK(r["Responses"]["aaa"].size() == 2);
    CHECK(r["UnprocessedKeys"] == json::object());
    CHECK(validation(
              "BatchGetItem",
              {{"RequestItems", {{"aaa", {{"Keys", {{{"pk", S("a")}}, {{"pk", S("a")}}}}}}}}}) ==
          "Provided list of item keys contains duplicates");
    json many = json::array();
    for (int i = 0; i < 101; ++i) many.push_back({{"pk", S(std::to_string(i))}});
    CHECK(validation("BatchGetItem", {{"RequestItems", {{"aaa", {{"Keys", many}}}}}})
              .find("Member must have length less than or equal to 100") != std::string::npos);
    json split = {{"RequestItems", {{"aaa", {{"Keys", json::array()}}}}}};
    for (int i = 0; i < 60; ++i)
        split["RequestItems"]["aaa"]["Keys"].push_back({{"pk", S("x" + std::to_string(i))}});
    create_hash_table("bbb");
    split["RequestItems"]["bbb"] = {{"Keys", json::array()}};
    for (int i = 0; i < 41; ++i)
        split["RequestItems"]["bbb"]["Keys"].push_back({{"pk", S("y" + std::to_string(i))}});
    CHECK(validation("BatchGetItem", split) ==
          "Too many items requested for the BatchGetItem call");
    CHECK(
        validation("BatchGetItem", {{"RequestItems", {{"aaa", {{"Keys", {{{"pk", N("1")}}}}}}}}}) ==
        "The provided key element does not match the schema");
}

TEST_CASE_METHOD(engine_fixture, "TransactWriteItems applies all actions or none",
                 "[emulator][dynamo][engine_transact]") {
    create_hash_table("aaa");
    create_events_table("bbb");
    ok("PutItem", {{"TableName", "aaa"}, {"Item", {{"pk", S("gone")}}}});
    CHECK(ok("TransactWriteItems", {{"TransactItems",
                                     {put("aaa", {{"pk", S("x")}}), del("aaa", {{"pk", S("gone")}}),
                                      put("bbb", {{"pk", S("e")}, {"v", N("1")}})}}}) ==
          json::object());
    CHECK(scan_all("aaa") == json{{{"pk", S("x")}}});
    CHECK(item_count("bbb") == 1);

    // The second action's key has the wrong type: a ValidationError reason on it, None elsewhere.
    auto e =
        err("TransactWriteItems", {{"TransactItems",
                                    {put("aaa", {{"pk", S("y")}}), put("aaa", {{"pk", N("7")}}),
                                     put("aaa", {{"pk", N("8")}})}}});
    CHECK(e.type == "TransactionCanceledException");
    CHECK(e.message ==
          "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
          "ValidationError, None]");
    const json& reasons = e.extra["CancellationReasons"];
    CHECK(reasons[0] == json{{"Code", "None"}});
    CHECK(reasons[1]["Code"] == "ValidationError");
    CHECK(reasons[1]["Message"] ==
          "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: "
          "N");
    CHECK(reasons[2] == json{{"Code", "None"}});
    CHECK(e.to_json().contains("Message"));  // TransactionCanceledException spells it Message
    CHECK(scan_all("aaa") == json{{{"pk", S("x")}}});
}

TEST_CASE_METHOD(engine_fixture, "TransactWriteItems request-level checks",
                 "[emulator][dynamo][engine_transact]") {
    create_hash_table("aaa");
    CHECK(validation(
              "TransactWriteItems",
              {{"TransactItems", {put("aaa", {{"pk", S("x")}}), put("aaa", {{"pk", S("x")}})}}}) ==
          "Transaction request cannot include multiple operations on one item");
    CHECK(validation("TransactWriteItems",
                     {{"TransactItems",
                       {{{"Put", {{"TableName", "aaa"}, {"Item", {{"pk", S("x")}}}}},
                         {"Delete", {{"TableName", "aaa"}, {"Key", {{"pk", S("x")}}}}}}}}}) ==
          "TransactItems can only contain one of Check, Put, Update or Delete");
    CHECK(validation("TransactWriteItems", {{"TransactItems", json::array()}})
              .find("transactItems") != std::string::npos);
    json many = json::array();
    for (int i = 0; i < 101; ++i) many.push_back(put("aaa", {{"pk", S(std::to_string(i))}}));
    const std::string m = validation("TransactWriteItems", {{"TransactItems", many}});
    CHECK(m.find("transactItems") != std::string::npos);
    CHECK(m.find("100") != std::string::npos);
    json hundred(many.begin(), many.end() - 1);
    ok("TransactWriteItems", {{"TransactItems", hundred}});
    CHECK(item_count("aaa") == 100);
    const std::string cc =
        validation("TransactWriteItems",
                   {{"TransactItems",
                     {{{"ConditionCheck", {{"TableName", "aaa"}, {"Key", {{"pk", S("x")}}}}}}}}});
    CHECK(cc ==
          "1 validation error detected: Value null at "
          "'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy "
          "constraint: Member must not be null");
    const std::string token =
        validation("TransactWriteItems", {{"TransactItems", {put("aaa", {{"pk", S("t")}})}},
                                          {"ClientRequestToken", std::string(37, 'a')}});
    CHECK(token.find("clientRequestToken") != std::string::npos);
    auto e = err("TransactWriteItems", {{"TransactItems", {put("nope", {{"pk", S("x")}})}}});
    CHECK(e.type == "ResourceNotFoundException");
}

// Issue 12, spec §3.7: the 4 MB limit is on the request payload. 50 Puts of 100 KB are refused
// whole (nothing written); deleting the same 5 MB with a small request is allowed.
TEST_CASE_METHOD(engine_fixture,
                 "TransactWriteItems refuses a payload over 4 MB, not a large delete",
                 "[emulator][dynamo][engine_transact]") {
    create_hash_table("big");
    const std::string blob(100 * 1024, 'x');
    json puts = json::array();
    for (int i = 0; i < 50; ++i)
        puts.push_back(put("big", {{"pk", S(std::to_string(i))}, {"blob", S(blob)}}));
    CHECK(validation("TransactWriteItems", {{"TransactItems", puts}}) ==
          "Transaction request payload size cannot exceed 4 MB (total transaction payload size "
          "cannot exceed 4194304 bytes)");
    CHECK(item_count("big") == 0);
    json half(puts.begin(), puts.begin() + 25);
    ok("TransactWriteItems", {{"TransactItems", half}});
    json rest(puts.begin() + 25, puts.end());
    ok("TransactWriteItems", {{"TransactItems", rest}});
    CHECK(item_count("big") == 50);
    json deletes = json::array();
    for (int i = 0; i < 50; ++i)
        deletes.push_back(
            {{"Delete", {{"TableName", "big"}, {"Key", {{"pk", S(std::to_string(i))}}}}}});
    ok("TransactWriteItems", {{"TransactItems", deletes}});
    CHECK(item_count("big") == 0);
}

TEST_CASE_METHOD(engine_fixture,
                 "ClientRequestToken makes a transaction idempotent for ten minutes",
                 "[emulator][dynamo][engine_transact]") {
    create_hash_table("aaa");
    json tx = {{"TransactItems", {put("aaa", {{"pk", S("x")}, {"n", N("1")}})}},
               {"ClientRequestToken", "tok-1"}};
    ok("TransactWriteItems", tx);
    ok("DeleteItem", {{"TableName", "aaa"}, {"Key", {{"pk", S("x")}}}});
    ok("TransactWriteItems", tx);  // a retry: succeeds, does nothing
    CHECK(item_count("aaa") == 0);
    json other = tx;
    other["TransactItems"][0]["Put"]["Item"]["n"] = N("2");
    auto e = err("TransactWriteItems", other);
    CHECK(e.type == "IdempotentParameterMismatchException");
    clock->advance(std::chrono::minutes(10));
    ok("TransactWriteItems", tx);  // the token expired: executed again
    CHECK(item_count("aaa") == 1);
}

TEST_CASE_METHOD(engine_fixture, "TransactGetItems reads in request order",
                 "[emulator][dynamo][engine_transact]") {
    create_hash_table("aaa");
    ok("PutItem", {{"TableName", "aaa"}, {"Item", {{"pk", S("b")}, {"n", N("2")}}}});
    json r =
        ok("TransactGetItems", {{"TransactItems",
                                 {{{"Get", {{"TableName", "aaa"}, {"Key", {{"pk", S("a")}}}}}},
                                  {{"Get", {{"TableName", "aaa"}, {"Key", {{"pk", S("b")}}}}}}}}});
    REQUIRE(r["Responses"].size() == 2);
    CHECK(r["Responses"][0] == json::object());
    CHECK(r["Responses"][1]["Item"]["n"] == N("2"));
}

TEST_CASE_METHOD(engine_fixture, "the TTL sweep deletes expired items through the observer",
                 "[emulator][dynamo][engine_ttl]") {
    recording_observer obs;
    engine->set_observer(&obs);
    create_events_table("events", true);
    ok("UpdateTimeToLive",
       {{"TableName", "events"},
        {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "expires"}}}});
    const long long now_s = 1704067200;  // the manual clock's origin
    ok("PutItem",
       {{"TableName", "events"},
        {"Item", {{"pk", S("a")}, {"v", N("1")}, {"expires", N(std::to_string(now_s + 60))}}}});
    ok("PutItem",
       {{"TableName", "events"},
        {"Item", {{"pk", S("a")}, {"v", N("2")}, {"expires", N(std::to_string(now_s + 3600))}}}});
    ok("PutItem",
       {{"TableName", "events"},
        {"Item", {{"pk", S("a")}, {"v", N("3")}, {"expires", S("soon")}}}});  // not a number
    ok("PutItem",
       {{"TableName", "events"},
        {"Item", {{"pk", S("a")}, {"v", N("4")}, {"expires", N("1000")}}}});  // > 5 years old
    obs.changes.clear();
    CHECK(engine->sweep_expired_items() == 0);
    clock->advance(std::chrono::seconds(61));
    CHECK(engine->sweep_expired_items() == 1);
    REQUIRE(obs.changes.size() == 1);
    CHECK(obs.changes[0].by_ttl);
    CHECK(obs.changes[0].keys == json{{"pk", S("a")}, {"v", N("1")}});
    clock->advance(std::chrono::hours(2));
    CHECK(engine->sweep_expired_items() == 1);
    CHECK(item_count("events") == 2);
    engine->set_observer(nullptr);
}

TEST_CASE_METHOD(engine_fixture, "reset drops every table", "[emulator][dynamo][engine_tables]") {
    create_hash_table("aaa");
    engine->reset();
    CHECK(ok("ListTables", json::object())["TableNames"] == json::array());
}

TEST_CASE_METHOD(engine_fixture, "memory usage is reported", "[emulator][dynamo][engine_tables]") {
    create_events_table("events");
    for (int i = 0; i < 100; ++i) {
        ok("PutItem", {{"TableName", "events"},
                       {"Item",
                        {{"pk", S("p" + std::to_string(i % 7))},
                         {"v", N(std::to_string(i))},
                         {"d", S(std::string(100, 'x'))}}}});
    }
    auto m = engine->memory();
    CHECK(m.items == 100);
    CHECK(m.raw_item_bytes > 100 * 100);
    CHECK(m.item_bytes > m.raw_item_bytes * 9 / 10);
    CHECK(m.item_bytes < m.raw_item_bytes * 13 / 10);
}

// Issue 4 (stream speed): every write path hands the observer the stored encodings of the images
// (item_change::old_encoded/new_encoded), and the decoded images only to an observer whose
// wants_decoded_images() is true. The same writes, seen by an observer that wants decoded images
// and by one that declines them, must report the same changes: PutItem (new and overwrite),
// UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem and TTL deletions, on a table
// without and with a secondary index (whose maintenance decodes the items anyway).
#include "engine_fixture.hpp"

using namespace esser::test;

namespace {

// Runs the same writes on a fresh engine observed by `obs`; `with_index` adds a GSI on g.
void run_writes(recording_observer& obs, bool with_index) {
    engine_fixture f;
    f.engine->set_observer(&obs);
    json create = {{"TableName", "events"},
                   {"AttributeDefinitions",
                    {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                     {{"AttributeName", "v"}, {"AttributeType", "N"}},
                     {{"AttributeName", "g"}, {"AttributeType", "S"}}}},
                   {"KeySchema",
                    {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                     {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                   {"BillingMode", "PAY_PER_REQUEST"},
                   {"StreamSpecification",
                    {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}};
    if (with_index) {
        create["GlobalSecondaryIndexes"] = {
            {{"IndexName", "by_g"},
             {"KeySchema", {{{"AttributeName", "g"}, {"KeyType", "HASH"}}}},
             {"Projection", {{"ProjectionType", "ALL"}}}}};
    } else {
        create["AttributeDefinitions"].erase(2);
    }
    f.ok("CreateTable", create);
    f.ok("UpdateTimeToLive",
         {{"TableName", "events"},
          {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "expires"}}}});
    auto key = [](const char* pk, const char* v) { return json{{"pk", S(pk)}, {"v", N(v)}}; };
    json first = {{"pk", S("a")}, {"v", N("1")}, {"g", S("x")}};
    first["m"] = {{"M", {{"n", N("-0.5")}, {"l", {{"L", json::array({S("q"), N("7")})}}}}}};
    f.ok("PutItem", {{"TableName", "events"}, {"Item", first}});
    f.ok("PutItem", {{"TableName", "events"},
                     {"Item", {{"pk", S("a")}, {"v", N("1")}, {"g", S("y")}}}});  // overwrite
    f.ok("PutItem", {{"TableName", "events"},
                     {"Item", {{"pk", S("a")}, {"v", N("1")}, {"g", S("y")}}}});  // no change
    f.err("PutItem", {{"TableName", "events"},
                      {"Item", {{"pk", S("a")}, {"v", N("1")}}},
                      {"ConditionExpression", "attribute_not_exists(pk)"}});  // no change
    f.ok("UpdateItem",
         {{"TableName", "events"},
          {"Key", key("a", "1")},
          {"UpdateExpression", "SET n = :n ADD ns :s"},
          {"ExpressionAttributeValues",
           {{":n", N("12345678901234567890123456789012345678")}, {":s", {{"NS", {"1", "2"}}}}}}});
    f.ok("UpdateItem", {{"TableName", "events"},
                        {"Key", key("b", "2")},
                        {"UpdateExpression", "SET g = :g"},
                        {"ExpressionAttributeValues", {{":g", S("z")}}}});  // creates the item
    f.ok("TransactWriteItems",
         {{"TransactItems",
           {{{"Put",
              {{"TableName", "events"},
               {"Item", {{"pk", S("c")}, {"v", N("3")}, {"b", {{"B", "AAEC"}}}}}}}},
            {{"Delete", {{"TableName", "events"}, {"Key", key("b", "2")}}}},
            {{"Update",
              {{"TableName", "events"},
               {"Key", key("a", "1")},
               {"UpdateExpression", "REMOVE n"}}}}}}});
    const json put_d = {{"pk", S("d")}, {"v", N("4")}, {"expires", N("1704067260")}, {"g", S("x")}};
    json requests = json::array();
    requests.push_back({{"PutRequest", {{"Item", put_d}}}});
    requests.push_back({{"DeleteRequest", {{"Key", key("c", "3")}}}});
    f.ok("BatchWriteItem", {{"RequestItems", {{"events", requests}}}});
    f.ok("DeleteItem", {{"TableName", "events"}, {"Key", key("a", "1")}});
    f.ok("DeleteItem", {{"TableName", "events"}, {"Key", key("a", "1")}});  // nothing to delete
    f.clock->advance(std::chrono::seconds(61));
    REQUIRE(f.engine->sweep_expired_items() == 1);  // d/4 expires: a TTL deletion
    f.engine->set_observer(nullptr);
}

}  // namespace

TEST_CASE("every write hands the observer the encoded images, decoded ones only on request",
          "[emulator][dynamo][table_observer]") {
    for (bool with_index : {false, true}) {
        INFO("with a secondary index: " << with_index);
        recording_observer wants, declines;
        declines.decoded = false;
        run_writes(wants, with_index);
        run_writes(declines, with_index);
        REQUIRE(wants.changes.size() == 11);
        REQUIRE(declines.changes.size() == wants.changes.size());
        for (std::size_t i = 0; i < wants.changes.size(); ++i) {
            INFO("change " << i);
            const auto& w = wants.changes[i];
            const auto& d = declines.changes[i];
            // The wanting observer gets both forms, and they agree.
            CHECK(w.keys.is_object());
            CHECK(w.old_image == w.old_encoded);
            CHECK(w.new_image == w.new_encoded);
            CHECK_FALSE((w.old_encoded.is_null() && w.new_encoded.is_null()));
            // The declining one gets the encodings only, the same as the other's.
            CHECK(d.keys.is_null());
            CHECK(d.old_image.is_null());
            CHECK(d.new_image.is_null());
            CHECK(d.old_encoded == w.old_encoded);
            CHECK(d.new_encoded == w.new_encoded);
            CHECK(d.by_ttl == w.by_ttl);
        }
        CHECK(wants.changes[1].old_encoded["g"] == S("x"));  // the overwritten item's image
        CHECK(wants.changes[1].new_encoded["g"] == S("y"));
        CHECK(wants.changes[10].by_ttl);
        CHECK(wants.changes[10].old_encoded["pk"] == S("d"));
        CHECK(wants.changes[10].new_encoded.is_null());
    }
}

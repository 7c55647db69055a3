// Issue 6 (HTTP front speed): dynamo_engine::dispatch_text writes the reads' items straight from
// their stored encoding into the response text. Its answer must be byte for byte the dump() of
// dispatch()'s answer. engine_fixture::call compares the two on every read of every engine
// test; this file covers what those tests might not: every attribute type, numbers, escapes,
// binary (base64), sets, nested maps and lists, projections, Select COUNT, LastEvaluatedKey,
// Count/ScannedCount and ConsumedCapacity, over all five reads; and response_text itself.
#include <random>
#include <set>
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
    const json item = awkward_item("p", 1);
    const std::string encoded =
        emulator::item_codec::encode(*emulator::attribute_map_from_json(item));
    emulator::deferred_items items;
    json doc = {
        {"Items",
         {emulator::response_item(encoded, &items), emulator::response_item(encoded, &items)}},
        {"Page", emulator::deferred_items::list_node(0, 2)},
        {"Empty page", emulator::deferred_items::list_node(2, 0)},
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
    REQUIRE(items.size() == 2);
    json expanded = doc;
    const json tree = emulator::item_codec::to_json(encoded);
    expanded["Items"] = {tree, tree};
    expanded["Page"] = {tree, tree};
    expanded["Empty page"] = json::array();
    std::string out = "prefix:";
    emulator::write_response_text(doc, items, out);
    CHECK(out == "prefix:" + dumped(expanded));
    std::string alone;
    emulator::write_response_text(emulator::response_item(encoded, &items), items, alone);
    CHECK(alone == dumped(emulator::response_item(encoded, nullptr)));
}

namespace {

// Random items for the differential tests below: every attribute type, strings with control
// characters, quotes, backslashes, DEL and multi-byte UTF-8 at every length around the 16-byte
// blocks of json_text::padded_string, numbers of every shape, nested maps and lists, sets.
class item_generator {
public:
    explicit item_generator(unsigned seed) : rng_(seed) {}

    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    std::string text(int max_length) {
        static const std::vector<std::string> pieces = {"a",
                                                        "b",
                                                        "Z",
                                                        "0",
                                                        " ",
                                                        "-",
                                                        "#",
                                                        ":",
                                                        "/",
                                                        "\"",
                                                        "\\",
                                                        "\t",
                                                        "\n",
                                                        "\r",
                                                        "\b",
                                                        "\f",
                                                        "\x01",
                                                        "\x1f",
                                                        "\x7f",
                                                        "\xc3\xa9",
                                                        "\xe2\x82\xac",
                                                        "\xf0\x9f\x98\x80",
                                                        "\xe4\xb8\xad",
                                                        "event",
                                                        "0000-4000-8000"};
        std::string s;
        const int n = pick(0, max_length);
        const bool plain = pick(0, 2) != 0;  // mostly plain ASCII, as real items are
        while (static_cast<int>(s.size()) < n) {
            s += plain ? std::string(1, static_cast<char>(pick('a', 'z')))
                       : pieces[static_cast<std::size_t>(
                             pick(0, static_cast<int>(pieces.size()) - 1))];
        }
        return s;
    }

    std::string number() {
        switch (pick(0, 6)) {
            case 0:
                return std::to_string(pick(-1000000, 1000000));
            case 1:
                return std::to_string(pick(0, 99999)) + "." + std::to_string(pick(0, 999)) + "0";
            case 2:
                return "-0." + std::string(static_cast<std::size_t>(pick(0, 30)), '0') + "7";
            case 3:
                return std::to_string(pick(1, 9)) + "." + std::to_string(pick(0, 99999)) + "E+" +
                       std::to_string(pick(0, 120));
            case 4:
                return std::to_string(pick(1, 9)) + "E-" + std::to_string(pick(1, 120));
            case 5:
                return "12345678901234567890123456789012345678";
            default:
                return std::to_string(pick(0, 9));
        }
    }

    std::string base64() {
        static const char* samples[] = {
            "", "AA==", "AAE=", "AAEC", "/+8=", "AAECAwQFBgcICQoL", "3q2+7w=="};
        return samples[pick(0, 6)];
    }

    json value(int depth) {
        const int kind = pick(0, depth > 0 ? 11 : 8);
        switch (kind) {
            case 0:
            case 1:
                return {{"S", text(40)}};
            case 2:
                return {{"N", number()}};
            case 3:
                return {{"B", base64()}};
            case 4:
                return {{"BOOL", pick(0, 1) == 1}};
            case 5:
                return {{"NULL", true}};
            case 6: {
                std::set<std::string> ss;
                const int n = pick(1, 4);
                while (static_cast<int>(ss.size()) < n) ss.insert(text(20));
                return {{"SS", ss}};
            }
            case 7: {
                std::set<int> ns;  // distinct integers: distinct numbers
                const int n = pick(1, 4);
                while (static_cast<int>(ns.size()) < n) ns.insert(pick(-500, 500));
                json a = json::array();
                for (int v : ns) a.push_back(std::to_string(v) + (v % 2 ? ".5" : ""));
                return {{"NS", a}};
            }
            case 8:
                return {{"BS", {"AQ==", "Ag==", "AQI="}}};
            case 9:
            case 10: {
                json m = json::object();
                const int n = pick(0, 4);
                for (int i = 0; i < n; ++i) m[name()] = value(depth - 1);
                return {{"M", m}};
            }
            default: {
                json l = json::array();
                const int n = pick(0, 4);
                for (int i = 0; i < n; ++i) l.push_back(value(depth - 1));
                return {{"L", l}};
            }
        }
    }

    std::string name() {
        std::string n = text(24);
        return n.empty() ? "n" : n;
    }

    // An item of the "events" table (pk S, v N; g and lsi for its indexes).
    json item(const std::string& pk, int v) {
        json item = {{"pk", S(pk)}, {"v", N(std::to_string(v))}};
        const int n = pick(0, 12);
        for (int i = 0; i < n; ++i) {
            const std::string k = name();
            if (k != "pk" && k != "v" && k != "g" && k != "lsi")
                item[k] = value(3);
        }
        if (pick(0, 1) == 1)
            item["g"] = S("gsi-" + std::to_string(pick(0, 2)));
        if (pick(0, 1) == 1)
            item["lsi"] = N(std::to_string(pick(0, 50)));
        return item;
    }

private:
    std::mt19937 rng_;
};

}  // namespace

// Issue 6: the text answers of Query and Scan over generated items, compared with the dump() of
// dispatch()'s tree answers (ok() compares every read): every page of every read, both
// directions, Limit, filters, projections, indexes, Select COUNT, capacity.
TEST_CASE_METHOD(engine_fixture, "dispatch_text answers reads of generated items as dump() does",
                 "[emulator][dynamo][response_text]") {
    create_indexed_table(*this, "events");
    item_generator gen(2024);
    for (int p = 0; p < 4; ++p) {
        for (int v = 1; v <= 30; ++v) {
            ok("PutItem",
               {{"TableName", "events"}, {"Item", gen.item("Item#" + std::to_string(p), v)}});
        }
    }
    // Overwrites and deletes (the stored size follows the item).
    for (int v = 1; v <= 30; v += 3)
        ok("PutItem", {{"TableName", "events"}, {"Item", gen.item("Item#0", v)}});
    ok("UpdateItem", {{"TableName", "events"},
                      {"Key", {{"pk", S("Item#1")}, {"v", N("2")}}},
                      {"UpdateExpression", "SET #x = :x"},
                      {"ExpressionAttributeNames", {{"#x", "added"}}},
                      {"ExpressionAttributeValues", {{":x", gen.value(3)}}}});
    ok("DeleteItem", {{"TableName", "events"}, {"Key", {{"pk", S("Item#2")}, {"v", N("5")}}}});

    auto all_pages = [&](json r) {
        int pages = 0;
        for (;; ++pages) {
            REQUIRE(pages < 200);
            json page = ok(r.contains("KeyConditionExpression") ? "Query" : "Scan", r);
            if (!page.contains("LastEvaluatedKey"))
                break;
            r["ExclusiveStartKey"] = page["LastEvaluatedKey"];
        }
        return pages + 1;
    };
    for (int round = 0; round < 40; ++round) {
        json r = {{"TableName", "events"}};
        if (round % 4 != 3) {
            r["KeyConditionExpression"] = "pk = :p";
            r["ExpressionAttributeValues"] = {{":p", S("Item#" + std::to_string(round % 4))}};
            r["ScanIndexForward"] = round % 2 == 0;
        }
        if (gen.pick(0, 1) == 1)
            r["Limit"] = gen.pick(1, 9);
        if (gen.pick(0, 2) == 0)
            r["ReturnConsumedCapacity"] = gen.pick(0, 1) == 1 ? "TOTAL" : "INDEXES";
        switch (gen.pick(0, 5)) {
            case 0:
                r["FilterExpression"] = "attribute_exists(g)";
                break;
            case 1:
                r["ProjectionExpression"] = "pk, v, #a, lsi";
                r["ExpressionAttributeNames"] = {{"#a", gen.name()}};
                break;
            case 2:
                r["Select"] = "COUNT";
                break;
            default:
                break;
        }
        if (round % 5 == 4 && r.contains("KeyConditionExpression") && !r.contains("Select")) {
            r["IndexName"] = "by_lsi";
            if (gen.pick(0, 1) == 1 && !r.contains("ProjectionExpression"))
                r["Select"] = "ALL_ATTRIBUTES";
        }
        all_pages(r);
    }
    all_pages({{"TableName", "events"}, {"IndexName", "by_g"}});
    // GetItem and BatchGetItem of the generated items.
    json keys = json::array();
    for (int v = 1; v <= 30; v += 2) {
        const json key = {{"pk", S("Item#3")}, {"v", N(std::to_string(v))}};
        ok("GetItem", {{"TableName", "events"}, {"Key", key}});
        keys.push_back(key);
    }
    ok("BatchGetItem", {{"RequestItems", {{"events", {{"Keys", keys}}}}}});
}

// Issue 6: pages end at 1 MB of item sizes (spec §3.4) as the stored sizes say; the text answer
// and the tree answer stop at the same item, with the same LastEvaluatedKey, across several
// pages, and GetItem's and BatchGetItem's capacity units follow the same sizes.
TEST_CASE_METHOD(engine_fixture, "dispatch_text pages across the 1 MB limit as dispatch() does",
                 "[emulator][dynamo][response_text]") {
    create_indexed_table(*this, "events");
    item_generator gen(99);
    for (int v = 1; v <= 14; ++v) {
        json item = gen.item("big", v);
        // ~250-390 KB each: four to five items a page.
        item["payload"] = S(std::string(static_cast<std::size_t>(250000 + 10000 * v), 'x'));
        ok("PutItem", {{"TableName", "events"}, {"Item", item}});
    }
    for (bool forward : {true, false}) {
        json r = {{"TableName", "events"},
                  {"KeyConditionExpression", "pk = :p"},
                  {"ExpressionAttributeValues", {{":p", S("big")}}},
                  {"ScanIndexForward", forward},
                  {"ReturnConsumedCapacity", "TOTAL"}};
        int pages = 0;
        int items = 0;
        for (;; ++pages) {
            REQUIRE(pages < 20);
            json page = ok("Query", r);
            CHECK(page["Count"].get<int>() < 5);
            items += page["Count"].get<int>();
            if (!page.contains("LastEvaluatedKey"))
                break;
            r["ExclusiveStartKey"] = page["LastEvaluatedKey"];
        }
        CHECK(items == 14);
        CHECK(pages >= 3);
    }
    json scan = {{"TableName", "events"}, {"ReturnConsumedCapacity", "TOTAL"}};
    for (int pages = 0;; ++pages) {
        REQUIRE(pages < 20);
        json page = ok("Scan", scan);
        if (!page.contains("LastEvaluatedKey"))
            break;
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"];
    }
    // A 250,000-byte string plus its name and the key: 62 units of 4 KB for a strong read.
    const json got = ok("GetItem", {{"TableName", "events"},
                                    {"Key", {{"pk", S("big")}, {"v", N("1")}}},
                                    {"ConsistentRead", true},
                                    {"ReturnConsumedCapacity", "TOTAL"}});
    const double units = got["ConsumedCapacity"]["CapacityUnits"].get<double>();
    CHECK(units >= 62.0);
    CHECK(units <= 66.0);
}

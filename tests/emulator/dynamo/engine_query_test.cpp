// Issue 3: Query's key-ordered evaluation (spec/dynamodb-api.md §3.4) through the native API:
// every sort-key operator, both directions, Limit and LastEvaluatedKey, resumption, indexes.
#include "engine_fixture.hpp"

using namespace esser::test;
using namespace esser;
using emulator::attribute_map;
using emulator::attribute_value;
using emulator::decimal;
using emulator::key_predicate;

namespace {
attribute_value n(const std::string& s) {
    return attribute_value::n(decimal::parse(s).value());
}

attribute_value s(const std::string& v) {
    return attribute_value::s(v);
}

std::vector<std::string> versions(const emulator::dynamo_engine::query_result& r) {
    std::vector<std::string> out;
    for (const auto& i : r.items) out.push_back(i.get("v")->as_n().to_string());
    return out;
}

struct query_fixture : engine_fixture {
    query_fixture() {
        create_events_table("events");
        for (int v = 1; v <= 12; ++v) {
            ok("PutItem",
               {{"TableName", "events"},
                {"Item",
                 {{"pk", S("a")}, {"v", N(std::to_string(v))}, {"n", N(std::to_string(v % 3))}}}});
        }
        ok("PutItem", {{"TableName", "events"}, {"Item", {{"pk", S("b")}, {"v", N("1")}}}});
    }

    emulator::dynamo_engine::query_result q(key_predicate::op op, std::string lo = "",
                                            std::string hi = "", bool forward = true,
                                            std::optional<std::int64_t> limit = {}) {
        emulator::dynamo_engine::query_spec spec;
        spec.table = "events";
        spec.key.hash = s("a");
        spec.key.range = op;
        if (!lo.empty())
            spec.key.lower = n(lo);
        if (!hi.empty())
            spec.key.upper = n(hi);
        spec.forward = forward;
        spec.limit = limit;
        auto r = engine->query(spec);
        REQUIRE(r.has_value());
        return *r;
    }
};

using v = std::vector<std::string>;
}  // namespace

TEST_CASE_METHOD(query_fixture, "Query returns one partition in numeric sort-key order",
                 "[emulator][dynamo][engine_query]") {
    CHECK(versions(q(key_predicate::op::none)) ==
          v{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"});
    CHECK(versions(q(key_predicate::op::none, "", "", false)) ==
          v{"12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"});
}

TEST_CASE_METHOD(query_fixture, "Query applies every sort-key operator in both directions",
                 "[emulator][dynamo][engine_query]") {
    using op = key_predicate::op;
    CHECK(versions(q(op::eq, "10")) == v{"10"});
    CHECK(versions(q(op::lt, "3")) == v{"1", "2"});
    CHECK(versions(q(op::le, "3")) == v{"1", "2", "3"});
    CHECK(versions(q(op::gt, "10")) == v{"11", "12"});
    CHECK(versions(q(op::ge, "10")) == v{"10", "11", "12"});
    CHECK(versions(q(op::between, "9", "11")) == v{"9", "10", "11"});
    CHECK(versions(q(op::lt, "3", "", false)) == v{"2", "1"});
    CHECK(versions(q(op::le, "3", "", false)) == v{"3", "2", "1"});
    CHECK(versions(q(op::gt, "10", "", false)) == v{"12", "11"});
    CHECK(versions(q(op::between, "9", "11", false)) == v{"11", "10", "9"});
    CHECK(versions(q(op::eq, "13")).empty());
    CHECK(versions(q(op::between, "2.5", "3.5")) == v{"3"});
}

TEST_CASE_METHOD(query_fixture, "Query Limit stops evaluation and LastEvaluatedKey resumes it",
                 "[emulator][dynamo][engine_query]") {
    using op = key_predicate::op;
    for (bool forward : {true, false}) {
        std::vector<std::string> all;
        std::optional<attribute_map> start;
        int pages = 0;
        do {
            emulator::dynamo_engine::query_spec spec;
            spec.table = "events";
            spec.key.hash = s("a");
            spec.key.range = op::ge;
            spec.key.lower = n("2");
            spec.forward = forward;
            spec.limit = 5;
            spec.exclusive_start_key = start;
            auto r = engine->query(spec);
            REQUIRE(r.has_value());
            for (const auto& x : versions(*r)) all.push_back(x);
            start = r->last_evaluated_key;
            ++pages;
        } while (start && pages < 10);
        CHECK(all.size() == 11);
        // 11 items in pages of 5: the third page has one and ends without a key.
        CHECK(pages == 3);
        CHECK(all.front() == (forward ? "2" : "12"));
    }
    // A page that ends exactly at the last item still carries a LastEvaluatedKey (§3.4 rule 3).
    auto r = q(op::ge, "8", "", true, 5);
    CHECK(r.items.size() == 5);
    REQUIRE(r.last_evaluated_key.has_value());
    CHECK(*r.last_evaluated_key == attribute_map({{"pk", s("a")}, {"v", n("12")}}));
}

TEST_CASE_METHOD(query_fixture, "native Query checks its key types and start key",
                 "[emulator][dynamo][engine_query]") {
    emulator::dynamo_engine::query_spec spec;
    spec.table = "events";
    spec.key.hash = n("1");
    CHECK(engine->query(spec).error().message ==
          "One or more parameter values were invalid: Condition parameter type does not match "
          "schema type");
    spec.key.hash = s("a");
    spec.exclusive_start_key = attribute_map({{"pk", s("b")}, {"v", n("1")}});
    CHECK(engine->query(spec).error().message ==
          "The provided starting key is outside query boundaries based on provided conditions");
    spec.table = "nope";
    CHECK(engine->query(spec).error().type == "ResourceNotFoundException");
}

TEST_CASE_METHOD(query_fixture, "native GetItem returns the encoded item",
                 "[emulator][dynamo][engine_query]") {
    auto r = engine->get_item("events", attribute_map({{"pk", s("a")}, {"v", n("7")}}));
    REQUIRE(r.has_value());
    REQUIRE(r->has_value());
    CHECK((*r)->get("n")->as_n().to_string() == "1");
    CHECK((*r)->to_json() == json{{"pk", S("a")}, {"v", N("7")}, {"n", N("1")}});
    CHECK((*r)->decode().size() == 3);
    CHECK((*r)->item_size() == (2 + 1) + (1 + 2) + (1 + 2));  // pk "a", v 7, n 1
    CHECK_FALSE(
        engine->get_item("events", attribute_map({{"pk", s("a")}, {"v", n("70")}}))->has_value());
    CHECK(engine->get_item("events", attribute_map({{"pk", s("a")}})).error().message ==
          "The provided key element does not match the schema");
}

TEST_CASE_METHOD(engine_fixture, "Query on a local index orders by the index sort key",
                 "[emulator][dynamo][engine_query]") {
    ok("CreateTable", {{"TableName", "lsi_table"},
                       {"AttributeDefinitions",
                        {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                         {{"AttributeName", "v"}, {"AttributeType", "N"}},
                         {{"AttributeName", "at"}, {"AttributeType", "S"}}}},
                       {"KeySchema",
                        {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                         {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                       {"BillingMode", "PAY_PER_REQUEST"},
                       {"LocalSecondaryIndexes",
                        {{{"IndexName", "by_at"},
                          {"KeySchema",
                           {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                            {{"AttributeName", "at"}, {"KeyType", "RANGE"}}}},
                          {"Projection", {{"ProjectionType", "ALL"}}}}}}});
    // v ascending, `at` descending; two items share an `at`.
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"1", "d"}, {"2", "c"}, {"3", "b"}, {"4", "b"}, {"5", "a"}};
    for (const auto& [vv, at] : rows) {
        ok("PutItem",
           {{"TableName", "lsi_table"}, {"Item", {{"pk", S("p")}, {"v", N(vv)}, {"at", S(at)}}}});
    }
    ok("PutItem", {{"TableName", "lsi_table"},
                   {"Item", {{"pk", S("p")}, {"v", N("6")}}}});  // not in the index
    emulator::dynamo_engine::query_spec spec;
    spec.table = "lsi_table";
    spec.index = "by_at";
    spec.key.hash = s("p");
    auto r = engine->query(spec);
    REQUIRE(r.has_value());
    CHECK(versions(*r) == v{"5", "3", "4", "2", "1"});
    spec.key.range = key_predicate::op::begins_with;
    spec.key.lower = s("b");
    CHECK(versions(*engine->query(spec)) == v{"3", "4"});
    // Paging through the index: LastEvaluatedKey carries table and index keys.
    spec.key.range = key_predicate::op::none;
    spec.limit = 2;
    auto p1 = engine->query(spec);
    REQUIRE(p1->last_evaluated_key.has_value());
    CHECK(p1->last_evaluated_key->size() == 3);
    spec.exclusive_start_key = p1->last_evaluated_key;
    CHECK(versions(*engine->query(spec)) == v{"4", "2"});
    // An update moves the item in the index.
    ok("PutItem",
       {{"TableName", "lsi_table"}, {"Item", {{"pk", S("p")}, {"v", N("5")}, {"at", S("z")}}}});
    spec.exclusive_start_key.reset();
    spec.limit.reset();
    CHECK(versions(*engine->query(spec)) == v{"3", "4", "2", "1", "5"});
}

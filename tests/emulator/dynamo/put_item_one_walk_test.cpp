// Issues 3 and 6 (speed: conditional PutItem, in process and over HTTP): PutItem reads a plainly
// valid Item straight into the stored encoding in one walk (item_codec::encode_json). These tests
// prove that the one walk and the AttributeValue passes agree: same bytes and size for every item
// the walk accepts, a decline for everything it cannot be sure of, and through the engine the same
// answers, errors (type and message), stored items, sizes and stream images, over generated items
// valid and malformed.
#include <algorithm>
#include <cstdio>
#include <random>

#include "engine_fixture.hpp"
#include "item_codec.hpp"
#include "json_cursor.hpp"

using namespace esser;
using namespace esser::test;
using emulator::item_codec::encode_json;

namespace {

// Generated AttributeValue JSON. `plain` values are valid and of the natural JSON types (the
// one walk must take them); otherwise any of the odd or malformed forms may come out.
struct value_generator {
    std::mt19937 rng;
    bool plain = true;

    explicit value_generator(unsigned seed) : rng(seed) {}

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

    template <class T>
    const T& one_of(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
    }

    std::string text() {
        static const std::vector<std::string> texts = {"",
                                                       "a",
                                                       "b",
                                                       "abc",
                                                       "h\xc3\xa9llo",
                                                       std::string("nul\0x", 5),
                                                       "\xf0\x9f\x98\x80",
                                                       "Item#0b1d",
                                                       "a b",
                                                       "zz",
                                                       "A"};
        return one_of(texts);
    }

    std::string number() {
        static const std::vector<std::string> valid = {
            "0",
            "-0",
            "1",
            "-1",
            "12.5",
            "12.50",
            "0001.2300",
            "1e125",
            "-1e125",
            "9.9999999999999999999999999999999999999e125",
            "1e-130",
            "-1e-130",
            ".5",
            "+3",
            "1.",
            std::string(38, '9'),
            "1" + std::string(37, '0'),
            "1E5",
            "123456789012345678"};
        static const std::vector<std::string> invalid = {"",
                                                         "abc",
                                                         "1e126",
                                                         "1e-131",
                                                         std::string(39, '9'),
                                                         " 1",
                                                         "1 ",
                                                         "-",
                                                         "1e",
                                                         "NaN",
                                                         "Infinity",
                                                         ".",
                                                         "1..2",
                                                         "0x10",
                                                         "--1",
                                                         "1e+",
                                                         "1" + std::string(38, '1')};
        return plain || pick(3) ? one_of(valid) : one_of(invalid);
    }

    std::string base64() {
        static const std::vector<std::string> valid = {"", "AP8=", "YWJj", "YQ==", "AAAA", "/+8="};
        static const std::vector<std::string> invalid = {
            "abc", "====", "A===", "YQ=a", "Y!==", "a"};
        return plain || pick(3) ? one_of(valid) : one_of(invalid);
    }

    // A set of n strings from `make`, sometimes with a duplicate (plain: never).
    template <class F>
    json set_of(F&& make) {
        json a = json::array();
        const int n = 1 + pick(4);
        for (int i = 0; i < n; ++i) a.push_back(make());
        // Plain sets are duplicate-free: drop repeats of the same text (numbers equal by value,
        // such as "1" and "1.0", are left to the check below).
        if (plain) {
            json out = json::array();
            for (const auto& x : a) {
                if (std::find(out.begin(), out.end(), x) == out.end())
                    out.push_back(x);
            }
            a = out;
        } else if (pick(4) == 0) {
            a.push_back(a.front());
        }
        return a;
    }

    json value(int depth) {
        if (!plain && pick(12) == 0)
            return odd_value(depth);
        switch (pick(depth > 3 ? 7 : 10)) {
            case 0:
                return {{"S", text()}};
            case 1:
                return {{"N", number()}};
            case 2:
                return {{"B", base64()}};
            case 3:
                return {{"BOOL", pick(2) == 0}};
            case 4:
                return {{"NULL", true}};
            case 5:
                return {{"SS", set_of([&] { return text(); })}};
            case 6: {
                json ns = set_of([&] { return number(); });
                if (plain) {  // numerically equal texts ("1", "1.0") are duplicates too
                    json out = json::array();
                    std::vector<emulator::decimal> seen;
                    for (const auto& x : ns) {
                        const auto d = emulator::decimal::parse(x.get<std::string>()).value();
                        if (std::find(seen.begin(), seen.end(), d) == seen.end()) {
                            seen.push_back(d);
                            out.push_back(x);
                        }
                    }
                    ns = out;
                }
                return {{"NS", ns}};
            }
            case 7:
                return {{"BS", set_of([&] { return base64(); })}};
            case 8: {
                json m = json::object();
                const int n = pick(4);
                for (int i = 0; i < n; ++i) m[name()] = value(depth + 1);
                return {{"M", m}};
            }
            default: {
                json l = json::array();
                const int n = pick(4);
                for (int i = 0; i < n; ++i) l.push_back(value(depth + 1));
                return {{"L", l}};
            }
        }
    }

    // Shapes and values the one walk must decline (most are errors, some valid but unusual).
    json odd_value(int depth) {
        switch (pick(24)) {
            case 0:
                return nullptr;
            case 1:
                return json::array({{{"S", "a"}}});
            case 2:
                return "a";
            case 3:
                return 5;
            case 4:
                return json::object();
            case 5:
                return {{"S", "a"}, {"N", "1"}};
            case 6:
                return {{"X", "1"}};
            case 7:
                return {{"S", nullptr}};
            case 8:
                return {{"S", nullptr}, {"N", "1"}};
            case 9:
                return {{"s", "a"}};
            case 10:
                return {{"S", 5}};
            case 11:
                return {{"N", 12.5}};
            case 12:
                return {{"BOOL", one_of(std::vector<std::string>{"true", "yes", "0", "x"})}};
            case 13:
                return {{"NULL", one_of(std::vector<json>{false, "true", 1, "no", "yes"})}};
            case 14:
                return {{"SS", json::array()}};
            case 15:
                return {{"SS", {"a", nullptr}}};
            case 16:
                return {{"NS", {"1", "1.0"}}};
            case 17:
                return {{"BS", {"YQ==", 5}}};
            case 18:
                return {{"M", json::array()}};
            case 19:
                return {{"L", json::object()}};
            case 20:
                return {{"M", "x"}};
            case 21: {  // nested to about the limit (32 levels, this value being `depth`)
                json v = {{"S", "deep"}};
                const int levels = 30 - depth + pick(5);
                for (int i = 0; i < levels; ++i) v = {{"M", {{"d", v}}}};
                return v;
            }
            case 22:
                return {{"B", 5}};
            default:
                return {{"M", {{std::string(65535 + pick(2), 'n'), {{"S", "x"}}}}}};
        }
    }

    std::string name() {
        static const std::vector<std::string> names = {
            "a", "b", "data", "meta", "zeta", "A", "\xc3\xa9t\xc3\xa9", "x y", "", "0"};
        return one_of(names);
    }

    json item(int attributes) {
        json j = json::object();
        for (int i = 0; i < attributes; ++i) j[name()] = value(1);
        return j;
    }
};

}  // namespace

TEST_CASE("the one walk encodes exactly what the AttributeValue passes read, or declines",
          "[emulator][dynamo][item_codec][put_item]") {
    value_generator gen(2024);
    int plain_items = 0, odd_items = 0, odd_taken = 0;
    for (int i = 0; i < 3000; ++i) {
        gen.plain = i % 2 == 0;
        const json j = gen.item(gen.pick(7));
        INFO(j.dump());
        std::string bytes = "left over";
        emulator::item_codec::attribute_index index;
        const auto size = encode_json(j, bytes, &index);
        const auto passes = emulator::read_attribute_map(j);
        if (gen.plain) {
            ++plain_items;
            // A plain item is valid, and the walk takes it.
            REQUIRE(passes.has_value());
            REQUIRE(size.has_value());
        } else {
            ++odd_items;
        }
        if (size) {
            odd_taken += gen.plain ? 0 : 1;
            // Taken: the passes accept it and the walk wrote their encoding and size.
            REQUIRE(passes.has_value());
            CHECK(bytes == emulator::item_codec::encode(*passes));
            CHECK(*size == emulator::item_size(*passes));
            CHECK(emulator::item_codec::decode(bytes) == *passes);
            // The index finds what a scan finds.
            for (const std::string name : {"a", "b", "data", "meta", "zeta", "A", "", "0", "q"}) {
                const auto found = index.find(bytes, name);
                CHECK(found == emulator::item_codec::find(bytes, name));
            }
        }
    }
    CHECK(plain_items == 1500);
    // The odd generator does produce items the walk declines, and valid ones it takes.
    CHECK(odd_taken > 100);
    CHECK(odd_taken < odd_items - 100);
}

TEST_CASE("the one walk declines every odd value it cannot be sure of",
          "[emulator][dynamo][item_codec][put_item]") {
    const std::vector<json> declined = {
        {{"a", nullptr}},
        {{"a", {{"S", "x"}, {"N", "1"}}}},
        {{"a", {{"S", nullptr}, {"N", "1"}}}},  // valid: one tag set
        {{"a", {{"BOOL", "yes"}}}},             // valid: Coral's boolean text
        {{"a", {{"NULL", "true"}}}},
        {{"a", {{"X", "1"}}}},
        {{"a", json::object()}},
        {{"a", {{"N", "1e126"}}}},
        {{"a", {{"N", std::string(39, '1')}}}},
        {{"a", {{"B", "abc"}}}},
        {{"a", {{"SS", {"x", "x"}}}}},
        {{"a", {{"NS", {"1", "1.0"}}}}},
        {{"a", {{"BS", {"YQ==", "YQ=="}}}}},
        {{"a", {{"SS", json::array()}}}},
        {{"a", {{"M", {{"b", {{"S", 1}}}}}}}},
        {{"a", {{"L", json::array({json{{"L", json::array({nullptr})}}})}}}},
        {{std::string(65536, 'n'), {{"S", "x"}}}},
        json::array(),
        "item",
    };
    for (const auto& j : declined) {
        INFO(j.dump().substr(0, 200));
        std::string bytes;
        CHECK_FALSE(encode_json(j, bytes).has_value());
    }
    // 32 levels are taken, 33 declined (a top-level value is level 1).
    json v = {{"S", "x"}};
    for (int i = 1; i < 32; ++i) v = {{"L", {v}}};
    std::string bytes;
    CHECK(encode_json({{"a", v}}, bytes).has_value());
    CHECK_FALSE(encode_json({{"a", {{"L", {v}}}}}, bytes).has_value());
    // The longest name is taken.
    CHECK(encode_json({{std::string(65535, 'n'), {{"S", "x"}}}}, bytes) == 65536u);
}

namespace {

// Two engines on the same manual clock and seeded ids, one with the one walk and one without,
// with the same tables and observers.
struct twin_engines {
    std::shared_ptr<core::manual_clock> clock = std::make_shared<core::manual_clock>();
    recording_observer fast_changes, passes_changes;
    std::shared_ptr<emulator::dynamo_engine> fast = make(true, fast_changes);
    std::shared_ptr<emulator::dynamo_engine> passes = make(false, passes_changes);

    std::shared_ptr<emulator::dynamo_engine> make(bool one_walk, recording_observer& o) {
        emulator::dynamo_engine::options opts;
        opts.clock = clock;
        opts.ids = std::make_shared<core::seeded_id_source>(42);
        opts.one_walk_put_item = one_walk;
        opts.max_item_size = 2000;  // the size limit is met by generated items
        auto e = std::make_shared<emulator::dynamo_engine>(opts);
        e->set_observer(&o);
        return e;
    }

    // Sends to both; the answers must be the same.
    adapters::aws_result both(std::string_view op, const json& request) {
        auto a = fast->dispatch(op, request);
        auto b = passes->dispatch(op, request);
        INFO(std::string(op) + " " + request.dump().substr(0, 600));
        REQUIRE(a.has_value() == b.has_value());
        if (a) {
            CHECK(*a == *b);
        } else {
            CHECK(a.error().type == b.error().type);
            CHECK(a.error().message == b.error().message);
            CHECK(a.error().to_json() == b.error().to_json());
        }
        return a;
    }
};

json key_attribute(const char* name, const char* type) {
    return {{"AttributeName", name}, {"AttributeType", type}};
}

json key_element(const char* name, const char* type) {
    return {{"AttributeName", name}, {"KeyType", type}};
}

// The event store's table (streamed), a table with a global and a local index, and a table
// keyed by binary, on both engines.
void create_tables(twin_engines& t) {
    t.both("CreateTable",
           {{"TableName", "events"},
            {"AttributeDefinitions", {key_attribute("pk", "S"), key_attribute("v", "N")}},
            {"KeySchema", {key_element("pk", "HASH"), key_element("v", "RANGE")}},
            {"StreamSpecification",
             {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}},
            {"BillingMode", "PAY_PER_REQUEST"}});
    t.both("CreateTable", {{"TableName", "indexed"},
                           {"AttributeDefinitions",
                            {key_attribute("pk", "S"), key_attribute("v", "N"),
                             key_attribute("a", "S"), key_attribute("b", "N")}},
                           {"KeySchema", {key_element("pk", "HASH"), key_element("v", "RANGE")}},
                           {"GlobalSecondaryIndexes",
                            {{{"IndexName", "by_a"},
                              {"KeySchema", {key_element("a", "HASH"), key_element("b", "RANGE")}},
                              {"Projection", {{"ProjectionType", "ALL"}}}}}},
                           {"LocalSecondaryIndexes",
                            {{{"IndexName", "by_b"},
                              {"KeySchema", {key_element("pk", "HASH"), key_element("b", "RANGE")}},
                              {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}}},
                           {"BillingMode", "PAY_PER_REQUEST"}});
    t.both("CreateTable", {{"TableName", "binary"},
                           {"AttributeDefinitions", {key_attribute("pk", "B")}},
                           {"KeySchema", {key_element("pk", "HASH")}},
                           {"BillingMode", "PAY_PER_REQUEST"}});
}

// Both engines hold the same items (to the byte), counts, sizes and index entries, and their
// observers saw the same changes.
void check_same_state(twin_engines& t) {
    for (const std::string table : {"events", "indexed", "binary"}) {
        t.both("Scan", {{"TableName", table}});
        t.both("DescribeTable", {{"TableName", table}});
    }
    t.both("Scan", {{"TableName", "indexed"}, {"IndexName", "by_a"}});
    t.both("Scan", {{"TableName", "indexed"}, {"IndexName", "by_b"}});
    for (const std::string pk : {"Item#1", "Item#2"}) {
        for (const std::string v : {"1", "2"}) {
            const emulator::attribute_map key =
                emulator::read_attribute_map({{"pk", {{"S", pk}}}, {"v", {{"N", v}}}}).value();
            auto a = t.fast->get_item("events", key).value();
            auto b = t.passes->get_item("events", key).value();
            REQUIRE(a.has_value() == b.has_value());
            if (a)
                CHECK(a->bytes() == b->bytes());
        }
    }
    // The same stream images, in the same order.
    REQUIRE(t.fast_changes.changes.size() == t.passes_changes.changes.size());
    CHECK(t.fast_changes.changes.size() > 50);
    for (std::size_t i = 0; i < t.fast_changes.changes.size(); ++i) {
        const auto& a = t.fast_changes.changes[i];
        const auto& b = t.passes_changes.changes[i];
        CHECK(a.table == b.table);
        CHECK(a.keys == b.keys);
        CHECK(a.old_image == b.old_image);
        CHECK(a.new_image == b.new_image);
    }
}

// A PutItem request for the twin engines' tables (create_tables), valid or not.
json put_request(value_generator& gen, int i) {
    gen.plain = gen.pick(3) != 0;
    static const std::vector<std::string> tables = {"events", "indexed", "binary", "missing"};
    const std::string& table = tables[static_cast<std::size_t>(gen.pick(i % 50 == 0 ? 4 : 3))];
    json item = gen.item(gen.pick(5));
    // Now and then wider than the attribute index (16): found by scanning.
    if (gen.pick(25) == 0) {
        for (int k = 0; k < 20; ++k) item["w" + std::to_string(k)] = {{"N", std::to_string(k)}};
    }
    // Keys from a small pool (so that items are replaced and conditions see old items),
    // mostly of the right types; "a"/"b" are the index keys of "indexed".
    if (gen.pick(10) != 0) {
        if (table == "binary") {
            item["pk"] = {{"B", gen.one_of(std::vector<std::string>{"YQ==", "Yg==", ""})}};
        } else {
            item["pk"] = {{"S", gen.one_of(std::vector<std::string>{"Item#1", "Item#2", ""})}};
            item["v"] = {{"N", gen.one_of(std::vector<std::string>{"1", "2", "1.0", "x"})}};
        }
    }
    if (table == "indexed" && gen.pick(2) == 0) {
        item["a"] = gen.pick(4) ? json{{"S", gen.text()}} : json{{"N", "1"}};
        item["b"] = gen.pick(4) ? json{{"N", gen.number()}} : json{{"S", "1"}};
    }
    json r = {{"TableName", table}, {"Item", item}};
    switch (gen.pick(6)) {
        case 0:
            r["ConditionExpression"] = "attribute_not_exists(pk)";
            break;
        case 1:
            r["ConditionExpression"] = "attribute_exists(pk) AND #d <> :d";
            r["ExpressionAttributeNames"] = {{"#d", "data"}};
            r["ExpressionAttributeValues"] = {{":d", {{"S", "x"}}}};
            break;
        case 2:
            r["Expected"] = {{"pk", {{"Exists", false}}}};
            break;
        default:
            break;
    }
    if (gen.pick(3) == 0)
        r["ReturnValues"] = gen.one_of(std::vector<std::string>{"ALL_OLD", "NONE", "ALL_NEW"});
    if (gen.pick(3) == 0)
        r["ReturnConsumedCapacity"] = gen.one_of(std::vector<std::string>{"TOTAL", "INDEXES"});
    if (gen.pick(4) == 0)
        r["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
    if (gen.pick(40) == 0)
        r["Item"] = gen.one_of(std::vector<json>{nullptr, json::array(), "x", 5});
    if (gen.pick(40) == 0)
        r["TableName"] = gen.one_of(std::vector<json>{"x", 5, nullptr});
    return r;
}

}  // namespace

TEST_CASE("PutItem answers, stores and streams the same with and without the one walk",
          "[emulator][dynamo][engine][put_item]") {
    twin_engines t;
    create_tables(t);
    value_generator gen(77);
    int written = 0, refused = 0;
    for (int i = 0; i < 1500; ++i) {
        const json r = put_request(gen, i);
        (t.both("PutItem", r) ? written : refused) += 1;
        t.clock->advance(std::chrono::milliseconds(1));
    }
    // Both outcomes are frequent.
    CHECK(written > 300);
    CHECK(refused > 300);

    check_same_state(t);
}

// ---- Issue 6 (speed: PutItem over HTTP): PutItem read straight from its request text ----
// item_codec::encode_json_text and dynamo_engine::prepare_text take the request text without
// building JSON trees. For everything they take they must write what the tree path writes (the
// same bytes, size and index; through the engine the same answers, errors, stored items and
// stream images), and they must decline the rest, malformed JSON first of all.

namespace {

void render_to(const json& j, value_generator& gen, std::string& out);

// `j` as a client may write it: members in any order, whitespace here and there, now and then
// an escaped character in a string or a member written twice (the last one counts).
std::string render(const json& j, value_generator& gen) {
    std::string out;
    render_to(j, gen, out);
    return out;
}

void render_string(const std::string& s, value_generator& gen, std::string& out) {
    if (!s.empty() && static_cast<unsigned char>(s[0]) < 0x80 && gen.pick(20) == 0) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(s[0]));
        out += '"';
        out += escape;
        out += json(s.substr(1)).dump().substr(1);
        return;
    }
    out += json(s).dump();
}

void space(value_generator& gen, std::string& out) {
    if (gen.pick(6) == 0)
        out += gen.one_of(std::vector<std::string>{" ", "\n", "\t ", "\r\n  "});
}

void render_to(const json& j, value_generator& gen, std::string& out) {
    if (j.is_object()) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : j.items()) keys.push_back(k);
        std::shuffle(keys.begin(), keys.end(), gen.rng);
        out += '{';
        bool first = true;
        auto member = [&](const std::string& k, const json& v) {
            if (!first)
                out += ',';
            first = false;
            space(gen, out);
            render_string(k, gen, out);
            space(gen, out);
            out += ':';
            space(gen, out);
            render_to(v, gen, out);
            space(gen, out);
        };
        if (!keys.empty() && gen.pick(40) == 0)
            member(keys.front(), json{{"S", "overwritten"}});  // the later one counts
        for (const auto& k : keys) member(k, j[k]);
        out += '}';
    } else if (j.is_array()) {
        out += '[';
        for (std::size_t i = 0; i < j.size(); ++i) {
            if (i > 0)
                out += ',';
            space(gen, out);
            render_to(j[i], gen, out);
            space(gen, out);
        }
        out += ']';
    } else if (j.is_string()) {
        render_string(j.get<std::string>(), gen, out);
    } else {
        out += j.dump();
    }
}

std::optional<std::size_t> encode_text(std::string_view text, std::string& bytes,
                                       emulator::item_codec::attribute_index* index = nullptr) {
    emulator::json_cursor in(text);
    auto size = emulator::item_codec::encode_json_text(in, bytes, index);
    if (size && !in.at_end())
        return std::nullopt;  // what follows the item is not the item's
    return size;
}

}  // namespace

TEST_CASE("the text walk encodes exactly what the one walk encodes, or declines",
          "[emulator][dynamo][item_codec][put_item]") {
    value_generator gen(6);
    int taken = 0, plain_taken = 0;
    for (int i = 0; i < 4000; ++i) {
        gen.plain = i % 2 == 0;
        const json j = gen.item(gen.pick(7));
        const std::string text = render(j, gen);
        INFO(text);
        std::string bytes = "left over", tree_bytes;
        emulator::item_codec::attribute_index index, tree_index;
        const auto size = encode_text(text, bytes, &index);
        if (!size)
            continue;
        ++taken;
        plain_taken += gen.plain ? 1 : 0;
        // Taken: the one walk over the parsed text takes it too, with the same results.
        const json tree = json::parse(text);  // tree_index's names point into it
        const auto tree_size = encode_json(tree, tree_bytes, &tree_index);
        REQUIRE(tree_size.has_value());
        CHECK(*size == *tree_size);
        CHECK(bytes == tree_bytes);
        for (const std::string name : {"a", "b", "data", "meta", "zeta", "A", "", "0", "q"})
            CHECK(index.find(bytes, name) == tree_index.find(tree_bytes, name));
    }
    // Plain items without sets or non-ASCII text are frequent, and taken.
    CHECK(plain_taken > 300);
    CHECK(taken < 3000);
    // An item the bench and the event store write is taken.
    std::string bytes;
    CHECK(encode_text(R"({"pk": {"S": "Item#1"}, "v": {"N": "1"}, "data": {"M": {"name": {"S": "x"},
        "tags": {"L": [{"S": "a"}, {"S": "b"}]}}}, "at": {"S": "2024-01-01T00:00:00.000Z"},
        "ok": {"BOOL": false}, "none": {"NULL": true}, "bin": {"B": "AP8="}})",
                      bytes)
              .has_value());
}

TEST_CASE("the text walk declines malformed and unusual JSON",
          "[emulator][dynamo][item_codec][put_item]") {
    const std::vector<std::string> declined = {
        "",
        "{",
        "{\"a\": {\"S\": \"x\"}",
        "{\"a\": {\"S\": \"x\"},}",
        "{\"a\": {\"S\": \"x\"} \"b\": {\"S\": \"y\"}}",
        "{\"a\" {\"S\": \"x\"}}",
        "{a: {\"S\": \"x\"}}",
        "{\"a\": {\"S\": \"x\", }}",
        "{\"a\": {\"S\": \"x\"}}}",
        "{\"a\": {\"S\": \"unterminated}}",
        "{\"a\": {\"S\": \"tab\there\"}}",
        "{\"a\": {\"S\": \"esc\\\"aped\"}}",
        "{\"a\": {\"S\": \"h\xc3\xa9llo\"}}",
        "{\"\\u0061\": {\"S\": \"x\"}}",
        "{\"a\": {\"S\": 5}}",
        "{\"a\": {\"N\": 5}}",
        "{\"a\": {\"N\": \"x\"}}",
        "{\"a\": {\"B\": \"abc\"}}",
        "{\"a\": {\"BOOL\": tru}}",
        "{\"a\": {\"BOOL\": \"true\"}}",
        "{\"a\": {\"NULL\": false}}",
        "{\"a\": {\"SS\": [\"x\"]}}",
        "{\"a\": {\"X\": \"x\"}}",
        "{\"a\": {}}",
        "{\"a\": {\"S\": \"x\", \"N\": \"1\"}}",
        "{\"a\": {\"S\": \"x\"}, \"a\": {\"S\": \"y\"}}",
        "{\"a\": {\"L\": [{\"S\": \"x\"},]}}",
        "{\"a\": {\"L\": [{\"S\": \"x\"}}}",
        "{\"a\": {\"M\": {\"b\": {\"S\": \"x\"}, \"b\": {\"S\": \"x\"}}}}",
        "{\"a\": {\"M\": []}}",
        "{\"a\": null}",
        "[]",
        "\xef\xbb\xbf{\"a\": {\"S\": \"x\"}}",
        std::string("{\"a\": {\"S\": \"x\"}}\0", 19),
    };
    for (const auto& text : declined) {
        INFO(text);
        std::string bytes;
        CHECK_FALSE(encode_text(text, bytes).has_value());
    }
    // 32 levels are taken, 33 declined, as the one walk does.
    std::string v = R"({"S": "x"})";
    for (int i = 1; i < 32; ++i) v = R"({"L": [)" + v + "]}";
    std::string bytes;
    CHECK(encode_text(R"({"a": )" + v + "}", bytes).has_value());
    CHECK_FALSE(encode_text(R"({"a": {"L": [)" + v + "]}}", bytes).has_value());
}

TEST_CASE("PutItem read from its text answers, stores and streams what the parsed request does",
          "[emulator][dynamo][engine][put_item]") {
    twin_engines t;
    create_tables(t);
    value_generator gen(1906);
    int taken = 0, written = 0, refused = 0;
    for (int i = 0; i < 1500; ++i) {
        const json r = put_request(gen, i);
        std::string text = render(r, gen);
        if (gen.pick(30) == 0)  // broken JSON
            text = gen.one_of(std::vector<std::string>{text + ",", text.substr(0, text.size() - 1),
                                                       "x" + text, text + "}"});
        INFO(text.substr(0, 800));
        const json parsed = json::parse(text, nullptr, false);
        auto prepared = t.fast->prepare_text("PutItem", text);
        if (parsed.is_discarded() || !parsed.is_object()) {
            CHECK(prepared == nullptr);  // the front answers SerializationException
            continue;
        }
        auto a = prepared ? t.fast->dispatch_prepared(*prepared)
                          : t.fast->dispatch_text("PutItem", parsed);
        auto b = t.passes->dispatch_text("PutItem", parsed);
        taken += prepared ? 1 : 0;
        REQUIRE(a.has_value() == b.has_value());
        if (a) {
            CHECK(*a == *b);
            ++written;
        } else {
            CHECK(a.error().type == b.error().type);
            CHECK(a.error().message == b.error().message);
            ++refused;
        }
        t.clock->advance(std::chrono::milliseconds(1));
    }
    // The text path is taken often (about one request in eight: the generator favours sets and
    // non-ASCII text, which it leaves to the parser), and both outcomes are frequent.
    CHECK(taken > 150);
    CHECK(written > 200);
    CHECK(refused > 300);
    check_same_state(t);
    // Not PutItem, or the one walk off: declined.
    CHECK(t.fast->prepare_text("GetItem", R"({"TableName": "events"})") == nullptr);
    CHECK(t.passes->prepare_text("PutItem", R"({"TableName": "events", "Item": {}})") == nullptr);
    CHECK(t.fast->prepare_text("PutItem", R"({"TableName": "events", "Item": {}})") != nullptr);
    // Members the text reader leaves to the parser.
    for (const std::string body :
         {R"({"TableName": "events"})", R"({"Item": {}, "Expected": {}})",
          R"({"Item": {}, "Unknown": 1})", R"({"Item": {}, "Item": {}})",
          R"({"Item": {}, "TableName": "a", "TableName": "b"})", R"({"Item": {}} x)"}) {
        INFO(body);
        CHECK(t.fast->prepare_text("PutItem", body) == nullptr);
    }
    // A member nested deeper than 64 levels is left to the front's nesting check.
    std::string deep = "1";
    for (int i = 0; i < 70; ++i) deep = "[" + deep + "]";
    CHECK(t.fast->prepare_text(
              "PutItem", R"({"Item": {}, "ExpressionAttributeValues": )" + deep + "}") == nullptr);
    CHECK(t.fast->prepare_text("PutItem", R"({"Item": {}, "ExpressionAttributeValues": [[1]]})") !=
          nullptr);
}

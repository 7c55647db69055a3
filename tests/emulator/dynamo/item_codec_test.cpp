// Issue 3: the compact item encoding round-trips every type, and key bytes sort in DynamoDB's
// order (spec §2.5) so that stored range keys need no decoding to be compared.
#include "item_codec.hpp"

#include <algorithm>
#include <random>

#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "item_store.hpp"

using namespace esser::emulator;
using nlohmann::json;

namespace {
attribute_map item_of(const json& j) { return read_attribute_map(j).value(); }
decimal num(const std::string& s) { return decimal::parse(s).value(); }
}  // namespace

TEST_CASE("item_codec round-trips every attribute type", "[emulator][dynamo][item_codec]") {
    const json j = {{"s", {{"S", "h\xc3\xa9llo"}}},
                    {"e", {{"S", ""}}},
                    {"n", {{"N", "-12.5e-3"}}},
                    {"big", {{"N", std::string(38, '9') + "e88"}}},
                    {"tiny", {{"N", "-1e-130"}}},
                    {"zero", {{"N", "0"}}},
                    {"b", {{"B", "AP8="}}},
                    {"t", {{"BOOL", true}}},
                    {"f", {{"BOOL", false}}},
                    {"z", {{"NULL", true}}},
                    {"m", {{"M", {{"inner", {{"L", {{{"N", "1"}}, {{"M", json::object()}}}}}}}}}},
                    {"l", {{"L", json::array()}}},
                    {"ss", {{"SS", {"b", "a"}}}},
                    {"ns", {{"NS", {"3", "-1", "2.5"}}}},
                    {"bs", {{"BS", {"AQ==", "Ag=="}}}}};
    const attribute_map item = item_of(j);
    const std::string bytes = item_codec::encode(item);
    CHECK(item_codec::decode(bytes) == item);
    CHECK(item_codec::to_json(bytes) == to_json(item));
    CHECK(item_codec::item_size(bytes) == item_size(item));
    CHECK(item_codec::attribute_count(bytes) == item.size());
    CHECK(item_codec::decode_some(bytes, {"b", "nope", "z"}) == item_of({{"b", {{"B", "AP8="}}}, {"z", {{"NULL", true}}}}));
    auto m = item_codec::find(bytes, "m");
    REQUIRE(m.has_value());
    CHECK(item_codec::decode_value(*m) == *item.find("m"));
    CHECK_FALSE(item_codec::find(bytes, "missing").has_value());
    // The encoding is about the size of the raw item.
    CHECK(bytes.size() < item_size(item) + 2 * item.size() + 16);
}

TEST_CASE("number key bytes sort numerically", "[emulator][dynamo][item_codec]") {
    std::vector<std::string> texts = {"0", "1", "-1", "10", "9", "2", "-10", "-9", "0.5", "-0.5", "1e125", "-1e125",
                                      "1e-130", "-1e-130", "123.456", "123.4", "123.46", "-123.4", "-123.456",
                                      std::string(38, '9'), "1" + std::string(37, '0'), "99", "100", "0.0001"};
    std::mt19937 rng(7);
    for (int i = 0; i < 200; ++i) {
        std::uniform_int_distribution<int> digits(1, 38), exp(-60, 60), d(0, 9), sign(0, 1);
        std::string s = sign(rng) ? "-" : "";
        const int n = digits(rng);
        for (int k = 0; k < n; ++k) s.push_back(static_cast<char>('0' + (k == 0 ? 1 + d(rng) % 9 : d(rng))));
        s += "e" + std::to_string(exp(rng));
        texts.push_back(s);
    }
    std::vector<decimal> values;
    for (const auto& t : texts) values.push_back(num(t));
    for (std::size_t i = 0; i < values.size(); ++i) {
        for (std::size_t j = 0; j < values.size(); ++j) {
            const auto a = item_codec::key_bytes(attribute_value::n(values[i]));
            const auto b = item_codec::key_bytes(attribute_value::n(values[j]));
            const auto by_value = values[i] <=> values[j];
            const int by_bytes = a.compare(b);
            INFO(texts[i] << " vs " << texts[j]);
            CHECK((by_value < 0) == (by_bytes < 0));
            CHECK((by_value == 0) == (by_bytes == 0));
        }
    }
    CHECK(item_codec::key_bytes(attribute_value::n(num("1.0"))) == item_codec::key_bytes(attribute_value::n(num("1"))));
}

TEST_CASE("partition_table keeps hash order through growth and erasure", "[emulator][dynamo][item_store]") {
    partition_table<index_entry> t;
    for (int i = 0; i < 1000; ++i) {
        const std::string key = "k" + std::to_string(i);
        auto& p = t.find_or_insert(partition_hash(key), key);
        p.entries.push_back(index_entry{"s", nullptr});
    }
    CHECK(t.partition_count() == 1000);
    std::uint64_t last = 0;
    std::size_t seen = 0;
    t.for_each([&](const partition<index_entry>& p) {
        CHECK(p.hash >= last);
        last = p.hash;
        ++seen;
        return true;
    });
    CHECK(seen == 1000);
    for (int i = 0; i < 1000; i += 2) {
        const std::string key = "k" + std::to_string(i);
        auto* p = t.find(partition_hash(key), key);
        REQUIRE(p != nullptr);
        p->entries.clear();
        t.erase_if_empty(partition_hash(key), key);
    }
    CHECK(t.partition_count() == 500);
    CHECK(t.find(partition_hash("k2"), "k2") == nullptr);
    CHECK(t.find(partition_hash("k3"), "k3") != nullptr);
    // Resuming after a partition visits exactly the later ones.
    std::size_t after = 0;
    const std::string k = "k3";
    t.for_each_from(partition_hash(k), k, true, [&](const partition<index_entry>& p) {
        CHECK(p.hash >= partition_hash(k));
        ++after;
        return true;
    });
    std::size_t before = 0;
    t.for_each([&](const partition<index_entry>& p) {
        if (p.hash < partition_hash(k)) ++before;
        return true;
    });
    CHECK(before + 1 + after == 500);
}

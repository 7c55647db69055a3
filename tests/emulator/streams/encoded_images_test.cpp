// Stream speed (issue 4, PutItem with a stream): the engine hands the stream registry its
// stored encodings (item_change::old_encoded/new_encoded) instead of decoded items, and the
// registry copies them into the record. These differential tests check that a record built from
// the encodings is the record built from the decoded items, for generated items of every type
// (nested maps and lists, sets, Numbers at the edges of their range, large binaries), every key
// schema shape, INSERT/MODIFY/REMOVE/TTL REMOVE and every StreamViewType: the same shard, keys,
// images, SizeBytes (spec/streams-and-lambda.md §2.4) and persisted bytes (stream_record::encode).
#include <random>

#include "item_codec.hpp"  // white-box: the engine's item encoding (emulator/src/dynamo)
#include "stream_test_support.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"

using namespace esser;
using namespace esser::emulator;
using namespace esser::emulator::testing;

namespace {

// Numbers at the edges of DynamoDB's range and precision (spec/dynamodb-api.md §2.2).
const std::vector<std::string> edge_numbers = {
    "0",
    "1",
    "-1",
    "10",
    "100",
    "0.5",
    "-0.25",
    "1e125",
    "-1e125",
    "9.9999999999999999999999999999999999999e125",
    "-9.9999999999999999999999999999999999999e125",
    "1e-130",
    "-1e-130",
    "12345678901234567890123456789012345678",
    "-12345678901234567890123456789012345678",
    "0.00000000000000000000000000000000000001",
    "18446744073709551615",  // 2^64 - 1: the coefficient's 64-bit boundary
    "18446744073709551616",
    "123456789012345678",
    "1234567890123456789",
};

class item_generator {
public:
    explicit item_generator(std::uint32_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    }

    std::string text(std::size_t max_len) {
        static const std::vector<std::string> pieces = {
            "a",  "b",   "z", "0", " ", "\"", "\\", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
            "\n", "\x01"};
        std::string s;
        const std::size_t n = below(max_len + 1);
        for (std::size_t i = 0; i < n; ++i) s += pieces[below(pieces.size())];
        return s;
    }

    std::string bytes(std::size_t max_len) {
        std::string s(below(max_len + 1), '\0');
        for (auto& c : s) c = static_cast<char>(below(256));
        return s;
    }

    decimal number() {
        if (below(2) == 0)
            return *decimal::parse(edge_numbers[below(edge_numbers.size())]);
        // Random digits with a random exponent, within range.
        std::string digits = std::to_string(1 + below(9));
        const std::size_t n = below(38);
        for (std::size_t i = 0; i < n; ++i) digits += static_cast<char>('0' + below(10));
        const int exponent = static_cast<int>(below(181)) - 100;  // adjusted within -100..117
        return *decimal::parse((below(2) ? "-" : "") + digits + "e" + std::to_string(exponent));
    }

    std::string name() {
        static const std::vector<std::string> names = {
            "a", "pk", "pj", "pl", "sk", "v", "zz", "data", "\xc3\xa9t\xc3\xa9", "_"};
        return below(3) == 0 ? text(6) : names[below(names.size())];
    }

    attribute_value value(int depth) {
        switch (below(depth > 2 ? 8 : 10)) {
            case 0:
                return attribute_value::s(text(12));
            case 1:
                return attribute_value::n(number());
            case 2:
                return attribute_value::b(bytes(below(20) == 0 ? 70000 : 16));
            case 3:
                return attribute_value::boolean(below(2) == 1);
            case 4:
                return attribute_value::null();
            case 5: {
                std::vector<std::string> v;
                const std::size_t n = 1 + below(4);
                for (std::size_t i = 0; i < n; ++i) v.push_back(text(5) + std::to_string(i));
                return attribute_value::ss(std::move(v));
            }
            case 6: {
                std::vector<decimal> v;
                const std::size_t n = 1 + below(4);
                for (std::size_t i = 0; i < n; ++i) v.push_back(number());
                return attribute_value::ns(std::move(v));
            }
            case 7: {
                std::vector<std::string> v;
                const std::size_t n = 1 + below(4);
                for (std::size_t i = 0; i < n; ++i) v.push_back(bytes(8) + char('a' + i));
                return attribute_value::bs(std::move(v));
            }
            case 8: {
                attribute_map m;
                const std::size_t n = below(5);
                for (std::size_t i = 0; i < n; ++i) m.set(name(), value(depth + 1));
                return attribute_value::m(std::move(m));
            }
            default: {
                attribute_value::list_t l;
                const std::size_t n = below(5);
                for (std::size_t i = 0; i < n; ++i) l.push_back(value(depth + 1));
                return attribute_value::l(std::move(l));
            }
        }
    }

    attribute_value key_value(value_type t) {
        switch (t) {
            case value_type::S:
                return attribute_value::s("k" + text(10));
            case value_type::N:
                return attribute_value::n(number());
            default:
                return attribute_value::b(bytes(12) + "k");
        }
    }

    // An item with the keys `keys` (carried over from `from` when given) and random attributes.
    item make(const key_schema& keys, const item* from = nullptr) {
        item it;
        const std::size_t n = below(12);
        for (std::size_t i = 0; i < n; ++i) it.set(name(), value(1));
        auto put_key = [&](const key_attribute& k) {
            it.set(k.name, from ? attribute_value(*from->find(k.name)) : key_value(k.type));
        };
        put_key(keys.hash);
        if (keys.range)
            put_key(*keys.range);
        return it;
    }

private:
    std::mt19937 rng_;
};

item key_item(const key_schema& keys, const item& it) {
    item k;
    k.set(keys.hash.name, *it.find(keys.hash.name));
    if (keys.range)
        k.set(keys.range->name, *it.find(keys.range->name));
    return k;
}

// Every record of the stream, shard by shard (shard index, record).
std::vector<std::pair<std::size_t, std::shared_ptr<const stream_record>>> all_records(
    stream_registry& registry, const std::string& arn) {
    std::vector<std::pair<std::size_t, std::shared_ptr<const stream_record>>> out;
    const auto d = registry.describe(arn);
    if (!d)
        FAIL(d.error().type << ": " << d.error().message);
    for (std::size_t i = 0; i < d->shards.size(); ++i) {
        auto cursor =
            registry.open_cursor(arn, d->shards[i].shard_id, shard_iterator_type::TRIM_HORIZON);
        REQUIRE(cursor);
        for (int guard = 0; guard < 1000; ++guard) {
            auto batch = registry.read(*cursor, 1000);
            REQUIRE(batch);
            if (batch->records.empty())
                break;
            for (auto& r : batch->records) out.emplace_back(i, r);
            *cursor = batch->next;
        }
    }
    return out;
}

std::string persisted(const stream_record& r) {
    std::string out;
    r.encode(out);
    return out;
}

}  // namespace

TEST_CASE("an encoded item's stream size is SizeBytes of the decoded item",
          "[emulator][streams][stream_record]") {
    item_generator gen(11);
    key_schema keys;
    keys.hash = key_attribute{"pk", value_type::S};
    for (int i = 0; i < 2000; ++i) {
        const item it = gen.make(keys);
        const std::string bytes = item_codec::encode(it);
        INFO(to_json(it).dump());
        REQUIRE(item_codec::stream_size(bytes) == record_size_bytes(it, nullptr, nullptr));
        item_codec::attribute_pair found;
        REQUIRE(item_codec::stream_size(bytes, "pk", "v", found) == item_codec::stream_size(bytes));
        CHECK(found == item_codec::find_pair(bytes, "pk", "v"));
    }
    // The two formulas differ for Numbers: the table's counts a byte for the exponent's parity
    // and the sign, the stream's does not (spec §2.4, matched against real records).
    const std::string n = item_codec::encode(make_item({{"n", N("-10")}}));
    CHECK(item_codec::stream_size(n) == 1 + 2);
    CHECK(item_codec::item_size(n) == 1 + 3);
}

TEST_CASE("records built from encoded images equal records built from decoded items",
          "[emulator][streams][stream_registry]") {
    struct schema_case {
        const char* label;
        key_schema keys;
    };

    std::vector<schema_case> schemas(4);
    schemas[0] = {"hash S", {}};
    schemas[0].keys.hash = {"pk", value_type::S};
    schemas[1] = {"hash S, range N", {}};
    schemas[1].keys.hash = {"pk", value_type::S};
    schemas[1].keys.range = key_attribute{"v", value_type::N};
    schemas[2] = {"hash B, range S named before the hash", {}};
    schemas[2].keys.hash = {"pk", value_type::B};
    schemas[2].keys.range = key_attribute{"a", value_type::S};
    schemas[3] = {"hash N, range B", {}};
    schemas[3].keys.hash = {"zz", value_type::N};
    schemas[3].keys.range = key_attribute{"pk", value_type::B};

    for (const auto& schema : schemas) {
        for (auto view : {stream_view_type::KEYS_ONLY, stream_view_type::NEW_IMAGE,
                          stream_view_type::OLD_IMAGE, stream_view_type::NEW_AND_OLD_IMAGES}) {
            SECTION(std::string(schema.label) + ", " + std::string(stream_view_type_text(view))) {
                stream_options opts;
                opts.partitions = 4;  // the partition key's hash picks the shard
                streams_fixture decoded(opts, 5), encoded(opts, 5);
                const auto arn_decoded = decoded.registry.stream_enabled(
                    "Events", table_arn("Events"), schema.keys, view, decoded.clock.now());
                const auto arn_encoded = encoded.registry.stream_enabled(
                    "Events", table_arn("Events"), schema.keys, view, encoded.clock.now());
                REQUIRE(arn_decoded.arn == arn_encoded.arn);

                item_generator gen(static_cast<std::uint32_t>(view) * 31 + 7);
                // Each step: INSERT, then MODIFY, then REMOVE (every other one by TTL).
                for (int i = 0; i < 150; ++i) {
                    const item first = gen.make(schema.keys);
                    const item second = gen.make(schema.keys, &first);
                    const std::string first_bytes = item_codec::encode(first);
                    const std::string second_bytes = item_codec::encode(second);
                    const item keys = key_item(schema.keys, first);
                    auto send = [&](const item* old_image, const item* new_image,
                                    const std::string* old_bytes, const std::string* new_bytes,
                                    bool by_ttl) {
                        item_change d;
                        d.table = "Events";
                        d.keys = &keys;
                        d.old_image = old_image;
                        d.new_image = new_image;
                        d.by_ttl = by_ttl;
                        d.at = decoded.clock.now();
                        decoded.registry.item_changed(d);
                        item_change e;
                        e.table = "Events";
                        if (old_bytes)
                            e.old_encoded = *old_bytes;
                        if (new_bytes)
                            e.new_encoded = *new_bytes;
                        e.by_ttl = by_ttl;
                        e.at = encoded.clock.now();
                        encoded.registry.item_changed(e);
                    };
                    send(nullptr, &first, nullptr, &first_bytes, false);
                    send(&first, &second, &first_bytes, &second_bytes, false);
                    send(&second, nullptr, &second_bytes, nullptr, i % 2 == 1);
                }

                const auto a = all_records(decoded.registry, arn_decoded.arn);
                const auto b = all_records(encoded.registry, arn_encoded.arn);
                REQUIRE(a.size() == 450);
                REQUIRE(b.size() == a.size());
                std::set<std::size_t> shards_used;
                for (std::size_t i = 0; i < a.size(); ++i) {
                    const stream_record& x = *a[i].second;
                    const stream_record& y = *b[i].second;
                    INFO("record " << i << ": " << to_streams_json(x, "us-east-1").dump());
                    CHECK(a[i].first == b[i].first);  // the same shard
                    CHECK(x.event_name == y.event_name);
                    CHECK(x.by_ttl == y.by_ttl);
                    CHECK(x.size_bytes == y.size_bytes);
                    CHECK(x.keys_json() == y.keys_json());
                    CHECK(x.old_image_json() == y.old_image_json());
                    CHECK(x.new_image_json() == y.new_image_json());
                    CHECK(persisted(x) == persisted(y));
                    shards_used.insert(a[i].first);
                }
                CHECK(shards_used.size() > 1);  // the placement hash was exercised
            }
        }
    }
}

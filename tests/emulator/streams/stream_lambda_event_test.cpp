// Issue 5 speed target (bench-esm): Lambda events of stream records are written as text straight
// from the records' encoding, and typed functions get the records without any JSON. These tests
// pin that the fast renderings are byte for byte what the JSON documents dump to (the event's
// observable shape, spec/streams-and-lambda.md §2.5 and §4.7), for every attribute type,
// escapes, every view type and event name, TTL deletions, window keys, and cut batches.
#include "esser/emulator/streams/stream_lambda_event.hpp"

#include <memory>
#include <string>
#include <vector>

#include "stream_test_support.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/json_text.hpp"

using namespace esser;
using namespace esser::emulator;
using namespace esser::emulator::testing;
using nlohmann::json;

namespace {

const std::string arn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/Tbl/stream/2024-03-01T12:00:00.000";

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// An item with every attribute type, nested containers, escapes and non-ASCII text.
item rich_item(const std::string& pk) {
    attribute_value::list_t list;
    list.push_back(S("x"));
    list.push_back(N("-0.000125"));
    list.push_back(attribute_value::boolean(false));
    list.push_back(attribute_value::null());
    list.push_back(attribute_value::l({}));
    attribute_map inner;
    inner.set("z", attribute_value::ns({*decimal::parse("1E+20"), *decimal::parse("3")}));
    inner.set("a b", attribute_value::m(attribute_map()));
    attribute_map nested;
    nested.set("list", attribute_value::l(std::move(list)));
    nested.set("inner", attribute_value::m(std::move(inner)));
    nested.set("\xc3\xa9t\xc3\xa9", S("\xe2\x82\xac \xf0\x9f\x98\x80"));
    return make_item({{"pk", S(pk)},
                      {"bin", attribute_value::b(std::string("\x00\xff\x10 raw", 8))},
                      {"bool", attribute_value::boolean(true)},
                      {"bs", attribute_value::bs({"a", std::string("\x01\x02", 2)})},
                      {"empty", S("")},
                      {"esc", S("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end")},
                      {"map", attribute_value::m(std::move(nested))},
                      {"nul", attribute_value::null()},
                      {"num", N("12345678901234567890123456789012345678")},
                      {"small", N("-1.5E-120")},
                      {"ss", attribute_value::ss({"b", "a", "\xe2\x82\xac"})}});
}

std::shared_ptr<const stream_record> record(stream_event_name name, stream_view_type view,
                                            const item& keys, const item* old_image,
                                            const item* new_image, std::uint64_t counter,
                                            bool by_ttl = false) {
    auto r = std::make_shared<stream_record>();
    r->event_name = name;
    r->view_type = view;
    r->by_ttl = by_ttl;
    r->sequence = sequence_number::make(4000, counter);
    r->at = core::time_point(std::chrono::milliseconds(1709294400123 + 1000 * counter));
    const std::string hex = "0123456789abcdef0123456789abcdef";
    std::copy(hex.begin(), hex.end(), r->event_id.begin());
    r->event_id[0] = static_cast<char>('a' + counter % 6);
    r->set_images(keys, old_image, new_image);
    r->size_bytes = static_cast<std::uint32_t>(record_size_bytes(keys, old_image, new_image));
    return r;
}

std::vector<std::shared_ptr<const stream_record>> sample_records() {
    const item a = rich_item("a");
    const item b = rich_item("b\"\\");
    item a2 = a;
    a2.set("esc", S("changed"));
    const item key_a = make_item({{"pk", S("a")}});
    const item key_b = make_item({{"pk", S("b\"\\")}});
    std::vector<std::shared_ptr<const stream_record>> out;
    std::uint64_t n = 1;
    for (auto view : {stream_view_type::KEYS_ONLY, stream_view_type::NEW_IMAGE,
                      stream_view_type::OLD_IMAGE, stream_view_type::NEW_AND_OLD_IMAGES}) {
        const bool keeps_new =
            view == stream_view_type::NEW_IMAGE || view == stream_view_type::NEW_AND_OLD_IMAGES;
        const bool keeps_old =
            view == stream_view_type::OLD_IMAGE || view == stream_view_type::NEW_AND_OLD_IMAGES;
        out.push_back(
            record(stream_event_name::INSERT, view, key_a, nullptr, keeps_new ? &a : nullptr, n++));
        out.push_back(record(stream_event_name::MODIFY, view, key_a, keeps_old ? &a : nullptr,
                             keeps_new ? &a2 : nullptr, n++));
        out.push_back(record(stream_event_name::REMOVE, view, key_b, keeps_old ? &b : nullptr,
                             nullptr, n++, /*by_ttl=*/view == stream_view_type::OLD_IMAGE));
    }
    return out;
}

}  // namespace

TEST_CASE("append_json_string writes what nlohmann's dump writes, invalid UTF-8 included",
          "[emulator][streams][stream_lambda_event]") {
    std::vector<std::string> cases = {
        "", "plain", "q\"b\\s", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\x7f\x1f\x01\b\f\n\r\t/"};
    std::string all_bytes;
    for (int c = 1; c < 0x80; ++c) all_bytes.push_back(static_cast<char>(c));
    cases.push_back(all_bytes);
    // Invalid: a lone continuation byte, a truncated sequence, an overlong form, a surrogate,
    // above U+10FFFF, a stray 0xff.
    cases.push_back("a\x80z");
    cases.push_back("a\xe2\x82");
    cases.push_back("\xc0\xaf");
    cases.push_back("\xed\xa0\x80");
    cases.push_back("\xf4\x90\x80\x80");
    cases.push_back("ok\xff");
    for (const auto& s : cases) {
        std::string out = "prefix";
        append_json_string(out, s);
        CHECK(out == "prefix" + dump(json(s)));
    }
    std::string n;
    append_json_int(n, -9223372036854775807LL - 1);
    append_json_int(n, 0);
    CHECK(n == "-92233720368547758080");
}

TEST_CASE("a record's Lambda JSON text is the dump of its Lambda JSON document",
          "[emulator][streams][stream_lambda_event]") {
    for (const auto& r : sample_records()) {
        std::string text;
        append_lambda_json(*r, "eu-west-1", arn, text);
        const json doc = to_lambda_json(*r, "eu-west-1", arn);
        CHECK(text == dump(doc));
        CHECK(json::parse(text) == doc);
        std::string keys;
        r->append_keys_json(keys);
        CHECK(keys == dump(r->keys_json()));
    }
}

TEST_CASE("a batch event's text, document and records describe the same event",
          "[emulator][streams][stream_lambda_event]") {
    const auto records = sample_records();
    stream_lambda_event e("us-east-1", arn);
    for (const auto& r : records) e.add(r);
    REQUIRE(e.size() == records.size());
    CHECK(e.records() == records);

    json expected = json::object();
    expected["Records"] = json::array();
    for (const auto& r : records)
        expected["Records"].push_back(to_lambda_json(*r, "us-east-1", arn));
    // Text first (rendered from the encoding), then the document: both match.
    CHECK(e.text() == dump(expected));
    CHECK(e.document() == expected);

    SECTION("window keys replace only the tail, as often as they change") {
        json fields = {
            {"window",
             {{"start", "2024-03-01T12:00:00.000Z"}, {"end", "2024-03-01T12:01:00.000Z"}}},
            {"state", {{"count", 1}, {"t\u00e9xt", "\"q\""}}},
            {"shardId", "shardId-1"},
            {"eventSourceARN", arn},
            {"isFinalInvokeForWindow", false},
            {"isWindowTerminatedEarly", false}};
        e.set_window_fields(fields);
        json with = expected;
        for (const auto& [k, v] : fields.items()) with[k] = v;
        CHECK(e.text() == dump(with));
        CHECK(e.document() == with);
        fields["state"] = {{"count", 2}};
        fields["isFinalInvokeForWindow"] = true;
        e.set_window_fields(fields);
        for (const auto& [k, v] : fields.items()) with[k] = v;
        CHECK(e.document() == with);
        CHECK(e.text() == dump(with));
    }

    SECTION("a slice renders as a batch of its records, reusing the cut batch's parts") {
        for (auto [from, to] : {std::pair<std::size_t, std::size_t>{0, 1},
                                {0, 6},
                                {6, 12},
                                {3, 4},
                                {11, 12},
                                {0, 12},
                                {5, 5}}) {
            auto part = e.slice(from, to);
            stream_lambda_event fresh("us-east-1", arn);
            for (std::size_t i = from; i < to; ++i) fresh.add(records[i]);
            CHECK(part->records() == fresh.records());
            CHECK(part->text() == fresh.text());
            CHECK(part->document() == fresh.document());
            CHECK(part->window_fields().empty());
        }
    }
}

TEST_CASE("a batch event uses the records' JSON its caller already built, and slices keep it",
          "[emulator][streams][stream_lambda_event]") {
    const auto records = sample_records();
    stream_lambda_event e("us-east-1", arn);
    // A caller that matched filters on the records' JSON hands it over; the document takes it
    // as is (a marker shows it was not rebuilt).
    for (std::size_t i = 0; i < records.size(); ++i) {
        json j = to_lambda_json(*records[i], "us-east-1", arn);
        if (i == 2)
            j["marker"] = true;
        e.add(records[i], i % 2 == 0 ? std::move(j) : json());
    }
    auto half = e.slice(1, 4);  // before any rendering: from the handed-over documents
    CHECK(half->document()["Records"][1].contains("marker"));
    CHECK(e.document()["Records"][2].contains("marker"));
    CHECK_FALSE(e.document()["Records"][0].contains("marker"));
    CHECK(e.document()["Records"][1] == to_lambda_json(*records[1], "us-east-1", arn));
    auto tail = e.slice(2, 3);  // after: from the document
    CHECK(tail->document()["Records"][0].contains("marker"));
}

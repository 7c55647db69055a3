// Covers issue 2 (stream handler): DynamoDB stream records in the Lambda event shape
// (spec/streams-and-lambda.md §2.5) become events again, post_save fires, projections apply,
// redelivery is tolerated, and failures stop the batch at the failing record.
#include "esser/core/stream_handler.hpp"

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

#include "esser/core/event_item.hpp"

using namespace esser::core;
using esser::testing::pointers;
using nlohmann::json;

namespace {

// Wraps events the way Lambda delivers them from the events table's stream.
json lambda_event(const std::vector<event>& events, std::uint64_t first_seq = 100) {
    json records = json::array();
    std::uint64_t seq = first_seq;
    for (const auto& e : events) {
        auto item = event_to_item(e).value();
        records.push_back({{"eventID", "id-" + std::to_string(seq)},
                           {"eventName", "INSERT"},
                           {"eventVersion", "1.1"},
                           {"eventSource", "aws:dynamodb"},
                           {"awsRegion", "us-east-1"},
                           {"dynamodb",
                            {{"ApproximateCreationDateTime", 1704067200},
                             {"Keys", event_item_key(e.stream(), e.version)},
                             {"NewImage", item},
                             {"SequenceNumber", std::to_string(seq++)},
                             {"SizeBytes", 100},
                             {"StreamViewType", "NEW_IMAGE"}}},
                           {"eventSourceARN",
                            "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2024"}});
    }
    return json{{"Records", records}};
}

struct recording_projection final : projection {
    std::vector<std::string> applied;
    std::string fail_on;  // "Item#id@v"
    int flushes = 0;

    std::string_view name() const override { return "recording"; }

    result<void> apply(const event& e) override {
        const std::string key = e.stream().key() + "@" + std::to_string(e.version);
        if (key == fail_on)
            return fail(error::unavailable("read store down"));
        applied.push_back(key);
        return {};
    }

    result<void> flush() override {
        ++flushes;
        return {};
    }
};

struct stream_fixture : esser::testing::shop_fixture {
    std::vector<std::string> saved;
    std::shared_ptr<recording_projection> proj = std::make_shared<recording_projection>();
    std::shared_ptr<const esser::core::domain> with_receivers;
    std::unique_ptr<stream_handler> handler2;

    stream_fixture() {
        function_registry fns;
        fns.add_post_save("record", [this](const event& e) {
            saved.push_back(e.type + "@" + std::to_string(e.version));
        });
        json doc = read_json_file(esser::testing::shop_domain_path()).value();
        doc["receivers"] = {{"post_save", {{{"entity", "Item"}, {"function", "record"}}}}};
        with_receivers = load_domain(doc, fns).value();
        handler2 = std::make_unique<stream_handler>(with_receivers,
                                                    std::vector<std::shared_ptr<projection>>{proj});
    }
};

}  // namespace

TEST_CASE("stream records become the appended events again, post_save fires, projections apply",
          "[core][stream_handler]") {
    stream_fixture f;
    const auto id = f.create_item("Choc", 1);
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 2}}));
    const auto basket = f.send("Basket", "CreateBasket", "", json::object()).value().stream.id;
    const auto events = f.store.all_events();
    REQUIRE(events.size() == 3);

    auto r = f.handler2->handle(lambda_event(events));
    REQUIRE(r);
    CHECK(r->records == 3);
    CHECK(r->applied == 3);
    CHECK_FALSE(r->failed_sequence_number);
    CHECK(r->lambda_response() == json{{"batchItemFailures", json::array()}});
    CHECK(f.saved == std::vector<std::string>{"ItemCreated@1", "PriceUpdated@2"});  // Item only
    CHECK(f.proj->applied.size() == 3);
    CHECK(f.proj->flushes == 1);
    auto decoded = stream_handler::decode_record(lambda_event(events)["Records"][1]);
    REQUIRE(decoded);
    REQUIRE(decoded->has_value());
    CHECK(**decoded == events[1]);
    (void)basket;
}

TEST_CASE("a redelivered batch applies each event once", "[core][stream_handler]") {
    stream_fixture f;
    const auto id = f.create_item("Choc", 1);
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 2}}));
    const auto batch = lambda_event(f.store.all_events());
    REQUIRE(f.handler2->handle(batch));
    auto again = f.handler2->handle(batch);
    REQUIRE(again);
    CHECK(again->duplicates == 2);
    CHECK(again->applied == 0);
    CHECK(f.saved.size() == 2);
    CHECK(f.proj->applied.size() == 2);
}

TEST_CASE("a failing record stops the batch and is reported for retry", "[core][stream_handler]") {
    stream_fixture f;
    const auto id = f.create_item("Choc", 1);
    for (int p = 2; p <= 4; ++p) REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", p}}));
    const auto batch = lambda_event(f.store.all_events(), 500);
    f.proj->fail_on = "Item#" + id + "@3";
    auto r = f.handler2->handle(batch);
    REQUIRE(r);
    CHECK(r->applied == 2);
    REQUIRE(r->failed_sequence_number);
    CHECK(*r->failed_sequence_number == "502");
    CHECK(r->failure->code == errc::unavailable);
    CHECK_THAT(r->failure->message, Catch::Contains("projection recording"));
    CHECK(r->lambda_response() == json{{"batchItemFailures", {{{"itemIdentifier", "502"}}}}});
    CHECK(f.proj->applied.size() == 2);  // versions 1 and 2; 4 was not touched
    // The mapping retries from the failed record (and re-sends what followed it).
    f.proj->fail_on.clear();
    json retry = batch;
    retry["Records"].erase(0);
    retry["Records"].erase(0);
    auto r2 = f.handler2->handle(retry);
    REQUIRE(r2);
    CHECK(r2->applied == 2);
    CHECK(f.proj->applied.back() == "Item#" + id + "@4");
    // post_save fired for 1, 2 (first batch; 3 failed in the projection after its receivers)
    // and for 3 again plus 4: at least once, in order.
    CHECK(f.saved == std::vector<std::string>{"ItemCreated@1", "PriceUpdated@2", "PriceUpdated@3",
                                              "PriceUpdated@3", "PriceUpdated@4"});
}

TEST_CASE("REMOVE records carry no event and are ignored", "[core][stream_handler]") {
    stream_fixture f;
    f.create_item();
    json batch = lambda_event(f.store.all_events());
    batch["Records"][0]["eventName"] = "REMOVE";
    batch["Records"][0]["dynamodb"]["OldImage"] = batch["Records"][0]["dynamodb"]["NewImage"];
    batch["Records"][0]["dynamodb"].erase("NewImage");
    auto r = f.handler2->handle(batch);
    REQUIRE(r);
    CHECK(r->ignored == 1);
    CHECK(r->applied == 0);
}

TEST_CASE("malformed records fail at their record with a pointer into the event",
          "[core][stream_handler]") {
    stream_fixture f;
    const auto id = f.create_item();
    REQUIRE(f.send("Item", "UpdatePrice", id, {{"price", 2}}));
    json batch = lambda_event(f.store.all_events());
    SECTION("a bad version attribute") {
        batch["Records"][1]["dynamodb"]["NewImage"]["v"] = {{"N", "two"}};
        auto r = f.handler2->handle(batch);
        REQUIRE(r);
        CHECK(r->applied == 1);
        CHECK(*r->failed_sequence_number == "101");
        CHECK(r->failure->code == errc::parse_error);
        CHECK(pointers(*r->failure) == std::vector<std::string>{"/Records/1/dynamodb/NewImage/v"});
    }
    SECTION("a KEYS_ONLY stream") {
        batch["Records"][0]["dynamodb"].erase("NewImage");
        auto r = f.handler2->handle(batch);
        REQUIRE(r);
        CHECK(*r->failed_sequence_number == "100");
        CHECK_THAT(r->failure->fields[0].reason, Catch::Contains("NEW_IMAGE"));
    }
    SECTION("an unknown eventName") {
        batch["Records"][0]["eventName"] = "UPSERT";
        auto r = f.handler2->handle(batch);
        REQUIRE(r);
        CHECK(pointers(*r->failure) == std::vector<std::string>{"/Records/0/eventName"});
    }
}

TEST_CASE("an event that is not a stream event is a parse error", "[core][stream_handler]") {
    stream_fixture f;
    CHECK(f.handler2->handle(json::array()).error().code == errc::parse_error);
    CHECK(pointers(f.handler2->handle(json::object()).error()) ==
          std::vector<std::string>{"/Records"});
    auto no_seq = f.handler2->handle(
        json{{"Records", {{{"eventName", "INSERT"}, {"dynamodb", json::object()}}}}});
    REQUIRE_FALSE(no_seq);
    CHECK(pointers(no_seq.error()) ==
          std::vector<std::string>{"/Records/0/dynamodb/SequenceNumber"});
    auto empty = f.handler2->handle(json{{"Records", json::array()}});
    REQUIRE(empty);
    CHECK(empty->records == 0);
}

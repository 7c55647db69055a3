// Issue 10 (esser-lambda): the projection Lambda's answers. A DynamoDB stream event reaches
// core::stream_handler; the reply is the partial batch response AWS expects with
// ReportBatchItemFailures (spec/streams-and-lambda.md §4.4): an empty list when all records
// were applied, the first failing record's SequenceNumber otherwise; events that are not stream
// events at all are function errors (the whole batch is retried).
#include "esser/adapters/lambda_runtime/stream_function.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/domain_file.hpp"
#include "esser/core/event_item.hpp"

using namespace esser;
using namespace esser::adapters;
using nlohmann::json;

namespace {

std::shared_ptr<const core::domain> shop_domain() {
    auto d = core::load_domain_file(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    REQUIRE(d);
    return *d;
}

struct counting_projection final : core::projection {
    std::vector<std::string> seen;
    std::string fail_on;  // "<id>#<version>" that fails

    std::string_view name() const override { return "counting"; }

    core::result<void> apply(const core::event& e) override {
        const std::string key = e.id + "#" + std::to_string(e.version);
        if (key == fail_on)
            return core::fail(core::error::unavailable("read store down"));
        seen.push_back(key);
        return {};
    }
};

json record_of(const core::event& e, std::uint64_t seq) {
    auto item = core::event_to_item(e);
    REQUIRE(item);
    return json{
        {"eventID", "e" + std::to_string(seq)},
        {"eventName", "INSERT"},
        {"eventVersion", "1.1"},
        {"eventSource", "aws:dynamodb"},
        {"awsRegion", "us-east-1"},
        {"dynamodb",
         {{"Keys", {{"pk", (*item)["pk"]}, {"v", (*item)["v"]}}},
          {"NewImage", *item},
          {"SequenceNumber", std::to_string(seq)},
          {"SizeBytes", 100},
          {"StreamViewType", "NEW_IMAGE"}}},
        {"eventSourceARN", "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2024"}};
}

core::event item_event(const std::string& id, std::uint64_t v) {
    core::event e;
    e.entity = "Item";
    e.id = id;
    e.version = v;
    e.type = v == 1 ? "ItemCreated" : "PriceUpdated";
    e.data = v == 1 ? json{{"name", "n"}, {"price", 1}} : json{{"price", static_cast<int>(v)}};
    e.meta = {"ev" + std::to_string(v), "c" + std::to_string(v), "c", "c"};
    e.at = "2024-01-01T00:00:00.000Z";
    return e;
}

invocation_result invoke(const stream_function& fn, std::string payload) {
    invocation inv;
    inv.request_id = "r";
    inv.payload = std::move(payload);
    return fn(inv);
}

}  // namespace

TEST_CASE("stream function applies a batch and reports no failures",
          "[adapters][lambda_runtime][stream_function]") {
    auto p = std::make_shared<counting_projection>();
    stream_function fn(std::make_shared<core::stream_handler>(
        shop_domain(), std::vector<std::shared_ptr<core::projection>>{p}));
    const json ev{{"Records",
                   {record_of(item_event("a", 1), 100), record_of(item_event("a", 2), 200),
                    record_of(item_event("b", 1), 300)}}};
    auto r = invoke(fn, ev.dump());
    REQUIRE(r.ok());
    CHECK(json::parse(r.payload()) == json{{"batchItemFailures", json::array()}});
    CHECK(p->seen == std::vector<std::string>{"a#1", "a#2", "b#1"});
    // Redelivery of the same batch applies nothing twice and still succeeds.
    auto again = invoke(fn, ev.dump());
    REQUIRE(again.ok());
    CHECK(p->seen.size() == 3);
}

TEST_CASE("stream function names the first failing record for ReportBatchItemFailures",
          "[adapters][lambda_runtime][stream_function]") {
    auto p = std::make_shared<counting_projection>();
    p->fail_on = "a#2";
    stream_function fn(std::make_shared<core::stream_handler>(
        shop_domain(), std::vector<std::shared_ptr<core::projection>>{p}));
    json broken = record_of(item_event("c", 1), 400);
    broken["dynamodb"]["NewImage"]["v"] = json{{"S", "not a number"}};
    SECTION("a failing projection") {
        const json ev{{"Records",
                       {record_of(item_event("a", 1), 100), record_of(item_event("a", 2), 200),
                        record_of(item_event("b", 1), 300)}}};
        auto r = invoke(fn, ev.dump());
        REQUIRE(r.ok());
        CHECK(json::parse(r.payload()) ==
              json{{"batchItemFailures", {{{"itemIdentifier", "200"}}}}});
        CHECK(p->seen == std::vector<std::string>{"a#1"});
    }
    SECTION("a record whose image does not decode") {
        const json ev{{"Records", {record_of(item_event("b", 1), 300), broken}}};
        auto r = invoke(fn, ev.dump());
        REQUIRE(r.ok());
        CHECK(json::parse(r.payload()) ==
              json{{"batchItemFailures", {{{"itemIdentifier", "400"}}}}});
    }
}

TEST_CASE("stream function turns events that are not stream events into function errors",
          "[adapters][lambda_runtime][stream_function]") {
    stream_function fn(std::make_shared<core::stream_handler>(shop_domain()));
    for (const char* payload :
         {"", "{", "[]", "{\"Records\": 5}", "{\"Records\": [{\"dynamodb\": {}}]}"}) {
        INFO(payload);
        auto r = invoke(fn, payload);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().error_type == "parse_error");
    }
}

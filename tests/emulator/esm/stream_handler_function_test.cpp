// Issue 5: the core's stream handler registered as an in-process function behind an event
// source mapping on the events table's stream -- the domain's projections run from the stream
// (DESIGN.md "Emulator behaviour"; spec §2.5, §4.4): each event applied once and in order, a
// failing projection retried from its record through the partial batch response.
#include "esser/emulator/lambda/stream_handler_function.hpp"

#include "core/shop_fixture.hpp"
#include "esm_test_support.hpp"

#include "esser/core/event_item.hpp"
#include "esser/core/stream_handler.hpp"
#include "esser/emulator/dynamo/attribute_value_json.hpp"

using namespace esser::emulator;
using namespace esser::emulator::testing;
namespace core = esser::core;
using nlohmann::json;

namespace {

struct recording_projection final : core::projection {
    std::vector<std::string> applied;
    std::string fail_once;  // "Entity#id@v": fails the first time it is applied

    std::string_view name() const override { return "recording"; }

    core::result<void> apply(const core::event& e) override {
        const std::string key = e.stream().key() + "@" + std::to_string(e.version);
        if (key == fail_once) {
            fail_once.clear();
            return core::fail(core::error::unavailable("read store down"));
        }
        applied.push_back(key);
        return {};
    }

    core::result<void> flush() override { return {}; }
};

}  // namespace

TEST_CASE(
    "the domain's stream handler runs behind a mapping: projections apply once and in "
    "order, a failure is retried from its record",
    "[emulator][esm][stream_handler]") {
    esm_fixture f;
    esser::testing::shop_fixture shop;
    const auto id = shop.create_item("Choc", 1);
    REQUIRE(shop.send("Item", "UpdatePrice", id, {{"price", 2}}));
    REQUIRE(shop.send("Item", "UpdatePrice", id, {{"price", 3}}));
    const auto events = shop.store.all_events();
    REQUIRE(events.size() == 3);

    // The events table (pk S, v N) with a NEW_IMAGE stream, written the way the event store
    // writes it.
    key_schema keys;
    keys.hash = key_attribute{"pk", value_type::S};
    keys.range = key_attribute{"v", value_type::N};
    const auto stream =
        f.registry.stream_enabled("events", "arn:aws:dynamodb:us-east-1:000000000000:table/events",
                                  keys, stream_view_type::NEW_IMAGE, f.clock->now());
    for (const auto& e : events) {
        item image = *read_attribute_map(core::event_to_item(e).value());
        item key;
        key.set("pk", *image.find("pk"));
        key.set("v", *image.find("v"));
        item_change c;
        c.table = "events";
        c.keys = &key;
        c.new_image = &image;
        c.at = f.clock->now();
        f.registry.item_changed(c);
    }

    auto proj = std::make_shared<recording_projection>();
    const std::string second = events[1].stream().key() + "@2";
    proj->fail_once = second;
    auto handler = std::make_shared<core::stream_handler>(
        shop.domain, std::vector<std::shared_ptr<core::projection>>{proj});
    function_config c;
    c.name = "projector";
    REQUIRE(create_stream_handler_function(f.lambda, c, handler));

    auto cfg = parse_create_request(json{{"EventSourceArn", stream.arn},
                                         {"FunctionName", "projector"},
                                         {"StartingPosition", "TRIM_HORIZON"},
                                         {"FunctionResponseTypes", {"ReportBatchItemFailures"}}});
    REQUIRE(cfg);
    REQUIRE(f.esm.create(std::move(*cfg)));
    auto report = f.esm.drain();
    CHECK(report.idle);
    CHECK(report.mappings[0].invokes == 2);  // the batch, then the retry from event 2
    const std::string first = events[0].stream().key() + "@1";
    const std::string third = events[2].stream().key() + "@3";
    CHECK(proj->applied == std::vector<std::string>{first, second, third});
}

TEST_CASE("without partial batch responses a failing record is a function error",
          "[emulator][esm][stream_handler]") {
    esm_fixture f;
    esser::testing::shop_fixture shop;
    auto proj = std::make_shared<recording_projection>();
    auto handler = std::make_shared<core::stream_handler>(
        shop.domain, std::vector<std::shared_ptr<core::projection>>{proj});
    function_config c;
    c.name = "projector";
    REQUIRE(create_stream_handler_function(f.lambda, c, handler, false));
    // Not a stream event at all: a function error either way.
    auto r = f.lambda.invoke_function("projector", json{{"nope", 1}});
    REQUIRE(r);
    CHECK(r->status == invoke_status::function_error);
    CHECK(create_stream_handler_function(f.lambda, c, nullptr).error().code ==
          core::errc::invalid_argument);
}

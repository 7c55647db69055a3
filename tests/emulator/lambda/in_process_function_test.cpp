// Issue 5 "Functions": in-process C++ handlers behind lambda_function (spec §5.1 outcome
// model): results, reported errors, exceptions, timeouts, the concurrency bound, logs.
#include "esser/emulator/lambda/in_process_function.hpp"

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "esser/emulator/streams/stream_lambda_event.hpp"

namespace {

using namespace esser::emulator;
using esser::core::error;
using esser::core::result;
using nlohmann::json;
using namespace std::chrono_literals;

function_config config(std::string name) {
    function_config c;
    c.name = std::move(name);
    c.timeout = 1s;
    return c;
}

invocation event(json payload) {
    invocation inv;
    inv.request_id = "11111111-1111-4111-8111-111111111111";
    inv.payload = std::move(payload);
    return inv;
}

}  // namespace

TEST_CASE("an in-process handler's value is the invoke's result",
          "[emulator][lambda][in_process_function]") {
    auto log = std::make_shared<function_log>();
    in_process_function fn(
        config("double"),
        [](const json& e, in_process_context& ctx) -> result<json> {
            ctx.log("doubling\nsecond line");
            CHECK(ctx.function_name() == "double");
            CHECK(ctx.request_id() == "11111111-1111-4111-8111-111111111111");
            CHECK(ctx.remaining() > 0ms);
            CHECK(ctx.remaining() <= 1000ms);
            return json{{"n", e["n"].get<int>() * 2}};
        },
        nullptr, log);
    auto r = fn.invoke(event({{"n", 21}}));
    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload == json{{"n", 42}});
    CHECK(r.function_error.empty());
    CHECK(r.log_tail.find("START RequestId: 11111111-1111-4111-8111-111111111111 Version: "
                          "$LATEST\ndoubling\nsecond line\nEND RequestId: ") == 0);
    CHECK(r.log_tail.find("REPORT RequestId: 11111111-1111-4111-8111-111111111111\tDuration: ") !=
          std::string::npos);
    CHECK(log->text() == r.log_tail);
}

TEST_CASE("a returned error is an Unhandled function error shaped like AWS's",
          "[emulator][lambda][in_process_function]") {
    SECTION("with a type") {
        in_process_function fn(config("e"), [](const json&, in_process_context&) -> result<json> {
            error e = error::validation("price must be positive");
            e.type = "ValidationError";
            return esser::core::fail(e);
        });
        auto r = fn.invoke(event({}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.function_error == "Unhandled");
        CHECK(r.payload == json{{"errorMessage", "price must be positive"},
                                {"errorType", "ValidationError"},
                                {"stackTrace", json::array()}});
    }
    SECTION("without a type: the error kind names it") {
        in_process_function fn(config("e"), [](const json&, in_process_context&) -> result<json> {
            return esser::core::fail(error::not_found("no such basket"));
        });
        auto r = fn.invoke(event({}));
        CHECK(r.payload["errorType"] == "not_found");
    }
}

TEST_CASE("an exception becomes a function error named after its type",
          "[emulator][lambda][in_process_function]") {
    in_process_function fn(config("throws"), [](const json&, in_process_context&) -> result<json> {
        throw std::out_of_range("index 7");
    });
    auto r = fn.invoke(event({}));
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.payload["errorType"] == "std::out_of_range");
    CHECK(r.payload["errorMessage"] == "index 7");
}

TEST_CASE("a handler that overruns its budget is reported as timed out",
          "[emulator][lambda][in_process_function]") {
    auto c = config("slow");
    c.timeout = 20ms;
    in_process_function fn(c, [](const json&, in_process_context& ctx) -> result<json> {
        while (ctx.remaining() > 0ms) std::this_thread::sleep_for(1ms);
        std::this_thread::sleep_for(2ms);
        return json{{"late", true}};
    });
    auto r = fn.invoke(event({}));
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.payload["errorType"] == "Sandbox.Timedout");
    CHECK(r.payload["errorMessage"] ==
          "RequestId: 11111111-1111-4111-8111-111111111111 Error: Task timed out after 0.02 "
          "seconds");
    CHECK(r.log_tail.find("Status: timeout") != std::string::npos);
}

TEST_CASE("an explicit deadline on the clock becomes the budget",
          "[emulator][lambda][in_process_function]") {
    auto clock = std::make_shared<esser::core::manual_clock>();
    std::chrono::milliseconds seen{};
    in_process_function fn(
        config("deadline"),
        [&](const json&, in_process_context& ctx) -> result<json> {
            seen = ctx.remaining();
            return json(nullptr);
        },
        clock);
    auto inv = event({});
    inv.deadline = clock->now() + 300ms;
    REQUIRE(fn.invoke(inv).status == invoke_status::success);
    CHECK(seen <= 300ms);
    CHECK(seen > 100ms);
    inv.deadline = clock->now() - 1s;  // already past: no time at all
    CHECK(fn.invoke(inv).payload["errorType"] == "Sandbox.Timedout");
}

TEST_CASE("invokes beyond max_concurrency are throttled",
          "[emulator][lambda][in_process_function]") {
    auto c = config("bounded");
    c.max_concurrency = 1;
    std::promise<void> entered, release;
    auto release_f = release.get_future().share();
    std::atomic<bool> first{true};
    in_process_function fn(c, [&](const json&, in_process_context&) -> result<json> {
        if (first.exchange(false)) {
            entered.set_value();
            release_f.wait();
        }
        return json(1);
    });
    auto busy = std::async(std::launch::async, [&] { return fn.invoke(event({})); });
    entered.get_future().wait();
    auto r = fn.invoke(event({}));
    CHECK(r.status == invoke_status::throttled);
    release.set_value();
    CHECK(busy.get().status == invoke_status::success);
    CHECK(fn.invoke(event({})).status == invoke_status::success);
}

namespace {

// A one-record stream batch as an event source mapping hands it over (issue 5 speed target:
// typed functions take records without JSON).
std::shared_ptr<stream_lambda_event> one_record_batch() {
    auto r = std::make_shared<stream_record>();
    r->event_name = stream_event_name::INSERT;
    r->view_type = stream_view_type::NEW_IMAGE;
    r->sequence = sequence_number::make(100, 7);
    attribute_map keys;
    keys.set("pk", attribute_value::s("a"));
    attribute_map image = keys;
    image.set("n", attribute_value::n(decimal::from_int(5)));
    r->set_images(keys, nullptr, &image);
    auto e = std::make_shared<stream_lambda_event>("us-east-1", "arn:aws:dynamodb:stream");
    e->add(std::move(r));
    return e;
}

}  // namespace

TEST_CASE("a stream-records handler takes a mapping's batch as records, without JSON",
          "[emulator][lambda][in_process_function]") {
    auto batch = one_record_batch();
    std::size_t typed_calls = 0, json_calls = 0;
    in_process_function fn(
        config("typed"),
        [&](const stream_lambda_event& e, in_process_context&) -> result<json> {
            ++typed_calls;
            return json{{"records", e.size()}};
        },
        [&](const json& e, in_process_context&) -> result<json> {
            ++json_calls;
            return json{{"json", e}};
        });
    invocation inv = event(nullptr);
    inv.stream_event = batch;
    auto r = fn.invoke(inv);
    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload == json{{"records", 1}});
    CHECK(typed_calls == 1);
    CHECK(json_calls == 0);

    // Any other event goes to the JSON handler.
    r = fn.invoke(event({{"n", 1}}));
    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload == json{{"json", {{"n", 1}}}});
    CHECK(json_calls == 1);
}

TEST_CASE("a JSON handler invoked with a mapping's batch gets the batch's JSON document",
          "[emulator][lambda][in_process_function]") {
    auto batch = one_record_batch();
    in_process_function fn(config("json"),
                           [](const json& e, in_process_context&) -> result<json> { return e; });
    invocation inv = event(nullptr);
    inv.stream_event = batch;
    auto r = fn.invoke(inv);
    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload == batch->document());
    CHECK(r.payload["Records"][0]["dynamodb"]["NewImage"]["n"] == json{{"N", "5"}});
    CHECK(event_text(inv) == batch->document().dump());
    CHECK(&event_document(inv) == &batch->document());
}

TEST_CASE("a function that takes only stream batches refuses other events as a function error",
          "[emulator][lambda][in_process_function]") {
    in_process_function fn(
        config("typed-only"),
        [](const stream_lambda_event&, in_process_context&) -> result<json> { return json(); },
        in_process_handler{});
    auto r = fn.invoke(event({{"n", 1}}));
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.function_error == "Unhandled");
    CHECK(r.payload["errorType"] == "Runtime.InvalidEvent");
    CHECK(r.payload["errorMessage"] ==
          "the function takes DynamoDB stream batches from event source mappings only");
}

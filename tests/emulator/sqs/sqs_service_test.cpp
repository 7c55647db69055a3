// Issue 13, SQS: the service -- queues by name, ARN and URL, CreateQueue's idempotency, sends
// with SQS's checks, PurgeQueue's 60 s rule, paging, and long polls that park without a
// thread and are answered by a send, by the clock ending a visibility timeout, by their wait
// ending, or dropped by a cancel.
#include "esser/emulator/sqs/sqs_service.hpp"

#include <future>

#include <catch2/catch.hpp>

#include "esser/emulator/sqs/sqs_error.hpp"

using namespace esser::emulator;
namespace core = esser::core;
using namespace std::chrono_literals;

namespace {

struct fixture {
    core::manual_clock clock;
    core::seeded_id_source ids{3};
    sqs_service sqs{clock, ids, [] {
                        sqs_service_options o;
                        o.endpoint_url = "http://127.0.0.1:4566/";
                        o.long_poll_recheck = 5ms;
                        return o;
                    }()};
};

using received = core::result<std::vector<sqs_message>>;

}  // namespace

TEST_CASE("queues are addressed by name, ARN and URL of the one account",
          "[emulator][sqs][sqs_service]") {
    fixture f;
    auto url = f.sqs.create_queue("orders", {});
    REQUIRE(url);
    CHECK(*url == "http://127.0.0.1:4566/000000000000/orders");
    CHECK(f.sqs.get_queue_url("orders").value() == *url);
    CHECK(f.sqs.resolve(*url).value() == "orders");
    CHECK(f.sqs.resolve("arn:aws:sqs:us-east-1:000000000000:orders").value() == "orders");
    CHECK(f.sqs.resolve("http://localhost:1/000000000000/orders").value() == "orders");
    CHECK(f.sqs.resolve("http://localhost:1/111111111111/orders").error().type ==
          sqs_errors::queue_does_not_exist);
    CHECK(f.sqs.resolve("arn:aws:sqs:us-east-1:111111111111:orders").error().type ==
          sqs_errors::queue_does_not_exist);
    CHECK(f.sqs.resolve("arn:aws:sns:us-east-1:000000000000:t").error().type ==
          sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.resolve("http://h/nope").error().type == sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.get_queue_url("missing").error().type == sqs_errors::queue_does_not_exist);
    CHECK(f.sqs.info("missing").error().code == core::errc::not_found);
}

TEST_CASE("CreateQueue is idempotent with the same attributes only",
          "[emulator][sqs][sqs_service]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {{"VisibilityTimeout", "60"}}));
    CHECK(f.sqs.create_queue("q", {{"VisibilityTimeout", "60"}}));
    CHECK(f.sqs.create_queue("q", {}));  // nothing given, nothing differs
    CHECK(f.sqs.create_queue("q", {{"VisibilityTimeout", "30"}}).error().type ==
          sqs_errors::queue_name_exists);
    CHECK(f.sqs.create_queue("q", {{"Bogus", "1"}}).error().type ==
          sqs_errors::invalid_attribute_name);
    CHECK(f.sqs.create_queue("bad name", {}).error().type == sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.create_queue("q.fifo", {}).error().type == sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.list().size() == 1);
    CHECK(f.sqs.create("q"));  // the esser API's create accepts an existing queue as it is
}

TEST_CASE("SendMessage checks the body as SQS does", "[emulator][sqs][sqs_service][bad_input]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {{"MaximumMessageSize", "1024"}}));
    CHECK(f.sqs.send_message("q", "").error().type == sqs_errors::missing_parameter);
    CHECK(f.sqs.send_message("q", std::string(1025, 'a')).error().type ==
          sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.send_message("q", std::string(1024, 'a')));
    CHECK(f.sqs.send_message("q", std::string("a\0b", 3)).error().type ==
          sqs_errors::invalid_message_contents);
    CHECK(f.sqs.send_message("q", "\xff").error().type == sqs_errors::invalid_message_contents);
    CHECK(f.sqs.send_message("q", "\xc0\x80").error().type ==  // overlong NUL
          sqs_errors::invalid_message_contents);
    CHECK(f.sqs.send_message("q", "\xef\xbf\xbe").error().type ==  // U+FFFE
          sqs_errors::invalid_message_contents);
    CHECK(f.sqs.send_message("q", "tab\there\r\n\xf0\x9f\x98\x80 \xe2\x82\xac"));
    CHECK(f.sqs.send_message("q", "x", {}, 901).error().type ==
          sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.send_message("nope", "x").error().type == sqs_errors::queue_does_not_exist);
    CHECK(f.sqs.info("q")->messages == 2);
}

TEST_CASE("PurgeQueue runs once per 60 seconds per queue", "[emulator][sqs][sqs_service]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    REQUIRE(f.sqs.send_message("q", "x"));
    REQUIRE(f.sqs.purge_queue("q"));
    CHECK(f.sqs.info("q")->messages == 0);
    CHECK(f.sqs.purge_queue("q").error().type == sqs_errors::purge_queue_in_progress);
    CHECK(f.sqs.purge("q"));  // the esser API's purge has no such rule
    f.clock.advance(60s);
    CHECK(f.sqs.purge_queue("q"));
}

TEST_CASE("ListQueues filters by prefix and pages", "[emulator][sqs][sqs_service]") {
    fixture f;
    for (auto n : {"a1", "a2", "a3", "b1"}) REQUIRE(f.sqs.create_queue(n, {}));
    CHECK(f.sqs.list_queues("a", std::nullopt, "")->urls.size() == 3);
    CHECK(f.sqs.list_queues("zzz", std::nullopt, "")->urls.empty());
    auto p1 = f.sqs.list_queues("a", 2, "");
    REQUIRE(p1);
    CHECK(p1->urls.size() == 2);
    CHECK(p1->next_token == "a2");
    auto p2 = f.sqs.list_queues("a", 2, p1->next_token);
    REQUIRE(p2);
    CHECK(p2->urls == std::vector<std::string>{"http://127.0.0.1:4566/000000000000/a3"});
    CHECK(p2->next_token.empty());
    CHECK(f.sqs.list_queues("", 0, "").error().type == sqs_errors::invalid_parameter_value);
    CHECK(f.sqs.list_queues("", std::nullopt, "a1").error().type ==
          sqs_errors::invalid_parameter_value);
}

TEST_CASE("a long poll is answered by a later send", "[emulator][sqs][sqs_service][long_poll]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    std::promise<received> answer;
    const auto ticket = f.sqs.receive({"q", 10, std::nullopt, 20},
                                      [&](received r) { answer.set_value(std::move(r)); });
    CHECK(ticket != 0);  // parked: nothing to receive yet
    auto fut = answer.get_future();
    CHECK(fut.wait_for(0ms) == std::future_status::timeout);
    REQUIRE(f.sqs.send_message("q", "wake"));
    REQUIRE(fut.wait_for(5s) == std::future_status::ready);
    auto got = fut.get();
    REQUIRE(got);
    REQUIRE(got->size() == 1);
    CHECK(got->at(0).body == "wake");
    CHECK(f.sqs.info("q")->messages == 1);  // in flight, not deleted
}

TEST_CASE("a long poll is answered when the clock ends a visibility timeout",
          "[emulator][sqs][sqs_service][long_poll]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    REQUIRE(f.sqs.send_message("q", "x"));
    std::promise<received> first;
    f.sqs.receive({"q", 1, 30, 0}, [&](received r) { first.set_value(std::move(r)); });
    REQUIRE(first.get_future().get()->size() == 1);
    std::promise<received> answer;
    CHECK(f.sqs.receive({"q", 1, std::nullopt, 20},
                        [&](received r) { answer.set_value(std::move(r)); }) != 0);
    f.clock.advance(30s);  // the timer thread notices within long_poll_recheck
    auto fut = answer.get_future();
    REQUIRE(fut.wait_for(5s) == std::future_status::ready);
    auto got = fut.get();
    REQUIRE(got->size() == 1);
    CHECK(got->at(0).receive_count == 2);
}

TEST_CASE("a long poll ends empty when its wait is over, or when its queue goes",
          "[emulator][sqs][sqs_service][long_poll]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    std::promise<received> answer;
    const auto start = std::chrono::steady_clock::now();
    f.sqs.receive({"q", 1, std::nullopt, 1}, [&](received r) { answer.set_value(std::move(r)); });
    auto fut = answer.get_future();
    REQUIRE(fut.wait_for(5s) == std::future_status::ready);
    CHECK(std::chrono::steady_clock::now() - start >= 1s);
    CHECK(fut.get()->empty());

    std::promise<received> gone;
    f.sqs.receive({"q", 1, std::nullopt, 20}, [&](received r) { gone.set_value(std::move(r)); });
    REQUIRE(f.sqs.delete_queue("q"));
    auto g = gone.get_future();
    REQUIRE(g.wait_for(0s) == std::future_status::ready);
    CHECK(g.get()->empty());
}

TEST_CASE("a cancelled long poll is never answered and takes no message",
          "[emulator][sqs][sqs_service][long_poll]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    bool called = false;
    const auto ticket = f.sqs.receive({"q", 1, std::nullopt, 20}, [&](received) { called = true; });
    REQUIRE(ticket != 0);
    f.sqs.cancel_receive(ticket);
    REQUIRE(f.sqs.send_message("q", "x"));
    CHECK_FALSE(called);
    CHECK(f.sqs.peek("q")->size() == 1);  // still visible: nobody received it
}

TEST_CASE("the queue's ReceiveMessageWaitTimeSeconds is the default wait",
          "[emulator][sqs][sqs_service][long_poll]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("polled", {{"ReceiveMessageWaitTimeSeconds", "20"}}));
    REQUIRE(f.sqs.create_queue("short", {}));
    bool answered = false;
    CHECK(f.sqs.receive({"short", 1, std::nullopt, std::nullopt},
                        [&](received r) { answered = r && r->empty(); }) == 0);
    CHECK(answered);
    const auto ticket = f.sqs.receive({"polled", 1, std::nullopt, std::nullopt}, [](received) {});
    CHECK(ticket != 0);
    f.sqs.cancel_receive(ticket);
    // WaitTimeSeconds 0 overrides it.
    CHECK(f.sqs.receive({"polled", 1, std::nullopt, 0}, [](received) {}) == 0);
}

TEST_CASE("clear answers parked polls and removes every queue", "[emulator][sqs][sqs_service]") {
    fixture f;
    REQUIRE(f.sqs.create_queue("q", {}));
    REQUIRE(f.sqs.send("q", "on-failure record"));
    CHECK(f.sqs.wait_for("q", 1, 0ms));
    CHECK_FALSE(f.sqs.wait_for("q", 2, 1ms));
    auto taken = f.sqs.take("q");
    REQUIRE(taken->size() == 1);
    CHECK(f.sqs.info("q")->messages == 0);
    CHECK(f.sqs.info("q")->sent == 1);
    bool answered = false;
    f.sqs.receive({"q", 1, std::nullopt, 20}, [&](received r) { answered = r && r->empty(); });
    f.sqs.clear();
    CHECK(answered);
    CHECK(f.sqs.list().empty());
}

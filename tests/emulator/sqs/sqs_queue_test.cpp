// Issue 13, SQS: one queue's model on a manual clock -- visibility timeouts, delays,
// retention, receipt handles, counts, and the attribute checks of CreateQueue /
// SetQueueAttributes.
#include "esser/emulator/sqs/sqs_queue.hpp"

#include <catch2/catch.hpp>

#include "esser/emulator/sqs/sqs_error.hpp"

using namespace esser::emulator;
namespace core = esser::core;
using namespace std::chrono_literals;

namespace {

sqs_queue make_queue(core::manual_clock& clock, const sqs_attribute_map& attrs = {}) {
    auto q = sqs_queue::make("q", "arn:aws:sqs:us-east-1:000000000000:q", attrs, clock.now());
    REQUIRE(q);
    return std::move(*q);
}

sqs_message message(core::id_source& ids, std::string body) {
    sqs_message m;
    m.message_id = ids.uuid();
    m.body = std::move(body);
    m.md5_of_body = md5_hex(m.body);
    return m;
}

}  // namespace

TEST_CASE("a received message is invisible until its visibility timeout ends",
          "[emulator][sqs][sqs_queue]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    auto q = make_queue(clock, {{"VisibilityTimeout", "10"}});
    q.send(message(ids, "one"), std::nullopt, clock.now());
    q.send(message(ids, "two"), std::nullopt, clock.now());

    auto got = q.receive(1, std::nullopt, clock.now(), ids);
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "one");
    CHECK(got[0].receive_count == 1);
    CHECK(got[0].first_received_at == clock.now());
    CHECK_FALSE(got[0].receipt_handle.empty());
    CHECK(q.counts(clock.now()).visible == 1);
    CHECK(q.counts(clock.now()).in_flight == 1);

    // "two" next; then nothing until 10 s passed.
    CHECK(q.receive(10, std::nullopt, clock.now(), ids).at(0).body == "two");
    CHECK(q.receive(10, std::nullopt, clock.now(), ids).empty());
    clock.advance(9999ms);
    CHECK(q.receive(10, std::nullopt, clock.now(), ids).empty());
    clock.advance(1ms);
    auto again = q.receive(10, 0, clock.now(), ids);  // VisibilityTimeout 0: stays visible
    REQUIRE(again.size() == 2);
    CHECK(again[0].receive_count == 2);
    CHECK(again[0].receipt_handle != got[0].receipt_handle);
    CHECK(q.counts(clock.now()).visible == 2);

    // Deleting with any handle of the message removes it; twice is fine.
    REQUIRE(q.delete_message(got[0].receipt_handle));
    REQUIRE(q.delete_message(got[0].receipt_handle));
    CHECK(q.counts(clock.now()).total() == 1);
}

TEST_CASE("delays and retention follow the clock", "[emulator][sqs][sqs_queue]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    auto q = make_queue(clock, {{"DelaySeconds", "5"}, {"MessageRetentionPeriod", "60"}});
    q.send(message(ids, "late"), std::nullopt, clock.now());
    q.send(message(ids, "now"), 0, clock.now());
    CHECK(q.counts(clock.now()).delayed == 1);
    CHECK(q.counts(clock.now()).visible == 1);
    CHECK(q.peek(10, clock.now()).size() == 1);
    clock.advance(5s);
    CHECK(q.counts(clock.now()).visible == 2);
    clock.advance(55s);  // 60 s after sending: both expired
    CHECK(q.counts(clock.now()).total() == 0);
    CHECK(q.receive(10, std::nullopt, clock.now(), ids).empty());
    CHECK(q.sent() == 2);
}

TEST_CASE("receipt handles that the queue never made are refused",
          "[emulator][sqs][sqs_queue][bad_input]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    auto q = make_queue(clock);
    q.send(message(ids, "x"), std::nullopt, clock.now());
    for (const std::string& bad : std::vector<std::string>{
             "", "garbage", "a:b:c", std::string(36, 'x') + ":1:zzzzzzzzzzzzzzzz",
             std::string(36, 'x') + ":-1:0123456789abcdef",
             std::string(36, 'x') + ":1:0123456789abcdef0"}) {
        INFO(bad);
        auto r = q.delete_message(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().type == sqs_errors::receipt_handle_is_invalid);
        CHECK(q.change_visibility(bad, 1, clock.now()).error().type ==
              sqs_errors::receipt_handle_is_invalid);
    }
    CHECK(q.counts(clock.now()).total() == 1);
}

TEST_CASE("ChangeMessageVisibility needs a message in flight", "[emulator][sqs][sqs_queue]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    auto q = make_queue(clock);
    q.send(message(ids, "x"), std::nullopt, clock.now());
    auto got = q.receive(1, std::nullopt, clock.now(), ids);
    REQUIRE(got.size() == 1);
    REQUIRE(q.change_visibility(got[0].receipt_handle, 0, clock.now()));
    CHECK(q.counts(clock.now()).visible == 1);
    CHECK(q.change_visibility(got[0].receipt_handle, 5, clock.now()).error().type ==
          sqs_errors::message_not_inflight);
    REQUIRE(q.delete_message(got[0].receipt_handle));
    CHECK(q.change_visibility(got[0].receipt_handle, 5, clock.now()).error().type ==
          sqs_errors::invalid_parameter_value);
}

TEST_CASE("queue attributes are checked, rendered and compared",
          "[emulator][sqs][sqs_queue][bad_input]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    auto q = make_queue(clock, {{"VisibilityTimeout", "45"}, {"Policy", "{}"}});
    auto all = q.attributes({"All"}, clock.now());
    REQUIRE(all);
    CHECK(all->at("VisibilityTimeout") == "45");
    CHECK(all->at("MessageRetentionPeriod") == "345600");
    CHECK(all->at("DelaySeconds") == "0");
    CHECK(all->at("MaximumMessageSize") == "262144");
    CHECK(all->at("ReceiveMessageWaitTimeSeconds") == "0");
    CHECK(all->at("QueueArn") == "arn:aws:sqs:us-east-1:000000000000:q");
    CHECK(all->at("ApproximateNumberOfMessages") == "0");
    CHECK(all->at("ApproximateNumberOfMessagesNotVisible") == "0");
    CHECK(all->at("ApproximateNumberOfMessagesDelayed") == "0");
    CHECK(all->at("CreatedTimestamp") == std::to_string(core::to_epoch_ms(clock.now()) / 1000));
    CHECK(all->at("Policy") == "{}");
    auto some = q.attributes({"QueueArn", "RedrivePolicy"}, clock.now());
    REQUIRE(some);
    CHECK(some->size() == 1);  // RedrivePolicy was never set
    CHECK(q.attributes({"Nope"}, clock.now()).error().type == sqs_errors::invalid_attribute_name);

    CHECK(q.has_attributes({{"VisibilityTimeout", "45"}}));
    CHECK(q.has_attributes({}));
    CHECK_FALSE(q.has_attributes({{"VisibilityTimeout", "30"}}));

    struct bad_case {
        std::string name, value;
        std::string_view type;
    };

    for (const auto& c : std::vector<bad_case>{
             {"VisibilityTimeout", "43201", sqs_errors::invalid_attribute_value},
             {"VisibilityTimeout", "-1", sqs_errors::invalid_attribute_value},
             {"VisibilityTimeout", "ten", sqs_errors::invalid_attribute_value},
             {"VisibilityTimeout", "", sqs_errors::invalid_attribute_value},
             {"MessageRetentionPeriod", "59", sqs_errors::invalid_attribute_value},
             {"DelaySeconds", "901", sqs_errors::invalid_attribute_value},
             {"MaximumMessageSize", "1023", sqs_errors::invalid_attribute_value},
             {"ReceiveMessageWaitTimeSeconds", "21", sqs_errors::invalid_attribute_value},
             {"QueueArn", "x", sqs_errors::invalid_attribute_name},
             {"Colour", "red", sqs_errors::invalid_attribute_name},
             {"FifoQueue", "true", sqs_errors::invalid_parameter_value},
         }) {
        INFO(c.name << "=" << c.value);
        auto r = q.set_attributes({{"Policy", "changed"}, {c.name, c.value}}, clock.now());
        REQUIRE_FALSE(r);
        CHECK(r.error().type == c.type);
    }
    // Nothing was applied by the refused calls.
    CHECK(q.attributes({"Policy"}, clock.now())->at("Policy") == "{}");
}

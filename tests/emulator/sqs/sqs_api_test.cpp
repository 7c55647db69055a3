// Issue 13, SQS: the actions in the JSON protocol's shapes -- members in and out, and the
// errors for missing, mistyped and out-of-range members.
#include "esser/emulator/sqs/sqs_api.hpp"

#include <catch2/catch.hpp>

#include "esser/emulator/sqs/sqs_error.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

using namespace esser::emulator;
namespace core = esser::core;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct fixture {
    core::manual_clock clock;
    core::seeded_id_source ids{5};
    sqs_service sqs{clock, ids};
    sqs_api api{sqs};
    std::string url;

    fixture() {
        auto r = api.call_now("CreateQueue", {{"QueueName", "q"}});
        REQUIRE(r);
        url = r->at("QueueUrl").get<std::string>();
    }

    std::string error_of(std::string_view op, const json& req) {
        auto r = api.call_now(op, req);
        REQUIRE_FALSE(r);
        return r.error().type;
    }
};

}  // namespace

TEST_CASE("send, receive with attributes, delete", "[emulator][sqs][sqs_api]") {
    fixture f;
    CHECK(f.url == "http://127.0.0.1:8000/000000000000/q");
    auto sent = f.api.call_now("SendMessage",
                               {{"QueueUrl", f.url},
                                {"MessageBody", "hello"},
                                {"MessageAttributes",
                                 {{"kind", {{"DataType", "String"}, {"StringValue", "poison"}}},
                                  {"blob", {{"DataType", "Binary"}, {"BinaryValue", "AP8="}}}}}});
    REQUIRE(sent);
    CHECK(sent->at("MD5OfMessageBody") == "5d41402abc4b2a76b9719d911017c592");
    CHECK(sent->at("MessageId").get<std::string>().size() == 36);
    CHECK(sent->at("MD5OfMessageAttributes").get<std::string>().size() == 32);

    f.clock.advance(1500ms);
    auto got = f.api.call_now("ReceiveMessage", {{"QueueUrl", f.url},
                                                 {"MaxNumberOfMessages", 10},
                                                 {"AttributeNames", {"All"}},
                                                 {"MessageAttributeNames", {"All"}}});
    REQUIRE(got);
    REQUIRE(got->at("Messages").size() == 1);
    const json& m = got->at("Messages")[0];
    CHECK(m["MessageId"] == sent->at("MessageId"));
    CHECK(m["Body"] == "hello");
    CHECK(m["MD5OfBody"] == "5d41402abc4b2a76b9719d911017c592");
    CHECK(m["Attributes"]["ApproximateReceiveCount"] == "1");
    CHECK(m["Attributes"]["SentTimestamp"] ==
          std::to_string(core::to_epoch_ms(f.clock.now()) - 1500));
    CHECK(m["Attributes"]["ApproximateFirstReceiveTimestamp"] ==
          std::to_string(core::to_epoch_ms(f.clock.now())));
    CHECK(m["Attributes"]["SenderId"] == "000000000000");
    CHECK(m["MessageAttributes"]["kind"] ==
          json{{"DataType", "String"}, {"StringValue", "poison"}});
    CHECK(m["MessageAttributes"]["blob"] == json{{"DataType", "Binary"}, {"BinaryValue", "AP8="}});
    CHECK(m["MD5OfMessageAttributes"] == sent->at("MD5OfMessageAttributes"));

    // Nothing visible now: no "Messages" member at all (as AWS answers).
    auto none = f.api.call_now("ReceiveMessage", {{"QueueUrl", f.url}});
    REQUIRE(none);
    CHECK(*none == json::object());

    auto attrs = f.api.call_now(
        "GetQueueAttributes",
        {{"QueueUrl", f.url},
         {"AttributeNames",
          {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "QueueArn"}}});
    REQUIRE(attrs);
    CHECK(attrs->at("Attributes") == json{{"ApproximateNumberOfMessages", "0"},
                                          {"ApproximateNumberOfMessagesNotVisible", "1"},
                                          {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"}});

    REQUIRE(f.api.call_now("DeleteMessage",
                           {{"QueueUrl", f.url}, {"ReceiptHandle", m["ReceiptHandle"]}}));
    CHECK(f.sqs.info("q")->messages == 0);
}

TEST_CASE("only the message attributes asked for come back", "[emulator][sqs][sqs_api]") {
    fixture f;
    REQUIRE(f.api.call_now("SendMessage",
                           {{"QueueUrl", f.url},
                            {"MessageBody", "x"},
                            {"MessageAttributes",
                             {{"trace.id", {{"DataType", "String"}, {"StringValue", "1"}}},
                              {"trace.parent", {{"DataType", "Number"}, {"StringValue", "2"}}},
                              {"other", {{"DataType", "String.custom"}, {"StringValue", "3"}}}}}}));
    auto got = f.api.call_now(
        "ReceiveMessage",
        {{"QueueUrl", f.url}, {"VisibilityTimeout", 0}, {"MessageAttributeNames", {"trace.*"}}});
    REQUIRE(got);
    const json& m = got->at("Messages")[0];
    CHECK(m["MessageAttributes"].size() == 2);
    CHECK_FALSE(m.contains("Attributes"));
    auto plain = f.api.call_now("ReceiveMessage", {{"QueueUrl", f.url}});
    CHECK_FALSE(plain->at("Messages")[0].contains("MessageAttributes"));
    CHECK_FALSE(plain->at("Messages")[0].contains("MD5OfMessageAttributes"));
}

TEST_CASE("missing, mistyped and out-of-range members get SQS's errors",
          "[emulator][sqs][sqs_api][bad_input]") {
    fixture f;
    using namespace sqs_errors;
    CHECK(f.error_of("CreateQueue", json::object()) == missing_parameter);
    CHECK(f.error_of("CreateQueue", {{"QueueName", 7}}) == invalid_parameter_value);
    CHECK(f.error_of("CreateQueue", {{"QueueName", "x"}, {"Attributes", "no"}}) ==
          invalid_parameter_value);
    CHECK(f.error_of("CreateQueue", {{"QueueName", "x"}, {"Attributes", {{"DelaySeconds", 5}}}}) ==
          invalid_parameter_value);
    CHECK(f.error_of("SendMessage", {{"QueueUrl", f.url}}) == missing_parameter);
    CHECK(f.error_of("SendMessage", {{"MessageBody", "x"}}) == missing_parameter);
    CHECK(f.error_of("SendMessage",
                     {{"QueueUrl", f.url}, {"MessageBody", "x"}, {"DelaySeconds", 901}}) ==
          invalid_parameter_value);
    CHECK(f.error_of("SendMessage", {{"QueueUrl", f.url},
                                     {"MessageBody", "x"},
                                     {"MessageAttributes",
                                      {{"a", {{"DataType", "Date"}, {"StringValue", "1"}}}}}}) ==
          invalid_parameter_value);
    CHECK(f.error_of("SendMessage", {{"QueueUrl", f.url},
                                     {"MessageBody", "x"},
                                     {"MessageAttributes", {{"a", {{"DataType", "String"}}}}}}) ==
          invalid_parameter_value);
    CHECK(f.error_of("SendMessage", {{"QueueUrl", f.url},
                                     {"MessageBody", "x"},
                                     {"MessageAttributes",
                                      {{"a", {{"DataType", "Binary"}, {"BinaryValue", "!!"}}}}}}) ==
          invalid_parameter_value);
    CHECK(f.error_of("SendMessage",
                     {{"QueueUrl", f.url},
                      {"MessageBody", "x"},
                      {"MessageAttributes",
                       {{"bad name", {{"DataType", "String"}, {"StringValue", "1"}}}}}}) ==
          invalid_parameter_value);
    json eleven = json::object();
    for (int i = 0; i < 11; ++i)
        eleven["a" + std::to_string(i)] = {{"DataType", "String"}, {"StringValue", "1"}};
    CHECK(f.error_of("SendMessage",
                     {{"QueueUrl", f.url}, {"MessageBody", "x"}, {"MessageAttributes", eleven}}) ==
          invalid_parameter_value);
    for (const auto& bad : {json{{"MaxNumberOfMessages", 0}}, json{{"MaxNumberOfMessages", 11}},
                            json{{"MaxNumberOfMessages", "1"}}, json{{"VisibilityTimeout", 43201}},
                            json{{"WaitTimeSeconds", 21}}, json{{"WaitTimeSeconds", -1}},
                            json{{"WaitTimeSeconds", 1.5}}, json{{"AttributeNames", "All"}}}) {
        json req = bad;
        req["QueueUrl"] = f.url;
        INFO(req.dump());
        CHECK(f.error_of("ReceiveMessage", req) == invalid_parameter_value);
    }
    CHECK(f.error_of("ReceiveMessage", json::object()) == missing_parameter);
    CHECK(f.error_of("ReceiveMessage", {{"QueueUrl", "http://h/000000000000/none"}}) ==
          queue_does_not_exist);
    CHECK(f.error_of("DeleteMessage", {{"QueueUrl", f.url}, {"ReceiptHandle", "forged"}}) ==
          receipt_handle_is_invalid);
    CHECK(f.error_of("ChangeMessageVisibility",
                     {{"QueueUrl", f.url}, {"ReceiptHandle", "forged"}}) == missing_parameter);
    CHECK(f.error_of("GetQueueUrl", {{"QueueName", "none"}}) == queue_does_not_exist);
    CHECK(f.error_of("GetQueueUrl", {{"QueueName", "q"}, {"QueueOwnerAWSAccountId", "1"}}) ==
          queue_does_not_exist);
    CHECK(f.error_of("GetQueueAttributes", {{"QueueUrl", f.url}, {"AttributeNames", {"Bogus"}}}) ==
          invalid_attribute_name);
    CHECK(f.error_of("ListQueues", {{"MaxResults", 1001}}) == invalid_parameter_value);
    CHECK(f.error_of("SendMessageBatch", json::object()) == unknown_operation);
    CHECK(f.error_of("SendMessage", json::array()) == serialization);
}

TEST_CASE("ListQueues, SetQueueAttributes, PurgeQueue and DeleteQueue",
          "[emulator][sqs][sqs_api]") {
    fixture f;
    REQUIRE(f.api.call_now("CreateQueue", {{"QueueName", "q2"}}));
    auto all = f.api.call_now("ListQueues", json::object());
    REQUIRE(all);
    CHECK(all->at("QueueUrls").size() == 2);
    auto none = f.api.call_now("ListQueues", {{"QueueNamePrefix", "zz"}});
    CHECK(*none == json::object());
    auto page = f.api.call_now("ListQueues", {{"MaxResults", 1}});
    CHECK(page->at("NextToken") == "q");
    REQUIRE(f.api.call_now("SetQueueAttributes",
                           {{"QueueUrl", f.url}, {"Attributes", {{"VisibilityTimeout", "5"}}}}));
    CHECK(f.api
              .call_now("GetQueueAttributes",
                        {{"QueueUrl", f.url}, {"AttributeNames", {"VisibilityTimeout"}}})
              ->at("Attributes")["VisibilityTimeout"] == "5");
    REQUIRE(f.api.call_now("SendMessage", {{"QueueUrl", f.url}, {"MessageBody", "x"}}));
    REQUIRE(f.api.call_now("PurgeQueue", {{"QueueUrl", f.url}}));
    CHECK(f.sqs.info("q")->messages == 0);
    REQUIRE(f.api.call_now("DeleteQueue", {{"QueueUrl", f.url}}));
    CHECK(f.error_of("DeleteQueue", {{"QueueUrl", f.url}}) == sqs_errors::queue_does_not_exist);
}

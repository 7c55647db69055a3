// Issue 13, SQS query protocol: forms in (flattened lists and maps, malformed escapes and
// indexes), XML out (results, flattened members, errors, escaping).
#include "esser/emulator/sqs/sqs_query_codec.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;
using nlohmann::json;

TEST_CASE("forms are decoded and flattened parameters become JSON members",
          "[emulator][sqs][sqs_query_codec]") {
    // What Debian's aws cli 2.9 sends for create-queue and send-message.
    auto p = parse_form(
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A8000%"
        "2F000000000000%2Fq"
        "&MessageBody=hi+there%21&DelaySeconds=3&MessageAttribute.1.Name=a"
        "&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x"
        "&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary"
        "&MessageAttribute.2.Value.BinaryValue=AP8%3D&&Tag.1.Key=k&Tag.1.Value=v");
    REQUIRE(p);
    CHECK(*form_value(*p, "Action") == "SendMessage");
    CHECK(form_value(*p, "Nope") == nullptr);
    auto j = form_to_json(*p);
    REQUIRE(j);
    CHECK(*j == json{{"QueueUrl", "http://127.0.0.1:8000/000000000000/q"},
                     {"MessageBody", "hi there!"},
                     {"DelaySeconds", 3},
                     {"MessageAttributes",
                      {{"a", {{"DataType", "String"}, {"StringValue", "x"}}},
                       {"b", {{"DataType", "Binary"}, {"BinaryValue", "AP8="}}}}}});

    auto c = form_to_json(*parse_form(
        "Action=CreateQueue&QueueName=q&Attribute.2.Name=DelaySeconds&Attribute.2.Value=0"
        "&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5"));
    REQUIRE(c);
    CHECK(*c == json{{"QueueName", "q"},
                     {"Attributes", {{"VisibilityTimeout", "5"}, {"DelaySeconds", "0"}}}});

    auto r = form_to_json(*parse_form(
        "Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=2&AttributeName.2=SentTimestamp"
        "&AttributeName.1=All&MessageAttributeName.1=All&WaitTimeSeconds=x"));
    REQUIRE(r);
    CHECK(r->at("MaxNumberOfMessages") == 2);
    CHECK(r->at("AttributeNames") == json{"All", "SentTimestamp"});  // by index
    CHECK(r->at("MessageAttributeNames") == json{"All"});
    CHECK(r->at("WaitTimeSeconds") == "x");  // left for sqs_api to refuse
}

TEST_CASE("malformed forms are refused with SQS's errors",
          "[emulator][sqs][sqs_query_codec][bad_input]") {
    CHECK(parse_form("Action=ListQueues&QueueNamePrefix=%zz").error().type ==
          sqs_errors::malformed_query_string);
    CHECK(parse_form("Action=ListQueues&%").error().type == sqs_errors::malformed_query_string);
    CHECK(parse_form("").value().empty());
    CHECK(parse_form("Action").value().at(0).second.empty());
    CHECK(form_to_json(*parse_form("Attribute.1.Value=5")).error().type ==
          sqs_errors::missing_parameter);
    CHECK(form_to_json(*parse_form("MessageAttribute.1.Value.DataType=String")).error().type ==
          sqs_errors::missing_parameter);
    CHECK(form_to_json(*parse_form("Attribute.x.Name=a")).error().type ==
          sqs_errors::invalid_parameter_value);
    CHECK(form_to_json(*parse_form("AttributeName.0=All")).error().type ==
          sqs_errors::invalid_parameter_value);
    CHECK(form_to_json(*parse_form("MessageAttribute.99999999.Name=a")).error().type ==
          sqs_errors::invalid_parameter_value);
}

TEST_CASE("results render as SQS's XML", "[emulator][sqs][sqs_query_codec]") {
    CHECK(query_response_xml("CreateQueue", {{"QueueUrl", "http://h/0/q"}}, "rid") ==
          "<?xml version=\"1.0\"?><CreateQueueResponse "
          "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>"
          "http://h/0/q</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>rid"
          "</RequestId></ResponseMetadata></CreateQueueResponse>");
    CHECK(query_response_xml("DeleteMessage", json::object(), "r") ==
          "<?xml version=\"1.0\"?><DeleteMessageResponse "
          "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ResponseMetadata><RequestId>r"
          "</RequestId></ResponseMetadata></DeleteMessageResponse>");
    CHECK(
        query_response_xml("ReceiveMessage", json::object(), "r").find("<ReceiveMessageResult/>") !=
        std::string::npos);
    const json msg = {
        {"Messages",
         {{{"MessageId", "m"},
           {"Body", "<a & 'b'>\r\n"},
           {"Attributes", {{"SentTimestamp", "1"}}},
           {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}}}}};
    const std::string xml = query_response_xml("ReceiveMessage", msg, "r");
    // Members come in any order (XML parsers do not care); each renders as SQS renders it.
    CHECK(xml.find("<ReceiveMessageResult><Message>") != std::string::npos);
    CHECK(xml.find("</Message></ReceiveMessageResult>") != std::string::npos);
    CHECK(xml.find("<MessageId>m</MessageId>") != std::string::npos);
    CHECK(xml.find("<Body>&lt;a &amp; &apos;b&apos;&gt;&#xD;\n</Body>") != std::string::npos);
    CHECK(xml.find("<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>") !=
          std::string::npos);
    CHECK(xml.find("<MessageAttribute><Name>k</Name><Value><DataType>String</DataType>"
                   "<StringValue>v</StringValue></Value></MessageAttribute>") != std::string::npos);
    CHECK(query_response_xml("ListQueues", {{"QueueUrls", {"u1", "u2"}}}, "r")
              .find("<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>"
                    "</ListQueuesResult>") != std::string::npos);
}

TEST_CASE("errors render as SQS's XML error response", "[emulator][sqs][sqs_query_codec]") {
    const auto wire = to_sqs_wire_error(
        sqs_error(sqs_errors::queue_does_not_exist, "The specified queue does not exist."));
    CHECK(wire.query_code == "AWS.SimpleQueueService.NonExistentQueue");
    CHECK(wire.json_type == "com.amazonaws.sqs#QueueDoesNotExist");
    CHECK(wire.status == 400);
    CHECK(query_error_xml(wire, "The specified queue does not exist.", "rid") ==
          "<?xml version=\"1.0\"?><ErrorResponse "
          "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type>"
          "<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue "
          "does not exist.</Message><Detail/></Error><RequestId>rid</RequestId></ErrorResponse>");
    // A core error that is not an SQS one is an internal failure.
    const auto internal = to_sqs_wire_error(esser::core::error::internal("boom"));
    CHECK(internal.status == 500);
    CHECK(internal.fault == "Receiver");
    CHECK(to_sqs_wire_error(sqs_error(sqs_errors::purge_queue_in_progress, "")).status == 403);
}

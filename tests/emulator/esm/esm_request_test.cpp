// Issue 5 "Event source mappings", control plane (spec/streams-and-lambda.md §4.1): every
// parameter's defaults, ranges and AWS messages; the create answer's shape and states; the
// existence checks (function, stream) and the duplicate-mapping conflict; update and delete.
#include "esser/emulator/esm/esm_request.hpp"

#include "esm_test_support.hpp"

using namespace esser::emulator;
using namespace esser::emulator::testing;
using nlohmann::json;

namespace {

const char* arn = "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2024-01-01T00:00:00.000";

json body(json extra = json::object()) {
    json b = {{"EventSourceArn", arn}, {"FunctionName", "f"}, {"StartingPosition", "LATEST"}};
    for (auto& [k, v] : extra.items()) b[k] = v;
    return b;
}

esser::core::error create_error(const json& b) {
    auto r = parse_create_request(b);
    REQUIRE_FALSE(r);
    return r.error();
}

}  // namespace

TEST_CASE("CreateEventSourceMapping defaults are AWS's for a DynamoDB stream",
          "[emulator][esm][request]") {
    auto c = parse_create_request(body());
    REQUIRE(c);
    CHECK(c->batch_size == 100);
    CHECK(c->maximum_batching_window_s == 0);
    CHECK(c->maximum_retry_attempts == -1);
    CHECK(c->maximum_record_age_s == -1);
    CHECK_FALSE(c->bisect_batch_on_function_error);
    CHECK(c->parallelization_factor == 1);
    CHECK(c->on_failure_destination.empty());
    CHECK_FALSE(c->report_batch_item_failures);
    CHECK(c->filter_patterns.empty());
    CHECK(c->tumbling_window_s == 0);
    CHECK(c->enabled);
    CHECK(c->starting_position == esm_starting_position::LATEST);
}

TEST_CASE("out-of-range parameters are listed in one ValidationException, in AWS's words",
          "[emulator][esm][request]") {
    auto e = create_error(body({{"BatchSize", 0}, {"ParallelizationFactor", 11}}));
    CHECK(e.type == "ValidationException");
    CHECK(e.message ==
          "2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1; Value '11' at "
          "'parallelizationFactor' failed to satisfy constraint: Member must have value less "
          "than or equal to 10");
    for (const auto& [name, value] :
         std::vector<std::pair<std::string, json>>{{"BatchSize", 10001},
                                                   {"MaximumBatchingWindowInSeconds", 301},
                                                   {"MaximumRetryAttempts", -2},
                                                   {"MaximumRetryAttempts", 10001},
                                                   {"MaximumRecordAgeInSeconds", 604801},
                                                   {"TumblingWindowInSeconds", 901},
                                                   {"ParallelizationFactor", 0}}) {
        INFO(name << " = " << value);
        CHECK(create_error(body({{name, value}})).type == "ValidationException");
    }
    CHECK(create_error(body({{"FunctionResponseTypes", {"Nope"}}})).type == "ValidationException");
    CHECK(create_error(body({{"StartingPosition", "EARLIEST"}}))
              .message.find("[LATEST, AT_TIMESTAMP, TRIM_HORIZON]") != std::string::npos);
}

TEST_CASE("service rules answer InvalidParameterValueException with AWS's text",
          "[emulator][esm][request]") {
    CHECK(create_error(body({{"MaximumRecordAgeInSeconds", 59}})).message ==
          "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
          "(inclusive)");
    json no_position = body();
    no_position.erase("StartingPosition");
    auto e = create_error(no_position);
    CHECK(e.type == "InvalidParameterValueException");
    CHECK(e.message ==
          "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
          "constraint: Member must not be null.");
    CHECK(create_error(body({{"StartingPosition", "AT_TIMESTAMP"}})).message ==
          std::string("Unsupported starting position for arn type: ") + arn);
    CHECK(create_error(body({{"DestinationConfig",
                              {{"OnSuccess", {{"Destination", "arn:aws:sqs:us-east-1:1:q"}}}}}}))
              .message ==
          "Unsupported DestinationConfig parameter for given event source "
          "mapping type.");
    CHECK(create_error(body({{"FilterCriteria", {{"Filters", {{{"Pattern", "{\"a\": 1}"}}}}}}}))
              .message == "Invalid filter pattern definition.");
    json six = json::array();
    for (int i = 0; i < 6; ++i) six.push_back({{"Pattern", R"({"eventName":["INSERT"]})"}});
    CHECK(create_error(body({{"FilterCriteria", {{"Filters", six}}}})).type ==
          "InvalidParameterValueException");
    json no_arn = body();
    no_arn.erase("EventSourceArn");
    CHECK(create_error(no_arn).message == "Unrecognized event source.");
}

TEST_CASE("request bodies of the wrong types are InvalidRequestContentException",
          "[emulator][esm][request][bad_input]") {
    CHECK(create_error(json::array()).type == "InvalidRequestContentException");
    CHECK(create_error(body({{"BatchSize", "10"}})).type == "InvalidRequestContentException");
    CHECK(create_error(body({{"Enabled", 1}})).type == "InvalidRequestContentException");
    CHECK(create_error(body({{"BatchSize", 1.5}})).type == "InvalidRequestContentException");
    CHECK(create_error(body({{"FilterCriteria", {{"Filters", {{{"Pattern", 3}}}}}}})).type ==
          "InvalidRequestContentException");
    // A huge number stays a range error, not an overflow.
    CHECK(create_error(body({{"BatchSize", 18446744073709551615ULL}})).type ==
          "ValidationException");
}

TEST_CASE(
    "create checks the function and the stream, answers Creating, then the mapping is "
    "Enabled",
    "[emulator][esm][service]") {
    esm_fixture f;
    json b = {{"EventSourceArn", f.stream_arn},
              {"FunctionName", "missing"},
              {"StartingPosition", "TRIM_HORIZON"}};
    auto e = f.esm.create(*parse_create_request(b));
    REQUIRE_FALSE(e);
    CHECK(e.error().type == "ResourceNotFoundException");

    f.add_function("f");
    b["FunctionName"] = "f";
    const std::string unknown = f.stream_arn + "0";
    b["EventSourceArn"] = unknown;
    e = f.esm.create(*parse_create_request(b));
    REQUIRE_FALSE(e);
    CHECK(e.error().type == "InvalidParameterValueException");
    CHECK(e.error().message == "Stream not found: " + unknown);

    b["EventSourceArn"] = f.stream_arn;
    auto created = f.esm.create(*parse_create_request(b));
    REQUIRE(created);
    CHECK(created->state == esm_state::Creating);
    const json j = esm_to_json(*created);
    CHECK(j["State"] == "Creating");
    CHECK(j["StateTransitionReason"] == "User action");
    CHECK(j["LastProcessingResult"] == "No records processed");
    CHECK(j["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:f");
    CHECK(j["EventSourceMappingArn"] ==
          "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + created->uuid);
    CHECK(j["DestinationConfig"] == json{{"OnFailure", json::object()}});
    CHECK(j["FunctionResponseTypes"] == json::array());
    CHECK(j["MaximumRecordAgeInSeconds"] == -1);
    CHECK(j["BisectBatchOnFunctionError"] == false);
    CHECK(j["TumblingWindowInSeconds"] == 0);
    CHECK(j["StartingPosition"] == "TRIM_HORIZON");
    CHECK(j["LastModified"].is_number());
    CHECK(f.esm.get(created->uuid)->state == esm_state::Enabled);

    // The same stream and function again: 409 with AWS's text.
    auto dup = f.esm.create(*parse_create_request(b));
    REQUIRE_FALSE(dup);
    CHECK(dup.error().type == "ResourceConflictException");
    CHECK(dup.error().message ==
          "The event source arn (\" " + f.stream_arn +
              " \") and function (\" f \") provided mapping already exists. Please update or "
              "delete the existing mapping with UUID " +
              created->uuid);
    // Also when the function is named by its ARN.
    b["FunctionName"] = "arn:aws:lambda:us-east-1:000000000000:function:f";
    CHECK(f.esm.create(*parse_create_request(b)).error().type == "ResourceConflictException");
}

TEST_CASE("list filters by stream and function; update and delete answer AWS's states",
          "[emulator][esm][service]") {
    esm_fixture f;
    f.add_function("f");
    f.add_function("g");
    const auto a = f.map({}, "f");
    const auto b = f.map({}, "g");
    CHECK(f.esm.list().size() == 2);
    CHECK(f.esm.list(f.stream_arn).size() == 2);
    REQUIRE(f.esm.list({}, "g").size() == 1);
    CHECK(f.esm.list({}, "g")[0].uuid == b);
    CHECK(f.esm.list("arn:aws:dynamodb:us-east-1:000000000000:table/X/stream/x").empty());

    auto u = f.esm.update(a, json{{"BatchSize", 7}, {"MaximumRetryAttempts", 2}});
    REQUIRE(u);
    CHECK(u->state == esm_state::Updating);
    CHECK(f.esm.get(a)->config.batch_size == 7);
    CHECK(f.esm.get(a)->config.maximum_retry_attempts == 2);
    // A bad update changes nothing.
    CHECK(f.esm.update(a, json{{"BatchSize", 0}}).error().type == "ValidationException");
    CHECK(f.esm.get(a)->config.batch_size == 7);
    // Moving a's function onto g's would duplicate b.
    CHECK(f.esm.update(a, json{{"FunctionName", "g"}}).error().type == "ResourceConflictException");
    CHECK(f.esm.update(a, json{{"FunctionName", "nope"}}).error().type ==
          "ResourceNotFoundException");
    CHECK(f.esm.update("0000", json::object()).error().type == "ResourceNotFoundException");

    auto d = f.esm.remove(a);
    REQUIRE(d);
    CHECK(d->state == esm_state::Deleting);
    CHECK(f.esm.get(a).error().type == "ResourceNotFoundException");
    CHECK(f.esm.get(a).error().message == "The resource you requested does not exist.");
    CHECK(f.esm.remove(a).error().type == "ResourceNotFoundException");
    CHECK(f.esm.list().size() == 1);
}

TEST_CASE("an OnFailure queue must exist and be an SQS queue ARN", "[emulator][esm][service]") {
    // Issue 13: the destination is a real SQS queue users create and read with their client;
    // a missing one is refused at once (create and update), never auto-created.
    esm_fixture f;
    f.add_function("f");
    const std::string missing = "arn:aws:sqs:us-east-1:000000000000:missing";
    auto cfg =
        parse_create_request({{"EventSourceArn", f.stream_arn},
                              {"FunctionName", "f"},
                              {"StartingPosition", "TRIM_HORIZON"},
                              {"DestinationConfig", {{"OnFailure", {{"Destination", missing}}}}}});
    REQUIRE(cfg);
    auto made = f.esm.create(*cfg);
    REQUIRE_FALSE(made);
    CHECK(made.error().type == "InvalidParameterValueException");
    CHECK(f.esm.list().empty());
    CHECK_FALSE(f.queues.info("missing"));
    const auto uuid =
        f.map({{"DestinationConfig", {{"OnFailure", {{"Destination", f.dlq_arn()}}}}}});
    auto upd =
        f.esm.update(uuid, {{"DestinationConfig", {{"OnFailure", {{"Destination", missing}}}}}});
    REQUIRE_FALSE(upd);
    CHECK(upd.error().type == "InvalidParameterValueException");
    CHECK(f.esm.get(uuid)->config.on_failure_destination == f.dlq_arn());
    for (const char* bad : {"arn:aws:sns:us-east-1:1:t", "arn:aws:sqs:us-east-1:1:bad name",
                            "https://sqs.us-east-1.amazonaws.com/1/q"}) {
        INFO(bad);
        CHECK(create_error(body({{"DestinationConfig", {{"OnFailure", {{"Destination", bad}}}}}}))
                  .type == "InvalidParameterValueException");
    }
}

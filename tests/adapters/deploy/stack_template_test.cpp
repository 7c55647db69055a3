// Issue 10 (templates): the CloudFormation/SAM template generated from a domain file. cfn-lint
// is not in Debian and `aws cloudformation validate-template` needs AWS, so the checks are
// structural and done here: every Ref / Fn::GetAtt / Fn::Sub variable resolves to a parameter, a
// resource (with an attribute that resource type has) or a pseudo parameter; every parameter is
// used; resource types are the ones expected per format; IAM statements are least privilege (no
// wildcard actions or resources, exactly the actions each function needs); the domain's
// x-deployment settings reach the mapping and functions, and bad settings are refused by pointer.
#include "esser/adapters/deploy/stack_template.hpp"

#include <fstream>
#include <map>
#include <set>

#include "adapters/deploy/template_checks.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace esser;
using esser::testing::check_references;
using namespace esser::adapters;
using nlohmann::json;

namespace {

json shop_doc() {
    std::ifstream in(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    REQUIRE(in);
    return json::parse(in);
}

std::set<std::string> actions_of(const json& statements) {
    std::set<std::string> out;
    for (const auto& s : statements) {
        CHECK(s["Effect"] == "Allow");
        for (const auto& a : s["Action"]) {
            const std::string action = a;
            CHECK(action.find('*') == std::string::npos);
            out.insert(action);
        }
        for (const auto& r : s["Resource"]) CHECK(r != "*");
    }
    return out;
}

const std::set<std::string> logs{"logs:CreateLogGroup", "logs:CreateLogStream",
                                 "logs:PutLogEvents"};

std::set<std::string> with_logs(std::set<std::string> s) {
    s.insert(logs.begin(), logs.end());
    return s;
}

}  // namespace

TEST_CASE("cloudformation template has the tables, functions, mapping and queue of DESIGN.md",
          "[adapters][deploy][stack_template]") {
    auto s = deployment_settings::from_domain(shop_doc());
    REQUIRE(s);
    const json t = generate_stack_template(*s, template_format::cloudformation);
    CHECK(t["AWSTemplateFormatVersion"] == "2010-09-09");
    CHECK_FALSE(t.contains("Transform"));
    check_references(t);
    const json& r = t["Resources"];
    std::map<std::string, std::string> types;
    for (const auto& [k, v] : r.items()) types[k] = v["Type"];
    CHECK(types == std::map<std::string, std::string>{
                       {"EventsTable", "AWS::DynamoDB::Table"},
                       {"SnapshotsTable", "AWS::DynamoDB::Table"},
                       {"FailureQueue", "AWS::SQS::Queue"},
                       {"CommandFunctionRole", "AWS::IAM::Role"},
                       {"ProjectionFunctionRole", "AWS::IAM::Role"},
                       {"CommandFunction", "AWS::Lambda::Function"},
                       {"ProjectionFunction", "AWS::Lambda::Function"},
                       {"ProjectionMapping", "AWS::Lambda::EventSourceMapping"}});
    const json& events = r["EventsTable"]["Properties"];
    CHECK(events["KeySchema"] == json::parse(R"([{"AttributeName":"pk","KeyType":"HASH"},
                                                 {"AttributeName":"v","KeyType":"RANGE"}])"));
    CHECK(events["AttributeDefinitions"][1] ==
          json{{"AttributeName", "v"}, {"AttributeType", "N"}});
    CHECK(events["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE");
    CHECK(events["BillingMode"] == "PAY_PER_REQUEST");
    CHECK(r["SnapshotsTable"]["Properties"]["BillingMode"] == "PAY_PER_REQUEST");
    for (const char* f : {"CommandFunction", "ProjectionFunction"}) {
        INFO(f);
        CHECK(r[f]["Properties"]["Runtime"] == "provided.al2023");
    }
    CHECK(r["CommandFunction"]["Properties"]["Handler"] == "command");
    CHECK(r["ProjectionFunction"]["Properties"]["Handler"] == "stream");
    CHECK(r["CommandFunction"]["Properties"]["Environment"]["Variables"]["ESSER_EVENTS_TABLE"] ==
          json{{"Ref", "EventsTable"}});
    const json& m = r["ProjectionMapping"]["Properties"];
    CHECK(m["FunctionResponseTypes"] == json::array({"ReportBatchItemFailures"}));
    CHECK(m["EventSourceArn"] == json{{"Fn::GetAtt", {"EventsTable", "StreamArn"}}});
    CHECK(m["DestinationConfig"]["OnFailure"]["Destination"] ==
          json{{"Fn::GetAtt", {"FailureQueue", "Arn"}}});

    // Least privilege: exactly the actions each function uses, on its own resources.
    const json& cmd =
        r["CommandFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    CHECK(actions_of(cmd) == with_logs({"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}));
    CHECK(cmd[0]["Resource"] == json::array({json{{"Fn::GetAtt", {"EventsTable", "Arn"}}},
                                             json{{"Fn::GetAtt", {"SnapshotsTable", "Arn"}}}}));
    const json& proj =
        r["ProjectionFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    CHECK(actions_of(proj) ==
          with_logs({"dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeStream",
                     "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
                     "sqs:SendMessage"}));
    CHECK(proj[0]["Resource"] == cmd[0]["Resource"]);  // reads only: its own two tables
    // The projection function knows its tables and its read store (parameter ReadStore).
    const json& penv = r["ProjectionFunction"]["Properties"]["Environment"]["Variables"];
    CHECK(penv["ESSER_EVENTS_TABLE"] == json{{"Ref", "EventsTable"}});
    CHECK(penv["ESSER_READ_STORE"] == json{{"Ref", "ReadStore"}});
    CHECK(t["Parameters"]["ReadStore"]["Default"] == "");
    CHECK(r["CommandFunctionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
           ["Principal"]["Service"] == "lambda.amazonaws.com");
}

TEST_CASE("sam template uses serverless functions with a DynamoDB stream event",
          "[adapters][deploy][stack_template]") {
    auto s = deployment_settings::from_domain(shop_doc());
    REQUIRE(s);
    const json t = generate_stack_template(*s, template_format::sam);
    CHECK(t["Transform"] == "AWS::Serverless-2016-10-31");
    check_references(t);
    const json& r = t["Resources"];
    CHECK_FALSE(r.contains("ProjectionMapping"));
    CHECK_FALSE(r.contains("CommandFunctionRole"));
    CHECK(r["CommandFunction"]["Type"] == "AWS::Serverless::Function");
    const json& ev = r["ProjectionFunction"]["Properties"]["Events"]["EventStream"];
    CHECK(ev["Type"] == "DynamoDB");
    CHECK(ev["Properties"]["Stream"] == json{{"Fn::GetAtt", {"EventsTable", "StreamArn"}}});
    CHECK(ev["Properties"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS");
    CHECK(ev["Properties"]["FunctionResponseTypes"] == json::array({"ReportBatchItemFailures"}));
    CHECK(actions_of(r["CommandFunction"]["Properties"]["Policies"][0]["Statement"]) ==
          with_logs({"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}));
    CHECK(actions_of(r["ProjectionFunction"]["Properties"]["Policies"][0]["Statement"])
              .count("sqs:SendMessage") == 1);
}

TEST_CASE("the domain's x-deployment settings reach the mapping and the functions",
          "[adapters][deploy][stack_template]") {
    json doc = shop_doc();
    doc["x-deployment"] = json::parse(R"({
        "command_function": {"memory_mb": 1024, "timeout_s": 5, "architecture": "x86_64"},
        "mapping": {"batch_size": 25, "batching_window_s": 2, "starting_position": "LATEST",
                    "maximum_retry_attempts": 3, "maximum_record_age_s": -1, "bisect_on_error": false,
                    "parallelization_factor": 4}})");
    auto s = deployment_settings::from_domain(doc);
    REQUIRE(s);
    const json t = generate_stack_template(*s, template_format::cloudformation);
    const json& m = t["Resources"]["ProjectionMapping"]["Properties"];
    CHECK(m["BatchSize"] == 25);
    CHECK(m["MaximumBatchingWindowInSeconds"] == 2);
    CHECK(m["StartingPosition"] == "LATEST");
    CHECK(m["MaximumRetryAttempts"] == 3);
    CHECK(m["MaximumRecordAgeInSeconds"] == -1);
    CHECK(m["BisectBatchOnFunctionError"] == false);
    CHECK(m["ParallelizationFactor"] == 4);
    const json& f = t["Resources"]["CommandFunction"]["Properties"];
    CHECK(f["MemorySize"] == 1024);
    CHECK(f["Timeout"] == 5);
    CHECK(f["Architectures"] == json::array({"x86_64"}));
    CHECK(t["Resources"]["ProjectionFunction"]["Properties"]["Timeout"] == 60);
    // Deterministic: the same domain gives the same bytes.
    CHECK(t.dump() == generate_stack_template(*deployment_settings::from_domain(doc),
                                              template_format::cloudformation)
                          .dump());
}

TEST_CASE("bad deployment settings are refused member by member",
          "[adapters][deploy][stack_template]") {
    json doc = shop_doc();
    doc["x-deployment"] = json::parse(R"({
        "command_function": {"memory_mb": 64, "timeout_s": "10", "architecture": "sparc"},
        "mapping": {"batch_size": 0, "maximum_record_age_s": 30, "bisect_on_error": "yes",
                    "parallelization_factor": 11, "starting_position": "AT_TIMESTAMP", "colour": 1},
        "region": "mars-1"})");
    auto s = deployment_settings::from_domain(doc);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == core::errc::validation);
    std::set<std::string> pointers;
    for (const auto& f : s.error().fields) pointers.insert(f.pointer);
    CHECK(pointers ==
          std::set<std::string>{"/x-deployment/region", "/x-deployment/command_function/memory_mb",
                                "/x-deployment/command_function/timeout_s",
                                "/x-deployment/command_function/architecture",
                                "/x-deployment/mapping/colour", "/x-deployment/mapping/batch_size",
                                "/x-deployment/mapping/maximum_record_age_s",
                                "/x-deployment/mapping/bisect_on_error",
                                "/x-deployment/mapping/parallelization_factor",
                                "/x-deployment/mapping/starting_position"});
    SECTION("a domain without a name or not an object") {
        CHECK_FALSE(deployment_settings::from_domain(json::array()));
        json nameless = shop_doc();
        nameless.erase("name");
        auto r = deployment_settings::from_domain(nameless);
        REQUIRE_FALSE(r);
        CHECK(r.error().fields.at(0).pointer == "/name");
        nameless["x-deployment"] = 5;
        CHECK(deployment_settings::from_domain(nameless).error().fields.size() == 2);
    }
    CHECK(parse_template_format("sam").value() == template_format::sam);
    CHECK(parse_template_format("cloudformation").value() == template_format::cloudformation);
    CHECK(parse_template_format("terraform").error().code == core::errc::invalid_argument);
}

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
#include <regex>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace esser;
using namespace esser::adapters;
using nlohmann::json;

namespace {

json shop_doc() {
    std::ifstream in(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    REQUIRE(in);
    return json::parse(in);
}

// Attributes Fn::GetAtt may ask of each resource type (CloudFormation resource reference).
const std::map<std::string, std::set<std::string>>& attributes() {
    static const std::map<std::string, std::set<std::string>> a{
        {"AWS::DynamoDB::Table", {"Arn", "StreamArn"}},
        {"AWS::SQS::Queue", {"Arn", "QueueName", "QueueUrl"}},
        {"AWS::IAM::Role", {"Arn", "RoleId"}},
        {"AWS::Lambda::Function", {"Arn"}},
        {"AWS::Serverless::Function", {"Arn"}},
        {"AWS::Lambda::EventSourceMapping", {"Id"}},
    };
    return a;
}

struct reference_check {
    explicit reference_check(const json& tpl) : t(tpl) {}

    const json& t;
    std::set<std::string> used_params;
    std::vector<std::string> problems;

    bool is_param(const std::string& n) const { return t["Parameters"].contains(n); }

    bool is_resource(const std::string& n) const { return t["Resources"].contains(n); }

    void name(const std::string& n, const std::string& where) {
        if (n.rfind("AWS::", 0) == 0) {
            static const std::set<std::string> pseudo{"AWS::AccountId", "AWS::Region",
                                                      "AWS::StackName", "AWS::Partition",
                                                      "AWS::URLSuffix", "AWS::StackId"};
            if (!pseudo.count(n))
                problems.push_back(where + ": unknown pseudo parameter " + n);
            return;
        }
        if (is_param(n)) {
            used_params.insert(n);
            return;
        }
        if (!is_resource(n))
            problems.push_back(where + ": " + n + " resolves to nothing");
    }

    void attribute(const std::string& res, const std::string& att, const std::string& where) {
        if (!is_resource(res)) {
            problems.push_back(where + ": GetAtt of unknown resource " + res);
            return;
        }
        const std::string type = t["Resources"][res]["Type"];
        auto it = attributes().find(type);
        if (it == attributes().end() || !it->second.count(att)) {
            problems.push_back(where + ": " + type + " has no attribute " + att);
        }
    }

    void walk(const json& j, const std::string& where) {
        if (j.is_array()) {
            for (std::size_t i = 0; i < j.size(); ++i) walk(j[i], where + "/" + std::to_string(i));
            return;
        }
        if (!j.is_object())
            return;
        if (j.size() == 1 && j.contains("Ref"))
            return name(j["Ref"], where);
        if (j.size() == 1 && j.contains("Fn::GetAtt")) {
            const json& a = j["Fn::GetAtt"];
            if (!a.is_array() || a.size() != 2)
                return problems.push_back(where + ": malformed GetAtt");
            return attribute(a[0], a[1], where);
        }
        if (j.size() == 1 && j.contains("Fn::Sub")) {
            const std::string s = j["Fn::Sub"];
            static const std::regex var(R"(\$\{([^!}][^}]*)\})");
            for (auto it = std::sregex_iterator(s.begin(), s.end(), var);
                 it != std::sregex_iterator(); ++it) {
                const std::string v = (*it)[1];
                const auto dot = v.find('.');
                if (dot == std::string::npos || v.rfind("AWS::", 0) == 0) {
                    name(v, where);
                } else {
                    attribute(v.substr(0, dot), v.substr(dot + 1), where);
                }
            }
            return;
        }
        for (const auto& [k, v] : j.items()) {
            if (k.rfind("Fn::", 0) == 0)
                problems.push_back(where + ": unexpected intrinsic " + k);
            walk(v, where + "/" + k);
        }
    }
};

void check_references(const json& t) {
    reference_check c(t);
    c.walk(t["Resources"], "/Resources");
    c.walk(t["Outputs"], "/Outputs");
    for (const auto& [name, r] : t["Resources"].items()) {
        if (r.contains("DependsOn")) {
            for (const auto& d : r["DependsOn"]) c.name(d, "/Resources/" + name + "/DependsOn");
        }
    }
    for (const auto& [p, v] : t["Parameters"].items()) {
        if (!c.used_params.count(p))
            c.problems.push_back("parameter " + p + " is never used");
    }
    INFO(json(c.problems).dump(2));
    CHECK(c.problems.empty());
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
          with_logs({"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                     "dynamodb:ListStreams", "sqs:SendMessage"}));
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

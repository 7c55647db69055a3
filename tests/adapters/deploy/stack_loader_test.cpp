// Issue 10 (serve --template runs templates as users write them): stack_loader in process on a
// local_environment -- Conditions (Fn::Equals, Fn::Not, Fn::And, Condition) chosen by a
// parameter, Fn::If resolving only the chosen branch, Ref AWS::NoValue leaving a property out,
// a resource whose Condition is false not created, and the refusals (a reference to such a
// resource, an unknown or self-referring condition) named by JSON Pointer.
#include "esser/emulator/app/stack_loader.hpp"

#include <catch2/catch.hpp>

#include "esser/adapters/deploy/template_file.hpp"
#include "esser/emulator/app/local_environment.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

using namespace esser::emulator;
using nlohmann::json;

namespace {

const char* const conditional_stack = R"(
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  DevAndOne: !And [!Condition IsDev, !Equals [1, '1']]
Resources:
  Audit:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !If [IsProd, prod-work, !Sub '${Stage}-work']
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !If [IsProd, !Join ['-', [!GetAtt Audit.QueueName, table]], dev-table]
      BillingMode: !If [DevAndOne, PAY_PER_REQUEST, PROVISIONED]
      ProvisionedThroughput: !If
        - IsProd
        - {ReadCapacityUnits: 5, WriteCapacityUnits: 5}
        - !Ref AWS::NoValue
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
)";

std::unique_ptr<local_environment> bare_environment() {
    local_environment_options o;
    o.no_domain = true;
    auto env = local_environment::create(o);
    REQUIRE(env);
    return std::move(*env);
}

json describe(local_environment& env, const std::string& table) {
    auto d = env.dynamodb()->dispatch("DescribeTable", {{"TableName", table}});
    REQUIRE(d);
    return (*d)["Table"];
}

esser::core::result<std::vector<stack_resource>> load(local_environment& env,
                                                      const std::string& text,
                                                      std::map<std::string, std::string> params) {
    auto tpl = esser::adapters::read_template_text(text, "stack.yaml");
    REQUIRE(tpl);
    stack_loader_options o;
    o.parameters = std::move(params);
    return load_stack(env, *tpl, o);
}

}  // namespace

TEST_CASE("stack_loader follows the template's Conditions", "[deploy][stack_loader]") {
    SECTION("dev: the prod-only queue is skipped and no branch naming it is resolved") {
        auto env = bare_environment();
        auto made = load(*env, conditional_stack, {});
        if (!made)
            FAIL(made.error().describe());
        REQUIRE(made->size() == 3);
        CHECK(made->back().logical_id == "Audit");
        CHECK(made->back().skipped);
        CHECK(made->back().skip_reason == "condition IsProd is false");
        CHECK(env->sqs().info("dev-work"));
        CHECK_FALSE(env->sqs().info("local-Audit"));
        const json t = describe(*env, "dev-table");
        CHECK(t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST");
    }
    SECTION("prod: the queue exists and the table is provisioned under its name") {
        auto env = bare_environment();
        auto made = load(*env, conditional_stack, {{"Stage", "prod"}});
        if (!made)
            FAIL(made.error().describe());
        for (const auto& r : *made) CHECK_FALSE(r.skipped);
        CHECK(env->sqs().info("local-Audit"));
        CHECK(env->sqs().info("prod-work"));
        const json t = describe(*env, "local-Audit-table");
        CHECK(t["ProvisionedThroughput"]["ReadCapacityUnits"] == 5);
    }
}

TEST_CASE("stack_loader refuses conditions it cannot evaluate, naming them",
          "[deploy][stack_loader]") {
    auto env = bare_environment();

    struct refusal {
        std::string text;
        std::string says;
    };

    const std::vector<refusal> cases{
        {"Conditions: {No: !Equals [a, b]}\nResources:\n  A: {Type: AWS::SQS::Queue, Condition: "
         "No}\n  B:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !Ref A}\n",
         "/Resources/B/Properties/QueueName: Ref A: the resource is not created (condition No "
         "is false)"},
        {"Resources:\n  A: {Type: AWS::SQS::Queue, Condition: Missing}\n",
         "/Resources/A/Condition: condition Missing is not in the template's Conditions"},
        {"Conditions: {Loop: !Condition Loop}\nResources:\n  A: {Type: AWS::SQS::Queue, "
         "Condition: Loop}\n",
         "/Conditions/Loop: the condition depends on itself"},
        {"Conditions: {Odd: !Ref Stage}\nResources:\n  A: {Type: AWS::SQS::Queue, Condition: "
         "Odd}\n",
         "/Conditions/Odd: Ref in this form is not a condition esser-local evaluates"},
        {"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !If [x, y]}\n",
         "/Resources/A/Properties/QueueName: Fn::If takes [condition name, value if true, value "
         "if false]"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto made = load(*env, c.text, {});
        REQUIRE_FALSE(made);
        CHECK(made.error().message.find(c.says) != std::string::npos);
    }
}

// A resource without a Type is refused before the stack creates anything, even one listed
// before it (Work sorts before Zed): no half-made stack.
TEST_CASE("stack_loader refuses a resource without Type before creating anything",
          "[deploy][stack_loader]") {
    auto env = bare_environment();
    auto made = load(*env,
                     "Resources:\n  Work: {Type: AWS::SQS::Queue, Properties: {QueueName: "
                     "work}}\n  Zed: {Properties: {}}\n",
                     {});
    REQUIRE_FALSE(made);
    CHECK(made.error().message.find("/Resources/Zed: a resource needs a Type") !=
          std::string::npos);
    CHECK_FALSE(env->sqs().info("work"));
}

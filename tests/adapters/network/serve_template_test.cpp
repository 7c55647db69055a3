// Issue 10 (templates drive local and cloud): `esser-local serve --template FILE` on the
// template `esser-local template` writes, in both formats. The esser-local executable (a child
// process, verifying SigV4) creates the template's tables, queue, functions (esser-lambda) and
// stream mapping; a command invoked on the template's command function lands in the template's
// events table, and the projection function materialises it through the mapping into the read
// store the template's ReadStore parameter names. A SAM template written by hand in YAML
// (short-form tags, Globals, Mappings, flow and block styles) drives it the same way.
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "adapters/network/local_server_fixture.hpp"
#include "adapters/support/esser_local_process.hpp"
#include <catch2/catch.hpp>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/emulator/app/commands.hpp"

using namespace esser;
using nlohmann::json;

namespace {

const adapters::credentials key{"AKIDSTACK", "stack-secret", ""};

// `esser-local template --format <format>` of the shop domain, with ReadStore defaulting to
// `read_store`, written to a file whose path is returned.
std::string write_template(const std::string& format, const std::string& read_store) {
    std::ostringstream out, err;
    const int code = emulator::esser_local_main(
        std::vector<std::string>{"template", "--format", format}, emulator::command_io{out, err});
    REQUIRE(code == 0);
    json t = json::parse(out.str());
    t["Parameters"]["ReadStore"]["Default"] = read_store;
    const std::string path = std::string(ESSER_BINARY_DIR) + "/serve_template_" + format + ".json";
    std::ofstream(path) << t.dump(2);
    return path;
}

json rest(const std::string& url, std::string method, std::string target, const json& body) {
    auto res = testing::send_signed(
        url, testing::rest_request(std::move(method), std::move(target), body), key);
    INFO(res.body);
    REQUIRE(res.status < 300);
    return json::parse(res.body);
}

// The event source mappings of the function `name` (ListEventSourceMappings over REST).
std::vector<json> mappings_of(const std::string& url, const std::string& name) {
    const json mappings = rest(url, "GET", "/2015-03-31/event-source-mappings/", json());
    std::vector<json> out;
    for (const auto& m : mappings["EventSourceMappings"]) {
        if (m["FunctionArn"].get<std::string>().ends_with(":function:" + name))
            out.push_back(m);
    }
    return out;
}

struct stack_tables {
    std::string events;
    std::string snapshots;
};

// CreateItem `id` (named `name`) invoked on the command function `fn`: version 1, found in the
// stack's events table.
void create_item_through(const std::string& url,
                         const std::shared_ptr<adapters::http_transport>& ddb,
                         const std::string& fn, const stack_tables& tables, const std::string& id,
                         const std::string& name) {
    const json created = rest(url, "POST", "/2015-03-31/functions/" + fn + "/invocations",
                              {{"entity", "Item"},
                               {"command", "CreateItem"},
                               {"id", id},
                               {"data", {{"name", name}, {"price", 9}}}});
    CHECK(created["version"] == 1);
    adapters::dynamodb_event_store::options so;
    so.events_table = tables.events;
    so.snapshots_table = tables.snapshots;
    CHECK(adapters::dynamodb_event_store(ddb, so).last_version({"Item", id}).value() == 1);
}

}  // namespace

TEST_CASE("serve --template creates the stack and runs commands and projections on it",
          "[adapters][network][serve_template]") {
    const std::string format = GENERATE(std::string("sam"), std::string("cloudformation"));
    INFO(format);
    const std::string db = std::string(ESSER_BINARY_DIR) + "/serve_template_" + format + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    const std::string tpl = write_template(format, "sqlite:" + db);
    auto local = testing::esser_local_process::start(
        {"--template", tpl, "--lambda-binary", ESSER_LAMBDA_PATH, "--poll-interval", "20ms",
         "--credentials", key.access_key_id + ":" + key.secret_access_key});

    // The stack: tables named as CloudFormation would (stack "local"), next to the domain's own.
    auto ddb = testing::transport_to(local.url, key);
    auto tables = ddb->call("ListTables", json::object());
    REQUIRE(tables);
    CHECK((*tables)["TableNames"] ==
          json{"events", "local-EventsTable", "local-SnapshotsTable", "snapshots"});
    auto described = ddb->call("DescribeTable", {{"TableName", "local-EventsTable"}});
    REQUIRE(described);
    CHECK((*described)["Table"]["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE");
    // Next to esser-local's own projection function and mapping (esser-projections).
    const json functions = rest(local.url, "GET", "/2015-03-31/functions/", json());
    std::set<std::string> names;
    for (const auto& f : functions["Functions"]) {
        if (f["FunctionName"].get<std::string>().rfind("local-", 0) == 0)
            names.insert(f["FunctionName"]);
    }
    CHECK(names == std::set<std::string>{"local-command", "local-projection"});
    const std::vector<json> ours = mappings_of(local.url, "local-projection");
    REQUIRE(ours.size() == 1);
    const json& m = ours[0];
    CHECK(m["EventSourceArn"] == (*described)["Table"]["LatestStreamArn"]);
    CHECK(m["BatchSize"] == 100);
    CHECK(m["DestinationConfig"]["OnFailure"]["Destination"] ==
          "arn:aws:sqs:us-east-1:000000000000:local-FailureQueue");

    // A command through the template's command function, into the template's events table.
    create_item_through(local.url, ddb, "local-command",
                        {"local-EventsTable", "local-SnapshotsTable"}, "stack", "Mug");
    adapters::dynamodb_event_store domain_tables(ddb);
    CHECK(domain_tables.last_version({"Item", "stack"}).value() == 0);

    // ... and out through the mapping into the ReadStore.
    auto doc = testing::wait_for_document(db, "item", "stack", 1, std::chrono::seconds(30));
    REQUIRE(doc);
    CHECK(doc->body["name"] == "Mug");
}

TEST_CASE("serve --template refuses templates it cannot create, naming the problem",
          "[adapters][network][serve_template]") {
    const std::string path = std::string(ESSER_BINARY_DIR) + "/serve_template_bad.json";
    auto start_with = [&](const json& t) {
        std::ofstream(path) << t.dump();
        return testing::try_start_local({"--template", path, "--lambda-binary", ESSER_LAMBDA_PATH});
    };
    SECTION("not a template") {
        auto s = start_with(json{{"Resources", 3}});
        REQUIRE_FALSE(s);
        CHECK(s.error().message.find("/Resources") != std::string::npos);
    }
    SECTION("a reference to nothing") {
        auto s = start_with(
            {{"Resources",
              {{"Fn",
                {{"Type", "AWS::Lambda::Function"},
                 {"Properties",
                  {{"Handler", "command"},
                   {"Environment", {{"Variables", {{"T", {{"Ref", "Missing"}}}}}}}}}}}}}});
        REQUIRE_FALSE(s);
        CHECK(s.error().message.find("/Resources/Fn/Properties/Environment/Variables/T") !=
              std::string::npos);
        CHECK(s.error().message.find("Missing") != std::string::npos);
    }
    SECTION("a table the engine refuses") {
        auto s = start_with({{"Resources",
                              {{"T",
                                {{"Type", "AWS::DynamoDB::Table"},
                                 {"Properties", {{"KeySchema", json::array()}}}}}}}});
        REQUIRE_FALSE(s);
        CHECK(s.error().message.find("/Resources/T") != std::string::npos);
        CHECK(s.error().message.find("ValidationException") != std::string::npos);
    }
    SECTION("a file that is neither JSON nor YAML, named with the line and column") {
        std::ofstream(path) << "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n     Bad: x\n";
        auto s = testing::try_start_local({"--template", path});
        REQUIRE_FALSE(s);
        CHECK(s.error().message.find(path) != std::string::npos);
        CHECK(s.error().message.find("4:9: mapping values are not allowed here") !=
              std::string::npos);
    }
    SECTION("a YAML template with an intrinsic esser-local does not evaluate") {
        std::ofstream(path) << "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                               "    Properties:\n      QueueName: !ImportValue other\n";
        auto s = testing::try_start_local({"--template", path});
        REQUIRE_FALSE(s);
        CHECK(s.error().message.find("/Resources/Q/Properties/QueueName") != std::string::npos);
        CHECK(s.error().message.find("Fn::ImportValue") != std::string::npos);
    }
    SECTION("types esser-local does not emulate are skipped, not dropped silently") {
        auto s = start_with({{"Resources",
                              {{"Role", {{"Type", "AWS::IAM::Role"}}},
                               {"Topic", {{"Type", "AWS::SNS::Topic"}}},
                               {"Q", {{"Type", "AWS::SQS::Queue"}}}}}});
        REQUIRE(s);
        const auto& stack = (*s)->stack();
        REQUIRE(stack.size() == 3);
        CHECK(stack[0].physical_id == "local-Q");
        CHECK_FALSE(stack[0].skipped);
        CHECK(stack[1].skipped);
        CHECK(stack[2].skipped);
        CHECK((*s)->banner().find("AWS::SNS::Topic (not emulated, skipped)") != std::string::npos);
    }
}

// Issue 10 (serve --template reads templates as users write them): a SAM template written by
// hand in YAML -- short-form tags (!Ref, !Sub in both forms, !Join, !GetAtt, !FindInMap,
// !Select), Globals.Function, Mappings, flow and block collections, a folded description and
// comments -- creates its stack, and a command goes in and out through it.
TEST_CASE("serve --template runs a SAM template written by hand in YAML",
          "[adapters][network][serve_template]") {
    const std::string db = std::string(ESSER_BINARY_DIR) + "/serve_template_yaml.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    const std::string path = std::string(ESSER_BINARY_DIR) + "/serve_template_hand.yaml";
    std::ofstream(path) << R"(AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  The shop, written by hand.
  Two tables, two functions, a queue.

Parameters:
  Stage: {Type: String, Default: dev}
  ReadStore:
    Type: String
    Default: "sqlite:)" << db
                        << R"("

Mappings:
  Stages:
    dev: {BatchSize: 5, Memory: 256}
    prod: {BatchSize: 100, Memory: 1024}

Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 30
    MemorySize: !FindInMap [Stages, !Ref Stage, Memory]
    Environment:
      Variables:
        ESSER_EVENTS_TABLE: !Ref Events      # every function writes here
        ESSER_SNAPSHOTS_TABLE: !Ref Snapshots

Resources:
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '${AWS::StackName}-${Stage}-events'
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - AttributeName: v
          AttributeType: N
      KeySchema:
      - AttributeName: pk
        KeyType: HASH
      - AttributeName: v
        KeyType: RANGE
      StreamSpecification:
        StreamViewType: NEW_IMAGE
  Snapshots:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Join ['-', [!Ref 'AWS::StackName', !Ref Stage, snapshots]]
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Failures:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Select [1, !Split [',', 'x,shop-failures,y']]
  Commands:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub
        - '${AWS::StackName}-${Name}'
        - Name: commands
      Handler: command
      CodeUri: build/esser-lambda.zip
  Projections:
    Type: AWS::Serverless::Function
    Properties:
      Handler: stream
      CodeUri: build/esser-lambda.zip
      Environment:
        Variables:
          ESSER_READ_STORE: !Ref ReadStore
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Events.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: !FindInMap [Stages, !Ref Stage, BatchSize]
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt Failures.Arn
)";
    auto s = testing::start_local(
        {"--template", path, "--lambda-binary", ESSER_LAMBDA_PATH, "--poll-interval", "20ms"});
    auto ddb = testing::transport_to(s->url(), key);
    auto tables = ddb->call("ListTables", json::object());
    REQUIRE(tables);
    CHECK((*tables)["TableNames"] ==
          json{"events", "local-dev-events", "local-dev-snapshots", "snapshots"});
    const json command_fn = rest(s->url(), "GET", "/2015-03-31/functions/local-commands", json());
    CHECK(command_fn["Configuration"]["Timeout"] == 30);
    CHECK(command_fn["Configuration"]["MemorySize"] == 256);
    const json projection_fn =
        rest(s->url(), "GET", "/2015-03-31/functions/local-Projections", json());
    const json vars = projection_fn["Configuration"]["Environment"]["Variables"];
    CHECK(vars["ESSER_EVENTS_TABLE"] == "local-dev-events");
    CHECK(vars["ESSER_READ_STORE"] == "sqlite:" + db);
    const std::vector<json> ours = mappings_of(s->url(), "local-Projections");
    REQUIRE(ours.size() == 1);
    CHECK(ours[0]["BatchSize"] == 5);
    CHECK(ours[0]["DestinationConfig"]["OnFailure"]["Destination"] ==
          "arn:aws:sqs:us-east-1:000000000000:shop-failures");

    create_item_through(s->url(), ddb, "local-commands",
                        {"local-dev-events", "local-dev-snapshots"}, "by-hand", "Pen");
    auto doc = testing::wait_for_document(db, "item", "by-hand", 1, std::chrono::seconds(30));
    REQUIRE(doc);
    CHECK(doc->body["name"] == "Pen");
}

// Issue 10 (templates drive local and cloud): `esser-local serve --template FILE` on the
// template `esser-local template` writes, in both formats. The esser-local executable (a child
// process, verifying SigV4) creates the template's tables, queue, functions (esser-lambda) and
// stream mapping; a command invoked on the template's command function lands in the template's
// events table, and the projection function materialises it through the mapping into the read
// store the template's ReadStore parameter names.
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
    const json mappings = rest(local.url, "GET", "/2015-03-31/event-source-mappings/", json());
    std::vector<json> ours;
    for (const auto& m : mappings["EventSourceMappings"]) {
        if (m["FunctionArn"].get<std::string>().ends_with(":function:local-projection"))
            ours.push_back(m);
    }
    REQUIRE(ours.size() == 1);
    const json& m = ours[0];
    CHECK(m["EventSourceArn"] == (*described)["Table"]["LatestStreamArn"]);
    CHECK(m["BatchSize"] == 100);
    CHECK(m["DestinationConfig"]["OnFailure"]["Destination"] ==
          "arn:aws:sqs:us-east-1:000000000000:local-FailureQueue");

    // A command through the template's command function, into the template's events table.
    const json created = rest(local.url, "POST", "/2015-03-31/functions/local-command/invocations",
                              {{"entity", "Item"},
                               {"command", "CreateItem"},
                               {"id", "stack"},
                               {"data", {{"name", "Mug"}, {"price", 9}}}});
    CHECK(created["version"] == 1);
    adapters::dynamodb_event_store::options so;
    so.events_table = "local-EventsTable";
    so.snapshots_table = "local-SnapshotsTable";
    adapters::dynamodb_event_store events(ddb, so);
    CHECK(events.last_version({"Item", "stack"}).value() == 1);
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
    SECTION("a file that is not JSON") {
        std::ofstream(path) << "Resources: {}\n";
        auto s = testing::try_start_local({"--template", path});
        REQUIRE_FALSE(s);
        CHECK(s.error().message.find(path) != std::string::npos);
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

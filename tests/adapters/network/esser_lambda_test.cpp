// Issue 10 (esser-lambda end to end): the real `esser-lambda` executable, spawned as Lambda
// spawns a custom runtime's bootstrap (environment variables only), serving the shop domain's
// command handler from a Runtime API on 127.0.0.1 (the scripted fake_runtime_api: the documented
// wire contract), writing its events over HTTP + SigV4 (AWS_ENDPOINT_URL) to dynalite, an
// independent DynamoDB implementation. Checks the answers posted back (results, function errors
// for bad commands and malformed events), the events that landed in the table, and init errors
// for configuration problems.
// Then the whole production path inside esser-local (the last test case): esser-local (the
// executable, a child process, verifying SigV4) runs esser-lambda as two external functions
// through its own Runtime API, wired to its own DynamoDB endpoint over HTTP; commands go in
// through Lambda Invoke, and the projection comes out of the events stream through an event
// source mapping into a SQLite read store.
#include <chrono>
#include <cstdio>
#include <thread>

#include "adapters/lambda_runtime/fake_runtime_api.hpp"
#include "adapters/network/local_server_fixture.hpp"
#include "adapters/support/dynalite_server.hpp"
#include "adapters/support/esser_local_process.hpp"
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/adapters/dynamodb/http_transport.hpp"

using namespace esser;
using esser::testing::fake_runtime_api;
using nlohmann::json;

namespace {

testing::dynalite_server& dynalite() {
    static std::string skip;
    static std::unique_ptr<testing::dynalite_server> d = testing::dynalite_server::start(skip);
    if (!d)
        FAIL("dynalite is not available: " << skip);
    return *d;
}

std::shared_ptr<adapters::dynamodb_event_store> store_at(const std::string& endpoint,
                                                         const std::string& suffix) {
    adapters::http_transport_options o;
    o.region = "us-east-1";
    o.dynamodb_endpoint = *adapters::url::parse(endpoint);
    o.creds = {"AKIDLOCAL", "local-secret", ""};
    auto t = adapters::http_transport::create(o);
    REQUIRE(t);
    adapters::dynamodb_event_store::options so;
    so.events_table = "events" + suffix;
    so.snapshots_table = "snapshots" + suffix;
    auto store = std::make_shared<adapters::dynamodb_event_store>(
        std::shared_ptr<adapters::dynamodb_transport>(std::move(*t)), so);
    REQUIRE(store->ensure_tables());
    return store;
}

// Runs esser-lambda with exactly `env` (plus PATH) and `args`; returns its exit status. Bounded:
// kills it after 60 s. Everything the child needs is built before fork: this process has threads
// (dynalite's reader, the fake Runtime API), so the child may only make async-signal-safe calls
// (an allocation after fork can deadlock on a lock another thread held at the fork).
int run_esser_lambda(const std::vector<std::string>& env, const std::vector<std::string>& args,
                     const fake_runtime_api* api = nullptr) {
    std::vector<std::string> e = env;
    e.push_back("PATH=/usr/bin:/bin");
    std::vector<char*> envp;
    for (auto& s : e) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> a{ESSER_LAMBDA_PATH};
    a.insert(a.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        execve(ESSER_LAMBDA_PATH, argv.data(), envp.data());
        _exit(127);
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int status = 0;
    for (;;) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (std::chrono::steady_clock::now() > give_up) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            FAIL("esser-lambda did not finish within 60 s; the Runtime API had "
                 << (api ? std::to_string(api->posts().size()) : std::string("?"))
                 << " answers posted");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

std::vector<std::string> function_env(const fake_runtime_api& api, const std::string& endpoint,
                                      const std::string& suffix) {
    return {"AWS_LAMBDA_RUNTIME_API=" + api.address(),
            "_HANDLER=command",
            "ESSER_DOMAIN_FILE=" + std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json",
            "ESSER_EVENTS_TABLE=events" + suffix,
            "ESSER_SNAPSHOTS_TABLE=snapshots" + suffix,
            "ESSER_LOG_LEVEL=warn",
            "AWS_REGION=us-east-1",
            "AWS_ACCESS_KEY_ID=AKIDLOCAL",
            "AWS_SECRET_ACCESS_KEY=local-secret",
            "AWS_SESSION_TOKEN=session-token",
            "AWS_ENDPOINT_URL=" + endpoint,
            "AWS_LAMBDA_FUNCTION_NAME=shop-command"};
}

}  // namespace

TEST_CASE("esser-lambda serves commands from the Runtime API and writes to DynamoDB over HTTP",
          "[adapters][network][esser_lambda]") {
    const std::string endpoint = dynalite().url();
    auto store = store_at(endpoint, "_e2e");
    fake_runtime_api api;
    api.enqueue({"create", json{{"entity", "Item"},
                                {"command", "CreateItem"},
                                {"id", "i1"},
                                {"data", {{"name", "Choc"}, {"price", 2.5}}}}
                               .dump()});
    api.enqueue({"seed", json{{"AggregateName", "Item"},
                              {"AggregateId", "i1"},
                              {"EventName", "PriceUpdated"},
                              {"Payload", {{"price", 3}}}}
                             .dump()});
    api.enqueue({"invalid", json{{"entity", "Item"},
                                 {"command", "UpdatePrice"},
                                 {"id", "i1"},
                                 {"data", {{"price", "free"}}}}
                                .dump()});
    api.enqueue({"garbage", "{\"Records\": oops"});
    api.enqueue({"http", json{{"version", "2.0"},
                              {"requestContext", {{"http", {{"method", "POST"}}}}},
                              {"body", json{{"entity", "Item"},
                                            {"command", "AddColors"},
                                            {"id", "i1"},
                                            {"data", {{"colors", {"blue"}}}}}
                                           .dump()}}
                             .dump()});
    const int code =
        run_esser_lambda(function_env(api, endpoint, "_e2e"), {"--max-invocations", "5"}, &api);
    CHECK(code == 0);

    const auto posts = api.posts();
    REQUIRE(posts.size() == 5);
    CHECK(posts[0].target == "/2018-06-01/runtime/invocation/create/response");
    CHECK(json::parse(posts[0].body)["version"] == 1);
    CHECK(posts[1].target == "/2018-06-01/runtime/invocation/seed/response");
    CHECK(json::parse(posts[1].body)["state"]["price"] == 3);
    CHECK(posts[2].target == "/2018-06-01/runtime/invocation/invalid/error");
    CHECK(posts[2].error_type == "validation");
    CHECK(posts[3].target == "/2018-06-01/runtime/invocation/garbage/error");
    CHECK(posts[3].error_type == "parse_error");
    CHECK(posts[4].target == "/2018-06-01/runtime/invocation/http/response");
    CHECK(json::parse(posts[4].body)["statusCode"] == 200);

    // What DynamoDB stored is exactly the three accepted commands' events.
    auto events = store->read({"Item", "i1"});
    REQUIRE(events);
    REQUIRE(events->size() == 3);
    CHECK((*events)[0].type == "ItemCreated");
    CHECK((*events)[1].type == "PriceUpdated");
    CHECK((*events)[2].type == "ColorsAdded");
    CHECK((*events)[2].data == json{{"colors", {"blue"}}});
}

TEST_CASE("esser-lambda reports configuration problems as init errors",
          "[adapters][network][esser_lambda]") {
    fake_runtime_api api;
    auto env = function_env(api, "http://127.0.0.1:1", "_x");
    SECTION("a domain file that does not exist") {
        env[2] = "ESSER_DOMAIN_FILE=/nonexistent/domain.json";
        CHECK(run_esser_lambda(env, {}) == 1);
        REQUIRE(api.posts().size() == 1);
        CHECK(api.posts()[0].target == "/2018-06-01/runtime/init/error");
        CHECK(json::parse(api.posts()[0].body)["errorMessage"].get<std::string>().find(
                  "/nonexistent/domain.json") != std::string::npos);
    }
    SECTION("an unknown handler") {
        env[1] = "_HANDLER=index.handler";
        CHECK(run_esser_lambda(env, {}) == 1);
        REQUIRE(api.posts().size() == 1);
        CHECK(api.posts()[0].error_type == "Runtime.InvalidHandler");
    }
    SECTION("no region") {
        env[6] = "AWS_LAMBDA_FUNCTION_VERSION=$LATEST";
        CHECK(run_esser_lambda(env, {}) == 1);
        REQUIRE(api.posts().size() == 1);
        CHECK(api.posts()[0].error_type == "NoRegionError");
    }
    SECTION("a bad flag is a usage error before anything else") {
        CHECK(run_esser_lambda(env, {"--max-invocations", "many"}) == 2);
        CHECK(api.posts().empty());
    }
}

namespace {

const adapters::credentials local_key{"AKIDLOCAL", "local-secret", ""};

}  // namespace

TEST_CASE("esser-local runs esser-lambda: commands by Invoke, projections through the stream",
          "[adapters][network][esser_lambda][esser_local]") {
    const std::string domain = std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json";
    const std::string db = std::string(ESSER_BINARY_DIR) + "/esser_lambda_e2e_projection.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    auto local = testing::esser_local_process::start(
        {"--domain", domain, "--poll-interval", "20ms", "--credentials",
         local_key.access_key_id + ":" + local_key.secret_access_key});
    auto call = [&](std::string method, std::string target, json body) {
        return testing::send_signed(
            local.url, testing::rest_request(std::move(method), std::move(target), body),
            local_key);
    };

    // The two functions, exactly as a template deploys them: one binary, two handlers.
    for (auto [name, handler] :
         {std::pair{"shop-command", "command"}, {"shop-projection", "stream"}}) {
        json env = {{"ESSER_DOMAIN_FILE", domain}, {"ESSER_LOG_LEVEL", "warn"}};
        if (std::string(handler) == "stream")
            env["ESSER_READ_STORE"] = "sqlite:" + db;
        auto created = call("POST", "/2015-03-31/functions",
                            {{"FunctionName", name},
                             {"Runtime", "provided.al2023"},
                             {"Handler", handler},
                             {"Timeout", 30},
                             {"Environment", {{"Variables", env}}},
                             {"Code", {{"EsserCommand", {ESSER_LAMBDA_PATH}}}}});
        INFO(created.body);
        REQUIRE(created.status == 201);
    }
    // The mapping on the events table's stream (read through esser-local's DynamoDB, signed).
    auto ddb = testing::transport_to(local.url, local_key);
    auto table = ddb->call("DescribeTable", {{"TableName", "events"}});
    REQUIRE(table);
    const std::string stream_arn = (*table)["Table"]["LatestStreamArn"];
    auto mapping = call("POST", "/2015-03-31/event-source-mappings/",
                        {{"FunctionName", "shop-projection"},
                         {"EventSourceArn", stream_arn},
                         {"StartingPosition", "TRIM_HORIZON"},
                         {"BatchSize", 10},
                         {"FunctionResponseTypes", {"ReportBatchItemFailures"}}});
    INFO(mapping.body);
    REQUIRE(mapping.status == 202);

    // Commands through Invoke.
    const std::string invoke = "/2015-03-31/functions/shop-command/invocations";
    auto created = call("POST", invoke,
                        {{"entity", "Item"},
                         {"command", "CreateItem"},
                         {"id", "e2e"},
                         {"data", {{"name", "Tea"}, {"price", 4}}}});
    REQUIRE(created.status == 200);
    INFO(created.body);
    CHECK(created.headers.find("X-Amz-Function-Error") == nullptr);
    CHECK(json::parse(created.body)["version"] == 1);
    auto updated = call("POST", invoke,
                        {{"AggregateName", "Item"},
                         {"AggregateId", "e2e"},
                         {"EventName", "UpdatePrice"},
                         {"Payload", {{"price", 5}}}});
    REQUIRE(updated.status == 200);
    CHECK(json::parse(updated.body)["state"]["price"] == 5);
    auto invalid = call("POST", invoke,
                        {{"entity", "Item"},
                         {"command", "UpdatePrice"},
                         {"id", "e2e"},
                         {"data", {{"price", "free"}}}});
    REQUIRE(invalid.status == 200);
    REQUIRE(invalid.headers.find("X-Amz-Function-Error") != nullptr);
    CHECK(json::parse(invalid.body)["errorType"] == "validation");

    // The events table holds exactly the two accepted commands' events.
    adapters::dynamodb_event_store events(ddb);
    auto stored = events.read({"Item", "e2e"});
    REQUIRE(stored);
    REQUIRE(stored->size() == 2);
    CHECK((*stored)[1].type == "PriceUpdated");

    // The projection function materialises the state from the stream (bounded wait: the
    // mapping polls every 20 ms; the first invoke starts the runtime process).
    auto doc = testing::wait_for_document(db, "item", "e2e", 2, std::chrono::seconds(30));
    REQUIRE(doc);
    CHECK(doc->body["name"] == "Tea");
    CHECK(doc->body["price"] == 5);

    // The mapping saw its batches succeed.
    const std::string uuid = json::parse(mapping.body)["UUID"];
    auto described = call("GET", "/2015-03-31/event-source-mappings/" + uuid, json());
    CHECK(json::parse(described.body)["LastProcessingResult"] == "OK");
    // esser-local stops cleanly (SIGTERM: graceful, exit 0), its runtime processes with it.
    const int status = local.process->stop();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

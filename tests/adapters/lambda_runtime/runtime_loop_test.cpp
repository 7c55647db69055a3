// Issue 10 (esser-lambda): the custom-runtime loop and Runtime API client against a scripted
// Runtime API (fake_runtime_api): responses and function errors with AWS's error body and header,
// the invocation headers (request id, deadline, ARN, X-Ray trace into _X_AMZN_TRACE_ID),
// exceptions contained, refused posts survived, a broken Runtime API ending the loop, init errors
// through /runtime/init/error, and malformed Runtime API answers.
#include "esser/adapters/lambda_runtime/runtime_loop.hpp"

#include <cstdlib>
#include <map>
#include <stdexcept>

#include "adapters/lambda_runtime/fake_runtime_api.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace esser;
using namespace esser::adapters;
using esser::testing::fake_runtime_api;
using esser::testing::queued_invocation;
using nlohmann::json;

namespace {

std::unique_ptr<runtime_api_client> client_of(const fake_runtime_api& api) {
    auto c = runtime_api_client::create(api.address());
    REQUIRE(c);
    return std::move(*c);
}

// Echoes the event back with the invocation's metadata; fails on {"fail": "<type>"}; throws on
// {"throw": "..."}.
invocation_result echo(const invocation& inv) {
    const json ev = json::parse(inv.payload);
    if (ev.contains("fail")) {
        return invocation_result::failure(function_error{ev["fail"], "asked to fail", {"frame 1"}});
    }
    if (ev.contains("throw"))
        throw std::runtime_error(ev["throw"].get<std::string>());
    const char* trace = std::getenv("_X_AMZN_TRACE_ID");
    return invocation_result::success(json{
        {"event", ev},
        {"request_id", inv.request_id},
        {"arn", inv.function_arn},
        {"trace_env",
         trace != nullptr ? trace : ""}}.dump());
}

runtime_loop_options bounded(std::uint64_t n) {
    runtime_loop_options o;
    o.max_invocations = n;
    return o;
}

lambda_environment env_of(std::map<std::string, std::string> vars) {
    lambda_environment e;
    e.env = [vars = std::move(vars)](std::string_view n) -> std::optional<std::string> {
        auto it = vars.find(std::string(n));
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
    return e;
}

}  // namespace

TEST_CASE("runtime loop posts each result to its request id's response or error endpoint",
          "[adapters][lambda_runtime][runtime_loop]") {
    fake_runtime_api api;
    api.enqueue({"req-1", R"({"n":1})"});
    api.enqueue({"req-2", R"({"fail":"ValidationError"})"});
    api.enqueue({"req-3", R"({"n":3})"});
    auto client = client_of(api);
    runtime_loop loop(*client, bounded(3));
    auto stats = loop.run(echo);
    REQUIRE(stats);
    CHECK(stats->invocations == 3);
    CHECK(stats->succeeded == 2);
    CHECK(stats->failed == 1);

    const auto posts = api.posts();
    REQUIRE(posts.size() == 3);
    CHECK(posts[0].target == "/2018-06-01/runtime/invocation/req-1/response");
    CHECK(posts[0].error_type.empty());
    const json first = json::parse(posts[0].body);
    CHECK(first["event"] == json{{"n", 1}});
    CHECK(first["request_id"] == "req-1");
    CHECK(first["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:f");
    // The X-Ray header reaches the handler's environment (custom runtimes must copy it).
    CHECK(first["trace_env"] ==
          "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");

    CHECK(posts[1].target == "/2018-06-01/runtime/invocation/req-2/error");
    CHECK(posts[1].error_type == "ValidationError");
    CHECK(json::parse(posts[1].body) == json{{"errorMessage", "asked to fail"},
                                             {"errorType", "ValidationError"},
                                             {"stackTrace", {"frame 1"}}});
    CHECK(posts[2].target == "/2018-06-01/runtime/invocation/req-3/response");
}

TEST_CASE("runtime loop turns an escaping exception into a function error and keeps serving",
          "[adapters][lambda_runtime][runtime_loop]") {
    fake_runtime_api api;
    api.enqueue({"a", R"({"throw":"boom"})"});
    api.enqueue({"b", "not json at all"});  // json::parse throws inside the handler
    api.enqueue({"c", R"({"n":3})"});
    auto client = client_of(api);
    auto stats = runtime_loop(*client, bounded(3)).run(echo);
    REQUIRE(stats);
    CHECK(stats->failed == 2);
    CHECK(stats->succeeded == 1);
    const auto posts = api.posts();
    REQUIRE(posts.size() == 3);
    CHECK(posts[0].error_type == "Runtime.UnhandledException");
    const json err = json::parse(posts[0].body);
    CHECK(err["errorType"] == "Runtime.UnhandledException");
    CHECK(err["errorMessage"] == "std::runtime_error: boom");
    CHECK(posts[1].error_type == "Runtime.UnhandledException");
    CHECK(json::parse(posts[1].body)["errorMessage"].get<std::string>().find("nlohmann") !=
          std::string::npos);
    CHECK(posts[2].target == "/2018-06-01/runtime/invocation/c/response");
}

TEST_CASE("runtime loop survives refused posts and stops on a Runtime API failure",
          "[adapters][lambda_runtime][runtime_loop]") {
    fake_runtime_api api;
    api.enqueue({"big", R"({"n":1})"});
    api.enqueue({"gone", R"({"n":2})"});
    api.enqueue({"fine", R"({"n":3})"});
    api.enqueue({"dead", R"({"n":4})"});
    api.script_post_status("big", 413);   // payload too large: this invocation is over
    api.script_post_status("gone", 400);  // unknown/finished request id
    api.script_post_status("dead", 500);  // container error: the runtime must exit
    auto client = client_of(api);
    auto stats = runtime_loop(*client, bounded(10)).run(echo);
    REQUIRE_FALSE(stats);
    CHECK(stats.error().code == core::errc::unavailable);
    CHECK(stats.error().type == "Runtime.ApiUnavailable");
    CHECK(stats.error().message.find("HTTP 500") != std::string::npos);
    CHECK(api.posts().size() == 4);
}

TEST_CASE("runtime loop ends when /next fails, without inventing an invocation",
          "[adapters][lambda_runtime][runtime_loop]") {
    fake_runtime_api api;  // empty queue: /next answers 500
    auto client = client_of(api);
    int calls = 0;
    auto stats = runtime_loop(*client).run([&](const invocation&) {
        ++calls;
        return invocation_result::success("{}");
    });
    REQUIRE_FALSE(stats);
    CHECK(stats.error().type == "Runtime.ApiUnavailable");
    CHECK(calls == 0);
    CHECK(api.posts().empty());
}

TEST_CASE("runtime API client reads the invocation headers and tolerates a malformed deadline",
          "[adapters][lambda_runtime][runtime_api_client]") {
    fake_runtime_api api;
    api.enqueue({"r1", "{}", std::string("1700000000123")});
    api.enqueue({"r2", "{}", std::nullopt});
    api.enqueue({"r3", "{}", std::string("soon")});
    api.enqueue({"r4", "{}", std::string("-5")});
    api.enqueue({"", "{}"});  // no request id: the answer is unusable
    auto client = client_of(api);
    auto a = client->next();
    REQUIRE(a);
    CHECK(a->request_id == "r1");
    REQUIRE(a->deadline);
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(a->deadline->time_since_epoch())
              .count() == 1700000000123);
    CHECK(a->remaining(*a->deadline - std::chrono::milliseconds(250)) ==
          std::chrono::milliseconds(250));
    CHECK(a->remaining(*a->deadline + std::chrono::seconds(1)) == std::chrono::milliseconds(0));
    for (const char* id : {"r2", "r3", "r4"}) {
        auto b = client->next();
        REQUIRE(b);
        CHECK(b->request_id == id);
        CHECK_FALSE(b->deadline);
        CHECK(b->remaining() > std::chrono::hours(1));
    }
    auto bad = client->next();
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == core::errc::parse_error);
    CHECK(bad.error().type == "Runtime.InvalidResponse");
}

TEST_CASE("runtime API client percent-encodes request ids in paths and cleans error-type headers",
          "[adapters][lambda_runtime][runtime_api_client]") {
    fake_runtime_api api;
    auto client = client_of(api);
    REQUIRE(client->post_response("a b/../c?d", "{}").value() == post_status::accepted);
    REQUIRE(client->post_error("x", function_error{"Bad\r\nX-Injected: 1", "m", {}}).value() ==
            post_status::accepted);
    const auto posts = api.posts();
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].target == "/2018-06-01/runtime/invocation/a%20b%2F..%2Fc%3Fd/response");
    CHECK(posts[1].error_type == "Bad  X-Injected: 1");
}

TEST_CASE("runtime API client refuses an AWS_LAMBDA_RUNTIME_API that is not host:port",
          "[adapters][lambda_runtime][runtime_api_client]") {
    for (const char* bad :
         {"", "http://127.0.0.1:9001", "127.0.0.1:9001/x", "127.0.0.1:99999", "host:port"}) {
        INFO(bad);
        auto c = runtime_api_client::create(bad);
        REQUIRE_FALSE(c);
        CHECK(c.error().code == core::errc::invalid_argument);
        CHECK(c.error().type == "Runtime.InvalidEnvironment");
    }
    // Nobody listening: a clear, typed failure on the first call, not a hang.
    auto c =
        runtime_api_client::create("127.0.0.1:" + std::to_string(esser::testing::unused_port()));
    REQUIRE(c);
    auto n = (*c)->next();
    REQUIRE_FALSE(n);
    CHECK(n.error().type == "Runtime.ApiUnavailable");
}

TEST_CASE("bootstrap reports an init failure through /runtime/init/error and exits 1",
          "[adapters][lambda_runtime][runtime_loop]") {
    fake_runtime_api api;
    api.enqueue({"never", "{}"});
    int code = run_bootstrap(env_of({{"AWS_LAMBDA_RUNTIME_API", api.address()}}),
                             [](const lambda_environment& e) -> core::result<invocation_handler> {
                                 return core::fail(core::error::not_found(
                                     "no domain file: ESSER_DOMAIN is unset for " + e.handler()));
                             });
    CHECK(code == 1);
    auto posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == "/2018-06-01/runtime/init/error");
    CHECK(posts[0].error_type == "not_found");
    const json body = json::parse(posts[0].body);
    CHECK(body["errorType"] == "not_found");
    CHECK(body["errorMessage"].get<std::string>().find("ESSER_DOMAIN is unset") !=
          std::string::npos);

    // An exception during init is reported the same way.
    fake_runtime_api api2;
    code = run_bootstrap(env_of({{"AWS_LAMBDA_RUNTIME_API", api2.address()}}),
                         [](const lambda_environment&) -> core::result<invocation_handler> {
                             throw std::logic_error("broken");
                         });
    CHECK(code == 1);
    REQUIRE(api2.posts().size() == 1);
    CHECK(json::parse(api2.posts()[0].body)["errorMessage"].get<std::string>().find(
              "std::logic_error: broken") != std::string::npos);
}

TEST_CASE("bootstrap without AWS_LAMBDA_RUNTIME_API exits 1 without calling init",
          "[adapters][lambda_runtime][runtime_loop]") {
    bool called = false;
    const int code = run_bootstrap(
        env_of({}), [&](const lambda_environment&) -> core::result<invocation_handler> {
            called = true;
            return invocation_handler(echo);
        });
    CHECK(code == 1);
    CHECK_FALSE(called);
}

TEST_CASE("bootstrap serves the handler init returned, with the function's environment",
          "[adapters][lambda_runtime][runtime_loop]") {
    fake_runtime_api api;
    api.enqueue({"one", R"({"n":1})"});
    api.enqueue({"two", R"({"n":2})"});
    std::string seen_handler;
    const int code = run_bootstrap(
        env_of({{"AWS_LAMBDA_RUNTIME_API", api.address()}, {"_HANDLER", "command"}}),
        [&](const lambda_environment& e) -> core::result<invocation_handler> {
            seen_handler = e.handler();
            return invocation_handler(echo);
        },
        bounded(2));
    CHECK(code == 0);
    CHECK(seen_handler == "command");
    REQUIRE(api.posts().size() == 2);
    CHECK(api.posts()[1].target == "/2018-06-01/runtime/invocation/two/response");
}

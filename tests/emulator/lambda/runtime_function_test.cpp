// Issue 5 "Functions": executable functions served through the Lambda Runtime API 2018-06-01
// (spec/streams-and-lambda.md §5.2) -- a C++ runtime and a curl shell runtime in real processes,
// warm reuse, the instance bound, timeouts, crashes, exits, init errors and misbehaving
// runtimes.
#include "esser/emulator/lambda/runtime_function.hpp"

#include <chrono>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "emulator/http/raw_client.hpp"
#include "emulator/lambda/support/runtimes.hpp"
#include <catch2/catch.hpp>
#include <signal.h>

namespace {

using namespace esser::emulator;
using esser::emulator::testing::curl_runtime_path;
using esser::emulator::testing::test_runtime_config;
using nlohmann::json;
using namespace std::chrono_literals;

invocation event(json payload, std::string id = "") {
    invocation inv;
    inv.payload = std::move(payload);
    inv.request_id = std::move(id);
    return inv;
}

bool process_exists(pid_t pid) {
    return ::kill(pid, 0) == 0;
}

// Waits (bounded) until `pid` is gone; killed instances are reaped by their supervisor.
bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (!process_exists(pid))
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return !process_exists(pid);
}

}  // namespace

TEST_CASE("a C++ custom runtime receives the event and the Lambda-Runtime headers",
          "[emulator][lambda][runtime_function]") {
    auto cfg = test_runtime_config("echo");
    cfg.environment["USER_VAR"] = "hello";
    cfg.memory_size_mb = 256;
    runtime_function fn(cfg);

    invocation inv =
        event({{"n", 1}, {"big", 123456789012345678}}, "11111111-2222-4333-8444-555555555555");
    inv.invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:echo";
    inv.trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
    inv.client_context = "eyJjdXN0b20iOnsiYSI6MX19";  // {"custom":{"a":1}}
    const auto before_ms = esser::core::to_epoch_ms(std::chrono::system_clock::now());
    auto r = fn.invoke(inv);

    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload["echo"] == json{{"n", 1}, {"big", 123456789012345678}});
    CHECK(r.payload["request_id"] == inv.request_id);
    CHECK(r.payload["function_arn"] == inv.invoked_function_arn);
    CHECK(r.payload["trace_id"] == inv.trace_id);
    CHECK(r.payload["client_context"] == R"({"custom":{"a":1}})");
    // Deadline-Ms is absolute epoch milliseconds: now + the 2 s timeout.
    const auto deadline = std::stoll(r.payload["deadline_ms"].get<std::string>());
    CHECK(deadline >= before_ms + 1900);
    CHECK(deadline <= before_ms + 2000 + 60'000);
    // The raw bytes the runtime posted are kept next to the parsed document.
    CHECK(json::parse(r.raw_payload) == r.payload);

    const json env = r.payload["env"];
    CHECK(env["_HANDLER"] == "test.handler");
    CHECK(env["AWS_LAMBDA_FUNCTION_NAME"] == "echo");
    CHECK(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256");
    CHECK(env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST");
    CHECK(env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand");
    CHECK(env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/echo");
    CHECK(env["AWS_REGION"] == "us-east-1");
    CHECK(env["AWS_DEFAULT_REGION"] == "us-east-1");
    CHECK(env["USER_VAR"] == "hello");
    CHECK(env["LANG"] == "en_US.UTF-8");
    CHECK(env["TZ"] == ":UTC");
    CHECK(env.contains("AWS_ACCESS_KEY_ID"));
    CHECK_FALSE(env.contains("AWS_EXECUTION_ENV"));  // not set for custom runtimes
    CHECK_FALSE(env.contains("HOME"));               // nothing inherited from the emulator
    const std::string api = env["AWS_LAMBDA_RUNTIME_API"];
    CHECK(api.rfind("127.0.0.1:", 0) == 0);
    const std::string stream = env["AWS_LAMBDA_LOG_STREAM_NAME"];
    CHECK(stream.find("/[$LATEST]") == 10);
    // The task root defaults to the program's directory, which is also the cwd.
    const auto dir =
        std::filesystem::path(esser::emulator::testing::test_runtime_path()).parent_path();
    CHECK(env["LAMBDA_TASK_ROOT"] == dir.string());
    CHECK(env["cwd"] == std::filesystem::canonical(dir).string());

    // START / END / REPORT frame the invoke in its log tail, with Init Duration on a cold start.
    CHECK(r.log_tail.find("START RequestId: " + inv.request_id + " Version: $LATEST") == 0);
    CHECK(r.log_tail.find("END RequestId: " + inv.request_id) != std::string::npos);
    CHECK(r.log_tail.find("REPORT RequestId: " + inv.request_id + "\tDuration: ") !=
          std::string::npos);
    CHECK(r.log_tail.find("Memory Size: 256 MB") != std::string::npos);
    CHECK(r.log_tail.find("Init Duration: ") != std::string::npos);
}

TEST_CASE("a warm instance serves the next invoke from the same process",
          "[emulator][lambda][runtime_function]") {
    runtime_function fn(test_runtime_config("warm"));
    auto first = fn.invoke(event({{"i", 1}}));
    auto second = fn.invoke(event({{"i", 2}}));
    REQUIRE(first.status == invoke_status::success);
    REQUIRE(second.status == invoke_status::success);
    CHECK(first.payload["pid"] == second.payload["pid"]);
    CHECK(second.payload["invocations"] == 2);
    // Filled by the function when the caller leaves them empty: a UUID, the ARN, a trace id.
    CHECK(first.payload["request_id"].get<std::string>().size() == 36);
    CHECK(first.payload["request_id"] != second.payload["request_id"]);
    CHECK(first.payload["function_arn"] == "arn:aws:lambda:us-east-1:000000000000:function:warm");
    CHECK(first.payload["trace_id"].get<std::string>().rfind("Root=1-", 0) == 0);
    // Only the cold start reports an init duration.
    CHECK(first.log_tail.find("Init Duration") != std::string::npos);
    CHECK(second.log_tail.find("Init Duration") == std::string::npos);
    REQUIRE(fn.instances().size() == 1);
    CHECK(fn.instances()[0].pid == first.payload["pid"].get<pid_t>());
}

TEST_CASE("a curl shell runtime in the shape of AWS's tutorial is served the Runtime API",
          "[emulator][lambda][runtime_function]") {
    function_config cfg;
    cfg.name = "shell";
    cfg.kind = function_kind::executable;
    cfg.handler = "function.handler";
    cfg.command = {curl_runtime_path()};
    cfg.timeout = 5s;
    runtime_function fn(cfg);

    auto r = fn.invoke(event({{"hello", "world"}}));
    INFO(r.log_tail);
    REQUIRE(r.status == invoke_status::success);
    CHECK(r.payload == json{{"runtime", "sh"},
                            {"handler", "function.handler"},
                            {"event", {{"hello", "world"}}}});
    CHECK(r.log_tail.find("sh runtime handling ") != std::string::npos);

    auto again = fn.invoke(event({{"fail", true}}));
    CHECK(again.status == invoke_status::function_error);
    CHECK(again.function_error == "Unhandled");
    CHECK(again.payload ==
          json{{"errorMessage", "the event asked to fail"}, {"errorType", "ShellError"}});
    CHECK(fn.instances().size() == 1);  // the same shell loop served both
}

TEST_CASE("an error posted by the runtime is an Unhandled function error with its body",
          "[emulator][lambda][runtime_function]") {
    runtime_function fn(test_runtime_config("errors"));
    auto r = fn.invoke(event({{"action", "error"}}));
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.function_error == "Unhandled");
    CHECK(r.payload ==
          json{{"errorMessage", "boom"}, {"errorType", "TestError"}, {"stackTrace", {"at test"}}});
    // The instance survives a reported error.
    auto ok = fn.invoke(event({{"action", "echo"}}));
    CHECK(ok.status == invoke_status::success);
    CHECK(ok.payload["invocations"] == 2);
}

TEST_CASE("a hanging runtime times out, is killed, and the next invoke starts a new one",
          "[emulator][lambda][runtime_function]") {
    auto cfg = test_runtime_config("hang");
    cfg.timeout = 200ms;
    runtime_function fn(cfg);
    auto warm = fn.invoke(event({{"action", "echo"}}));
    REQUIRE(warm.status == invoke_status::success);
    const pid_t pid = warm.payload["pid"];

    const auto t0 = std::chrono::steady_clock::now();
    auto r = fn.invoke(event({{"action", "hang"}}, "aaaaaaaa-0000-4000-8000-000000000001"));
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE(r.status == invoke_status::function_error);
    CHECK(r.function_error == "Unhandled");
    CHECK(r.payload["errorType"] == "Sandbox.Timedout");
    CHECK(r.payload["errorMessage"] ==
          "RequestId: aaaaaaaa-0000-4000-8000-000000000001 Error: Task timed out after 0.20 "
          "seconds");
    CHECK(took >= 200ms);
    CHECK(took < 5s);
    CHECK(r.log_tail.find("Task timed out after 0.20 seconds") != std::string::npos);
    CHECK(r.log_tail.find("Status: timeout") != std::string::npos);
    CHECK(gone_within(pid, 2s));

    auto next = fn.invoke(event({{"action", "echo"}}));
    REQUIRE(next.status == invoke_status::success);
    CHECK(next.payload["pid"] != pid);
    CHECK(next.payload["invocations"] == 1);
}

TEST_CASE("a runtime that exits or crashes mid-invocation is a Runtime.ExitError",
          "[emulator][lambda][runtime_function]") {
    runtime_function fn(test_runtime_config("crash"));
    SECTION("exit status") {
        auto r = fn.invoke(event({{"action", "exit"}, {"code", 3}}, "req-exit"));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.function_error == "Unhandled");
        CHECK(r.payload == json{{"errorType", "Runtime.ExitError"},
                                {"errorMessage",
                                 "RequestId: req-exit Error: Runtime exited with error: exit "
                                 "status 3"}});
        CHECK(r.log_tail.find("exiting with 3") != std::string::npos);
        CHECK(r.log_tail.find("Error Type: Runtime.ExitError") != std::string::npos);
    }
    SECTION("a signal") {
        auto r = fn.invoke(event({{"action", "kill"}}, "req-kill"));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorMessage"] ==
              "RequestId: req-kill Error: Runtime exited with error: signal: killed");
    }
    SECTION("a clean exit") {
        auto r = fn.invoke(event({{"action", "exit"}, {"code", 0}}, "req-zero"));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorMessage"] ==
              "RequestId: req-zero Error: Runtime exited without providing a reason");
    }
    CHECK(fn.instances().empty());
    // A new environment takes the next invoke.
    CHECK(fn.invoke(event({{"action", "echo"}})).status == invoke_status::success);
}

TEST_CASE("a process that dies between invocations is replaced without losing the next event",
          "[emulator][lambda][runtime_function]") {
    runtime_function fn(test_runtime_config("dies-idle"));
    auto first = fn.invoke(event({{"action", "respond-exit"}}));
    REQUIRE(first.status == invoke_status::success);
    // Whether or not the exit was noticed yet, the next event runs in a fresh environment.
    auto second = fn.invoke(event({{"action", "echo"}}));
    REQUIRE(second.status == invoke_status::success);
    CHECK(second.payload["pid"] != first.payload["pid"]);
    CHECK(second.payload["invocations"] == 1);
}

TEST_CASE("init failures are function errors: exit before /next, init error, bad program",
          "[emulator][lambda][runtime_function]") {
    SECTION("exit during init") {
        runtime_function fn(test_runtime_config("init-exit", {"--exit-at-init", "7"}));
        auto r = fn.invoke(event({}, "req-init"));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorType"] == "Runtime.ExitError");
        CHECK(r.payload["errorMessage"] ==
              "RequestId: req-init Error: Runtime exited with error: exit status 7");
        CHECK(r.log_tail.find("test-runtime: exiting at init") != std::string::npos);
    }
    SECTION("/runtime/init/error") {
        runtime_function fn(test_runtime_config("init-error", {"--init-error"}));
        auto r = fn.invoke(event({}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.function_error == "Unhandled");
        CHECK(r.payload == json{{"errorMessage", "cannot load handler"},
                                {"errorType", "Runtime.TestInitError"}});
        CHECK(r.log_tail.find("INIT_REPORT") != std::string::npos);
        CHECK(fn.instances().empty());
    }
    SECTION("a program that does not exist") {
        auto cfg = test_runtime_config("missing");
        cfg.command = {"/nonexistent/bootstrap"};
        runtime_function fn(cfg);
        auto r = fn.invoke(event({}, "req-missing"));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorType"] == "Runtime.InvalidEntrypoint");
        CHECK(r.payload["errorMessage"] ==
              "RequestId: req-missing Error: fork/exec /nonexistent/bootstrap: no such file or "
              "directory");
    }
    SECTION("a runtime that never reaches /next within the init timeout") {
        auto cfg = test_runtime_config("init-garbage", {"--garbage-at-init"});
        cfg.init_timeout = 300ms;
        runtime_function fn(cfg);
        auto r = fn.invoke(event({}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorType"] == "Sandbox.Timedout");
        CHECK(fn.instances().empty());
    }
}

TEST_CASE("a runtime that sends garbage or misuses the API never hangs the emulator",
          "[emulator][lambda][runtime_function]") {
    auto cfg = test_runtime_config("garbage");
    cfg.timeout = 300ms;
    runtime_function fn(cfg);
    SECTION("non-HTTP bytes, then silence: the invoke times out") {
        auto r = fn.invoke(event({{"action", "garbage"}}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorType"] == "Sandbox.Timedout");
    }
    SECTION("a response that is not JSON is passed through as bytes") {
        auto r = fn.invoke(event({{"action", "raw"}, {"body", "not json {"}}));
        REQUIRE(r.status == invoke_status::success);
        CHECK_FALSE(r.payload_is_json);
        CHECK(r.raw_payload == "not json {");
    }
    SECTION("unknown ids, late init errors and a second /next are refused") {
        auto r = fn.invoke(event({{"action", "probe"}}));
        REQUIRE(r.status == invoke_status::success);
        CHECK(r.payload["bogus_id"] == 400);
        CHECK(r.payload["init_error_after_init"] == 403);
        CHECK(r.payload["next_while_busy"] == 403);
        // The second response for the finished id is refused (400); the runtime logs it.
        auto after = fn.invoke(event({{"action", "echo"}}));
        REQUIRE(after.status == invoke_status::success);
        CHECK(fn.log()->text().find("second response answered 400") != std::string::npos);
    }
    SECTION("a response over 6 MB is Function.ResponseSizeTooLarge") {
        cfg.timeout = 5s;
        runtime_function big(cfg);
        auto r = big.invoke(event({{"action", "big"}, {"size", 6 * 1024 * 1024 + 101}}));
        REQUIRE(r.status == invoke_status::function_error);
        CHECK(r.payload["errorType"] == "Function.ResponseSizeTooLarge");
    }
}

TEST_CASE("instances are bounded: an invoke beyond max_concurrency is throttled",
          "[emulator][lambda][runtime_function]") {
    auto cfg = test_runtime_config("bounded");
    cfg.max_concurrency = 1;
    cfg.timeout = 5s;
    runtime_function fn(cfg);
    REQUIRE(fn.invoke(event({{"action", "echo"}})).status == invoke_status::success);

    // Occupy the one instance, then try another invoke while it is busy.
    auto busy = std::async(std::launch::async, [&] {
        return fn.invoke(event({{"action", "sleep"}, {"ms", 400}}));
    });
    const auto end = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < end) {
        auto infos = fn.instances();
        if (!infos.empty() && infos[0].busy)
            break;
        std::this_thread::sleep_for(2ms);
    }
    auto r = fn.invoke(event({{"action", "echo"}}));
    CHECK(r.status == invoke_status::throttled);
    CHECK(r.error_message == "Rate Exceeded.");
    CHECK(busy.get().status == invoke_status::success);
    CHECK(fn.invoke(event({{"action", "echo"}})).status == invoke_status::success);
}

TEST_CASE("concurrent invokes run in separate instances up to the bound",
          "[emulator][lambda][runtime_function]") {
    auto cfg = test_runtime_config("parallel");
    cfg.max_concurrency = 3;
    cfg.timeout = 5s;
    runtime_function fn(cfg);
    std::vector<std::future<invocation_result>> calls;
    for (int i = 0; i < 3; ++i)
        calls.push_back(std::async(std::launch::async, [&] {
            return fn.invoke(event({{"action", "sleep"}, {"ms", 300}}));
        }));
    std::set<pid_t> pids;
    for (auto& c : calls) {
        auto r = c.get();
        REQUIRE(r.status == invoke_status::success);
        pids.insert(r.payload["pid"].get<pid_t>());
    }
    CHECK(pids.size() == 3);
    CHECK(fn.instances().size() == 3);
}

TEST_CASE("stdout and stderr lines land in the invoke's log and the function log",
          "[emulator][lambda][runtime_function]") {
    runtime_function fn(test_runtime_config("printer", {"--print-init", "initialising"}));
    auto r = fn.invoke(
        event({{"action", "print"}, {"lines", {"out one", "out two"}}, {"errlines", {"err one"}}},
              "req-print"));
    REQUIRE(r.status == invoke_status::success);
    // Init output comes before START; handler output between START and END.
    const auto init = r.log_tail.find("initialising");
    const auto start = r.log_tail.find("START RequestId: req-print");
    const auto one = r.log_tail.find("out one\n");
    const auto two = r.log_tail.find("out two\n");
    const auto err = r.log_tail.find("err one\n");
    const auto end = r.log_tail.find("END RequestId: req-print");
    REQUIRE(init != std::string::npos);
    REQUIRE(one != std::string::npos);
    REQUIRE(two != std::string::npos);
    REQUIRE(err != std::string::npos);
    CHECK(init < start);
    CHECK(start < one);
    CHECK(one < two);
    CHECK(two < end);
    CHECK(err < end);
    CHECK(fn.log()->text().find("out two") != std::string::npos);
}

TEST_CASE("shutdown kills every instance and refuses later invokes",
          "[emulator][lambda][runtime_function]") {
    auto fn = std::make_unique<runtime_function>(test_runtime_config("shutdown"));
    auto r = fn->invoke(event({{"action", "echo"}}));
    REQUIRE(r.status == invoke_status::success);
    const pid_t pid = r.payload["pid"];
    CHECK(process_exists(pid));
    fn->shutdown();
    CHECK(gone_within(pid, 2s));
    auto after = fn->invoke(event({}));
    CHECK(after.status == invoke_status::service_error);
    fn.reset();
}

TEST_CASE("the Runtime API refuses malformed and out-of-turn requests from anyone",
          "[emulator][lambda][runtime_function]") {
    // The test plays a misbehaving client against a live instance's Runtime API while the
    // runtime waits in /next; the instance keeps serving afterwards.
    runtime_function fn(test_runtime_config("rapi"));
    auto first = fn.invoke(event({{"action", "echo"}}, "req-first"));
    REQUIRE(first.status == invoke_status::success);
    const std::string api = first.payload["env"]["AWS_LAMBDA_RUNTIME_API"];
    const auto port = static_cast<std::uint16_t>(std::stoi(api.substr(api.rfind(':') + 1)));
    auto send = [&](const std::string& bytes) {
        esser::test::raw_client c(port, 5s);
        REQUIRE(c.send(bytes));
        return c.read_response();
    };
    using esser::test::make_request;

    auto finished = send(make_request("POST", "/2018-06-01/runtime/invocation/req-first/response",
                                      R"({"late":true})"));
    REQUIRE(finished);
    CHECK(finished->status == 400);
    CHECK(json::parse(finished->body) ==
          json{{"errorMessage", "Invalid request ID"}, {"errorType", "InvalidRequestID"}});

    auto unknown = send(make_request("POST", "/2018-06-01/runtime/invocation/%00%ff/error", "x"));
    REQUIRE(unknown);
    CHECK(unknown->status == 400);

    auto late_init = send(make_request("POST", "/2018-06-01/runtime/init/error", "{}"));
    REQUIRE(late_init);
    CHECK(late_init->status == 403);
    CHECK(json::parse(late_init->body)["errorType"] == "InvalidStateTransition");

    auto route = send(make_request("GET", "/2018-06-01/runtime/nothing-here"));
    REQUIRE(route);
    CHECK(route->status == 404);

    auto method = send(make_request("PUT", "/2018-06-01/runtime/invocation/next", "{}"));
    REQUIRE(method);
    CHECK(method->status == 405);

    auto malformed = send("NOT HTTP AT ALL\r\n\r\n");
    REQUIRE(malformed);
    CHECK(malformed->status == 400);

    auto second = fn.invoke(event({{"action", "echo"}}));
    REQUIRE(second.status == invoke_status::success);
    CHECK(second.payload["pid"] == first.payload["pid"]);
}

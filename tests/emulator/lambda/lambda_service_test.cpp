// Issue 5 "Functions": the Lambda service -- registry (create/get/list/delete), the Invoke
// API's semantics (RequestResponse, Event with AWS's retries on the clock, DryRun), request
// checks and AWS error names, log tails, the handles event source mappings use
// (spec/streams-and-lambda.md §5.1).
#include "esser/emulator/lambda/lambda_service.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "emulator/lambda/support/runtimes.hpp"
#include <catch2/catch.hpp>
#include <signal.h>

#include "esser/emulator/dynamo/base64.hpp"

namespace {

using namespace esser::emulator;
using esser::core::error;
using esser::core::result;
using nlohmann::json;
using namespace std::chrono_literals;

function_config named(std::string name) {
    function_config c;
    c.name = std::move(name);
    return c;
}

invoke_request call(std::string name, std::string payload = "{}",
                    invocation_type type = invocation_type::request_response) {
    invoke_request r;
    r.function_name = std::move(name);
    r.payload = std::move(payload);
    r.type = type;
    return r;
}

// A function whose outcomes are scripted, counting its invokes.
class scripted_function final : public lambda_function {
public:
    explicit scripted_function(std::vector<invoke_status> script) : script_(std::move(script)) {}

    invocation_result invoke(const invocation& inv) override {
        std::lock_guard lock(mu_);
        const auto status = script_.empty() ? invoke_status::success
                                            : script_[std::min(calls_, script_.size() - 1)];
        ++calls_;
        last_ = inv;
        invocation_result r;
        r.status = status;
        if (status == invoke_status::function_error) {
            r.function_error = "Unhandled";
            r.payload = {{"errorMessage", "scripted failure"}, {"errorType", "Scripted"}};
        } else if (status == invoke_status::success) {
            r.payload = {{"ok", true}};
        } else {
            r.error_message = "scripted";
        }
        return r;
    }

    std::size_t calls() const {
        std::lock_guard lock(mu_);
        return calls_;
    }

    invocation last() const {
        std::lock_guard lock(mu_);
        return last_;
    }

private:
    mutable std::mutex mu_;
    std::vector<invoke_status> script_;
    std::size_t calls_ = 0;
    invocation last_;
};

result<json> echo(const json& e, in_process_context&) {
    return json{{"echo", e}};
}

}  // namespace

TEST_CASE("functions are created, found by name or ARN, listed and deleted",
          "[emulator][lambda][lambda_service]") {
    lambda_service s;
    auto created = s.create_function(named("beta"), echo);
    REQUIRE(created);
    CHECK(created->arn == "arn:aws:lambda:us-east-1:000000000000:function:beta");
    CHECK(created->revision_id.size() == 36);
    REQUIRE(s.create_function(named("alpha"), echo));

    CHECK(s.get_function("beta")->config.name == "beta");
    CHECK(s.get_function("arn:aws:lambda:us-east-1:000000000000:function:beta"));
    CHECK(s.get_function("000000000000:function:beta"));
    CHECK(s.get_function("beta:$LATEST"));

    auto listed = s.list_functions();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].config.name == "alpha");  // sorted by name
    CHECK(listed[1].config.name == "beta");

    auto dup = s.create_function(named("beta"), echo);
    REQUIRE_FALSE(dup);
    CHECK(dup.error().type == "ResourceConflictException");
    CHECK(dup.error().message == "Function already exist: beta");

    auto missing = s.get_function("nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().type == "ResourceNotFoundException");
    CHECK(missing.error().message ==
          "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
    CHECK(s.get_function("beta:7").error().message ==
          "Function not found: arn:aws:lambda:us-east-1:000000000000:function:beta:7");
    CHECK(s.get_function("bad name").error().type == "ValidationException");

    REQUIRE(s.delete_function("beta"));
    CHECK_FALSE(s.get_function("beta"));
    CHECK(s.delete_function("beta").error().type == "ResourceNotFoundException");
    CHECK(s.list_functions().size() == 1);
}

TEST_CASE("create_function refuses invalid configurations with AWS's exception names",
          "[emulator][lambda][lambda_service]") {
    lambda_service s;
    auto c = named("bad");
    c.timeout = 0ms;
    CHECK(s.create_function(c, echo).error().type == "ValidationException");
    auto e = named("exe");
    e.kind = function_kind::executable;
    CHECK(s.create_function(e).error().type == "InvalidParameterValueException");  // no command
    auto i = named("inproc");
    CHECK(s.create_function(i).error().type == "InvalidParameterValueException");  // no handler
    CHECK(s.create_function(named("null-handler"), in_process_handler{}).error().type ==
          "InvalidParameterValueException");
}

TEST_CASE("a RequestResponse invoke returns the function's result or its error",
          "[emulator][lambda][lambda_service]") {
    lambda_service s;
    REQUIRE(s.create_function(named("echo"), echo));
    REQUIRE(s.create_function(named("fails"), [](const json&, in_process_context&) -> result<json> {
        error e = error::validation("bad input");
        e.type = "InputError";
        return esser::core::fail(e);
    }));

    auto ok = s.invoke(call("echo", R"({"b":1,"a":[1,2]})"));
    REQUIRE(ok);
    CHECK(ok->status_code == 200);
    CHECK(ok->request_id.size() == 36);
    CHECK(ok->result.status == invoke_status::success);
    CHECK(json::parse(ok->body()) == json{{"echo", {{"b", 1}, {"a", {1, 2}}}}});
    CHECK(ok->log_result.empty());

    // A function error is a successful call carrying the error (HTTP 200 + X-Amz-Function-Error).
    auto failed = s.invoke(call("fails"));
    REQUIRE(failed);
    CHECK(failed->status_code == 200);
    CHECK(failed->result.status == invoke_status::function_error);
    CHECK(failed->result.function_error == "Unhandled");
    CHECK(json::parse(failed->body()) == json{{"errorMessage", "bad input"},
                                              {"errorType", "InputError"},
                                              {"stackTrace", json::array()}});

    // An empty body is the event {}.
    auto empty = s.invoke(call("echo", ""));
    REQUIRE(empty);
    CHECK(json::parse(empty->body()) == json{{"echo", json::object()}});
}

TEST_CASE("invoke requests are checked the way AWS checks them",
          "[emulator][lambda][lambda_service]") {
    lambda_service_options o;
    o.max_request_payload_bytes = 64;
    o.max_event_payload_bytes = 32;
    lambda_service s(o);
    REQUIRE(s.create_function(named("echo"), echo));

    SECTION("unknown function") {
        auto r = s.invoke(call("ghost"));
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "ResourceNotFoundException");
    }
    SECTION("unknown qualifier") {
        auto req = call("echo");
        req.qualifier = "3";
        CHECK(s.invoke(req).error().message ==
              "Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:3");
        req.qualifier = "$LATEST";
        CHECK(s.invoke(req));
        req.function_name = "echo:prod";
        CHECK(s.invoke(req).error().type == "InvalidParameterValueException");
    }
    SECTION("a body that is not JSON") {
        for (const char* body : {"{", "not json", "{\"a\":}", "\xff\xfe"}) {
            auto r = s.invoke(call("echo", body));
            REQUIRE_FALSE(r);
            CHECK(r.error().type == "InvalidRequestContentException");
            CHECK(r.error().message.rfind("Could not parse request body into json", 0) == 0);
        }
    }
    SECTION("payload limits: synchronous and Event") {
        const std::string big = "\"" + std::string(70, 'x') + "\"";
        auto r = s.invoke(call("echo", big));
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "RequestTooLargeException");
        CHECK(r.error().message ==
              "Request must be smaller than 64 bytes for the InvokeFunction operation");
        const std::string medium = "\"" + std::string(40, 'x') + "\"";
        CHECK(s.invoke(call("echo", medium)));
        CHECK(s.invoke(call("echo", medium, invocation_type::event)).error().type ==
              "RequestTooLargeException");
    }
    SECTION("client context must be base64 JSON") {
        auto req = call("echo");
        req.client_context = "not base64!";
        CHECK(s.invoke(req).error().type == "InvalidRequestContentException");
        req.client_context = base64_encode("[1,2]");  // JSON, but not an object
        CHECK_FALSE(s.invoke(req));
        req.client_context = base64_encode(R"({"custom":{"k":"v"}})");
        CHECK(s.invoke(req));
    }
}

TEST_CASE("the client context reaches the function", "[emulator][lambda][lambda_service]") {
    lambda_service s;
    std::string seen;
    REQUIRE(
        s.create_function(named("ctx"), [&](const json&, in_process_context& c) -> result<json> {
            seen = c.client_context();
            return json(nullptr);
        }));
    auto req = call("ctx");
    req.client_context = base64_encode(R"({"custom":{"k":"v"}})");
    REQUIRE(s.invoke(req));
    CHECK(seen == req.client_context);
}

TEST_CASE("X-Amz-Log-Type Tail returns base64 of the last 4 KB of the log",
          "[emulator][lambda][lambda_service]") {
    lambda_service s;
    REQUIRE(s.create_function(named("chatty"),
                              [](const json& e, in_process_context& c) -> result<json> {
                                  for (int i = 0; i < e.value("lines", 0); ++i)
                                      c.log("line " + std::to_string(i) + std::string(60, '.'));
                                  return json(nullptr);
                              }));
    auto req = call("chatty", R"({"lines":2})");
    req.log_tail = true;
    auto r = s.invoke(req);
    REQUIRE(r);
    auto tail = base64_decode(r->log_result);
    REQUIRE(tail);
    CHECK(tail->rfind("START RequestId: " + r->request_id, 0) == 0);
    CHECK(tail->find("line 1....") != std::string::npos);
    CHECK(tail->find("REPORT RequestId: " + r->request_id) != std::string::npos);

    req.payload = R"({"lines":200})";
    auto big = s.invoke(req);
    REQUIRE(big);
    auto big_tail = base64_decode(big->log_result);
    REQUIRE(big_tail);
    CHECK(big_tail->size() == 4096);
    CHECK(big_tail->find("REPORT RequestId: " + big->request_id) != std::string::npos);
    CHECK(big_tail->find("line 0.") == std::string::npos);  // the beginning was cut

    // The function's log keeps everything (within its bound).
    auto text = s.function_log_text("chatty");
    REQUIRE(text);
    CHECK(text->find("line 0.") != std::string::npos);
}

TEST_CASE("DryRun checks the request and runs nothing", "[emulator][lambda][lambda_service]") {
    lambda_service s;
    auto fn = std::make_shared<scripted_function>(std::vector<invoke_status>{});
    REQUIRE(s.add_function(named("scripted"), fn));
    auto r = s.invoke(call("scripted", "{}", invocation_type::dry_run));
    REQUIRE(r);
    CHECK(r->status_code == 204);
    CHECK(r->body().empty());
    CHECK(fn->calls() == 0);
    CHECK(s.invoke(call("scripted", "{", invocation_type::dry_run)).error().type ==
          "InvalidRequestContentException");
}

TEST_CASE(
    "a throttled synchronous invoke is TooManyRequestsException, a failed one "
    "ServiceException",
    "[emulator][lambda][lambda_service]") {
    lambda_service s;
    REQUIRE(s.add_function(named("throttled"), std::make_shared<scripted_function>(
                                                   std::vector{invoke_status::throttled})));
    REQUIRE(s.add_function(named("broken"), std::make_shared<scripted_function>(
                                                std::vector{invoke_status::service_error})));
    auto t = s.invoke(call("throttled"));
    REQUIRE_FALSE(t);
    CHECK(t.error().type == "TooManyRequestsException");
    CHECK(t.error().message == "Rate Exceeded.");
    auto b = s.invoke(call("broken"));
    REQUIRE_FALSE(b);
    CHECK(b.error().type == "ServiceException");
}

TEST_CASE("a response over 6 MB becomes Function.ResponseSizeTooLarge",
          "[emulator][lambda][lambda_service]") {
    lambda_service s;
    REQUIRE(s.create_function(named("huge"), [](const json&, in_process_context&) -> result<json> {
        return json(std::string(6u * 1024 * 1024 + 200, 'x'));
    }));
    auto r = s.invoke(call("huge"));
    REQUIRE(r);
    CHECK(r->result.status == invoke_status::function_error);
    CHECK(r->result.payload["errorType"] == "Function.ResponseSizeTooLarge");
}

TEST_CASE("Event invokes run once, and function errors are retried twice on the clock",
          "[emulator][lambda][lambda_service]") {
    auto clock = std::make_shared<esser::core::manual_clock>();
    lambda_service s({}, clock);
    auto ok = std::make_shared<scripted_function>(std::vector{invoke_status::success});
    auto bad = std::make_shared<scripted_function>(std::vector{invoke_status::function_error});
    REQUIRE(s.add_function(named("ok"), ok));
    REQUIRE(s.add_function(named("bad"), bad));

    auto queued = s.invoke(call("ok", R"({"n":1})", invocation_type::event));
    REQUIRE(queued);
    CHECK(queued->status_code == 202);
    REQUIRE(s.wait_for_events(5s));
    CHECK(ok->calls() == 1);
    CHECK(ok->last().request_id == queued->request_id);  // the event keeps its request id
    CHECK(ok->last().payload == json{{"n", 1}});
    CHECK(s.pending_events() == 0);

    auto failing = s.invoke(call("bad", R"({"order":7})", invocation_type::event));
    REQUIRE(failing);
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 1);
    CHECK(s.pending_events() == 1);  // the retry waits for the clock

    clock->advance(59s);
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 1);
    clock->advance(1s);  // AWS: about a minute before the first retry
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 2);

    clock->advance(119s);
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 2);
    clock->advance(1s);  // and two minutes before the second
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 3);
    CHECK(s.pending_events() == 0);

    clock->advance(1h);
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 3);  // no third retry

    auto failures = s.failed_events();
    REQUIRE(failures.size() == 1);
    const json& f = failures[0];
    CHECK(f["version"] == "1.0");
    CHECK(f["requestContext"]["requestId"] == failing->request_id);
    CHECK(f["requestContext"]["functionArn"] ==
          "arn:aws:lambda:us-east-1:000000000000:function:bad:$LATEST");
    CHECK(f["requestContext"]["condition"] == "RetriesExhausted");
    CHECK(f["requestContext"]["approximateInvokeCount"] == 3);
    CHECK(f["requestPayload"] == json{{"order", 7}});
    CHECK(f["responseContext"] == json{{"statusCode", 200},
                                       {"executedVersion", "$LATEST"},
                                       {"functionError", "Unhandled"}});
    CHECK(f["responsePayload"]["errorType"] == "Scripted");
}

TEST_CASE("throttled Event invokes back off without using retries, until the event is too old",
          "[emulator][lambda][lambda_service]") {
    auto clock = std::make_shared<esser::core::manual_clock>();
    lambda_service_options o;
    o.async_max_event_age = 10s;
    lambda_service s(o, clock);
    SECTION("throttled twice, then it runs") {
        auto fn = std::make_shared<scripted_function>(std::vector{
            invoke_status::throttled, invoke_status::throttled, invoke_status::success});
        REQUIRE(s.add_function(named("busy"), fn));
        REQUIRE(s.invoke(call("busy", "{}", invocation_type::event)));
        REQUIRE(s.wait_for_events(5s));
        CHECK(fn->calls() == 1);
        clock->advance(1s);  // backoff 1 s
        REQUIRE(s.wait_for_events(5s));
        CHECK(fn->calls() == 2);
        clock->advance(1s);  // backoff 2 s: not yet
        REQUIRE(s.wait_for_events(5s));
        CHECK(fn->calls() == 2);
        clock->advance(1s);
        REQUIRE(s.wait_for_events(5s));
        CHECK(fn->calls() == 3);
        CHECK(s.failed_events().empty());
    }
    SECTION("always throttled: dropped to the failures once older than the maximum age") {
        auto fn = std::make_shared<scripted_function>(std::vector{invoke_status::throttled});
        REQUIRE(s.add_function(named("never"), fn));
        REQUIRE(s.invoke(call("never", "{}", invocation_type::event)));
        for (int i = 0; i < 20 && s.pending_events() > 0; ++i) {
            REQUIRE(s.wait_for_events(5s));
            clock->advance(1s);
        }
        REQUIRE(s.wait_for_events(5s));
        CHECK(s.pending_events() == 0);
        CHECK(fn->calls() == 4);  // at 0, 1, 3 and 7 s; the next (15 s) would be over 10 s
        auto failures = s.failed_events();
        REQUIRE(failures.size() == 1);
        CHECK(failures[0]["requestContext"]["condition"] == "EventAgeExceeded");
        CHECK(failures[0]["requestContext"]["approximateInvokeCount"] == 0);
        CHECK(failures[0]["responseContext"]["statusCode"] == 429);
    }
}

TEST_CASE("retry delays scale for a real clock", "[emulator][lambda][lambda_service]") {
    lambda_service_options o;
    o.async_delay_scale = 0.0005;  // 1 min -> 30 ms, 2 min -> 60 ms
    lambda_service s(o);
    auto bad = std::make_shared<scripted_function>(std::vector{invoke_status::function_error});
    REQUIRE(s.add_function(named("bad"), bad));
    REQUIRE(s.invoke(call("bad", "{}", invocation_type::event)));
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (s.failed_events().empty() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(5ms);
    CHECK(bad->calls() == 3);
    CHECK(s.failed_events().size() == 1);
}

TEST_CASE("events for a deleted function are dropped", "[emulator][lambda][lambda_service]") {
    auto clock = std::make_shared<esser::core::manual_clock>();
    lambda_service s({}, clock);
    auto bad = std::make_shared<scripted_function>(std::vector{invoke_status::function_error});
    REQUIRE(s.add_function(named("gone"), bad));
    REQUIRE(s.invoke(call("gone", "{}", invocation_type::event)));
    REQUIRE(s.wait_for_events(5s));
    REQUIRE(s.delete_function("gone"));
    clock->advance(2min);
    REQUIRE(s.wait_for_events(5s));
    CHECK(bad->calls() == 1);
    CHECK(s.pending_events() == 0);
    CHECK(s.failed_events().empty());
}

TEST_CASE("event source mappings invoke by name or through a handle",
          "[emulator][lambda][lambda_service]") {
    lambda_service s;
    auto fn = std::make_shared<scripted_function>(std::vector{invoke_status::success});
    REQUIRE(s.add_function(named("projector"), fn));

    auto r = s.invoke_function("projector", json{{"Records", json::array()}});
    REQUIRE(r);
    CHECK(r->status == invoke_status::success);
    CHECK(fn->last().invoked_function_arn ==
          "arn:aws:lambda:us-east-1:000000000000:function:projector");
    CHECK(fn->last().request_id.size() == 36);
    CHECK(fn->last().trace_id.rfind("Root=1-", 0) == 0);
    CHECK(s.invoke_function("nope", json::object()).error().type == "ResourceNotFoundException");

    auto handle = s.function("arn:aws:lambda:us-east-1:000000000000:function:projector");
    REQUIRE(handle);
    invocation inv;
    inv.payload = json{{"k", 1}};
    CHECK((*handle)->invoke(inv).status == invoke_status::success);
    CHECK(fn->calls() == 2);
    CHECK(fn->last().payload == json{{"k", 1}});

    REQUIRE(s.delete_function("projector"));
    auto after = (*handle)->invoke(inv);
    CHECK(after.status == invoke_status::service_error);
    CHECK(after.error_message ==
          "Function not found: arn:aws:lambda:us-east-1:000000000000:function:projector");
}

TEST_CASE("executable functions run through the service and stop with it",
          "[emulator][lambda][lambda_service]") {
    auto s = std::make_unique<lambda_service>();
    s->set_endpoint_url("http://127.0.0.1:4566");
    auto cfg = esser::emulator::testing::test_runtime_config("exe");
    auto created = s->create_function(cfg);
    REQUIRE(created);
    CHECK(created->config.working_directory.empty() == false);
    auto r = s->invoke(call("exe", R"({"x":1})"));
    REQUIRE(r);
    REQUIRE(r->result.status == invoke_status::success);
    const json body = json::parse(r->body());
    CHECK(body["echo"] == json{{"x", 1}});
    CHECK(body["request_id"] == r->request_id);
    CHECK(body["env"]["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566");  // SDKs reach esser-local
    const pid_t pid = body["pid"];
    CHECK(::kill(pid, 0) == 0);

    auto log = s->function_log_text("exe");
    REQUIRE(log);
    CHECK(log->find("START RequestId: " + r->request_id) != std::string::npos);

    s->shutdown();
    CHECK(s->invoke(call("exe")).error().type == "ServiceException");
    s.reset();
    // The supervisor reaped it during shutdown: the pid is gone.
    CHECK(::kill(pid, 0) != 0);
}

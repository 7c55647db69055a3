// Issue 13 "Functions from standard deployment calls": zip packages through lambda_service --
// provided.al2023 bootstraps, the python3.x and nodejs20.x shims (context, errors in AWS's
// shapes, init errors, stdout in the log, non-JSON results, timeouts), UpdateFunctionCode and
// UpdateFunctionConfiguration, bad packages and runtimes, package directories cleaned up.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/zip_writer.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/lambda/zip_runtime.hpp"

namespace {

namespace fs = std::filesystem;
using namespace esser::emulator;
using esser::test::zip_writer;
using nlohmann::json;

struct code_dir {
    fs::path path;

    code_dir() {
        std::string t = (fs::temp_directory_path() / "esser-zip-fn.XXXXXX").string();
        REQUIRE(::mkdtemp(t.data()) != nullptr);
        path = t;
    }

    ~code_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }

    std::size_t packages() const {
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(path), fs::directory_iterator()));
    }
};

lambda_service_options options_for(const code_dir& d) {
    lambda_service_options o;
    o.code_directory = d.path.string();
    o.runtime_directory = std::string(ESSER_SOURCE_DIR) + "/emulator/runtimes";
    return o;
}

function_config zip_config(std::string name, std::string runtime, std::string handler) {
    function_config c;
    c.name = std::move(name);
    c.runtime = std::move(runtime);
    c.handler = std::move(handler);
    c.timeout = std::chrono::milliseconds(5000);
    c.max_concurrency = 2;
    return c;
}

invoke_request call(std::string name, std::string payload = "{}", bool tail = false) {
    invoke_request r;
    r.function_name = std::move(name);
    r.payload = std::move(payload);
    r.log_tail = tail;
    return r;
}

json result_of(lambda_service& s, const std::string& name, const std::string& payload = "{}") {
    auto r = s.invoke(call(name, payload));
    REQUIRE(r);
    return json::parse(r->body());
}

constexpr const char* python_app = R"py(import os, time

def handler(event, context):
    print("handling", event.get("n"))
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "greeting": os.environ.get("GREETING"),
        "task_root": os.environ["LAMBDA_TASK_ROOT"],
    }

def boom(event, context):
    raise ValueError("boom " + str(event.get("n")))

def unencodable(event, context):
    return {1, 2}

def hang(event, context):
    time.sleep(60)
)py";

}  // namespace

TEST_CASE("a python3.x zip function runs through the shim with AWS's context",
          "[emulator][lambda][zip_function]") {
    code_dir d;
    lambda_service s(options_for(d));
    auto cfg = zip_config("py", "python3.11", "app.handler");
    cfg.environment["GREETING"] = "hello";
    cfg.memory_size_mb = 256;
    auto created = s.create_zip_function(cfg, zip_writer().file("app.py", python_app).bytes());
    REQUIRE(created);
    CHECK(created->code_size > 0);
    CHECK(created->code_sha256.size() == 44);
    CHECK(created->config.kind == function_kind::executable);

    auto r = s.invoke(call("py", R"({"n":7})", true));
    REQUIRE(r);
    CHECK(r->result.status == invoke_status::success);
    const json out = json::parse(r->body());
    CHECK(out["event"] == json{{"n", 7}});
    CHECK(out["request_id"] == r->request_id);
    CHECK(out["function_name"] == "py");
    CHECK(out["arn"] == created->arn);
    CHECK(out["memory"] == "256");
    CHECK(out["group"] == "/aws/lambda/py");
    CHECK(out["stream"].get<std::string>().find("[$LATEST]") != std::string::npos);
    CHECK(out["remaining"].get<int>() > 3000);
    CHECK(out["remaining"].get<int>() <= 5000);
    CHECK(out["greeting"] == "hello");
    CHECK(out["task_root"] == created->code_directory);
    // stdout lands in the log between START and END, and in the tail.
    auto log = s.function_log_text("py");
    REQUIRE(log);
    const auto start = log->find("START RequestId: " + r->request_id);
    const auto printed = log->find("handling 7");
    const auto end = log->find("END RequestId: " + r->request_id);
    CHECK(start < printed);
    CHECK(printed < end);
    CHECK(log->find("REPORT RequestId: " + r->request_id) != std::string::npos);
    CHECK(r->result.log_tail.find("handling 7") != std::string::npos);

    // Warm: the second invoke reuses the process.
    CHECK(result_of(s, "py", R"({"n":8})")["event"]["n"] == 8);
}

TEST_CASE("python handler errors come back in AWS's shape", "[emulator][lambda][zip_function]") {
    code_dir d;
    lambda_service s(options_for(d));
    const auto zip = zip_writer().file("app.py", python_app).bytes();
    REQUIRE(s.create_zip_function(zip_config("boom", "python3.11", "app.boom"), zip));
    REQUIRE(s.create_zip_function(zip_config("marshal", "python3.12", "app.unencodable"), zip));
    REQUIRE(s.create_zip_function(zip_config("nomodule", "python3.11", "missing.handler"), zip));
    REQUIRE(s.create_zip_function(zip_config("nofunction", "python3.11", "app.nothing"), zip));
    REQUIRE(s.create_zip_function(zip_config("badname", "python3.11", "handler"), zip));
    auto hang = zip_config("hang", "python3.11", "app.hang");
    hang.timeout = std::chrono::milliseconds(1000);
    REQUIRE(s.create_zip_function(hang, zip));

    SECTION("an exception") {
        auto r = s.invoke(call("boom", R"({"n":3})"));
        REQUIRE(r);
        CHECK(r->result.status == invoke_status::function_error);
        CHECK(r->result.function_error == "Unhandled");
        const json e = json::parse(r->body());
        CHECK(e["errorType"] == "ValueError");
        CHECK(e["errorMessage"] == "boom 3");
        REQUIRE(e["stackTrace"].size() == 1);
        CHECK(e["stackTrace"][0].get<std::string>().find("app.py") != std::string::npos);
        CHECK(s.function_log_text("boom")->find("[ERROR] ValueError: boom 3") != std::string::npos);
    }
    SECTION("a result json cannot encode") {
        const json e = result_of(s, "marshal");
        CHECK(e["errorType"] == "Runtime.MarshalError");
        CHECK(e["errorMessage"].get<std::string>().find("Unable to marshal response") == 0);
    }
    SECTION("handlers that do not exist fail at init, every invoke") {
        for (int i = 0; i < 2; ++i) {
            const json e = result_of(s, "nomodule");
            CHECK(e["errorType"] == "Runtime.ImportModuleError");
            CHECK(e["errorMessage"] ==
                  "Unable to import module 'missing': No module named 'missing'");
        }
        CHECK(result_of(s, "nofunction")["errorType"] == "Runtime.HandlerNotFound");
        CHECK(result_of(s, "badname")["errorType"] == "Runtime.MalformedHandlerName");
    }
    SECTION("a handler hanging past its timeout") {
        const json e = result_of(s, "hang");
        CHECK(e["errorType"] == "Sandbox.Timedout");
        CHECK(e["errorMessage"].get<std::string>().find("Task timed out after 1.00 seconds") !=
              std::string::npos);
    }
}

TEST_CASE("a provided.al2023 zip runs the package's bootstrap; non-JSON output passes through",
          "[emulator][lambda][zip_function]") {
    code_dir d;
    lambda_service s(options_for(d));
    std::ifstream in(std::string(ESSER_SOURCE_DIR) +
                     "/tests/emulator/lambda/support/zip_bootstrap.sh");
    const std::string bootstrap{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
    REQUIRE(bootstrap.rfind("#!/bin/sh", 0) == 0);
    const auto zip = zip_writer().file("bootstrap", bootstrap, 0100755).bytes();
    REQUIRE(s.create_zip_function(zip_config("sh", "provided.al2023", "fn.handler"), zip));
    CHECK(result_of(s, "sh", R"({"a":1})") ==
          json{{"handler", "fn.handler"}, {"event", {{"a", 1}}}});

    auto text = s.invoke(call("sh", R"({"text":1})"));
    REQUIRE(text);
    CHECK(text->result.status == invoke_status::success);
    CHECK(text->body() == "plain text, not json");

    const json crash = result_of(s, "sh", R"({"crash":1})");
    CHECK(crash["errorType"] == "Runtime.ExitError");
    CHECK(s.function_log_text("sh")->find("bootstrap got {\"a\":1}") != std::string::npos);

    // A package without a bootstrap: AWS's Runtime.InvalidEntrypoint at invoke.
    REQUIRE(s.create_zip_function(zip_config("nobootstrap", "provided.al2", ""),
                                  zip_writer().file("README", "no bootstrap").bytes()));
    CHECK(result_of(s, "nobootstrap")["errorType"] == "Runtime.InvalidEntrypoint");
}

TEST_CASE("a nodejs20.x zip function: async and callback handlers, AWS's error shape",
          "[emulator][lambda][zip_function]") {
    code_dir d;
    lambda_service s(options_for(d));
    const std::string index = R"js(
exports.asyncHandler = async (event, context) => {
  console.log('async got', event.n);
  return { n: event.n, id: context.awsRequestId, fn: context.functionName,
           memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis() };
};
exports.callbackHandler = (event, context, callback) => {
  setTimeout(() => callback(null, { doubled: event.n * 2 }), 1);
};
exports.failing = async () => { throw new TypeError('bad input'); };
exports.callbackError = (event, context, callback) => callback(new Error('via callback'));
)js";
    const auto zip = zip_writer().file("src/index.js", index).bytes();
    REQUIRE(
        s.create_zip_function(zip_config("nasync", "nodejs20.x", "src/index.asyncHandler"), zip));
    REQUIRE(
        s.create_zip_function(zip_config("ncb", "nodejs20.x", "src/index.callbackHandler"), zip));
    REQUIRE(s.create_zip_function(zip_config("nfail", "nodejs20.x", "src/index.failing"), zip));
    REQUIRE(
        s.create_zip_function(zip_config("ncberr", "nodejs20.x", "src/index.callbackError"), zip));
    REQUIRE(s.create_zip_function(zip_config("nmissing", "nodejs20.x", "src/index.absent"), zip));
    REQUIRE(s.create_zip_function(zip_config("nnomodule", "nodejs20.x", "nope.handler"), zip));

    auto r = s.invoke(call("nasync", R"({"n":5})"));
    REQUIRE(r);
    const json out = json::parse(r->body());
    CHECK(out["n"] == 5);
    CHECK(out["id"] == r->request_id);
    CHECK(out["fn"] == "nasync");
    CHECK(out["memory"] == "128");
    CHECK(out["remaining"].get<int>() > 3000);
    CHECK(s.function_log_text("nasync")->find("\tINFO\tasync got 5") != std::string::npos);

    CHECK(result_of(s, "ncb", R"({"n":21})") == json{{"doubled", 42}});

    const json e = result_of(s, "nfail");
    CHECK(e["errorType"] == "TypeError");
    CHECK(e["errorMessage"] == "bad input");
    CHECK(e["trace"][0] == "TypeError: bad input");
    CHECK(result_of(s, "ncberr")["errorMessage"] == "via callback");
    CHECK(result_of(s, "nmissing")["errorType"] == "Runtime.HandlerNotFound");
    CHECK(result_of(s, "nnomodule")["errorType"] == "Runtime.ImportModuleError");
}

TEST_CASE("UpdateFunctionCode and UpdateFunctionConfiguration take effect on the next invoke",
          "[emulator][lambda][zip_function]") {
    code_dir d;
    lambda_service s(options_for(d));
    auto v1 = zip_writer().file("app.py", "def h(e, c):\n    return 'v1'\n").bytes();
    auto v2 = zip_writer()
                  .file("app.py",
                        "import os\ndef h(e, c):\n    return 'v2 ' + os.environ.get('X', '-')\n")
                  .bytes();
    auto created = s.create_zip_function(zip_config("upd", "python3.11", "app.h"), v1);
    REQUIRE(created);
    auto handle = s.function("upd");  // what an event source mapping holds
    REQUIRE(handle);
    CHECK(result_of(s, "upd") == "v1");
    CHECK(d.packages() == 1);

    auto updated = s.update_function_code("upd", v2);
    REQUIRE(updated);
    CHECK(updated->code_sha256 != created->code_sha256);
    CHECK(updated->revision_id != created->revision_id);
    CHECK(result_of(s, "upd") == "v2 -");
    CHECK(d.packages() == 1);  // the old package went with its last user

    auto configured = s.update_function_configuration("upd", [](function_config& c) {
        c.environment["X"] = "set";
        c.memory_size_mb = 512;
        return esser::core::result<void>{};
    });
    REQUIRE(configured);
    CHECK(configured->config.memory_size_mb == 512);
    CHECK(configured->code_sha256 == updated->code_sha256);
    CHECK(result_of(s, "upd") == "v2 set");
    // The handle follows the updates.
    invocation inv;
    inv.payload = json::object();
    auto via_handle = (*handle)->invoke(inv);
    CHECK(via_handle.status == invoke_status::success);
    CHECK(via_handle.raw_payload == "\"v2 set\"");

    // A bad change is refused and the function keeps running as before.
    auto refused = s.update_function_configuration("upd", [](function_config& c) {
        c.runtime = "java21";
        return esser::core::result<void>{};
    });
    REQUIRE_FALSE(refused);
    CHECK(refused.error().type == "InvalidParameterValueException");
    CHECK(result_of(s, "upd") == "v2 set");
    auto corrupt = s.update_function_code("upd", "not a zip");
    REQUIRE_FALSE(corrupt);
    CHECK(result_of(s, "upd") == "v2 set");
    CHECK(d.packages() == 1);

    REQUIRE(s.delete_function("upd"));
    CHECK(d.packages() == 0);
    CHECK(s.update_function_code("nothere", v1).error().type == "ResourceNotFoundException");
}

TEST_CASE("bad packages and runtimes are refused at CreateFunction, leaving nothing behind",
          "[emulator][lambda][zip_function]") {
    code_dir d;
    lambda_service s(options_for(d));
    const auto ok_zip = zip_writer().file("app.py", "def h(e, c): return 1\n").bytes();

    auto bad = s.create_zip_function(zip_config("corrupt", "python3.11", "app.h"), "PK\3\4junk");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().type == "InvalidParameterValueException");
    CHECK(bad.error().message.find("Could not unzip uploaded file") == 0);

    auto escape = s.create_zip_function(zip_config("escape", "python3.11", "app.h"),
                                        zip_writer().file("../escape.py", "x").bytes());
    REQUIRE_FALSE(escape);
    CHECK(escape.error().type == "InvalidParameterValueException");
    CHECK_FALSE(fs::exists(d.path.parent_path() / "escape.py"));

    auto unknown = s.create_zip_function(zip_config("unknown", "cobol85", "app.h"), ok_zip);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().type == "ValidationException");
    auto java = s.create_zip_function(zip_config("java", "java21", "app.h"), ok_zip);
    REQUIRE_FALSE(java);
    CHECK(java.error().type == "InvalidParameterValueException");
    auto nohandler = s.create_zip_function(zip_config("nohandler", "python3.11", ""), ok_zip);
    REQUIRE_FALSE(nohandler);
    CHECK(nohandler.error().message.find("Runtime and Handler are mandatory") == 0);

    REQUIRE(s.create_zip_function(zip_config("taken", "python3.11", "app.h"), ok_zip));
    auto twice = s.create_zip_function(zip_config("taken", "python3.11", "app.h"), ok_zip);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().type == "ResourceConflictException");
    CHECK(d.packages() == 1);  // only "taken"'s

    SECTION("a missing interpreter is a clear error at CreateFunction") {
        auto o = options_for(d);
        o.interpreter_path = "/nonexistent";
        lambda_service none(o);
        auto py = none.create_zip_function(zip_config("py", "python3.11", "app.h"), ok_zip);
        REQUIRE_FALSE(py);
        CHECK(py.error().type == "InvalidParameterValueException");
        CHECK(py.error().message.find("neither python3.11 nor python3 is on the PATH") !=
              std::string::npos);
        auto node = none.create_zip_function(zip_config("js", "nodejs20.x", "index.h"), ok_zip);
        REQUIRE_FALSE(node);
        CHECK(node.error().message.find("node is not on the PATH") != std::string::npos);
        CHECK(d.packages() == 1);
    }
}

TEST_CASE("the runtime shims are found for a build-tree esser-local",
          "[emulator][lambda][zip_runtime]") {
    const auto dir = default_runtime_directory();
    REQUIRE_FALSE(dir.empty());
    CHECK(fs::exists(dir / "python" / "bootstrap.py"));
    CHECK(fs::exists(dir / "nodejs" / "bootstrap.js"));
    CHECK(find_on_path("sh", "relative:/nonexistent:/bin") == fs::path("/bin/sh"));
    CHECK(find_on_path("sh", "relative").empty());
}

// Issue 5 "Functions": function names, ARNs and CreateFunction's checks (spec §5.1; AWS
// API_CreateFunction constraints).
#include "esser/emulator/lambda/function_config.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;
using namespace std::chrono_literals;

TEST_CASE("function_arn builds AWS's function ARN", "[emulator][lambda][function_config]") {
    CHECK(function_arn("eu-west-1", "123456789012", "orders") ==
          "arn:aws:lambda:eu-west-1:123456789012:function:orders");
}

TEST_CASE("parse_function_ref accepts every form AWS accepts",
          "[emulator][lambda][function_config]") {
    auto plain = parse_function_ref("my-function_1");
    REQUIRE(plain);
    CHECK(plain->name == "my-function_1");
    CHECK(plain->qualifier.empty());

    auto q = parse_function_ref("f:$LATEST");
    REQUIRE(q);
    CHECK(q->name == "f");
    CHECK(q->qualifier == "$LATEST");

    auto partial = parse_function_ref("123456789012:function:f:prod");
    REQUIRE(partial);
    CHECK(partial->account == "123456789012");
    CHECK(partial->qualifier == "prod");

    auto arn = parse_function_ref("arn:aws:lambda:us-east-1:000000000000:function:f");
    REQUIRE(arn);
    CHECK(arn->name == "f");
    CHECK(arn->region == "us-east-1");
    CHECK(arn->account == "000000000000");

    auto qarn = parse_function_ref("arn:aws:lambda:us-east-1:000000000000:function:f:7");
    REQUIRE(qarn);
    CHECK(qarn->qualifier == "7");
}

TEST_CASE("parse_function_ref refuses malformed names with a ValidationException",
          "[emulator][lambda][function_config]") {
    for (const char* bad :
         {"", "has space", "a/b", "f:", ":f", "f:q:r",
          "arn:aws:s3:us-east-1:000000000000:function:f", "arn:aws:lambda:us-east-1:12:function:f",
          "12345678901x:function:f", "123456789012:fn:f",
          "arn:aws:lambda:us-east-1:000000000000:function:", "name\nwith-newline"}) {
        INFO(bad);
        auto r = parse_function_ref(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "ValidationException");
    }
    CHECK_FALSE(parse_function_ref(std::string(65, 'a')));
    CHECK(parse_function_ref(std::string(64, 'a')));
}

TEST_CASE("validate_function_config applies CreateFunction's constraints",
          "[emulator][lambda][function_config]") {
    function_config c;
    c.name = "ok";
    REQUIRE(validate_function_config(c));

    SECTION("timeout 1..900 s") {
        c.timeout = 0ms;
        CHECK(validate_function_config(c).error().type == "ValidationException");
        c.timeout = 901s;
        CHECK_FALSE(validate_function_config(c));
        c.timeout = 50ms;  // fine-grained values are allowed from C++
        CHECK(validate_function_config(c));
    }
    SECTION("memory 128..10240 MB") {
        c.memory_size_mb = 64;
        CHECK(validate_function_config(c).error().type == "ValidationException");
        c.memory_size_mb = 10241;
        CHECK_FALSE(validate_function_config(c));
    }
    SECTION("reserved environment variables are refused with AWS's message") {
        c.environment["AWS_REGION"] = "x";
        c.environment["FINE"] = "y";
        auto r = validate_function_config(c);
        REQUIRE_FALSE(r);
        CHECK(r.error().type == "InvalidParameterValueException");
        CHECK(r.error().message.find("Reserved keys used in this request: AWS_REGION") !=
              std::string::npos);
    }
    SECTION("malformed environment names") {
        c.environment["A=B"] = "x";
        CHECK_FALSE(validate_function_config(c));
    }
    SECTION("an executable needs a command") {
        c.kind = function_kind::executable;
        CHECK(validate_function_config(c).error().type == "InvalidParameterValueException");
        c.command = {"/bin/true"};
        CHECK(validate_function_config(c));
    }
    SECTION("a URL function needs an http(s) URL") {
        c.kind = function_kind::url;
        c.url = "ftp://x";
        CHECK_FALSE(validate_function_config(c));
        c.url = "http://127.0.0.1:9/hook";
        CHECK(validate_function_config(c));
    }
    SECTION("concurrency bound") {
        c.max_concurrency = 0;
        CHECK_FALSE(validate_function_config(c));
    }
}

TEST_CASE("reserved environment variables are the ones AWS lists",
          "[emulator][lambda][function_config]") {
    CHECK(is_reserved_environment_variable("AWS_LAMBDA_RUNTIME_API"));
    CHECK(is_reserved_environment_variable("_HANDLER"));
    CHECK(is_reserved_environment_variable("AWS_SESSION_TOKEN"));
    CHECK_FALSE(is_reserved_environment_variable("PATH"));
    CHECK_FALSE(is_reserved_environment_variable("AWS_ENDPOINT_URL"));
}

// Issue 6: the router other areas register their REST routes with (Lambda, esser API).
#include "esser/emulator/http/router.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

using namespace esser::emulator;

namespace {

struct outcome {
    http_response response;
    std::string route;
};

outcome route(const router& r, std::string method, std::string target) {
    http_request req;
    req.method = std::move(method);
    req.target = std::move(target);
    http_response got;
    bool answered = false;
    const std::string name(r.dispatch(std::move(req), responder([&](http_response res) {
                                          got = std::move(res);
                                          answered = true;
                                      })));
    REQUIRE(answered);
    return {got, name};
}

// Answers with the route's label and its parameters, to see what matched.
sync_http_handler tag(std::string label) {
    return [label](const http_request& req) {
        std::string body = label;
        for (const auto& [k, v] : req.path_params) body += " " + k + "=" + v;
        return http_response::text(200, body);
    };
}

}  // namespace

TEST_CASE("router prefers literal segments over parameters over wildcards",
          "[emulator][http][router]") {
    router r;
    r.add_sync("*", "/esser/v1/*", tag("api"));
    r.add_sync("GET", "/esser/v1/health", tag("health"));
    r.add_sync("POST", "/2015-03-31/functions/{name}/invocations", tag("invoke"));
    r.add_sync("GET", "/2015-03-31/functions/", tag("list"));
    r.add_sync("GET", "/2015-03-31/functions/{name}", tag("get"));
    r.add_sync("GET", "/2015-03-31/functions/special", tag("special"));

    CHECK(route(r, "GET", "/esser/v1/health").response.body == "health");
    CHECK(route(r, "GET", "/esser/v1/health?verbose=1").response.body == "health");
    CHECK(route(r, "POST", "/esser/v1/commands/Item/create").response.body ==
          "api *=commands/Item/create");
    CHECK(route(r, "GET", "/esser/v1/").response.body == "api *=");
    CHECK(route(r, "GET", "/esser/v1").response.body == "api *=");  // * matches nothing too
    CHECK(route(r, "GET", "/esser/v2").response.status == 404);
    CHECK(route(r, "GET", "/2015-03-31/functions/").response.body == "list");
    CHECK(route(r, "GET", "/2015-03-31/functions/special").response.body == "special");
    CHECK(route(r, "GET", "/2015-03-31/functions/other").response.body == "get name=other");
    auto inv = route(r, "POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Af/invocations");
    CHECK(inv.response.body == "invoke name=arn:aws:lambda:f");
    CHECK(inv.route == "/2015-03-31/functions/{name}/invocations");
}

TEST_CASE("router answers 405 with Allow when only the method is wrong, else 404 or fallback",
          "[emulator][http][router]") {
    router r;
    r.add_sync("GET", "/metrics", tag("metrics"), "metrics");
    r.add_sync("PUT", "/metrics", tag("put"));
    auto m = route(r, "POST", "/metrics");
    CHECK(m.response.status == 405);
    CHECK(m.response.headers.value_or("Allow") == "GET, PUT");
    CHECK(m.route == "method_not_allowed");
    CHECK(route(r, "GET", "/metrics").route == "metrics");
    CHECK(route(r, "GET", "/nothing").response.status == 404);
    // An empty {param} segment does not match.
    r.add_sync("GET", "/f/{name}", tag("f"));
    CHECK(route(r, "GET", "/f/").response.status == 404);

    // A catch-all does not answer for a more specific path registered with another method.
    r.add_sync("*", "/esser/v1/*", tag("api"));
    r.add_sync("POST", "/esser/v1/clock/advance", tag("advance"));
    CHECK(route(r, "GET", "/esser/v1/clock/advance").response.status == 405);
    CHECK(route(r, "POST", "/esser/v1/clock/advance").response.body == "advance");
    CHECK(route(r, "GET", "/esser/v1/clock").response.body == "api *=clock");

    r.fallback([](http_request req, responder res) { res.send(http_response::text(200, "fb")); },
               "aws");
    auto fb = route(r, "POST", "/anything/at/all");
    CHECK(fb.response.body == "fb");
    CHECK(fb.route == "aws");
    // Odd targets (absolute-form, asterisk-form) reach the fallback, never crash.
    CHECK(route(r, "OPTIONS", "*").route == "aws");
    CHECK(route(r, "GET", "http://example.com/metrics").route == "aws");
}

TEST_CASE("router keeps undecodable parameters raw and rejects malformed patterns",
          "[emulator][http][router]") {
    router r;
    r.add_sync("GET", "/f/{name}", tag("f"));
    CHECK(route(r, "GET", "/f/bad%zz").response.body == "f name=bad%zz");
    CHECK_THROWS_AS(r.add_sync("GET", "relative", tag("x")), std::invalid_argument);
    CHECK_THROWS_AS(r.add_sync("GET", "/a/*/b", tag("x")), std::invalid_argument);
    CHECK_THROWS_AS(r.add_sync("GET", "/a/{}", tag("x")), std::invalid_argument);
    CHECK_THROWS_AS(r.add_sync("GET", "/a/{x", tag("x")), std::invalid_argument);
    CHECK_THROWS_AS(r.add_sync("GET", "/a/b*", tag("x")), std::invalid_argument);
    std::string deep;
    for (int i = 0; i < 33; ++i) deep += "/s";
    CHECK_THROWS_AS(r.add_sync("GET", deep, tag("x")), std::invalid_argument);
    CHECK_NOTHROW(r.add_sync("GET", deep.substr(2), tag("x")));
}

TEST_CASE("http_request decodes query parameters", "[emulator][http][router]") {
    http_request req;
    req.target = "/2015-03-31/functions/f/invocations?Qualifier=%24LATEST&x=a+b&flag&bad=%2";
    CHECK(req.path() == "/2015-03-31/functions/f/invocations");
    CHECK(req.query_param("Qualifier") == "$LATEST");
    CHECK(req.query_param("x") == "a b");
    CHECK(req.query_param("flag") == "");
    CHECK_FALSE(req.query_param("bad").has_value());
    CHECK_FALSE(req.query_param("missing").has_value());
    CHECK(percent_decode("%41%42c") == "ABc");
    CHECK_FALSE(percent_decode("%4").has_value());
}

// Issue 10 (esser-local --credentials on Lambda): a guard runs before route selection for the
// paths under its prefix, and only for those.
TEST_CASE("router guards run before routing for their path prefix", "[emulator][http][router]") {
    router r;
    r.add_sync("GET", "/2015-03-31/functions/{name}", tag("get"));
    r.add_sync("GET", "/metrics", tag("metrics"));
    r.guard(
        "/2015-03-31/",
        [](const http_request& req) -> std::optional<http_response> {
            if (req.headers.contains("Authorization"))
                return std::nullopt;
            return http_response::text(403, "refused");
        },
        "auth");
    auto refused = route(r, "GET", "/2015-03-31/functions/f");
    CHECK(refused.response.status == 403);
    CHECK(refused.route == "auth");
    // Before the 405 and the 404 too.
    CHECK(route(r, "DELETE", "/2015-03-31/functions/f").response.status == 403);
    CHECK(route(r, "GET", "/2015-03-31/nothing").response.status == 403);
    // Other paths are not guarded.
    CHECK(route(r, "GET", "/metrics").response.body == "metrics");
    CHECK(route(r, "GET", "/2015-03-30/x").response.status == 404);

    http_request signed_req;
    signed_req.method = "GET";
    signed_req.target = "/2015-03-31/functions/f?Qualifier=1";
    signed_req.headers.set("Authorization", "x");
    http_response got;
    r.dispatch(std::move(signed_req), responder([&](http_response res) { got = std::move(res); }));
    CHECK(got.body == "get name=f");
}

// Issue 13: a route's own body limit (Lambda's code uploads) is found for the requests the
// route takes, and only for those: a more specific route, another method or no route at all
// leaves the server's limit.
TEST_CASE("router finds a route's own body limit for the requests dispatched to it",
          "[emulator][http][router]") {
    router r;
    r.add_sync("POST", "/upload/{name}", tag("any"));
    r.add_sync("POST", "/upload/small", tag("small"));
    r.add_sync("GET", "/upload/{name}", tag("get"));
    r.body_limit("POST", "/upload/{name}", 4096, http_response::empty(413));

    const route_body_limit* limit = r.body_limit_for("POST", "/upload/big");
    REQUIRE(limit != nullptr);
    CHECK(limit->max_bytes == 4096);
    CHECK(limit->too_large.status == 413);
    CHECK(r.body_limit_for("POST", "/upload/small") == nullptr);  // the literal route wins
    CHECK(r.body_limit_for("GET", "/upload/big") == nullptr);
    CHECK(r.body_limit_for("PUT", "/upload/big") == nullptr);  // 405
    CHECK(r.body_limit_for("POST", "/elsewhere") == nullptr);  // 404
    CHECK(r.body_limit_for("POST", "/upload/") == nullptr);    // {name} needs a segment
    // The route still dispatches as before.
    CHECK(route(r, "POST", "/upload/big?x=1").response.body == "any name=big");

    CHECK_THROWS_AS(r.body_limit("PUT", "/upload/{name}", 1, http_response::empty(413)),
                    std::invalid_argument);
    CHECK_THROWS_AS(r.body_limit("POST", "/upload/{other}", 1, http_response::empty(413)),
                    std::invalid_argument);
}

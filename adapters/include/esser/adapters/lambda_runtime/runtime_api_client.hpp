#pragma once
// A client of the Lambda Runtime API, version 2018-06-01 (spec/streams-and-lambda.md §5.2; AWS
// "Using the Lambda runtime API for custom runtimes"): what a custom runtime's bootstrap speaks
// to Lambda, or to esser-local, which serves the same API to the executables it runs.
//
//   next()            GET  /2018-06-01/runtime/invocation/next         long poll, no timeout
//   post_response()   POST /2018-06-01/runtime/invocation/{id}/response
//   post_error()      POST /2018-06-01/runtime/invocation/{id}/error   + error-type header
//   post_init_error() POST /2018-06-01/runtime/init/error              + error-type header
//
// Outcomes of the posts:
//   202                 post_status::accepted
//   400, 403, 413       post_status::rejected: this invocation is over (unknown or finished
//                       request id, payload too large); the runtime goes on with the next one
//   500, any other status, or no answer at all (network failure): an error
//                       (errc::unavailable, type "Runtime.ApiUnavailable"). AWS says a 500 is
//                       a container error after which the runtime must exit; the loop does.
//
// next() errors: the API is unreachable or answered something other than 200
// (errc::unavailable, type "Runtime.ApiUnavailable"), or the 200 lacks the request id header
// (errc::parse_error, type "Runtime.InvalidResponse"). A missing or malformed deadline is not an
// error: the invocation has no deadline.
//
// Not thread-safe: one runtime loop owns one client (Lambda runs one invocation at a time per
// environment).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "esser/adapters/http/http_client.hpp"
#include "esser/adapters/lambda_runtime/invocation.hpp"
#include "esser/core/error.hpp"

namespace esser::adapters {

enum class post_status { accepted, rejected };

class runtime_api_client {
public:
    // `runtime_api` is AWS_LAMBDA_RUNTIME_API: "host:port" (treated as opaque by AWS; we accept
    // what an http:// authority accepts). Errors: empty or not a host:port
    // (errc::invalid_argument, type "Runtime.InvalidEnvironment").
    static core::result<std::unique_ptr<runtime_api_client>> create(std::string_view runtime_api);

    [[nodiscard]] core::result<invocation> next();
    [[nodiscard]] core::result<post_status> post_response(const std::string& request_id,
                                                          std::string payload);
    [[nodiscard]] core::result<post_status> post_error(const std::string& request_id,
                                                       const function_error& e);
    [[nodiscard]] core::result<post_status> post_init_error(const function_error& e);

    // The status of the last rejected post and its body (for logs).
    int last_status() const noexcept { return last_status_; }

    const std::string& last_body() const noexcept { return last_body_; }

private:
    explicit runtime_api_client(std::unique_ptr<http_client> http);
    core::result<post_status> post(std::string target, std::string body,
                                   const std::string* error_type);

    std::unique_ptr<http_client> http_;
    int last_status_ = 0;
    std::string last_body_;
};

}  // namespace esser::adapters

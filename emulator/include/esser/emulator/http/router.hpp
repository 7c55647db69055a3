#pragma once
// router: maps (method, path) to asynchronous handlers. Beast-free, so every area can register
// routes without including Asio.
//
// Patterns are matched segment by segment on the raw path (before percent-decoding):
//   "/metrics"                                    literal path
//   "/2015-03-31/functions/{name}/invocations"    {name} matches one non-empty segment; its
//                                                 percent-decoded value lands in path_params
//   "/esser/v1/*"                                 a trailing * matches the rest (zero or more
//                                                 segments), stored raw as path param "*"
// A trailing slash is significant ("/a/" is segments "a" and ""), as in AWS's REST paths.
//
// Selection: among routes whose pattern matches the path, the most specific wins (compared
// segment by segment: literal beats {param} beats *); ties go to the earlier registration.
// If the most specific route for the path refuses the method: 405 with an Allow header (a
// catch-all such as "/esser/v1/*" does not answer for "/esser/v1/clock/advance" registered as
// POST only). If nothing matches: the fallback handler, or 404.
//
// A route may carry a body limit of its own (body_limit()), which the server applies instead of
// its http_server_options::max_body_bytes to the requests routed there.
//
// Thread safety: register every route before the router is shared with a server; dispatch()
// and body_limit_for() are const and may run concurrently on many threads.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esser/emulator/http/http_request.hpp"
#include "esser/emulator/http/http_response.hpp"
#include "esser/emulator/http/responder.hpp"

namespace esser::emulator {

// Answers `req` through `res`, now or later, from any thread (see responder.hpp). Runs on a
// server thread: a handler that has slow work to do hands it elsewhere and returns.
using http_handler = std::function<void(http_request req, responder res)>;
// A handler that answers synchronously, for quick in-memory work.
using sync_http_handler = std::function<http_response(const http_request& req)>;
// A check that runs before routing: nullopt lets the request through, an answer refuses it.
using http_guard = std::function<std::optional<http_response>(const http_request& req)>;

// A route's own request body limit (router::body_limit).
struct route_body_limit {
    std::uint64_t max_bytes = 0;
    http_response too_large;  // the answer to a larger body
};

class router {
public:
    router();
    ~router();
    router(router&&) noexcept;
    router& operator=(router&&) noexcept;

    // `method` is "GET", "POST", ... or "*" for any method. `name` labels the route in metrics
    // and logs (default: the pattern). Throws std::invalid_argument on a malformed pattern
    // (not starting with '/', '*' not last, an empty or unterminated {param}, more than 32
    // segments).
    router& add(std::string method, std::string pattern, http_handler handler,
                std::string name = {});
    router& add_sync(std::string method, std::string pattern, sync_http_handler handler,
                     std::string name = {});
    // Handles requests that match no pattern (the AWS JSON front: DynamoDB ignores the path).
    router& fallback(http_handler handler, std::string name = "fallback");
    // Runs `check` first for every request whose raw path starts with `path_prefix`, before
    // route selection (so also before a 405, a 404 or the fallback); an answer from it is sent
    // instead, and `name` labels it. For what concerns a whole API, such as esser-local's
    // signature checks on Lambda's "/2015-03-31/" paths. Guards run in registration order.
    router& guard(std::string path_prefix, http_guard check, std::string name = "guard");
    // Gives the route registered exactly as `method` + `pattern` (as passed to add()) a body
    // limit of its own: the server reads bodies of up to `max_bytes` for the requests routed
    // there instead of up to its max_body_bytes, and answers a larger one with `too_large`
    // (then closes the connection). For an API whose limit differs from the port's: Lambda's
    // code uploads take up to 69,905,066 bytes where DynamoDB stops at 16 MiB. Throws
    // std::invalid_argument when no such route is registered.
    router& body_limit(std::string_view method, std::string_view pattern, std::uint64_t max_bytes,
                       http_response too_large);
    // The body limit of the route a request with `method` and raw `path` (the target up to
    // '?') is dispatched to; null when that route sets none, when no route takes the request
    // (405, 404, the fallback), so the server's own limit applies. Guards are not consulted.
    const route_body_limit* body_limit_for(std::string_view method, std::string_view path) const;

    // Routes `req` as described above and returns the chosen route's name (valid as long as
    // the router lives): what the server uses as the metrics label when the response sets none.
    std::string_view dispatch(http_request req, responder res) const;

private:
    struct route;
    // The route that takes `method` on the split `path` (most specific first), or null; `allow`
    // gets the methods of more specific routes that refuse it (the 405's Allow header).
    const route* select(std::string_view method, const std::vector<std::string_view>& path,
                        std::string& allow) const;

    std::vector<route> routes_;
    // Which routes can match a path, by its first segment, so select() looks at a few routes
    // rather than all of them: the indexes (in registration order) of the routes whose pattern
    // starts with that literal segment, and of those starting with a {param} or '*'.
    std::map<std::string, std::vector<std::size_t>, std::less<>> by_first_literal_;
    std::vector<std::size_t> open_first_;
    http_handler fallback_;
    std::string fallback_name_;

    struct prefix_guard {
        std::string prefix;
        http_guard check;
        std::string name;
    };

    std::vector<prefix_guard> guards_;
};

}  // namespace esser::emulator

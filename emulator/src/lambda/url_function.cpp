#include "esser/emulator/lambda/url_function.hpp"

#include <algorithm>

#include "invoke_log.hpp"
#include "invoke_outcome.hpp"
#include <fmt/format.h>

#include "esser/adapters/http/http_client.hpp"
#include "esser/adapters/http/url.hpp"
#include "esser/emulator/dynamo/base64.hpp"

namespace esser::emulator {

namespace {

using steady = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::size_t error_excerpt_bytes = 512;

struct slot_guard {
    std::atomic<std::uint32_t>& n;

    ~slot_guard() { n.fetch_sub(1, std::memory_order_acq_rel); }
};

}  // namespace

core::result<std::shared_ptr<url_function>> url_function::create(
    function_config config, std::shared_ptr<const core::clock> clock,
    std::shared_ptr<function_log> log) {
    // Query strings are part of the target: split them off before parsing the origin, which
    // refuses them.
    std::string text = config.url;
    std::string query;
    if (const auto q = text.find('?'); q != std::string::npos) {
        query = text.substr(q);
        text.erase(q);
    }
    auto origin = adapters::url::parse(text);
    if (!origin) {
        core::error e = origin.error();
        e.type = "InvalidParameterValueException";
        return core::fail(std::move(e));
    }
    adapters::http_client_options o;
    o.request_timeout = config.timeout;
    o.connect_timeout =
        std::min<std::chrono::milliseconds>(config.timeout, std::chrono::seconds(3));
    o.max_response_bytes = 64u * 1024 * 1024;
    auto client = adapters::http_client::create(*origin, o);
    if (!client) {
        core::error e = client.error();
        e.type = "InvalidParameterValueException";
        return core::fail(std::move(e));
    }
    std::shared_ptr<url_function> fn(
        new url_function(std::move(config), std::move(clock), std::move(log)));
    fn->target_ = (origin->path.empty() ? std::string("/") : origin->path) + query;
    fn->client_ = std::move(*client);
    return fn;
}

url_function::url_function(function_config config, std::shared_ptr<const core::clock> clock,
                           std::shared_ptr<function_log> log)
    : config_(std::move(config)),
      clock_(clock ? std::move(clock) : std::make_shared<core::system_clock>()),
      log_(std::move(log)) {}

url_function::~url_function() = default;

invocation_result url_function::invoke(const invocation& inv) {
    if (active_.fetch_add(1, std::memory_order_acq_rel) >= config_.max_concurrency) {
        active_.fetch_sub(1, std::memory_order_acq_rel);
        return throttled_result("Rate Exceeded.");
    }
    slot_guard guard{active_};
    const auto budget = invoke_budget(inv, config_, *clock_);
    invoke_log log(log_.get(), inv.request_id);
    log.start();
    const auto started = steady::now();

    adapters::http_request req;
    req.method = "POST";
    req.target = target_;
    req.body = event_text(inv);
    req.headers.set("Content-Type", "application/json");
    req.headers.set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
    const auto wall_deadline =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(budget);
    req.headers.set("Lambda-Runtime-Deadline-Ms",
                    std::to_string(core::to_epoch_ms(core::time_point(wall_deadline))));
    req.headers.set("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_function_arn);
    if (!inv.trace_id.empty())
        req.headers.set("Lambda-Runtime-Trace-Id", inv.trace_id);
    if (!inv.client_context.empty()) {
        auto decoded = base64_decode(inv.client_context);
        req.headers.set("Lambda-Runtime-Client-Context", decoded ? *decoded : inv.client_context);
    }

    auto res = client_->send(std::move(req));
    const auto elapsed = steady::now() - started;
    invocation_result r;
    std::string_view status;
    if (!res) {
        const auto& f = res.error();
        using kind = adapters::http_failure::kind;
        if (f.what == kind::timeout || elapsed >= budget) {
            log.output(fmt::format(
                "{} {} Task timed out after {} seconds",
                core::format_rfc3339_ms(core::time_point(std::chrono::system_clock::now())),
                inv.request_id, format_seconds(budget)));
            r = timeout_result(inv.request_id, budget);
            status = "timeout";
        } else if (f.maybe_sent) {
            log.output(fmt::format("RequestId: {} Error: {}", inv.request_id, f.message));
            r = function_error_result(
                platform_error("Function.HttpError",
                               fmt::format("RequestId: {} Error: {}", inv.request_id, f.message)));
            status = "error";
        } else {
            log.output(fmt::format("esser: cannot reach {}: {}", config_.url, f.message));
            r = service_error_result(fmt::format("cannot reach {}: {}", config_.url, f.message));
        }
    } else if (elapsed > budget) {
        r = timeout_result(inv.request_id, budget);
        status = "timeout";
    } else if (res->status >= 200 && res->status < 300) {
        r = response_from_bytes(std::move(res->body));
    } else {
        json body = json::parse(res->body, nullptr, false);
        if (!body.is_discarded() && body.is_object() && body.contains("errorMessage")) {
            r = function_error_result(std::move(body));
        } else {
            const std::string excerpt =
                res->body.substr(0, std::min(res->body.size(), error_excerpt_bytes));
            r = function_error_result(platform_error(
                fmt::format("Function.HttpStatus{}", res->status),
                fmt::format("POST {} answered {}: {}", config_.url, res->status, excerpt)));
        }
        status = "error";
    }
    log.end(elapsed, config_.memory_size_mb, 0, std::nullopt, status);
    r.log_tail = log.text();
    return r;
}

}  // namespace esser::emulator

#include "esser/emulator/lambda/in_process_function.hpp"

#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>

#include "invoke_log.hpp"
#include "invoke_outcome.hpp"
#include <cxxabi.h>

#include "esser/emulator/streams/stream_lambda_event.hpp"

namespace esser::emulator {

namespace {

using steady = std::chrono::steady_clock;

std::string demangled(const std::type_info& t) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(t.name());
}

nlohmann::json handler_error(std::string type, std::string message) {
    return nlohmann::json{{"errorMessage", std::move(message)},
                          {"errorType", std::move(type)},
                          {"stackTrace", nlohmann::json::array()}};
}

// Releases a concurrency slot however the invoke ends.
struct slot_guard {
    std::atomic<std::uint32_t>& n;

    ~slot_guard() { n.fetch_sub(1, std::memory_order_acq_rel); }
};

}  // namespace

in_process_context::in_process_context(const invocation& inv, const function_config& cfg,
                                       steady::time_point deadline, invoke_log& log)
    : inv_(inv), cfg_(cfg), deadline_(deadline), log_(log) {}

std::chrono::milliseconds in_process_context::remaining() const {
    const auto left = deadline_ - steady::now();
    return left > steady::duration::zero()
               ? std::chrono::duration_cast<std::chrono::milliseconds>(left)
               : std::chrono::milliseconds::zero();
}

void in_process_context::log(std::string_view line) const {
    // A handler's multi-line text becomes one log line per line, as stdout would.
    std::size_t start = 0;
    while (start <= line.size()) {
        const auto nl = line.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < line.size() || start == 0)
                log_.output(line.substr(start));
            break;
        }
        log_.output(line.substr(start, nl - start));
        start = nl + 1;
    }
}

in_process_function::in_process_function(function_config config, in_process_handler handler,
                                         std::shared_ptr<const core::clock> clock,
                                         std::shared_ptr<function_log> log)
    : config_(std::move(config)),
      handler_(std::move(handler)),
      clock_(clock ? std::move(clock) : std::make_shared<core::system_clock>()),
      log_(std::move(log)) {}

in_process_function::in_process_function(function_config config, stream_records_handler records,
                                         in_process_handler other,
                                         std::shared_ptr<const core::clock> clock,
                                         std::shared_ptr<function_log> log)
    : in_process_function(std::move(config), std::move(other), std::move(clock), std::move(log)) {
    records_handler_ = std::move(records);
}

invocation_result in_process_function::invoke(const invocation& inv) {
    if (active_.fetch_add(1, std::memory_order_acq_rel) >= config_.max_concurrency) {
        active_.fetch_sub(1, std::memory_order_acq_rel);
        return throttled_result("Rate Exceeded.");
    }
    slot_guard guard{active_};

    const auto budget = invoke_budget(inv, config_, *clock_);
    const auto started = steady::now();
    const auto deadline = started + budget;
    invoke_log log(log_.get(), inv.request_id);
    log.start();

    invocation_result r;
    try {
        in_process_context ctx(inv, config_, deadline, log);
        core::result<nlohmann::json> out;
        if (records_handler_ && inv.stream_event) {
            out = records_handler_(*inv.stream_event, ctx);
        } else if (handler_) {
            out = handler_(event_document(inv), ctx);
        } else {
            core::error e = core::error::invalid_argument(
                "the function takes DynamoDB stream batches from event source mappings only");
            e.type = "Runtime.InvalidEvent";
            out = core::fail(std::move(e));
        }
        if (out) {
            r = success_result(std::move(*out));
        } else {
            const core::error& e = out.error();
            r = function_error_result(handler_error(
                e.type.empty() ? std::string(core::to_string(e.code)) : e.type, e.message));
        }
    } catch (const std::exception& e) {
        r = function_error_result(handler_error(demangled(typeid(e)), e.what()));
    } catch (...) {
        r = function_error_result(handler_error("unknown", "the handler threw a non-exception"));
    }

    const auto elapsed = steady::now() - started;
    std::string_view status;
    if (elapsed > budget) {
        // The handler overran: Lambda would have stopped it at the deadline.
        log.output(fmt::format("{} {} Task timed out after {} seconds",
                               core::format_rfc3339_ms(core::time_point(
                                   std::chrono::system_clock::now().time_since_epoch())),
                               inv.request_id, format_seconds(budget)));
        r = timeout_result(inv.request_id, budget);
        status = "timeout";
    }
    log.end(elapsed, config_.memory_size_mb, 0, std::nullopt, status);
    r.log_tail = log.text();
    return r;
}

}  // namespace esser::emulator

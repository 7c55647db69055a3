#include "esser/emulator/lambda/runtime_function.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "invoke_outcome.hpp"
#include "runtime_instance.hpp"
#include <fmt/format.h>
#include <unistd.h>

extern char** environ;

namespace esser::emulator {

namespace {

using steady = std::chrono::steady_clock;
namespace fs = std::filesystem;

// "2024/01/01/[$LATEST]<32 hex>": AWS's log stream name shape.
std::string log_stream_name(const core::clock& clock, core::id_source& ids) {
    std::string day = core::format_rfc3339_s(clock.now()).substr(0, 10);
    std::replace(day.begin(), day.end(), '-', '/');
    return day + "/[$LATEST]" + ids.hex(32);
}

// "Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0": an X-Ray trace header.
std::string make_trace_id(const core::clock& clock, core::id_source& ids) {
    const auto secs = core::to_epoch_ms(clock.now()) / 1000;
    return fmt::format("Root=1-{:08x}-{};Parent={};Sampled=0", secs, ids.hex(24), ids.hex(16));
}

}  // namespace

runtime_function::runtime_function(function_config config, runtime_function_options options)
    : config_(std::move(config)), options_(std::move(options)), log_(options_.log) {
    if (!options_.clock)
        options_.clock = std::make_shared<core::system_clock>();
    if (!options_.ids)
        options_.ids = std::make_shared<core::random_id_source>();
    if (!log_)
        log_ = std::make_shared<function_log>();
    if (!config_.command.empty()) {
        fs::path program(config_.command[0]);
        if (program.is_relative() && config_.working_directory.empty())
            program = fs::absolute(program).lexically_normal();
        if (config_.working_directory.empty())
            config_.working_directory = program.parent_path().string();
        config_.command[0] = program.string();
    }
}

runtime_function::~runtime_function() {
    shutdown();
}

std::vector<std::string> runtime_function::environment_for_new_instance() const {
    std::map<std::string, std::string> env;
    if (options_.inherit_environment) {
        for (char** e = environ; e && *e; ++e) {
            std::string_view kv(*e);
            const auto eq = kv.find('=');
            if (eq != std::string_view::npos && eq > 0)
                env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
        }
    }
    const std::string& task_root = config_.working_directory;
    // Not reserved: AWS sets them and users may override them (spec §5.2).
    env["LANG"] = "en_US.UTF-8";
    env["TZ"] = ":UTC";
    env["PATH"] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin";
    env["LD_LIBRARY_PATH"] = fmt::format("/lib64:/usr/lib64:{0}:{0}/lib:/opt/lib", task_root);
    env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR";
    env["AWS_DEFAULT_REGION"] = options_.region;
    if (!options_.endpoint_url.empty())
        env["AWS_ENDPOINT_URL"] = options_.endpoint_url;
    if (!options_.ca_bundle.empty())
        env["AWS_CA_BUNDLE"] = options_.ca_bundle;
    for (const auto& [k, v] : config_.environment) env[k] = v;
    // Reserved: ours, whatever the user said (validate_function_config refuses them anyway).
    env["_HANDLER"] = config_.handler;
    env["AWS_REGION"] = options_.region;
    env["AWS_LAMBDA_FUNCTION_NAME"] = config_.name;
    env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config_.memory_size_mb);
    env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
    env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
    env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + config_.name;
    env["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream_name(*options_.clock, *options_.ids);
    env["AWS_ACCESS_KEY_ID"] = options_.access_key_id;
    env["AWS_ACCESS_KEY"] = options_.access_key_id;
    env["AWS_SECRET_ACCESS_KEY"] = options_.secret_access_key;
    env["AWS_SESSION_TOKEN"] = options_.session_token;
    env["LAMBDA_TASK_ROOT"] = task_root;
    env["LAMBDA_RUNTIME_DIR"] = task_root;
    env.erase("AWS_EXECUTION_ENV");       // not set for custom runtimes
    env.erase("AWS_LAMBDA_RUNTIME_API");  // the instance adds its own
    std::vector<std::string> out;
    out.reserve(env.size() + 1);
    for (auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

invocation_result runtime_function::invoke(const invocation& inv) {
    // Fill what the caller left out (the service fills all of these; direct callers may not).
    const invocation* call = &inv;
    invocation filled;
    if (inv.request_id.empty() || inv.invoked_function_arn.empty() || inv.trace_id.empty()) {
        filled = inv;
        if (filled.request_id.empty())
            filled.request_id = options_.ids->uuid();
        if (filled.invoked_function_arn.empty())
            filled.invoked_function_arn =
                function_arn(options_.region, options_.account, config_.name);
        if (filled.trace_id.empty())
            filled.trace_id = make_trace_id(*options_.clock, *options_.ids);
        call = &filled;
    }
    const auto budget = invoke_budget(*call, config_, *options_.clock);

    // A warm instance whose process exited while idle gives the event back (nothing ran); the
    // next attempt takes another instance. Bounded: each retry removes one dead instance.
    for (std::uint32_t attempt = 0;; ++attempt) {
        auto outcome = invoke_once(*call, budget);
        if (outcome)
            return std::move(*outcome);
        if (attempt > config_.max_concurrency)
            return service_error_result("no execution environment of " + config_.name +
                                        " stayed alive long enough to take the event");
    }
}

std::optional<invocation_result> runtime_function::invoke_once(const invocation& call,
                                                               std::chrono::nanoseconds budget) {
    std::shared_ptr<runtime_instance> inst;
    std::vector<std::shared_ptr<runtime_instance>> graveyard;  // destroyed outside the lock
    bool start_new = false;
    {
        std::lock_guard lock(mu_);
        if (shut_down_)
            return service_error_result("function " + config_.name + " was deleted");
        // Forget instances that died while idle.
        for (auto it = slots_.begin(); it != slots_.end();) {
            if (!it->busy && !it->instance->alive()) {
                graveyard.push_back(std::move(it->instance));
                it = slots_.erase(it);
            } else {
                ++it;
            }
        }
        slot* best = nullptr;
        for (auto& s : slots_)
            if (!s.busy && (!best || s.last_used > best->last_used))
                best = &s;
        if (best) {
            best->busy = true;
            inst = best->instance;
        } else if (slots_.size() + starting_ < config_.max_concurrency) {
            ++starting_;
            start_new = true;
        } else {
            return throttled_result("Rate Exceeded.");
        }
    }
    graveyard.clear();

    if (start_new) {
        runtime_instance_config ic;
        ic.function = config_;
        ic.env = environment_for_new_instance();
        ic.log = log_;
        ic.logger = options_.logger;
        auto started = runtime_instance::start(std::move(ic));
        std::lock_guard lock(mu_);
        --starting_;
        if (!started)
            return std::move(started.error());
        inst = std::shared_ptr<runtime_instance>(std::move(*started));
        if (shut_down_) {
            graveyard.push_back(std::move(inst));
            return service_error_result("function " + config_.name + " was deleted");
        }
        slots_.push_back(slot{inst, true, steady::now()});
    }

    std::optional<invocation_result> r = inst->invoke(call, budget);

    {
        std::lock_guard lock(mu_);
        for (auto it = slots_.begin(); it != slots_.end(); ++it) {
            if (it->instance == inst) {
                it->busy = false;
                it->last_used = steady::now();
                if (!inst->alive()) {
                    graveyard.push_back(std::move(it->instance));
                    slots_.erase(it);
                }
                break;
            }
        }
    }
    inst.reset();
    graveyard.clear();
    return r;
}

void runtime_function::shutdown() {
    std::vector<std::shared_ptr<runtime_instance>> graveyard;
    {
        std::lock_guard lock(mu_);
        shut_down_ = true;
        for (auto& s : slots_) {
            s.instance->kill();
            graveyard.push_back(s.instance);
        }
        slots_.clear();
    }
    // Idle instances are destroyed here (process reaped, server stopped); busy ones when their
    // invoke returns.
    graveyard.clear();
}

std::vector<runtime_function::instance_info> runtime_function::instances() const {
    std::lock_guard lock(mu_);
    std::vector<const slot*> order;
    for (const auto& s : slots_)
        if (s.instance->alive())
            order.push_back(&s);
    std::sort(order.begin(), order.end(),
              [](const slot* a, const slot* b) { return a->last_used > b->last_used; });
    std::vector<instance_info> out;
    for (const slot* s : order)
        out.push_back(instance_info{s->instance->pid(), s->instance->runtime_api(), s->busy});
    return out;
}

}  // namespace esser::emulator

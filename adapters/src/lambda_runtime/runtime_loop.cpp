#include "esser/adapters/lambda_runtime/runtime_loop.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <typeinfo>

#include <cxxabi.h>
#include <fmt/format.h>
#include <stdlib.h>

namespace esser::adapters {

namespace {

std::string demangled(const std::type_info& t) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(t.name());
}

std::string env_or_empty(const environment_lookup& env, std::string_view name) {
    auto v = env(name);
    return v ? *v : std::string();
}

}  // namespace

function_error to_function_error(const core::error& e) {
    function_error f;
    f.error_type = e.type.empty() ? std::string(core::to_string(e.code)) : e.type;
    f.error_message = e.describe();
    return f;
}

runtime_loop::runtime_loop(runtime_api_client& api, runtime_loop_options opts)
    : api_(api), opts_(std::move(opts)) {}

invocation_result runtime_loop::invoke(const invocation_handler& handler, const invocation& inv) {
    try {
        return handler(inv);
    } catch (const std::exception& e) {
        return invocation_result::failure(
            function_error{"Runtime.UnhandledException",
                           fmt::format("{}: {}", demangled(typeid(e)), e.what()),
                           {}});
    } catch (...) {
        return invocation_result::failure(function_error{
            "Runtime.UnhandledException", "a non-standard exception escaped the handler", {}});
    }
}

core::result<runtime_loop_stats> runtime_loop::run(const invocation_handler& handler) {
    runtime_loop_stats stats;
    while (opts_.max_invocations == 0 || stats.invocations < opts_.max_invocations) {
        auto inv = api_.next();
        if (!inv) {
            opts_.log.error("runtime API next failed, leaving: {}", inv.error().describe());
            return core::fail(inv.error());
        }
        ++stats.invocations;
        if (opts_.set_trace_env) {
            if (inv->trace_id.empty()) {
                ::unsetenv("_X_AMZN_TRACE_ID");
            } else {
                ::setenv("_X_AMZN_TRACE_ID", inv->trace_id.c_str(), 1);
            }
        }
        invocation_result out = invoke(handler, *inv);
        core::result<post_status> posted = post_status::accepted;
        if (out.ok()) {
            ++stats.succeeded;
            posted = api_.post_response(inv->request_id, out.payload());
        } else {
            ++stats.failed;
            opts_.log.log(core::log_level::warn, inv->request_id, "function error {}: {}",
                          out.error().error_type, out.error().error_message);
            posted = api_.post_error(inv->request_id, out.error());
        }
        if (!posted) {
            opts_.log.error("runtime API post failed, leaving: {}", posted.error().describe());
            return core::fail(posted.error());
        }
        if (*posted == post_status::rejected) {
            ++stats.rejected_posts;
            opts_.log.log(core::log_level::warn, inv->request_id,
                          "runtime API refused the {} (HTTP {}): {}",
                          out.ok() ? "response" : "error", api_.last_status(),
                          api_.last_body().substr(0, 200));
        }
    }
    return stats;
}

std::string lambda_environment::runtime_api() const {
    return env_or_empty(env, "AWS_LAMBDA_RUNTIME_API");
}

std::string lambda_environment::handler() const {
    return env_or_empty(env, "_HANDLER");
}

std::string lambda_environment::function_name() const {
    return env_or_empty(env, "AWS_LAMBDA_FUNCTION_NAME");
}

int run_bootstrap(const lambda_environment& env, const runtime_init& init,
                  runtime_loop_options opts) {
    auto api = runtime_api_client::create(env.runtime_api());
    if (!api) {
        std::fprintf(stderr, "esser-lambda: %s\n", api.error().describe().c_str());
        return 1;
    }
    core::result<invocation_handler> handler =
        core::fail(core::error::internal("init did not run"));
    try {
        handler = init(env);
    } catch (const std::exception& e) {
        handler = core::fail(
            core::error::internal(fmt::format("{}: {}", demangled(typeid(e)), e.what())));
    }
    if (!handler) {
        const function_error fe = to_function_error(handler.error());
        opts.log.error("init failed: {}", handler.error().describe());
        auto posted = (*api)->post_init_error(fe);
        if (!posted)
            opts.log.error("could not report the init error: {}", posted.error().describe());
        return 1;
    }
    runtime_loop loop(**api, std::move(opts));
    auto ran = loop.run(*handler);
    return ran ? 0 : 1;
}

}  // namespace esser::adapters

#include "esser/adapters/lambda_runtime/esser_lambda.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/adapters/dynamodb/http_transport.hpp"
#include "esser/adapters/lambda_runtime/command_function.hpp"
#include "esser/adapters/lambda_runtime/stream_function.hpp"
#include "esser/adapters/read_store/open_read_store.hpp"
#include "esser/core/aggregate_repository.hpp"
#include "esser/core/aggregate_state_projection.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/stream_handler.hpp"

namespace esser::adapters {

namespace {

constexpr const char* usage =
    "usage: esser-lambda [--handler command|stream] [--domain FILE] [--max-invocations N]\n"
    "A Lambda custom runtime (bootstrap) serving an esser domain. Reads AWS_LAMBDA_RUNTIME_API,\n"
    "_HANDLER, ESSER_DOMAIN_FILE, ESSER_EVENTS_TABLE, ESSER_SNAPSHOTS_TABLE, ESSER_READ_STORE\n"
    "(stream handler), ESSER_LOG_LEVEL and the AWS_* variables of the DynamoDB client.\n";

core::error init_error(core::error e, std::string type) {
    if (e.type.empty())
        e.type = std::move(type);
    return e;
}

// Everything one function instance keeps alive between invocations.
struct function_state {
    std::shared_ptr<dynamodb_event_store> store;
    core::system_clock clock;
    core::random_id_source ids;
    std::optional<core::command_handler> handler;  // last: refers to the members above
};

// The projection function's state: the read store, and the event store it rebuilds states from
// when a stream skips versions (a trimmed or re-delivered shard).
struct projection_state {
    std::unique_ptr<core::read_store> read_store;
    std::shared_ptr<dynamodb_event_store> events;
    std::optional<core::aggregate_repository> repository;
    std::shared_ptr<core::aggregate_state_projection> projection;  // last: uses the above
};

// The domain's event store over http_transport, configured from the environment.
core::result<std::shared_ptr<dynamodb_event_store>> event_store_from(const lambda_environment& env,
                                                                     std::string& tables) {
    auto opts = http_transport_options::from_environment(env.env);
    if (!opts)
        return core::fail(init_error(opts.error(), "Runtime.InvalidConfiguration"));
    auto transport = http_transport::create(std::move(*opts));
    if (!transport)
        return core::fail(init_error(transport.error(), "Runtime.InvalidConfiguration"));
    dynamodb_event_store::options so;
    so.events_table = env.env("ESSER_EVENTS_TABLE").value_or("");
    so.snapshots_table = env.env("ESSER_SNAPSHOTS_TABLE").value_or("");
    if (so.events_table.empty())
        so.events_table = "events";
    if (so.snapshots_table.empty())
        so.snapshots_table = "snapshots";
    tables = so.events_table + " / " + so.snapshots_table;
    return std::make_shared<dynamodb_event_store>(
        std::shared_ptr<dynamodb_transport>(std::move(*transport)), so);
}

}  // namespace

core::result<esser_lambda_settings> parse_esser_lambda_args(const std::vector<std::string>& args) {
    esser_lambda_settings s;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& out) -> bool {
            if (i + 1 >= args.size())
                return false;
            out = args[++i];
            return true;
        };
        std::string v;
        if (a == "--handler") {
            if (!value(s.handler))
                return core::fail(core::error::invalid_argument("--handler needs a value"));
        } else if (a == "--domain") {
            if (!value(s.domain_file))
                return core::fail(core::error::invalid_argument("--domain needs a FILE"));
        } else if (a == "--max-invocations") {
            if (!value(v))
                return core::fail(
                    core::error::invalid_argument("--max-invocations needs a number"));
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s.max_invocations);
            if (ec != std::errc{} || p != v.data() + v.size()) {
                return core::fail(core::error::invalid_argument(
                    fmt::format("--max-invocations '{}' is not a non-negative integer", v)));
            }
        } else {
            return core::fail(
                core::error::invalid_argument(fmt::format("unknown argument '{}'", a)));
        }
    }
    return s;
}

runtime_init esser_lambda_init(esser_lambda_settings settings, core::logger log) {
    return [settings = std::move(settings),
            log](const lambda_environment& env) -> core::result<invocation_handler> {
        const std::string given = settings.handler.empty() ? env.handler() : settings.handler;
        std::string handler = given;
        // AWS passes _HANDLER as the function's Handler setting; accept "x.command" forms too.
        if (auto dot = handler.rfind('.'); dot != std::string::npos)
            handler = handler.substr(dot + 1);
        if (handler != "command" && handler != "stream") {
            return core::fail(init_error(core::error::invalid_argument(
                                             fmt::format("handler '{}' is not served: set _HANDLER "
                                                         "(the function's Handler) or --handler to "
                                                         "'command' or 'stream'",
                                                         given)),
                                         "Runtime.InvalidHandler"));
        }
        std::string domain_file = settings.domain_file;
        if (domain_file.empty())
            domain_file = env.env("ESSER_DOMAIN_FILE").value_or("");
        if (domain_file.empty()) {
            const std::string root = env.env("LAMBDA_TASK_ROOT").value_or("");
            if (root.empty()) {
                return core::fail(init_error(
                    core::error::invalid_argument(
                        "no domain file: set ESSER_DOMAIN_FILE, --domain or LAMBDA_TASK_ROOT"),
                    "Runtime.InvalidDomain"));
            }
            domain_file = root + "/domain.json";
        }
        auto domain = core::load_domain_file(domain_file);
        if (!domain)
            return core::fail(init_error(domain.error(), "Runtime.InvalidDomain"));

        std::string tables;
        if (handler == "stream") {
            // ESSER_READ_STORE (open_read_store's forms): each aggregate's current state is
            // materialised there; without it the handler runs the domain's signals only.
            std::vector<std::shared_ptr<core::projection>> projections;
            const std::string url = env.env("ESSER_READ_STORE").value_or("");
            if (!url.empty()) {
                auto state = std::make_shared<projection_state>();
                auto rs = open_read_store(url);
                if (!rs)
                    return core::fail(init_error(rs.error(), "Runtime.InvalidConfiguration"));
                state->read_store = std::move(*rs);
                auto events = event_store_from(env, tables);
                if (!events)
                    return core::fail(events.error());
                state->events = std::move(*events);
                state->repository.emplace(*domain, *state->events);
                core::aggregate_state_projection::options po;
                po.load_state = core::state_loader_for(*state->repository);
                state->projection = std::make_shared<core::aggregate_state_projection>(
                    *domain, *state->read_store, std::move(po));
                // Aliasing pointer: the projection lives as long as what it uses.
                projections.emplace_back(state, state->projection.get());
            }
            core::stream_handler::options o;
            o.log = log;
            auto h = std::make_shared<core::stream_handler>(*domain, std::move(projections),
                                                            std::move(o));
            log.info("serving the stream handler of domain '{}'{}", (*domain)->name(),
                     url.empty() ? std::string(" (no ESSER_READ_STORE: no projection)")
                                 : " projecting into " + url);
            return invocation_handler(stream_function(std::move(h)));
        }

        auto store = event_store_from(env, tables);
        if (!store)
            return core::fail(store.error());
        auto state = std::make_shared<function_state>();
        state->store = std::move(*store);
        core::command_handler::options ho;
        ho.log = log;
        state->handler.emplace(*domain, *state->store, state->clock, state->ids, std::move(ho));
        // Aliasing pointer: the handler lives exactly as long as the store, clock and ids it uses.
        std::shared_ptr<const core::command_handler> owned(state, &*state->handler);
        log.info("serving the command handler of domain '{}' on tables {}", (*domain)->name(),
                 tables);
        return invocation_handler(command_function(*domain, std::move(owned)));
    };
}

int esser_lambda_main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
    }
    auto settings = parse_esser_lambda_args(args);
    if (!settings) {
        std::fprintf(stderr, "esser-lambda: %s\n%s", settings.error().message.c_str(), usage);
        return 2;
    }
    core::log_level level = core::log_level::info;
    if (auto l = process_environment("ESSER_LOG_LEVEL")) {
        if (!core::parse_log_level(*l, level)) {
            std::fprintf(stderr, "esser-lambda: ESSER_LOG_LEVEL '%s' is not a log level\n",
                         l->c_str());
        }
    }
    auto sink = std::make_shared<core::stream_log_sink>(std::cout, level, core::log_format::json);
    core::logger log("esser-lambda", sink);
    runtime_loop_options lo;
    lo.max_invocations = settings->max_invocations;
    lo.log = log;
    return run_bootstrap(lambda_environment{}, esser_lambda_init(*settings, log), std::move(lo));
}

}  // namespace esser::adapters

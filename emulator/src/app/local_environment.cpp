#include "esser/emulator/app/local_environment.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/adapters/read_store/open_read_store.hpp"
#include "esser/core/aggregate_repository.hpp"
#include "esser/core/aggregate_state_projection.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/read_store.hpp"
#include "esser/emulator/app/data_dir.hpp"
#include "esser/emulator/app/esser_api.hpp"
#include "esser/emulator/app/projection_api.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/dynamo/in_process_transport.hpp"
#include "esser/emulator/esm/domain_projections.hpp"
#include "esser/emulator/esm/esm_routes.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/fixture/recording_service.hpp"
#include "esser/emulator/http/rest_error.hpp"
#include "esser/emulator/http/sigv4_guard.hpp"
#include "esser/emulator/lambda/lambda_routes.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_api.hpp"
#include "esser/emulator/sqs/sqs_front.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"
#include "esser/emulator/streams/stream_registry.hpp"
#include "esser/emulator/streams/streams_api.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

// The services the environment does not have yet say so plainly (health, banner, and the
// error a client gets) instead of pretending.
constexpr std::string_view dynamodb_missing =
    "the DynamoDB engine is not part of this build yet; DynamoDB calls answer "
    "UnknownOperationException";
constexpr std::string_view streams_missing =
    "DynamoDB Streams is not part of this build yet; Streams calls answer "
    "UnknownOperationException";
// The most children one split makes (stream_registry::split's range).
constexpr std::int64_t max_split_children = 100;
constexpr std::string_view lambda_missing = "Lambda is not part of this build yet";
constexpr std::string_view esser_api_missing =
    "the esser API's commands, aggregates and events need a domain (pass --domain FILE)";

// The range the manual clock accepts: well inside what a nanosecond time_point represents
// (1678..2262), so no arithmetic on it can overflow.
constexpr int min_clock_year = 1900;
constexpr int max_clock_year = 2200;
const core::time_point max_clock_time = core::from_epoch_ms(7289654399000);  // 2200-12-31T23:59:59Z

// The year of an RFC 3339 text when it starts with four digits.
std::optional<int> leading_year(std::string_view text) {
    if (text.size() < 4)
        return std::nullopt;
    int y = 0;
    for (int i = 0; i < 4; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return std::nullopt;
        y = y * 10 + (text[i] - '0');
    }
    return y;
}

json clock_json(const core::clock& c) {
    const auto now = c.now();
    return {{"now", core::format_rfc3339_ms(now)},
            {"epoch_ms", core::to_epoch_ms(now)},
            {"mode", c.is_manual() ? "manual" : "real"}};
}

// Parses a JSON object body for the esser API; the error names the problem.
core::result<json> object_body(const http_request& req) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return core::unexpected(core::error::validation("the request body must be a JSON object"));
    return body;
}

core::result<std::string> string_field(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string()) {
        return core::unexpected(
            core::error::validation(std::string("'") + name + "' is required and must be a string",
                                    {{std::string("/") + name, "required string"}}));
    }
    return it->get<std::string>();
}

}  // namespace

core::result<std::unique_ptr<local_environment>> local_environment::create(
    local_environment_options o, core::logger log) {
    std::unique_ptr<local_environment> env(new local_environment(std::move(o), std::move(log)));
    if (auto opened = env->open_storage(); !opened)
        return core::unexpected(opened.error());

    // The domain: a file, or the bundled shop.
    std::string text;
    if (!env->options_.domain_file.empty()) {
        std::ifstream in(env->options_.domain_file, std::ios::binary);
        if (!in) {
            core::error e = core::error::invalid_argument("cannot read the domain file");
            e.source = env->options_.domain_file;
            return core::unexpected(std::move(e));
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
        env->domain_source_ = "from " + env->options_.domain_file;
    } else if (!env->options_.no_domain) {
        text = std::string(bundled_shop_domain());
        env->domain_source_ = "bundled";
    }
    if (!text.empty()) {
        // core's loader checks the whole model (schemas, reducers, receivers) and reports every
        // problem by JSON Pointer, or the line and column of a syntax error.
        const std::string source =
            env->options_.domain_file.empty() ? "bundled shop domain" : env->options_.domain_file;
        auto d = core::load_domain_text(text, {}, source);
        if (!d) {
            core::error e = d.error();
            e.message = "invalid domain: " + e.message;
            if (e.source.empty())
                e.source = source;
            return core::unexpected(std::move(e));
        }
        env->domain_name_ = (*d)->name();
        env->domain_ = std::move(*d);
        if (auto started = env->start_domain(); !started)
            return core::unexpected(started.error());
    }
    return env;
}

local_environment::local_environment(local_environment_options o, core::logger log)
    : options_(std::move(o)),
      log_(std::move(log)),
      ids_(options_.seed ? std::shared_ptr<core::id_source>(
                               std::make_shared<core::seeded_id_source>(*options_.seed))
                         : std::make_shared<core::random_id_source>()),
      signatures_(options_.credentials.empty()
                      ? nullptr
                      : std::make_shared<const sigv4_guard>(options_.credentials)),
      front_(
          [&] {
              aws_json_front_options f;
              f.default_region = options_.region;
              f.auth = signatures_ ? aws_auth_mode::verify_signature : options_.auth;
              f.signatures = signatures_;
              f.ids = ids_;
              return f;
          }(),
          core::logger("esser-aws", log_.sink())) {
    if (options_.manual_clock) {
        manual_clock_ = std::make_shared<core::manual_clock>();
        clock_ = manual_clock_;
    } else {
        clock_ = std::make_shared<core::system_clock>();
    }
    // Built-in areas (see the header): the DynamoDB engine with its streams.
    stream_options so;
    so.region = options_.region;
    so.partitions = options_.shards;
    so.empty_page_probability = options_.empty_pages;
    so.empty_page_seed = options_.seed ? *options_.seed : std::random_device{}();
    so.max_readers_per_shard = options_.max_shard_readers;
    streams_ = std::make_shared<stream_registry>(*clock_, *ids_, so);
    streams_api_ = std::make_unique<streams_api>(*streams_);

    dynamo_engine::options d;
    d.clock = clock_;
    d.ids = ids_;
    d.region = options_.region;
    d.status_transition_delay = options_.table_status_delay;
    dynamodb_ = std::make_shared<dynamo_engine>(d);
    dynamodb_->set_observer(streams_.get());
    // The text path: reads write their items straight into the response, PutItem reads its
    // Item straight from the request text (issue 6).
    front_.add_text_service(
        "DynamoDB_20120810", &dynamo_engine::serves,
        [engine = dynamodb_](const aws_call& call, const json& request) {
            return engine->dispatch_text(call.operation, request);
        },
        [engine = dynamodb_](std::string_view operation,
                             std::string_view body) -> std::function<aws_text_result()> {
            auto prepared = engine->prepare_text(operation, body);
            if (!prepared)
                return {};
            return [engine, prepared] { return engine->dispatch_prepared(*prepared); };
        });
    front_.add_service(std::string(streams_api::target_prefix), &streams_api::handles,
                       [api = streams_api_.get()](const aws_call& call, const json& request) {
                           return api->dispatch(call.operation, request);
                       });

    // Lambda and the event source mappings (issue 5) on the same port.
    lambda_service_options lo;
    lo.region = options_.region;
    if (!options_.data_dir.empty())
        lo.package_store = (std::filesystem::path(options_.data_dir) / "functions").string();
    lo.ca_bundle = options_.function_ca_bundle;
    if (!options_.credentials.empty()) {
        // Functions call esser-local back (AWS_ENDPOINT_URL) signed with the first key.
        lo.access_key_id = options_.credentials.front().access_key_id;
        lo.secret_access_key = options_.credentials.front().secret_access_key;
        lo.session_token = options_.credentials.front().session_token;
    }
    lambda_ = std::make_unique<lambda_service>(lo, clock_, ids_,
                                               core::logger("esser-lambda", log_.sink()));
    sqs_service_options qo;
    qo.region = options_.region;
    sqs_ = std::make_unique<sqs_service>(*clock_, *ids_, qo);
    sqs_api_ = std::make_unique<sqs_api>(*sqs_);
    sqs_front_ = std::make_unique<sqs_front>(*sqs_api_, *ids_, signatures_);
    esm_service_options eo;
    eo.region = options_.region;
    eo.real_time = !options_.manual_clock;
    eo.poll_interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.poll_interval);
    esm_ = std::make_unique<esm_service>(*lambda_, *streams_, *sqs_, *clock_, *ids_, eo,
                                         core::logger("esser-esm", log_.sink()));
    add_routes("lambda", [this](router& r) {
        register_lambda_routes(r, *lambda_);
        register_esm_routes(r, *esm_);
        register_esser_esm_routes(r, *esm_, *sqs_);
    });
    // SQS's query protocol may post to a queue URL: "/<account>/<name>". Anything else that
    // lands there goes on to the DynamoDB front, as before.
    add_routes("sqs", [this](router& r) {
        r.add("*", "/{account}/{queue}", sqs_front_->wrap(front_.handler()), "sqs");
    });
    on_reset([this] {
        esm_->clear();
        sqs_->clear();
        for (const auto& f : lambda_->list_functions())
            (void)lambda_->delete_function(f.config.name);
    });

    // Recordings of table streams into fixtures (issue 8).
    recordings_ = std::make_unique<recording_service>(*streams_, *clock_, options_.seed);
    add_routes("recordings", [this](router& r) { recordings_->install(r); });
}

// The domain's event store on the engine (in process, the production store code) and the esser
// API's command routes over it.
core::result<void> local_environment::start_domain() {
    auto transport = std::make_shared<in_process_transport>(
        dynamodb_, [api = streams_api_.get()](std::string_view op, const json& request) {
            return api->dispatch(op, request);
        });
    event_store_ = std::make_shared<adapters::dynamodb_event_store>(std::move(transport));
    if (auto made = event_store_->ensure_tables(); !made)
        return made;
    esser_api_ = std::make_unique<esser_api>(domain_, *event_store_, *clock_, *ids_,
                                             core::logger("esser-api", log_.sink()));
    repository_ = std::make_unique<core::aggregate_repository>(domain_, *event_store_);
    std::vector<std::string> names;
    for (const auto& [entity, def] : domain_->entities())
        names.push_back(core::aggregate_state_projection::collection_for(entity));
    projection_api_ = std::make_unique<projection_api>(*read_store_, std::move(names));
    // Without restored events the emulator's tables start empty, so a read model left in a
    // lasting store (a SQLite file, PostgreSQL) describes events that no longer exist: start it
    // afresh too. With the events restored from --data-dir the read model stays; the projector
    // reads the events stream from its start again, and the version check skips what it holds.
    const std::string& events = event_store_->config().events_table;
    const bool events_restored =
        restored_ && std::find(restored_->table_names.begin(), restored_->table_names.end(),
                               events) != restored_->table_names.end();
    if (auto started = start_projections(!events_restored); !started)
        return started;
    // After the Lambda area's hook (added by the constructor), which deletes every function
    // and mapping, the projector among them.
    on_reset([this] {
        if (auto started = start_projections(true); !started)
            log_.error("reset: cannot restart the projections: {}", started.error().describe());
    });
    return {};
}

core::result<void> local_environment::open_storage() {
    read_store_url_ = options_.read_store_url;
    if (!options_.data_dir.empty()) {
        auto dir = data_dir::open(options_.data_dir);
        if (!dir)
            return core::fail(dir.error());
        data_dir_ = std::move(*dir);
        // Tables, items and streams: restored before anything is served, then every change is
        // recorded.
        sqlite_state_store::options so{data_dir_->file("emulator.sqlite"), options_.durability};
        so.on_failure = [this](const std::string& why) {
            log_.error(
                "{}; esser-local refuses every request from now on (what was "
                "acknowledged is stored: restart it once the cause is fixed)",
                why);
            if (options_.on_storage_failure)
                options_.on_storage_failure();
        };
        so.on_warning = [this](const std::string& what) { log_.warn("{}", what); };
        auto state = sqlite_state_store::open(std::move(so));
        if (!state)
            return core::fail(state.error());
        if (manual_clock_) {
            // The manual clock first: restoring the streams trims and rolls them over by now.
            auto read = (*state)->for_each_document(
                "clock", [&](std::string_view, std::string_view body) -> core::result<void> {
                    std::int64_t ms = 0;
                    const auto [end, ec] =
                        std::from_chars(body.data(), body.data() + body.size(), ms);
                    if (ec != std::errc() || end != body.data() + body.size())
                        return core::fail(core::error::parse_error("not a time in milliseconds"));
                    manual_clock_->set(core::from_epoch_ms(ms));
                    return {};
                });
            if (!read)
                return core::fail(read.error());
        }
        auto restored = (*state)->restore(*dynamodb_, *streams_);
        if (!restored)
            return core::fail(restored.error());
        restored_ = std::move(*restored);
        state_ = std::move(*state);
        if (auto services = state_->restore_services(*lambda_, *sqs_, *esm_, *restored_); !services)
            return services;
        dynamodb_->set_durability(state_.get());
        streams_->set_durability(state_.get());
        lambda_->set_durability(state_.get());
        sqs_->set_durability(state_.get());
        esm_->set_durability(state_.get());
        if (read_store_url_.empty())
            read_store_url_ = "sqlite:" + data_dir_->file("read_store.sqlite").string();
    }
    if (read_store_url_.empty())
        read_store_url_ = "memory:";
    auto store = adapters::open_read_store(read_store_url_);
    if (!store) {
        core::error e = store.error();
        e.message = "cannot open the read store: " + e.message;
        if (e.source.empty())
            e.source = read_store_url_;
        return core::fail(std::move(e));
    }
    read_store_ = std::move(*store);
    return {};
}

core::result<void> local_environment::start_projections(bool drop) {
    const auto stream = streams_->latest_stream(event_store_->config().events_table);
    if (!stream)
        return core::fail(core::error::internal("the events table has no stream"));
    domain_projections_params p;
    p.domain = domain_;
    p.read_store = read_store_.get();
    p.repository = repository_.get();
    p.events_stream_arn = stream->arn;
    p.function_name = std::string(projector_function);
    p.read_store_kind = read_store_url_.substr(0, read_store_url_.find(':'));
    p.drop = drop;
    p.log = core::logger("esser-projections", log_.sink());
    if (auto started = start_domain_projections(*lambda_, *esm_, p); !started)
        return core::fail(started.error());
    return {};
}

local_environment::~local_environment() {
    // The mappings' pollers read the streams and invoke functions: stop them first.
    if (esm_)
        esm_->stop();
    // The engine may outlive this object (shared with services): detach its observer, which
    // dies with us.
    if (dynamodb_) {
        dynamodb_->set_observer(nullptr);
        dynamodb_->set_durability(nullptr);
    }
    if (streams_)
        streams_->set_durability(nullptr);
    // Destroying the services is not a user's delete: nothing of it is recorded.
    if (esm_)
        esm_->set_durability(nullptr);
    if (sqs_)
        sqs_->set_durability(nullptr);
    if (lambda_)
        lambda_->set_durability(nullptr);
}

void local_environment::add_routes(std::string service, std::function<void(router&)> install) {
    installers_.push_back({std::move(service), std::move(install)});
}

void local_environment::on_reset(std::function<void()> fn) {
    reset_hooks_.push_back(std::move(fn));
}

bool local_environment::has_routes_for(std::string_view service) const {
    for (const auto& i : installers_) {
        if (i.service == service)
            return true;
    }
    return false;
}

void local_environment::reset() {
    // Recordings take what their streams hold before the streams go, then stop.
    if (recordings_)
        recordings_->stop_all();
    // The engine first: it tells the registry that each table's stream is disabled; then the
    // registry drops every stream (stream_registry::reset's contract).
    dynamodb_->reset();
    streams_->reset();
    if (event_store_) {
        // The domain's tables come back empty, and the command handler forgets its cache.
        if (auto made = event_store_->ensure_tables(); !made)
            log_.error("reset: cannot re-create the domain's tables: {}", made.error().describe());
        esser_api_->reset();
    }
    for (const auto& fn : reset_hooks_) fn();
}

std::vector<local_environment::service_status> local_environment::services() const {
    std::vector<service_status> out;
    const bool ddb = front_.has_service("DynamoDB_20120810");
    out.push_back({"dynamodb", ddb, ddb ? "" : std::string(dynamodb_missing)});
    const bool streams = front_.has_service("DynamoDBStreams_20120810");
    out.push_back({"dynamodb-streams", streams, streams ? "" : std::string(streams_missing)});
    const bool lambda = has_routes_for("lambda");
    out.push_back({"lambda", lambda, lambda ? "" : std::string(lambda_missing)});
    out.push_back(
        {"esser-api", bool(esser_api_), esser_api_ ? "" : std::string(esser_api_missing)});
    // GET /esser/v1/projections/... and the other routes of the issue not built yet are
    // answered 404 by the /esser/v1/* catch-all, naming the path.
    for (const auto& i : installers_) {
        bool listed = false;
        for (const auto& o : out) listed = listed || o.name == i.service;
        if (!listed)
            out.push_back({i.service, true, ""});
    }
    return out;
}

std::string local_environment::domain_description() const {
    if (!domain_) {
        if (options_.no_domain)
            return "none (--no-domain)";
        return options_.domain_file.empty()
                   ? "none (this build has no bundled shop domain; pass --domain FILE)"
                   : "none";
    }
    return domain_name_ + " (" + domain_source_ + ")";
}

json local_environment::health() const {
    json services = json::object();
    bool all = true;
    for (const auto& s : this->services()) {
        json j = {{"available", s.available}};
        if (!s.note.empty())
            j["note"] = s.note;
        services[s.name] = std::move(j);
        all = all && s.available;
    }
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    json h = {{"status", "ok"},
              {"version", ESSER_VERSION},
              {"uptime_seconds", uptime},
              {"region", options_.region},
              {"clock", clock_json(*clock_)},
              {"seed", options_.seed ? json(*options_.seed) : json(nullptr)},
              {"domain",
               domain_ ? json{{"name", domain_name_}, {"source", domain_source_}} : json(nullptr)},
              {"services", std::move(services)},
              // The kind only: a PostgreSQL URL may carry a password.
              {"read_store", read_store_url_.substr(0, read_store_url_.find(':'))},
              {"data_dir", data_dir_ ? json(data_dir_->path().string()) : json(nullptr)},
              {"durability",
               state_ ? json(options_.durability == durability_mode::full ? "full" : "normal")
                      : json(nullptr)},
              {"complete", all}};
    return h;
}

// POST /esser/v1/streams/{table}/split {"children": N (2..100, default 2), "shard": "<id>"}:
// splits one open shard, or every open shard of the table's stream when "shard" is absent.
// An empty body means the defaults.
http_response local_environment::split_shards(const http_request& req) {
    const std::string table(req.path_param("table"));
    json body = json::object();
    if (!req.body.empty()) {
        auto parsed = object_body(req);
        if (!parsed)
            return esser_error_response(parsed.error());
        body = std::move(*parsed);
    }
    std::int64_t children = 2;
    if (auto it = body.find("children"); it != body.end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 2 ||
            it->get<std::int64_t>() > max_split_children) {
            return esser_error_response(core::error::validation(
                "'children' must be a whole number from 2 to 100",
                {{"/children", "not a whole number from 2 to 100: " + it->dump()}}));
        }
        children = it->get<std::int64_t>();
    }
    core::result<std::vector<std::string>> shards = std::vector<std::string>{};
    if (auto it = body.find("shard"); it != body.end()) {
        if (!it->is_string()) {
            return esser_error_response(core::error::validation(
                "'shard' must be a shard id string", {{"/shard", "not a string: " + it->dump()}}));
        }
        shards = streams_->split_shard(table, it->get<std::string>(),
                                       static_cast<std::size_t>(children));
    } else {
        shards = streams_->split(table, static_cast<std::size_t>(children));
    }
    if (!shards)
        return esser_error_response(shards.error());
    return http_response::json(200, {{"table", table}, {"shards", *shards}});
}

std::shared_ptr<router> local_environment::make_router() {
    auto r = std::make_shared<router>();
    auto metrics = metrics_;
    if (signatures_) {
        // Lambda's REST API signs as "lambda" and answers 403 (sigv4_guard.hpp).
        r->guard(
            "/2015-03-31/",
            [g = signatures_](const http_request& req) {
                return g->rest_error_answer(req, "lambda");
            },
            "lambda.auth");
    }
    r->add_sync(
        "GET", "/metrics",
        [metrics](const http_request&) {
            return http_response::text(200, metrics->render_prometheus(),
                                       "text/plain; version=0.0.4; charset=utf-8");
        },
        "metrics");
    r->add_sync(
        "GET", "/esser/v1/health",
        [this](const http_request&) { return http_response::json(200, health()); }, "health");

    // The clock: readable always, movable only when manual (DESIGN.md "Time").
    r->add_sync(
        "GET", "/esser/v1/clock",
        [this](const http_request&) { return http_response::json(200, clock_json(*clock_)); },
        "clock.get");
    auto move_clock = [this](const http_request& req, bool advance) -> http_response {
        if (!manual_clock_) {
            return esser_error_response(core::error::invalid_argument(
                "the clock is real and cannot be moved; start esser-local with --clock manual"));
        }
        auto body = object_body(req);
        if (!body)
            return esser_error_response(body.error());
        auto text = string_field(*body, advance ? "by" : "to");
        if (!text)
            return esser_error_response(text.error());
        if (advance) {
            auto d = core::parse_duration(*text);
            if (!d || d->count() < 0) {
                return esser_error_response(core::error::validation(
                    "'by' must be a duration such as \"250ms\", \"15m\" or \"1d\"",
                    {{"/by", "not a non-negative duration: " + *text}}));
            }
            if (*d > max_clock_time - manual_clock_->now()) {
                return esser_error_response(
                    core::error::validation("the manual clock cannot go past 2200-12-31T23:59:59Z",
                                            {{"/by", "too far: " + *text}}));
            }
            manual_clock_->advance(*d);
        } else {
            const auto year = leading_year(*text);
            if (year && (*year < min_clock_year || *year > max_clock_year)) {
                return esser_error_response(
                    core::error::validation("the manual clock covers the years 1900 to 2200",
                                            {{"/to", "out of range: " + *text}}));
            }
            auto t = core::parse_rfc3339(*text);
            if (!t) {
                return esser_error_response(core::error::validation(
                    "'to' must be an RFC 3339 time such as \"2024-01-02T00:00:00Z\"",
                    {{"/to", "not an RFC 3339 time: " + *text}}));
            }
            manual_clock_->set(*t);
        }
        if (state_) {
            // --data-dir keeps the manual clock's time (restored before anything else): the
            // streams' retention and rollover, TTL and mappings read it after a restart as
            // before. Answered once it is durable.
            record_durable(*state_,
                           document_saved{"clock", "manual",
                                          std::to_string(core::to_epoch_ms(manual_clock_->now()))});
            await_durable(state_.get());
        }
        return http_response::json(200, clock_json(*clock_));
    };
    r->add_sync(
        "POST", "/esser/v1/clock/advance",
        [move_clock](const http_request& req) { return move_clock(req, true); }, "clock.advance");
    r->add_sync(
        "POST", "/esser/v1/clock/set",
        [move_clock](const http_request& req) { return move_clock(req, false); }, "clock.set");

    r->add_sync(
        "POST", "/esser/v1/reset",
        [this](const http_request&) {
            reset();
            return http_response::json(200, {{"reset", true}});
        },
        "reset");

    // Streams administration (DESIGN.md "Emulator behaviour": shard rotate/split on demand).
    r->add_sync(
        "POST", "/esser/v1/streams/{table}/rotate",
        [this](const http_request& req) {
            const std::string table(req.path_param("table"));
            auto shards = streams_->rotate(table);
            if (!shards)
                return esser_error_response(shards.error());
            return http_response::json(200, {{"table", table}, {"shards", *shards}});
        },
        "streams.rotate");
    r->add_sync(
        "POST", "/esser/v1/streams/{table}/split",
        [this](const http_request& req) { return split_shards(req); }, "streams.split");

    for (const auto& i : installers_) i.install(*r);

    if (projection_api_)
        projection_api_->install(*r);
    if (esser_api_) {
        esser_api_->install(*r);
        r->add_sync(
            "*", "/esser/v1/*",
            [](const http_request& req) {
                return esser_error_response(core::error::not_found(
                    "no such esser API route: " + req.method + " " + std::string(req.path())));
            },
            "esser-api.unknown");
    } else {
        r->add_sync(
            "*", "/esser/v1/*",
            [](const http_request& req) {
                return esser_error_response(core::error::not_found(std::string(esser_api_missing) +
                                                                   ": " + std::string(req.path())));
            },
            "esser-api.missing");
    }
    if (!has_routes_for("lambda")) {
        // 501: not retried by SDKs (they retry 500, 502, 503, 504), and says what it is.
        r->add_sync(
            "*", "/2015-03-31/*",
            [](const http_request&) {
                return lambda_error_response(501, "ServiceException", std::string(lambda_missing),
                                             "Service");
            },
            "lambda.missing");
    }
    r->fallback(sqs_front_->wrap(front_.handler()), "aws");
    return r;
}

}  // namespace esser::emulator

#include "esser/emulator/app/local_environment.hpp"

#include <fstream>
#include <optional>
#include <sstream>

#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/http/rest_error.hpp"

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
constexpr std::string_view lambda_missing = "Lambda is not part of this build yet";
constexpr std::string_view esser_api_missing =
    "the esser API (commands, aggregates, events, projections) is not part of this build yet";

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

    // The domain: a file, or the bundled shop. Until core's domain loader is on main the
    // environment checks that it is a JSON object and keeps it (its name shows in health).
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
    } else {
        text = std::string(bundled_shop_domain());
        env->domain_source_ = "bundled";
    }
    if (!text.empty()) {
        try {
            json d = json::parse(text);
            if (!d.is_object())
                throw std::invalid_argument("a domain is a JSON object");
            env->domain_name_ = d.value("name", "unnamed");
            env->domain_ = std::move(d);
        } catch (const std::exception& ex) {
            core::error e = core::error::parse_error(std::string("invalid domain: ") + ex.what());
            e.source = env->options_.domain_file.empty() ? "bundled shop domain"
                                                         : env->options_.domain_file;
            return core::unexpected(std::move(e));
        }
    }
    return env;
}

local_environment::local_environment(local_environment_options o, core::logger log)
    : options_(std::move(o)),
      log_(std::move(log)),
      ids_(options_.seed ? std::shared_ptr<core::id_source>(
                               std::make_shared<core::seeded_id_source>(*options_.seed))
                         : std::make_shared<core::random_id_source>()),
      front_(
          [&] {
              aws_json_front_options f;
              f.default_region = options_.region;
              f.auth = options_.auth;
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
    // Areas register here (see the header): DynamoDB engine, Streams, Lambda, esser API.
    dynamo_engine::options d;
    d.clock = clock_;
    d.ids = ids_;
    d.region = options_.region;
    dynamodb_ = std::make_shared<dynamo_engine>(d);
    front_.add_service("DynamoDB_20120810", &dynamo_engine::serves,
                       [engine = dynamodb_](const aws_call& call, const json& request) {
                           return engine->dispatch(call.operation, request);
                       });
}

void local_environment::reset() {
    dynamodb_->reset();
}

std::vector<local_environment::service_status> local_environment::services() const {
    std::vector<service_status> out;
    const bool ddb = front_.has_service("DynamoDB_20120810");
    out.push_back({"dynamodb", ddb, ddb ? "" : std::string(dynamodb_missing)});
    const bool streams = front_.has_service("DynamoDBStreams_20120810");
    out.push_back({"dynamodb-streams", streams, streams ? "" : std::string(streams_missing)});
    out.push_back({"lambda", bool(lambda_api_), lambda_api_ ? "" : std::string(lambda_missing)});
    out.push_back(
        {"esser-api", bool(esser_api_), esser_api_ ? "" : std::string(esser_api_missing)});
    return out;
}

std::string local_environment::domain_description() const {
    if (!domain_) {
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
              {"complete", all}};
    return h;
}

std::shared_ptr<router> local_environment::make_router() {
    auto r = std::make_shared<router>();
    auto metrics = metrics_;
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

    if (esser_api_) {
        r->add("*", "/esser/v1/*", esser_api_, "esser-api");
    } else {
        r->add_sync(
            "*", "/esser/v1/*",
            [](const http_request& req) {
                return esser_error_response(core::error::not_found(std::string(esser_api_missing) +
                                                                   ": " + std::string(req.path())));
            },
            "esser-api.missing");
    }
    if (lambda_api_) {
        r->add("*", "/2015-03-31/*", lambda_api_, "lambda");
    } else {
        // 501: not retried by SDKs (they retry 500, 502, 503, 504), and says what it is.
        r->add_sync(
            "*", "/2015-03-31/*",
            [](const http_request&) {
                return lambda_error_response(501, "ServiceException", std::string(lambda_missing),
                                             "Service");
            },
            "lambda.missing");
    }
    r->fallback(front_.handler(), "aws");
    return r;
}

}  // namespace esser::emulator

#pragma once
// local_environment: the composition root of esser-local. It owns the clock, the id source,
// the metrics, the services (DynamoDB engine, Streams, Lambda, the domain's command handler)
// and builds the router of the one esser-local port.
//
// Each area adds itself HERE (local_environment.cpp), in the constructor and in make_router():
//   - DynamoDB engine: front_.add_service("DynamoDB_20120810", ops, dispatch) (spec §1);
//   - Streams:         front_.add_service("DynamoDBStreams_20120810", ops, dispatch);
//   - Lambda:          lambda_api_ = handler of /2015-03-31/* (errors: rest_error.hpp);
//   - esser API:       esser_api_ = handler of /esser/v1/* (errors: esser_error_response).
// Built-in routes: GET /metrics, GET /esser/v1/health, GET /esser/v1/clock,
// POST /esser/v1/clock/advance {"by":"15m"}, POST /esser/v1/clock/set {"to":"<RFC 3339>"},
// POST /esser/v1/reset (drops every table).
//
// Thread safety: configure before serving; the router's handlers are thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/aws_json_front.hpp"
#include "esser/emulator/http/http_metrics.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

struct local_environment_options {
    // A domain definition file (JSON); empty means the bundled shop domain.
    std::string domain_file;
    bool manual_clock = false;          // --clock manual: time moves only through the API
    std::optional<std::uint64_t> seed;  // --seed: deterministic ids; none: random
    unsigned shards = 1;                // --shards: initial shards per table stream
    core::duration poll_interval = std::chrono::milliseconds(250);  // event source mappings
    std::string region = "us-east-1";                               // for ARNs and the health text
    aws_auth_mode auth = aws_auth_mode::accept_any;
};

class dynamo_engine;

class local_environment {
public:
    // Loads the domain and builds the services. Errors (an unreadable or invalid domain file)
    // are values, with the file named in core::error::source.
    static core::result<std::unique_ptr<local_environment>> create(local_environment_options o,
                                                                   core::logger log = {});

    const local_environment_options& options() const { return options_; }

    core::clock& clock() { return *clock_; }

    // The manual clock when --clock manual, else null.
    const std::shared_ptr<core::manual_clock>& manual_clock() const { return manual_clock_; }

    core::id_source& ids() { return *ids_; }

    const std::shared_ptr<http_metrics>& metrics() const { return metrics_; }

    const aws_json_front& aws_front() const { return front_; }

    // The fake DynamoDB (DynamoDB_20120810.* on the port).
    const std::shared_ptr<dynamo_engine>& dynamodb() const { return dynamodb_; }

    // Back to an empty emulator: every table (and so every stream) dropped. The clock and the
    // id sequence carry on.
    void reset();

    // The router of the esser-local port. The environment must outlive it.
    std::shared_ptr<router> make_router();

    struct service_status {
        std::string name;  // "dynamodb", "dynamodb-streams", "lambda", "esser-api"
        bool available = false;
        std::string note;  // why not, when not
    };

    std::vector<service_status> services() const;

    // What the domain is: "shop (bundled)", "orders (from ./domain.json)", or why there is none.
    std::string domain_description() const;

    // The body of GET /esser/v1/health.
    nlohmann::json health() const;

private:
    local_environment(local_environment_options o, core::logger log);

    local_environment_options options_;
    core::logger log_;
    std::shared_ptr<core::clock> clock_;
    std::shared_ptr<core::manual_clock> manual_clock_;
    std::shared_ptr<core::id_source> ids_;
    std::shared_ptr<http_metrics> metrics_ = std::make_shared<http_metrics>();
    std::shared_ptr<dynamo_engine> dynamodb_;
    aws_json_front front_;
    http_handler lambda_api_;  // null until the Lambda area plugs in
    http_handler esser_api_;   // null until the esser API plugs in
    std::optional<nlohmann::json> domain_;
    std::string domain_name_;
    std::string domain_source_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The bundled shop domain (scenarios/shop/domain.json, compiled in), or empty when the build
// had none.
std::string_view bundled_shop_domain();

}  // namespace esser::emulator

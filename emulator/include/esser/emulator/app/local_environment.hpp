#pragma once
// local_environment: the composition root of esser-local. It owns the clock, the id source,
// the metrics and the services (DynamoDB engine, Streams, the areas that plug in: Lambda,
// event source mappings, the domain's command handler) and builds the router of the one
// esser-local port.
//
// Built in (local_environment.cpp):
//   - DynamoDB engine: front_.add_service("DynamoDB_20120810", ...) (spec/dynamodb-api.md §1);
//   - Streams: a stream_registry attached to the engine as its table_observer, served as
//     DynamoDBStreams_20120810.* (spec/streams-and-lambda.md §1);
//   - SQS (sqs_service): AmazonSQS.* (JSON 1.0) and the query protocol (form POSTs with
//     Action=...) at "/" and at queue URLs "/<account>/<name>", in front of the DynamoDB front
//     (sqs_front::wrap passes every other request on); queue URLs use the listening URL
//     (set_endpoint_url, done by local_server);
//   - routes: GET /metrics, GET /esser/v1/health, GET /esser/v1/clock,
//     POST /esser/v1/clock/advance {"by":"15m"}, POST /esser/v1/clock/set {"to":"<RFC 3339>"},
//     POST /esser/v1/reset (drops every table and stream, then runs the on_reset hooks),
//     POST /esser/v1/streams/{table}/rotate, POST /esser/v1/streams/{table}/split
//     {"children":N,"shard":"<id>"?};
//   - with options.credentials (--credentials): SigV4 verification of DynamoDB and Streams
//     (aws_json_front) and of Lambda's REST API (a router guard on "/2015-03-31/").
//
// How another area plugs in (Lambda, event source mappings, the esser API): after create()
// and before make_router(), call
//     env.add_routes("lambda", [&svc](router& r) { register_lambda_routes(r, svc); });
//     env.on_reset([&svc] { svc.reset(); });
// add_routes' installer runs on every make_router(), before the catch-alls, so its routes win
// over "/esser/v1/*" and "/2015-03-31/*"; the service then shows as available in health and
// the banner (and "lambda" removes the 501 placeholder of /2015-03-31/*). Services reach the
// engine, the streams, the clock and the ids through the accessors below. Keep what you
// create alive at least as long as the environment (own it in local_server or declare it
// after the environment).
//
// Thread safety: configure before serving; the router's handlers are thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/adapters/aws/credentials.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/aws_json_front.hpp"
#include "esser/emulator/http/http_metrics.hpp"
#include "esser/emulator/http/router.hpp"
#include "esser/emulator/persist/sqlite_state_store.hpp"

namespace esser::adapters {
class dynamodb_event_store;
}

namespace esser::core {
class aggregate_repository;
class read_store;
class stream_handler;
}  // namespace esser::core

namespace esser::emulator {

struct local_environment_options {
    // A domain definition file (JSON); empty means the bundled shop domain.
    std::string domain_file;
    // --no-domain: no domain at all (bare DynamoDB and Streams, no domain tables).
    bool no_domain = false;
    bool manual_clock = false;          // --clock manual: time moves only through the API
    std::optional<std::uint64_t> seed;  // --seed: deterministic ids; none: random
    unsigned shards = 1;                // --shards: initial shards per table stream
    core::duration poll_interval = std::chrono::milliseconds(250);  // event source mappings
    core::duration table_status_delay{0};  // --table-status-delay: CREATING/UPDATING/DELETING
    // Streams consumer-hardening switches (stream_options; spec §6.3, §6.18): --empty-pages P
    // (seeded by --seed when given) and --max-shard-readers N (0: no limit).
    double empty_pages = 0;
    std::size_t max_shard_readers = 0;
    std::string region = "us-east-1";  // for ARNs and the health text
    aws_auth_mode auth = aws_auth_mode::accept_any;
    // --read-store: where projections live (adapters::open_read_store's URL forms: "memory:",
    // "sqlite:PATH", "postgres://..."). Empty: "sqlite:<data_dir>/read_store.sqlite" when
    // data_dir is set, else "memory:".
    std::string read_store_url;
    // --data-dir: the directory of esser-local's files (data_dir.hpp: created when missing,
    // locked, its format version checked). Tables, items and streams live in
    // DIR/emulator.sqlite (sqlite_state_store) and are restored at start.
    std::string data_dir;
    // --durability: with data_dir, whether each acknowledged write is fsynced (full) or only
    // written to the database's WAL (normal: survives a crash of esser-local, not of the OS).
    durability_mode durability = durability_mode::normal;
    // Called once when --data-dir's storage fails while serving (disk full, I/O error), after
    // the error is logged: `serve` stops esser-local (exit 4). Until then, and without it, the
    // engine refuses every request (sqlite_state_store::failure()).
    std::function<void()> on_storage_failure;
    // --credentials: when non-empty, every AWS API request must carry a valid SigV4 signature
    // by one of these keys (sigv4_guard.hpp): DynamoDB and Streams (auth becomes
    // verify_signature), Lambda's REST API and SQS (both protocols, sqs_front.hpp). The esser
    // API and /metrics stay open.
    std::vector<adapters::credentials> credentials;
    // --tls-cert: executable functions trust it (AWS_CA_BUNDLE) to call esser-local back.
    std::string function_ca_bundle;
};

class data_dir;
class dynamo_engine;
class esm_service;
class esser_api;
class lambda_service;
class projection_api;
class sqs_api;
class sqs_front;
class sqs_service;
class sigv4_guard;
class recording_service;
class stream_registry;
class streams_api;

class local_environment {
public:
    ~local_environment();
    local_environment(const local_environment&) = delete;
    local_environment& operator=(const local_environment&) = delete;

    // Loads the domain and builds the services. Errors (an unreadable or invalid domain file)
    // are values, with the file named in core::error::source.
    static core::result<std::unique_ptr<local_environment>> create(local_environment_options o,
                                                                   core::logger log = {});

    const local_environment_options& options() const { return options_; }

    core::clock& clock() { return *clock_; }

    // The manual clock when --clock manual, else null.
    const std::shared_ptr<core::manual_clock>& manual_clock() const { return manual_clock_; }

    core::id_source& ids() { return *ids_; }

    // The loaded domain (core's model), or null when there is none.
    const std::shared_ptr<const core::domain>& domain() const { return domain_; }

    const std::shared_ptr<http_metrics>& metrics() const { return metrics_; }

    const aws_json_front& aws_front() const { return front_; }

    // The fake DynamoDB (DynamoDB_20120810.* on the port).
    const std::shared_ptr<dynamo_engine>& dynamodb() const { return dynamodb_; }

    // DynamoDB Streams (DynamoDBStreams_20120810.* on the port), attached to the engine. Lambda
    // event source mappings read it through its subscription API.
    const std::shared_ptr<stream_registry>& streams() const { return streams_; }

    // The domain's event store: adapters::dynamodb_event_store over the engine in process (the
    // production store code; tables "events" with a NEW_IMAGE stream and "snapshots", created at
    // start and again after a reset). Null without a domain.
    const std::shared_ptr<adapters::dynamodb_event_store>& event_store() const {
        return event_store_;
    }

    // Lambda functions (/2015-03-31/functions), the event source mappings over the streams
    // (/2015-03-31/event-source-mappings, POST /esser/v1/drain) and SQS, whose queues are
    // their OnFailure destinations (also listed under /esser/v1/queues). Mappings poll in real time
    // with the real clock; with --clock manual they deliver only on drain, so tests decide when
    // records flow.
    lambda_service& lambda() { return *lambda_; }

    // The read store of the projections (--read-store), and the URL it was opened from
    // ("memory:" when none was configured).
    core::read_store& read_store() { return *read_store_; }

    const std::string& read_store_url() const { return read_store_url_; }

    // With --data-dir: what was restored from it at start (tables, items, streams, records).
    const std::optional<sqlite_state_store::restored>& restored_state() const { return restored_; }

    // Why --data-dir's storage failed while serving; empty while it works (or without one).
    std::string storage_failure() const { return state_ ? state_->failure() : std::string(); }

    // The domain's projections run as the in-process function projector_function (the core
    // stream_handler with the built-in aggregate_state_projection into read_store()), fed by an
    // event source mapping on the events table's stream (TRIM_HORIZON, batches of up to 1000,
    // ReportBatchItemFailures, unbounded retries): in real time with the real clock, on
    // POST /esser/v1/drain with the manual one. A reset empties the projections' collections
    // and starts them again. The esser API reads them: GET /esser/v1/projections[/{name}[/{id}]]
    // (projection_api.hpp).
    static constexpr std::string_view projector_function = "esser-projections";

    esm_service& mappings() { return *esm_; }

    sqs_service& sqs() { return *sqs_; }

    // Recordings of table streams into fixtures (/esser/v1/recordings, issue 8). A reset stops
    // them; their fixtures stay readable.
    recording_service& recordings() { return *recordings_; }

    // Adds an area's routes (see the header comment). `service` names it in services().
    void add_routes(std::string service, std::function<void(router&)> install);

    // Runs `fn` on every reset(), after the tables and streams are dropped, in the order added.
    void on_reset(std::function<void()> fn);

    // Back to an empty emulator: every table and stream dropped, then the on_reset hooks. The
    // clock and the id sequence carry on.
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
    bool has_routes_for(std::string_view service) const;
    http_response split_shards(const http_request& req);
    core::result<void> start_domain();
    core::result<void> open_storage();  // --data-dir, then the read store
    // (Re)creates the projector function and its mapping; `drop` first empties the domain's
    // collections (their events are gone).
    core::result<void> start_projections(bool drop);

    local_environment_options options_;
    core::logger log_;
    std::shared_ptr<core::clock> clock_;
    std::shared_ptr<core::manual_clock> manual_clock_;
    std::shared_ptr<core::id_source> ids_;
    std::shared_ptr<http_metrics> metrics_ = std::make_shared<http_metrics>();
    // --data-dir, locked while this environment lives; outlives everything stored in it.
    std::unique_ptr<data_dir> data_dir_;
    // The emulator's state in the data dir (null without one). Declared after data_dir_ (it
    // lives in it) and before the engine and the streams, which the destructor detaches from it
    // first.
    std::unique_ptr<sqlite_state_store> state_;
    std::optional<sqlite_state_store::restored> restored_;
    // Declared before the engine: the engine holds a pointer to it (its observer), so the
    // engine is destroyed first.
    std::shared_ptr<stream_registry> streams_;
    std::unique_ptr<streams_api> streams_api_;
    std::shared_ptr<dynamo_engine> dynamodb_;
    // The signature checks of --credentials (null without); used by front_ and the router.
    std::shared_ptr<const sigv4_guard> signatures_;
    aws_json_front front_;
    // The domain's store and command API (null without a domain). Declared after the engine:
    // they use it, so they go first.
    std::shared_ptr<adapters::dynamodb_event_store> event_store_;
    std::unique_ptr<esser_api> esser_api_;
    // The projections' read store and what reads it; the projector (held by its function in
    // lambda_) writes to it, so both are declared before lambda_.
    std::string read_store_url_;
    std::unique_ptr<core::read_store> read_store_;
    std::unique_ptr<projection_api> projection_api_;
    std::unique_ptr<core::aggregate_repository> repository_;
    // Lambda (functions, Invoke), SQS and the event source mappings, which read the streams,
    // invoke the functions and send to SQS. Declared last: the mappings go first, then SQS and
    // the functions, all before the streams they read.
    std::unique_ptr<lambda_service> lambda_;
    std::unique_ptr<sqs_service> sqs_;
    std::unique_ptr<sqs_api> sqs_api_;
    std::unique_ptr<sqs_front> sqs_front_;
    std::unique_ptr<esm_service> esm_;
    std::unique_ptr<recording_service> recordings_;  // reads the streams: declared after them

    struct route_installer {
        std::string service;
        std::function<void(router&)> install;
    };

    std::vector<route_installer> installers_;
    std::vector<std::function<void()>> reset_hooks_;
    std::shared_ptr<const core::domain> domain_;
    std::string domain_name_;
    std::string domain_source_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The bundled shop domain (scenarios/shop/domain.json, compiled in), or empty when the build
// had none.
std::string_view bundled_shop_domain();

}  // namespace esser::emulator

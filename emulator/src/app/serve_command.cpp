#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "esser/adapters/deploy/template_file.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/app/local_server.hpp"
#include "esser/emulator/http/stop_signal.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

namespace esser::emulator {

namespace {

using core::unexpected;

template <class T>
core::expected<T, cli::usage_error> number(const cli::parsed_args& a, std::string_view name,
                                           T fallback, T min, T max) {
    auto v = a.get(name);
    if (!v)
        return fallback;
    T out{};
    const auto* end = v->data() + v->size();
    auto [p, ec] = std::from_chars(v->data(), end, out);
    if (ec != std::errc() || p != end || out < min || out > max) {
        return unexpected(cli::usage_error{"--" + std::string(name) +
                                           " must be a whole number from " + std::to_string(min) +
                                           " to " + std::to_string(max) + " (got '" + *v + "')"});
    }
    return out;
}

core::expected<core::duration, cli::usage_error> duration(const cli::parsed_args& a,
                                                          std::string_view name,
                                                          core::duration fallback) {
    auto v = a.get(name);
    if (!v)
        return fallback;
    auto d = core::parse_duration(*v);
    if (!d || d->count() <= 0) {
        return unexpected(cli::usage_error{"--" + std::string(name) +
                                           " must be a positive duration such as 250ms, 5s, "
                                           "1m (got '" +
                                           *v + "')"});
    }
    return *d;
}

// "KEY:SECRET" or "KEY:SECRET:TOKEN" (access key ids and secrets never contain ':'; a session
// token is base64, so it does not either).
core::expected<adapters::credentials, cli::usage_error> parse_credentials(std::string_view text) {
    const auto bad = [&] {
        return unexpected(cli::usage_error{
            "--credentials must be KEY:SECRET or KEY:SECRET:TOKEN with non-empty parts (got '" +
            std::string(text) + "')"});
    };
    const auto first = text.find(':');
    if (first == std::string_view::npos)
        return bad();
    const auto second = text.find(':', first + 1);
    adapters::credentials c;
    c.access_key_id = std::string(text.substr(0, first));
    c.secret_access_key = std::string(text.substr(
        first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1));
    if (second != std::string_view::npos) {
        c.session_token = std::string(text.substr(second + 1));
        if (c.session_token.empty() || c.session_token.find(':') != std::string::npos)
            return bad();
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        return bad();
    return c;
}

// esser-lambda beside this executable (an installed tree, or a release directory), else the
// one on PATH.
std::string default_lambda_binary() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = self.parent_path() / "esser-lambda";
        if (std::filesystem::exists(beside, ec))
            return beside.string();
    }
    if (const char* path = std::getenv("PATH")) {
        std::string_view rest(path);
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            const std::filesystem::path dir(std::string(rest.substr(0, colon)));
            if (!dir.empty() && std::filesystem::exists(dir / "esser-lambda", ec))
                return (dir / "esser-lambda").string();
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    }
    return {};
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

cli::command_spec serve_spec() {
    cli::command_spec s;
    s.name = "serve";
    s.summary = "run the emulator on one local port";
    s.synopsis = {
        "serve [--domain FILE] [--host ADDR] [--port N] [--clock real|manual] [--seed N]",
        "      [--shards N] [--poll-interval D] [--table-status-delay D]",
        "      [--empty-pages P] [--max-shard-readers N]",
        "      [--log-level LEVEL] [--log-format text|json]",
        "      [--region R] [--threads N] [--max-connections N] [--shutdown-grace D]",
        "      [--require-auth] [--credentials KEY:SECRET[:TOKEN]] [--no-domain]",
        "      [--tls-cert FILE --tls-key FILE] [--template FILE [--lambda-binary FILE]]"};
    s.description =
        "Serves, on one HTTP port: DynamoDB (AWS JSON 1.0, X-Amz-Target "
        "DynamoDB_20120810.*), DynamoDB Streams (DynamoDBStreams_20120810.*), Lambda "
        "(/2015-03-31/...), the esser API (/esser/v1/...) and Prometheus metrics (/metrics). "
        "Point any AWS client at it with --endpoint-url; any credentials are accepted unless "
        "--credentials is given. With --tls-cert and --tls-key the port speaks HTTPS.\n\n"
        "With no --domain it runs the bundled shop domain (Item and Basket aggregates). It "
        "prints the endpoint and copy-paste examples, then serves until SIGINT or SIGTERM: "
        "it stops accepting, lets requests in flight finish (up to --shutdown-grace) and "
        "exits 0. A second Ctrl-C ends it at once.\n\n"
        "Durations are written 250ms, 15s, 5m, 4h, 1d or 1h30m.";
    s.options = {
        {"domain",
         "FILE",
         "the bundled shop domain",
         "The domain definition (JSON) to serve: entities, commands, reducers, projections.",
         {}},
        {"host",
         "ADDR",
         "127.0.0.1",
         "Address to listen on. Anything but loopback exposes an unauthenticated emulator to "
         "your network.",
         {}},
        {"port", "N", "8000", "Port to listen on; 0 picks a free port (printed at start).", {}},
        {"clock",
         "MODE",
         "real",
         "Where time comes from. manual starts at 2024-01-01T00:00:00Z and moves only through "
         "POST /esser/v1/clock/advance or /esser/v1/clock/set, so retention, iterator expiry "
         "and shard rollover can be crossed in microseconds.",
         {"real", "manual"}},
        {"seed",
         "N",
         "random",
         "Seed of every generated id (request ids, aggregate ids, sequence numbers): the same "
         "seed and inputs give the same ids run after run.",
         {}},
        {"shards", "N", "1", "Shards each table stream starts with.", {}},
        {"poll-interval", "D", "250ms", "How often event source mappings poll their streams.", {}},
        {"table-status-delay",
         "D",
         "0",
         "How long tables stay CREATING, UPDATING and DELETING, and new GSIs backfilling, as "
         "AWS's take seconds to minutes: test your waiters and retries against it (clock time, "
         "so --clock manual moves it with the clock).",
         {}},
        {"empty-pages",
         "P",
         "0",
         "Probability (0 to 0.9) that a GetRecords on an open shard answers Records [] with a "
         "next iterator although records wait, as AWS does now and then: consumers must keep "
         "polling. Repeatable with --seed.",
         {}},
        {"max-shard-readers",
         "N",
         "0 (no limit)",
         "Readers (a GetShardIterator and the GetRecords chain that follows it) allowed on one "
         "shard within a second; a further reader gets LimitExceededException \"Rate "
         "exceeded\". AWS throttles more than 2. Event source mappings do not count.",
         {}},
        {"log-level",
         "LEVEL",
         "info",
         "Least severe log record written to stderr.",
         {"trace", "debug", "info", "warn", "error", "off"}},
        {"log-format",
         "FORMAT",
         "text",
         "Log records as text lines or JSON lines.",
         {"text", "json"}},
        {"region",
         "R",
         "us-east-1",
         "Region used in ARNs and when a request's credential scope names none.",
         {}},
        {"threads", "N", "one per CPU", "Threads serving HTTP.", {}},
        {"max-connections",
         "N",
         "1024",
         "Open connections served at once; more are answered 503 with Retry-After.",
         {}},
        {"shutdown-grace",
         "D",
         "5s",
         "How long a stop waits for requests in flight before cancelling them.",
         {}},
        {"read-store",
         "URL",
         "sqlite:DIR/read_store.sqlite with --data-dir, else memory:",
         "Where the domain's projections are materialised and read from (GET "
         "/esser/v1/projections/...): memory:, sqlite:PATH (a file, created when missing), "
         "sqlite::memory: or postgres://user:password@host:port/db. Its projection tables are "
         "emptied at start (unless --data-dir restored the events) and on reset.",
         {}},
        {"data-dir",
         "DIR",
         "none",
         "Directory for esser-local's files, created when missing and locked while it runs (a "
         "second esser-local on it is refused); it carries a format version, and a directory of "
         "another version is refused. Tables (with indexes, TTL, tags), items and streams "
         "(shards, records, sequence numbers) live in DIR/emulator.sqlite and are restored at "
         "start; it also holds the read store (read_store.sqlite) when --read-store is not "
         "given. Event source mappings, functions and SQS queues still live in memory.",
         {}},
        {"durability",
         "MODE",
         "normal",
         "With --data-dir: normal acknowledges a write once it is in the database's "
         "write-ahead log (it survives a crash of esser-local); full also fsyncs it (it survives "
         "a power loss). Concurrent writes share one transaction either way.",
         {}},
        {"no-domain",
         "",
         "",
         "Serve bare DynamoDB and Streams: no domain, no events/snapshots tables, no command "
         "API. For tests that create their own tables.",
         {}},
        {"require-auth",
         "",
         "",
         "Refuse DynamoDB requests without a well-formed SigV4 Authorization header, as AWS "
         "and dynalite do (signatures are still not verified).",
         {}},
        {"credentials",
         "KEY:SECRET[:TOKEN]",
         "",
         "Verify the SigV4 signature of every DynamoDB, Streams, Lambda and SQS request "
         "against this access key (and session token, if given), as AWS does: unsigned, "
         "malformed, stale (more than 15 minutes off) and badly signed requests and unknown keys "
         "get AWS's errors (MissingAuthenticationTokenException, IncompleteSignatureException, "
         "InvalidSignatureException, UnrecognizedClientException; SQS's query codes "
         "MissingAuthenticationToken, IncompleteSignature, SignatureDoesNotMatch, "
         "InvalidClientTokenId). The esser API and /metrics stay open. Executable functions get "
         "these credentials in their environment.",
         {}},
        {"tls-cert",
         "FILE",
         "",
         "Serve HTTPS (TLS 1.2 or later) with this PEM certificate chain; needs --tls-key. "
         "Clients then use https:// in --endpoint-url and must trust the certificate "
         "(aws --ca-bundle FILE, AWS_CA_BUNDLE, curl --cacert FILE).",
         {}},
        {"tls-key", "FILE", "", "The PEM private key of --tls-cert.", {}},
        {"template",
         "FILE",
         "",
         "Create the tables, queues, functions and event source mappings of this "
         "CloudFormation/SAM template (JSON, as 'esser-local template' writes it, or YAML "
         "with the short-form tags !Ref, !GetAtt, !Sub...) once "
         "listening: names as CloudFormation gives them (local-<LogicalId>), functions running "
         "esser-lambda on the served domain, wired to this endpoint.",
         {}},
        {"lambda-binary",
         "FILE",
         "esser-lambda next to esser-local, else on PATH",
         "The esser-lambda executable the --template functions run.",
         {}},
    };
    s.examples = {
        {"Serve the bundled shop domain on 127.0.0.1:8000", "esser-local serve"},
        {"Your own domain on another port, with a manual clock and fixed ids",
         "esser-local serve --domain ./domain.json --port 8001 --clock manual --seed 42"},
        {"Projections in PostgreSQL (read them: curl -s URL/esser/v1/projections/item)",
         "esser-local serve --read-store postgres://esser:esser@127.0.0.1:5432/esser"},
        {"Any free port (read it from the first line of output), JSON logs",
         "esser-local serve --port 0 --log-format json"},
        {"Talk to it with the aws cli (any credentials)",
         "AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws dynamodb list-tables "
         "--endpoint-url http://127.0.0.1:8000 --region us-east-1"},
        {"Signed requests only, over HTTPS with a self-signed certificate",
         "esser-local serve --credentials AKIDLOCAL:s3cret --tls-cert cert.pem --tls-key "
         "key.pem"},
    };
    s.exit_status =
        "0  stopped by SIGINT or SIGTERM after a graceful shutdown\n"
        "1  could not start (unreadable or invalid domain file)\n"
        "2  a usage error (unknown flag, bad value)\n"
        "3  could not listen (port in use, address not local, permission denied)\n"
        "4  stopped because --data-dir's storage failed (disk full, I/O error); what was "
        "acknowledged is stored";
    s.see_also = "esser-local --help; DESIGN.md; the esser API under /esser/v1/ (README).";
    return s;
}

int run_serve(const cli::parsed_args& args, command_io io) {
    if (!no_positionals(args, "serve", io))
        return exit_usage;
    auto settings = serve_settings_from(args);
    if (!settings) {
        io.err << "esser-local serve: " << settings.error().message
               << "\nRun 'esser-local serve --help' for usage.\n";
        return exit_usage;
    }
    auto sink =
        std::make_shared<core::stream_log_sink>(io.err, settings->log_level, settings->log_format);
    if (!is_loopback(settings->http.host)) {
        core::logger("esser-local", sink)
            .warn("listening on {}: reachable from other machines, without authentication",
                  settings->http.host);
    }
    // A storage failure stops the server the way SIGTERM does (graceful, then exit 4).
    settings->env.on_storage_failure = [] { ::kill(::getpid(), SIGTERM); };
    auto server = local_server::start(std::move(*settings), sink);
    if (!server) {
        io.err << "esser-local serve: " << server.error().message << "\n";
        return server.error().exit_code;
    }
    io.out << (*server)->banner() << std::flush;
    const int sig = wait_for_stop_signal();
    io.err << "esser-local: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
           << " received; finishing requests in flight (Ctrl-C again to force)\n";
    (*server)->stop();
    if (const std::string why = (*server)->environment().storage_failure(); !why.empty()) {
        io.err << "esser-local: stopped: " << why << "\n";
        return 4;
    }
    return exit_ok;
}

}  // namespace

core::expected<serve_settings, cli::usage_error> serve_settings_from(const cli::parsed_args& a) {
    serve_settings s;
    s.env.domain_file = a.value_or("domain", "");
    s.env.no_domain = a.has("no-domain");
    if (s.env.no_domain && !s.env.domain_file.empty())
        return unexpected(cli::usage_error{"--no-domain and --domain exclude each other"});
    s.http.host = a.value_or("host", "127.0.0.1");
    s.http.name = "esser-local";
    auto port = number<unsigned>(a, "port", 8000, 0, 65535);
    if (!port)
        return unexpected(port.error());
    s.http.port = static_cast<std::uint16_t>(*port);
    s.env.manual_clock = a.value_or("clock", "real") == "manual";
    if (a.has("seed")) {
        auto seed = number<std::uint64_t>(a, "seed", 0, 0, UINT64_MAX);
        if (!seed)
            return unexpected(seed.error());
        s.env.seed = *seed;
    }
    auto shards = number<unsigned>(a, "shards", 1, 1, 1000);
    if (!shards)
        return unexpected(shards.error());
    s.env.shards = *shards;
    auto poll = duration(a, "poll-interval", std::chrono::milliseconds(250));
    if (!poll)
        return unexpected(poll.error());
    s.env.poll_interval = *poll;
    if (auto p = a.get("empty-pages")) {
        double v = -1;
        const auto* end = p->data() + p->size();
        auto [ptr, ec] = std::from_chars(p->data(), end, v);
        if (ec != std::errc() || ptr != end || !(v >= 0 && v <= 0.9)) {
            return unexpected(cli::usage_error{
                "--empty-pages must be a probability from 0 to 0.9, such as 0.25 (got '" + *p +
                "')"});
        }
        s.env.empty_pages = v;
    }
    auto readers = number<std::size_t>(a, "max-shard-readers", 0, 0, 1000);
    if (!readers)
        return unexpected(readers.error());
    s.env.max_shard_readers = *readers;
    auto status_delay = duration(a, "table-status-delay", core::duration::zero());
    if (!status_delay)
        return unexpected(status_delay.error());
    s.env.table_status_delay = *status_delay;
    core::parse_log_level(a.value_or("log-level", "info"), s.log_level);
    s.log_format = a.value_or("log-format", "text") == "json" ? core::log_format::json
                                                              : core::log_format::text;
    s.env.region = a.value_or("region", "us-east-1");
    if (s.env.region.empty() || s.env.region.find_first_not_of(
                                    "abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
        return unexpected(
            cli::usage_error{"--region must look like us-east-1 (got '" + s.env.region + "')"});
    }
    auto threads = number<unsigned>(a, "threads", 0, 1, 256);
    if (!threads)
        return unexpected(threads.error());
    s.http.threads = *threads;  // 0 (absent): one per CPU
    auto maxc = number<std::size_t>(a, "max-connections", 1024, 1, 1'000'000);
    if (!maxc)
        return unexpected(maxc.error());
    s.http.max_connections = *maxc;
    auto grace = duration(a, "shutdown-grace", std::chrono::seconds(5));
    if (!grace)
        return unexpected(grace.error());
    s.http.shutdown_grace = std::chrono::duration_cast<std::chrono::milliseconds>(*grace);
    if (a.has("require-auth"))
        s.env.auth = aws_auth_mode::require_header;
    s.env.read_store_url = a.value_or("read-store", "");
    s.env.data_dir = a.value_or("data-dir", "");
    if (a.has("read-store") && s.env.read_store_url.empty())
        return unexpected(cli::usage_error{"--read-store needs a URL such as sqlite:./read.db"});
    if (a.has("data-dir") && s.env.data_dir.empty())
        return unexpected(cli::usage_error{"--data-dir needs a directory"});
    if (auto d = a.get("durability")) {
        if (*d == "full")
            s.env.durability = durability_mode::full;
        else if (*d != "normal")
            return unexpected(cli::usage_error{"--durability must be normal or full, not '" +
                                               std::string(*d) + "'"});
        if (s.env.data_dir.empty())
            return unexpected(cli::usage_error{"--durability needs --data-dir"});
    }
    if (auto c = a.get("credentials")) {
        auto creds = parse_credentials(*c);
        if (!creds)
            return unexpected(creds.error());
        s.env.credentials.push_back(std::move(*creds));
    }
    s.template_file = a.value_or("template", "");
    s.lambda_binary = a.value_or("lambda-binary", "");
    if (!s.lambda_binary.empty() && s.template_file.empty())
        return unexpected(cli::usage_error{"--lambda-binary goes with --template"});
    s.tls_cert = a.value_or("tls-cert", "");
    s.tls_key = a.value_or("tls-key", "");
    if (s.tls_cert.empty() != s.tls_key.empty())
        return unexpected(cli::usage_error{"--tls-cert and --tls-key go together"});
    if (!s.tls_cert.empty())
        s.env.function_ca_bundle = std::filesystem::absolute(s.tls_cert).string();
    return s;
}

core::expected<std::unique_ptr<local_server>, start_failure> local_server::start(
    serve_settings settings, std::shared_ptr<core::log_sink> sink) {
    std::unique_ptr<local_server> out(new local_server());
    auto env = local_environment::create(settings.env, core::logger("esser-local", sink));
    if (!env) {
        return unexpected(start_failure{exit_failure, env.error().describe()});
    }
    out->env_ = std::move(*env);
    auto http_opts = settings.http;
    http_opts.metrics = out->env_->metrics();
    const bool tls = !settings.tls_cert.empty();
    if (tls) {
        // HTTPS: the HTTP server moves to a free loopback port behind the TLS terminator,
        // which takes the public address (tls_terminator.hpp).
        http_opts.host = "127.0.0.1";
        http_opts.port = 0;
    }
    auto server =
        http_server::start(http_opts, out->env_->make_router(), core::logger("esser-http", sink));
    if (!server) {
        const auto& e = server.error();
        std::string msg;
        const std::string where = std::to_string(settings.http.port);
        switch (e.what) {
            case listen_error::kind::address_in_use:
                msg = "port " + where + " on " + settings.http.host +
                      " is in use; pass --port N (or --port 0 for any free port) or stop the "
                      "other process";
                break;
            case listen_error::kind::permission_denied:
                msg = "not allowed to listen on port " + where + " (" + e.message +
                      "); ports below 1024 need privileges: pass --port N with N >= 1024";
                break;
            case listen_error::kind::bad_address:
                msg = "cannot listen on '" + settings.http.host + "' (" + e.message +
                      "); pass --host with a local address such as 127.0.0.1";
                break;
            case listen_error::kind::other:
                msg = "cannot listen: " + e.message;
                break;
        }
        return unexpected(start_failure{exit_cannot_listen, msg});
    }
    out->server_ = std::move(*server);
    if (tls) {
        tls_terminator_options t;
        t.host = settings.http.host;
        t.port = settings.http.port;
        t.cert_file = settings.tls_cert;
        t.key_file = settings.tls_key;
        t.upstream_port = out->server_->port();
        t.threads = std::max(1u, settings.http.threads);
        t.max_connections = settings.http.max_connections;
        auto term = tls_terminator::start(std::move(t), core::logger("esser-tls", sink));
        if (!term) {
            out->server_->stop();
            if (term.error().what == listen_error::kind::other)
                return unexpected(start_failure{exit_failure, term.error().message});
            return unexpected(
                start_failure{exit_cannot_listen, "cannot serve HTTPS: " + term.error().message});
        }
        out->tls_ = std::move(*term);
    }
    out->env_->sqs().set_endpoint_url(out->url());  // queue URLs name this port
    // Executable functions reach DynamoDB here (AWS_ENDPOINT_URL), signed with the first key.
    out->env_->lambda().set_endpoint_url(out->url());
    if (!settings.template_file.empty()) {
        auto loaded = out->load_template(settings);
        if (!loaded) {
            out->stop();
            return unexpected(start_failure{exit_failure, loaded.error().describe()});
        }
    }
    out->settings_ = std::move(settings);
    return out;
}

core::result<void> local_server::load_template(const serve_settings& settings) {
    auto tpl = adapters::read_template_file(settings.template_file);
    if (!tpl) {
        core::error e = tpl.error();
        e.message = "--template: " + e.message;
        return core::fail(std::move(e));
    }
    stack_loader_options o;
    o.lambda_binary =
        settings.lambda_binary.empty() ? default_lambda_binary() : settings.lambda_binary;
    if (!settings.env.domain_file.empty()) {
        o.domain_file = std::filesystem::absolute(settings.env.domain_file).string();
    } else if (env_->domain()) {
        // The bundled domain, as a file the functions can read.
        bundled_domain_copy_ = (std::filesystem::temp_directory_path() /
                                ("esser-local-" + std::to_string(::getpid()) + "-domain.json"))
                                   .string();
        std::ofstream f(bundled_domain_copy_, std::ios::binary | std::ios::trunc);
        f << bundled_shop_domain();
        if (!f.flush())
            return core::fail(
                core::error::invalid_argument("cannot write " + bundled_domain_copy_));
        o.domain_file = bundled_domain_copy_;
    }
    auto made = load_stack(*env_, *tpl, o);
    if (!made) {
        core::error e = made.error();
        e.source = settings.template_file;
        return core::fail(std::move(e));
    }
    stack_ = std::move(*made);
    return {};
}

local_server::~local_server() {
    if (!bundled_domain_copy_.empty()) {
        std::error_code ignored;
        std::filesystem::remove(bundled_domain_copy_, ignored);
    }
}

std::string local_server::url() const {
    return tls_ ? tls_->url() : server_->url();
}

void local_server::stop() {
    // The terminator first: its relays are clients of the HTTP server.
    if (tls_)
        tls_->stop();
    server_->stop();
}

std::string local_server::banner() const {
    const std::string url = this->url();
    const auto& env = *env_;
    std::string b = "esser-local " ESSER_VERSION " listening on " + url + "\n";
    auto row = [&](std::string_view k, const std::string& v) {
        std::string key(k);
        key.resize(18, ' ');
        b += "  " + key + v + "\n";
    };
    row("domain", env.domain_description());
    const auto* clock = &const_cast<local_environment&>(env).clock();
    row("clock", std::string(clock->is_manual() ? "manual, at " : "real, ") +
                     core::format_rfc3339_ms(clock->now()) +
                     (clock->is_manual() ? " (move it: POST /esser/v1/clock/advance)" : ""));
    // A PostgreSQL URL may carry a password: the banner shows "user:***@".
    std::string store = env.read_store_url();
    if (const auto scheme = store.find("://"); scheme != std::string::npos) {
        const auto at = store.find('@', scheme);
        const auto colon = store.find(':', scheme + 3);
        if (at != std::string::npos && colon < at)
            store.replace(colon + 1, at - colon - 1, "***");
    }
    row("read store", store);
    if (const auto& r = env.restored_state()) {
        row("data dir",
            fmt::format("{} ({} durability; restored {} tables, {} items, {} stream records, "
                        "{} functions, {} event source mappings, {} queues, {} messages{})",
                        env.options().data_dir,
                        env.options().durability == durability_mode::full ? "full" : "normal",
                        r->tables, r->items, r->records, r->functions, r->mappings, r->queues,
                        r->messages,
                        r->journal_records == 0
                            ? std::string()
                            : fmt::format("; {} journal records replayed", r->journal_records)));
    }
    row("ids", env.options().seed ? "seeded with " + std::to_string(*env.options().seed)
                                  : std::string("random (pass --seed N to fix them)"));
    for (const auto& s : env.services())
        row(s.name, s.available ? "ready" : "not built: " + s.note);
    if (tls_)
        row("tls", "HTTPS with " + settings_.tls_cert);
    if (!settings_.template_file.empty()) {
        std::size_t made = 0;
        for (const auto& r : stack_) made += r.skipped ? 0 : 1;
        row("stack", std::to_string(made) + " resources from " + settings_.template_file);
        for (const auto& r : stack_) {
            b += "    " + r.logical_id + ": " +
                 (r.skipped ? r.type + " (" + r.skip_reason + ", skipped)"
                            : r.type + " " + r.physical_id) +
                 "\n";
        }
    }
    const auto& keys = env.options().credentials;
    if (keys.empty()) {
        b += "\nTry it (any credentials work; aws cli v2 wants a pager off):\n";
        b += "  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=" +
             env.options().region + " AWS_PAGER=\n";
    } else {
        row("auth", "SigV4 verified for access key " + keys.front().access_key_id);
        b += "\nTry it (with the secret of --credentials; aws cli v2 wants a pager off):\n";
        b += "  export AWS_ACCESS_KEY_ID=" + keys.front().access_key_id +
             " AWS_SECRET_ACCESS_KEY=<secret> AWS_DEFAULT_REGION=" + env.options().region +
             " AWS_PAGER=\n";
    }
    if (tls_)
        b += "  export AWS_CA_BUNDLE=" + settings_.tls_cert + "\n";
    b += "  aws dynamodb list-tables --endpoint-url " + url + "\n";
    b += std::string("  curl -s ") + (tls_ ? "--cacert " + settings_.tls_cert + " " : "") + url +
         "/esser/v1/health\n";
    b += std::string("  curl -s ") + (tls_ ? "--cacert " + settings_.tls_cert + " " : "") + url +
         "/metrics\n";
    b += "\nCtrl-C stops it (a second Ctrl-C forces).\n";
    return b;
}

subcommand serve_command() {
    return {serve_spec(), run_serve};
}

}  // namespace esser::emulator

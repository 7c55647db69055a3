// `esser-local record`: captures a table's stream from any DynamoDB Streams endpoint into a
// fixture (issue 8 "Recording"; fixtures/FORMAT.md), through emulator/fixture's
// endpoint_record_source and stream_recorder over adapters::http_transport (SigV4).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <thread>

#include <fmt/format.h>

#include "esser/adapters/dynamodb/http_transport.hpp"
#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/fixture/endpoint_record_source.hpp"
#include "esser/emulator/fixture/stream_recorder.hpp"

namespace esser::emulator {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) {
    stop_requested = 1;
}

cli::command_spec record_spec() {
    cli::command_spec s;
    s.name = "record";
    s.summary = "capture a table's stream into a fixture file";
    s.synopsis = {"record [--endpoint URL] --table T --out FILE [--from trim-horizon|latest]",
                  "       [--duration D | --count N] [--redact POINTER]... [--region R]",
                  "       [--poll-interval D]"};
    s.description =
        "Reads the DynamoDB stream of table T through the DynamoDB Streams API and writes "
        "every record to FILE in the fixture format "
        "(fixtures/FORMAT.md): a header line, then one line per record in the shape a Lambda "
        "function receives, with its shard.\n\n"
        "With --endpoint URL the DynamoDB and Streams calls go to URL (esser-local or another "
        "emulator), signed with SigV4 using AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / "
        "AWS_SESSION_TOKEN, or dummy credentials when they are not set. Without --endpoint "
        "they go to AWS, configured from the environment as the AWS SDKs are: real "
        "credentials and a region are required, and Streams calls go to the regional Streams "
        "endpoint.\n\n"
        "Shard lineage is followed as a consumer must: a child shard is read only after its "
        "parent was read to its end (rotations and splits during the recording are fine).\n\n"
        "Without --duration or --count it records what the stream holds now and stops once "
        "every shard is caught up. With --duration it keeps polling until the time is up; with "
        "--count it stops after N records (bounded by --duration when both are given). Ctrl-C "
        "stops it cleanly. FILE is written as FILE.partial and renamed when the recording "
        "ends, so a FILE is always complete.\n\n"
        "--redact replaces the value at a JSON Pointer inside each record by a stable "
        "placeholder before it reaches the file (repeat it for several places).";
    s.options = {
        {"endpoint",
         "URL",
         "",
         "The DynamoDB (and Streams) endpoint, e.g. http://127.0.0.1:8000. Without it: AWS, "
         "found as the SDKs find it (AWS_REGION or --region, credentials from "
         "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_ENDPOINT_URL, "
         "AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_DYNAMODB_STREAMS; Streams calls go to "
         "streams.dynamodb.<region>.amazonaws.com).",
         {}},
        {"table", "T", "", "The table whose stream is recorded.", {}},
        {"out", "FILE", "", "The fixture file to write.", {}},
        {"from",
         "POS",
         "trim-horizon",
         "Where to start in the shards that exist when recording starts; shards created later "
         "are read from their start.",
         {"trim-horizon", "latest"}},
        {"duration", "D", "", "Keep recording this long (250ms, 30s, 5m).", {}},
        {"count", "N", "", "Stop after N records.", {}},
        {"redact", "POINTER", "", "A JSON Pointer into each record to redact (repeatable).", {}},
        {"region", "R", "AWS_REGION or us-east-1", "The signing region.", {}},
        {"poll-interval", "D", "200ms", "How long to wait between polls of the stream.", {}},
    };
    s.repeatable = {"redact"};
    s.examples = {
        {"Record everything an esser-local's events table has produced",
         "esser-local record --endpoint http://127.0.0.1:8000 --table events --out shop.jsonl"},
        {"Record the next 100 changes, without e-mail addresses",
         "esser-local record --endpoint http://127.0.0.1:8000 --table events --out f.jsonl "
         "--from latest --count 100 --duration 5m --redact /dynamodb/NewImage/data/M/email"},
        {"Record a minute of a production table's stream from AWS (credentials from the "
         "environment)",
         "AWS_REGION=eu-west-1 esser-local record --table orders --out orders.jsonl --from latest "
         "--duration 1m"}};
    s.exit_status =
        "0  the recording ended normally\n"
        "1  the endpoint failed (no such table, no stream, unreachable) or FILE cannot be written\n"
        "2  a usage error (missing or bad option, malformed redaction pointer, no --endpoint "
        "and no AWS credentials or region)";
    s.see_also = "esser-local replay --help; fixtures/FORMAT.md";
    return s;
}

std::string env_or(const char* name, std::string fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::string(v) : std::move(fallback);
}

int run_record(const cli::parsed_args& a, command_io io) {
    for (const char* required : {"table", "out"}) {
        if (!a.has(required)) {
            io.err << "esser-local record: --" << required << " is required (see --help)\n";
            return exit_usage;
        }
    }
    // With --endpoint: DynamoDB and Streams there (esser-local serves both on one port).
    std::optional<adapters::url> endpoint;
    if (auto e = a.get("endpoint")) {
        auto parsed = adapters::url::parse(*e);
        if (!parsed) {
            io.err << "esser-local record: --endpoint: " << parsed.error().message << "\n";
            return exit_usage;
        }
        endpoint = *parsed;
    }
    std::optional<std::size_t> count;
    if (auto c = a.get("count")) {
        char* end = nullptr;
        const unsigned long long n = std::strtoull(c->c_str(), &end, 10);
        if (c->empty() || *end != '\0' || n == 0 || (*c)[0] == '-') {
            io.err << "esser-local record: --count must be a whole number >= 1 (got '" << *c
                   << "')\n";
            return exit_usage;
        }
        count = static_cast<std::size_t>(n);
    }
    auto positive_duration = [&](const char* name,
                                 core::duration fallback) -> std::optional<core::duration> {
        auto v = a.get(name);
        if (!v)
            return fallback;
        auto d = core::parse_duration(*v);
        if (!d || d->count() <= 0) {
            io.err << "esser-local record: --" << name
                   << " must be a positive duration such as 250ms, 30s, 5m (got '" << *v << "')\n";
            return std::nullopt;
        }
        return *d;
    };
    auto duration = positive_duration("duration", core::duration::zero());
    auto poll = positive_duration("poll-interval", std::chrono::milliseconds(200));
    if (!duration || !poll)
        return exit_usage;

    adapters::http_transport_options t;
    std::string source_name;
    if (endpoint) {
        t.region =
            a.value_or("region", env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1")));
        t.dynamodb_endpoint = *endpoint;
        t.creds.access_key_id = env_or("AWS_ACCESS_KEY_ID", "esser");
        t.creds.secret_access_key = env_or("AWS_SECRET_ACCESS_KEY", "esser");
        t.creds.session_token = env_or("AWS_SESSION_TOKEN", "");
        source_name = endpoint->to_string();
    } else {
        // AWS, configured as the SDKs configure it; --region stands for AWS_REGION.
        const auto region = a.get("region");
        auto env = [&region](std::string_view name) -> std::optional<std::string> {
            if (region && name == "AWS_REGION")
                return *region;
            return adapters::process_environment(name);
        };
        auto o = adapters::http_transport_options::from_environment(env);
        if (!o) {
            io.err << "esser-local record: " << o.error().describe()
                   << " (give --endpoint URL to record from an emulator)\n";
            return exit_usage;
        }
        t = std::move(*o);
        source_name = t.streams_endpoint.to_string();
    }
    auto transport = adapters::http_transport::create(std::move(t));
    if (!transport) {
        io.err << "esser-local record: " << transport.error().describe() << "\n";
        return exit_usage;
    }
    endpoint_record_source source(
        std::shared_ptr<adapters::dynamodb_transport>(std::move(*transport)), *a.get("table"));

    const std::string out_path = *a.get("out");
    const std::string partial = out_path + ".partial";
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) {
        io.err << "esser-local record: cannot write " << partial << "\n";
        return exit_failure;
    }
    recording_options o;
    o.from = a.value_or("from", "trim-horizon") == "latest" ? source_start::latest
                                                            : source_start::trim_horizon;
    o.redactions = a.get_all("redact");
    o.clock_origin = core::format_rfc3339_ms(std::chrono::system_clock::now());
    o.source = source_name;
    if (count)
        o.max_records = *count;
    auto recorder = stream_recorder::start(source, out, std::move(o));
    if (!recorder) {
        out.close();
        std::remove(partial.c_str());
        io.err << "esser-local record: " << recorder.error().describe() << "\n";
        return recorder.error().code == core::errc::invalid_argument ? exit_usage : exit_failure;
    }

    stop_requested = 0;
    auto previous_int = std::signal(SIGINT, on_signal);
    auto previous_term = std::signal(SIGTERM, on_signal);
    const auto deadline = std::chrono::steady_clock::now() + *duration;
    int status = exit_ok;
    for (;;) {
        auto n = (*recorder)->poll();
        if (!n) {
            io.err << "esser-local record: " << n.error().describe() << "\n";
            status = exit_failure;
            break;
        }
        if ((*recorder)->full() || stop_requested)
            break;
        const auto now = std::chrono::steady_clock::now();
        if (duration->count() == 0) {
            if (!count)
                break;  // snapshot: caught up
        } else if (now >= deadline) {
            break;
        }
        std::this_thread::sleep_for(
            duration->count() == 0 ? *poll : std::min<core::duration>(*poll, deadline - now));
    }
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    out.close();
    if (!out) {
        io.err << "esser-local record: writing " << partial << " failed\n";
        return exit_failure;
    }
    if (std::rename(partial.c_str(), out_path.c_str()) != 0) {
        io.err << "esser-local record: cannot rename " << partial << " to " << out_path << "\n";
        return exit_failure;
    }
    io.out << fmt::format("recorded {} records of {} into {}\n", (*recorder)->records(),
                          (*recorder)->header().stream_arn, out_path);
    return status;
}

}  // namespace

subcommand record_command() {
    return {record_spec(), run_record};
}

}  // namespace esser::emulator

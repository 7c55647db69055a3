// Issue 8: record and replay speed targets.
//
//  1. Replay: 1,000,000 recorded records (events-table items, NEW_IMAGE, ~940-byte lines, over
//     4 shards with lineage) replayed from a fixture in memory through replay_fixture -- strict
//     reading, import into the stream registry, the event source mapping (BatchSize 100, drain
//     mode) -- into an in-process function that counts records and takes its batches as typed
//     stream records. Target >= 200,000 records/s end to end (CPU time of the replaying thread;
//     wall clock reported beside). The phases are reported too (reading + import, the
//     mapping's delivery), the peak RSS the replay adds, and the same replay into a function
//     with a JSON handler (every batch rendered as its Lambda event document).
//  2. Recording overhead on stream throughput: PutItem throughput (dynamo_engine::dispatch,
//     requests built beforehand) of a table with a NEW_IMAGE stream, alone and with an
//     esser-local recording of that stream running (a recorder thread polling every 10 ms,
//     writing the fixture to memory). Target: with the recording at least 90% of the
//     throughput without (overhead <= 10%). Runs alternate so machine load hits both.
//     Also reported: the same-thread cost of recording every record (puts then poll in one
//     thread), an upper bound.
// Medians of several runs, records (or puts) per second of wall-clock time.
//
//   build/rel/bench/bench-fixture [records] [puts-per-run]
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench_util.hpp"

#include "esser/adapters/dynamodb/dynamodb_event_store.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/fixture/fixture_reader.hpp"
#include "esser/emulator/fixture/fixture_replay.hpp"
#include "esser/emulator/fixture/fixture_writer.hpp"
#include "esser/emulator/fixture/registry_record_source.hpp"
#include "esser/emulator/fixture/stream_recorder.hpp"
#include "esser/emulator/lambda/in_process_function.hpp"
#include "esser/emulator/streams/stream_lambda_event.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

using namespace esser;
using namespace esser::emulator;
using namespace esser::bench;
using nlohmann::json;

namespace {

const std::string arn =
    "arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/2024-01-01T00:00:00.000";

json event_image(std::size_t i, std::size_t v) {
    const std::string id = fmt::format("{:08x}-6823-5e09-90ec-774ca10d0daa", i);
    return json{{"pk", {{"S", "Item#" + id}}},
                {"v", {{"N", std::to_string(v)}}},
                {"entity", {{"S", "Item"}}},
                {"id", {{"S", id}}},
                {"type", {{"S", "PriceUpdated"}}},
                {"at", {{"S", "2024-01-01T00:00:00.000Z"}}},
                {"data", {{"M", {{"price", {{"N", std::to_string(i % 1000)}}}}}}},
                {"meta",
                 {{"M",
                   {{"event_id", {{"S", "82d3d2c9-a9fd-4301-b03c-5bd05feaafda"}}},
                    {"command_id", {{"S", "d727bc8c-c008-4439-a2c2-d466d0e1613b"}}}}}}}};
}

// A fixture of `n` records over 4 shards: two lineages of two generations (a parent, then its
// child), records spread evenly, the parents' half first.
std::string make_fixture(std::size_t n) {
    fixture_header h;
    h.table = "events";
    h.stream_arn = arn;
    h.keys.hash = key_attribute{"pk", value_type::S};
    h.keys.range = key_attribute{"v", value_type::N};
    h.view_type = stream_view_type::NEW_IMAGE;
    h.clock_origin = "2024-01-01T00:00:00.000Z";
    h.seed = 1;
    std::ostringstream out;
    auto w = fixture_writer::open(out, h);
    const char* shards[4] = {
        "shardId-00000001704067200000-aaaaaaaa", "shardId-00000001704067200000-bbbbbbbb",
        "shardId-00000001704067200001-cccccccc", "shardId-00000001704067200001-dddddddd"};
    const char* parents[4] = {"", "", shards[0], shards[1]};
    for (std::size_t i = 0; i < n; ++i) {
        // First half in the parents, second half in the children: parents before children.
        const std::size_t s = (i < n / 2 ? 0 : 2) + (i % 2);
        const std::size_t v = 1 + i / 1000;
        json image = event_image(i % 1000, v);
        json keys{{"pk", image["pk"]}, {"v", image["v"]}};
        json rec{{"eventID", fmt::format("{:032x}", i + 1)},
                 {"eventName", "INSERT"},
                 {"eventVersion", "1.1"},
                 {"eventSource", "aws:dynamodb"},
                 {"awsRegion", "us-east-1"},
                 {"eventSourceARN", arn},
                 {"dynamodb",
                  {{"ApproximateCreationDateTime", 1704067200 + i / 10000},
                   {"Keys", keys},
                   {"NewImage", image},
                   {"SizeBytes", 300},
                   {"StreamViewType", "NEW_IMAGE"}}}};
        // Sequence numbers: parents 21 digits, children 22 (one digit per generation).
        rec["dynamodb"]["SequenceNumber"] = (s < 2 ? "4" : "40") + fmt::format("{:020d}", i + 1);
        auto ok = w->write(fixture_record{shards[s], parents[s], std::move(rec), 0});
        if (!ok) {
            fmt::print(stderr, "fixture: {}\n", ok.error().describe());
            std::exit(1);
        }
    }
    return out.str();
}

// The fixture text as a stream without copying it (a million records are ~940 MB).
class text_buffer : public std::streambuf {
public:
    explicit text_buffer(const std::string& text) {
        char* p = const_cast<char*>(text.data());
        setg(p, p, p + text.size());
    }
};

// A memory figure of this process in MB, from /proc/self/status: "VmRSS:" (resident now) or
// "VmHWM:" (peak since the last reset_peak_rss(), Linux >= 4.0). 0 when unavailable.
double status_mb(std::string_view key) {
    std::ifstream status("/proc/self/status");
    for (std::string l; std::getline(status, l);) {
        if (l.rfind(key, 0) == 0)
            return std::strtod(l.c_str() + key.size(), nullptr) / 1024.0;
    }
    return 0;
}

void reset_peak_rss() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

struct replay_rates {
    double total = 0, import = 0, deliver = 0, wall = 0;
    double rss_growth_mb = 0;  // peak RSS during the replay minus RSS before it
};

// One replay of the fixture into an in-process function that counts records: typed (the
// function takes stream batches as typed records) or a JSON handler (each batch rendered as the
// Lambda event document). Rates are the thread's CPU time (bench_util.hpp: per core; the whole
// replay runs on this thread in drain mode), wall time beside.
replay_rates replay_once(const std::string& text, std::size_t n, bool typed) {
    text_buffer buffer(text);
    std::istream in(&buffer);
    auto reader = fixture_reader::open(in);
    std::atomic<std::size_t> seen{0};
    replay_target t;
    t.config.name = "counter";
    t.config.kind = function_kind::in_process;
    t.config.timeout = std::chrono::seconds(60);
    if (typed) {
        t.records = [&seen](const stream_lambda_event& event,
                            in_process_context&) -> core::result<json> {
            seen += event.size();
            return json::object();
        };
    } else {
        t.handler = [&seen](const json& event, in_process_context&) -> core::result<json> {
            seen += event["Records"].size();
            return json::object();
        };
    }
    replay_options o;
    o.mapping.batch_size = 100;
    o.keep_invocations = false;
    double first_invoke = 0;
    o.progress = [&first_invoke](std::size_t, std::size_t) {
        if (first_invoke == 0)
            first_invoke = thread_cpu_seconds();
    };
    const double rss_before = status_mb("VmRSS:");
    reset_peak_rss();
    const auto w0 = steady::now();
    const double t0 = thread_cpu_seconds();
    auto out = replay_fixture(*reader, t, o);
    const double total = thread_cpu_seconds() - t0;
    const double wall = seconds_since(w0);
    if (!out || seen != n) {
        fmt::print(stderr, "replay failed: {} (seen {})\n",
                   out ? "wrong count" : out.error().describe(), seen.load());
        std::exit(1);
    }
    const double import = first_invoke - t0;
    return {n / total, n / import, n / (total - import), n / wall,
            status_mb("VmHWM:") - rss_before};
}

// --- Recording overhead -------------------------------------------------------------------

struct stream_table {
    std::shared_ptr<core::manual_clock> clock = std::make_shared<core::manual_clock>();
    std::shared_ptr<core::seeded_id_source> ids = std::make_shared<core::seeded_id_source>(3);
    stream_registry registry{*clock, *ids, stream_options{}};
    std::unique_ptr<dynamo_engine> engine;

    stream_table() {
        dynamo_engine::options o;
        o.clock = clock;
        o.ids = ids;
        engine = std::make_unique<dynamo_engine>(o);
        engine->set_observer(&registry);
        (void)engine->dispatch("CreateTable",
                               adapters::dynamodb_event_store::events_table_definition("events"));
    }

    ~stream_table() { engine->set_observer(nullptr); }
};

enum class recording_mode { none, concurrent, same_thread };

double put_rate(const std::vector<json>& requests, recording_mode mode) {
    stream_table t;
    auto src = registry_record_source::for_table(t.registry, "events");
    std::ostringstream sink;
    recording_options ro;
    ro.clock_origin = "2024-01-01T00:00:00.000Z";
    auto rec = stream_recorder::start(*src, sink, ro);
    std::atomic<bool> done{false};
    std::thread poller;
    if (mode == recording_mode::concurrent) {
        poller = std::thread([&] {
            while (!done.load()) {
                (void)(*rec)->poll();
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
    }
    const auto t0 = steady::now();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        (void)t.engine->dispatch("PutItem", requests[i]);
        if (mode == recording_mode::same_thread && i % 1000 == 999)
            (void)(*rec)->poll();
    }
    const double rate = requests.size() / seconds_since(t0);
    done = true;
    if (poller.joinable())
        poller.join();
    return rate;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const std::size_t puts = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
    report r("fixture");

    const std::string text = make_fixture(n);
    fmt::print("fixture: {} records, {:.1f} MB\n", n, text.size() / 1e6);
    std::vector<double> total, import, deliver, wall, rss, json_total;
    for (int i = 0; i < 5; ++i) {
        auto rr = replay_once(text, n, true);
        total.push_back(rr.total);
        import.push_back(rr.import);
        deliver.push_back(rr.deliver);
        wall.push_back(rr.wall);
        rss.push_back(rr.rss_growth_mb);
    }
    for (int i = 0; i < 3; ++i) json_total.push_back(replay_once(text, n, false).total);
    r.add(fmt::format("replay {} records end to end (typed function)", n), "records/s", 200000,
          total);
    r.add("  phase: read + import into the stream", "records/s", 0, import);
    r.add("  phase: mapping delivery (BatchSize 100)", "records/s", 0, deliver);
    r.add("  end to end, wall clock", "records/s", 0, wall);
    r.add("  peak RSS growth during the replay", "MB", 0, rss);
    r.add("replay end to end, JSON-handler function", "records/s", 0, json_total);

    std::vector<json> requests;
    requests.reserve(puts);
    for (std::size_t i = 0; i < puts; ++i)
        requests.push_back(json{{"TableName", "events"}, {"Item", event_image(i, 1)}});
    std::vector<double> plain, concurrent, same, ratio, same_ratio;
    for (int i = 0; i < 5; ++i) {
        const double a = put_rate(requests, recording_mode::none);
        const double b = put_rate(requests, recording_mode::concurrent);
        const double c = put_rate(requests, recording_mode::same_thread);
        plain.push_back(a);
        concurrent.push_back(b);
        same.push_back(c);
        ratio.push_back(100.0 * b / a);
        same_ratio.push_back(100.0 * c / a);
    }
    r.add("PutItem with a stream, no recording", "puts/s", 0, plain);
    r.add("PutItem with a recording polling every 10 ms", "puts/s", 0, concurrent);
    r.add("  throughput kept while recording", "% of none", 90, ratio);
    r.add("PutItem + recording in the same thread", "puts/s", 0, same);
    r.add("  same-thread throughput kept (upper bound of cost)", "% of none", 0, same_ratio);
    r.print();
    return 0;
}

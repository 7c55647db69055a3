// `esser-local replay`: a stream fixture through the real event source mapping machinery into a
// function, with a golden-file comparison for CI (issue 8 "Replaying"; fixtures/FORMAT.md).
#include <charconv>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <unistd.h>

#include "esser/adapters/read_store/open_read_store.hpp"
#include "esser/core/aggregate_state_projection.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/stream_handler.hpp"
#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/app/local_environment.hpp"
#include "esser/emulator/esm/esm_request.hpp"
#include "esser/emulator/fixture/fixture_replay.hpp"
#include "esser/emulator/lambda/stream_handler_function.hpp"
#include "esser/emulator/testing/json_diff.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

// Exit codes of `replay` (documented in its --help).
constexpr int exit_mismatch = 1;
constexpr int exit_bad_input = 2;

cli::command_spec replay_spec() {
    cli::command_spec s;
    s.name = "replay";
    s.summary = "replay a stream fixture into a function and compare with a golden file";
    s.synopsis = {
        "replay FILE --function NAME [--exec COMMAND | --url URL] [--domain FILE]",
        "       [--read-store URL] [--batch-size N] [--max-retry-attempts N]",
        "       [--max-record-age S] [--bisect] [--report-batch-item-failures]",
        "       [--parallelization-factor N] [--tumbling-window S] [--filter PATTERN]...",
        "       [--timeout S] [--into-table] [--expect GOLDEN [--update]] [--full-events]"};
    s.description =
        "Feeds the records of FILE (a fixture written by `esser-local record` or the esser "
        "API's recordings; fixtures/FORMAT.md) through esser-local's event source mapping "
        "machinery into a function: batching, retries, bisection, partial batch responses, "
        "filters, parallelization and the on-failure destination behave exactly as on "
        "esser-local with the same mapping settings. The stream is rebuilt as recorded (same "
        "shards, lineage, sequence numbers and event ids), on a manual clock starting at the "
        "fixture's clockOrigin, with ids seeded by its seed: a replay gives the same outcome "
        "every time.\n\n"
        "The function is, by default, the domain's projections in process (core's stream "
        "handler with the aggregate-state projection into --read-store; the domain is --domain "
        "or the bundled shop); --exec runs an executable as a custom runtime (Lambda Runtime "
        "API); --url posts each event to an HTTP endpoint. NAME is the function's name.\n\n"
        "--into-table re-applies the changes to a fresh table of the fixture's name and key "
        "schema instead (PutItem of NewImage, DeleteItem of Keys) and replays that table's "
        "new stream: state and projections rebuilt from a capture.\n\n"
        "--expect compares the outcome with GOLDEN: every invocation's input (each record's "
        "eventName, SequenceNumber and Keys; the whole event with --full-events) and output, "
        "the on-failure queue's messages, the shards left blocked, the read model's rows (in "
        "process) and the table's items (--into-table). Differences are printed as JSON "
        "Pointers with expected and actual values. --update writes GOLDEN from this run "
        "instead.\n\n"
        "The fixture is read strictly before anything is invoked: a truncated or corrupted "
        "line, a wrong header, records out of order or another key schema stop the replay "
        "with the line number, and nothing is delivered. A progress bar is drawn on a "
        "terminal; otherwise progress is printed as plain lines.";
    s.options = {
        {"function", "NAME", "", "Name of the function records are delivered to.", {}},
        {"exec",
         "COMMAND",
         "",
         "Run this executable (and its space-separated arguments) as a custom runtime.",
         {}},
        {"url", "URL", "", "Deliver each event as a POST to this URL.", {}},
        {"domain",
         "FILE",
         "the bundled shop domain",
         "The domain whose projections run in process.",
         {}},
        {"read-store",
         "URL",
         "memory:",
         "Where the in-process projections write (memory:, sqlite:PATH, postgres://...).",
         {}},
        {"batch-size", "N", "100", "BatchSize of the mapping (1..10000).", {}},
        {"max-retry-attempts",
         "N",
         "-1",
         "MaximumRetryAttempts (-1 = until the record expires, 0..10000).",
         {}},
        {"max-record-age", "S", "-1", "MaximumRecordAgeInSeconds (-1, 60..604800).", {}},
        {"bisect", "", "", "BisectBatchOnFunctionError.", {}},
        {"report-batch-item-failures",
         "",
         "",
         "FunctionResponseTypes [ReportBatchItemFailures].",
         {}},
        {"parallelization-factor", "N", "1", "ParallelizationFactor (1..10).", {}},
        {"tumbling-window", "S", "0", "TumblingWindowInSeconds (0..900).", {}},
        {"filter", "PATTERN", "", "A FilterCriteria pattern (JSON); repeatable.", {}},
        {"timeout", "S", "3", "The function's timeout in seconds.", {}},
        {"into-table", "", "", "Re-apply the changes to a fresh table and replay its stream.", {}},
        {"expect", "GOLDEN", "", "Compare the outcome with this golden file.", {}},
        {"update", "", "", "With --expect: write the golden file from this run.", {}},
        {"full-events", "", "", "Keep each invocation's whole event in the outcome.", {}},
    };
    s.repeatable = {"filter"};
    s.examples = {{"Replay the shop fixture into the shop's projections and check the golden",
                   "esser-local replay fixtures/shop.jsonl --function projections "
                   "--report-batch-item-failures "
                   "--expect fixtures/shop.golden.json"},
                  {"Rewrite the golden after an intended change",
                   "esser-local replay fixtures/shop.jsonl --function projections "
                   "--report-batch-item-failures "
                   "--expect fixtures/shop.golden.json --update"},
                  {"Replay into an external function with small batches and bisection",
                   "esser-local replay capture.jsonl --function f --exec ./bootstrap --batch-size "
                   "10 --bisect"}};
    s.exit_status =
        "0  replayed; with --expect the outcome matches GOLDEN (or --update wrote it)\n"
        "1  the outcome differs from GOLDEN (the differences are printed)\n"
        "2  bad input: a usage error, an unreadable or malformed fixture (with its line), an "
        "unreadable golden, a function or read store that cannot be set up";
    s.see_also = "esser-local record --help; fixtures/FORMAT.md";
    return s;
}

// The mapping's parameters, checked as CreateEventSourceMapping checks them.
core::result<esm_config> mapping_from_args(const cli::parsed_args& a) {
    json body{{"EventSourceArn",
               "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000"},
              {"FunctionName", "f"},
              {"StartingPosition", "TRIM_HORIZON"}};
    auto integer = [&](const char* flag, const char* member) -> core::result<void> {
        auto v = a.get(flag);
        if (!v)
            return {};
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || p != v->data() + v->size())
            return core::fail(core::error::invalid_argument(
                fmt::format("--{} must be a whole number (got '{}')", flag, *v)));
        body[member] = n;
        return {};
    };
    for (auto [flag, member] : {std::pair{"batch-size", "BatchSize"},
                                std::pair{"max-retry-attempts", "MaximumRetryAttempts"},
                                std::pair{"max-record-age", "MaximumRecordAgeInSeconds"},
                                std::pair{"parallelization-factor", "ParallelizationFactor"},
                                std::pair{"tumbling-window", "TumblingWindowInSeconds"}}) {
        if (auto ok = integer(flag, member); !ok)
            return core::fail(ok.error());
    }
    if (a.has("bisect"))
        body["BisectBatchOnFunctionError"] = true;
    if (a.has("report-batch-item-failures"))
        body["FunctionResponseTypes"] = json::array({"ReportBatchItemFailures"});
    const auto filters = a.get_all("filter");
    if (!filters.empty()) {
        json list = json::array();
        for (const auto& f : filters) list.push_back(json{{"Pattern", f}});
        body["FilterCriteria"] = json{{"Filters", list}};
    }
    return parse_create_request(body);
}

// Every document of every collection, by collection then id.
core::result<json> read_model_json(core::read_store& store) {
    auto names = store.collections();
    if (!names)
        return core::fail(names.error());
    json out = json::object();
    for (const auto& name : *names) {
        json rows = json::array();
        core::list_query q;
        q.limit = core::list_query::max_limit;
        for (;;) {
            auto page = store.list(name, q);
            if (!page)
                return core::fail(page.error());
            for (const auto& d : page->items)
                rows.push_back(json{{"id", d.id}, {"version", d.version}, {"body", d.body}});
            if (page->next.empty())
                break;
            q.after = page->next;
        }
        out[name] = std::move(rows);
    }
    return out;
}

// Progress on stderr: a bar redrawn in place on a terminal, a line per tenth otherwise.
class progress_reporter {
public:
    explicit progress_reporter(std::ostream& err) : err_(err), tty_(isatty(STDERR_FILENO) == 1) {}

    void update(std::size_t delivered, std::size_t total) {
        if (total == 0)
            return;
        const std::size_t shown = std::min(delivered, total);
        const std::size_t tenth = shown * 10 / total;
        if (tty_) {
            // Redrawn when the percentage moves and at the end, not on every invocation: a
            // million records in batches of 100 cost about a hundred writes, not ten thousand.
            const std::size_t width = 30, filled = shown * width / total;
            const std::size_t percent = shown * 100 / total;
            if (drawn_ && ((shown == last_ && delivered != total) ||
                           (percent == last_percent_ && shown != total)))
                return;
            last_percent_ = percent;
            err_ << fmt::format("\r  [{}{}] {:3}%  {}/{} records", std::string(filled, '#'),
                                std::string(width - filled, ' '), shown * 100 / total, shown, total)
                 << std::flush;
            drawn_ = true;
        } else if (tenth > last_tenth_) {
            err_ << fmt::format("replay: {}/{} records delivered ({}%)\n", shown, total,
                                tenth * 10);
            last_tenth_ = tenth;
        }
        last_ = shown;
    }

    // While the fixture is read (before any invocation): a count on a terminal, nothing
    // otherwise (plain output stays one line per tenth delivered).
    void reading(std::size_t records) {
        if (!tty_)
            return;
        err_ << fmt::format("\r  reading the fixture: {} records", records) << std::flush;
        drawn_ = true;
    }

    void finish() {
        if (drawn_)
            err_ << "\n";
    }

private:
    std::ostream& err_;
    bool tty_;
    bool drawn_ = false;
    std::size_t last_ = 0;
    std::size_t last_percent_ = 0;
    std::size_t last_tenth_ = 0;
};

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

int run_replay(const cli::parsed_args& a, command_io io) {
    auto usage = [&](const std::string& message) {
        io.err << "esser-local replay: " << message << "\n";
        return exit_bad_input;
    };
    if (a.positionals.size() != 1)
        return usage("give exactly one fixture FILE (see --help)");
    if (!a.has("function"))
        return usage("--function NAME is required");
    if (a.has("exec") && a.has("url"))
        return usage("--exec and --url exclude each other");
    if (a.has("update") && !a.has("expect"))
        return usage("--update needs --expect GOLDEN");
    auto mapping = mapping_from_args(a);
    if (!mapping)
        return usage(mapping.error().message);

    replay_target target;
    target.config.name = *a.get("function");
    if (auto t = a.get("timeout")) {
        int seconds = 0;
        auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), seconds);
        if (ec != std::errc() || p != t->data() + t->size() || seconds < 1 || seconds > 900)
            return usage("--timeout must be whole seconds from 1 to 900 (got '" + *t + "')");
        target.config.timeout = std::chrono::seconds(seconds);
    }
    std::unique_ptr<core::read_store> store;
    std::shared_ptr<core::stream_handler> handler;
    if (a.has("exec")) {
        target.config.kind = function_kind::executable;
        target.config.command = split_words(*a.get("exec"));
        if (target.config.command.empty())
            return usage("--exec needs a command");
    } else if (a.has("url")) {
        target.config.kind = function_kind::url;
        target.config.url = *a.get("url");
    } else {
        auto d = a.has("domain")
                     ? core::load_domain_file(*a.get("domain"))
                     : core::load_domain_text(bundled_shop_domain(), {}, "the bundled shop domain");
        if (!d)
            return usage(d.error().describe());
        auto opened = adapters::open_read_store(a.value_or("read-store", "memory:"));
        if (!opened)
            return usage("--read-store: " + opened.error().describe());
        store = std::move(*opened);
        auto projection = std::make_shared<core::aggregate_state_projection>(*d, *store);
        handler = std::make_shared<core::stream_handler>(
            *d, std::vector<std::shared_ptr<core::projection>>{projection});
        target.config.kind = function_kind::in_process;
        target.handler = stream_handler_lambda(handler, mapping->report_batch_item_failures);
    }

    // A golden that cannot be read is bad input, found before the replay runs.
    std::optional<json> golden;
    if (a.has("expect") && !a.has("update")) {
        std::ifstream in(*a.get("expect"), std::ios::binary);
        if (!in)
            return usage("cannot read the golden file " + *a.get("expect") +
                         " (write it with --update)");
        std::stringstream text;
        text << in.rdbuf();
        json g = json::parse(text.str(), nullptr, false);
        if (g.is_discarded() || !g.is_object())
            return usage("the golden file " + *a.get("expect") + " is not a JSON object");
        golden = std::move(g);
    }

    const std::string path = a.positionals[0];
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return usage("cannot open " + path);
    auto reader = fixture_reader::open(in);
    if (!reader)
        return usage(path + ": " + reader.error().describe());

    replay_options options;
    options.mapping = *mapping;
    options.into_table = a.has("into-table");
    options.full_events = a.has("full-events");
    progress_reporter progress(io.err);
    options.progress = [&progress](std::size_t done, std::size_t total) {
        progress.update(done, total);
    };
    options.reading = [&progress](std::size_t records) { progress.reading(records); };
    auto outcome = replay_fixture(*reader, target, options);
    progress.finish();
    if (!outcome) {
        const bool in_file = outcome.error().fixture.has_value();
        return usage((in_file ? path + ": " : std::string()) + outcome.error().describe());
    }
    json read_model = nullptr;
    if (store) {
        auto rm = read_model_json(*store);
        if (!rm)
            return usage("reading the read model: " + rm.error().describe());
        read_model = std::move(*rm);
    }
    const json actual = golden_json(*outcome, read_model);
    io.out << fmt::format(
        "replayed {} records: {} invocations, {} records delivered, {} function errors, {} "
        "batches to the on-failure queue{}\n",
        outcome->records, outcome->invokes, outcome->records_delivered, outcome->function_errors,
        outcome->batches_discarded,
        outcome->blocked_shards.empty()
            ? std::string()
            : fmt::format(", {} shards blocked", outcome->blocked_shards.size()));

    if (a.has("update")) {
        const std::string golden_path = *a.get("expect");
        std::ofstream out(golden_path, std::ios::binary | std::ios::trunc);
        out << actual.dump(2) << "\n";
        if (!out)
            return usage("cannot write " + golden_path);
        io.out << "wrote " << golden_path << "\n";
        return exit_ok;
    }
    if (golden) {
        auto diffs = json_diff(*golden, actual, diff_mode::exact);
        if (!diffs.empty()) {
            io.out << fmt::format("MISMATCH: {} difference{} from {}:\n", diffs.size(),
                                  diffs.size() == 1 ? "" : "s", *a.get("expect"))
                   << format_differences(diffs)
                   << "(run with --update to accept this outcome as the new golden)\n";
            return exit_mismatch;
        }
        io.out << "matches " << *a.get("expect") << "\n";
    }
    return exit_ok;
}

}  // namespace

subcommand replay_command() {
    return {replay_spec(), run_replay};
}

}  // namespace esser::emulator

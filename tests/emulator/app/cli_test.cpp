// Issue 6: the esser-local CLI: flag parsing, messages, help text and exit codes.
#include "esser/emulator/app/cli.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/app/cli_runner.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/app/commands.hpp"

using namespace esser::emulator;

namespace {

cli::command_spec spec() {
    cli::command_spec s;
    s.name = "demo";
    s.summary = "a demo";
    s.synopsis = {"demo [--port N] [--clock MODE] [--verbose]"};
    s.options = {{"port", "N", "8000", "Port.", {}},
                 {"clock", "MODE", "real", "Clock.", {"real", "manual"}},
                 {"verbose", "", "", "Talk more.", {}}};
    s.examples = {{"Run it", "esser-local demo --port 1"}};
    s.exit_status = "0  ok";
    return s;
}

cli::parsed_args ok(std::vector<std::string> args) {
    auto r = cli::parse(spec(), args);
    REQUIRE(r.has_value());
    return *r;
}

std::string fails(std::vector<std::string> args) {
    auto r = cli::parse(spec(), args);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

esser::test::cli_result run(std::vector<std::string> args) {
    return esser::test::run_cli(std::move(args));
}

}  // namespace

TEST_CASE("cli parses values, flags, positionals and help", "[emulator][app][cli]") {
    auto a = ok({"--port", "9", "--clock=manual", "--verbose", "pos", "--", "--port"});
    CHECK(a.get("port") == "9");
    CHECK(a.get("clock") == "manual");
    CHECK(a.has("verbose"));
    CHECK(a.positionals == std::vector<std::string>{"pos", "--port"});
    CHECK_FALSE(a.help);
    CHECK(ok({"-h"}).help);
    CHECK(ok({"--port", "1", "--help"}).help);
    CHECK(ok({}).value_or("port", "8000") == "8000");
}

TEST_CASE("cli explains every bad flag in one line", "[emulator][app][cli]") {
    CHECK(fails({"--prot", "1"}) == "unknown option --prot (did you mean --port?)");
    CHECK(fails({"--zzzzzz"}) == "unknown option --zzzzzz");
    CHECK(fails({"--port"}) == "--port needs a value (N)");
    CHECK(fails({"--clock", "fake"}) == "--clock must be one of: real, manual (got 'fake')");
    CHECK(fails({"--port", "1", "--port", "2"}) == "--port is given twice");
    CHECK(fails({"--verbose=yes"}) == "--verbose takes no value");
    CHECK(fails({"-p"}) == "unknown option -p (options are spelled --name; see --help)");
}

TEST_CASE("cli help is a man page with options, defaults, choices, examples and exit status",
          "[emulator][app][cli]") {
    const std::string h = cli::render_help(spec());
    for (const char* part :
         {"NAME\n    esser-local demo - a demo", "SYNOPSIS\n    esser-local demo [--port N]",
          "--port N\n        Port. Default: 8000.", "One of: real, manual. Default: real.",
          "--verbose\n", "--help\n", "EXAMPLES\n    Run it:\n        esser-local demo --port 1",
          "EXIT STATUS\n    0  ok"}) {
        INFO(part);
        CHECK(h.find(part) != std::string::npos);
    }
}

TEST_CASE("esser-local teaches on every subcommand and exits with documented codes",
          "[emulator][app][cli]") {
    auto none = run({});
    CHECK(none.code == exit_usage);
    CHECK(none.err.find("SYNOPSIS") != std::string::npos);
    auto top = run({"--help"});
    CHECK(top.code == exit_ok);
    CHECK(top.out.find("serve") != std::string::npos);
    for (const auto& c : all_commands()) {
        INFO(c.spec.name);
        auto h = run({c.spec.name, "--help"});
        CHECK(h.code == exit_ok);
        CHECK(h.out.find("SYNOPSIS") != std::string::npos);
        CHECK(h.out.find("EXIT STATUS") != std::string::npos);
        CHECK(run({"help", c.spec.name}).out == h.out);
    }
    CHECK(run({"version"}).out == "esser-local " + std::string(esser_version()) + "\n");
    auto unknown = run({"serf"});
    CHECK(unknown.code == exit_usage);
    CHECK(unknown.err.find("unknown command 'serf'") != std::string::npos);
}

TEST_CASE("esser-local serve refuses bad values before starting anything", "[emulator][app][cli]") {
    struct bad_case {
        std::vector<std::string> args;
        std::string message;
    };

    for (const auto& [args, message] : std::vector<bad_case>{
             {{"serve", "--port", "70000"},
              "--port must be a whole number from 0 to 65535 (got '70000')"},
             {{"serve", "--port", "80a"}, "--port must be a whole number"},
             {{"serve", "--seed", "-1"}, "--seed must be a whole number"},
             {{"serve", "--shards", "0"}, "--shards must be a whole number from 1 to 1000"},
             {{"serve", "--poll-interval", "soon"}, "--poll-interval must be a positive duration"},
             {{"serve", "--empty-pages", "1"},
              "--empty-pages must be a probability from 0 to 0.9, such as 0.25 (got '1')"},
             {{"serve", "--empty-pages", "often"}, "--empty-pages must be a probability"},
             {{"serve", "--max-shard-readers", "-2"},
              "--max-shard-readers must be a whole number from 0 to 1000"},
             {{"serve", "--shutdown-grace", "0"}, "--shutdown-grace must be a positive duration"},
             {{"serve", "--log-level", "loud"}, "--log-level must be one of"},
             {{"serve", "--region", "Mars 1"}, "--region must look like us-east-1"},
             {{"serve", "extra"}, "unexpected argument 'extra'"}}) {
        INFO(message);
        auto r = run(args);
        CHECK(r.code == exit_usage);
        CHECK(r.err.find(message) != std::string::npos);
        CHECK(r.err.find("--help") != std::string::npos);
    }
}

// Issue 7: `esser-local test` runs scenario files with the runner esser-scenarios uses: the
// shop's scenarios pass, a failing or malformed file makes it exit 1 and name the problem,
// --junit writes a report, and --help documents it.
TEST_CASE("esser-local test runs scenario files and reports failures",
          "[emulator][app][cli][test_command]") {
    const std::string shop = std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/item";
    const std::string junit = std::string(ESSER_BINARY_DIR) + "/esser_local_test_junit.xml";
    auto passed = run({"test", shop, "--quiet", "--junit", junit});
    INFO(passed.out << passed.err);
    CHECK(passed.code == 0);
    std::ifstream report(junit);
    std::stringstream xml;
    xml << report.rdbuf();
    CHECK(xml.str().find("<testsuite") != std::string::npos);
    CHECK(xml.str().find("failures=\"0\"") != std::string::npos);

    // A scenario whose expectation is wrong, next to the shop's domain.
    const std::string bad = std::string(ESSER_BINARY_DIR) + "/esser_local_test_bad";
    std::filesystem::create_directories(bad);
    std::filesystem::copy_file(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json",
                               bad + "/domain.json",
                               std::filesystem::copy_options::overwrite_existing);
    {
        std::ofstream f(bad + "/wrong.scenario.json");
        f << R"({"scenario": "a wrong expectation", "aggregate": "Item", "id": "i1",
                 "given_nothing": true,
                 "when": {"command": "CreateItem", "data": {"name": "Cup", "price": 1}},
                 "then": {"events": [{"type": "PriceUpdated"}]}})";
    }
    {
        std::ofstream f(bad + "/broken.scenario.json");
        f << R"({"scenario": "broken", "aggregate": "Nope", "steps": 3})";
    }
    auto failed = run({"test", bad});
    CHECK(failed.code == 1);
    const std::string all = failed.out + failed.err;
    CHECK(all.find("a wrong expectation") != std::string::npos);
    CHECK(all.find("broken.scenario.json") != std::string::npos);

    auto help = run({"test", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("--junit FILE") != std::string::npos);
    CHECK(run({"help"}).out.find("test") != std::string::npos);
}

// Issue 8: options a subcommand declares repeatable (`record --redact A --redact B`) keep every
// value in order; the others are still refused when given twice.
TEST_CASE("cli keeps every value of a repeatable option", "[emulator][app][cli]") {
    cli::command_spec s = spec();
    s.options.push_back({"tag", "T", "", "A tag.", {}});
    s.repeatable = {"tag"};
    std::vector<std::string> args = {"--tag", "a", "--tag=b", "--port", "1", "--tag", "c"};
    auto r = cli::parse(s, args);
    REQUIRE(r);
    CHECK(r->get_all("tag") == std::vector<std::string>{"a", "b", "c"});
    CHECK(r->get("tag") == "c");
    CHECK(r->get_all("clock").empty());
    std::vector<std::string> twice = {"--port", "1", "--port", "2"};
    auto again = cli::parse(s, twice);
    REQUIRE_FALSE(again);
    CHECK(again.error().message == "--port is given twice");
}

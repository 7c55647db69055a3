// `esser-local test`: runs scenario files (emulator/testing, issue 7). The same engine as the
// esser-scenarios binary: run_scenarios_command() does the work; this file only describes the
// subcommand for the CLI toolkit (help, option checks).
#include <string>
#include <vector>

#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/testing/scenario_runner.hpp"

namespace esser::emulator {

subcommand test_command() {
    cli::command_spec s;
    s.name = "test";
    s.summary = "run given-when-then scenario files (*.scenario.json)";
    s.synopsis = {
        "test [FILES|DIRS...] [--filter TEXT] [--junit FILE] [--seed N] [--url URL] [--quiet]"};
    s.description =
        "Runs scenario files: given events or commands, a command, then the expected events, "
        "error or state, on the same command handler and event store the domain runs on in "
        "production (the in-process DynamoDB engine). Folders are searched recursively for "
        "*.scenario.json. The format is documented in scenarios/README.md.\n\n"
        "A malformed file (bad JSON, unknown step, entity or command) is reported with the "
        "JSON Pointer of each problem; the other scenarios still run. Without FILES, runs "
        "./scenarios.\n\n"
        "End-to-end scenarios (\"target\": \"http\") script a running esser-local over HTTP "
        "(send commands, drain, move the clock, rotate shards, read projections and on-failure "
        "queues); they run against --url and are skipped without it.";
    s.options = {
        {"filter", "TEXT", "", "run only scenarios whose name, group or file contains TEXT", {}},
        {"junit", "FILE", "", "also write a JUnit XML report to FILE (for CI test reporters)", {}},
        {"seed", "N", "", "override every scenario's seed (ids and sequence numbers)", {}},
        {"url", "URL", "", "run http scenarios against the esser-local at URL", {}},
        {"quiet", "", "", "print only the failures and the summary", {}},
    };
    s.examples = {
        {"Run the end-to-end scenarios against a server started with --clock manual",
         "esser-local test scenarios/shop/e2e --url http://127.0.0.1:8000"},
        {"Run the shop's scenarios", "esser-local test scenarios/shop"},
        {"Run the price scenarios and write a CI report",
         "esser-local test scenarios --filter price --junit report.xml"},
    };
    s.exit_status =
        "0  every scenario passed\n1  a scenario failed or a file is malformed\n"
        "2  a usage error";
    return {s, [](const cli::parsed_args& a, command_io io) {
                std::vector<std::string> args = a.positionals;
                for (const char* name : {"filter", "junit", "seed", "url"}) {
                    if (auto v = a.get(name)) {
                        args.push_back(std::string("--") + name);
                        args.push_back(*v);
                    }
                }
                if (a.has("quiet"))
                    args.push_back("--quiet");
                return run_scenarios_command(args, io.out, io.err);
            }};
}

}  // namespace esser::emulator

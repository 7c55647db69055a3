#pragma once
// esser-local's subcommands and its entry point. A subcommand is a cli::command_spec plus a
// run function; add new ones (test, replay, record, template...) to all_commands() in
// commands.cpp and they get dispatch, --help and `esser-local help <name>` for free.
//
// Exit status convention (every subcommand):
//   0 success; 1 a runtime failure; 2 a usage error (bad flag or value);
//   3 the server could not listen (port in use, address not local, permission).

#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esser/emulator/app/cli.hpp"

namespace esser::emulator {

enum exit_code : int { exit_ok = 0, exit_failure = 1, exit_usage = 2, exit_cannot_listen = 3 };

struct command_io {
    std::ostream& out;  // results, the serve banner
    std::ostream& err;  // errors and logs
};

struct subcommand {
    cli::command_spec spec;
    std::function<int(const cli::parsed_args& args, command_io io)> run;
};

std::vector<subcommand> all_commands();

// "0.1.0": the project version esser-local was built from.
const char* esser_version() noexcept;

// The whole CLI: `args` are argv[1..]. Parses, prints help or errors, runs a subcommand.
int esser_local_main(std::span<const std::string> args, command_io io);

// For subcommands that take no positional arguments: false (after telling `io.err` what was
// unexpected and where the usage is) when `args` has one; the caller returns exit_usage.
bool no_positionals(const cli::parsed_args& args, std::string_view command, command_io io);

// The `serve` subcommand (serve_command.cpp).
subcommand serve_command();

// The `template` subcommand (template_command.cpp): the domain's CloudFormation/SAM stack.
subcommand template_command();

// The `test` subcommand (test_command.cpp): runs scenario files, as esser-scenarios does.
subcommand test_command();

// The `init` subcommand (init_command.cpp): a new project from the embedded template.
subcommand init_command();

// The `record` subcommand (record_command.cpp): a table's stream from any endpoint into a
// fixture file (issue 8).
subcommand record_command();

// The `replay` subcommand (replay_command.cpp): a fixture through the event source mapping
// machinery into a function, compared with a golden file (issue 8).
subcommand replay_command();

}  // namespace esser::emulator

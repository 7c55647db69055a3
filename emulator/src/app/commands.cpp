#include "esser/emulator/app/commands.hpp"

#include <algorithm>
#include <ostream>

namespace esser::emulator {

namespace {

subcommand version_command() {
    cli::command_spec s;
    s.name = "version";
    s.summary = "print the version of esser-local";
    s.synopsis = {"version"};
    s.exit_status = "0  always";
    return {s, [](const cli::parsed_args&, command_io io) {
                io.out << "esser-local " << ESSER_VERSION << "\n";
                return int(exit_ok);
            }};
}

cli::command_spec top_spec(const std::vector<subcommand>& commands) {
    cli::command_spec s;
    s.summary = "a local AWS for event-sourced services (DynamoDB, Streams, Lambda)";
    s.synopsis = {"<command> [options]", "help [command]", "<command> --help"};
    s.description =
        "esser-local emulates DynamoDB, DynamoDB Streams and Lambda on one local port and runs "
        "your esser domain (aggregates, commands, projections) on top. Real AWS clients talk "
        "to it with --endpoint-url.\n\nCommands:";
    for (const auto& c : commands) {
        std::string name = c.spec.name;
        name.resize(std::max<std::size_t>(name.size(), 10), ' ');
        s.description += "\n  " + name + c.spec.summary;
    }
    s.examples = {
        {"Serve the bundled shop domain on 127.0.0.1:8000", "esser-local serve"},
        {"Read the options of serve", "esser-local serve --help"},
    };
    s.exit_status =
        "0  success\n1  a runtime failure\n2  a usage error (bad command, flag or value)\n"
        "3  the server could not listen (port in use, address not local)";
    return s;
}

}  // namespace

const char* esser_version() noexcept {
    return ESSER_VERSION;
}

bool no_positionals(const cli::parsed_args& args, std::string_view command, command_io io) {
    if (args.positionals.empty())
        return true;
    io.err << "esser-local " << command << ": unexpected argument '" << args.positionals[0]
           << "'\nRun 'esser-local " << command << " --help' for usage.\n";
    return false;
}

std::vector<subcommand> all_commands() {
    return {serve_command(),  template_command(), test_command(),   init_command(),
            record_command(), replay_command(),   version_command()};
}

int esser_local_main(std::span<const std::string> args, command_io io) {
    const auto commands = all_commands();
    const auto top = top_spec(commands);
    auto find = [&](const std::string& name) -> const subcommand* {
        for (const auto& c : commands)
            if (c.spec.name == name)
                return &c;
        return nullptr;
    };
    if (args.empty()) {
        io.err << cli::render_help(top);
        return exit_usage;
    }
    const std::string& first = args[0];
    if (first == "-h" || first == "--help") {
        io.out << cli::render_help(top);
        return exit_ok;
    }
    if (first == "--version")
        return find("version")->run({}, io);
    if (first == "help") {
        if (args.size() < 2) {
            io.out << cli::render_help(top);
            return exit_ok;
        }
        if (const subcommand* c = find(args[1])) {
            io.out << cli::render_help(c->spec);
            return exit_ok;
        }
        io.err << "esser-local: no command named '" << args[1]
               << "'; run 'esser-local --help' for the list\n";
        return exit_usage;
    }
    const subcommand* c = find(first);
    if (!c) {
        io.err << "esser-local: unknown command '" << first
               << "'; run 'esser-local --help' for the list\n";
        return exit_usage;
    }
    auto parsed = cli::parse(c->spec, args.subspan(1));
    if (!parsed) {
        io.err << "esser-local " << c->spec.name << ": " << parsed.error().message
               << "\nRun 'esser-local " << c->spec.name << " --help' for usage.\n";
        return exit_usage;
    }
    if (parsed->help) {
        io.out << cli::render_help(c->spec);
        return exit_ok;
    }
    return c->run(*parsed, io);
}

}  // namespace esser::emulator

// `esser-local init DIR [--name NAME] [--force]`: the CLI face of init_project()
// (init_project.hpp). Refusals and their exit codes: a bad name is a usage error (2); a
// non-empty or unusable DIR is a failure (1) that writes nothing.
#include <ostream>

#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/app/init_project.hpp"

namespace esser::emulator {

namespace {

cli::command_spec init_spec() {
    cli::command_spec s;
    s.name = "init";
    s.summary = "create a new project (domain, C++ reducer, tests, scenarios)";
    s.synopsis = {"init DIR [--name NAME] [--force]"};
    s.description =
        "Creates DIR with a new esser project that builds against the installed esser CMake "
        "package: domain.json (a Task entity: commands with JSON Schemas, a declarative "
        "reducer), src/task_domain.{hpp,cpp} (a C++ reducer function added to the file's "
        "reducer), tests/task_test.cpp (Catch2 v2 given-when-then tests on esser::testing), "
        "scenarios/*.scenario.json, CMakeLists.txt (find_package(esser), "
        "esser_add_scenarios) and a README and Makefile with two commands: `make test` "
        "builds and runs every test, `make run` serves domain.json with esser-local.\n\n"
        "DIR must be absent or empty (see --force). The Makefile points at the esser this "
        "esser-local was installed with; building needs g++ 12, CMake 3.25 and Catch2 v2 "
        "(Debian: apt-get install catch2).";
    s.options = {
        {"name",
         "NAME",
         "DIR's name",
         "The project name: a lower-case letter, then lower-case letters, digits or '_' (at "
         "most 40). It names the CMake project, targets and tests and the domain. DIR's last "
         "component is lower-cased and '-' or '.' become '_' when no name is given.",
         {}},
        {"force",
         "",
         "",
         "Write into a DIR that is not empty; files with the template's names are "
         "overwritten, others are left alone.",
         {}},
    };
    s.examples = {
        {"A new project in ./todo, then its tests and its server",
         "esser-local init todo && cd todo && make test && make run"},
        {"A project named billing in a folder with another name",
         "esser-local init services/billing-v2 --name billing"},
    };
    s.exit_status =
        "0  the project was written\n"
        "1  DIR is not empty (without --force), is a file, or could not be written\n"
        "2  a usage error (no DIR, a bad --name)";
    s.see_also = "esser-local test --help; esser-local serve --help; docs/testing.md.";
    return s;
}

int run_init(const cli::parsed_args& args, command_io io) {
    if (args.positionals.size() != 1) {
        io.err << "esser-local init: "
               << (args.positionals.empty() ? std::string("give the project's directory")
                                            : "unexpected argument '" + args.positionals[1] + "'")
               << "\nRun 'esser-local init --help' for usage.\n";
        return exit_usage;
    }
    init_options opts;
    opts.dir = args.positionals[0];
    opts.name = args.value_or("name", "");
    opts.force = args.has("force");
    opts.esser_prefix = installed_esser_prefix();
    const std::string name = opts.name.empty() ? default_project_name(opts.dir) : opts.name;
    if (!valid_project_name(name)) {
        io.err << "esser-local init: '" << name << "' is not a valid project name"
               << (opts.name.empty() ? " (from DIR; pass --name NAME)" : "")
               << ": use a lower-case letter, then lower-case letters, digits or '_' (at most "
                  "40)\nRun 'esser-local init --help' for usage.\n";
        return exit_usage;
    }
    auto report = init_project(opts);
    if (!report) {
        io.err << "esser-local init: " << report.error().message << "\n";
        return exit_failure;
    }
    const std::string dir = opts.dir.string();
    io.out << "Created the esser project '" << report->name << "' in " << dir << ":\n";
    for (const auto& f : report->files) io.out << "  " << f << "\n";
    io.out << "\nNext:\n  cd " << dir
           << "\n  make test    # build, run the C++ tests and the scenario files"
              "\n  make run     # serve domain.json on http://127.0.0.1:8000\n";
    if (opts.esser_prefix.empty()) {
        io.out << "\nThis esser-local is not an installed one: give make the prefix esser was "
                  "installed to,\ne.g. make test ESSER_PREFIX=/opt/esser\n";
    }
    return exit_ok;
}

}  // namespace

subcommand init_command() {
    return {init_spec(), run_init};
}

}  // namespace esser::emulator

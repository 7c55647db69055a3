#pragma once
// Runs scenario files (scenario.hpp) and reports: the engine behind `esser-scenarios` and
// `esser-local test` (issue 7).
//
//   scenario_runner runner({.filter = "price"});
//   auto results = runner.run({"scenarios/shop"});        // files and folders
//   std::cout << summary(results);
//   write_junit(results, "report.xml");
//
// Folders are searched recursively for `*.scenario.json`, in sorted order. A file that does not
// parse, names unknown steps, entities or commands is reported as an error (with its JSON
// Pointers) and the other scenarios still run. Domain files are loaded once per runner.
//
// Not thread-safe (one runner per thread).

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"

namespace esser::emulator {

struct scenario_result {
    // skipped: an http scenario (target "http") run without a URL.
    enum class status : std::uint8_t { passed, failed, error, skipped };
    std::string file;
    std::string name;   // the scenario's name (the file name when it did not parse)
    std::string group;  // its group, or its folder
    status outcome = status::passed;
    std::string message;  // the failure report or the file's problems; empty when passed
    double seconds = 0;
};

std::string_view to_string(scenario_result::status s) noexcept;

class scenario_runner {
public:
    struct options {
        std::optional<std::uint64_t> seed;  // overrides every scenario's seed
        std::string filter;                 // run only scenarios whose name, group or file
                                            // contains this text
        // The esser-local that "target": "http" scenarios run against (http_scenario.hpp);
        // empty: they are skipped.
        std::string url;
    };

    scenario_runner();
    explicit scenario_runner(options opts);

    // The scenario files under `paths` (files as given, folders searched recursively), sorted
    // and deduplicated. errc::not_found naming a path that does not exist.
    [[nodiscard]] core::result<std::vector<std::string>> collect(
        const std::vector<std::string>& paths) const;

    // Loads, checks and runs one file. nullopt when the filter excludes it.
    std::optional<scenario_result> run_file(const std::string& path);

    // collect() + run_file() for each; a missing path becomes an error result.
    std::vector<scenario_result> run(const std::vector<std::string>& paths);

private:
    core::result<std::shared_ptr<const core::domain>> domain_for(const std::string& path);

    options opts_;
    std::map<std::string, core::result<std::shared_ptr<const core::domain>>> domains_;
};

// "12 scenarios: 11 passed, 1 failed, 0 errors" (", 2 skipped" when some were) plus each
// failure's report.
std::string summary(const std::vector<scenario_result>& results);

// JUnit XML (the schema Jenkins, GitLab and GitHub test reporters read): one <testsuite> per
// group, one <testcase> per scenario, <failure> / <error> with the report.
std::string junit_xml(const std::vector<scenario_result>& results,
                      const std::string& suite_name = "esser scenarios");

// The command line of `esser-scenarios` / `esser-local test`:
//   [FILES|DIRS...] [--filter TEXT] [--junit FILE] [--seed N] [--url URL] [--quiet]
// Default path: "scenarios". --url: the esser-local that http scenarios run against (without
// it they are skipped). Exit code 0 when no scenario failed or had an error and at least one
// passed, 1 otherwise (also when every scenario was skipped), 2 for a usage error.
int run_scenarios_command(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err);

}  // namespace esser::emulator

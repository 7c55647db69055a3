#include "esser/emulator/testing/scenario_runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "esser/adapters/http/url.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/emulator/testing/http_scenario.hpp"
#include "esser/emulator/testing/scenario.hpp"

namespace esser::emulator {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view scenario_suffix = ".scenario.json";

bool is_scenario_file(const fs::path& p) {
    const std::string name = p.filename().string();
    return name.size() > scenario_suffix.size() && name.ends_with(scenario_suffix);
}

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\n':
            case '\r':
            case '\t':
                out += static_cast<char>(c);
                break;
            default:
                // XML 1.0 has no representation for other control characters.
                if (c < 0x20)
                    out += fmt::format("\\x{:02x}", c);
                else
                    out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

std::string_view to_string(scenario_result::status s) noexcept {
    switch (s) {
        case scenario_result::status::passed:
            return "passed";
        case scenario_result::status::failed:
            return "failed";
        case scenario_result::status::error:
            return "error";
        case scenario_result::status::skipped:
            return "skipped";
    }
    return "?";
}

scenario_runner::scenario_runner() : scenario_runner(options{}) {}

scenario_runner::scenario_runner(options opts) : opts_(std::move(opts)) {}

core::result<std::vector<std::string>> scenario_runner::collect(
    const std::vector<std::string>& paths) const {
    std::set<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (auto it = fs::recursive_directory_iterator(p, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (it->is_regular_file(ec) && is_scenario_file(it->path()))
                    files.insert(it->path().lexically_normal().string());
            }
            if (ec)
                return core::fail(core::error::not_found(
                    fmt::format("cannot read the folder {}: {}", p, ec.message())));
        } else if (fs::is_regular_file(p, ec)) {
            files.insert(fs::path(p).lexically_normal().string());
        } else {
            return core::fail(core::error::not_found(
                fmt::format("{}: no such file or folder (give scenario files or folders that "
                            "hold *.scenario.json files)",
                            p)));
        }
    }
    return std::vector<std::string>(files.begin(), files.end());
}

core::result<std::shared_ptr<const core::domain>> scenario_runner::domain_for(
    const std::string& path) {
    std::error_code ec;
    std::string key = fs::weakly_canonical(path, ec).string();
    if (ec)
        key = path;
    auto it = domains_.find(key);
    if (it == domains_.end())
        it = domains_.emplace(key, core::load_domain_file(path)).first;
    return it->second;
}

std::optional<scenario_result> scenario_runner::run_file(const std::string& path) {
    const auto start = std::chrono::steady_clock::now();
    scenario_result r;
    r.file = path;
    r.group = fs::path(path).parent_path().filename().string();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    auto s = load_scenario_file(path, [this](const std::string& p) { return domain_for(p); });
    if (!s) {
        r.name = fs::path(path).filename().string();
        if (!opts_.filter.empty() && path.find(opts_.filter) == std::string::npos)
            return std::nullopt;
        r.outcome = scenario_result::status::error;
        r.message = s.error().describe();
        for (const auto& f : s.error().fields)
            r.message +=
                fmt::format("\n  {}: {}", f.pointer.empty() ? "(document)" : f.pointer, f.reason);
        r.seconds = elapsed();
        return r;
    }
    r.name = s->name;
    if (!s->group.empty())
        r.group = s->group;
    if (!opts_.filter.empty() && r.name.find(opts_.filter) == std::string::npos &&
        r.group.find(opts_.filter) == std::string::npos &&
        path.find(opts_.filter) == std::string::npos)
        return std::nullopt;
    if (s->target == scenario_target::http && opts_.url.empty()) {
        r.outcome = scenario_result::status::skipped;
        r.message = "an http scenario: pass --url URL of a running esser-local";
        r.seconds = elapsed();
        return r;
    }
    auto ran = s->target == scenario_target::http ? run_http_scenario(*s, opts_.url)
                                                  : run_scenario(*s, opts_.seed);
    if (!ran) {
        r.outcome = ran.error().code == core::errc::internal ? scenario_result::status::error
                                                             : scenario_result::status::failed;
        r.message = ran.error().message;
    }
    r.seconds = elapsed();
    return r;
}

std::vector<scenario_result> scenario_runner::run(const std::vector<std::string>& paths) {
    std::vector<scenario_result> out;
    std::vector<std::string> files;
    for (const auto& p : paths) {
        auto c = collect({p});
        if (!c) {
            scenario_result r;
            r.file = p;
            r.name = p;
            r.outcome = scenario_result::status::error;
            r.message = c.error().message;
            out.push_back(std::move(r));
            continue;
        }
        files.insert(files.end(), c->begin(), c->end());
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    for (const auto& f : files) {
        if (auto r = run_file(f))
            out.push_back(std::move(*r));
    }
    return out;
}

std::string summary(const std::vector<scenario_result>& results) {
    std::size_t passed = 0, failed = 0, errors = 0, skipped = 0;
    std::string details;
    for (const auto& r : results) {
        switch (r.outcome) {
            case scenario_result::status::passed:
                ++passed;
                continue;
            case scenario_result::status::skipped:
                ++skipped;
                continue;
            case scenario_result::status::failed:
                ++failed;
                break;
            case scenario_result::status::error:
                ++errors;
                break;
        }
        details +=
            fmt::format("\n{} {}\n  in {}\n{}\n",
                        r.outcome == scenario_result::status::failed ? "FAILED" : "ERROR",
                        r.group.empty() ? r.name : r.group + " / " + r.name, r.file, r.message);
    }
    return details +
           fmt::format("{} scenario{}: {} passed, {} failed, {} error{}{}\n", results.size(),
                       results.size() == 1 ? "" : "s", passed, failed, errors,
                       errors == 1 ? "" : "s",
                       skipped ? fmt::format(", {} skipped (http scenarios need --url)", skipped)
                               : std::string());
}

std::string junit_xml(const std::vector<scenario_result>& results, const std::string& suite_name) {
    std::map<std::string, std::vector<const scenario_result*>> groups;
    std::size_t failures = 0, errors = 0, skipped = 0;
    double total = 0;
    for (const auto& r : results) {
        groups[r.group.empty() ? "scenarios" : r.group].push_back(&r);
        failures += r.outcome == scenario_result::status::failed;
        errors += r.outcome == scenario_result::status::error;
        skipped += r.outcome == scenario_result::status::skipped;
        total += r.seconds;
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
        "skipped=\"{}\" time=\"{:.6f}\">\n",
        xml_escape(suite_name), results.size(), failures, errors, skipped, total);
    for (const auto& [group, rs] : groups) {
        std::size_t f = 0, e = 0, sk = 0;
        double t = 0;
        for (const auto* r : rs) {
            f += r->outcome == scenario_result::status::failed;
            e += r->outcome == scenario_result::status::error;
            sk += r->outcome == scenario_result::status::skipped;
            t += r->seconds;
        }
        out += fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
            "skipped=\"{}\" time=\"{:.6f}\">\n",
            xml_escape(group), rs.size(), f, e, sk, t);
        for (const auto* r : rs) {
            out += fmt::format(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" "
                "time=\"{:.6f}\"",
                xml_escape(group), xml_escape(r->name), xml_escape(r->file), r->seconds);
            if (r->outcome == scenario_result::status::passed) {
                out += "/>\n";
                continue;
            }
            if (r->outcome == scenario_result::status::skipped) {
                out += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                                   xml_escape(r->message));
                continue;
            }
            const char* tag = r->outcome == scenario_result::status::failed ? "failure" : "error";
            const std::string first_line = r->message.substr(0, r->message.find('\n'));
            out += fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n",
                               tag, xml_escape(first_line), tag, xml_escape(r->message), tag);
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

int run_scenarios_command(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err) {
    scenario_runner::options opts;
    std::vector<std::string> paths;
    std::string junit;
    bool quiet = false;
    auto usage = [&](const std::string& why) {
        err << "error: " << why << "\n"
            << "usage: test [FILES|DIRS...] [--filter TEXT] [--junit FILE] [--seed N] [--url URL] "
               "[--quiet]\n";
        return 2;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& v) {
            if (i + 1 >= args.size())
                return false;
            v = args[++i];
            return true;
        };
        if (a == "--filter") {
            if (!value(opts.filter))
                return usage("--filter needs a text");
        } else if (a == "--junit") {
            if (!value(junit))
                return usage("--junit needs a file name");
        } else if (a == "--seed") {
            std::string v;
            if (!value(v) || v.empty() || v.find_first_not_of("0123456789") != std::string::npos ||
                v.size() > 19)
                return usage("--seed needs a non-negative integer");
            opts.seed = std::stoull(v);
        } else if (a == "--url") {
            if (!value(opts.url) || opts.url.empty())
                return usage("--url needs the URL of a running esser-local");
            if (auto u = adapters::url::parse(opts.url); !u)
                return usage("--url " + opts.url + ": " + u.error().message);
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a == "-h" || a == "--help") {
            out << "Runs given-when-then scenario files (*.scenario.json; format: "
                   "scenarios/README.md).\n"
                   "usage: test [FILES|DIRS...] [--filter TEXT] [--junit FILE] [--seed N] "
                   "[--url URL] [--quiet]\n"
                   "--url URL: run \"target\": \"http\" scenarios against the esser-local at "
                   "URL (without it they are skipped)\n";
            return 0;
        } else if (a.starts_with("--")) {
            return usage("unknown option " + a);
        } else {
            paths.push_back(a);
        }
    }
    if (paths.empty())
        paths.push_back("scenarios");
    scenario_runner runner(opts);
    const auto results = runner.run(paths);
    if (!quiet) {
        for (const auto& r : results)
            out << fmt::format("{:<7} {}\n", to_string(r.outcome),
                               r.group.empty() ? r.name : r.group + " / " + r.name);
    }
    out << summary(results);
    if (!junit.empty()) {
        std::ofstream f(junit, std::ios::binary | std::ios::trunc);
        f << junit_xml(results);
        if (!f) {
            err << "error: cannot write " << junit << "\n";
            return 1;
        }
    }
    const bool ok = std::all_of(results.begin(), results.end(), [](const scenario_result& r) {
        return r.outcome == scenario_result::status::passed ||
               r.outcome == scenario_result::status::skipped;
    });
    const bool any_passed = std::any_of(
        results.begin(), results.end(),
        [](const scenario_result& r) { return r.outcome == scenario_result::status::passed; });
    return ok && any_passed ? 0 : 1;
}

}  // namespace esser::emulator

#include "esser/emulator/lambda/zip_runtime.hpp"

#include <cstdlib>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "child_process.hpp"
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace esser::emulator {

namespace {

namespace fs = std::filesystem;

core::error typed_error(std::string type, std::string message) {
    core::error e = core::error::validation(std::move(message));
    e.type = std::move(type);
    return e;
}

core::error invalid_parameter(std::string message) {
    return typed_error("InvalidParameterValueException", std::move(message));
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool has_shims(const fs::path& dir) {
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(dir / "python" / "bootstrap.py", ec) &&
           fs::is_regular_file(dir / "nodejs" / "bootstrap.js", ec);
}

core::result<fs::path> shim(const fs::path& runtime_dir, const char* rel,
                            std::string_view runtime) {
    std::error_code ec;
    const fs::path p = runtime_dir / rel;
    if (runtime_dir.empty() || !fs::is_regular_file(p, ec))
        return core::fail(invalid_parameter(
            fmt::format("esser-local cannot run {} functions: its runtime shim {} is missing (set "
                        "ESSER_RUNTIME_DIR to the directory holding python/ and nodejs/)",
                        runtime, runtime_dir.empty() ? fs::path(rel).string() : p.string())));
    return p;
}

core::result<void> need_handler(std::string_view runtime, std::string_view handler) {
    if (handler.empty())
        return core::fail(invalid_parameter(fmt::format(
            "Runtime and Handler are mandatory parameters for functions created with deployment "
            "packages. (Handler is missing for runtime {})",
            runtime)));
    return {};
}

// Whether `program args...` exits 0 within 5 s in an environment like a function's. A file
// named python3.12 is not enough: a version manager's shim for a version that is not selected
// (pyenv: exit 127) or a broken install must not be picked. Successes are remembered.
bool interpreter_works(const fs::path& program, const std::vector<std::string>& args) {
    static std::mutex mu;
    static std::set<std::string> known_good;
    std::string key = program.string();
    for (const auto& a : args) key += '\0' + a;
    {
        std::lock_guard lock(mu);
        if (known_good.count(key) != 0)
            return true;
    }
    spawn_options o;
    o.argv.push_back(program.string());
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.env = {"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin", "LANG=en_US.UTF-8", "TZ=:UTC"};
    auto child = child_process::spawn(o);
    if (!child)
        return false;
    auto& c = **child;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!c.exited() && std::chrono::steady_clock::now() < deadline) {
        if (c.exit_fd() >= 0) {
            pollfd p{c.exit_fd(), POLLIN, 0};
            ::poll(&p, 1, 100);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    if (!c.exited())
        c.kill_group(SIGKILL);
    const int status = c.reap();
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
        std::lock_guard lock(mu);
        known_good.insert(std::move(key));
    }
    return ok;
}

// The first of `names`, each looked for in every absolute directory of `search_path` in order,
// that runs (interpreter_works).
fs::path find_working(const std::vector<std::string>& names, std::string_view search_path,
                      const std::vector<std::string>& probe) {
    std::vector<std::string_view> dirs;
    for (std::size_t start = 0; start <= search_path.size();) {
        auto colon = search_path.find(':', start);
        if (colon == std::string_view::npos)
            colon = search_path.size();
        dirs.push_back(search_path.substr(start, colon - start));
        start = colon + 1;
    }
    for (const auto& name : names) {
        for (const auto dir : dirs) {
            const fs::path found = find_on_path(name, dir);
            if (!found.empty() && interpreter_works(found, probe))
                return found;
        }
    }
    return {};
}

}  // namespace

std::string default_interpreter_path() {
    std::string p = "/usr/local/bin:/usr/bin:/bin";
    if (const char* env = std::getenv("PATH"); env && *env)
        p += std::string(":") + env;
    return p;
}

fs::path find_on_path(std::string_view program, std::string_view path_list) {
    std::size_t start = 0;
    while (start <= path_list.size()) {
        auto colon = path_list.find(':', start);
        if (colon == std::string_view::npos)
            colon = path_list.size();
        const std::string_view dir = path_list.substr(start, colon - start);
        start = colon + 1;
        if (dir.empty() || dir.front() != '/')
            continue;  // relative PATH entries would depend on the working directory
        const fs::path candidate = fs::path(dir) / program;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return {};
}

core::result<std::vector<std::string>> zip_runtime_command(std::string_view runtime,
                                                           std::string_view handler,
                                                           const fs::path& package_dir,
                                                           const fs::path& runtime_dir,
                                                           std::string_view search_path) {
    static const std::regex python3(R"(python3\.(\d+))");
    static const std::regex nodejs(R"(nodejs(\d+)\.x)");
    const std::string r(runtime);
    if (r == "provided" || r == "provided.al2" || r == "provided.al2023")
        return std::vector<std::string>{(package_dir / "bootstrap").string()};
    if (std::regex_match(r, python3)) {
        if (auto ok = need_handler(runtime, handler); !ok)
            return core::fail(ok.error());
        auto script = shim(runtime_dir, "python/bootstrap.py", runtime);
        if (!script)
            return core::fail(script.error());
        const fs::path interpreter =
            find_working({r, "python3"}, search_path, {"-c", "import json, http.client"});
        if (interpreter.empty())
            return core::fail(invalid_parameter(fmt::format(
                "esser-local cannot run {} functions: neither {} nor python3 is on the PATH (or "
                "none of those found runs)",
                r, r)));
        return std::vector<std::string>{interpreter.string(), "-u", script->string()};
    }
    if (std::regex_match(r, nodejs)) {
        if (auto ok = need_handler(runtime, handler); !ok)
            return core::fail(ok.error());
        auto script = shim(runtime_dir, "nodejs/bootstrap.js", runtime);
        if (!script)
            return core::fail(script.error());
        const fs::path node = find_working({"node"}, search_path, {"-e", "0"});
        if (node.empty())
            return core::fail(invalid_parameter(fmt::format(
                "esser-local cannot run {} functions: node is not on the PATH (or does not run)",
                r)));
        return std::vector<std::string>{node.string(), script->string()};
    }
    for (std::string_view family : {"java", "dotnet", "ruby", "go1", "python2", "nodejs"}) {
        if (starts_with(r, family))
            return core::fail(invalid_parameter(fmt::format(
                "esser-local runs provided.al2023, provided.al2, python3.x and nodejs<N>.x zip "
                "functions natively; the runtime {} is not supported",
                r)));
    }
    return core::fail(typed_error(
        "ValidationException",
        fmt::format("1 validation error detected: Value '{}' at 'runtime' failed to satisfy "
                    "constraint: Member must satisfy enum value set: [provided, provided.al2, "
                    "provided.al2023, python3.9, python3.10, python3.11, python3.12, python3.13, "
                    "nodejs18.x, nodejs20.x, nodejs22.x, java21, dotnet8, ruby3.3]",
                    r)));
}

fs::path default_runtime_directory() {
    if (const char* env = std::getenv("ESSER_RUNTIME_DIR"); env && *env)
        return fs::path(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path() / ".." / "share" / "esser" / "runtimes";
        if (has_shims(installed))
            return fs::weakly_canonical(installed, ec);
    }
#ifdef ESSER_RUNTIME_SOURCE_DIR
    if (has_shims(ESSER_RUNTIME_SOURCE_DIR))
        return fs::path(ESSER_RUNTIME_SOURCE_DIR);
#endif
#ifdef ESSER_RUNTIME_INSTALL_DIR
    if (has_shims(ESSER_RUNTIME_INSTALL_DIR))
        return fs::path(ESSER_RUNTIME_INSTALL_DIR);
#endif
    return {};
}

}  // namespace esser::emulator

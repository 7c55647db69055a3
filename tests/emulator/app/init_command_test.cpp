// Issue 11: `esser-local init DIR [--name NAME] [--force]`: the files it writes, the names it
// accepts, the directories it refuses. The generated project is built and its tests run
// against the installed package by tests/packaging/package_test.sh; here the generated domain
// and scenario files are checked with the in-tree loader and scenario runner.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/app/cli_runner.hpp"
#include <catch2/catch.hpp>

#include "esser/core/domain_file.hpp"
#include "esser/emulator/app/commands.hpp"
#include "esser/emulator/app/init_project.hpp"
#include "esser/emulator/testing/scenario_runner.hpp"

using namespace esser::emulator;
namespace fs = std::filesystem;

namespace {

esser::test::cli_result run(std::vector<std::string> args) {
    return esser::test::run_cli(std::move(args));
}

// A fresh, absent directory under the build tree for one test.
fs::path fresh_dir(const std::string& name) {
    const fs::path p = fs::path(ESSER_BINARY_DIR) / "init_command_test" / name;
    fs::remove_all(p);
    fs::create_directories(p.parent_path());
    return p;
}

std::string read(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("init writes every template file with the name and prefix filled in",
          "[emulator][app][init_command]") {
    const fs::path dir = fresh_dir("todo-app");
    auto r = run({"init", dir.string(), "--name", "todo"});
    INFO(r.out << r.err);
    REQUIRE(r.code == exit_ok);
    CHECK(r.err.empty());
    REQUIRE(init_template().size() >= 8);
    for (const auto& f : init_template()) {
        std::string rel(f.path);
        if (rel.rfind("dot-", 0) == 0)
            rel.replace(0, 4, ".");
        INFO(rel);
        REQUIRE(fs::is_regular_file(dir / rel));
        const std::string text = read(dir / rel);
        CHECK(text.find("@NAME@") == std::string::npos);
        CHECK(text.find("@ESSER_PREFIX@") == std::string::npos);
        CHECK(r.out.find("  " + rel + "\n") != std::string::npos);
    }
    CHECK(read(dir / ".gitignore") == "build/\n");
    CHECK(read(dir / "CMakeLists.txt").find("project(todo LANGUAGES CXX)") != std::string::npos);
    CHECK(read(dir / "CMakeLists.txt").find("find_package(esser") != std::string::npos);
    // The test binary is not installed, so no prefix is baked in: the Makefile falls back.
    CHECK(read(dir / "Makefile").find("ESSER_PREFIX ?= \n") != std::string::npos);
    CHECK(r.out.find("make test") != std::string::npos);
    CHECK(r.out.find("make run") != std::string::npos);
    CHECK(r.out.find("cd " + dir.string()) != std::string::npos);

    // The domain loads as esser-local loads it, and is named after the project.
    auto domain = esser::core::load_domain_file((dir / "domain.json").string());
    INFO((domain ? "" : domain.error().describe()));
    REQUIRE(domain);
    CHECK((*domain)->name() == "todo");
    CHECK((*domain)->find("Task") != nullptr);

    // Its scenario files pass on it, as `esser-local test scenarios` runs them.
    scenario_runner runner;
    const auto results = runner.run({(dir / "scenarios").string()});
    REQUIRE(results.size() >= 2);
    for (const auto& s : results) {
        INFO(s.file << ": " << s.message);
        CHECK(s.outcome == scenario_result::status::passed);
    }
}

TEST_CASE("init writes into a prefix given by the caller", "[emulator][app][init_command]") {
    const fs::path dir = fresh_dir("prefixed");
    auto r = init_project({.dir = dir, .name = "billing", .esser_prefix = "/opt/esser"});
    REQUIRE(r);
    CHECK(r->name == "billing");
    CHECK(read(dir / "Makefile").find("ESSER_PREFIX ?= /opt/esser\n") != std::string::npos);
    CHECK(read(dir / "domain.json").find("\"name\": \"billing\"") != std::string::npos);
}

TEST_CASE("init names the project after its directory unless --name is given",
          "[emulator][app][init_command]") {
    CHECK(default_project_name("services/My-Shop.v2") == "my_shop_v2");
    CHECK(default_project_name("todo/") == "todo");
    CHECK(default_project_name("/tmp/orders") == "orders");
    const fs::path dir = fresh_dir("Order-Book");
    auto r = run({"init", dir.string()});
    INFO(r.out << r.err);
    REQUIRE(r.code == exit_ok);
    CHECK(r.out.find("'order_book'") != std::string::npos);
    CHECK(read(dir / "CMakeLists.txt").find("project(order_book ") != std::string::npos);
}

TEST_CASE("init refuses bad names, a missing DIR and extra arguments as usage errors",
          "[emulator][app][init_command]") {
    CHECK(valid_project_name("a"));
    CHECK(valid_project_name("shop_2"));
    for (const char* bad : {"", "Shop", "2shop", "_shop", "my-shop", "my shop", "shop!",
                            "a2345678901234567890123456789012345678901"}) {
        INFO(bad);
        CHECK_FALSE(valid_project_name(bad));
    }
    const fs::path dir = fresh_dir("named");
    auto upper = run({"init", dir.string(), "--name", "Shop"});
    CHECK(upper.code == exit_usage);
    CHECK(upper.err.find("'Shop' is not a valid project name") != std::string::npos);
    CHECK_FALSE(fs::exists(dir));

    const fs::path digits = fresh_dir("2048");
    auto from_dir = run({"init", digits.string()});
    CHECK(from_dir.code == exit_usage);
    CHECK(from_dir.err.find("pass --name NAME") != std::string::npos);
    CHECK_FALSE(fs::exists(digits));

    auto none = run({"init"});
    CHECK(none.code == exit_usage);
    CHECK(none.err.find("give the project's directory") != std::string::npos);
    auto two = run({"init", "a", "b"});
    CHECK(two.code == exit_usage);
    CHECK(two.err.find("unexpected argument 'b'") != std::string::npos);

    init_options bad_name;
    bad_name.dir = dir;
    bad_name.name = "Bad Name";
    auto api = init_project(bad_name);
    REQUIRE_FALSE(api);
    CHECK(api.error().code == esser::core::errc::invalid_argument);
}

TEST_CASE("init refuses a non-empty directory or a file unless --force, and writes nothing",
          "[emulator][app][init_command]") {
    const fs::path dir = fresh_dir("busy");
    fs::create_directories(dir);
    {
        std::ofstream(dir / "notes.txt") << "mine\n";
        std::ofstream(dir / "domain.json") << "{}\n";
    }
    auto refused = run({"init", dir.string(), "--name", "busy"});
    CHECK(refused.code == exit_failure);
    CHECK(refused.err.find("is not empty") != std::string::npos);
    CHECK(refused.err.find("--force") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "CMakeLists.txt"));
    CHECK(read(dir / "domain.json") == "{}\n");

    auto forced = run({"init", dir.string(), "--name", "busy", "--force"});
    INFO(forced.err);
    CHECK(forced.code == exit_ok);
    CHECK(read(dir / "notes.txt") == "mine\n");  // not the template's: left alone
    CHECK(read(dir / "domain.json").find("\"Task\"") != std::string::npos);  // overwritten

    const fs::path empty = fresh_dir("empty");
    fs::create_directories(empty);
    CHECK(run({"init", empty.string(), "--name", "empty"}).code == exit_ok);

    const fs::path file = fresh_dir("a_file");
    std::ofstream(file) << "x";
    auto on_file = run({"init", file.string(), "--name", "x", "--force"});
    CHECK(on_file.code == exit_failure);
    CHECK(on_file.err.find("is not a directory") != std::string::npos);
}

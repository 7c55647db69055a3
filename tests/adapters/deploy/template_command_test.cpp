// Issue 10 (templates): `esser-local template` through the CLI: the bundled and a given domain,
// both formats, --out; the output has the stack's resources, every reference resolves
// (template_checks.hpp), and python3-yaml reads it as the same document (the output is JSON,
// which YAML 1.2 parsers read); the failures (invalid domain, bad x-deployment, bad format,
// unwritable --out) have their exit codes and messages. The template's content in detail is
// checked in stack_template_test.cpp.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/deploy/template_checks.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/emulator/app/commands.hpp"

using namespace esser::emulator;
using esser::testing::check_references;
using nlohmann::json;

namespace {

struct run_result {
    int code;
    std::string out;
    std::string err;
};

run_result run(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int code = esser_local_main(args, command_io{out, err});
    return {code, out.str(), err.str()};
}

std::string temp_path(const std::string& name) {
    return std::string(ESSER_BINARY_DIR) + "/" + name;
}

std::string temp_file(const std::string& name, const std::string& text) {
    const std::string path = temp_path(name);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    return path;
}

json shop_doc() {
    std::ifstream in(std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json");
    REQUIRE(in);
    return json::parse(in);
}

// python3-yaml's reading of `path`, as JSON text (yaml.safe_load, then json.dumps).
json yaml_load(const std::string& path) {
    const std::string out = path + ".from-yaml.json";
    const std::string cmd =
        "python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open("
        "sys.argv[1])), open(sys.argv[2], \"w\"))' '" +
        path + "' '" + out + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(out);
    return json::parse(in);
}

}  // namespace

TEST_CASE("esser-local template prints the SAM template of the bundled domain",
          "[deploy][template_command]") {
    auto r = run({"template"});
    REQUIRE(r.code == 0);
    CHECK(r.err.empty());
    const json t = json::parse(r.out);
    CHECK(t["Transform"] == "AWS::Serverless-2016-10-31");
    for (const char* name :
         {"EventsTable", "SnapshotsTable", "FailureQueue", "CommandFunction", "ProjectionFunction"})
        CHECK(t["Resources"].contains(name));
    CHECK(t["Resources"]["ProjectionFunction"]["Type"] == "AWS::Serverless::Function");
    check_references(t);
    // The same bytes as the generator's for the bundled domain: deterministic.
    CHECK(run({"template"}).out == r.out);
}

TEST_CASE("esser-local template writes a domain's CloudFormation template to --out",
          "[deploy][template_command]") {
    json doc = shop_doc();
    doc["name"] = "orders";
    doc["x-deployment"] = {{"mapping", {{"batch_size", 7}}}};
    const std::string domain = temp_file("template_domain.json", doc.dump());
    const std::string out = temp_path("template_out.yaml");
    std::remove(out.c_str());
    auto r = run({"template", "--domain", domain, "--format", "cloudformation", "--out", out});
    REQUIRE(r.code == 0);
    CHECK(r.out.empty());
    std::ifstream written(out);
    const json t = json::parse(written);
    CHECK_FALSE(t.contains("Transform"));
    for (const char* name :
         {"EventsTable", "SnapshotsTable", "FailureQueue", "CommandFunction", "ProjectionFunction",
          "ProjectionMapping", "CommandFunctionRole", "ProjectionFunctionRole"})
        CHECK(t["Resources"].contains(name));
    CHECK(t["Resources"]["ProjectionMapping"]["Properties"]["BatchSize"] == 7);
    CHECK(t["Description"].get<std::string>().find("orders") != std::string::npos);
    check_references(t);
    // A YAML parser reads the file as the same document.
    CHECK(yaml_load(out) == t);
}

TEST_CASE("esser-local template refuses invalid domains, settings and flags",
          "[deploy][template_command]") {
    json bad_settings = shop_doc();
    bad_settings["x-deployment"] = {{"mapping", {{"batch_size", 0}}}};

    struct refusal {
        std::vector<std::string> args;
        int code;
        std::string says;  // in stderr
    };

    const std::vector<refusal> cases{
        // Not a valid domain: core's loader names the problem.
        {{"template", "--domain",
          temp_file("template_bad_domain.json", R"({"esser": 1, "name": "x"})")},
         1,
         "esser-local template: "},
        {{"template", "--domain", temp_file("template_not_json.json", "{oops")},
         1,
         "template_not_json.json"},
        // Bad x-deployment settings, named by pointer.
        {{"template", "--domain", temp_file("template_bad_settings.json", bad_settings.dump())},
         1,
         "/x-deployment/mapping/batch_size"},
        {{"template", "--format", "terraform"}, 2, "sam"},
        {{"template", "--domain", "/nonexistent/domain.json"}, 1, "/nonexistent/domain.json"},
        {{"template", "--out", "/nonexistent/dir/t.json"}, 1, "/nonexistent/dir/t.json"},
        {{"template", "extra"}, 2, "unexpected argument 'extra'"},
    };
    for (const auto& c : cases) {
        INFO(json(c.args).dump());
        auto r = run(c.args);
        CHECK(r.code == c.code);
        CHECK(r.err.find(c.says) != std::string::npos);
        CHECK(r.out.empty());
    }
}

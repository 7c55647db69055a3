#pragma once
// `esser-local init DIR [--name NAME]` (issue 11; the seed's `startproject`): writes a new
// project that builds against the installed esser package.
//
//   auto r = init_project({.dir = "todo", .name = "todo", .esser_prefix = "/opt/esser"});
//   // r->files: "CMakeLists.txt", "Makefile", "README.md", "domain.json", ...
//
// The files come from emulator/src/app/init_template/, embedded into the binary at build time
// (real files in the repository, never code strings). Two placeholders are replaced in every
// file: @NAME@ (the project name) and @ESSER_PREFIX@ (where esser is installed; empty: the
// system's default places). A template file named "dot-X" is written as ".X".
//
// The project (see init_template/README.md): domain.json (a Task entity, declarative, what
// esser-local and the scenario files run), src/task_domain.{hpp,cpp} (a C++ reducer_fn added
// to the file's reducer through core::read_domain), tests/task_test.cpp (Catch2 v2
// given-when-then on esser::testing), scenarios/*.scenario.json, CMakeLists.txt
// (find_package(esser), esser_add_scenarios) and a Makefile with `make test` / `make run`.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/error.hpp"

namespace esser::emulator {

struct template_file {
    std::string_view path;  // relative, '/'-separated: "src/task_domain.cpp"
    std::string_view text;
};

// Every file of the project template, sorted by path (generated from init_template/).
std::span<const template_file> init_template();

struct init_options {
    std::filesystem::path dir;  // created when absent (with its parents)
    std::string name;           // empty: default_project_name(dir)
    bool force = false;         // write into a non-empty dir (template files are overwritten)
    std::string esser_prefix;   // the Makefile's default ESSER_PREFIX; may be empty
};

struct init_report {
    std::string name;
    std::vector<std::string> files;  // relative paths written, in template order
};

// A project name: [a-z][a-z0-9_]* up to 40 characters. It becomes the CMake project, target
// and test names and the domain's name.
bool valid_project_name(std::string_view name) noexcept;

// The name a directory suggests: its last component, lower-cased, '-' and '.' turned into '_'
// ("My-Shop" -> "my_shop"). May still be invalid ("2048"): callers check.
std::string default_project_name(const std::filesystem::path& dir);

// Writes the project. Errors (nothing is written for the first three):
//   errc::invalid_argument  the name is not valid_project_name (after defaulting);
//                           dir exists and is not a directory; dir is a non-empty directory
//                           and !force
//   errc::unavailable       a directory or file could not be created or written (the message
//                           names it; files written before it stay)
[[nodiscard]] core::result<init_report> init_project(const init_options& opts);

// The installation prefix of the running executable when it sits in <prefix>/bin next to an
// installed esser CMake package (<prefix>/lib*/cmake/esser); empty otherwise (a build tree).
std::string installed_esser_prefix();

}  // namespace esser::emulator

#pragma once
// How a zip function's Runtime runs on this machine, natively, without containers (issue 13;
// DESIGN.md "Emulator behaviour"; spec/streams-and-lambda.md §5.2):
//
//   provided.al2023, provided.al2, provided   <package>/bootstrap, as AWS runs a custom runtime
//   python3.N                                 python3.N (else python3) -u
//   <shims>/python/bootstrap.py nodejs<N>.x                               node
//   <shims>/nodejs/bootstrap.js
//
// Interpreters come from the machine (Debian's python3 and node): a search path is searched
// when the function is created or updated, and the command holds the absolute path found. The
// default searches the system directories first, then the PATH esser-local was started with
// (so a version manager's shims do not come before the system's interpreter). A python3.N
// function runs on python3.N when the machine has it, otherwise on the machine's python3 (the
// closest thing a local emulator can offer; GetFunction shows the interpreter in Esser.Command).
//
// The shims ship with esser-local: emulator/runtimes/ in the source tree, installed to
// <prefix>/share/esser/runtimes. default_runtime_directory() finds them.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/error.hpp"

namespace esser::emulator {

// The command (program and arguments) that runs `runtime` for a package unzipped in
// `package_dir`, with the shims in `runtime_dir`. Errors (AWS's exception names in `type`):
//  - ValidationException: not a Lambda runtime name at all;
//  - InvalidParameterValueException: a Lambda runtime esser-local cannot run (java, dotnet,
//    ruby), a missing interpreter, missing shims, or a handler missing for python/nodejs.
core::result<std::vector<std::string>> zip_runtime_command(std::string_view runtime,
                                                           std::string_view handler,
                                                           const std::filesystem::path& package_dir,
                                                           const std::filesystem::path& runtime_dir,
                                                           std::string_view search_path);

// "/usr/local/bin:/usr/bin:/bin:" followed by $PATH.
std::string default_interpreter_path();

// Where the runtime shims are: $ESSER_RUNTIME_DIR when set; else <dir of the running
// executable>/../share/esser/runtimes (an installed esser-local); else the source tree's
// emulator/runtimes (a build-tree esser-local); else the install prefix's share/esser/runtimes.
// Empty when none of them holds the shims.
std::filesystem::path default_runtime_directory();

// The absolute path of `program` found on `path_list` (a PATH value), or empty.
std::filesystem::path find_on_path(std::string_view program, std::string_view path_list);

}  // namespace esser::emulator

#pragma once
// Where the tests' custom runtimes are, and function configs that run them (issue 5).

#include <string>
#include <vector>

#include "esser/emulator/lambda/function_config.hpp"

namespace esser::emulator::testing {

// The C++ runtime (support/test_runtime.cpp), built next to the test binary.
inline std::string test_runtime_path() {
    return std::string(ESSER_BINARY_DIR) + "/tests/emulator/lambda/esser-test-runtime";
}

// The curl shell runtime (support/curl_runtime.sh).
inline std::string curl_runtime_path() {
    return std::string(ESSER_SOURCE_DIR) + "/tests/emulator/lambda/support/curl_runtime.sh";
}

// An executable function running the C++ test runtime with `args`; short timeouts so failure
// cases finish fast.
inline function_config test_runtime_config(std::string name, std::vector<std::string> args = {}) {
    function_config c;
    c.name = std::move(name);
    c.kind = function_kind::executable;
    c.handler = "test.handler";
    c.command = {test_runtime_path()};
    for (auto& a : args) c.command.push_back(std::move(a));
    c.timeout = std::chrono::milliseconds(2000);
    c.init_timeout = std::chrono::milliseconds(5000);
    c.max_concurrency = 2;
    return c;
}

}  // namespace esser::emulator::testing

#pragma once
// Runs the whole esser-local CLI in-process (esser_local_main) and keeps what it printed: the
// tests of every subcommand (cli_test.cpp, init_command_test.cpp) use it.
#include <sstream>
#include <string>
#include <vector>

#include "esser/emulator/app/commands.hpp"

namespace esser::test {

struct cli_result {
    int code;
    std::string out, err;
};

inline cli_result run_cli(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int code = esser::emulator::esser_local_main(args, {out, err});
    return {code, out.str(), err.str()};
}

}  // namespace esser::test

// esser-scenarios: runs scenario files from the command line and from CTest (issue 7). The same
// command is `esser-local test` once esser-local exists; both call run_scenarios_command().
#include <iostream>
#include <string>
#include <vector>

#include "esser/emulator/testing/scenario_runner.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return esser::emulator::run_scenarios_command(args, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "esser-scenarios: internal error: " << e.what() << "\n";
        return 3;
    }
}

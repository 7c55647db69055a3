// esser-local: see `esser-local --help` and emulator/include/esser/emulator/app/commands.hpp.
#include <iostream>
#include <string>
#include <vector>

#include "esser/emulator/app/commands.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return esser::emulator::esser_local_main(args, {std::cout, std::cerr});
    } catch (const std::exception& e) {
        std::cerr << "esser-local: internal error: " << e.what() << "\n";
        return esser::emulator::exit_failure;
    }
}

// esser::testing from the installed package: a given-when-then test on the shop domain.
#include <cstdio>
#include <exception>

#include "esser/core/domain_file.hpp"
#include "esser/emulator/testing/aggregate_fixture.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer_tests DOMAIN_FILE\n");
        return 2;
    }
    auto domain = esser::core::load_domain_file(argv[1]);
    if (!domain) {
        std::fprintf(stderr, "consumer_tests: %s\n", domain.error().message.c_str());
        return 1;
    }
    try {
        esser::emulator::aggregate_fixture fx(*domain);
        fx.on("Item", "item-1")
            .given_nothing()
            .when({{"command", "CreateItem"}, {"data", {{"name", "Choc"}, {"price", 10.5}}}})
            .then_events({{{"type", "ItemCreated"}, {"data", {{"name", "Choc"}, {"price", 10.5}}}}})
            .then_state({{"name", "Choc"}, {"price", 10.5}}, esser::emulator::diff_mode::subset);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer_tests: %s\n", e.what());
        return 1;
    }
    std::printf("consumer_tests: given-when-then through esser::testing passed\n");
    return 0;
}

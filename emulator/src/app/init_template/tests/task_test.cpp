// Given-when-then tests of the Task aggregate in C++ (Catch2 v2 + esser::testing). They run the
// production command handler on the production DynamoDB event store code, over an in-process
// DynamoDB, with a manual clock and seeded ids: no network, no sleeps, same result every run.
#define CATCH_CONFIG_MAIN
#include <stdexcept>

#include "task_domain.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/testing/aggregate_fixture.hpp"

using esser::emulator::aggregate_fixture;
using esser::emulator::diff_mode;
using nlohmann::json;

namespace {

// The domain file plus the C++ reducer (src/task_domain.hpp), loaded once.
std::shared_ptr<const esser::core::domain> task_domain() {
    static const auto domain = [] {
        auto d = tasks::load_task_domain(DOMAIN_FILE);
        if (!d)
            throw std::runtime_error(d.error().describe());
        return *d;
    }();
    return domain;
}

const json created = {{"type", "TaskCreated"},
                      {"data", {{"title", "Write the docs"}, {"estimate_hours", 8}}}};

}  // namespace

TEST_CASE("logging work counts the remaining hours down", "[task]") {
    aggregate_fixture fx(task_domain());
    fx.on("Task", "task-1")
        .given({created})
        .when({{"command", "LogWork"}, {"data", {{"hours", 3}}}})
        .then_events({{{"type", "WorkLogged"}, {"data", {{"hours", 3}}}}})
        .then_state({{"hours_logged", 3}, {"remaining_hours", 5.0}}, diff_mode::subset);
}

TEST_CASE("remaining hours stop at zero when more work is logged than estimated", "[task]") {
    aggregate_fixture fx(task_domain());
    fx.on("Task", "task-1")
        .given({created, {{"type", "WorkLogged"}, {"data", {{"hours", 6}}}}})
        .when({{"command", "LogWork"}, {"data", {{"hours", 4}}}})
        .then_state({{"hours_logged", 10}, {"remaining_hours", 0.0}}, diff_mode::subset);
}

TEST_CASE("renaming a task to its current title is rejected", "[task]") {
    aggregate_fixture fx(task_domain());
    fx.on("Task", "task-1")
        .given({created})
        .when({{"command", "RenameTask"}, {"data", {{"title", "Write the docs"}}}})
        .then_error("validation", "/title", "already has the value")
        .then_no_events();
}

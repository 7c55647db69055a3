#pragma once
// The Task domain in C++: domain.json (declarative, what `esser-local serve` and the scenario
// files run) plus the reducer functions below, which the file does not express.
//
//   auto domain = tasks::load_task_domain("domain.json");  // result<shared_ptr<const domain>>
//   core::command_handler handler(**domain, store, clock, ids);
//
// The domain file stays plain data so that every esser tool can load it; C++ adds steps to its
// reducer through core::read_domain (a builder), so the C++ build of the domain (your command
// Lambda, the Catch2 tests) keeps `remaining_hours` in each Task's state as well.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "esser/core/domain.hpp"
#include "esser/core/error.hpp"
#include "esser/core/event.hpp"

namespace tasks {

// A reducer_fn: after TaskCreated and WorkLogged, sets state.remaining_hours to
// estimate_hours - hours_logged, never below 0. Pure: reads only the state it folds.
void track_remaining_hours(nlohmann::json& state, const esser::core::event& e);

// Reads the domain file and adds the C++ reducer steps. errc::not_found when the file is
// missing, errc::parse_error / errc::invalid_domain (every problem by JSON Pointer) otherwise.
esser::core::result<std::shared_ptr<const esser::core::domain>> load_task_domain(
    const std::string& path);

}  // namespace tasks

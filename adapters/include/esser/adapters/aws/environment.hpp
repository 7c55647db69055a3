#pragma once
// Where configuration comes from: a lookup of environment variables by name. Injected so that
// tests (and esser-local, which configures functions it spawns) never touch the process
// environment; production passes process_environment.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace esser::adapters {

// Returns the variable's value, or nullopt when it is unset. Callers treat an empty value as
// unset, as the AWS SDKs do.
using environment_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// getenv(3). Thread-safe as long as nobody calls setenv concurrently.
std::optional<std::string> process_environment(std::string_view name);

}  // namespace esser::adapters

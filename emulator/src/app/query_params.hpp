#pragma once
// Query-parameter helpers shared by the esser API's routes (esser_api, projection_api).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "esser/core/error.hpp"
#include "esser/emulator/http/http_request.hpp"

namespace esser::emulator {

// A query parameter that must be a whole number in [min, max] when present. Returns nullopt
// when absent; an error naming "/<name>" when malformed (also for a bad percent-encoding).
core::result<std::optional<std::uint64_t>> number_param(const http_request& req,
                                                        std::string_view name, std::uint64_t min,
                                                        std::uint64_t max);

// Every query parameter, in order, percent-decoded ('+' is a space). A malformed escape is an
// errc::validation naming the parameter; an empty query gives no pairs.
core::result<std::vector<std::pair<std::string, std::string>>> query_params(
    const http_request& req);

}  // namespace esser::emulator

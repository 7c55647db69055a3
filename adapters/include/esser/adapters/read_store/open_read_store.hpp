#pragma once
// One call from a configuration string to a read store: what esser-local's `--read-store` and the
// esser API use (issue 9). Forms:
//
//   memory:                       core::memory_read_store (nothing persists)
//   sqlite::memory:               SQLite in memory
//   sqlite:PATH | sqlite://PATH   SQLite file PATH (created when missing; WAL)
//   postgres://... | postgresql://...   PostgreSQL; the whole URL is the libpq connection string
//
// Errors: errc::invalid_argument naming the accepted forms for anything else; otherwise what the
// store's open() returns (errc::unavailable for an unreachable server or an unopenable file).

#include <memory>
#include <string_view>

#include "esser/core/read_store.hpp"

namespace esser::adapters {

struct read_store_settings {
    bool read_only = false;  // SQLite: open the file read-only (an API process beside a writer)
};

[[nodiscard]] core::result<std::unique_ptr<core::read_store>> open_read_store(
    std::string_view url, const read_store_settings& settings = {});

}  // namespace esser::adapters

#include "esser/adapters/read_store/open_read_store.hpp"

#include <fmt/format.h>

#include "esser/adapters/postgres/postgres_read_store.hpp"
#include "esser/adapters/sqlite/sqlite_read_store.hpp"
#include "esser/core/memory_read_store.hpp"

namespace esser::adapters {

core::result<std::unique_ptr<core::read_store>> open_read_store(
    std::string_view url, const read_store_settings& settings) {
    auto starts = [&](std::string_view p) { return url.substr(0, p.size()) == p; };
    if (url == "memory:")
        return std::unique_ptr<core::read_store>(std::make_unique<core::memory_read_store>());
    if (starts("sqlite:")) {
        std::string_view path = url.substr(7);
        if (path.substr(0, 2) == "//")
            path.remove_prefix(2);
        if (path.empty()) {
            return core::fail(core::error::invalid_argument(
                "read store URL \"sqlite:\" names no file (use sqlite:PATH or sqlite::memory:)"));
        }
        sqlite_read_store::options o;
        o.path = std::string(path);
        o.read_only = settings.read_only;
        auto s = sqlite_read_store::open(std::move(o));
        if (!s)
            return core::fail(std::move(s).error());
        return std::unique_ptr<core::read_store>(std::move(*s));
    }
    if (starts("postgres://") || starts("postgresql://")) {
        postgres_read_store::options o;
        o.conninfo = std::string(url);
        auto s = postgres_read_store::open(std::move(o));
        if (!s)
            return core::fail(std::move(s).error());
        return std::unique_ptr<core::read_store>(std::move(*s));
    }
    return core::fail(core::error::invalid_argument(
        fmt::format("unknown read store \"{}\": use memory:, sqlite:PATH, sqlite::memory: or "
                    "postgres://user@host:port/db",
                    url)));
}

}  // namespace esser::adapters

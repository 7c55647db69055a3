// Issue 9: `--read-store URL` and the esser API open their store with open_read_store().

#include "esser/adapters/read_store/open_read_store.hpp"

#include "adapters/read_store_backends.hpp"

using esser::adapters::open_read_store;
using esser::core::document;
using esser::core::errc;
using esser::testing::temp_dir;

namespace {

// Writes through one store and reads back through it: the URL gave a working store.
void round_trip(esser::core::read_store& s) {
    REQUIRE(s.upsert("probe", document{"p", 1, {{"ok", true}}, "t"}).value());
    CHECK(s.get("probe", "p").value()->body == nlohmann::json{{"ok", true}});
}

}  // namespace

TEST_CASE("open_read_store opens memory, SQLite and PostgreSQL stores from a URL",
          "[adapters][open_read_store]") {
    temp_dir dir;
    SECTION("memory:") {
        round_trip(*open_read_store("memory:").value());
    }
    SECTION("sqlite::memory:") {
        round_trip(*open_read_store("sqlite::memory:").value());
    }
    SECTION("sqlite:PATH and sqlite://PATH name the same file") {
        const std::string path = dir.file("rs.db");
        round_trip(*open_read_store("sqlite:" + path).value());
        auto again = open_read_store("sqlite://" + path).value();
        CHECK(again->get("probe", "p").value().has_value());
        esser::adapters::read_store_settings ro;
        ro.read_only = true;
        auto reader = open_read_store("sqlite:" + path, ro).value();
        CHECK(
            reader->upsert("probe", document{"q", 1, nlohmann::json::object(), "t"}).error().code ==
            errc::unavailable);
    }
    SECTION("postgres:// and postgresql://") {
        auto url = esser::testing::postgres_server::shared().url();
        auto s = open_read_store(url).value();
        REQUIRE(s->drop("probe").has_value());
        round_trip(*s);
        url.replace(0, std::string("postgresql").size(), "postgres");
        CHECK(open_read_store(url).value()->get("probe", "p").value().has_value());
    }
}

TEST_CASE("open_read_store refuses an unknown URL naming the accepted forms",
          "[adapters][open_read_store]") {
    for (const char* bad : {"", "mysql://x", "sqlite:", "sqlite://", "memory", "/tmp/x.db"}) {
        auto s = open_read_store(bad);
        INFO(bad);
        REQUIRE_FALSE(s.has_value());
        CHECK(s.error().code == errc::invalid_argument);
    }
    CHECK(open_read_store("mysql://x").error().message.find("sqlite:PATH") != std::string::npos);
    CHECK(open_read_store("sqlite:/no/such/dir/x.db").error().code == errc::unavailable);
}

// Issue 9, bad input for the PostgreSQL read store: a server that goes away and comes back (the
// store reconnects; writes during the outage fail as typed errors and are not lost once
// retried), a malformed connection string, an unreachable server. Also checks the test server
// itself (run as nobody under root; a clear message when PostgreSQL is not installed).

#include "esser/adapters/postgres/postgres_read_store.hpp"

#include <cstdlib>
#include <fstream>
#include <thread>

#include "adapters/read_store_backends.hpp"
#include <unistd.h>

using esser::adapters::postgres_read_store;
using esser::core::document;
using esser::core::errc;
using esser::core::write_op;
using esser::testing::postgres_server;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

document doc(std::string id, std::uint64_t v) {
    return document{std::move(id), v, {{"v", v}}, "2024-01-01T00:00:00.000Z"};
}

}  // namespace

TEST_CASE("postgres read store reconnects after the server is killed and restarted",
          "[adapters][postgres_read_store]") {
    auto server = postgres_server::start();
    postgres_read_store::options o;
    o.conninfo = server->url();
    o.retry_for = 300ms;
    o.backoff_initial = 10ms;
    o.backoff_max = 50ms;
    o.connect_timeout_s = 2;
    auto opened = postgres_read_store::open(o);
    REQUIRE(opened.has_value());
    auto& store = **opened;
    REQUIRE(
        store
            .write({write_op::upsert("items", doc("a", 1)), write_op::upsert("carts", doc("c", 1))})
            .value() == 2);
    CHECK(store.connections() == 1);

    server->kill();  // SIGKILL: no goodbye to the clients

    // During the outage: typed, retryable errors, after at most retry_for.
    const auto t0 = std::chrono::steady_clock::now();
    auto w = store.write(
        {write_op::upsert("items", doc("b", 1)), write_op::upsert("items", doc("a", 2))});
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error().code == errc::unavailable);
    CHECK(w.error().retryable());
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);
    auto g = store.get("items", "a");
    REQUIRE_FALSE(g.has_value());
    CHECK(g.error().code == errc::unavailable);

    server->restart();

    // The same batch again (what the stream does with a failed record) now lands.
    CHECK(
        store
            .write({write_op::upsert("items", doc("b", 1)), write_op::upsert("items", doc("a", 2))})
            .value() == 2);
    CHECK(store.get("items", "a").value()->version == 2);
    CHECK(store.get("items", "b").value()->version == 1);
    CHECK(store.get("carts", "c").value().has_value());
    CHECK(store.connections() >= 2);

    // An outage shorter than retry_for is ridden out transparently: the call blocks, reconnects
    // and succeeds. (The server is restarted from this thread: its parent-death signal follows
    // the thread that started it.)
    server->kill();
    postgres_read_store::options patient = o;
    patient.retry_for = 60s;
    esser::core::result<bool> during;
    std::thread writer([&] {
        auto p = postgres_read_store::open(patient);
        if (!p) {
            during = esser::core::fail(p.error());
            return;
        }
        during = (*p)->upsert("items", doc("d", 1));
    });
    std::this_thread::sleep_for(200ms);
    server->restart();
    writer.join();
    if (!during)
        FAIL(during.error().describe());
    CHECK(*during);
    CHECK(store.get("items", "d").value()->version == 1);  // `store` reconnected as well
    CHECK(store.list("items", {}).value().items.size() == 3);
}

TEST_CASE("postgres read store refuses a malformed connection string and reports a dead server",
          "[adapters][postgres_read_store]") {
    postgres_read_store::options o;
    o.conninfo = "host=127.0.0.1 port";
    auto bad = postgres_read_store::open(o);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::invalid_argument);

    o.conninfo = "postgresql://postgres@127.0.0.1:1/postgres";  // nothing listens on port 1
    o.retry_for = 50ms;
    o.backoff_initial = 10ms;
    auto dead = postgres_read_store::open(o);
    REQUIRE_FALSE(dead.has_value());
    CHECK(dead.error().code == errc::unavailable);
    CHECK(dead.error().type == "connection");
    CHECK(dead.error().message.find("cannot connect") != std::string::npos);
}

// initdb refuses to run as root, and CI may run as root: the test server then runs as nobody.
TEST_CASE("postgres test server runs as nobody under root and names what to install when missing",
          "[adapters][postgres_read_store]") {
    auto& server = postgres_server::shared();
    std::ifstream status("/proc/" + std::to_string(server.pid()) + "/status");
    std::string line;
    std::string uid;
    while (std::getline(status, line)) {
        if (line.rfind("Uid:", 0) == 0)
            uid = line;
    }
    REQUIRE_FALSE(uid.empty());
    const unsigned expected = ::geteuid() == 0 ? 65534u : ::geteuid();
    CHECK(uid.find("\t" + std::to_string(expected) + "\t") != std::string::npos);

    const char* old = std::getenv("ESSER_PG_BIN");
    const std::string saved = old ? old : "";
    ::setenv("ESSER_PG_BIN", "/nonexistent/postgresql/bin", 1);
    std::string message;
    try {
        (void)postgres_server::find_binaries();
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    if (old) {
        ::setenv("ESSER_PG_BIN", saved.c_str(), 1);
    } else {
        ::unsetenv("ESSER_PG_BIN");
    }
    CHECK(message.find("apt-get install postgresql") != std::string::npos);
    CHECK(message.find("/nonexistent/postgresql/bin") != std::string::npos);
}

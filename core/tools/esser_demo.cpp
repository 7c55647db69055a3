// esser-demo: runs the seed's story on a domain file with the core engine and an in-memory
// store, printing each command, its events and the resulting state. `make run` starts it until
// esser-local exists.
//
//   esser-demo [DOMAIN_FILE]      (default: scenarios/shop/domain.json next to the sources)
//
// Exit code: 0 on success, 1 when the domain cannot be loaded or a step fails unexpectedly.
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "esser/core/aggregate_repository.hpp"
#include "esser/core/clock.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/id_source.hpp"

namespace core = esser::core;
using nlohmann::json;

namespace {

// The smallest event_store that works: a map of streams, for the demo only (tests use
// tests/core/memory_event_store, which checks the full contract).
class demo_store final : public core::event_store {
public:
    core::result<std::uint64_t> append(const core::stream_id& s,
                                       std::vector<core::event> events) override {
        std::lock_guard lock(mu_);
        auto& st = streams_[s.key()];
        if (events.empty() || events.front().version != st.size() + 1) {
            return core::fail(core::error::version_conflict("version exists"));
        }
        for (auto& e : events) st.push_back(std::move(e));
        return st.size();
    }

    core::result<std::vector<core::event>> read(const core::stream_id& s, std::uint64_t after,
                                                std::uint64_t up_to) override {
        std::lock_guard lock(mu_);
        std::vector<core::event> out;
        for (const auto& e : streams_[s.key()]) {
            if (e.version > after && e.version <= up_to)
                out.push_back(e);
        }
        return out;
    }

    core::result<std::optional<core::snapshot>> load_snapshot(const core::stream_id&,
                                                              std::uint64_t) override {
        return std::optional<core::snapshot>{};
    }

    core::result<void> save_snapshot(const core::snapshot&) override { return {}; }

private:
    std::mutex mu_;
    std::map<std::string, std::vector<core::event>> streams_;
};

}  // namespace

int main(int argc, char** argv) {
    const std::string path =
        argc > 1 ? argv[1] : std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json";
    auto d = core::load_domain_file(path);
    if (!d) {
        fmt::print(stderr, "{}\n", d.error().describe());
        return 1;
    }
    fmt::print("esser core demo on {} ({} entities)\n\n", path, (*d)->entities().size());
    demo_store store;
    core::manual_clock clock;
    core::seeded_id_source ids(42);
    core::command_handler handler(*d, store, clock, ids);

    auto send = [&](const std::string& entity, const std::string& name, const std::string& id,
                    json data) -> std::string {
        core::command c;
        c.entity = entity;
        c.name = name;
        c.id = id;
        c.data = std::move(data);
        clock.advance(std::chrono::seconds(1));
        fmt::print("> {}.{} {}\n", entity, name, c.data.dump());
        auto r = handler.handle(c);
        if (!r) {
            fmt::print("  refused: {}\n\n", r.error().describe());
            return {};
        }
        for (const auto& e : r->events) fmt::print("  event  {}\n", json(e).dump());
        fmt::print("  state  {}\n\n", r->state.dump());
        return r->stream.id;
    };

    if (!(*d)->find("Item") || !(*d)->find("Basket")) {
        fmt::print("The story below needs the shop domain's Item and Basket.\n");
        return 0;
    }
    const auto choc = send("Item", "CreateItem", "", {{"name", "Yummy Choc"}, {"price", 10.5}});
    send("Item", "UpdatePrice", choc, {{"price", 12.5}});
    send("Item", "UpdatePrice", choc, {{"price", 12.5}});  // x-diff refuses the same price
    send("Item", "AddColors", choc, {{"colors", {"orange", "black"}}});
    send("Item", "CreateItem", "", {{"name", "Donut"}, {"price", "5.50"}});  // wrong type
    const auto basket = send("Basket", "CreateBasket", "", {{"name", "weekly"}});
    send("Basket", "AddItemWithExistenceValidation", basket, {{"item_id", "no-such-item"}});
    send("Basket", "AddItemWithProjection", basket, {{"item_id", choc}});
    send("Item", "DeleteItem", choc, {{"deleted_by", "demo"}});
    send("Item", "UpdatePrice", choc, {{"price", 1}});  // deleted: refused
    core::aggregate_repository repo(*d, store);
    fmt::print("state of the item at version 2: {}\n",
               repo.state_at({"Item", choc}, 2).value().dump());
    return 0;
}

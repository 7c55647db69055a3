#pragma once
// The seed's shop domain (scenarios/shop/domain.json) wired to an in-memory store, a manual
// clock and seeded ids: what most core tests start from.

#include <memory>
#include <string>

#include "core/memory_event_store.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/command_schema.hpp"
#include "esser/core/domain_file.hpp"
#include "esser/core/id_source.hpp"

namespace esser::testing {

inline std::string shop_domain_path() {
    return std::string(ESSER_SOURCE_DIR) + "/scenarios/shop/domain.json";
}

inline std::shared_ptr<const core::domain> load_shop(const core::function_registry& fns = {}) {
    auto d = core::load_domain_file(shop_domain_path(), fns);
    if (!d)
        FAIL("shop domain failed to load: " << d.error().describe());
    return *d;
}

struct shop_fixture {
    std::shared_ptr<const core::domain> domain = load_shop();
    memory_event_store store;
    core::manual_clock clock;
    core::seeded_id_source ids{42};
    core::command_handler handler{domain, store, clock, ids};

    core::result<core::command_result> send(
        const std::string& entity, const std::string& name, const std::string& id,
        nlohmann::json data, core::expected_version ev = core::expected_version::any(),
        const std::string& command_id = "") {
        core::command c;
        c.entity = entity;
        c.name = name;
        c.id = id;
        c.data = std::move(data);
        c.expected = ev;
        c.command_id = command_id;
        return handler.handle(c);
    }

    // Creates an item and returns its id (fails the test otherwise).
    std::string create_item(const std::string& name = "Yummy Choc", double price = 10.5) {
        auto r = send("Item", "CreateItem", "", {{"name", name}, {"price", price}});
        if (!r)
            FAIL("CreateItem failed: " << r.error().describe());
        return r->stream.id;
    }
};

// The JSON Pointers of an error's fields, in order.
inline std::vector<std::string> pointers(const core::error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields) out.push_back(f.pointer);
    return out;
}

// `schema` compiled as a command schema at "/s"; fails the test if it does not compile.
inline std::shared_ptr<const core::command_schema> compile_schema(const nlohmann::json& schema) {
    auto r = core::command_schema::compile(schema, "/s");
    if (!r)
        FAIL(r.error().describe());
    return *r;
}

}  // namespace esser::testing

// Covers issue 2 (signals): received, pre_save (veto) and post_save with sender filters.
#include "esser/core/signals.hpp"

#include <catch2/catch.hpp>

using namespace esser::core;
using nlohmann::json;

TEST_CASE("receivers see only what their sender filter matches", "[core][signals]") {
    signals s;
    std::vector<std::string> seen;
    s.on_received({}, [&](const command& c) { seen.push_back("any:" + c.name); });
    s.on_received({.entity = "Item", .command = "UpdatePrice"},
                  [&](const command& c) { seen.push_back("price:" + c.id); });
    s.on_post_save({.event_type = "PriceUpdated"},
                   [&](const event& e) { seen.push_back("saved:" + e.type); });
    s.on_post_save({.entity = "Basket"},
                   [&](const event& e) { seen.push_back("basket:" + e.type); });

    REQUIRE(s.emit_received(command{"Item", "UpdatePrice", "i-1"}));
    REQUIRE(s.emit_received(command{"Item", "CreateItem", "i-2"}));
    REQUIRE(s.emit_received(command{"Basket", "UpdatePrice", "b-1"}));
    event e;
    e.entity = "Item";
    e.type = "PriceUpdated";
    REQUIRE(s.emit_post_save(e));
    e.entity = "Basket";
    e.type = "ItemAdded";
    REQUIRE(s.emit_post_save(e));
    CHECK(seen == std::vector<std::string>{"any:UpdatePrice", "price:i-1", "any:CreateItem",
                                           "any:UpdatePrice", "saved:PriceUpdated",
                                           "basket:ItemAdded"});
}

TEST_CASE("a pre_save veto stops later receivers and is returned", "[core][signals]") {
    signals s;
    int later = 0;
    s.on_pre_save({.event_type = "PriceUpdated"}, [](const pre_save_args& a) -> result<void> {
        if (a.events.front().data.value("price", -1) == 0)
            return fail(error::vetoed("Free", "nothing is free"));
        return {};
    });
    s.on_pre_save({}, [&](const pre_save_args&) { ++later; });
    command c{"Item", "UpdatePrice", "i"};
    aggregate before;
    std::vector<event> events(1);
    events[0].type = "PriceUpdated";
    events[0].data = {{"price", 0}};
    auto r = s.emit_pre_save({c, before, events});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::vetoed);
    CHECK(r.error().type == "Free");
    CHECK(later == 0);
    events[0].data = {{"price", 1}};
    CHECK(s.emit_pre_save({c, before, events}));
    events[0].type = "Other";
    events[0].data = {{"price", 0}};
    CHECK(s.emit_pre_save({c, before, events}));  // the event filter does not match
    CHECK(later == 2);
}

TEST_CASE("an exception escaping a receiver becomes an internal error", "[core][signals]") {
    signals s;
    s.on_post_save({}, [](const event&) -> result<void> { throw std::runtime_error("kaput"); });
    auto r = s.emit_post_save(event{});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::internal);
    CHECK_THAT(r.error().message, Catch::Contains("post_save") && Catch::Contains("kaput"));
}

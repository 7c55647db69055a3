// Issue 6 (Query of 100 events over HTTP): deferred_items holds one text answer's items,
// copied once, each followed by readable padding, and the nodes that stand for them in the
// response document.
#include "deferred_items.hpp"

#include <string>

#include <catch2/catch.hpp>

using esser::emulator::deferred_items;

TEST_CASE("deferred_items keeps copies of the items, each followed by padding",
          "[emulator][dynamo][deferred_items]") {
    deferred_items items;
    CHECK(items.size() == 0);
    CHECK(items.item_bytes() == 0);
    std::string first = "first item";
    const std::string big(100000, 'b');
    CHECK(items.add(first) == 0);
    CHECK(items.add("") == 1);
    CHECK(items.add(big) == 2);
    first = "changed";  // the copy does not change with its source
    REQUIRE(items.size() == 3);
    CHECK(items.item(0) == "first item");
    CHECK(items.item(1).empty());
    CHECK(items.item(2) == big);
    CHECK(items.item_bytes() == 10 + big.size());
    for (std::uint32_t i = 0; i < items.size(); ++i) {
        const std::string_view v = items.item(i);
        // The padding (or the next item) can be read behind every item.
        std::string after(v.data() + v.size(), deferred_items::padding);
        CHECK(after.size() == deferred_items::padding);
    }
    const std::string_view last = items.item(2);
    CHECK(std::string(last.data() + last.size(), deferred_items::padding) ==
          std::string(deferred_items::padding, '\0'));
}

TEST_CASE("deferred_items nodes say what they stand for; other binary nodes are not theirs",
          "[emulator][dynamo][deferred_items]") {
    auto one = deferred_items::node_of(deferred_items::item_node(7).get_binary());
    REQUIRE(one);
    CHECK(one->first == 7);
    CHECK(one->count == 1);
    CHECK_FALSE(one->list);
    auto run = deferred_items::node_of(deferred_items::list_node(3, 100).get_binary());
    REQUIRE(run);
    CHECK(run->first == 3);
    CHECK(run->count == 100);
    CHECK(run->list);
    CHECK_FALSE(deferred_items::node_of(nlohmann::json::binary({1, 2, 3}, 7).get_binary()));
    CHECK_FALSE(
        deferred_items::node_of(nlohmann::json::binary({1, 2, 3, 4, 5, 6, 7, 8}).get_binary()));
    CHECK_FALSE(deferred_items::node_of(
        nlohmann::json::binary({1, 2, 3}, deferred_items::item_subtype).get_binary()));
}

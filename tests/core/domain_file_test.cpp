// Covers issue 2 (domain file + "Bad input"): the shop file loads; malformed files, invalid
// JSON Schemas, unknown reducer ops, unknown references are typed errors naming the file and the
// JSON Pointer with what to do; never a crash or an abort.
#include "esser/core/domain_file.hpp"

#include <cstdio>
#include <fstream>

#include "core/shop_fixture.hpp"
#include <catch2/catch.hpp>

using namespace esser::core;
using esser::testing::pointers;
using nlohmann::json;

namespace {

json shop_doc() {
    return read_json_file(esser::testing::shop_domain_path()).value();
}

// Loads `doc` and returns its error (failing the test when it loads).
error problems_of(const json& doc, const function_registry& fns = {}) {
    auto d = load_domain(doc, fns, "test.json");
    if (d)
        FAIL("expected the domain to be refused");
    return d.error();
}

}  // namespace

TEST_CASE("the shop domain file loads with its entities and commands", "[core][domain_file]") {
    auto d = load_domain_file(esser::testing::shop_domain_path());
    REQUIRE(d);
    const domain& shop = **d;
    CHECK(shop.name() == "shop");
    REQUIRE(shop.find("Item"));
    REQUIRE(shop.find("Basket"));
    const entity_def& item = *shop.find("Item");
    CHECK(item.commands.size() == 4);
    CHECK(item.find_command("CreateItem")->kind == command_kind::create);
    CHECK(item.find_command("UpdatePrice")->kind == command_kind::update);
    CHECK(item.find_command("DeleteItem")->kind == command_kind::delete_);
    CHECK(item.find_command("UpdatePrice")->compiled->keywords().size() == 1);
    CHECK(item.reduce.event_types() ==
          std::vector<std::string>{"ColorsAdded", "ItemCreated", "ItemDeleted", "PriceUpdated"});
    CHECK(item.snapshots.every == 50);
    CHECK(shop.find("Basket")->initial_state == json{{"items", json::array()}});
}

TEST_CASE("a file that is not JSON is a parse error with line and column", "[core][domain_file]") {
    const std::string path = std::string(ESSER_BINARY_DIR) + "/broken-domain.json";
    {
        std::ofstream out(path);
        out << "{\n  \"esser\": 1,\n  \"entities\": {,}\n}\n";
    }
    auto d = load_domain_file(path);
    std::remove(path.c_str());
    REQUIRE_FALSE(d);
    CHECK(d.error().code == errc::parse_error);
    CHECK(d.error().source == path);
    REQUIRE(d.error().fields.size() == 1);
    CHECK_THAT(d.error().fields[0].reason, Catch::StartsWith("line 3, column 16"));
    CHECK_THAT(d.error().describe(), Catch::Contains(path));
}

TEST_CASE("a missing file is not_found naming it", "[core][domain_file]") {
    auto d = load_domain_file("/nonexistent/domain.json");
    REQUIRE_FALSE(d);
    CHECK(d.error().code == errc::not_found);
    CHECK(d.error().source == "/nonexistent/domain.json");
}

TEST_CASE("structural problems are listed together by JSON Pointer", "[core][domain_file]") {
    SECTION("not an object") {
        auto e = problems_of(json::array());
        CHECK(e.code == errc::invalid_domain);
        CHECK(e.source == "test.json");
        CHECK(pointers(e) == std::vector<std::string>{"", "/entities"});
    }
    SECTION("typos in member names, wrong version") {
        json doc = shop_doc();
        doc["esser"] = 2;
        doc["entites"] = json::object();
        doc["entities"]["Item"]["comands"] = json::object();
        doc["entities"]["Item"]["commands"]["UpdatePrice"]["evnt"] = "x";
        auto e = problems_of(doc);
        CHECK(pointers(e) == std::vector<std::string>{"/entites", "/esser",
                                                      "/entities/Item/comands",
                                                      "/entities/Item/commands/UpdatePrice/evnt"});
        CHECK_THAT(e.fields[0].reason, Catch::Contains("unknown member 'entites'"));
    }
    SECTION("wrong types and kinds") {
        json doc = shop_doc();
        doc["entities"]["Item"]["commands"]["UpdatePrice"]["kind"] = "destroy";
        doc["entities"]["Item"]["snapshot"]["every"] = -1;
        doc["entities"]["Basket"]["commands"] = json::array();
        doc["entities"]["Basket"].erase("reducer");
        auto e = problems_of(doc);
        CHECK(pointers(e) == std::vector<std::string>{"/entities/Basket/commands",
                                                      "/entities/Item/snapshot/every",
                                                      "/entities/Item/commands/UpdatePrice/kind"});
    }
    SECTION("a command without an event") {
        json doc = shop_doc();
        doc["entities"]["Item"]["commands"]["UpdatePrice"].erase("event");
        auto e = problems_of(doc);
        CHECK(pointers(e) == std::vector<std::string>{"/entities/Item/reducer/on_PriceUpdated",
                                                      "/entities/Item/commands/UpdatePrice/event"});
    }
    SECTION("names that are not identifiers") {
        json doc = shop_doc();
        doc["entities"]["It#em"] = doc["entities"]["Item"];
        doc["entities"].erase("Item");
        doc["entities"]["Basket"]["commands"]["AddItemWithExistenceValidation"]["schema"]
           ["properties"]["item_id"]
               .erase("x-aggregate-exists");
        doc["entities"]["Basket"]["commands"]["AddItemWithProjection"]["schema"]["properties"]
           ["item_id"]
               .erase("x-project");
        auto e = problems_of(doc);
        CHECK(pointers(e) == std::vector<std::string>{"/entities/It#em"});
    }
}

TEST_CASE("an invalid JSON Schema names the pointer inside the file", "[core][domain_file]") {
    json doc = shop_doc();
    doc["entities"]["Item"]["commands"]["CreateItem"]["schema"]["properties"]["price"]["type"] =
        "float";
    doc["entities"]["Item"]["commands"]["UpdatePrice"]["schema"]["properties"]["price"]["diff"] =
        true;
    auto e = problems_of(doc);
    CHECK(e.code == errc::invalid_domain);
    CHECK(pointers(e) == std::vector<std::string>{
                             "/entities/Item/commands/CreateItem/schema/properties/price/type",
                             "/entities/Item/commands/UpdatePrice/schema/properties/price/diff"});
    CHECK_THAT(e.fields[1].reason, Catch::Contains("x-diff"));
    CHECK_THAT(e.describe(), Catch::Contains("test.json"));
}

TEST_CASE("unknown reducer ops and events are refused with what to write instead",
          "[core][domain_file]") {
    json doc = shop_doc();
    doc["entities"]["Item"]["reducer"]["on_PriceUpdated"] = {{"op", "multiply"},
                                                             {"path", "/price"}};
    doc["entities"]["Item"]["reducer"]["on_ColorsAdded"] = "frobnicate";
    doc["entities"]["Item"]["reducer"]["on_ItemCreated"] = "set";
    doc["entities"]["Item"]["reducer"]["on_PriceUpdatd"] = "merge";
    doc["entities"]["Item"]["reducer"]["PriceUpdated"] = "merge";
    doc["entities"]["Basket"]["reducer"]["on_ItemAdded"] = {{"op", "append"}, {"path", "items"}};
    doc["entities"]["Basket"]["reducer"]["on_BasketCreated"] = {
        {"op", "set"}, {"path", "/a"}, {"from", "/b"}, {"wat", 2}};
    auto e = problems_of(doc);
    std::map<std::string, std::string> reasons;
    for (const auto& f : e.fields) reasons[f.pointer] = f.reason;
    CHECK_THAT(reasons["/entities/Item/reducer/on_PriceUpdated/op"],
               Catch::Contains("unknown reducer op 'multiply'"));
    CHECK_THAT(reasons["/entities/Item/reducer/on_ColorsAdded"],
               Catch::Contains("unknown reducer op 'frobnicate'"));
    CHECK_THAT(reasons["/entities/Item/reducer/on_ItemCreated"],
               Catch::Contains("needs parameters"));
    CHECK_THAT(reasons["/entities/Item/reducer/on_PriceUpdatd"],
               Catch::Contains("no command of Item emits"));
    CHECK_THAT(reasons["/entities/Item/reducer/PriceUpdated"], Catch::Contains("on_<EventType>"));
    CHECK_THAT(reasons["/entities/Basket/reducer/on_ItemAdded/path"],
               Catch::Contains("not a JSON Pointer"));
    CHECK_THAT(reasons["/entities/Basket/reducer/on_BasketCreated/wat"],
               Catch::Contains("unknown member"));
    CHECK(e.fields.size() == 7);
}

TEST_CASE("seed-style reducer names on_item_created are accepted", "[core][domain_file]") {
    json doc = shop_doc();
    auto& r = doc["entities"]["Item"]["reducer"];
    r["on_item_created"] = r["on_ItemCreated"];
    r.erase("on_ItemCreated");
    auto d = load_domain(doc);
    REQUIRE(d);
    CHECK((*d)->find("Item")->reduce.steps("ItemCreated") != nullptr);
}

TEST_CASE("references to unknown entities and functions are refused", "[core][domain_file]") {
    json doc = shop_doc();
    doc["entities"]["Basket"]["commands"]["AddItemWithProjection"]["schema"]["properties"]
       ["item_id"]["x-project"] = "Itm";
    doc["entities"]["Item"]["reducer"]["on_PriceUpdated"] = {{"op", "function"},
                                                             {"name", "apply_discount"}};
    doc["entities"]["Item"]["commands"]["UpdatePrice"]["decide"] = "smart";
    doc["receivers"] = {{"pre_save",
                         {{{"entity", "Itme"}, {"function", "check"}},
                          {{"entity", "Item"}, {"command", "Nope"}, {"function", "check"}}}},
                        {"post_save", {{{"command", "UpdatePrice"}, {"function", "notify"}}}},
                        {"received", {{{"function", "missing"}}}}};
    function_registry fns;
    fns.add_pre_save("check", [](const pre_save_args&) {});
    fns.add_post_save("notify", [](const event&) {});
    fns.add_reducer("other", [](json&, const event&) {});
    auto e = problems_of(doc, fns);
    std::map<std::string, std::string> reasons;
    for (const auto& f : e.fields) reasons[f.pointer] = f.reason;
    CHECK_THAT(
        reasons
            ["/entities/Basket/commands/AddItemWithProjection/schema/properties/item_id/x-project"],
        Catch::Contains("no entity named 'Itm'"));
    CHECK_THAT(reasons["/entities/Item/reducer/on_PriceUpdated/name"],
               Catch::Contains("'apply_discount'") && Catch::Contains("registered: other"));
    CHECK_THAT(reasons["/entities/Item/commands/UpdatePrice/decide"], Catch::Contains("'smart'"));
    CHECK_THAT(reasons["/receivers/received/0/function"], Catch::Contains("'missing'"));
    CHECK_THAT(reasons["/receivers/pre_save/0/entity"], Catch::Contains("'Itme'"));
    CHECK_THAT(reasons["/receivers/pre_save/1/command"], Catch::Contains("'Nope'"));
    CHECK_THAT(reasons["/receivers/post_save/0/command"], Catch::Contains("not by command"));
}

TEST_CASE("registered functions are wired by name", "[core][domain_file]") {
    json doc = shop_doc();
    doc["entities"]["Item"]["reducer"]["on_PriceUpdated"] = json::array(
        {{{"op", "set"}, {"path", "/price"}}, {{"op", "function"}, {"name", "history"}}});
    function_registry fns;
    fns.add_reducer("history",
                    [](json& s, const event& e) { s["history"].push_back(e.data["price"]); });
    auto d = load_domain(doc, fns);
    REQUIRE(d);
    esser::testing::memory_event_store store;
    manual_clock clk;
    seeded_id_source ids(1);
    command_handler h(*d, store, clk, ids);
    command c{"Item", "CreateItem", "i", {{"name", "x"}, {"price", 1}}};
    REQUIRE(h.handle(c));
    c.name = "UpdatePrice";
    c.data = {{"price", 2}};
    auto r = h.handle(c);
    REQUIRE(r);
    CHECK(r->state["history"] == json{2});
}

TEST_CASE("garbage documents never crash the loader", "[core][domain_file]") {
    // A small grammar-free fuzz over shapes the loader walks: every outcome is a value.
    const json shapes[] = {nullptr,
                           1,
                           "x",
                           json::array(),
                           json::object(),
                           json::array({1, "a"}),
                           json{{"op", 1}},
                           json{{"type", json::array()}}};
    std::size_t refused = 0;
    for (const auto& a : shapes) {
        for (const auto& b : shapes) {
            json doc = {{"entities",
                         {{"E",
                           {{"commands", {{"C", {{"event", "Ev"}, {"schema", a}}}}},
                            {"reducer", {{"on_Ev", b}}},
                            {"initial_state", a},
                            {"snapshot", b}}}}}};
            auto d = load_domain(doc);
            if (!d) {
                ++refused;
                CHECK(d.error().code == errc::invalid_domain);
                CHECK_FALSE(d.error().fields.empty());
            }
        }
    }
    CHECK(refused > 50);
    CHECK_FALSE(load_domain_text("", {}, "empty.json"));
    CHECK(load_domain_text("[", {}, "x").error().code == errc::parse_error);
    CHECK(load_domain_text("{\"entities\": {}}", {}, "x").error().code == errc::invalid_domain);
}

// Issue 9: the read_store contract (core/read_store.hpp), one suite run against the in-memory,
// SQLite and PostgreSQL implementations. Each TEMPLATE_TEST_CASE runs once per backend.

#include <limits>

#include "adapters/read_store_backends.hpp"

using esser::core::document;
using esser::core::errc;
using esser::core::list_query;
using esser::core::write_op;
using nlohmann::json;

namespace {

document doc(std::string id, std::uint64_t v, json body,
             std::string at = "2024-01-01T00:00:00.000Z") {
    return document{std::move(id), v, std::move(body), std::move(at)};
}

std::vector<std::string> ids(const esser::core::document_page& p) {
    std::vector<std::string> out;
    for (const auto& d : p.items) out.push_back(d.id);
    return out;
}

}  // namespace

#define BACKENDS \
    esser::testing::memory_backend, esser::testing::sqlite_backend, esser::testing::postgres_backend

// Idempotence under at-least-once delivery: only a newer version replaces a document.
TEMPLATE_TEST_CASE("read store upserts a document only when its version is newer",
                   "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();

    auto w = store->upsert("items", doc("i1", 2, {{"name", "pen"}, {"price", 3}}));
    REQUIRE(w.has_value());
    CHECK(*w);
    auto g = store->get("items", "i1");
    REQUIRE(g.has_value());
    REQUIRE(g->has_value());
    CHECK(**g == doc("i1", 2, {{"name", "pen"}, {"price", 3}}));

    SECTION("the same version again is ignored (a redelivery)") {
        auto again = store->upsert("items", doc("i1", 2, {{"name", "other"}}));
        REQUIRE(again.has_value());
        CHECK_FALSE(*again);
        CHECK(store->get("items", "i1").value()->body == json{{"name", "pen"}, {"price", 3}});
    }
    SECTION("an older version is ignored") {
        auto older = store->upsert("items", doc("i1", 1, {{"name", "old"}}));
        REQUIRE(older.has_value());
        CHECK_FALSE(*older);
        CHECK(store->get("items", "i1").value()->version == 2);
    }
    SECTION("a newer version replaces the whole document and its updated_at") {
        auto newer =
            store->upsert("items", doc("i1", 7, {{"name", "ink"}}, "2024-02-02T00:00:00.000Z"));
        REQUIRE(newer.has_value());
        CHECK(*newer);
        CHECK(store->get("items", "i1").value().value() ==
              doc("i1", 7, {{"name", "ink"}}, "2024-02-02T00:00:00.000Z"));
    }
    SECTION("documents of other ids and other collections are independent") {
        CHECK(store->upsert("items", doc("i2", 1, {{"name", "cup"}})).value());
        CHECK(store->upsert("baskets", doc("i1", 1, {{"items", json::array()}})).value());
        CHECK(store->get("items", "i1").value()->version == 2);
        CHECK(store->get("baskets", "i1").value()->body == json{{"items", json::array()}});
        CHECK_FALSE(store->get("items", "nope").value().has_value());
        CHECK_FALSE(store->get("unknown", "i1").value().has_value());
    }
}

// A removal is a versioned tombstone: a late, older upsert must not bring a document back.
TEMPLATE_TEST_CASE("read store removal leaves a tombstone older writes cannot undo",
                   "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    REQUIRE(store->upsert("items", doc("i1", 2, {{"n", 1}})).value());

    auto r = store->remove("items", "i1", 3);
    REQUIRE(r.has_value());
    CHECK(*r);
    CHECK_FALSE(store->get("items", "i1").value().has_value());
    CHECK(store->list("items", {}).value().items.empty());

    CHECK_FALSE(store->upsert("items", doc("i1", 3, {{"n", 2}})).value());
    CHECK_FALSE(store->upsert("items", doc("i1", 2, {{"n", 2}})).value());
    CHECK_FALSE(store->remove("items", "i1", 3).value());
    CHECK_FALSE(store->get("items", "i1").value().has_value());

    CHECK(store->upsert("items", doc("i1", 4, {{"n", 4}})).value());
    CHECK(store->get("items", "i1").value()->body == json{{"n", 4}});

    // Removing a document never seen still records the version.
    CHECK(store->remove("items", "ghost", 5).value());
    CHECK_FALSE(store->upsert("items", doc("ghost", 5, {{"n", 5}})).value());
    CHECK(store->upsert("items", doc("ghost", 6, {{"n", 6}})).value());
}

// A batch is one transaction and keeps, per document, its highest version.
TEMPLATE_TEST_CASE("read store writes a batch atomically, reduced per document",
                   "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    REQUIRE(store->upsert("items", doc("a", 5, {{"v", 5}})).value());

    SECTION("every op of a valid batch lands; duplicates keep the highest version") {
        std::vector<write_op> ops = {
            write_op::upsert("items", doc("b", 2, {{"v", 2}})),
            write_op::upsert("items", doc("b", 4, {{"v", 4}})),
            write_op::upsert("items", doc("b", 3, {{"v", 3}})),
            write_op::upsert("items", doc("a", 4, {{"v", 4}})),  // older than stored: ignored
            write_op::upsert("baskets", doc("x", 1, {{"v", 1}})),
            write_op::remove("baskets", "y", 9),
        };
        auto n = store->write(ops);
        REQUIRE(n.has_value());
        CHECK(*n == 3);  // b@4, x@1, the tombstone y@9
        CHECK(store->get("items", "b").value()->body == json{{"v", 4}});
        CHECK(store->get("items", "a").value()->version == 5);
        CHECK(store->get("baskets", "x").value()->version == 1);
        CHECK_FALSE(store->upsert("baskets", doc("y", 8, {{"v", 8}})).value());
        CHECK(store->write({}).value() == 0);
    }
    SECTION("one invalid op fails the whole batch and writes nothing") {
        std::vector<write_op> ops = {
            write_op::upsert("items", doc("c", 1, {{"v", 1}})),
            write_op::upsert("baskets", doc("d", 1, {{"v", 1}})),
            write_op::upsert("items", doc("e", 1, json::array())),  // not an object
        };
        auto n = store->write(ops);
        REQUIRE_FALSE(n.has_value());
        CHECK(n.error().code == errc::invalid_argument);
        CHECK_FALSE(store->get("items", "c").value().has_value());
        CHECK(store->collections().value() == std::vector<std::string>{"items"});
    }
}

// The esser API's paging and filtering (issue 9: "list with paging and a simple equality
// filter"), with the same answers on every backend.
TEMPLATE_TEST_CASE("read store lists documents in id order, a page at a time, with filters",
                   "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    std::vector<write_op> ops;
    for (int i = 0; i < 25; ++i) {
        char id[8];
        std::snprintf(id, sizeof id, "d%02d", i);
        json body = {{"color", i % 3 == 0 ? "red" : "blue"},
                     {"n", i % 5},
                     {"big", i % 2 == 0},
                     {"price", i % 4 == 0 ? json(1.5) : json(2)}};
        if (i % 7 == 0)
            body["note"] = nullptr;
        ops.push_back(write_op::upsert("items", doc(id, 1, body)));
    }
    ops.push_back(write_op::remove("items", "d03", 2));  // a tombstone is never listed
    REQUIRE(store->write(ops).has_value());

    SECTION("pages follow the cursor and the last page has no next") {
        list_query q;
        q.limit = 10;
        auto p1 = store->list("items", q).value();
        CHECK(p1.items.size() == 10);
        CHECK(p1.items.front().id == "d00");
        CHECK(p1.items.back().id == "d10");
        CHECK(p1.next == "d10");
        q.after = p1.next;
        auto p2 = store->list("items", q).value();
        CHECK(p2.items.front().id == "d11");
        CHECK(p2.next == "d20");
        q.after = p2.next;
        auto p3 = store->list("items", q).value();
        CHECK(ids(p3) == std::vector<std::string>{"d21", "d22", "d23", "d24"});
        CHECK(p3.next.empty());
        // Exactly a page left: still no next.
        q.after = "d14";
        auto exact = store->list("items", q).value();
        CHECK(exact.items.size() == 10);
        CHECK(exact.next.empty());
    }
    SECTION("equality filters on strings, numbers, booleans and null, combined") {
        list_query q;
        q.where = {{"color", "red"}};
        CHECK(ids(store->list("items", q).value()) ==
              std::vector<std::string>{"d00", "d06", "d09", "d12", "d15", "d18", "d21", "d24"});
        q.where = {{"color", "red"}, {"big", true}};
        CHECK(ids(store->list("items", q).value()) ==
              std::vector<std::string>{"d00", "d06", "d12", "d18", "d24"});
        q.where = {{"n", 4}};
        CHECK(ids(store->list("items", q).value()) ==
              std::vector<std::string>{"d04", "d09", "d14", "d19", "d24"});
        q.where = {{"n", 4.0}};  // numbers compare numerically
        CHECK(store->list("items", q).value().items.size() == 5);
        q.where = {{"price", 1.5}};
        CHECK(store->list("items", q).value().items.size() == 7);
        q.where = {{"price", 2.0}};
        CHECK(store->list("items", q).value().items.size() == 17);
        q.where = {{"note", nullptr}};
        CHECK(ids(store->list("items", q).value()) ==
              std::vector<std::string>{"d00", "d07", "d14", "d21"});
        q.where = {{"n", "4"}};  // a string never equals a number
        CHECK(store->list("items", q).value().items.empty());
        q.where = {{"big", 1}};  // nor a boolean
        CHECK(store->list("items", q).value().items.empty());
        q.where = {{"missing", nullptr}};  // an absent member is not null
        CHECK(store->list("items", q).value().items.empty());
        q.where = {{"color", "red"}};
        q.limit = 3;
        auto p = store->list("items", q).value();
        CHECK(ids(p) == std::vector<std::string>{"d00", "d06", "d09"});
        q.after = p.next;
        CHECK(ids(store->list("items", q).value()) ==
              std::vector<std::string>{"d12", "d15", "d18"});
    }
    SECTION("ids sort by bytes, whatever the locale") {
        REQUIRE(store
                    ->write({write_op::upsert("odd", doc("b", 1, json::object())),
                             write_op::upsert("odd", doc("B", 1, json::object())),
                             write_op::upsert("odd", doc("\xc3\xa9", 1, json::object())),
                             write_op::upsert("odd", doc("a b", 1, json::object())),
                             write_op::upsert("odd", doc("10", 1, json::object())),
                             write_op::upsert("odd", doc("9", 1, json::object()))})
                    .has_value());
        CHECK(ids(store->list("odd", {}).value()) ==
              std::vector<std::string>{"10", "9", "B", "a b", "b", "\xc3\xa9"});
    }
    SECTION("an unknown collection lists as empty") {
        auto p = store->list("nothing", {});
        REQUIRE(p.has_value());
        CHECK(p->items.empty());
        CHECK(p->next.empty());
    }
}

// Bodies come back as they were written (the SQL stores keep JSON text / jsonb).
TEMPLATE_TEST_CASE("read store returns JSON bodies unchanged", "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    const json body = json::parse(R"({
        "nested": {"a": [1, 2, {"b": null}], "empty": {}, "list": []},
        "unicode": "caf\u00e9 \ud83d\ude00 \"quoted\" back\\slash \n tab\t",
        "key with spaces": true, "": "empty key",
        "big": 18446744073709551615, "neg": -9223372036854775808,
        "float": 0.1, "exp": 1.5e300, "int_as_float": 3.0, "zero": 0
    })");
    REQUIRE(store->upsert("shapes", doc("s1", 1, body)).value());
    auto got = store->get("shapes", "s1").value();
    REQUIRE(got.has_value());
    CHECK(got->body == body);
    CHECK(store->list("shapes", {}).value().items.at(0).body == body);
}

// Malformed input is an invalid_argument, the same on every backend, and writes nothing.
TEMPLATE_TEST_CASE("read store refuses malformed input and writes nothing",
                   "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    auto refused = [&](const write_op& op) {
        auto r = store->write({op});
        INFO(op.collection << "/" << op.doc.id << "@" << op.doc.version);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::invalid_argument);
    };
    const json ok = {{"a", 1}};
    // Lowercase only: SQLite table names ignore case, and PostgreSQL folds unquoted ones.
    for (const char* bad : {"", "1abc", "a-b", "a b", "esser_x", "\"x\"", "x;drop", "Item", "_a"})
        refused(write_op::upsert(bad, doc("i", 1, ok)));
    refused(write_op::upsert(std::string(64, 'a'), doc("i", 1, ok)));
    refused(write_op::upsert("c", doc("", 1, ok)));
    refused(write_op::upsert("c", doc(std::string("a\0b", 3), 1, ok)));
    refused(write_op::upsert("c", doc("\xff\xfe", 1, ok)));
    refused(write_op::upsert("c", doc(std::string(1025, 'x'), 1, ok)));
    refused(write_op::upsert("c", doc("i", 0, ok)));
    refused(write_op::upsert(
        "c",
        doc("i", static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1, ok)));
    refused(write_op::upsert("c", doc("i", 1, json::array())));
    refused(write_op::upsert("c", doc("i", 1, "text")));
    refused(write_op::upsert("c", doc("i", 1, {{"s", std::string("a\0b", 3)}})));
    refused(write_op::upsert("c", doc("i", 1, {{"s", "\xc0\xaf"}})));      // overlong
    refused(write_op::upsert("c", doc("i", 1, {{"s", "\xed\xa0\x80"}})));  // surrogate
    refused(write_op::upsert("c", doc("i", 1, {{"\xff", 1}})));            // bad key
    refused(write_op::upsert("c", doc("i", 1, ok, "\xff")));               // updated_at
    CHECK(store->collections().value().empty());
    // The longest valid collection name and id are fine.
    CHECK(store->upsert(std::string(63, 'z'), doc(std::string(1024, 'x'), 1, ok)).value());

    auto bad_query = [&](list_query q) {
        auto r = store->list("c", q);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::invalid_argument);
    };
    list_query q;
    q.limit = 0;
    bad_query(q);
    q.limit = list_query::max_limit + 1;
    bad_query(q);
    q = {};
    q.where = {{"a.b", 1}};
    bad_query(q);
    q.where = {{"", 1}};
    bad_query(q);
    q.where = {{"a", json::array({1})}};
    bad_query(q);
    q.where = {{"a", json::object()}};
    bad_query(q);
    q.where = {{"a", "\xff"}};
    bad_query(q);
    CHECK(store->get("bad name", "i").error().code == errc::invalid_argument);
    CHECK(store->list("esser_read_collections", {}).error().code == errc::invalid_argument);
}

// Rebuilding a read model starts with drop().
TEMPLATE_TEST_CASE("read store names its collections and drops one with its documents",
                   "[adapters][read_store]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    CHECK(store->collections().value().empty());
    REQUIRE(store
                ->write({write_op::upsert("items", doc("a", 1, {{"x", 1}})),
                         write_op::upsert("baskets", doc("b", 1, {{"x", 1}})),
                         write_op::upsert("basket", doc("c", 1, {{"x", 1}}))})
                .has_value());
    CHECK(store->collections().value() == std::vector<std::string>{"basket", "baskets", "items"});
    CHECK(store->get("basket", "c").value().has_value());
    CHECK_FALSE(store->get("basket", "b").value().has_value());

    REQUIRE(store->drop("baskets").has_value());
    CHECK(store->collections().value() == std::vector<std::string>{"basket", "items"});
    CHECK_FALSE(store->get("baskets", "b").value().has_value());
    REQUIRE(store->drop("baskets").has_value());  // again: not an error
    // Versions start over in a dropped collection.
    CHECK(store->upsert("baskets", doc("b", 1, {{"x", 2}})).value());
    CHECK(store->get("baskets", "b").value()->body == json{{"x", 2}});
}

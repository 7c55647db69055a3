// Issue 9: the built-in aggregate-state projection, driven by core::stream_handler with Lambda
// stream events, on every read_store (memory, SQLite, PostgreSQL): current state per aggregate,
// idempotent under redelivery (same process or a new one), gaps rebuilt from the event store,
// failed writes failing the batch so that its redelivery completes it.

#include "esser/core/aggregate_state_projection.hpp"

#include "adapters/read_store_backends.hpp"

#include "esser/core/domain.hpp"
#include "esser/core/event_item.hpp"
#include "esser/core/stream_handler.hpp"

using namespace esser::core;
using nlohmann::json;

namespace {

std::shared_ptr<const domain> shop() {
    domain_builder b("shop");
    b.entity("Item")
        .command("CreateItem", command_kind::create, "ItemCreated", json{{"type", "object"}})
        .on("ItemCreated", reducer_step::merge())
        .on("PriceUpdated", reducer_step::set("/price"))
        .on("TagAdded", reducer_step::union_of("/tags", "/tag"))
        .on("ItemDeleted", reducer_step::remove());
    b.entity("BasketLine")
        .command("AddLine", command_kind::create, "LineAdded", json{{"type", "object"}})
        .on("LineAdded", reducer_step::increment("/qty"));
    auto d = b.build();
    if (!d)
        FAIL(d.error().describe());
    return *d;
}

event ev(std::string entity, std::string id, std::uint64_t v, std::string type, json data) {
    event e;
    e.entity = std::move(entity);
    e.id = std::move(id);
    e.version = v;
    e.type = std::move(type);
    e.data = std::move(data);
    e.meta = {"e-" + e.id + "-" + std::to_string(v), "c-" + std::to_string(v), "corr", "cause"};
    e.at = "2024-01-01T00:00:0" + std::to_string(v % 10) + ".000Z";
    return e;
}

// The events of the test, per stream in version order.
std::vector<event> history() {
    return {
        ev("Item", "i1", 1, "ItemCreated", {{"name", "pen"}, {"price", 3}}),
        ev("Item", "i2", 1, "ItemCreated", {{"name", "cup"}, {"price", 5}}),
        ev("BasketLine", "b1", 1, "LineAdded", {{"qty", 2}}),
        ev("Item", "i1", 2, "PriceUpdated", {{"price", 4}}),
        ev("Ghost", "g1", 1, "Boo", json::object()),  // not in the domain: ignored
        ev("Item", "i1", 3, "TagAdded", {{"tag", "blue"}}),
        ev("BasketLine", "b1", 2, "LineAdded", {{"qty", 3}}),
        ev("Item", "i2", 2, "ItemDeleted", json::object()),
        ev("Item", "i1", 4, "TagAdded", {{"tag", "blue"}}),
        ev("BasketLine", "b1", 3, "LineAdded", {{"qty", 1}}),
    };
}

// What the command handler would load: the reducer folded over the stream up to `version`.
json state_at(const domain& d, const std::vector<event>& all, const stream_id& s,
              std::uint64_t version) {
    const entity_def* def = d.find(s.entity);
    json state = def->initial_state;
    for (const auto& e : all) {
        if (e.stream() == s && e.version <= version)
            REQUIRE(def->reduce.apply(state, e).has_value());
    }
    return state;
}

json lambda_event(const std::vector<event>& events, std::uint64_t first_seq = 100) {
    json records = json::array();
    std::uint64_t seq = first_seq;
    for (const auto& e : events) {
        records.push_back(
            {{"eventID", "id-" + std::to_string(seq)},
             {"eventName", "INSERT"},
             {"eventSource", "aws:dynamodb"},
             {"dynamodb",
              {{"Keys", event_item_key(e.stream(), e.version)},
               {"NewImage", event_to_item(e).value()},
               {"SequenceNumber", std::to_string(seq++)},
               {"StreamViewType", "NEW_IMAGE"}}},
             {"eventSourceARN", "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/x"}});
    }
    return json{{"Records", records}};
}

std::vector<event> slice(const std::vector<event>& v, std::size_t from, std::size_t to) {
    return {v.begin() + static_cast<std::ptrdiff_t>(from),
            v.begin() + static_cast<std::ptrdiff_t>(to)};
}

// Every row of the projection equals the folded state of its stream at the last version seen.
void check_rows(read_store& store, const domain& d, const std::vector<event>& seen) {
    std::map<stream_id, event> last;
    for (const auto& e : seen) {
        if (e.entity == "Ghost")
            continue;
        auto& l = last[e.stream()];
        if (e.version > l.version)
            l = e;
    }
    std::size_t rows = 0;
    for (const auto& [s, e] : last) {
        const std::string col = aggregate_state_projection::collection_for(s.entity);
        auto got = store.get(col, s.id);
        REQUIRE(got.has_value());
        INFO(s.key());
        REQUIRE(got->has_value());
        CHECK((*got)->version == e.version);
        CHECK((*got)->updated_at == e.at);
        CHECK((*got)->body == state_at(d, seen, s, e.version));
        ++rows;
    }
    std::size_t listed = 0;
    for (const char* col : {"item", "basket_line"})
        listed += store.list(col, {}).value().items.size();
    CHECK(listed == rows);
    CHECK_FALSE(store.get("ghost", "g1").value().has_value());
}

// A read_store whose writes fail while `failing` > 0 (an outage), over a real one.
struct flaky_store final : read_store {
    read_store& inner;
    int failing = 0;
    int attempts = 0;

    explicit flaky_store(read_store& s) : inner(s) {}

    result<std::size_t> write(const std::vector<write_op>& ops) override {
        ++attempts;
        if (failing > 0) {
            --failing;
            return fail(error::unavailable("read store down (test)"));
        }
        return inner.write(ops);
    }

    result<std::optional<document>> get(std::string_view c, std::string_view id) override {
        return inner.get(c, id);
    }

    result<document_page> list(std::string_view c, const list_query& q) override {
        return inner.list(c, q);
    }

    result<std::vector<std::string>> collections() override { return inner.collections(); }

    result<void> drop(std::string_view c) override { return inner.drop(c); }
};

}  // namespace

#define BACKENDS \
    esser::testing::memory_backend, esser::testing::sqlite_backend, esser::testing::postgres_backend

TEST_CASE("aggregate state projection names collections after entities in snake_case",
          "[adapters][aggregate_state_projection]") {
    CHECK(aggregate_state_projection::collection_for("Item") == "item");
    CHECK(aggregate_state_projection::collection_for("BasketLine") == "basket_line");
    CHECK(aggregate_state_projection::collection_for("HTTPServer") == "httpserver");
    CHECK(aggregate_state_projection::collection_for("Order2Item") == "order2_item");
    CHECK(aggregate_state_projection::collection_for("my-entity") == "my_entity");
    CHECK(aggregate_state_projection::collection_for("3D") == "e_3_d");
}

TEMPLATE_TEST_CASE("aggregate state projection materialises each aggregate's current state",
                   "[adapters][aggregate_state_projection]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    auto d = shop();
    auto proj = std::make_shared<aggregate_state_projection>(d, *store);
    stream_handler handler(d, {proj});
    const auto all = history();

    auto r1 = handler.handle(lambda_event(slice(all, 0, 5)));
    REQUIRE(r1.has_value());
    CHECK_FALSE(r1->failed_sequence_number);
    check_rows(*store, *d, slice(all, 0, 5));
    auto r2 = handler.handle(lambda_event(slice(all, 5, all.size()), 200));
    REQUIRE(r2.has_value());
    CHECK_FALSE(r2->failed_sequence_number);
    check_rows(*store, *d, all);

    // Spot checks of what the esser API will show.
    auto i1 = store->get("item", "i1").value().value();
    CHECK(i1.body ==
          json{{"name", "pen"}, {"price", 4}, {"tags", {"blue"}}, {"latest_version", 4}});
    auto i2 = store->get("item", "i2").value().value();
    CHECK(i2.body.value("deleted", false));
    CHECK(store->get("basket_line", "b1").value()->body.at("qty") == 6);
    list_query q;
    q.where = {{"deleted", true}};
    CHECK(store->list("item", q).value().items.size() == 1);

    const auto stats = proj->stats();
    CHECK(stats.applied == 9);
    CHECK(stats.ignored == 1);
    CHECK(stats.writes == 2);  // one transaction per batch
}

// At-least-once delivery: the same records again, in this process or after a restart.
TEMPLATE_TEST_CASE("aggregate state projection ignores redelivered and older events",
                   "[adapters][aggregate_state_projection]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    auto d = shop();
    const auto all = history();
    {
        auto proj = std::make_shared<aggregate_state_projection>(d, *store);
        stream_handler handler(d, {proj});
        REQUIRE(handler.handle(lambda_event(slice(all, 0, 7))).has_value());
        REQUIRE(handler.handle(lambda_event(slice(all, 0, 7))).has_value());  // retried batch
    }
    check_rows(*store, *d, slice(all, 0, 7));

    // A new process (fresh handler and projection, empty memories) gets an overlapping batch:
    // what it already has is skipped by version, the rest continues from the stored states.
    auto proj = std::make_shared<aggregate_state_projection>(d, *store);
    stream_handler handler(d, {proj});
    auto r = handler.handle(lambda_event(slice(all, 3, all.size())));
    REQUIRE(r.has_value());
    CHECK_FALSE(r->failed_sequence_number);
    check_rows(*store, *d, all);
    CHECK(proj->stats().duplicates == 3);  // i1@2, i1@3, b1@2
    CHECK(proj->stats().applied == 3);     // i2@2, i1@4, b1@3

    // Older versions delivered alone (a replay from an old checkpoint): nothing changes.
    auto old = std::make_shared<aggregate_state_projection>(d, *store);
    stream_handler replay(d, {old});
    REQUIRE(replay.handle(lambda_event(slice(all, 0, 4))).has_value());
    check_rows(*store, *d, all);
}

// Two processes on one read store (an old Lambda instance still warm beside a new one): a
// projection whose memory is behind the store continues from the store, not from its memory.
TEMPLATE_TEST_CASE(
    "aggregate state projection continues from the store when another process "
    "moved it on",
    "[adapters][aggregate_state_projection]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    auto d = shop();
    const auto all = history();  // i1: indexes 0, 3, 5, 8
    aggregate_state_projection a(d, *store);
    aggregate_state_projection b(d, *store);
    REQUIRE(a.apply(all[0]).has_value());
    REQUIRE(a.flush().has_value());  // a remembers i1@1
    for (std::size_t i : {0u, 3u, 5u}) REQUIRE(b.apply(all[i]).has_value());
    REQUIRE(b.flush().has_value());        // the store has i1@3
    REQUIRE(a.apply(all[8]).has_value());  // i1@4 reaches a
    REQUIRE(a.flush().has_value());
    auto i1 = store->get("item", "i1").value().value();
    CHECK(i1.version == 4);
    CHECK(i1.body == state_at(*d, all, {"Item", "i1"}, 4));
    CHECK(a.stats().rebuilt == 0);
}

// A stream that starts past the store's version (new read store, trimmed stream).
TEMPLATE_TEST_CASE("aggregate state projection rebuilds across a gap from the event store",
                   "[adapters][aggregate_state_projection]", BACKENDS) {
    TestType backend;
    auto store = backend.make();
    auto d = shop();
    const auto all = history();
    const std::vector<event> late = {all[5], all[8]};  // i1@3, i1@4 only

    SECTION("without a state loader the record fails and nothing is written") {
        auto proj = std::make_shared<aggregate_state_projection>(d, *store);
        stream_handler handler(d, {proj});
        auto r = handler.handle(lambda_event(late));
        REQUIRE(r.has_value());
        REQUIRE(r->failed_sequence_number == std::optional<std::string>("100"));
        CHECK(r->failure->code == errc::not_found);
        CHECK(r->failure->message.find("Item#i1") != std::string::npos);
        CHECK_FALSE(store->get("item", "i1").value().has_value());
    }
    SECTION("with a state loader the state is rebuilt, then folded forward") {
        aggregate_state_projection::options o;
        int loads = 0;
        o.load_state = [&](const stream_id& s, std::uint64_t v) -> result<json> {
            ++loads;
            return state_at(*d, all, s, v);
        };
        auto proj = std::make_shared<aggregate_state_projection>(d, *store, o);
        stream_handler handler(d, {proj});
        auto r = handler.handle(lambda_event(late));
        REQUIRE(r.has_value());
        CHECK_FALSE(r->failed_sequence_number);
        CHECK(loads == 1);  // i1@3 rebuilt; i1@4 folded onto it
        auto i1 = store->get("item", "i1").value().value();
        CHECK(i1.version == 4);
        CHECK(i1.body == state_at(*d, all, {"Item", "i1"}, 4));
        CHECK(proj->stats().rebuilt == 1);
    }
}

// Nothing is acknowledged that was not written: a failed write fails the batch (the mapping
// retries it from its first record) and the retry completes it.
TEMPLATE_TEST_CASE(
    "aggregate state projection fails a batch whose write fails and completes it "
    "on redelivery",
    "[adapters][aggregate_state_projection]", BACKENDS) {
    TestType backend;
    auto real = backend.make();
    flaky_store store(*real);
    auto d = shop();
    const auto all = history();
    aggregate_state_projection::options o;
    SECTION("the write at the end of the batch fails") {
        o.batch_limit = 1000;
    }
    SECTION("an early write inside the batch fails (small buffer)") {
        o.batch_limit = 2;
    }
    auto proj = std::make_shared<aggregate_state_projection>(d, store, o);
    stream_handler handler(d, {proj});

    store.failing = 1;
    auto r = handler.handle(lambda_event(all));
    REQUIRE(r.has_value());
    REQUIRE(r->failed_sequence_number.has_value());
    CHECK(r->failure->code == errc::unavailable);

    // The stream delivers the batch again (from its first record, or from the failed one).
    for (int attempt = 0; attempt < 3; ++attempt) {
        const std::size_t from = std::stoul(*r->failed_sequence_number) - 100;
        r = handler.handle(lambda_event(slice(all, from, all.size()), 100 + from));
        REQUIRE(r.has_value());
        if (!r->failed_sequence_number)
            break;
    }
    CHECK_FALSE(r->failed_sequence_number);
    check_rows(*real, *d, all);

    // A new process after an outage that outlived the old one: everything is there already.
    auto fresh = std::make_shared<aggregate_state_projection>(d, *real);
    stream_handler again(d, {fresh});
    REQUIRE(again.handle(lambda_event(all)).has_value());
    check_rows(*real, *d, all);
}

// Issue 9, bad input: PostgreSQL killed in the middle of a stream and restarted. The batch that
// met the outage fails (typed, retryable) instead of being acknowledged; its redelivery after
// the restart completes the read model, nothing lost.
TEST_CASE("aggregate state projection on PostgreSQL killed mid-stream loses nothing",
          "[adapters][aggregate_state_projection][postgres_read_store]") {
    auto server = esser::testing::postgres_server::start();
    esser::adapters::postgres_read_store::options o;
    o.conninfo = server->url();
    o.retry_for = std::chrono::milliseconds(200);
    o.backoff_initial = std::chrono::milliseconds(10);
    auto store = esser::adapters::postgres_read_store::open(o);
    REQUIRE(store.has_value());
    auto d = shop();
    const auto all = history();
    auto proj = std::make_shared<aggregate_state_projection>(d, **store);
    stream_handler handler(d, {proj});

    auto r1 = handler.handle(lambda_event(slice(all, 0, 5)));
    REQUIRE(r1.has_value());
    CHECK_FALSE(r1->failed_sequence_number);

    server->kill();
    auto r2 = handler.handle(lambda_event(slice(all, 5, all.size()), 105));
    REQUIRE(r2.has_value());
    REQUIRE(r2->failed_sequence_number.has_value());
    CHECK(r2->failure->code == errc::unavailable);
    CHECK(r2->failure->retryable());

    server->restart();
    const std::size_t from = std::stoul(*r2->failed_sequence_number) - 100;
    auto r3 = handler.handle(lambda_event(slice(all, from, all.size()), 100 + from));
    REQUIRE(r3.has_value());
    CHECK_FALSE(r3->failed_sequence_number);
    check_rows(**store, *d, all);
}

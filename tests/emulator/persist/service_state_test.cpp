// Covers issue 9, "Emulator persistence", beyond tables and streams: event source mappings with
// their per-shard checkpoints, functions created through the Lambda API, and SQS queues with
// their messages come back after a restart on the same database (sqlite_state_store's
// documents, restored by restore_services). A mapping resumes after its checkpoint: what the
// function acknowledged is not delivered again, what it failed is (at-least-once), and the
// checkpoint never runs ahead of an acknowledgement. Damaged documents are refused by name.
#include <atomic>
#include <mutex>

#include "emulator/persist/persist_test_support.hpp"
#include <catch2/catch.hpp>

#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

namespace esser::emulator::testing {
namespace {

// A function the host registers at every start (add_function): records the "pk" of each
// delivered record, batch by batch, and fails every invoke while `failing`.
struct recorder final : lambda_function {
    std::mutex mu;
    std::vector<std::vector<std::string>> batches;
    std::atomic<bool> failing{false};

    invocation_result invoke(const invocation& inv) override {
        std::vector<std::string> keys;
        for (const auto& r : event_document(inv)["Records"])
            keys.push_back(r["dynamodb"]["Keys"]["pk"]["S"].get<std::string>());
        {
            std::lock_guard l(mu);
            batches.push_back(std::move(keys));
        }
        invocation_result out;
        if (failing) {
            out.status = invoke_status::function_error;
            out.function_error = "Unhandled";
            out.payload = {{"errorMessage", "down"}, {"errorType", "Error"}};
        } else {
            out.status = invoke_status::success;
        }
        return out;
    }

    std::vector<std::string> delivered() {
        std::lock_guard l(mu);
        std::vector<std::string> all;
        for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
        return all;
    }
};

function_config url_config(const std::string& name) {
    function_config c;
    c.name = name;
    c.kind = function_kind::url;
    c.url = "http://127.0.0.1:9/" + name;  // never invoked here
    return c;
}

// The Lambda, SQS and mapping services of one run on top of a node, wired as esser-local does:
// the host's functions registered, the recorded state restored, then recording.
struct services {
    services(node& n, const fs::path& dir)
        : lambda(
              [&] {
                  lambda_service_options o;
                  o.package_store = (dir / "functions").string();
                  return o;
              }(),
              n.clock, n.ids),
          queues(*n.clock, *n.ids),
          esm(lambda, n.registry, queues, *n.clock, *n.ids) {
        for (auto [name, fn] : {std::pair{"sink", &sink}, std::pair{"sink2", &sink2}}) {
            // Not owned: the recorders are members.
            REQUIRE(lambda.add_function(
                url_config(name), std::shared_ptr<lambda_function>(std::shared_ptr<void>(), fn)));
        }
        auto r = n.store->restore_services(lambda, queues, esm, n.restored);
        if (!r)
            FAIL(r.error().describe());
        lambda.set_durability(n.store.get());
        queues.set_durability(n.store.get());
        esm.set_durability(n.store.get());
    }

    ~services() {
        esm.set_durability(nullptr);
        queues.set_durability(nullptr);
        lambda.set_durability(nullptr);
    }

    std::vector<sqs_message> receive(const std::string& queue, std::size_t max) {
        std::vector<sqs_message> got;
        queues.receive({queue, max, std::nullopt, 0}, [&](auto r) {
            REQUIRE(r);
            got = std::move(*r);
        });
        return got;
    }

    recorder sink, sink2;  // outlive the service that invokes them
    lambda_service lambda;
    sqs_service queues;
    esm_service esm;
};

void put(node& n, const std::string& pk) {
    n.db("PutItem", {{"TableName", "Events"}, {"Item", {{"pk", {{"S", pk}}}}}});
}

using keys = std::vector<std::string>;

}  // namespace
}  // namespace esser::emulator::testing

using namespace esser::emulator;
using namespace esser::emulator::testing;  // json, scratch, node, run_sql and the above
using esser::core::manual_clock;

TEST_CASE(
    "mappings, functions and queues come back after a restart; mappings resume after "
    "their checkpoint",
    "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<manual_clock>();
    std::string arn, first, second;
    {
        node n(dir.db(), clock, 1);
        services s(n, dir.path);
        arn = n.db("CreateTable", stream_table("Events"))["TableDescription"]["LatestStreamArn"];

        // Functions through the Lambda API: one updated, one deleted.
        auto web = url_config("web");
        web.timeout = std::chrono::seconds(7);
        REQUIRE(s.lambda.create_function(web));
        REQUIRE(s.lambda.update_function_configuration("web", [](function_config& c) {
            c.description = "v2";
            return esser::core::result<void>();
        }));
        REQUIRE(s.lambda.create_function(url_config("gone")));
        REQUIRE(s.lambda.delete_function("gone"));

        // Queues: "jobs" keeps one message in flight and one visible; "tmp" is deleted.
        REQUIRE(s.queues.create_queue("jobs", {{"VisibilityTimeout", "45"}}));
        REQUIRE(s.queues.create_queue("tmp", {}));
        REQUIRE(s.queues.delete_queue("tmp"));
        REQUIRE(s.queues.send_message("jobs", "one"));
        REQUIRE(s.queues.send_message("jobs", "two", {{"k", {"String", "v", ""}}}));
        auto got = s.receive("jobs", 2);
        REQUIRE(got.size() == 2);
        REQUIRE(s.queues.delete_message("jobs", got[1].receipt_handle));  // "two"
        REQUIRE(s.queues.send_message("jobs", "three", {{"k", {"String", "v", ""}}}));

        // Mappings: TRIM_HORIZON (batches of 2), one created after two writes at LATEST, one
        // deleted.
        esm_config c;
        c.event_source_arn = arn;
        c.function_name = "sink";
        c.batch_size = 2;
        auto m1 = s.esm.create(c);
        REQUIRE(m1);
        first = m1->uuid;
        put(n, "a1");
        put(n, "a2");
        c.function_name = "sink2";
        c.starting_position = esm_starting_position::LATEST;
        auto m2 = s.esm.create(c);
        REQUIRE(m2);
        second = m2->uuid;
        c.function_name = "web";
        auto m3 = s.esm.create(c);
        REQUIRE(m3);
        REQUIRE(s.esm.update(m3->uuid, {{"Enabled", false}}));
        REQUIRE(s.esm.remove(m3->uuid));
        put(n, "a3");
        put(n, "a4");
        s.esm.drain();
        CHECK(s.sink.delivered() == keys{"a1", "a2", "a3", "a4"});
        CHECK(s.sink2.delivered() == keys{"a3", "a4"});
        REQUIRE(s.esm.update(first, {{"BatchSize", 3}}));

        // Not acknowledged: the first mapping's checkpoint must stay before a5.
        s.sink.failing = true;
        put(n, "a5");
        put(n, "a6");
        s.esm.drain();
        CHECK(s.sink2.delivered() == keys{"a3", "a4", "a5", "a6"});
        CHECK(s.sink.batches.back() == keys{"a5", "a6"});
    }
    {
        node n(dir.db(), clock, 2);
        services s(n, dir.path);
        CHECK(n.restored.functions == 1);
        CHECK(n.restored.queues == 1);
        CHECK(n.restored.messages == 2);
        CHECK(n.restored.mappings == 2);

        auto web = s.lambda.get_function("web");
        REQUIRE(web);
        CHECK(web->config.description == "v2");
        CHECK(web->config.timeout == std::chrono::seconds(7));
        CHECK(web->config.url == "http://127.0.0.1:9/web");
        CHECK_FALSE(s.lambda.get_function("gone"));

        auto attrs = s.queues.get_queue_attributes("jobs", {"VisibilityTimeout"});
        REQUIRE(attrs);
        CHECK(attrs->at("VisibilityTimeout") == "45");
        CHECK_FALSE(s.queues.info("tmp"));
        // The message in flight at the stop is visible again, its receive counted.
        auto got = s.receive("jobs", 10);
        REQUIRE(got.size() == 2);
        CHECK(got[0].body == "one");
        CHECK(got[0].receive_count == 2);
        CHECK(got[1].body == "three");
        CHECK(got[1].receive_count == 1);
        CHECK(got[1].attributes.at("k").string_value == "v");
        CHECK(got[1].md5_of_attributes.size() == 32);

        auto listed = s.esm.list();
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].uuid == first);
        CHECK(listed[1].uuid == second);
        CHECK(listed[0].config.batch_size == 3);
        CHECK(listed[0].function_arn == s.lambda.get_function("sink")->arn);

        // The first mapping delivers again only what its function did not acknowledge; the
        // second, which acknowledged everything, delivers nothing old.
        s.esm.drain();
        CHECK(s.sink.delivered() == keys{"a5", "a6"});
        CHECK(s.sink2.delivered().empty());
        put(n, "a7");
        s.esm.drain();
        CHECK(s.sink.delivered() == keys{"a5", "a6", "a7"});
        CHECK(s.sink2.delivered() == keys{"a7"});
    }
    {
        // What the second run acknowledged is not delivered a third time.
        node n(dir.db(), clock, 3);
        services s(n, dir.path);
        s.esm.drain();
        CHECK(s.sink.delivered().empty());
        CHECK(s.sink2.delivered().empty());
        put(n, "a8");
        s.esm.drain();
        CHECK(s.sink.delivered() == keys{"a8"});
        // A reset of the services (the esser API's) is remembered too.
        s.esm.clear();
        s.queues.clear();
        REQUIRE(s.lambda.delete_function("web"));
    }
    {
        node n(dir.db(), clock, 4);
        services s(n, dir.path);
        CHECK(s.esm.list().empty());
        CHECK(s.queues.list().empty());
        CHECK_FALSE(s.lambda.get_function("web"));
    }
}

TEST_CASE("a damaged mapping, function, queue or message document is refused by name",
          "[emulator][persist][sqlite_state_store]") {
    scratch dir;
    auto clock = std::make_shared<manual_clock>();
    { node n(dir.db(), clock, 1); }

    struct damage {
        const char* sql;
        const char* named;
    };

    const damage cases[] = {
        {"INSERT INTO documents VALUES('esm', 'u-1', '{\"uuid\": 3}')", "esm u-1"},
        {"INSERT INTO documents VALUES('esm', 'u-2', 'not json')", "esm u-2"},
        {"INSERT INTO documents VALUES('function', 'f', '{\"config\": {\"name\": \"f\"}}')",
         "function f"},
        {"INSERT INTO documents VALUES('queue', 'q', '{\"name\": \"q\"}')", "queue q"},
        {"INSERT INTO documents VALUES('message', 'nowhere/00000000000000000001', "
         "'{\"id\": \"x\"}')",
         "message nowhere/00000000000000000001"},
    };
    for (const auto& d : cases) {
        INFO(d.sql);
        run_sql(dir.db(), "DELETE FROM documents");
        run_sql(dir.db(), d.sql);
        node n(dir.db(), clock, 2);
        lambda_service lambda({}, n.clock, n.ids);
        sqs_service queues(*n.clock, *n.ids);
        esm_service esm(lambda, n.registry, queues, *n.clock, *n.ids);
        auto r = n.store->restore_services(lambda, queues, esm, n.restored);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == esser::core::errc::parse_error);
        CHECK_THAT(r.error().message, Catch::Contains(d.named));
        CHECK_THAT(r.error().message, Catch::Contains(dir.db().string()));
    }
}

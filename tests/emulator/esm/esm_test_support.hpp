#pragma once
// Shared helpers of the event source mapping tests (issue 5): a manual clock and seeded ids,
// a stream registry fed by the streams tests' model_table, a lambda_service whose in-process
// functions record every event they get and answer as the test scripts, a queue store, and the
// esm_service over them.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/streams/stream_test_support.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/esm/esm_request.hpp"
#include "esser/emulator/esm/esm_service.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

namespace esser::emulator::testing {

// A function's scripted answer to one event: a JSON document (success) or an error (an
// Unhandled function error).
using esm_behaviour = std::function<core::result<nlohmann::json>(const nlohmann::json& event)>;

// The "pk" values of an event's records, in order ("a", "b", ...).
inline std::vector<std::string> keys_of(const nlohmann::json& event) {
    std::vector<std::string> out;
    for (const auto& r : event["Records"])
        out.push_back(r["dynamodb"]["Keys"]["pk"]["S"].get<std::string>());
    return out;
}

inline std::vector<std::string> sequences_of(const nlohmann::json& event) {
    std::vector<std::string> out;
    for (const auto& r : event["Records"])
        out.push_back(r["dynamodb"]["SequenceNumber"].get<std::string>());
    return out;
}

inline item pk_item(const std::string& pk, std::int64_t v = 1) {
    return make_item({{"pk", S(pk)}, {"v", N(v)}});
}

struct esm_fixture {
    explicit esm_fixture(stream_options so = {}, esm_service_options eo = {})
        : clock(std::make_shared<core::manual_clock>()),
          ids(std::make_shared<core::seeded_id_source>(7)),
          registry(*clock, *ids, std::move(so)),
          lambda(lambda_service_options{}, clock, ids),
          queues(*clock, *ids),
          esm(lambda, registry, queues, *clock, *ids, std::move(eo)),
          table(registry, *clock, "Tbl") {
        stream_arn = table.enable(stream_view_type::NEW_AND_OLD_IMAGES).arn;
        REQUIRE(queues.create("dlq"));  // the OnFailure queue of dlq_arn(): must exist
    }

    ~esm_fixture() { esm.clear(); }

    // An in-process function named `name` that records each event and answers with
    // `behaviour` (default: success, null).
    void add_function(const std::string& name, esm_behaviour behaviour = {}) {
        function_config c;
        c.name = name;
        c.max_concurrency = 4;
        auto r = lambda.create_function(
            c,
            [this, behaviour](const nlohmann::json& event,
                              in_process_context&) -> core::result<nlohmann::json> {
                {
                    std::lock_guard l(mu);
                    events.push_back(event);
                }
                if (behaviour)
                    return behaviour(event);
                return nlohmann::json(nullptr);
            });
        REQUIRE(r);
    }

    // CreateEventSourceMapping with `extra` members on top of the stream, function "f" and
    // TRIM_HORIZON; REQUIREs success and returns the UUID.
    std::string map(nlohmann::json extra = nlohmann::json::object(), std::string fn = "f") {
        nlohmann::json body = {{"EventSourceArn", stream_arn},
                               {"FunctionName", fn},
                               {"StartingPosition", "TRIM_HORIZON"}};
        for (auto& [k, v] : extra.items()) body[k] = v;
        auto cfg = parse_create_request(body);
        REQUIRE(cfg);
        auto info = esm.create(std::move(*cfg));
        if (!info)
            FAIL(info.error().type << ": " << info.error().message);
        return info->uuid;
    }

    std::vector<nlohmann::json> calls() {
        std::lock_guard l(mu);
        return events;
    }

    // Every record key delivered, flattened, in invoke order.
    std::vector<std::string> delivered() {
        std::vector<std::string> out;
        for (const auto& e : calls())
            for (auto& k : keys_of(e)) out.push_back(k);
        return out;
    }

    // The OnFailure queue's message bodies, parsed.
    std::vector<nlohmann::json> failures(const std::string& queue = "dlq") {
        std::vector<nlohmann::json> out;
        auto msgs = queues.peek(queue);
        if (!msgs)
            return out;
        for (const auto& m : *msgs) out.push_back(nlohmann::json::parse(m.body));
        return out;
    }

    std::string dlq_arn() const { return "arn:aws:sqs:us-east-1:000000000000:dlq"; }

    std::shared_ptr<core::manual_clock> clock;
    std::shared_ptr<core::seeded_id_source> ids;
    stream_registry registry;
    lambda_service lambda;
    sqs_service queues;
    esm_service esm;
    model_table table;
    std::string stream_arn;

    std::mutex mu;
    std::vector<nlohmann::json> events;
};

}  // namespace esser::emulator::testing

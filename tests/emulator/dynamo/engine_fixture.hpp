#pragma once
// Shared setup for the engine tests: an engine on a manual clock and seeded ids, and helpers
// that call dispatch() and assert success or failure.
#include <memory>
#include <string>
#include <vector>

#include "item_codec.hpp"  // white-box (the dynamo tests' include path): item_change's encodings
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/id_source.hpp"
#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/dynamo_engine.hpp"
#include "esser/emulator/dynamo/table_observer.hpp"

namespace esser::test {

using nlohmann::json;

struct engine_fixture {
    std::shared_ptr<core::manual_clock> clock = std::make_shared<core::manual_clock>();
    std::shared_ptr<core::seeded_id_source> ids = std::make_shared<core::seeded_id_source>(42);
    std::shared_ptr<emulator::dynamo_engine> engine = make();

    std::shared_ptr<emulator::dynamo_engine> make(std::size_t max_item_size = 409600) {
        emulator::dynamo_engine::options o;
        o.clock = clock;
        o.ids = ids;
        o.max_item_size = max_item_size;
        return std::make_shared<emulator::dynamo_engine>(o);
    }

    // Every read also goes through dispatch_text (the HTTP front's path, issue 6), which must
    // answer byte for byte the dump() of dispatch()'s answer, or the same error. Reads change
    // nothing, so calling twice is safe; writes are sent once.
    adapters::aws_result call(std::string_view op, const json& request) {
        auto r = engine->dispatch(op, request);
        if (op == "GetItem" || op == "Query" || op == "Scan" || op == "BatchGetItem" ||
            op == "TransactGetItems") {
            check_text_answer(op, request, r);
        }
        return r;
    }

    void check_text_answer(std::string_view op, const json& request,
                           const adapters::aws_result& expected) {
        auto text = engine->dispatch_text(op, request);
        REQUIRE(text.has_value() == expected.has_value());
        if (expected) {
            CHECK(*text == expected->dump(-1, ' ', false, json::error_handler_t::replace));
        } else {
            CHECK(text.error().type == expected.error().type);
            CHECK(text.error().message == expected.error().message);
            CHECK(text.error().status == expected.error().status);
            CHECK(text.error().to_json() == expected.error().to_json());
        }
    }

    json ok(std::string_view op, const json& request) {
        auto r = call(op, request);
        if (!r)
            FAIL_CHECK(std::string(op) + " failed: " + r.error().type + ": " + r.error().message);
        REQUIRE(r.has_value());
        return *r;
    }

    adapters::aws_error err(std::string_view op, const json& request) {
        auto r = call(op, request);
        if (r)
            FAIL_CHECK(std::string(op) + " unexpectedly succeeded: " + r->dump());
        REQUIRE_FALSE(r.has_value());
        return r.error();
    }

    // A validation failure's message (asserting the type).
    std::string validation(std::string_view op, const json& request) {
        auto e = err(op, request);
        CHECK(e.type == "ValidationException");
        return e.message;
    }

    // Hash-only table "<name>" with key pk (S), on demand.
    void create_hash_table(const std::string& name, const std::string& hash_type = "S") {
        ok("CreateTable",
           {{"TableName", name},
            {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", hash_type}}}},
            {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
            {"BillingMode", "PAY_PER_REQUEST"}});
    }

    // pk (S) + v (N) table: the event store layout.
    void create_events_table(const std::string& name, bool stream = false) {
        json r = {{"TableName", name},
                  {"AttributeDefinitions",
                   {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                    {{"AttributeName", "v"}, {"AttributeType", "N"}}}},
                  {"KeySchema",
                   {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                    {{"AttributeName", "v"}, {"KeyType", "RANGE"}}}},
                  {"BillingMode", "PAY_PER_REQUEST"}};
        if (stream)
            r["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}};
        ok("CreateTable", r);
    }

    json scan_all(const std::string& table) { return ok("Scan", {{"TableName", table}})["Items"]; }

    json item_count(const std::string& table) {
        return ok("DescribeTable", {{"TableName", table}})["Table"]["ItemCount"];
    }
};

inline json S(const std::string& s) {
    return {{"S", s}};
}

inline json N(const std::string& n) {
    return {{"N", n}};
}

// Records what the engine reports to its observer. With `decoded` false it declines the decoded
// images (as the stream registry does): keys/old_image/new_image stay null.
struct recording_observer : emulator::table_observer {
    struct change {
        std::string table;
        json keys, old_image, new_image;
        json old_encoded, new_encoded;  // item_change's encodings, as JSON (null: absent)
        bool by_ttl = false;
    };

    bool decoded = true;
    std::vector<std::string> enabled, disabled;
    std::vector<change> changes;

    bool wants_decoded_images() const override { return decoded; }

    emulator::stream_identity stream_enabled(std::string_view table, const std::string& table_arn,
                                             const emulator::key_schema&,
                                             emulator::stream_view_type,
                                             core::time_point at) override {
        enabled.emplace_back(table);
        return {table_arn + "/stream/" + core::format_rfc3339_ms(at).substr(0, 23),
                core::format_rfc3339_ms(at).substr(0, 23)};
    }

    void stream_disabled(std::string_view table, core::time_point) override {
        disabled.emplace_back(table);
    }

    void item_changed(const emulator::item_change& c) override {
        change ch;
        ch.table = std::string(c.table);
        if (c.keys)
            ch.keys = emulator::to_json(*c.keys);
        if (c.old_image)
            ch.old_image = emulator::to_json(*c.old_image);
        if (c.new_image)
            ch.new_image = emulator::to_json(*c.new_image);
        if (c.old_encoded)
            ch.old_encoded = emulator::item_codec::to_json(*c.old_encoded);
        if (c.new_encoded)
            ch.new_encoded = emulator::item_codec::to_json(*c.new_encoded);
        ch.by_ttl = c.by_ttl;
        changes.push_back(std::move(ch));
    }
};

}  // namespace esser::test

// Issue 5 "Event source mappings", partial batch responses and tumbling-window answers (spec
// §4.4, §4.7): every success shape, every malformed shape, the lowest failed record as the
// checkpoint (compared as integers, not strings).
#include "esser/emulator/esm/batch_response.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;
using nlohmann::json;

namespace {

std::vector<sequence_number> batch() {
    // Different lengths on purpose: "9..." > "10..." as strings, not as integers.
    return {*sequence_number::parse("900000000000000000001"),
            *sequence_number::parse("1000000000000000000002"),
            *sequence_number::parse("1000000000000000000003")};
}

batch_response read(const json& payload, bool report = true, bool tumbling = false) {
    auto b = batch();
    return read_batch_response(payload, true, b, report, tumbling);
}

json failures(std::initializer_list<json> ids) {
    json a = json::array();
    for (const auto& id : ids) a.push_back({{"itemIdentifier", id}});
    return {{"batchItemFailures", a}};
}

}  // namespace

TEST_CASE("success shapes of a partial batch response", "[emulator][esm][batch_response]") {
    for (const json& j :
         {json::array(), json(nullptr), json::object(), json{{"batchItemFailures", json::array()}},
          json{{"batchItemFailures", nullptr}}, json("text"), json(42)}) {
        INFO(j.dump());
        CHECK(read(j).outcome == batch_response::kind::success);
    }
}

TEST_CASE("malformed partial batch responses are failures", "[emulator][esm][batch_response]") {
    for (const json& j : {failures({""}), failures({nullptr}), failures({123}), failures({"123"}),
                          failures({"abc"}), json{{"batchItemFailures", {{{"foo", 123}}}}},
                          json{{"batchItemFailures", "x"}}, json{{"batchItemFailures", {1, 2}}}}) {
        INFO(j.dump());
        CHECK(read(j).outcome == batch_response::kind::failure);
    }
    auto b = batch();
    CHECK(read_batch_response(json(), false, b, true, false).outcome ==
          batch_response::kind::failure);
    // Without ReportBatchItemFailures nothing in the body matters.
    CHECK(read(failures({""}), false).outcome == batch_response::kind::success);
    CHECK(read_batch_response(json(), false, b, false, false).outcome ==
          batch_response::kind::success);
}

TEST_CASE("a partial failure checkpoints at the lowest failed sequence number",
          "[emulator][esm][batch_response]") {
    auto r = read(failures({"1000000000000000000003", "1000000000000000000002"}));
    REQUIRE(r.outcome == batch_response::kind::partial);
    CHECK(r.first_failed == 1);
    // Integer order: the 21-digit number is the lowest although it sorts last as text.
    r = read(failures({"1000000000000000000002", "900000000000000000001"}));
    REQUIRE(r.outcome == batch_response::kind::partial);
    CHECK(r.first_failed == 0);
    // Leading zeros name the same number.
    r = read(failures({"0900000000000000000001"}));
    CHECK(r.outcome == batch_response::kind::partial);
}

TEST_CASE("tumbling window answers must carry a state object", "[emulator][esm][batch_response]") {
    CHECK(read(json::object(), false, true).outcome == batch_response::kind::failure);
    CHECK(read(json{{"state", 1}}, false, true).outcome == batch_response::kind::failure);
    auto r = read(json{{"state", {{"sum", 3}}}}, false, true);
    REQUIRE(r.outcome == batch_response::kind::success);
    CHECK(r.state == json{{"sum", 3}});
    r = read(json{{"state", json::object()},
                  {"batchItemFailures", {{{"itemIdentifier", "1000000000000000000003"}}}}},
             true, true);
    CHECK(r.outcome == batch_response::kind::partial);
    CHECK(r.first_failed == 2);
}

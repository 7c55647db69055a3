// Issue 5 "Event source mappings", on-failure destinations (spec §4.5): the named queues that
// hold the on-failure records, addressed by name or SQS ARN, with SQS's message fields, and the
// exact bytes of the §4.5 record.
#include "esser/emulator/esm/queue_store.hpp"

#include <catch2/catch.hpp>

#include "esser/emulator/esm/failure_record.hpp"

using namespace esser::emulator;
namespace core = esser::core;
using namespace std::chrono_literals;

TEST_CASE("queues are created, read, consumed, purged and deleted",
          "[emulator][esm][queue_store]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    queue_store qs(clock, ids);
    REQUIRE(qs.create("dlq"));
    REQUIRE(qs.create("arn:aws:sqs:us-east-1:000000000000:dlq"));  // idempotent, by ARN
    CHECK(qs.list().size() == 1);
    auto m = qs.send("dlq", "hello");
    REQUIRE(m);
    CHECK(m->md5_of_body == "5d41402abc4b2a76b9719d911017c592");  // md5("hello")
    CHECK(m->message_id.size() == 36);
    CHECK(m->sequence == 1);
    REQUIRE(qs.send("dlq", "world"));
    CHECK(qs.peek("dlq")->size() == 2);
    auto first = qs.take("dlq", 1);
    REQUIRE(first->size() == 1);
    CHECK(first->at(0).body == "hello");
    CHECK(qs.info("dlq")->messages == 1);
    CHECK(qs.info("dlq")->sent == 2);
    CHECK(*qs.purge("dlq") == 1);
    CHECK(qs.peek("dlq")->empty());
    REQUIRE(qs.remove("dlq"));
    CHECK(qs.send("dlq", "x").error().code == core::errc::not_found);
    CHECK(qs.info("dlq").error().type == "AWS.SimpleQueueService.NonExistentQueue");
}

TEST_CASE("queue names and ARNs are checked as SQS checks them",
          "[emulator][esm][queue_store][bad_input]") {
    core::manual_clock clock;
    core::seeded_id_source ids(1);
    queue_store qs(clock, ids);
    CHECK(qs.create("").error().code == core::errc::validation);
    CHECK(qs.create(std::string(81, 'a')).error().code == core::errc::validation);
    CHECK(qs.create("bad name").error().code == core::errc::validation);
    CHECK(qs.create("arn:aws:sns:us-east-1:1:topic").error().code == core::errc::validation);
    CHECK(qs.create("arn:aws:sqs:us-east-1:1").error().code == core::errc::validation);
    CHECK(qs.create("q.fifo"));
    CHECK(qs.create(std::string(80, 'a')));
    CHECK_FALSE(parse_queue_arn("arn:aws:sqs::1:q"));
    auto a = parse_queue_arn("arn:aws:sqs:eu-west-1:123:my-q");
    REQUIRE(a);
    CHECK(a->region == "eu-west-1");
    CHECK(a->account == "123");
    CHECK(a->name == "my-q");
}

TEST_CASE("the on-failure record renders AWS's bytes", "[emulator][esm][failure_record]") {
    failure_record r;
    r.request_id = "d6b5b5e0-0000-4000-8000-000000000000";
    r.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    r.approximate_invoke_count = 2;
    r.function_error = "Unhandled";
    r.timestamp = core::from_epoch_ms(1573690429717);
    r.shard_id = "shardId-00000001573689847184-864758bb";
    r.start_sequence_number = "800000000003126276362";
    r.end_sequence_number = "800000000003126276362";
    r.first_arrival = core::from_epoch_ms(1573690399123);
    r.last_arrival = core::from_epoch_ms(1573690399999);
    r.batch_size = 1;
    r.stream_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2019-11-14T00:04:06.388";
    CHECK(
        render_failure_record(r) ==
        R"({"requestContext":{"requestId":"d6b5b5e0-0000-4000-8000-000000000000",)"
        R"("functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f",)"
        R"("condition":"RetryAttemptsExhausted","approximateInvokeCount":2},)"
        R"("responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},)"
        R"("version":"1.0","timestamp":"2019-11-14T00:13:49.717Z",)"
        R"("DDBStreamBatchInfo":{"shardId":"shardId-00000001573689847184-864758bb",)"
        R"("startSequenceNumber":"800000000003126276362","endSequenceNumber":"800000000003126276362",)"
        R"("approximateArrivalOfFirstRecord":"2019-11-14T00:13:19Z",)"
        R"("approximateArrivalOfLastRecord":"2019-11-14T00:13:19Z","batchSize":1,)"
        R"("streamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2019-11-14T00:04:06.388"}})");
    r.function_error.reset();
    CHECK(render_failure_record(r).find(R"("functionError":null)") != std::string::npos);
    r.has_response = false;
    CHECK(render_failure_record(r).find(R"("responseContext":null)") != std::string::npos);
}

// Issue 5 "Event source mappings", on-failure destinations (spec §4.5): the exact bytes of the
// on-failure record (the SQS message body). The queues that hold them are the SQS area's
// (tests/emulator/sqs).
#include "esser/emulator/esm/failure_record.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;
namespace core = esser::core;

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

#include "esser/emulator/esm/failure_record.hpp"

#include <nlohmann/json.hpp>

namespace esser::emulator {

std::string render_failure_record(const failure_record& r) {
    // ordered_json keeps insertion order: AWS's member order, byte for byte.
    using oj = nlohmann::ordered_json;
    oj request = oj::object();
    request["requestId"] = r.request_id;
    request["functionArn"] = r.function_arn;
    request["condition"] = r.condition;
    request["approximateInvokeCount"] = r.approximate_invoke_count;
    oj response = nullptr;
    if (r.has_response) {
        response = oj::object();
        response["statusCode"] = r.status_code;
        response["executedVersion"] = r.executed_version;
        response["functionError"] = r.function_error ? oj(*r.function_error) : oj(nullptr);
    }
    oj info = oj::object();
    info["shardId"] = r.shard_id;
    info["startSequenceNumber"] = r.start_sequence_number;
    info["endSequenceNumber"] = r.end_sequence_number;
    info["approximateArrivalOfFirstRecord"] = core::format_rfc3339_s(r.first_arrival);
    info["approximateArrivalOfLastRecord"] = core::format_rfc3339_s(r.last_arrival);
    info["batchSize"] = r.batch_size;
    info["streamArn"] = r.stream_arn;
    oj out = oj::object();
    out["requestContext"] = std::move(request);
    out["responseContext"] = std::move(response);
    out["version"] = "1.0";
    out["timestamp"] = core::format_rfc3339_ms(r.timestamp);
    out["DDBStreamBatchInfo"] = std::move(info);
    return out.dump();
}

}  // namespace esser::emulator

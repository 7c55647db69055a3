"""The outcome of an event source mapping that discarded a poison record to an SQS queue,
checked the same way by every end-to-end client test of issue 13 (sqs_failure_destination_test,
esm_zip_boto3_test, esm_zip_awscli_test.sh):

- check_failure_record: the on-failure message body, field by field, against the stream as
  GetRecords returned it (spec/streams-and-lambda.md §4.5);
- read_invocations / check_invocations: what the function wrote per invocation (bisect, retries
  of the poison alone, every other record delivered and processed once).

- verify: all of it for a set of functions mapped to one stream.

Run as a program by the aws cli test, whose client output is JSON files (see --help): exits 1
on any failed check.
"""
import argparse
import datetime
import json
import re
import sys

from client_support import check, finish

ACCOUNT_REGION = "us-east-1:000000000000"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def function_arn(name):
    return f"arn:aws:lambda:{ACCOUNT_REGION}:function:{name}"


def arrival_text(value):
    """A stream record's ApproximateCreationDateTime (boto3's datetime, the aws cli's ISO text
    or epoch seconds) as the on-failure record writes it: whole seconds, UTC, "Z"."""
    if isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    elif isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stream_record(records, key):
    """The one GetRecords record of the item whose partition key `pk` is `key`."""
    found = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == key]
    check(len(found) == 1, f"the stream holds one record of {key} (got {len(found)})")
    return found[0] if found else None


def check_failure_record(body, function, stream_arn, shard_id, poison, invoke_count):
    """Checks one on-failure message body (the raw text) sent for the poison record alone after
    `invoke_count` invokes of `function`; `poison` is the poison's record from GetRecords.
    Returns the parsed record."""
    record = json.loads(body)
    members = ["requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"]
    check(list(record) == members, f"top-level members in AWS's order: {list(record)}")
    rc = record["requestContext"]
    check(re.fullmatch(UUID, rc["requestId"]) is not None,
          f"requestId is a UUID: {rc['requestId']}")
    check(rc["functionArn"] == function_arn(function), f"functionArn {rc['functionArn']}")
    check(rc["condition"] == "RetryAttemptsExhausted", f"condition {rc['condition']}")
    check(rc["approximateInvokeCount"] == invoke_count,
          f"1 + MaximumRetryAttempts = {invoke_count} invokes: {rc}")
    check(record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                        "functionError": "Unhandled"},
          f"responseContext {record['responseContext']}")
    check(record["version"] == "1.0", "version 1.0")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"]) is not None,
          f"timestamp with milliseconds: {record['timestamp']}")
    arrival = arrival_text(poison["dynamodb"]["ApproximateCreationDateTime"])
    sequence = poison["dynamodb"]["SequenceNumber"]
    check(record["DDBStreamBatchInfo"] == {"shardId": shard_id,
                                           "startSequenceNumber": sequence,
                                           "endSequenceNumber": sequence,
                                           "approximateArrivalOfFirstRecord": arrival,
                                           "approximateArrivalOfLastRecord": arrival,
                                           "batchSize": 1,
                                           "streamArn": stream_arn},
          f"DDBStreamBatchInfo covers the poison record alone: {record['DDBStreamBatchInfo']}")
    return record


def read_invocations(path):
    """The invocation log a test function wrote, one dict per invocation with "keys",
    "sequenceNumbers", "eventSourceARNs", "failed", "requestId" and "function". A line holding
    the whole "event" (the shell bootstrap's) is reduced to the same members here."""
    calls = []
    with open(path) as f:
        for line in f:
            seen = json.loads(line)
            if "event" in seen:
                records = seen.pop("event")["Records"]
                seen["keys"] = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
                seen["sequenceNumbers"] = [r["dynamodb"]["SequenceNumber"] for r in records]
                seen["eventSourceARNs"] = sorted({r["eventSourceARN"] for r in records})
                seen["failed"] = any("poison" in r["dynamodb"].get("NewImage", {})
                                     for r in records)
            calls.append(seen)
    return calls


def check_invocations(calls, function, records, poison_key, batch_size, failure):
    """Checks the invocations of `function` (read_invocations) against the stream's `records`
    (GetRecords, in order) for a mapping with BatchSize `batch_size`, bisect on, whose failure
    record `failure` (check_failure_record) discarded the poison record."""
    stream_arn = failure["DDBStreamBatchInfo"]["streamArn"]
    order = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
    sequence = {r["dynamodb"]["Keys"]["pk"]["S"]: r["dynamodb"]["SequenceNumber"] for r in records}
    check(calls != [], f"{function} was invoked")
    for c in calls:
        check(c["function"] == function, f"{function}'s log holds its own invocations: {c}")
        check(c["eventSourceARNs"] == [stream_arn], f"records come from the stream: {c}")
        check(c["sequenceNumbers"] == [sequence.get(k) for k in c["keys"]],
              f"the records' sequence numbers are the stream's: {c}")
        check(c["failed"] == (poison_key in c["keys"]), f"only poisoned batches fail: {c}")
    first = calls[0]["keys"] if calls else []
    check(first == order[:batch_size], f"the first batch is the stream's first {batch_size} records"
          f" in order: {first}")
    alone = [c for c in calls if c["keys"] == [poison_key]]
    count = failure["requestContext"]["approximateInvokeCount"]
    check(len(alone) == count, f"the poison alone was invoked approximateInvokeCount ({count})"
          f" times: {[c['keys'] for c in calls]}")
    last_poisoned = [c for c in calls if poison_key in c["keys"]][-1:]
    check(alone != [] and last_poisoned == alone[-1:],
          "nothing holding the poison was invoked after its last lone attempt")
    check(alone != [] and failure["requestContext"]["requestId"] == alone[-1]["requestId"],
          "the failure record names the request id of the poison's last invoke")
    processed = [k for c in calls if not c["failed"] for k in c["keys"]]
    others = [k for k in order if k != poison_key]
    check(sorted(processed) == sorted(others),
          f"every other record was processed exactly once: {processed}")
    for c in calls:
        check(c["keys"] == [k for k in order if k in c["keys"]],
              f"a batch keeps the stream's order: {c['keys']}")


def verify(stream_arn, shard_id, records, messages, poison_key, batch_size, invoke_count,
           invocation_logs):
    """Checks everything: one on-failure message per function of `invocation_logs`
    ({function: INVOKE_LOG path}) among `messages` (ReceiveMessage's), each for the poison
    record alone after `invoke_count` invokes, and each function's invocations."""
    check(len(messages) == len(invocation_logs),
          f"one on-failure message per function (got {len(messages)})")
    poison = stream_record(records, poison_key)
    if poison is None:
        return
    by_function = {json.loads(m["Body"])["requestContext"]["functionArn"]: m for m in messages}
    for name, log in invocation_logs.items():
        message = by_function.get(function_arn(name))
        check(message is not None, f"an on-failure message for {name}")
        if message is not None:
            failure = check_failure_record(message["Body"], name, stream_arn, shard_id, poison,
                                           invoke_count)
            check_invocations(read_invocations(log), name, records, poison_key, batch_size,
                              failure)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stream-arn", required=True)
    p.add_argument("--shard-id", required=True)
    p.add_argument("--records", required=True, help="aws dynamodbstreams get-records output")
    p.add_argument("--messages", required=True, help="aws sqs receive-message output")
    p.add_argument("--poison", required=True, help="the poison item's pk")
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--invoke-count", type=int, required=True)
    p.add_argument("functions", nargs="+", metavar="FUNCTION=INVOKE_LOG")
    a = p.parse_args()
    with open(a.records) as f:
        records = json.load(f)["Records"]
    with open(a.messages) as f:
        messages = json.load(f).get("Messages", [])
    verify(a.stream_arn, a.shard_id, records, messages, a.poison, a.batch_size, a.invoke_count,
           dict(fn.split("=", 1) for fn in a.functions))
    finish("esm outcome")


if __name__ == "__main__":
    main()

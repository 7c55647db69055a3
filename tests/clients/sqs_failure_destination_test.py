#!/usr/bin/python3
"""Issue 13, end to end with Debian's python3-boto3: an event source mapping whose OnFailure
destination is an SQS queue, read back with ReceiveMessage.

Runs under run_with_esser_local.sh (ESSER_ENDPOINT; real clock, so the mapping polls by
itself). A table with a NEW_IMAGE stream holds four items, one of them poison; a custom-runtime
function (a small Python program speaking the Lambda Runtime API, created with esser's
Code.EsserCommand) fails every batch that contains the poison item and logs each invocation to
a file. The mapping has BatchSize 4, MaximumRetryAttempts 2, BisectBatchOnFunctionError and the
SQS queue as OnFailure destination. The on-failure record is then long-polled from the queue
and checked field by field against the stream (spec/streams-and-lambda.md §4.5,
esm_outcome.check_failure_record); the invocation log shows the bisect and the retries. A destination queue that does not exist is
refused at CreateEventSourceMapping. Any failure exits 1.
"""
import json
import os
import tempfile
import time
import urllib.request

from botocore.exceptions import ClientError

from client_support import ENDPOINT, check, client, create_stream_table, drain, fail_now, finish
from esm_outcome import check_failure_record

ddb = client("dynamodb")
streams = client("dynamodbstreams")
lam = client("lambda")
sqs = client("sqs")


# The function: a custom runtime in Python. It fails any batch holding the poison item and
# appends one JSON line per invocation (the keys it got, and whether it failed) to $INVOKE_LOG.
RUNTIME = r'''
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    keys = [rec["dynamodb"]["Keys"]["pk"]["S"] for rec in event["Records"]]
    poisoned = any("poison" in rec["dynamodb"].get("NewImage", {}) for rec in event["Records"])
    with open(os.environ["INVOKE_LOG"], "a") as log:
        log.write(json.dumps({"keys": keys, "failed": poisoned}) + "\n")
    if poisoned:
        body, path = {"errorMessage": "poison record", "errorType": "Poison"}, rid + "/error"
    else:
        body, path = None, rid + "/response"
    req = urllib.request.Request(api + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req).read()
'''

work = tempfile.mkdtemp(prefix="esser-sqs-e2e.")
runtime_path = os.path.join(work, "bootstrap.py")
invoke_log = os.path.join(work, "invocations.jsonl")
with open(runtime_path, "w") as f:
    f.write(RUNTIME)
open(invoke_log, "w").close()


def create_function(name):
    body = {"FunctionName": name, "Runtime": "provided.al2023", "Handler": "bootstrap",
            "Role": "arn:aws:iam::000000000000:role/esser", "Timeout": 10,
            "Code": {"EsserCommand": ["/usr/bin/python3", runtime_path]},
            "Environment": {"Variables": {"INVOKE_LOG": invoke_log}}}
    req = urllib.request.Request(ENDPOINT + "/2015-03-31/functions", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        fail_now(f"CreateFunction {name}: {e.code} {e.read()!r}")


# --- the table, its stream and four items, one poison ---------------------------------------
stream_arn = create_stream_table(ddb, "orders")
for pk in ["o-1", "o-2", "o-3", "o-4"]:
    item = {"pk": {"S": pk}, "total": {"N": "10"}}
    if pk == "o-3":
        item["poison"] = {"BOOL": True}
    ddb.put_item(TableName="orders", Item=item)

# The records as the stream has them: the poison's sequence number and arrival time.
shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
check(len(shards) == 1, f"one shard (got {len(shards)})")
shard_id = shards[0]["ShardId"]
it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id,
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
records = streams.get_records(ShardIterator=it)["Records"]
poison = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == "o-3"]
if len(records) != 4 or len(poison) != 1:
    fail_now(f"the stream holds the four writes (got {len(records)})")
poison = poison[0]

create_function("projector")
queue_url = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
    "Attributes"]["QueueArn"]
check(queue_arn == "arn:aws:sqs:us-east-1:000000000000:orders-dlq", f"queue ARN {queue_arn}")

mapping = dict(FunctionName="projector", EventSourceArn=stream_arn,
               StartingPosition="TRIM_HORIZON", BatchSize=4, MaximumRetryAttempts=2,
               BisectBatchOnFunctionError=True)

# A destination queue that does not exist is refused at once.
try:
    lam.create_event_source_mapping(**mapping, DestinationConfig={
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:no-such-queue"}})
    check(False, "a missing destination queue must be refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "InvalidParameterValueException",
          f"missing destination queue: InvalidParameterValueException (got {e.response['Error']})")
check(lam.list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"] == [],
      "no mapping was created by the refused call")

esm = lam.create_event_source_mapping(**mapping,
                                      DestinationConfig={"OnFailure": {"Destination": queue_arn}})
check(esm["DestinationConfig"] == {"OnFailure": {"Destination": queue_arn}},
      "the mapping shows its destination")

# --- the on-failure record, long-polled from the queue --------------------------------------
deadline = time.monotonic() + 60
messages = []
while not messages and time.monotonic() < deadline:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=10,
                                   AttributeNames=["All"]).get("Messages", [])
if len(messages) != 1:
    fail_now(f"one on-failure message in the queue (got {len(messages)})")
msg = messages[0]
record = check_failure_record(msg["Body"], "projector", stream_arn, shard_id, poison,
                              invoke_count=1 + mapping["MaximumRetryAttempts"])
rc = record["requestContext"]
check(msg["Attributes"]["ApproximateReceiveCount"] == "1", "first receive of the record")
sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=msg["ReceiptHandle"])
counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
check(counts["ApproximateNumberOfMessages"] == "0" and
      counts["ApproximateNumberOfMessagesNotVisible"] == "0", f"nothing else queued: {counts}")

# --- what the function saw: bisect, then retries of the poison alone --------------------------
# The pollers go on with o-4 after sending the poison to the queue: wait until they are idle.
check(drain()["idle"], "the mapping ends idle")
calls = [json.loads(line) for line in open(invoke_log)]
check(calls and calls[0] == {"keys": ["o-1", "o-2", "o-3", "o-4"], "failed": True},
      f"the first batch holds the four records and fails: {calls[:1]}")
alone = [c for c in calls if c["keys"] == ["o-3"]]
check(len(alone) == rc["approximateInvokeCount"],
      f"the poison alone was invoked approximateInvokeCount times: {calls}")
done = {k for c in calls if not c["failed"] for k in c["keys"]}
check(done == {"o-1", "o-2", "o-4"}, f"every other record succeeded: {calls}")

finish("sqs failure destination")

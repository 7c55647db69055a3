#!/usr/bin/python3
"""Issue 13 end to end with Debian's python3-boto3: zip-packaged functions deployed with the
standard calls, mapped to a DynamoDB stream with retries, bisect and an SQS on-failure queue.

Runs under run_with_esser_local.sh (ESSER_ENDPOINT; CMake passes --clock manual --seed, so
records flow only on POST /esser/v1/drain and the run is deterministic). The Python handler
(esm_functions/app.py, python3.11) and the shell bootstrap (esm_functions/bootstrap,
provided.al2023) are zipped in memory and created with CreateFunction(Code={"ZipFile": ...});
each appends what it saw per invocation to its own file and fails any batch holding the poison
item. One table with a NEW_IMAGE stream is mapped to both (BatchSize 6, MaximumRetryAttempts 2,
BisectBatchOnFunctionError, DestinationConfig.OnFailure = the queue's ARN); six items are
written, the fourth poison; after a drain every invocation of both functions and both
on-failure messages (ReceiveMessage) are checked by esm_outcome.verify. Any failure exits 1.
"""
import io
import os
import tempfile
import zipfile

from client_support import check, client, create_stream_table, drain, fail_now, finish
from esm_outcome import verify

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTIONS = os.path.join(HERE, "esm_functions")
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
BATCH_SIZE, RETRIES, POISON = 6, 2, "o-4"

ddb = client("dynamodb")
streams = client("dynamodbstreams")
lam = client("lambda")
sqs = client("sqs")
work = tempfile.mkdtemp(prefix="esser-esm-zip.")


def zip_of(name, mode):
    """The zip a user makes of one file of esm_functions/ (its mode kept)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(FUNCTIONS, name), "rb") as f:
            z.writestr(info, f.read())
    return buf.getvalue()


def create_function(name, runtime, handler, package):
    log = os.path.join(work, name + ".jsonl")
    open(log, "w").close()
    fn = lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE,
                             Timeout=10, Code={"ZipFile": package},
                             Environment={"Variables": {"INVOKE_LOG": log}})
    check(fn["Runtime"] == runtime and fn["CodeSize"] == len(package),
          f"CreateFunction {name}: {fn['Runtime']} {fn['CodeSize']}")
    return log


logs = {"py-projector": create_function("py-projector", "python3.11", "app.handler",
                                        zip_of("app.py", 0o644)),
        "sh-projector": create_function("sh-projector", "provided.al2023", "function.handler",
                                        zip_of("bootstrap", 0o755))}

stream_arn = create_stream_table(ddb, "orders")
queue_url = sqs.create_queue(QueueName="orders-failures")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
    "Attributes"]["QueueArn"]

for name in logs:
    esm = lam.create_event_source_mapping(
        FunctionName=name, EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
        BatchSize=BATCH_SIZE, MaximumRetryAttempts=RETRIES, BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    check(esm["MaximumRetryAttempts"] == RETRIES and esm["BisectBatchOnFunctionError"] and
          esm["DestinationConfig"] == {"OnFailure": {"Destination": queue_arn}},
          f"the mapping of {name} shows its configuration: {esm}")

for n in range(1, 7):
    item = {"pk": {"S": f"o-{n}"}, "total": {"N": str(10 * n)}}
    if item["pk"]["S"] == POISON:
        item["poison"] = {"BOOL": True}
    ddb.put_item(TableName="orders", Item=item)

drained = drain()
check(drained["idle"], f"the drain ends idle: {drained}")

shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
if len(shards) != 1:
    fail_now(f"one shard (got {len(shards)})")
shard_id = shards[0]["ShardId"]
it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id,
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
records = streams.get_records(ShardIterator=it)["Records"]
check(len(records) == 6, f"the stream holds the six writes (got {len(records)})")

messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                               AttributeNames=["All"]).get("Messages", [])
verify(stream_arn, shard_id, records, messages, POISON, BATCH_SIZE, 1 + RETRIES, logs)
for m in messages:
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
left = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
check(left["ApproximateNumberOfMessages"] == "0" and
      left["ApproximateNumberOfMessagesNotVisible"] == "0", f"nothing else was queued: {left}")

finish("esm zip boto3")

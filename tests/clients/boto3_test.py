#!/usr/bin/python3
"""Issue 6, real clients: Debian's python3-boto3 against a started esser-local.

Runs under run_with_esser_local.sh (ESSER_ENDPOINT). Covers DynamoDB (table with a stream,
put/get/update/delete/query/scan, a conditional failure and its error shape, a transaction
with a cancellation and one that commits) and DynamoDB Streams (list, describe, iterators,
records in order with their images, a shard rotated by the esser API read to its end and on
into its child). Each check names what it expects; any failure exits 1.
"""
import json
import os
import sys
import urllib.request

import boto3
import botocore.config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ESSER_ENDPOINT"]
CFG = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10)
SESSION = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                region_name="us-east-1")
ddb = SESSION.client("dynamodb", endpoint_url=ENDPOINT, config=CFG)
streams = SESSION.client("dynamodbstreams", endpoint_url=ENDPOINT, config=CFG)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def esser_api(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ENDPOINT + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def event(pk, v, typ, **data):
    item = {"pk": {"S": pk}, "v": {"N": str(v)}, "type": {"S": typ}}
    if data:
        item["data"] = {"M": {k: {"S": str(x)} for k, x in data.items()}}
    return item


# --- a table with a stream --------------------------------------------------------------
t = ddb.create_table(
    TableName="ledger",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "v", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "v", "KeyType": "RANGE"}],
    BillingMode="PAY_PER_REQUEST",
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
)["TableDescription"]
check(t["StreamSpecification"] == {"StreamEnabled": True,
                                   "StreamViewType": "NEW_AND_OLD_IMAGES"},
      "CreateTable echoes the StreamSpecification")
stream_arn = t.get("LatestStreamArn", "")
check(stream_arn.startswith("arn:aws:dynamodb:us-east-1:") and "/stream/" in stream_arn,
      "CreateTable returns a LatestStreamArn: " + stream_arn)
check(ddb.list_tables()["TableNames"] == ["events", "ledger", "snapshots"],
      "ListTables lists the table next to the shop domain's events and snapshots")

# --- conditional appends, reads ---------------------------------------------------------
for v in (1, 2, 3):
    ddb.put_item(TableName="ledger", Item=event("Item#a", v, "added", n=v),
                 ConditionExpression="attribute_not_exists(pk)")
got = ddb.get_item(TableName="ledger", Key={"pk": {"S": "Item#a"}, "v": {"N": "2"}})
check(got.get("Item", {}).get("data") == {"M": {"n": {"S": "2"}}}, "GetItem returns v=2")

q = ddb.query(TableName="ledger", KeyConditionExpression="pk = :p AND v >= :from",
              ExpressionAttributeValues={":p": {"S": "Item#a"}, ":from": {"N": "2"}})
check([i["v"]["N"] for i in q["Items"]] == ["2", "3"] and q["Count"] == 2,
      "Query with a sort key range returns v 2,3 in order")
q = ddb.query(TableName="ledger", KeyConditionExpression="pk = :p", ScanIndexForward=False,
              Limit=2, ExpressionAttributeValues={":p": {"S": "Item#a"}})
check([i["v"]["N"] for i in q["Items"]] == ["3", "2"] and "LastEvaluatedKey" in q,
      "Query backwards with Limit pages with LastEvaluatedKey")

# --- the conditional failure: error shape -----------------------------------------------
try:
    ddb.put_item(TableName="ledger", Item=event("Item#a", 2, "dup"),
                 ConditionExpression="attribute_not_exists(pk)")
    check(False, "a conditional put on an existing key must fail")
except ClientError as e:
    err = e.response["Error"]
    meta = e.response["ResponseMetadata"]
    check(err["Code"] == "ConditionalCheckFailedException",
          "error code ConditionalCheckFailedException, got " + err["Code"])
    check(err["Message"] == "The conditional request failed", "message: " + err["Message"])
    check(meta["HTTPStatusCode"] == 400, "status 400")
    check(len(meta["RequestId"]) == 52, "x-amzn-RequestId of 52 characters")
got = ddb.get_item(TableName="ledger", Key={"pk": {"S": "Item#a"}, "v": {"N": "2"}},
                   ConsistentRead=True)
check(got["Item"]["type"] == {"S": "added"}, "the failed put changed nothing")

# --- update, delete, scan ---------------------------------------------------------------
u = ddb.update_item(TableName="ledger", Key={"pk": {"S": "Item#a"}, "v": {"N": "3"}},
                    UpdateExpression="SET #t = :t, hits = if_not_exists(hits, :z) + :one",
                    ExpressionAttributeNames={"#t": "type"},
                    ExpressionAttributeValues={":t": {"S": "renamed"}, ":z": {"N": "0"},
                                               ":one": {"N": "1"}},
                    ReturnValues="UPDATED_NEW")
check(u["Attributes"] == {"type": {"S": "renamed"}, "hits": {"N": "1"}},
      "UpdateItem returns UPDATED_NEW: " + json.dumps(u["Attributes"]))
d = ddb.delete_item(TableName="ledger", Key={"pk": {"S": "Item#a"}, "v": {"N": "1"}},
                    ReturnValues="ALL_OLD")
check(d["Attributes"]["type"] == {"S": "added"}, "DeleteItem returns ALL_OLD")
s = ddb.scan(TableName="ledger")
check(sorted(i["v"]["N"] for i in s["Items"]) == ["2", "3"], "Scan sees v 2,3")

# --- transactions -----------------------------------------------------------------------
try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "ledger", "Item": event("Item#b", 1, "created")}},
        {"Put": {"TableName": "ledger", "Item": event("Item#a", 2, "dup"),
                 "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
    check(False, "a transaction with a failing condition must be cancelled")
except ClientError as e:
    check(e.response["Error"]["Code"] == "TransactionCanceledException",
          "TransactionCanceledException, got " + e.response["Error"]["Code"])
    reasons = [r["Code"] for r in e.response.get("CancellationReasons", [])]
    check(reasons == ["None", "ConditionalCheckFailed"],
          "CancellationReasons None, ConditionalCheckFailed: " + repr(reasons))
    check("[None, ConditionalCheckFailed]" in e.response["Error"]["Message"],
          "the message lists the reasons: " + e.response["Error"]["Message"])
check("Item" not in ddb.get_item(TableName="ledger",
                                 Key={"pk": {"S": "Item#b"}, "v": {"N": "1"}}),
      "a cancelled transaction writes nothing")
ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": "ledger", "Item": event("Item#b", 1, "created"),
             "ConditionExpression": "attribute_not_exists(pk)"}},
    {"Put": {"TableName": "ledger", "Item": event("Item#b", 2, "renamed"),
             "ConditionExpression": "attribute_not_exists(pk)"}},
])
q = ddb.query(TableName="ledger", KeyConditionExpression="pk = :p",
              ExpressionAttributeValues={":p": {"S": "Item#b"}})
check(q["Count"] == 2, "a committed transaction wrote both events")

# --- DynamoDB Streams -------------------------------------------------------------------
ls = streams.list_streams(TableName="ledger")["Streams"]
check([x["StreamArn"] for x in ls] == [stream_arn], "ListStreams lists the table's stream")
desc = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
check(desc["StreamStatus"] == "ENABLED", "stream ENABLED")
check(desc["StreamViewType"] == "NEW_AND_OLD_IMAGES", "view type")
check(desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "v", "KeyType": "RANGE"}], "key schema")
shards = desc["Shards"]
check(len(shards) == 1 and "EndingSequenceNumber" not in shards[0]["SequenceNumberRange"],
      "one open shard")
shard_id = shards[0]["ShardId"]


def read_shard(shard, it_type="TRIM_HORIZON", **kw):
    it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard,
                                    ShardIteratorType=it_type, **kw)["ShardIterator"]
    out = []
    for _ in range(50):  # bounded: a shard here holds a handful of records
        page = streams.get_records(ShardIterator=it, Limit=3)
        out += page["Records"]
        it = page.get("NextShardIterator")
        if it is None or not page["Records"]:
            return out, it
    return out, it


recs, next_it = read_shard(shard_id)
names = [r["eventName"] for r in recs]
# 3 puts, update, delete, then the committed transaction's 2 puts (the cancelled one and the
# failed conditional put leave no record).
check(names == ["INSERT"] * 3 + ["MODIFY", "REMOVE", "INSERT", "INSERT"],
      "records in commit order: " + repr(names))
check(next_it is not None, "an open shard always gives a NextShardIterator")
seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "sequence numbers increase")
if len(recs) == 7:
    m = recs[3]["dynamodb"]
    check(m["OldImage"]["type"] == {"S": "added"} and m["NewImage"]["type"] == {"S": "renamed"},
          "MODIFY carries the old and the new image")
    check(recs[4]["dynamodb"]["Keys"] == {"pk": {"S": "Item#a"}, "v": {"N": "1"}},
          "REMOVE carries the keys")
    check("NewImage" not in recs[4]["dynamodb"], "REMOVE has no new image")
    check(recs[0]["eventSource"] == "aws:dynamodb" and recs[0]["awsRegion"] == "us-east-1",
          "eventSource and awsRegion")
    after, _ = read_shard(shard_id, "AFTER_SEQUENCE_NUMBER",
                          SequenceNumber=recs[4]["dynamodb"]["SequenceNumber"])
    check([r["eventName"] for r in after] == ["INSERT", "INSERT"],
          "AFTER_SEQUENCE_NUMBER resumes after a record")

try:
    streams.get_records(ShardIterator="not-an-iterator")
    check(False, "a forged iterator must be refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ValidationException",
          "a forged iterator is ValidationException, got " + e.response["Error"]["Code"])

# Rotate the shard through the esser API, write once more, and read the closed shard to its end
# (no NextShardIterator) and the child from TRIM_HORIZON.
status, body = esser_api("POST", "/esser/v1/streams/ledger/rotate")
check(status == 200, "POST /esser/v1/streams/ledger/rotate -> 200, got %d %r" % (status, body))
if status == 200:
    ddb.put_item(TableName="ledger", Item=event("Item#c", 1, "created"))
    desc = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    by_id = {s["ShardId"]: s for s in desc["Shards"]}
    check("EndingSequenceNumber" in by_id[shard_id]["SequenceNumberRange"],
          "the rotated shard is closed")
    children = [s for s in desc["Shards"] if s.get("ParentShardId") == shard_id]
    check(len(children) == 1 and children == [by_id[x] for x in body.get("shards", [])],
          "one child shard, the one the API returned")
    closed, end_it = read_shard(shard_id)
    check(len(closed) == 7 and end_it is None,
          "a closed shard reads to its end without a NextShardIterator")
    if children:
        child, _ = read_shard(children[0]["ShardId"])
        check([r["dynamodb"]["Keys"]["pk"]["S"] for r in child] == ["Item#c"],
              "the child shard holds the write after the rotation")

if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
print("boto3 client test: all checks passed")

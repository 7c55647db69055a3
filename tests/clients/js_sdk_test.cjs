// Issue 6, real clients: the AWS SDK for JavaScript v3 against esser-local (ESSER_ENDPOINT).
// Run by js_sdk_test.sh with the node_modules directory it installed into as argv[2].
// Covers a table with a stream, conditional appends, Query, a conditional failure (the SDK's
// error class, name, status and metadata), a transaction with a cancellation, and DynamoDB
// Streams (describe, iterator, records).
"use strict";
const path = require("path");
const modules = process.argv[2];
const ddbLib = require(path.join(modules, "@aws-sdk/client-dynamodb"));
const streamsLib = require(path.join(modules, "@aws-sdk/client-dynamodb-streams"));

const config = {
  endpoint: process.env.ESSER_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  maxAttempts: 1,
};
const ddb = new ddbLib.DynamoDBClient(config);
const streams = new streamsLib.DynamoDBStreamsClient(config);

let failures = 0;
function check(cond, what) {
  if (!cond) {
    failures++;
    console.error("FAIL:", what);
  }
}
// Deep equality that ignores the order of object keys (an item's attributes have none).
const canonical = (x) => Array.isArray(x) ? x.map(canonical)
  : (x && typeof x === "object" && !(x instanceof Date))
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, canonical(x[k])])) : x;
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

async function expectError(promise, name) {
  try {
    await promise;
    check(false, `expected ${name}, the call succeeded`);
    return null;
  } catch (e) {
    check(e.name === name, `expected ${name}, got ${e.name}: ${e.message}`);
    return e;
  }
}

const event = (pk, v, type) => ({ pk: { S: pk }, v: { N: String(v) }, type: { S: type } });

async function main() {
  const created = await ddb.send(new ddbLib.CreateTableCommand({
    TableName: "ledger",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" },
                           { AttributeName: "v", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" },
                { AttributeName: "v", KeyType: "RANGE" }],
    BillingMode: "PAY_PER_REQUEST",
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
  }));
  const streamArn = created.TableDescription.LatestStreamArn || "";
  check(streamArn.includes(":table/ledger/stream/"), "CreateTable returns the stream ARN");

  for (const v of [1, 2, 3]) {
    await ddb.send(new ddbLib.PutItemCommand({
      TableName: "ledger", Item: event("Item#a", v, "added"),
      ConditionExpression: "attribute_not_exists(pk)",
    }));
  }
  const q = await ddb.send(new ddbLib.QueryCommand({
    TableName: "ledger", KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: "Item#a" } },
  }));
  check(same(q.Items.map((i) => i.v.N), ["1", "2", "3"]), "Query returns v 1,2,3 in order");

  const err = await expectError(ddb.send(new ddbLib.PutItemCommand({
    TableName: "ledger", Item: event("Item#a", 1, "dup"),
    ConditionExpression: "attribute_not_exists(pk)",
  })), "ConditionalCheckFailedException");
  if (err) {
    check(err instanceof ddbLib.ConditionalCheckFailedException,
          "the SDK maps the error to its ConditionalCheckFailedException class");
    check(err.$metadata.httpStatusCode === 400, "status 400");
    check((err.$metadata.requestId || "").length === 52, "x-amzn-RequestId read by the SDK");
    check(err.message === "The conditional request failed", "message: " + err.message);
  }

  const tx = await expectError(ddb.send(new ddbLib.TransactWriteItemsCommand({
    TransactItems: [
      { Put: { TableName: "ledger", Item: event("Item#b", 1, "created") } },
      { Put: { TableName: "ledger", Item: event("Item#a", 2, "dup"),
               ConditionExpression: "attribute_not_exists(pk)" } },
    ],
  })), "TransactionCanceledException");
  if (tx) {
    check(same((tx.CancellationReasons || []).map((r) => r.Code),
               ["None", "ConditionalCheckFailed"]), "CancellationReasons");
  }
  const none = await ddb.send(new ddbLib.GetItemCommand({
    TableName: "ledger", Key: { pk: { S: "Item#b" }, v: { N: "1" } },
  }));
  check(none.Item === undefined, "a cancelled transaction writes nothing");

  const desc = await streams.send(new streamsLib.DescribeStreamCommand({ StreamArn: streamArn }));
  check(desc.StreamDescription.StreamStatus === "ENABLED", "stream ENABLED");
  const shardId = desc.StreamDescription.Shards[0].ShardId;
  const it = await streams.send(new streamsLib.GetShardIteratorCommand({
    StreamArn: streamArn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON",
  }));
  const page = await streams.send(new streamsLib.GetRecordsCommand({
    ShardIterator: it.ShardIterator,
  }));
  check(same(page.Records.map((r) => r.eventName), ["INSERT", "INSERT", "INSERT"]),
        "GetRecords returns the three inserts");
  check(page.Records.length === 3 &&
        same(page.Records[2].dynamodb.NewImage, event("Item#a", 3, "added")),
        "NEW_IMAGE of the third record");
  check(page.Records.length > 0 &&
        page.Records[0].dynamodb.ApproximateCreationDateTime instanceof Date,
        "ApproximateCreationDateTime parses as a date");
  check(typeof page.NextShardIterator === "string", "an open shard gives a NextShardIterator");
  await expectError(streams.send(new streamsLib.GetRecordsCommand({ ShardIterator: "forged" })),
                    "ValidationException");
}

main().then(() => {
  if (failures) {
    console.error(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log("JS SDK v3 client test: all checks passed");
}, (e) => {
  console.error("js_sdk_test: unexpected error:", e);
  process.exit(1);
});

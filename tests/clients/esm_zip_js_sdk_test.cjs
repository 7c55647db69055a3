// Issue 13 end to end with the AWS SDK for JavaScript v3: a Node handler (esm_functions/index.js,
// nodejs20.x) zipped and created with CreateFunctionCommand, mapped to a DynamoDB stream with
// retries, bisect and an SQS on-failure queue, all through the SDK. Run by js_sdk_test.sh (the
// node_modules directory as argv[2]) under run_with_esser_local.sh, which CMake gives
// --clock manual --seed so that records flow only on POST /esser/v1/drain. Six items are written,
// the fourth poison; the stream (GetRecords) and the queue (ReceiveMessage) read through the
// SDK are handed to esm_outcome.py, which checks every invocation and the on-failure message.
"use strict";
const path = require("path");
const fs = require("fs");
const os = require("os");
const { execFileSync } = require("child_process");
const { clientConfig } = require("./client_support.cjs");
const modules = process.argv[2];
const sdk = (name) => require(path.join(modules, "@aws-sdk", name));
const L = sdk("client-lambda");
const D = sdk("client-dynamodb");
const S = sdk("client-dynamodb-streams");
const Q = sdk("client-sqs");

const lambda = new L.LambdaClient(clientConfig);
const ddb = new D.DynamoDBClient(clientConfig);
const streams = new S.DynamoDBStreamsClient(clientConfig);
const sqs = new Q.SQSClient(clientConfig);
const here = __dirname;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "esser-esm-js-"));

async function main() {
  // The package a user zips: index.js at its root (Python's zipfile; Node 20 has no writer).
  execFileSync("/usr/bin/python3", ["-m", "zipfile", "-c", path.join(work, "node.zip"),
                                    "index.js"], { cwd: path.join(here, "esm_functions") });
  const log = path.join(work, "node-projector.jsonl");
  fs.writeFileSync(log, "");
  await lambda.send(new L.CreateFunctionCommand({
    FunctionName: "node-projector", Runtime: "nodejs20.x", Handler: "index.handler",
    Role: "arn:aws:iam::000000000000:role/lambda-role", Timeout: 10,
    Code: { ZipFile: fs.readFileSync(path.join(work, "node.zip")) },
    Environment: { Variables: { INVOKE_LOG: log } } }));

  const table = await ddb.send(new D.CreateTableCommand({
    TableName: "orders", BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } }));
  const streamArn = table.TableDescription.LatestStreamArn;
  const { QueueUrl } = await sqs.send(new Q.CreateQueueCommand({ QueueName: "orders-failures" }));
  const { Attributes } = await sqs.send(new Q.GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ["QueueArn"] }));
  await lambda.send(new L.CreateEventSourceMappingCommand({
    FunctionName: "node-projector", EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON",
    BatchSize: 6, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true,
    DestinationConfig: { OnFailure: { Destination: Attributes.QueueArn } } }));

  for (let n = 1; n <= 6; n++) {
    const item = { pk: { S: `o-${n}` }, total: { N: String(10 * n) } };
    if (n === 4) item.poison = { BOOL: true };
    await ddb.send(new D.PutItemCommand({ TableName: "orders", Item: item }));
  }
  const drained = await (await fetch(process.env.ESSER_ENDPOINT + "/esser/v1/drain",
                                     { method: "POST", body: "{}" })).json();
  if (!drained.idle) throw new Error(`the drain did not end idle: ${JSON.stringify(drained)}`);

  const described = await streams.send(new S.DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = described.StreamDescription.Shards[0].ShardId;
  const { ShardIterator } = await streams.send(new S.GetShardIteratorCommand({
    StreamArn: streamArn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
  const records = await streams.send(new S.GetRecordsCommand({ ShardIterator }));
  const messages = await sqs.send(new Q.ReceiveMessageCommand({
    QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"] }));
  fs.writeFileSync(path.join(work, "records.json"), JSON.stringify({ Records: records.Records }));
  fs.writeFileSync(path.join(work, "messages.json"),
                   JSON.stringify({ Messages: messages.Messages || [] }));
  // Throws (exit status 1, its FAIL lines on stderr) when a check fails.
  execFileSync("/usr/bin/python3", [
    path.join(here, "esm_outcome.py"), "--stream-arn", streamArn, "--shard-id", shardId,
    "--records", path.join(work, "records.json"), "--messages", path.join(work, "messages.json"),
    "--poison", "o-4", "--batch-size", "6", "--invoke-count", "3", `node-projector=${log}`],
    { stdio: "inherit" });
}

main().then(() => {
  fs.rmSync(work, { recursive: true, force: true });
  console.log("esm_zip_js_sdk_test: all checks passed");
}, (e) => {
  console.error("esm_zip_js_sdk_test: failed:", e.message || e);
  process.exit(1);
});

// Issue 13, SQS with a real client: the AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, the
// AWS JSON 1.0 protocol) against esser-local (ESSER_ENDPOINT). Run by js_sdk_test.sh with the
// node_modules directory it installed into as argv[2]. Covers CreateQueue with attributes,
// GetQueueUrl, SendMessage with message attributes (the SDK checks MD5OfMessageBody),
// ReceiveMessage (system and message attributes, an empty long poll, a long poll woken by a
// send), DeleteMessage, GetQueueAttributes counts, PurgeQueue, ListQueues, DeleteQueue, and
// the SDK's error classes for SQS's errors (which need the x-amzn-query-error header).
"use strict";
const path = require("path");
const modules = process.argv[2];
const lib = require(path.join(modules, "@aws-sdk/client-sqs"));

const sqs = new lib.SQSClient({
  endpoint: process.env.ESSER_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  maxAttempts: 1,
});

let failures = 0;
function check(cond, what) {
  if (!cond) {
    failures++;
    console.error("FAIL:", what);
  }
}

async function expectError(promise, name, status) {
  try {
    await promise;
    check(false, `expected ${name}, the call succeeded`);
  } catch (e) {
    check(e.name === name, `expected ${name}, got ${e.name}: ${e.message}`);
    check(e.$metadata && e.$metadata.httpStatusCode === status,
          `${name} has status ${status} (got ${e.$metadata && e.$metadata.httpStatusCode})`);
  }
}

async function main() {
  const { QueueUrl: url } = await sqs.send(new lib.CreateQueueCommand({
    QueueName: "events", Attributes: { VisibilityTimeout: "20" },
  }));
  check(url === `${process.env.ESSER_ENDPOINT}/000000000000/events`, `queue URL ${url}`);
  await expectError(sqs.send(new lib.CreateQueueCommand({
    QueueName: "events", Attributes: { VisibilityTimeout: "21" },
  })), "QueueNameExists", 400);
  check((await sqs.send(new lib.GetQueueUrlCommand({ QueueName: "events" }))).QueueUrl === url,
        "GetQueueUrl");
  await expectError(sqs.send(new lib.GetQueueUrlCommand({ QueueName: "missing" })),
                    "QueueDoesNotExist", 400);

  const sent = await sqs.send(new lib.SendMessageCommand({
    QueueUrl: url, MessageBody: "{\"order\":\"o-1\",\"note\":\"ünïcode €\"}",
    MessageAttributes: { source: { DataType: "String", StringValue: "js" } },
  }));
  check(typeof sent.MessageId === "string" && sent.MessageId.length === 36, "MessageId");
  check(typeof sent.MD5OfMessageAttributes === "string", "MD5OfMessageAttributes");

  const got = await sqs.send(new lib.ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"],
    MessageAttributeNames: ["All"],
  }));
  check(got.Messages && got.Messages.length === 1, "one message received");
  if (got.Messages && got.Messages.length) {
    const m = got.Messages[0];
    check(JSON.parse(m.Body).note === "ünïcode €", "the body round-trips");
    check(m.Attributes.ApproximateReceiveCount === "1", "ApproximateReceiveCount");
    check(/^\d{13}$/.test(m.Attributes.SentTimestamp), "SentTimestamp in ms");
    check(m.MessageAttributes.source.StringValue === "js", "message attribute");
    const counts = await sqs.send(new lib.GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["All"],
    }));
    check(counts.Attributes.ApproximateNumberOfMessagesNotVisible === "1" &&
          counts.Attributes.ApproximateNumberOfMessages === "0", "in flight");
    await sqs.send(new lib.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  }
  await expectError(sqs.send(new lib.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "x" })),
                    "ReceiptHandleIsInvalid", 400);

  // Long polls: an empty one waits its second; a send from another client wakes one.
  let start = Date.now();
  const empty = await sqs.send(new lib.ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
  check(!empty.Messages && Date.now() - start >= 900, `empty long poll (${Date.now() - start} ms)`);
  start = Date.now();
  const waiting = sqs.send(new lib.ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
  setTimeout(() => sqs.send(new lib.SendMessageCommand({ QueueUrl: url, MessageBody: "wake" })),
             300);
  const woken = await waiting;
  check(woken.Messages && woken.Messages[0].Body === "wake" && Date.now() - start < 8000,
        `long poll woken by a send (${Date.now() - start} ms)`);

  await sqs.send(new lib.PurgeQueueCommand({ QueueUrl: url }));
  await expectError(sqs.send(new lib.PurgeQueueCommand({ QueueUrl: url })),
                    "PurgeQueueInProgress", 403);
  const listed = await sqs.send(new lib.ListQueuesCommand({ QueueNamePrefix: "ev" }));
  check(listed.QueueUrls && listed.QueueUrls.length === 1 && listed.QueueUrls[0] === url,
        "ListQueues by prefix");
  await sqs.send(new lib.DeleteQueueCommand({ QueueUrl: url }));
  await expectError(sqs.send(new lib.GetQueueAttributesCommand({ QueueUrl: url })),
                    "QueueDoesNotExist", 400);
}

main().then(() => {
  if (failures) {
    console.error(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log("JS SDK v3 SQS test: all checks passed");
}, (e) => {
  console.error("sqs_js_sdk_test: unexpected error:", e);
  process.exit(1);
});

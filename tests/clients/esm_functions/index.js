// The Node handler of the issue-13 end-to-end client tests (esm_zip_js_sdk_test): deployed as a
// nodejs20.x zip, mapped to a DynamoDB stream. Like app.py, it appends one JSON line per
// invocation to the file $INVOKE_LOG (function, request id, the records' keys, sequence numbers
// and event source ARNs) and fails any batch holding an item with a "poison" attribute.
"use strict";
const fs = require("fs");

exports.handler = async (event, context) => {
  const records = event.Records;
  const seen = {
    function: context.functionName,
    requestId: context.awsRequestId,
    keys: records.map((r) => r.dynamodb.Keys.pk.S),
    sequenceNumbers: records.map((r) => r.dynamodb.SequenceNumber),
    eventSourceARNs: [...new Set(records.map((r) => r.eventSourceARN))].sort(),
    failed: records.some((r) => "poison" in (r.dynamodb.NewImage || {})),
  };
  fs.appendFileSync(process.env.INVOKE_LOG, JSON.stringify(seen) + "\n");
  if (seen.failed) throw new Error("poison record in the batch");
  return { processed: records.length };
};

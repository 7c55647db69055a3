# The Python handler of the issue-13 end-to-end client tests (esm_zip_*): deployed as a
# python3.11 zip, mapped to a DynamoDB stream. It appends one JSON line per invocation to the
# file $INVOKE_LOG (what it saw: function, request id, the records' keys, sequence numbers and
# event source ARNs) and fails any batch holding an item with a "poison" attribute, so the
# mapping retries, bisects and finally sends the poison record to its on-failure queue.
import json
import os


def handler(event, context):
    records = event["Records"]
    poisoned = any("poison" in r["dynamodb"].get("NewImage", {}) for r in records)
    seen = {
        "function": context.function_name,
        "requestId": context.aws_request_id,
        "keys": [r["dynamodb"]["Keys"]["pk"]["S"] for r in records],
        "sequenceNumbers": [r["dynamodb"]["SequenceNumber"] for r in records],
        "eventSourceARNs": sorted({r["eventSourceARN"] for r in records}),
        "failed": poisoned,
    }
    with open(os.environ["INVOKE_LOG"], "a") as log:
        log.write(json.dumps(seen) + "\n")
    if poisoned:
        raise ValueError("poison record in the batch")
    return {"processed": len(records)}

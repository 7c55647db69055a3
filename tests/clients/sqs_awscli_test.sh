#!/usr/bin/env bash
# Issue 13, SQS with a real client: Debian's aws cli v2 (/usr/bin/aws 2.9, the SQS query
# protocol) against a started esser-local (run under run_with_esser_local.sh, which sets
# ESSER_ENDPOINT). Covers create-queue with attributes, send-message, receive-message
# (attributes, visibility timeout, wait time), delete-message, get-queue-attributes counts,
# purge-queue, list-queues, delete-queue, and the exit status and error code of a missing queue.
. "$(dirname "$0")/awscli_env.sh"
sqs() { "$AWS" sqs --endpoint-url "$ESSER_ENDPOINT" --output text "$@"; }

# Each aws call costs seconds of start-up on a loaded machine: the flow is kept short.
url="$(sqs create-queue --queue-name jobs --attributes VisibilityTimeout=30,DelaySeconds=0 \
  --query QueueUrl)" || fail "create-queue"
expect_eq "$url" "$ESSER_ENDPOINT/000000000000/jobs" "create-queue returns the queue URL"

for n in 1 2; do
  sqs send-message --queue-url "$url" --message-body "job $n" \
    --message-attributes "{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"$n\"}}" \
    --query MD5OfMessageBody >"$scratch/md5" || fail "send-message $n"
  expect_eq "$(cat "$scratch/md5")" "$(printf 'job %s' "$n" | md5sum | cut -d' ' -f1)" \
    "MD5OfMessageBody of job $n"
done

# Receive one with its attributes; it stays in flight for the queue's 30 s.
sqs receive-message --queue-url "$url" --attribute-names All --message-attribute-names All \
  --output json >"$scratch/got" || fail "receive-message"
sqs get-queue-attributes --queue-url "$url" --attribute-names All --output json \
  >"$scratch/attrs" || fail "get-queue-attributes"
python3 - "$scratch/got" "$scratch/attrs" >"$scratch/handle" <<'PY' || fail "shapes of receive-message and get-queue-attributes"
import json, sys
msgs = json.load(open(sys.argv[1]))["Messages"]
assert [m["Body"] for m in msgs] == ["job 1"], msgs
assert msgs[0]["Attributes"]["ApproximateReceiveCount"] == "1", msgs
assert msgs[0]["MessageAttributes"]["n"] == {"StringValue": "1", "DataType": "Number"}, msgs
a = json.load(open(sys.argv[2]))["Attributes"]
assert a["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:jobs", a
assert (a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]) == ("1", "1"), a
assert a["VisibilityTimeout"] == "30", a
print(msgs[0]["ReceiptHandle"])
PY
sqs delete-message --queue-url "$url" --receipt-handle "$(cat "$scratch/handle")" ||
  fail "delete-message"
# A long poll (one second at most: a message is there) with a visibility timeout of 0.
expect_eq "$(sqs receive-message --queue-url "$url" --visibility-timeout 0 --wait-time-seconds 1 \
  --query 'Messages[0].Body')" "job 2" "receive with visibility timeout 0"
sqs purge-queue --queue-url "$url" || fail "purge-queue"
expect_eq "$(sqs get-queue-attributes --queue-url "$url" --attribute-names All \
  --query '[Attributes.ApproximateNumberOfMessages,Attributes.ApproximateNumberOfMessagesNotVisible]' \
  | tr '\t' ,)" "0,0" "deleted one, purged the other"

# A missing queue: exit status 254 (a service error) and SQS's query error code.
if sqs get-queue-url --queue-name missing 2>"$scratch/err"; then
  fail "get-queue-url of a missing queue succeeded"
else
  expect_eq "$?" "254" "aws cli exit status of a service error"
  grep -q 'AWS.SimpleQueueService.NonExistentQueue' "$scratch/err" ||
    fail "the error names AWS.SimpleQueueService.NonExistentQueue: $(cat "$scratch/err")"
fi
sqs delete-queue --queue-url "$url" || fail "delete-queue"
expect_eq "$(sqs list-queues --queue-name-prefix jo --output json)" "" "the deleted queue is gone"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "sqs aws cli: all checks passed"

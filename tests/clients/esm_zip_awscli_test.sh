#!/usr/bin/env bash
# Issue 13 end to end with Debian's aws cli v2 (/usr/bin/aws): zip-packaged functions deployed
# with `aws lambda create-function --zip-file fileb://`, mapped to a DynamoDB stream with
# retries, bisect and an SQS on-failure queue, exactly as a user would do it.
# Runs under run_with_esser_local.sh (CMake passes --clock manual --seed, so records flow only on
# POST /esser/v1/drain). The Python handler (esm_functions/app.py, python3.11) and the shell
# bootstrap (esm_functions/bootstrap, provided.al2023) each append what they saw per invocation
# to their own file and fail any batch holding the poison item. One table with a NEW_IMAGE
# stream is mapped to both (BatchSize 6, MaximumRetryAttempts 2, bisect, OnFailure = the queue's
# ARN); six items are written (batch-write-item), the fourth poison, then drained. The stream
# (get-records) and the queue (receive-message) are read with the cli and every invocation and
# both on-failure messages checked by esm_outcome.py. (Each aws call starts a Python
# interpreter, so the call count is kept small.)
. "$(dirname "$0")/awscli_env.sh"
here="$(cd "$(dirname "$0")" && pwd)"
PY=/usr/bin/python3
role=arn:aws:iam::000000000000:role/lambda-role
aws_() { "$AWS" --endpoint-url "$ESSER_ENDPOINT" --output text "$@"; }
die() { fail "$*"; echo "esm_zip_awscli_test: stopped" >&2; exit 1; }

# zip_one OUT FILE: a package of one file of esm_functions/ (its mode kept), as `zip` makes it.
zip_one() {
  mkdir -p "$scratch/src-$2" && cp -p "$here/esm_functions/$2" "$scratch/src-$2/" &&
    (cd "$scratch/src-$2" && "$PY" -m zipfile -c "$1" "$2") || die "zipping $2"
}
zip_one "$scratch/py.zip" app.py
zip_one "$scratch/sh.zip" bootstrap
: >"$scratch/py-projector.jsonl"
: >"$scratch/sh-projector.jsonl"
aws_ lambda create-function --function-name py-projector --runtime python3.11 \
  --handler app.handler --role "$role" --timeout 10 --zip-file "fileb://$scratch/py.zip" \
  --environment "Variables={INVOKE_LOG=$scratch/py-projector.jsonl}" >/dev/null ||
  die "create-function py-projector"
aws_ lambda create-function --function-name sh-projector --runtime provided.al2023 \
  --handler function.handler --role "$role" --timeout 10 --zip-file "fileb://$scratch/sh.zip" \
  --environment "Variables={INVOKE_LOG=$scratch/sh-projector.jsonl}" >/dev/null ||
  die "create-function sh-projector"

stream_arn="$(aws_ dynamodb create-table --table-name orders \
  --attribute-definitions AttributeName=pk,AttributeType=S \
  --key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST \
  --stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE \
  --query TableDescription.LatestStreamArn)" || die "create-table"
queue_url="$(aws_ sqs create-queue --queue-name orders-failures --query QueueUrl)" ||
  die "create-queue"
queue_arn="$(aws_ sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn \
  --query Attributes.QueueArn)" || die "get-queue-attributes"
expect_eq "$queue_arn" "arn:aws:sqs:us-east-1:000000000000:orders-failures" "queue ARN"

for fn in py-projector sh-projector; do
  query='[MaximumRetryAttempts,BisectBatchOnFunctionError,DestinationConfig.OnFailure.Destination]'
  shown="$(aws_ lambda create-event-source-mapping --function-name "$fn" \
    --event-source-arn "$stream_arn" --starting-position TRIM_HORIZON --batch-size 6 \
    --maximum-retry-attempts 2 --bisect-batch-on-function-error \
    --destination-config "OnFailure={Destination=$queue_arn}" \
    --query "$query")" ||
    die "create-event-source-mapping $fn"
  expect_eq "$shown" "$(printf '2\tTrue\t%s' "$queue_arn")" "the mapping of $fn"
done

"$PY" - "$scratch/items.json" <<'EOF'
import json, sys
puts = []
for n in range(1, 7):
    item = {"pk": {"S": f"o-{n}"}, "total": {"N": str(10 * n)}}
    if n == 4:
        item["poison"] = {"BOOL": True}
    puts.append({"PutRequest": {"Item": item}})
json.dump({"orders": puts}, open(sys.argv[1], "w"))
EOF
unprocessed="$(aws_ dynamodb batch-write-item --request-items "file://$scratch/items.json" \
  --query 'length(UnprocessedItems)')" || die "batch-write-item"
expect_eq "$unprocessed" "0" "every item written"

idle="$(curl -sS --max-time 120 -X POST "$ESSER_ENDPOINT/esser/v1/drain" |
  "$PY" -c 'import json, sys; print(json.load(sys.stdin)["idle"])')" || die "drain"
expect_eq "$idle" "True" "the drain ends idle"

shard_id="$(aws_ dynamodbstreams describe-stream --stream-arn "$stream_arn" \
  --query 'StreamDescription.Shards[0].ShardId')" || die "describe-stream"
iterator="$(aws_ dynamodbstreams get-shard-iterator --stream-arn "$stream_arn" \
  --shard-id "$shard_id" --shard-iterator-type TRIM_HORIZON --query ShardIterator)" ||
  die "get-shard-iterator"
aws_ dynamodbstreams get-records --shard-iterator "$iterator" --output json \
  >"$scratch/records.json" || die "get-records"
aws_ sqs receive-message --queue-url "$queue_url" --max-number-of-messages 10 \
  --attribute-names All --output json >"$scratch/messages.json" || die "receive-message"

"$PY" "$here/esm_outcome.py" --stream-arn "$stream_arn" --shard-id "$shard_id" \
  --records "$scratch/records.json" --messages "$scratch/messages.json" --poison o-4 \
  --batch-size 6 --invoke-count 3 \
  "py-projector=$scratch/py-projector.jsonl" "sh-projector=$scratch/sh-projector.jsonl" ||
  fail "the outcome (see the FAIL lines above)"

if [ "$failures" -ne 0 ]; then
  echo "esm_zip_awscli_test: $failures failure(s)" >&2
  exit 1
fi
echo "esm_zip_awscli_test: all checks passed"

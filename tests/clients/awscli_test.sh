#!/usr/bin/env bash
# Issue 6, real clients: Debian's aws cli v2 (/usr/bin/aws, package awscli) against a started
# esser-local (run under run_with_esser_local.sh, which sets ESSER_ENDPOINT). Covers a table
# with a stream, put/get/update/delete/query/scan, a conditional failure (exit status and
# error code), a transaction with a cancellation, and DynamoDB Streams (list, describe,
# iterator, records).
. "$(dirname "$0")/awscli_env.sh"
ddb() { "$AWS" dynamodb --endpoint-url "$ESSER_ENDPOINT" --output text "$@"; }
streams() { "$AWS" dynamodbstreams --endpoint-url "$ESSER_ENDPOINT" --output text "$@"; }

arn="$(ddb create-table --table-name ledger \
  --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=v,AttributeType=N \
  --key-schema AttributeName=pk,KeyType=HASH AttributeName=v,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST \
  --stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE \
  --query TableDescription.LatestStreamArn)" || fail "create-table"
case "$arn" in arn:aws:dynamodb:us-east-1:*:table/ledger/stream/*) ;;
  *) fail "create-table returns the stream ARN (got '$arn')" ;; esac
# Next to the bundled shop domain's own tables.
expect_eq "$(ddb list-tables --query 'TableNames' | tr '\t' ,)" "events,ledger,snapshots" \
  "list-tables"
expect_eq "$(ddb describe-table --table-name ledger --query Table.TableStatus)" "ACTIVE" \
  "describe-table status"

for v in 1 2 3; do
  ddb put-item --table-name ledger --condition-expression 'attribute_not_exists(pk)' \
    --item "{\"pk\":{\"S\":\"Item#a\"},\"v\":{\"N\":\"$v\"},\"type\":{\"S\":\"added\"}}" \
    || fail "put-item v=$v"
done
expect_eq "$(ddb get-item --table-name ledger --key '{"pk":{"S":"Item#a"},"v":{"N":"2"}}' \
  --query Item.type.S)" "added" "get-item"
expect_eq "$(ddb query --table-name ledger --key-condition-expression 'pk = :p' \
  --expression-attribute-values '{":p":{"S":"Item#a"}}' --no-scan-index-forward \
  --query 'Items[].v.N' | tr '\t' ,)" "3,2,1" "query backwards"

# The conditional failure: exit status 254 (a service error) and the AWS error code.
if ddb put-item --table-name ledger --condition-expression 'attribute_not_exists(pk)' \
    --item '{"pk":{"S":"Item#a"},"v":{"N":"1"},"type":{"S":"dup"}}' 2>"$scratch/err"; then
  fail "a conditional put on an existing key succeeded"
else
  status=$?
  expect_eq "$status" "254" "aws cli exit status of a service error"
  grep -q 'ConditionalCheckFailedException' "$scratch/err" \
    || fail "stderr names ConditionalCheckFailedException: $(cat "$scratch/err")"
  grep -q 'The conditional request failed' "$scratch/err" \
    || fail "stderr carries AWS's message: $(cat "$scratch/err")"
fi

expect_eq "$(ddb update-item --table-name ledger --key '{"pk":{"S":"Item#a"},"v":{"N":"3"}}' \
  --update-expression 'SET #t = :t' --expression-attribute-names '{"#t":"type"}' \
  --expression-attribute-values '{":t":{"S":"renamed"}}' --return-values UPDATED_NEW \
  --query Attributes.type.S)" "renamed" "update-item"
ddb delete-item --table-name ledger --key '{"pk":{"S":"Item#a"},"v":{"N":"1"}}' \
  || fail "delete-item"
expect_eq "$(ddb scan --table-name ledger --query Count)" "2" "scan count"

# A transaction cancelled by its second condition writes nothing.
cat >"$scratch/tx.json" <<'JSON'
[{"Put":{"TableName":"ledger","Item":{"pk":{"S":"Item#b"},"v":{"N":"1"}}}},
 {"Put":{"TableName":"ledger","Item":{"pk":{"S":"Item#a"},"v":{"N":"2"}},
         "ConditionExpression":"attribute_not_exists(pk)"}}]
JSON
if ddb transact-write-items --transact-items "file://$scratch/tx.json" 2>"$scratch/err"; then
  fail "a transaction with a failing condition committed"
else
  grep -q 'TransactionCanceledException' "$scratch/err" \
    || fail "stderr names TransactionCanceledException: $(cat "$scratch/err")"
  grep -q '\[None, ConditionalCheckFailed\]' "$scratch/err" \
    || fail "stderr lists the cancellation reasons: $(cat "$scratch/err")"
fi
expect_eq "$(ddb get-item --table-name ledger --key '{"pk":{"S":"Item#b"},"v":{"N":"1"}}' \
  --query Item)" "None" "the cancelled transaction wrote nothing"

# DynamoDB Streams: the records of the writes above, in order.
expect_eq "$(streams list-streams --table-name ledger --query 'Streams[0].StreamArn')" "$arn" \
  "list-streams"
expect_eq "$(streams describe-stream --stream-arn "$arn" \
  --query StreamDescription.StreamStatus)" "ENABLED" "describe-stream status"
shard="$(streams describe-stream --stream-arn "$arn" \
  --query 'StreamDescription.Shards[0].ShardId')"
case "$shard" in shardId-*) ;; *) fail "describe-stream lists a shard (got '$shard')" ;; esac
it="$(streams get-shard-iterator --stream-arn "$arn" --shard-id "$shard" \
  --shard-iterator-type TRIM_HORIZON --query ShardIterator)"
expect_eq "$(streams get-records --shard-iterator "$it" --query 'Records[].eventName' \
  | tr '\t' ,)" "INSERT,INSERT,INSERT,MODIFY,REMOVE" "get-records event names"
expect_eq "$(streams get-records --shard-iterator "$it" --limit 1 \
  --query 'Records[0].dynamodb.NewImage.type.S')" "added" "get-records NEW_IMAGE"
if streams get-records --shard-iterator "forged" 2>"$scratch/err" >/dev/null; then
  fail "a forged iterator was accepted"
else
  grep -q 'ValidationException' "$scratch/err" \
    || fail "a forged iterator is ValidationException: $(cat "$scratch/err")"
fi

if [ "$failures" -ne 0 ]; then
  echo "awscli_test: $failures check(s) failed" >&2
  exit 1
fi
echo "awscli client test: all checks passed"

#!/usr/bin/env bash
# Issue 6, real clients: the esser API with curl, as the banner shows it, against esser-local
# serving the bundled shop domain (run under run_with_esser_local.sh). Commands, the aggregate
# (now and at a version), its events, the events table seen through the aws cli, malformed
# input, health and metrics.
set -uo pipefail
: "${ESSER_ENDPOINT:?run me under run_with_esser_local.sh}"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
# status and body of one request: "<status> <body>"
req() {
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -s -o /dev/stdout -w ' %{http_code}' -X "$method" -H 'Content-Type: application/json' \
      --data-binary "$body" "$ESSER_ENDPOINT$path"
  else
    curl -s -o /dev/stdout -w ' %{http_code}' -X "$method" "$ESSER_ENDPOINT$path"
  fi
}
status_of() { echo "${1##* }"; }
body_of() { echo "${1% *}"; }
field() { /usr/bin/python3 -c "import json,sys; v=json.load(sys.stdin)$1; print(json.dumps(v))"; }

r="$(req POST /esser/v1/commands \
  '{"entity":"Item","command":"CreateItem","id":"cup","data":{"name":"Cup","price":12.5}}')"
expect_eq "$(status_of "$r")" 200 "create command"
expect_eq "$(body_of "$r" | field '["version"]')" 1 "create: version"
r="$(req POST /esser/v1/commands \
  '{"entity":"Item","command":"UpdatePrice","id":"cup","data":{"price":10},"expected_version":1}')"
expect_eq "$(status_of "$r")" 200 "update command"
r="$(req POST /esser/v1/commands \
  '{"entity":"Item","command":"UpdatePrice","id":"cup","data":{"price":10}}')"
expect_eq "$(status_of "$r")" 400 "x-diff: the same price again is refused"
r="$(req POST /esser/v1/commands \
  '{"entity":"Item","command":"UpdatePrice","id":"cup","data":{"price":-1}}')"
expect_eq "$(status_of "$r")" 400 "schema: a negative price"
expect_eq "$(body_of "$r" | field '["error"]["fields"][0]["pointer"]')" '"/price"' \
  "schema error names the field"
expect_eq "$(status_of "$(req POST /esser/v1/commands '{"entity":')")" 400 "truncated JSON"

r="$(req GET /esser/v1/aggregates/Item/cup)"
expect_eq "$(status_of "$r")" 200 "GET aggregate"
expect_eq "$(body_of "$r" | field '["state"]["price"]')" 10 "state after the update"
expect_eq "$(body_of "$(req GET '/esser/v1/aggregates/Item/cup?version=1')" \
  | field '["state"]["price"]')" 12.5 "state at version 1"
expect_eq "$(body_of "$(req GET /esser/v1/aggregates/Item/cup/events)" \
  | field '["events"][1]["type"]')" '"PriceUpdated"' "events"
expect_eq "$(status_of "$(req GET /esser/v1/aggregates/Item/nope)")" 404 "unknown aggregate"

# The projection (issue 9): the projector's mapping writes each aggregate's state into the read
# store; drain waits until it has caught up, then the esser API reads it.
r="$(req POST /esser/v1/commands '{"entity":"Item","command":"CreateItem","id":"mug","data":{"name":"Mug","price":4}}')"
expect_eq "$(status_of "$r")" 200 "create a second item"
expect_eq "$(body_of "$(req POST /esser/v1/drain)" | field '["idle"]')" true "drain"
r="$(req GET /esser/v1/projections/item/cup)"
expect_eq "$(status_of "$r")" 200 "GET projection document"
expect_eq "$(body_of "$r" | field '["state"]["price"]')" 10 "projection: price after the update"
expect_eq "$(body_of "$r" | field '["version"]')" 2 "projection: version"
r="$(req GET '/esser/v1/projections/item?limit=1')"
expect_eq "$(body_of "$r" | field '["items"][0]["id"]')" '"cup"' "projection list: first page"
next="$(body_of "$r" | field '["next"]' | tr -d '"')"
expect_eq "$(body_of "$(req GET "/esser/v1/projections/item?limit=1&next=$next")" \
  | field '["items"][0]["id"]')" '"mug"' "projection list: second page"
ids() { /usr/bin/python3 -c "import json,sys; print(' '.join(d['id'] for d in json.load(sys.stdin)['items']))"; }
expect_eq "$(body_of "$(req GET '/esser/v1/projections/item?price=4')" | ids)" mug \
  "projection list: filter"
expect_eq "$(body_of "$(req GET '/esser/v1/projections/item')" | ids)" "cup mug" \
  "projection list: all"
expect_eq "$(status_of "$(req GET /esser/v1/projections/orders)")" 404 "unknown projection"
expect_eq "$(status_of "$(req GET '/esser/v1/projections/item?next=bogus')")" 400 "bad paging token"
expect_eq "$(status_of "$(req GET '/esser/v1/projections/item?a.b=1')")" 400 "bad filter"

# The events are in DynamoDB, where any client sees them.
if [ -x /usr/bin/aws ]; then
  n="$(HOME=/nonexistent AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
    AWS_PAGER="" /usr/bin/aws dynamodb query --endpoint-url "$ESSER_ENDPOINT" --output text \
    --table-name events --key-condition-expression 'pk = :p' \
    --expression-attribute-values '{":p":{"S":"Item#cup"}}' --query Count)"
  expect_eq "$n" 2 "the events table holds both events"
fi

expect_eq "$(body_of "$(req GET /esser/v1/health)" | field '["services"]["esser-api"]["available"]')" \
  true "health"
# The page is read whole before grep: `curl | grep -q` under pipefail fails when grep exits at its
# match while curl still writes (SIGPIPE), which made this check flaky.
metrics="$(curl -s "$ESSER_ENDPOINT/metrics")"
grep -q 'operation="esser.command",status="200"} 3' <<<"$metrics" \
  || fail "metrics count the three accepted commands"

if [ "$failures" -ne 0 ]; then
  echo "curl_esser_api_test: $failures check(s) failed" >&2
  exit 1
fi
echo "curl esser API test: all checks passed"

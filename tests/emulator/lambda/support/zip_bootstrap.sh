#!/bin/sh
# The `bootstrap` of the provided.al2023 zip packages the issue-13 tests build (zip_function_test,
# the aws cli and boto3 client tests): a custom runtime in the shape of AWS's shell tutorial,
# looping on the Runtime API with curl. It prints "bootstrap got <event>" for each event, then:
#   an event containing "crash"  exits with status 3 (Runtime.ExitError);
#   an event containing "text"   answers the bytes `plain text, not json` (not JSON);
#   anything else                answers {"handler":"$_HANDLER","event":<event>}.
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
headers="$(mktemp)"
while true; do
  event="$(curl -sS -D "$headers" "$api/invocation/next")"
  id="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\r' | cut -d' ' -f2)"
  echo "bootstrap got $event"
  case "$event" in
    *crash*) exit 3 ;;
    *text*) body='plain text, not json' ;;
    *) body="{\"handler\":\"${_HANDLER}\",\"event\":$event}" ;;
  esac
  curl -sS -o /dev/null -X POST "$api/invocation/$id/response" -d "$body"
done

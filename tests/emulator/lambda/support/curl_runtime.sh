#!/bin/sh
# A custom runtime in the shape of AWS's own custom-runtime tutorial: a shell loop that fetches
# the next event with curl and posts the response back through the Lambda Runtime API
# (spec/streams-and-lambda.md §5.2). Used by tests/emulator/lambda (issue 5).
#
# The response wraps the event: {"runtime":"sh","handler":"$_HANDLER","event":<event>}.
# An event {"fail":true} is reported through /error instead.
set -eu

api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
headers="$(mktemp)"
trap 'rm -f "$headers"' EXIT

while true; do
  event="$(curl -sS -D "$headers" "$api/invocation/next")"
  request_id="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\r' | cut -d' ' -f2)"
  echo "sh runtime handling $request_id"
  case "$event" in
    *'"fail":true'*)
      curl -sS -o /dev/null -X POST "$api/invocation/$request_id/error" \
        -H 'Lambda-Runtime-Function-Error-Type: ShellError' \
        -d '{"errorMessage":"the event asked to fail","errorType":"ShellError"}'
      ;;
    *)
      curl -sS -o /dev/null -X POST "$api/invocation/$request_id/response" \
        -d "{\"runtime\":\"sh\",\"handler\":\"${_HANDLER}\",\"event\":$event}"
      ;;
  esac
done

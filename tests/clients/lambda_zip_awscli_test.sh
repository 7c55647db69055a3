#!/usr/bin/env bash
# Issue 13, zip functions with Debian's aws cli v2 (/usr/bin/aws) against a started
# esser-local (run under run_with_esser_local.sh, which sets ESSER_ENDPOINT). Zips a Python
# handler and a shell bootstrap exactly as a user would, creates them with
# `aws lambda create-function --zip-file fileb://...`, invokes them (LogType Tail), and covers
# crashes, a hang past the timeout, stdout in the log, a non-JSON result,
# update-function-code/-configuration, list/delete, and bad packages (corrupt, "..", absolute
# paths) and a payload over 6 MB refused with AWS's errors. (Each aws call starts a Python
# interpreter, so the call count is kept small; missing handlers are in the boto3 test.)
. "$(dirname "$0")/awscli_env.sh"
expect_in() { case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in '$1'" ;; esac; }
PY=/usr/bin/python3
lam() { "$AWS" lambda --endpoint-url "$ESSER_ENDPOINT" --output text "$@"; }
role=arn:aws:iam::000000000000:role/lambda-role
# zip_dir OUT DIR: zips DIR's files (modes kept) with Python's zipfile, as `zip -r` would.
zip_dir() { (cd "$2" && "$PY" -m zipfile -c "$1" .) || fail "zipping $2"; }

# --- A Python handler ---------------------------------------------------------------------
mkdir -p "$scratch/py"
cat >"$scratch/py/app.py" <<'EOF'
import os, time

def handler(event, context):
    print("python saw", event.get("n"))
    return {"n": event.get("n"), "fn": context.function_name,
            "greeting": os.environ.get("GREETING", "none"),
            "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 3000}

def crash(event, context):
    raise RuntimeError("handler crashed on purpose")

def hang(event, context):
    time.sleep(30)
EOF
zip_dir "$scratch/py.zip" "$scratch/py"
sha="$(lam create-function --function-name py --runtime python3.11 --handler app.handler \
  --role "$role" --timeout 3 --environment 'Variables={GREETING=hi}' \
  --zip-file "fileb://$scratch/py.zip" --query CodeSha256)" || fail "create-function py"
expect_eq "$sha" "$(openssl dgst -sha256 -binary "$scratch/py.zip" | base64)" "CodeSha256"

log="$(lam invoke --function-name py --cli-binary-format raw-in-base64-out --payload '{"n":1}' \
  --log-type Tail --query LogResult "$scratch/out.json")" || fail "invoke py"
expect_eq "$(cat "$scratch/out.json")" \
  '{"n": 1, "fn": "py", "greeting": "hi", "remaining_ok": true}' "python result"
tail_text="$(printf '%s' "$log" | base64 -d)"
expect_in "$tail_text" "START RequestId:" "log tail START"
expect_in "$tail_text" "python saw 1" "log tail has the handler's stdout"
expect_in "$tail_text" "END RequestId:" "log tail END"
expect_in "$tail_text" "REPORT RequestId:" "log tail REPORT"
# Per-function log through the esser API.
expect_in "$(curl -sS "$ESSER_ENDPOINT/esser/v1/lambda/functions/py/logs")" "python saw 1" \
  "the function's log"

# Error bodies: compare without the blanks after ':' and ','.
compact() { sed 's/": /":/g; s/, "/,"/g' "$scratch/out.json"; }

# update-function-configuration: the handler that raises.
lam update-function-configuration --function-name py --handler app.crash >/dev/null \
  || fail "update handler"
ferr="$(lam invoke --function-name py "$scratch/out.json" --query FunctionError)" \
  || fail "invoke crash"
expect_eq "$ferr" "Unhandled" "a raising handler is an Unhandled function error"
expect_in "$(compact)" '"errorMessage":"handler crashed on purpose","errorType":"RuntimeError"' \
  "error shape"
expect_in "$(compact)" '"stackTrace":["  File' "stackTrace"

# Hang past the timeout (1 s).
lam update-function-configuration --function-name py --handler app.hang --timeout 1 >/dev/null \
  || fail "update to hang"
lam invoke --function-name py "$scratch/out.json" >/dev/null || fail "invoke hang"
expect_in "$(cat "$scratch/out.json")" "Task timed out after 1.00 seconds" "timeout"

# update-function-code, then a configuration with a new environment: both take effect.
cat >"$scratch/py/app.py" <<'EOF'
import os

def handler(event, context):
    return "version two " + os.environ.get("GREETING", "none")
EOF
zip_dir "$scratch/py2.zip" "$scratch/py"
lam update-function-code --function-name py --zip-file "fileb://$scratch/py2.zip" >/dev/null \
  || fail "update-function-code"
lam update-function-configuration --function-name py --handler app.handler --timeout 3 \
  --environment 'Variables={GREETING=updated}' >/dev/null || fail "update-function-configuration"
lam invoke --function-name py "$scratch/out.json" >/dev/null || fail "invoke v2"
expect_eq "$(cat "$scratch/out.json")" '"version two updated"' "new code and environment"

# --- A shell bootstrap (provided.al2023) ------------------------------------------------------
mkdir -p "$scratch/sh"
cp "$(dirname "$0")/../emulator/lambda/support/zip_bootstrap.sh" "$scratch/sh/bootstrap"
chmod 755 "$scratch/sh/bootstrap"
zip_dir "$scratch/sh.zip" "$scratch/sh"
lam create-function --function-name shell --runtime provided.al2023 --handler function.handler \
  --role "$role" --zip-file "fileb://$scratch/sh.zip" >/dev/null || fail "create-function shell"
lam invoke --function-name shell --cli-binary-format raw-in-base64-out --payload '{"x":[1,2]}' \
  "$scratch/out.json" >/dev/null || fail "invoke shell"
expect_eq "$(tr -d ' ' <"$scratch/out.json")" '{"handler":"function.handler","event":{"x":[1,2]}}' \
  "bootstrap result"
lam invoke --function-name shell --cli-binary-format raw-in-base64-out --payload '{"text":1}' \
  "$scratch/out.json" >/dev/null || fail "invoke shell text"
expect_eq "$(cat "$scratch/out.json")" "plain text, not json" "a non-JSON result passes through"
ferr="$(lam invoke --function-name shell --cli-binary-format raw-in-base64-out \
  --payload '{"crash":1}' "$scratch/out.json" --query FunctionError)" || fail "invoke crash"
expect_eq "$ferr" "Unhandled" "a crashing bootstrap"
expect_in "$(cat "$scratch/out.json")" "Runtime.ExitError" "crash errorType"

# esser-local's own functions (esser-projections) are listed too.
expect_eq "$(lam list-functions --query 'Functions[].FunctionName' | tr '\t' '\n' \
  | grep -x -e py -e shell | tr '\n' ,)" "py,shell," "list-functions"

# --- Bad input --------------------------------------------------------------------------------
expect_service_error() {  # expect_service_error WHAT CODE -- command...
  local what="$1" code="$2"
  shift 3
  if "$@" >/dev/null 2>"$scratch/err"; then
    fail "$what: succeeded"
  else
    grep -q "$code" "$scratch/err" || fail "$what: no $code in: $(cat "$scratch/err")"
  fi
}
"$PY" - "$scratch" <<'EOF'
import sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(d + "/dotdot.zip", "w") as z:
    z.writestr("app.py", "def handler(e, c): return 1\n")
    z.writestr("../escaped.py", "owned = True\n")
with zipfile.ZipFile(d + "/absolute.zip", "w") as z:
    z.writestr(zipfile.ZipInfo("/tmp/esser-absolute-escape.py"), "owned = True\n")
# Corrupt: the cli itself opens the zip's directory (zipfile), so the directory stays intact
# and the stored data no longer matches its CRC-32.
with zipfile.ZipFile(d + "/corrupt.zip", "w") as z:
    z.writestr("app.py", "def handler(e, c): return 1\n")
data = bytearray(open(d + "/corrupt.zip", "rb").read())
data[30 + len("app.py") + 3] ^= 0xFF
open(d + "/corrupt.zip", "wb").write(bytes(data))
EOF
expect_service_error "corrupt zip" InvalidParameterValueException -- \
  lam create-function --function-name corrupt --runtime python3.11 --handler app.handler \
  --role "$role" --zip-file "fileb://$scratch/corrupt.zip"
expect_service_error "zip with .." InvalidParameterValueException -- \
  lam create-function --function-name dotdot --runtime python3.11 --handler app.handler \
  --role "$role" --zip-file "fileb://$scratch/dotdot.zip"
expect_service_error "zip with an absolute path" InvalidParameterValueException -- \
  lam create-function --function-name absolute --runtime python3.11 --handler app.handler \
  --role "$role" --zip-file "fileb://$scratch/absolute.zip"
[ -e /tmp/esser-absolute-escape.py ] && fail "an absolute zip path was written"
"$PY" -c 'import sys; sys.stdout.write("{\"big\":\"" + "x" * (6 * 1024 * 1024) + "\"}")' \
  >"$scratch/big.json"
expect_service_error "a payload over 6 MB" RequestTooLargeException -- \
  lam invoke --function-name py --payload "fileb://$scratch/big.json" "$scratch/out.json"

lam delete-function --function-name shell || fail "delete-function"
# The remaining function still works after all that bad input.
lam invoke --function-name py "$scratch/out.json" >/dev/null || fail "invoke at the end"
expect_eq "$(cat "$scratch/out.json")" '"version two updated"' "py unaffected by bad input"

if [ "$failures" -ne 0 ]; then
  echo "lambda_zip_awscli_test: $failures failure(s)" >&2
  exit 1
fi
echo "lambda_zip_awscli_test: all checks passed"

#!/usr/bin/env bash
# Runs one real-client test against a freshly started esser-local (issue 6, "Real clients").
#   run_with_esser_local.sh ESSER_LOCAL_BIN -- COMMAND [ARGS...]
# Starts `esser-local serve --port 0` with its output in a scratch directory, waits (bounded)
# for the "listening on" line, exports ESSER_ENDPOINT=http://127.0.0.1:<port> and runs COMMAND.
# Afterwards it checks that the server is still up (a client must never bring it down), stops
# it with SIGTERM and requires a graceful exit 0 within 10 s. COMMAND's exit status 77 means
# "skipped" (ctest's SKIP_RETURN_CODE) and is passed through.
set -uo pipefail
bin="${1:?usage: run_with_esser_local.sh ESSER_LOCAL_BIN -- COMMAND...}"
shift
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "run_with_esser_local: no command" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/esser-client.XXXXXX")"
: >"$work/out"
: >"$work/err"
"$bin" serve --port 0 --log-level warn ${ESSER_LOCAL_FLAGS:-} >"$work/out" 2>"$work/err" &
pid=$!
cleanup() {
  kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

endpoint=""
for _ in $(seq 1 200); do  # 200 x 50 ms = at most 10 s
  endpoint="$(sed -n 's/^esser-local .* listening on \(http:[^ ]*\)$/\1/p' "$work/out")"
  [ -n "$endpoint" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run_with_esser_local: esser-local exited before listening:" >&2
    cat "$work/out" "$work/err" >&2
    exit 1
  fi
  sleep 0.05
done
if [ -z "$endpoint" ]; then
  echo "run_with_esser_local: esser-local did not print its endpoint within 10 s" >&2
  cat "$work/out" "$work/err" >&2
  exit 1
fi

export ESSER_ENDPOINT="$endpoint"
"$@"
status=$?

if ! kill -0 "$pid" 2>/dev/null; then
  echo "run_with_esser_local: esser-local died during the test:" >&2
  cat "$work/err" >&2
  exit 1
fi
kill -TERM "$pid"
for _ in $(seq 1 200); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$pid" 2>/dev/null; then
  echo "run_with_esser_local: esser-local did not stop within 10 s of SIGTERM" >&2
  exit 1
fi
wait "$pid"
server_status=$?
if [ "$server_status" -ne 0 ]; then
  echo "run_with_esser_local: esser-local exited $server_status after SIGTERM:" >&2
  cat "$work/err" >&2
  exit 1
fi
exit "$status"

#!/usr/bin/env bash
# bench-http: esser-local against dynalite (npm, in memory) and a do-nothing HTTP server, same
# client (esser-bench), same machine, same run (issue 6). Installed into BUILD/bench/ by CMake;
# `make bench` runs it through scripts/run-bench.sh.
#   bench-http [SECONDS] [CONNECTIONS]        (defaults 5 and 64)
# Set BENCH_SKIP_DYNALITE=1 to skip dynalite (it is installed with npm on first use, into
# BUILD/bench/node_modules).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$here/.." && pwd)"
secs="${1:-5}"
conns="${2:-64}"
bench="$here/esser-bench"
local_bin="$build/emulator/src/app/esser-local"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_suite() {  # name url workloads...
  local name="$1" url="$2"; shift 2
  for w in "$@"; do
    echo "-- $name $w"
    "$bench" run --endpoint "$url" --workload "$w" --connections "$conns" --duration "${secs}s" \
      --table "bench_$w" | tee -a "$here/bench-http.jsonl"
  done
}

: > "$here/bench-http.jsonl"
port=$(free_port)
echo "== startup of esser-local"
"$bench" startup --endpoint "http://127.0.0.1:$port" -- "$local_bin" serve --port "$port" --log-level off
port=$(free_port)
"$local_bin" serve --port "$port" --log-level warn > /dev/null & pids+=($!)
sleep 0.3
echo "== esser-local"
run_suite esser-local "http://127.0.0.1:$port" put query get

nport=$(free_port)
"$bench" null-server --port "$nport" > /dev/null & pids+=($!)
sleep 0.3
echo "== do-nothing server (esser's HTTP stack answering {})"
run_suite null "http://127.0.0.1:$nport" put

if [ "${BENCH_SKIP_DYNALITE:-0}" != 1 ] && command -v npm > /dev/null; then
  if [ ! -x "$here/node_modules/.bin/dynalite" ]; then
    (cd "$here" && npm install --no-save --silent dynalite@4 > /dev/null 2>&1) || true
  fi
  if [ -x "$here/node_modules/.bin/dynalite" ]; then
    dport=$(free_port)
    echo "== startup of dynalite"
    "$bench" startup --endpoint "http://127.0.0.1:$dport" -- "$here/node_modules/.bin/dynalite" --port "$dport"
    dport=$(free_port)
    "$here/node_modules/.bin/dynalite" --port "$dport" > /dev/null 2>&1 & pids+=($!)
    sleep 1
    echo "== dynalite (in memory)"
    run_suite dynalite "http://127.0.0.1:$dport" put query get
  else
    echo "== dynalite: npm install failed; skipped"
  fi
fi
echo "JSON lines: $here/bench-http.jsonl"

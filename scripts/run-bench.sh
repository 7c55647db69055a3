#!/usr/bin/env bash
# `make bench`: runs every benchmark binary of a Release tree and prints their reports.
#   scripts/run-bench.sh BUILD_DIR
# Each benchmark prints a human table and a JSON summary; the medians of repeated runs are what
# the issues' closing notes report.
set -euo pipefail
build="${1:?usage: run-bench.sh BUILD_DIR}"
found=0
for b in "$build"/bench/bench-*; do
  [ -x "$b" ] || continue
  found=1
  echo "== $(basename "$b")"
  "$b"
done
if [ "$found" -eq 0 ]; then
  echo "run-bench: no benchmark binaries under $build/bench" >&2
  exit 1
fi

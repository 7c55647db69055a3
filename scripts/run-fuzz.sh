#!/usr/bin/env bash
# `make fuzz`: runs every libFuzzer target of a fuzz build for a bounded time each, starting
# from its committed seed corpus.
#   scripts/run-fuzz.sh BUILD_DIR [SECONDS]
# Seeds: tests/fuzz/corpus/<target>/ (committed). New inputs the fuzzer finds go to a scratch
# corpus under BUILD_DIR, never into the repository; crashes are written to BUILD_DIR/crashes/
# and fail the run. To keep an interesting input, copy it into the committed corpus by hand.
set -euo pipefail
build="${1:?usage: run-fuzz.sh BUILD_DIR [SECONDS]}"
seconds="${2:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
found=0
status=0
mkdir -p "$build/crashes"
for bin in "$build"/tests/fuzz/fuzz-*; do
  [ -x "$bin" ] || continue
  found=1
  name="$(basename "$bin")"
  target="${name#fuzz-}"
  seeds="$root/tests/fuzz/corpus/$target"
  scratch="$build/fuzz-corpus/$target"
  mkdir -p "$scratch"
  echo "== $name for ${seconds}s (seeds: tests/fuzz/corpus/$target)"
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$bin" "$scratch" "$seeds" "${dict[@]}" -max_total_time="$seconds" -max_len=65536 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$target-"; then
    echo "run-fuzz: $name found a failure; see $build/crashes/" >&2
    status=1
  fi
done
if [ "$found" -eq 0 ]; then
  echo "run-fuzz: no fuzz targets under $build/tests/fuzz (configure with -DESSER_FUZZ=ON)" >&2
  exit 1
fi
exit "$status"

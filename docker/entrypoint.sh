#!/usr/bin/env bash
# The image's entry point: `esser-local serve` listening on ESSER_HOST:ESSER_PORT (0.0.0.0:8000
# in the image, so the published port reaches it). Other subcommands pass through unchanged:
#   docker run esser-local                       -> esser-local serve --host 0.0.0.0 --port 8000
#   docker run esser-local serve --clock manual  -> the same, plus the flags given
#   docker run esser-local --help                -> esser-local --help
# ESSER_BIN overrides the binary (the tests run this script against a build tree).
set -euo pipefail
bin="${ESSER_BIN:-esser-local}"
if [ "${1:-serve}" != "serve" ]; then
  exec "$bin" "$@"
fi
[ $# -gt 0 ] && shift
args=(serve --host "${ESSER_HOST:-0.0.0.0}" --port "${ESSER_PORT:-8000}")
# --data-dir is added only when the server supports it (emulator persistence, issue 9): an
# empty ESSER_DATA_DIR keeps everything in memory.
if [ -n "${ESSER_DATA_DIR:-}" ]; then
  args+=(--data-dir "$ESSER_DATA_DIR")
fi
exec "$bin" "${args[@]}" "$@"

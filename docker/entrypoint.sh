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
# ESSER_DATA_DIR -> --data-dir (emulator persistence) and ESSER_READ_STORE -> --read-store
# (projections in PostgreSQL/SQLite). Both empty by default: everything stays in memory. A
# server built without the option says so and the container stops, instead of pretending.
# The help is read whole before grep: `serve --help | grep -q` under pipefail fails when grep
# exits at its match and esser-local, still writing, dies of SIGPIPE.
optional() {  # optional ENV_NAME FLAG
  local value="${!1:-}"
  [ -n "$value" ] || return 0
  local help
  help="$("$bin" serve --help 2>/dev/null || true)"
  if ! grep -q -- "$2" <<<"$help"; then
    echo "esser-entrypoint: $1 is set but this esser-local has no $2 option;" \
         "unset $1 or use a newer image" >&2
    exit 64
  fi
  args+=("$2" "$value")
}
optional ESSER_DATA_DIR --data-dir
optional ESSER_READ_STORE --read-store
exec "$bin" "${args[@]}" "$@"

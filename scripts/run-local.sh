#!/usr/bin/env bash
# `make run`: starts esser-local on the bundled shop domain from a built tree.
#   scripts/run-local.sh BUILD_DIR [extra esser-local serve flags...]
set -euo pipefail
build="${1:?usage: run-local.sh BUILD_DIR [flags...]}"
shift
bin="$build/emulator/src/app/esser-local"
if [ -x "$bin" ]; then
  exec "$bin" serve "$@"
fi
demo="$build/core/esser-demo"
if [ -x "$demo" ]; then
  echo "esser-local is not built yet; running the core demo on the shop domain instead." >&2
  exec "$demo" "$@"
fi
echo "run-local: neither $bin nor $demo was built; run 'make release' and read its errors." >&2
exit 1

#!/usr/bin/env bash
# Installs the Debian 12 packages esser needs, and only those that are missing.
# Idempotent: a second run installs nothing and takes well under a second.
# The Dockerfile's build stage runs this same script (one source of truth).
#
#   scripts/install-deps.sh            build + test dependencies (what `make test` needs)
#   scripts/install-deps.sh --build    only what building esser needs (the Docker build stage)
#   scripts/install-deps.sh --runtime  only what a built esser-local needs to run (the image)
set -euo pipefail

build_pkgs=(
  g++ cmake make ninja-build ccache pkg-config git
  libboost1.81-dev libsqlite3-dev nlohmann-json3-dev libvalijson-dev catch2 libfmt-dev
  libpq-dev libssl-dev zlib1g-dev
)
# Real peers the tests drive: AWS clients, PostgreSQL, Node for the JS SDK and dynalite,
# python3 for the Lambda shim, curl/zip for the custom-runtime tutorial shape.
test_pkgs=(
  awscli python3 python3-boto3 python3-botocore python3-yaml postgresql nodejs npm curl zip unzip
  clang-14 libclang-rt-14-dev
)
runtime_pkgs=(
  libsqlite3-0 libpq5 libssl3 zlib1g libfmt9 python3 nodejs curl ca-certificates
)

case "${1:-}" in
  --runtime) wanted=("${runtime_pkgs[@]}") ;;
  --build) wanted=("${build_pkgs[@]}") ;;
  ""|--all) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
  *) echo "install-deps: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  # Node may come from NodeSource (its nodejs package bundles npm and conflicts with Debian's
  # npm): a working command is enough.
  case "$p" in nodejs|npm) command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"

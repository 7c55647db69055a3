#!/usr/bin/env bash
# Issues 6 and 13, real clients: the AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb,
# @aws-sdk/client-dynamodb-streams, @aws-sdk/client-sqs and @aws-sdk/client-lambda from npm)
# against a started
# esser-local.
#   js_sdk_test.sh NPM_DIR [SCRIPT]   (run under run_with_esser_local.sh; SCRIPT defaults to
#                                      js_sdk_test.cjs, a file next to this one)
# Installs the SDK into NPM_DIR (the build tree, never the repository) on first use, under a
# file lock so parallel ctest runs install once. Skips (exit 77) with a clear message only when
# npm is absent or its registry unreachable and the SDK is not installed yet.
set -euo pipefail
npm_dir="${1:?usage: js_sdk_test.sh NPM_DIR [SCRIPT]}"
script="${2:-js_sdk_test.cjs}"
here="$(cd "$(dirname "$0")" && pwd)"
version=3.1141.0
pkgs=("@aws-sdk/client-dynamodb@$version" "@aws-sdk/client-dynamodb-streams@$version"
      "@aws-sdk/client-sqs@$version" "@aws-sdk/client-lambda@$version")
mkdir -p "$npm_dir"
marker="$npm_dir/installed-$version-$(printf '%s\n' "${pkgs[@]}" | md5sum | cut -c1-8)"
if [ ! -f "$marker" ]; then
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "SKIP js_sdk_test: npm/node are not installed (scripts/install-deps.sh installs them)"
    exit 77
  fi
  (
    flock 9
    if [ ! -f "$marker" ]; then
      if ! timeout 300 npm install --prefix "$npm_dir" --no-audit --no-fund --no-save \
          "${pkgs[@]}" >"$npm_dir/npm-install.log" 2>&1; then
        if ! timeout 30 npm ping >/dev/null 2>&1; then
          echo "SKIP js_sdk_test: npm's registry is unreachable, so ${pkgs[*]} cannot be installed"
          exit 77
        fi
        echo "js_sdk_test: npm install failed; see $npm_dir/npm-install.log" >&2
        tail -20 "$npm_dir/npm-install.log" >&2
        exit 1
      fi
      touch "$marker"
    fi
  ) 9>"$npm_dir/.install.lock"
fi
# The SDK warns about node < 22 on every run; that is noise here.
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 NODE_NO_WARNINGS=1
exec node "$here/$script" "$npm_dir/node_modules"

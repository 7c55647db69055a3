#!/usr/bin/env bash
# Issue 11: `cmake --install` then find_package(esser) from an out-of-tree project.
#   package_test.sh SOURCE_DIR BINARY_DIR GENERATOR [extra CXX flags]
# Installs BINARY_DIR into BINARY_DIR/package-test/prefix, configures, builds and runs
# tests/packaging/consumer against it. Then the INSTALLED esser-local generates a project
# (`esser-local init`), whose own `make test` builds and runs its tests against the installed
# package and whose `make run` serves its domain. Extra CXX flags carry the sanitizer flags of
# a sanitized build (static libraries built with ASan need ASan in the consumer's link).
set -euo pipefail
src="$1"; bin="$2"; gen="$3"; flags="${4:-}"
work="$bin/package-test"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$bin" --prefix "$work/prefix" >"$work/install.log"
for f in lib/cmake/esser/esserConfig.cmake lib/cmake/esser/esserTargets.cmake \
         include/esser/core/event.hpp; do
  [ -f "$work/prefix/$f" ] || { echo "package_test: $f was not installed" >&2; exit 1; }
done
cmake -S "$src/tests/packaging/consumer" -B "$work/build" -G "$gen" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Debug \
  -DSCENARIO_DIR="$src/scenarios/shop/item" -DDOMAIN_FILE="$src/scenarios/shop/domain.json" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$work/configure.log" \
  || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
"$work/build/consumer"
# The consumer's own tests: the harness through esser::testing, and the shop's item scenarios
# registered by esser_add_scenarios() from the package.
(cd "$work/build" && ctest --output-on-failure) >"$work/ctest.log" 2>&1 \
  || { cat "$work/ctest.log" >&2; exit 1; }
grep -q "harness.create_item" "$work/ctest.log" || { echo "package_test: harness test missing" >&2; exit 1; }
grep -q "shop.create_item" "$work/ctest.log" || { echo "package_test: scenarios missing" >&2; exit 1; }
tail -3 "$work/ctest.log"

# `esser-local init` with the installed binary: the project it writes must work as its README
# says, `make test` (configure, build, ctest) and `make run` (esser-local on its domain).
proj="$work/project"
"$work/prefix/bin/esser-local" init "$proj" --name demo >"$work/init.log" \
  || { cat "$work/init.log" >&2; exit 1; }
grep -qx "ESSER_PREFIX ?= $work/prefix" "$proj/Makefile" \
  || { echo "package_test: init did not point the Makefile at $work/prefix" >&2; exit 1; }
# -g1: line tables only, a fraction of the disk and link time of -g.
make -C "$proj" test \
  CMAKE_ARGS="-G '$gen' -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS='$flags' -DCMAKE_EXE_LINKER_FLAGS='$flags'" \
  >"$work/project-test.log" 2>&1 || { cat "$work/project-test.log" >&2; exit 1; }
for t in "demo.logging work counts the remaining hours down" "demo.scenario.log_work" \
         "100% tests passed"; do
  grep -q "$t" "$work/project-test.log" \
    || { echo "package_test: '$t' missing from the project's make test" >&2; \
         cat "$work/project-test.log" >&2; exit 1; }
done
# The log exists before the background job starts: its redirection happens in the child, and a
# sed that raced it failed (set -e), leaving `make run` and its esser-local running.
: >"$work/project-run.log"
setsid make -C "$proj" run ARGS="--port 0 --clock manual" >>"$work/project-run.log" 2>&1 &
run_pid=$!
# The group (once setsid has made it) and the job itself (if it has not yet).
trap 'kill -TERM -- "-$run_pid" 2>/dev/null; kill -TERM "$run_pid" 2>/dev/null; true' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^esser-local .* listening on \(http[^ ]*\)$/\1/p' "$work/project-run.log")"
  [ -n "$url" ] && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.2
done
[ -n "$url" ] || { echo "package_test: make run did not start" >&2; cat "$work/project-run.log" >&2; exit 1; }
health="$(curl -s "$url/esser/v1/health")"
echo "$health" | grep -q '"name":"demo"' \
  || { echo "package_test: make run serves another domain: $health" >&2; exit 1; }
created="$(curl -s -X POST "$url/esser/v1/commands" -H 'Content-Type: application/json' \
  -d '{"entity":"Task","command":"CreateTask","id":"t1","data":{"title":"Docs","estimate_hours":2}}')"
echo "$created" | grep -q '"type":"TaskCreated"' \
  || { echo "package_test: CreateTask on make run failed: $created" >&2; exit 1; }
kill -TERM -- "-$run_pid"
wait "$run_pid" || true
trap - EXIT
# Passed: keep the logs, free the disk (the prefix and the builds are over 1 GB under ASan).
rm -rf "$work/prefix" "$work/build" "$proj/build"
echo "package_test: esser-local init project: make test passed, make run served domain 'demo'"

#!/usr/bin/env bash
# Issue 11: `cmake --install` then find_package(esser) from an out-of-tree project.
#   package_test.sh SOURCE_DIR BINARY_DIR GENERATOR [extra CXX flags]
# Installs BINARY_DIR into BINARY_DIR/package-test/prefix, configures, builds and runs
# tests/packaging/consumer against it. Extra CXX flags carry the sanitizer flags of a
# sanitized build (static libraries built with ASan need ASan in the consumer's link).
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

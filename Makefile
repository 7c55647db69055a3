# esser — the two commands of the README, plus the ones developers use.
#
#   make run     install what is missing, build, start esser-local on the bundled shop domain
#   make test    install what is missing, build with ASan+UBSan, run every test (what CI runs)
#   make bench   Release build, run the benchmarks (figures go in the issues' closing notes)
#   make fuzz    clang + libFuzzer build, run each fuzz target for a bounded time
#   make format  clang-format every C++ file in place
#
# Build trees live under build/ (ignored by git): build/test (sanitized), build/release.

JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
TEST_DIR   := build/test
REL_DIR    := build/release
FUZZ_DIR   := build/fuzz
FUZZ_SECONDS ?= 60
ARGS       ?=

.PHONY: all deps run test bench fuzz format clean release

all: release

deps:
	@scripts/install-deps.sh

$(REL_DIR)/build.ninja $(REL_DIR)/Makefile:
	cmake -S . -B $(REL_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DESSER_BUILD_TESTS=OFF

release: deps $(REL_DIR)/build.ninja
	cmake --build $(REL_DIR) -j$(JOBS)

run: release
	@scripts/run-local.sh $(REL_DIR) $(ARGS)

test: deps
	cmake -S . -B $(TEST_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DESSER_SANITIZE=ON -DESSER_BUILD_BENCH=OFF
	cmake --build $(TEST_DIR) -j$(JOBS)
	cd $(TEST_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS) --timeout 600

bench: release
	@scripts/run-bench.sh $(REL_DIR)

fuzz: deps
	CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug \
	  -DESSER_FUZZ=ON -DESSER_BUILD_TESTS=OFF -DESSER_BUILD_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target esser_fuzz_targets
	@scripts/run-fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build

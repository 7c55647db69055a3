# Build options shared by every layer. Included once from the top-level CMakeLists.txt, before
# any target, so the flags below apply to every esser target (libraries, tools and tests).

option(ESSER_BUILD_TESTS "Build the Catch2 test tree" ON)
option(ESSER_BUILD_BENCH "Build the benchmarks (make bench)" ON)
option(ESSER_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer (make test)" OFF)
option(ESSER_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

# ccache when present: CI starts cold, developers rebuild warm.
find_program(ESSER_CCACHE ccache)
# CCACHE_BASEDIR makes paths relative to the source tree and CCACHE_NOHASHDIR keeps the working
# directory out of the hash (ccache hashes it by default when compiling with -g), so several
# checkouts (git worktrees) share cache entries.
if(ESSER_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}" "CCACHE_NOHASHDIR=1"
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "${ESSER_CCACHE}")
endif()

add_compile_options(-Wall -Wextra -Wno-unused-parameter)
if(ESSER_WARNINGS_AS_ERRORS)
  add_compile_options(-Werror)
endif()
if(ESSER_SANITIZE)
  # -O0: on two CI cores the sanitized build is compile-bound (nlohmann_json and Catch2
  # instantiations), and -O0 halves its compile time; the tests themselves are short.
  set(esser_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${esser_san} -O0)
  add_link_options(${esser_san})
endif()

# `make fuzz`: libFuzzer targets (tests/fuzz). Needs clang; every library is instrumented for
# coverage and built with ASan+UBSan so a bug found by the fuzzer is a crash, not a silence.
option(ESSER_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(ESSER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ESSER_FUZZ needs clang (CXX=clang++-14), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # -fno-sanitize=function: clang 14's UBSan function check cannot be emitted for C++20
  # coroutines ("Cannot represent a difference across sections").
  set(esser_fuzz_san -fsanitize=address,undefined -fno-sanitize=function -fno-omit-frame-pointer
                     -fno-sanitize-recover=undefined)
  add_compile_options(-fsanitize=fuzzer-no-link ${esser_fuzz_san} -O1)
  add_link_options(${esser_fuzz_san})
endif()

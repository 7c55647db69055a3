# esser_add_scenarios(<dir> [PREFIX <ctest prefix>]) for projects that use the installed esser
# package: one CTest test per *.scenario.json under <dir> (recursively), named
# <prefix>.<path relative to dir without .scenario.json> (except "target": "http" ones, which need
# a running esser-local), run by esser::esser-scenarios (esser's
# own tree sets ESSER_SCENARIO_RUNNER to its in-tree target). Each scenario finds its
# domain.json next to it or in a parent folder (see scenarios/README.md). Re-globbed at build
# time when files are added or removed.
function(esser_add_scenarios dir)
  cmake_parse_arguments(A "" "PREFIX" "" ${ARGN})
  if(NOT A_PREFIX)
    set(A_PREFIX "scenario")
  endif()
  set(runner "${ESSER_SCENARIO_RUNNER}")
  if(NOT runner)
    set(runner esser::esser-scenarios)
  endif()
  if(NOT TARGET ${runner})
    message(FATAL_ERROR "esser_add_scenarios: no scenario runner (${runner})")
  endif()
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${dir}/*.scenario.json")
  list(SORT files)
  if(NOT files)
    message(WARNING "esser_add_scenarios: no *.scenario.json under ${dir}")
  endif()
  foreach(f ${files})
    # End-to-end scenarios ("target": "http") need a running esser-local: they run with
    # `esser-local test --url URL` (esser's own tree: tests/scenarios/CMakeLists.txt starts one).
    file(READ "${f}" text)
    string(JSON target ERROR_VARIABLE no_target GET "${text}" target)
    if(NOT no_target AND target STREQUAL "http")
      continue()
    endif()
    file(RELATIVE_PATH rel "${dir}" "${f}")
    string(REGEX REPLACE "\\.scenario\\.json$" "" rel "${rel}")
    add_test(NAME "${A_PREFIX}.${rel}" COMMAND ${runner} --quiet "${f}")
    set_tests_properties("${A_PREFIX}.${rel}" PROPERTIES TIMEOUT 60)
  endforeach()
endfunction()

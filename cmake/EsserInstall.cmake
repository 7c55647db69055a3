# Installation and the CMake package (issue 11): `cmake --install` puts the executables, the
# static libraries, the public headers and `lib/cmake/esser/` in the prefix, so another
# project can write
#
#   find_package(esser 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE esser::core esser::adapters)
#   target_link_libraries(app_tests PRIVATE esser::testing)
#
# Included last from the top-level CMakeLists.txt, when every target exists. Targets that a
# given checkout does not build (an area not written yet) are skipped, never faked.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ESSER_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/esser")

# Library targets and the names they are exported under (esser::<name>).
set(esser_export_libs esser_core esser_adapters esser_emulator)
set_target_properties(esser_core PROPERTIES EXPORT_NAME core)
set_target_properties(esser_adapters PROPERTIES EXPORT_NAME adapters)
set_target_properties(esser_emulator PROPERTIES EXPORT_NAME emulator)
foreach(area dynamo streams persist lambda esm http sqs testing fixture)
  if(TARGET esser_emulator_${area})
    list(APPEND esser_export_libs esser_emulator_${area})
    set_target_properties(esser_emulator_${area} PROPERTIES EXPORT_NAME emulator_${area})
  endif()
endforeach()
# esser::testing is the given-when-then harness users link from Catch2 tests.
if(TARGET esser_emulator_testing)
  set_target_properties(esser_emulator_testing PROPERTIES EXPORT_NAME testing)
endif()

install(TARGETS ${esser_export_libs}
  EXPORT esserTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

foreach(layer core adapters emulator)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/include/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.hpp")
endforeach()

foreach(exe esser-local esser-lambda esser-bench)
  if(TARGET ${exe})
    install(TARGETS ${exe} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
# The runtime shims esser-local runs python3.x and nodejs<N>.x zip functions with (issue 13),
# found at <prefix>/share/esser/runtimes (emulator/src/lambda/zip_runtime.cpp).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/emulator/runtimes/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/esser/runtimes)
# The scenario runner is exported (esser::esser-scenarios) for esser_add_scenarios().
if(TARGET esser-scenarios)
  install(TARGETS esser-scenarios EXPORT esserTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT esserTargets
  NAMESPACE esser::
  DESTINATION ${ESSER_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/esserConfig.cmake.in
  ${PROJECT_BINARY_DIR}/esserConfig.cmake
  INSTALL_DESTINATION ${ESSER_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/esserConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_SOURCE_DIR}/cmake/esserScenarios.cmake
  ${PROJECT_BINARY_DIR}/esserConfig.cmake
  ${PROJECT_BINARY_DIR}/esserConfigVersion.cmake
  DESTINATION ${ESSER_INSTALL_CMAKEDIR})

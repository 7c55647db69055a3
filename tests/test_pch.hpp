#pragma once
// Precompiled for every test executable (esser_add_test_suite): the heavy headers every test
// includes anyway. Also where ESSER_SOURCE_DIR / ESSER_BINARY_DIR come from: functions defined
// in a generated file of the build tree (tests/esser_test_paths.cpp), so this header and every
// compile command are identical in every checkout and ccache shares them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

const char* esser_test_source_dir();
const char* esser_test_binary_dir();

#define ESSER_SOURCE_DIR (esser_test_source_dir())
#define ESSER_BINARY_DIR (esser_test_binary_dir())

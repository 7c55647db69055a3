// The one Catch2 main shared by every test executable (built once as an OBJECT library).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

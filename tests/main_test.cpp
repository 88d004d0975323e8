// The Catch2 entry point; every test lives in its own *_test.cpp file.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

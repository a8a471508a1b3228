#pragma once
// The minimal test harness shared by the dependency-free C++ tests: CHECK records a
// failure (with file and line) and the test's main returns failures == 0 ? 0 : 1.
#include <cstdio>

static int failures = 0;

#define CHECK(cond)                                                 \
  do {                                                              \
    if (!(cond)) {                                                  \
      std::printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                   \
    }                                                               \
  } while (0)

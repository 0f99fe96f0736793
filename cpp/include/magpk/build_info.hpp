#pragma once
// How this copy of the core was compiled: what a user needs to know to
// compare speed figures or to tell why two builds differ in the last digits.

#include <string>

namespace magpk {

struct BuildInfo {
  bool native_arch;        // compiled with -march=native (MAGPK_NATIVE_ARCH=ON)
  std::string simd;        // vector instruction sets Eigen uses in the core, e.g. "SSE, SSE2"
  std::string compiler;    // compiler id and version
  std::string build_type;  // CMake build type (Release, Debug, ...)
};

// Facts fixed at compile time of the core library.
BuildInfo build_info();

}  // namespace magpk

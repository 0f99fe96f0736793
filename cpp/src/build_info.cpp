#include "magpk/build_info.hpp"

#include <Eigen/Core>

namespace magpk {

namespace {

std::string compiler_name() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#elif defined(_MSC_VER)
  return "MSVC " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

}  // namespace

BuildInfo build_info() {
#ifndef MAGPK_BUILD_TYPE
#error "MAGPK_BUILD_TYPE must be defined by the build system"
#endif
#if defined(MAGPK_NATIVE_ARCH_ENABLED)
  constexpr bool native = true;
#else
  constexpr bool native = false;
#endif
  // Eigen reports the instruction sets this translation unit was compiled
  // for; the core's other sources share its flags (one target, one option set).
  return BuildInfo{native, Eigen::SimdInstructionSetsInUse(), compiler_name(), MAGPK_BUILD_TYPE};
}

}  // namespace magpk

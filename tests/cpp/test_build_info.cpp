// magpk::build_info(): what magpk.show_config() reports about the compiled core.
#include <gtest/gtest.h>

#include "magpk/build_info.hpp"

TEST(BuildInfo, ReportsCompilerBuildTypeAndSimd) {
  const magpk::BuildInfo info = magpk::build_info();
  EXPECT_FALSE(info.compiler.empty());
  EXPECT_FALSE(info.build_type.empty());
  EXPECT_FALSE(info.simd.empty());
}

TEST(BuildInfo, PortableBuildUsesNoAvx) {
  const magpk::BuildInfo info = magpk::build_info();
  if (info.native_arch) GTEST_SKIP() << "built with MAGPK_NATIVE_ARCH=ON";
  // The x86-64 baseline has SSE2 but not AVX; aarch64's has NEON.
  EXPECT_EQ(info.simd.find("AVX"), std::string::npos) << info.simd;
}

// The parameter table: metadata completeness, get/set by name, suggestions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "magpk/physiology.hpp"

namespace {

using magpk::parameter_table;
using magpk::Physiology;

std::string set_error(const std::string& name) {
  Physiology physiology = magpk::default_physiology();
  try {
    magpk::set_parameter(physiology, name, 1.0);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  ADD_FAILURE() << "set_parameter(\"" << name << "\") did not throw std::invalid_argument";
  return {};
}

TEST(Physiology, EveryParameterHasUnitSourceAndFiniteValue) {
  ASSERT_FALSE(parameter_table().empty());
  for (const auto& info : parameter_table()) {
    ASSERT_NE(info.name, nullptr);
    EXPECT_GT(std::strlen(info.name), 0u);
    ASSERT_NE(info.unit, nullptr) << info.name;
    EXPECT_GT(std::strlen(info.unit), 0u) << info.name;
    ASSERT_NE(info.source, nullptr) << info.name;
    EXPECT_GT(std::strlen(info.source), 0u) << info.name;
    ASSERT_NE(info.description, nullptr) << info.name;
    EXPECT_GT(std::strlen(info.description), 0u) << info.name;
    EXPECT_TRUE(std::isfinite(info.value)) << info.name;
  }
}

TEST(Physiology, CalibratedParametersNameTheirCalibrationData) {
  int calibrated = 0;
  for (const auto& info : parameter_table()) {
    ASSERT_NE(info.calibrated_against, nullptr) << info.name;
    const bool is_calibrated = std::string(info.source) == "calibration";
    if (is_calibrated) {
      ++calibrated;
      EXPECT_GT(std::strlen(info.calibrated_against), 0u) << info.name;
    } else {
      // "Empty when the value was read from a source" (physiology.hpp).
      EXPECT_EQ(std::strlen(info.calibrated_against), 0u) << info.name;
    }
  }
  EXPECT_GT(calibrated, 0);
}

TEST(Physiology, CalibrationCrossReferencesNameExistingParameters) {
  // "as <name>" must point at a parameter of the table that is itself calibrated.
  for (const auto& info : parameter_table()) {
    const std::string against = info.calibrated_against;
    if (against.rfind("as ", 0) != 0) continue;
    const std::string target = against.substr(3);
    bool found = false;
    for (const auto& other : parameter_table()) {
      if (target == other.name) {
        found = true;
        EXPECT_STREQ(other.source, "calibration") << info.name << " -> " << target;
        EXPECT_GT(std::strlen(other.calibrated_against), 0u) << target;
      }
    }
    EXPECT_TRUE(found) << info.name << " refers to unknown parameter '" << target << "'";
  }
}

TEST(Physiology, NamesAreUniqueAndCoverEveryMember) {
  std::set<std::string> names;
  std::set<std::ptrdiff_t> offsets;
  const Physiology probe{};
  for (const auto& info : parameter_table()) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    const auto offset = reinterpret_cast<const char*>(&(probe.*(info.member))) -
                        reinterpret_cast<const char*>(&probe);
    EXPECT_TRUE(offsets.insert(offset).second) << "member bound twice: " << info.name;
  }
  // Every double of Physiology is declared in the table exactly once.
  EXPECT_EQ(parameter_table().size() * sizeof(double), sizeof(Physiology));
}

TEST(Physiology, DefaultPhysiologyHoldsTableValues) {
  const Physiology physiology = magpk::default_physiology();
  for (const auto& info : parameter_table()) {
    EXPECT_EQ(physiology.*(info.member), info.value) << info.name;
    EXPECT_EQ(magpk::get_parameter(physiology, info.name), info.value) << info.name;
  }
}

TEST(Physiology, SetThenGetRoundTripsAndTouchesOnlyThatParameter) {
  for (const auto& info : parameter_table()) {
    Physiology physiology = magpk::default_physiology();
    const double value = 1.5 * info.value + 0.125;
    magpk::set_parameter(physiology, info.name, value);
    EXPECT_EQ(magpk::get_parameter(physiology, info.name), value) << info.name;
    EXPECT_EQ(physiology.*(info.member), value) << info.name;
    for (const auto& other : parameter_table()) {
      if (other.member == info.member) continue;
      EXPECT_EQ(magpk::get_parameter(physiology, other.name), other.value)
          << "setting " << info.name << " changed " << other.name;
    }
  }
}

TEST(Physiology, SetRejectsNonFiniteValues) {
  Physiology physiology = magpk::default_physiology();
  EXPECT_THROW(magpk::set_parameter(physiology, "renal_splay", std::nan("")),
               std::invalid_argument);
  EXPECT_THROW(magpk::set_parameter(physiology, "renal_splay", INFINITY), std::invalid_argument);
  EXPECT_EQ(physiology.renal_splay, magpk::default_physiology().renal_splay);
}

TEST(Physiology, UnknownNameThrowsWithSuggestion) {
  const Physiology physiology = magpk::default_physiology();
  EXPECT_THROW(magpk::get_parameter(physiology, "renal_spaly"), std::invalid_argument);
  const std::string typo = set_error("renal_spaly");
  EXPECT_NE(typo.find("renal_splay"), std::string::npos) << typo;
  const std::string prefix = set_error("si_vmax");
  EXPECT_NE(prefix.find("si_vmax_mmol_h"), std::string::npos) << prefix;
  const std::string transit = set_error("colon_transit_time");
  EXPECT_NE(transit.find("colon_transit_time_h"), std::string::npos) << transit;
}

TEST(Physiology, ClosestNamesPrefersSmallEditDistance) {
  const std::vector<std::string> names = {"alpha", "beta", "gamma", "delta"};
  const auto close = magpk::closest_names("deltta", names, 2);
  ASSERT_EQ(close.size(), 2u);
  EXPECT_EQ(close[0], "delta");
  EXPECT_EQ(magpk::closest_names("gam", names, 1).at(0), "gamma");
}

}  // namespace

// The parameter table: metadata completeness, get/set by name, suggestions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
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

// --- parameter kinds and allowed ranges ------------------------------------

using magpk::ParameterKind;

TEST(PhysiologyRanges, RangeFollowsFromTheKindAlone) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const auto& info : parameter_table()) {
    const magpk::AllowedRange range = magpk::allowed_range(info);
    ASSERT_NE(range.rule, nullptr) << info.name;
    switch (info.kind) {
      case ParameterKind::kPositiveScale:
        EXPECT_GT(info.value, 0.0) << info.name;
        EXPECT_EQ(range.min, 1e-3 * info.value) << info.name;
        EXPECT_EQ(range.max, 1e3 * info.value) << info.name;
        EXPECT_TRUE(range.min_inclusive) << info.name;
        EXPECT_STREQ(range.rule, "1e-3 to 1e3 x the default") << info.name;
        break;
      case ParameterKind::kShare:
        EXPECT_GT(info.value, 0.0) << info.name;
        EXPECT_LE(info.value, 1.0) << info.name;
        EXPECT_EQ(range.min, 0.0) << info.name;
        EXPECT_EQ(range.max, 1.0) << info.name;
        EXPECT_FALSE(range.min_inclusive) << info.name;
        EXPECT_STREQ(range.rule, "a share") << info.name;
        break;
      case ParameterKind::kFractionMayBeZero:
        EXPECT_GE(info.value, 0.0) << info.name;
        EXPECT_LE(info.value, 1.0) << info.name;
        EXPECT_EQ(range.min, 0.0) << info.name;
        EXPECT_EQ(range.max, 1.0) << info.name;
        EXPECT_TRUE(range.min_inclusive) << info.name;
        EXPECT_STREQ(range.rule, "a fraction that may be 0") << info.name;
        break;
      case ParameterKind::kRegressionCoefficient:
        EXPECT_EQ(range.min, -kInf) << info.name;
        EXPECT_EQ(range.max, kInf) << info.name;
        EXPECT_TRUE(range.min_inclusive) << info.name;
        EXPECT_STREQ(range.rule, "a regression coefficient") << info.name;
        break;
      default: ADD_FAILURE() << info.name << ": unknown kind " << static_cast<int>(info.kind);
    }
  }
}

// The kind of every parameter that is not a positive scale, pinned: these are
// the ranges the name patterns of the former allowed_range() gave ("bodyfat_"
// prefix, "fraction", "_factor" except "fed_", renal_splay). Changing a kind
// changes what users may set (magpk.fit's bounds too): update this list on purpose.
TEST(PhysiologyRanges, KindsOfTheTableArePinned) {
  const std::map<std::string, ParameterKind> expected = {
      {"ppi_acid_output_factor", ParameterKind::kShare},
      {"ppi_transcellular_factor", ParameterKind::kShare},
      {"ultrafilterable_fraction", ParameterKind::kShare},
      {"renal_splay", ParameterKind::kShare},
      {"im_bioavailability", ParameterKind::kShare},
      {"loop_diuretic_tm_factor", ParameterKind::kShare},
      {"thiazide_tm_factor", ParameterKind::kShare},
      {"tissue_fraction_of_body_mg", ParameterKind::kShare},
      {"bone_exchangeable_fraction_of_body_mg", ParameterKind::kShare},
      {"deep_bone_fraction_of_body_mg", ParameterKind::kShare},
      {"chelate_intact_fraction", ParameterKind::kFractionMayBeZero},
      {"bodyfat_bmi_coef", ParameterKind::kRegressionCoefficient},
      {"bodyfat_age_coef", ParameterKind::kRegressionCoefficient},
      {"bodyfat_male_coef", ParameterKind::kRegressionCoefficient},
      {"bodyfat_intercept", ParameterKind::kRegressionCoefficient},
      {"bodyfat_child_bmi_coef", ParameterKind::kRegressionCoefficient},
      {"bodyfat_child_age_coef", ParameterKind::kRegressionCoefficient},
      {"bodyfat_child_male_coef", ParameterKind::kRegressionCoefficient},
      {"bodyfat_child_intercept", ParameterKind::kRegressionCoefficient},
  };
  std::size_t found = 0;
  for (const auto& info : parameter_table()) {
    const auto it = expected.find(info.name);
    const ParameterKind kind = it == expected.end() ? ParameterKind::kPositiveScale : it->second;
    found += it != expected.end();
    EXPECT_EQ(info.kind, kind) << info.name << " is " << magpk::parameter_kind_name(info.kind)
                               << ", expected " << magpk::parameter_kind_name(kind);
  }
  EXPECT_EQ(found, expected.size()) << "a pinned name is missing from the table";
}

TEST(PhysiologyRanges, KindNames) {
  EXPECT_STREQ(magpk::parameter_kind_name(ParameterKind::kPositiveScale), "positive_scale");
  EXPECT_STREQ(magpk::parameter_kind_name(ParameterKind::kShare), "share");
  EXPECT_STREQ(magpk::parameter_kind_name(ParameterKind::kFractionMayBeZero),
               "fraction_may_be_zero");
  EXPECT_STREQ(magpk::parameter_kind_name(ParameterKind::kRegressionCoefficient),
               "regression_coefficient");
  EXPECT_THROW(magpk::parameter_kind_name(static_cast<ParameterKind>(99)), std::invalid_argument);
}

TEST(PhysiologyRanges, DefaultPhysiologyIsValid) {
  EXPECT_NO_THROW(magpk::validate(magpk::default_physiology()));
}

// validate() accepts each end of the range (the lower one when inclusive) and
// rejects the next double outside it, with a message naming the parameter.
TEST(PhysiologyRanges, ValidateEnforcesEachRangeAtItsEnds) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  for (const auto& info : parameter_table()) {
    const magpk::AllowedRange range = magpk::allowed_range(info);
    const auto with = [&info](double value) {
      Physiology physiology = magpk::default_physiology();
      physiology.*(info.member) = value;
      return physiology;
    };
    const auto rejected = [&](double value) {
      try {
        magpk::validate(with(value));
      } catch (const std::invalid_argument& error) {
        return std::string(error.what()).find(info.name) != std::string::npos;
      }
      return false;
    };
    // The sum of the stores' shares (tissue, bone surface, deep bone) must stay
    // < 1: probe the upper end of each with the other two at their smallest
    // allowed share.
    const auto is_store_share = [](double Physiology::* member) {
      return member == &Physiology::tissue_fraction_of_body_mg ||
             member == &Physiology::bone_exchangeable_fraction_of_body_mg ||
             member == &Physiology::deep_bone_fraction_of_body_mg;
    };
    const auto valid = [&](double value) {
      Physiology physiology = with(value);
      if (is_store_share(info.member)) {
        for (double Physiology::* other : {&Physiology::tissue_fraction_of_body_mg,
                                           &Physiology::bone_exchangeable_fraction_of_body_mg,
                                           &Physiology::deep_bone_fraction_of_body_mg}) {
          if (other != info.member) physiology.*other = kTiny;
        }
      }
      try {
        magpk::validate(physiology);
      } catch (const std::invalid_argument& error) {
        ADD_FAILURE() << info.name << "=" << value << " rejected: " << error.what();
        return false;
      }
      return true;
    };
    EXPECT_TRUE(rejected(std::nan(""))) << info.name;
    EXPECT_TRUE(rejected(kInf)) << info.name;
    EXPECT_TRUE(rejected(-kInf)) << info.name;
    if (info.kind == ParameterKind::kRegressionCoefficient) {
      EXPECT_TRUE(valid(-1e300)) << info.name;
      EXPECT_TRUE(valid(0.0)) << info.name;
      EXPECT_TRUE(valid(1e300)) << info.name;
      continue;
    }
    if (!is_store_share(info.member)) {
      EXPECT_TRUE(valid(range.max)) << info.name;
    } else {
      EXPECT_TRUE(valid(std::nextafter(1.0, 0.0))) << info.name;
    }
    EXPECT_TRUE(rejected(std::nextafter(range.max, kInf))) << info.name;
    if (range.min_inclusive) {
      EXPECT_TRUE(valid(range.min)) << info.name;
      EXPECT_TRUE(rejected(std::nextafter(range.min, -kInf))) << info.name;
    } else {
      EXPECT_TRUE(rejected(range.min)) << info.name;
      EXPECT_TRUE(valid(std::nextafter(range.min, kInf))) << info.name;
    }
    EXPECT_TRUE(rejected(-1.0)) << info.name;
  }
}

TEST(Physiology, ClosestNamesPrefersSmallEditDistance) {
  const std::vector<std::string> names = {"alpha", "beta", "gamma", "delta"};
  const auto close = magpk::closest_names("deltta", names, 2);
  ASSERT_EQ(close.size(), 2u);
  EXPECT_EQ(close[0], "delta");
  EXPECT_EQ(magpk::closest_names("gam", names, 1).at(0), "gamma");
}

// The stores' shares of body Mg cannot add up to the whole body: plasma and
// the fast peripheral pool hold the rest.
TEST(PhysiologyRanges, StoreSharesMustLeaveRoomForPlasma) {
  Physiology physiology = magpk::default_physiology();
  physiology.tissue_fraction_of_body_mg = 0.3;
  physiology.bone_exchangeable_fraction_of_body_mg = 0.3;
  physiology.deep_bone_fraction_of_body_mg = 0.39;
  EXPECT_NO_THROW(magpk::validate(physiology));
  physiology.deep_bone_fraction_of_body_mg = 0.4;
  try {
    magpk::validate(physiology);
    ADD_FAILURE() << "shares summing to 1 accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("deep_bone_fraction_of_body_mg"), std::string::npos)
        << error.what();
  }
}

// A rejected value is shown as set, not rounded to 6 decimals.
TEST(PhysiologyRanges, MessagesShowTheValueAsSet) {
  Physiology physiology = magpk::default_physiology();
  physiology.renal_splay = std::nextafter(1.0, 2.0);
  try {
    magpk::validate(physiology);
    ADD_FAILURE() << "renal_splay above 1 accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("=1.0000000000000002"), std::string::npos)
        << error.what();
  }
}

}  // namespace

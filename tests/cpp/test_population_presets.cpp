// The population presets (magpk::population_presets): each sets every number
// it needs (a PopulationSpec starts at 0, so a forgotten mean or range shows
// here), and the presets derived from another keep what they do not change.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "magpk/population.hpp"

namespace {

using magpk::PopulationSpec;

bool is_fraction(double value) { return value >= 0.0 && value <= 1.0; }

TEST(PopulationPresets, DefaultSpecIsEmpty) {
  const PopulationSpec p;
  EXPECT_TRUE(p.name.empty());
  EXPECT_EQ(p.female_fraction, 0.0);
  EXPECT_EQ(p.weight_mean_male_kg, 0.0);
  EXPECT_EQ(p.egfr_sd_ml_min, 0.0);
  EXPECT_EQ(p.ppi_fraction, 0.0);
  EXPECT_EQ(p.iiv_cv_renal_tm, 0.0);
}

TEST(PopulationPresets, EveryPresetIsComplete) {
  std::set<std::string> names;
  for (const PopulationSpec& p : magpk::population_presets()) {
    SCOPED_TRACE(p.name);
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate name";
    EXPECT_FALSE(p.source.empty());
    EXPECT_TRUE(is_fraction(p.female_fraction));
    EXPECT_GT(p.age_min_years, 0.0);
    EXPECT_LT(p.age_min_years, p.age_max_years);
    EXPECT_GT(p.weight_mean_male_kg, 0.0);
    EXPECT_GT(p.weight_mean_female_kg, 0.0);
    EXPECT_GT(p.weight_cv, 0.0);
    EXPECT_GT(p.height_mean_male_cm, 0.0);
    EXPECT_GT(p.height_mean_female_cm, 0.0);
    EXPECT_GT(p.height_sd_cm, 0.0);
    EXPECT_GT(p.egfr_min_ml_min, 0.0);
    EXPECT_LT(p.egfr_min_ml_min, p.egfr_max_ml_min);
    if (p.egfr_sd_ml_min == magpk::kUniformEgfr) {
      EXPECT_EQ(p.egfr_intercept_ml_min, 0.0);  // unused by a uniform draw
      EXPECT_EQ(p.egfr_slope_per_year, 0.0);
    } else {
      EXPECT_GT(p.egfr_sd_ml_min, 0.0);
      EXPECT_GT(p.egfr_intercept_ml_min, p.egfr_min_ml_min);
      EXPECT_LT(p.egfr_intercept_ml_min, p.egfr_max_ml_min);
    }
    EXPECT_GT(p.diet_mean_male_mg, 0.0);
    EXPECT_GT(p.diet_mean_female_mg, 0.0);
    EXPECT_GT(p.diet_cv, 0.0);
    EXPECT_TRUE(is_fraction(p.pregnant_fraction));
    EXPECT_TRUE(is_fraction(p.ppi_fraction));
    EXPECT_TRUE(is_fraction(p.loop_fraction + p.thiazide_fraction));
    EXPECT_GT(p.iiv_cv_transcellular, 0.0);
    EXPECT_GT(p.iiv_cv_ecf_volume, 0.0);
    EXPECT_GT(p.iiv_cv_renal_tm, 0.0);
  }
  EXPECT_EQ(names, (std::set<std::string>{"adults", "elderly", "ckd3", "ckd4", "preeclampsia"}));
}

TEST(PopulationPresets, ElderlyIsAdultsAged65To90WithMoreDrugUse) {
  const PopulationSpec& adults = magpk::find_population("adults");
  const PopulationSpec& elderly = magpk::find_population("elderly");
  EXPECT_EQ(elderly.age_min_years, 65.0);
  EXPECT_EQ(elderly.age_max_years, 90.0);
  EXPECT_GT(elderly.ppi_fraction, adults.ppi_fraction);
  EXPECT_GT(elderly.loop_fraction, adults.loop_fraction);
  EXPECT_GT(elderly.thiazide_fraction, adults.thiazide_fraction);
  // Kept from adults: the eGFR decline with age, its SD and floor, the IIV.
  EXPECT_EQ(elderly.egfr_intercept_ml_min, adults.egfr_intercept_ml_min);
  EXPECT_EQ(elderly.egfr_slope_per_year, adults.egfr_slope_per_year);
  EXPECT_EQ(elderly.egfr_sd_ml_min, adults.egfr_sd_ml_min);
  EXPECT_EQ(elderly.egfr_min_ml_min, adults.egfr_min_ml_min);
  EXPECT_EQ(elderly.pregnant_fraction, adults.pregnant_fraction);
  EXPECT_EQ(elderly.iiv_cv_transcellular, adults.iiv_cv_transcellular);
  EXPECT_EQ(elderly.iiv_cv_ecf_volume, adults.iiv_cv_ecf_volume);
  EXPECT_EQ(elderly.iiv_cv_renal_tm, adults.iiv_cv_renal_tm);
}

TEST(PopulationPresets, CkdStagesAreUniformOnTheirEgfrRange) {
  const PopulationSpec& ckd3 = magpk::find_population("ckd3");
  const PopulationSpec& ckd4 = magpk::find_population("ckd4");
  EXPECT_EQ(ckd3.egfr_sd_ml_min, magpk::kUniformEgfr);
  EXPECT_EQ(ckd4.egfr_sd_ml_min, magpk::kUniformEgfr);
  EXPECT_EQ(ckd3.egfr_min_ml_min, 30.0);
  EXPECT_EQ(ckd3.egfr_max_ml_min, 59.0);
  EXPECT_EQ(ckd4.egfr_min_ml_min, 15.0);
  EXPECT_EQ(ckd4.egfr_max_ml_min, 29.0);
}

TEST(PopulationPresets, UnknownNameListsTheKnownOnes) {
  try {
    magpk::find_population("children");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("adults, elderly, ckd3, ckd4, preeclampsia"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace

// Supplement form catalogue: elemental fractions from formulae, look-up and
// error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "magpk/forms.hpp"
#include "magpk/physiology.hpp"
#include "magpk/units.hpp"

namespace {

using magpk::find_form;

// The exception message thrown by find_form(id); fails the test if none is thrown.
std::string find_form_error(const std::string& id) {
  try {
    find_form(id);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  ADD_FAILURE() << "find_form(\"" << id << "\") did not throw std::invalid_argument";
  return {};
}

// Published %Mg (project physiology review, s6; primary source not identified; computed from
// standard atomic weights).
TEST(Forms, ElementalFractionMatchesPublishedTable) {
  const std::vector<std::pair<const char*, double>> published = {
      {"oxide", 60.3},     {"hydroxide", 41.7}, {"carbonate", 28.8}, {"chloride", 12.0},
      {"sulfate", 9.86},   {"citrate", 16.2},   {"glycinate", 14.1}, {"malate", 11.6},
      {"threonate", 8.25}, {"lactate", 10.2},   {"aspartate", 7.5},  {"taurate", 8.9},
      {"orotate", 6.6},    {"gluconate", 5.9},
  };
  for (const auto& [id, percent] : published) {
    EXPECT_NEAR(100.0 * find_form(id).elemental_fraction(), percent, 0.1) << id;
  }
}

TEST(Forms, MolarMassIsConsistentWithElementalFraction) {
  for (const auto& form : magpk::form_catalogue()) {
    if (form.dissolution == magpk::DissolutionClass::kDissolved) continue;
    EXPECT_NEAR(form.elemental_fraction() * form.molar_mass_g_per_mol_mg(),
                magpk::units::kAtomicWeightMg, 1e-12)
        << form.id;
    EXPECT_GT(form.elemental_fraction(), 0.0) << form.id;
    EXPECT_LT(form.elemental_fraction(), 1.0) << form.id;
  }
}

TEST(Forms, OneGramEpsomSaltIs4Point06MmolMg) {
  const double mg_elemental = 1000.0 * find_form("sulfate").elemental_fraction();
  EXPECT_NEAR(magpk::units::mg_to_mmol(mg_elemental), 4.06, 0.01);
}

TEST(Forms, BufferedGlycinateIsHalfGlycinateHalfOxideByMg) {
  const auto& blend = find_form("buffered_glycinate");
  ASSERT_TRUE(blend.is_blend());
  // Grams of blend per mol Mg are the share-weighted grams of its components.
  const double expected = 0.5 * find_form("glycinate").molar_mass_g_per_mol_mg() +
                          0.5 * find_form("oxide").molar_mass_g_per_mol_mg();
  EXPECT_NEAR(blend.molar_mass_g_per_mol_mg(), expected, 1e-12);
  double share = 0.0;
  for (const auto& part : blend.components) share += part.elemental_share;
  EXPECT_NEAR(share, 1.0, 1e-15);
}

TEST(Forms, AllRequiredIdsExist) {
  const std::vector<std::string> required = {
      "oxide",   "hydroxide", "carbonate", "chloride",
      "sulfate", "citrate",   "glycinate", "buffered_glycinate",
      "malate",  "threonate", "lactate",   "aspartate",
      "taurate", "orotate",   "gluconate", "solution"};
  const auto ids = magpk::form_ids();
  for (const auto& id : required) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
    EXPECT_NO_THROW({ EXPECT_EQ(find_form(id).id, id); }) << id;
  }
}

TEST(Forms, IdsAreUnique) {
  auto ids = magpk::form_ids();
  ASSERT_EQ(ids.size(), magpk::form_catalogue().size());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

TEST(Forms, UnknownIdThrowsAndSuggestsClosest) {
  const std::string glycinat = find_form_error("glycinat");
  EXPECT_NE(glycinat.find("glycinat'"), std::string::npos) << glycinat;   // names the query
  EXPECT_NE(glycinat.find("glycinate,"), std::string::npos) << glycinat;  // suggests the id
  // The suggestion is not just an echo of the query.
  const std::string sulphate = find_form_error("sulphate");
  EXPECT_NE(sulphate.find("sulfate"), std::string::npos) << sulphate;
  const std::string oxyde = find_form_error("oxyde");
  EXPECT_NE(oxyde.find("oxide"), std::string::npos) << oxyde;
}

TEST(Forms, ClosestNamesRanksTheIntendedIdFirst) {
  EXPECT_EQ(magpk::closest_names("glycinat", magpk::form_ids()).at(0), "glycinate");
  EXPECT_EQ(magpk::closest_names("sulphate", magpk::form_ids()).at(0), "sulfate");
  EXPECT_EQ(magpk::closest_names("citrat", magpk::form_ids()).at(0), "citrate");
  EXPECT_EQ(magpk::closest_names("x", magpk::form_ids(), 2).size(), 2u);
}

TEST(Forms, DissolutionRates) {
  const auto physiology = magpk::default_physiology();
  EXPECT_TRUE(std::isinf(magpk::dissolution_rate_per_h(find_form("solution"), physiology)));
  EXPECT_EQ(magpk::dissolution_rate_per_h(find_form("oxide"), physiology),
            physiology.dissolution_oxide_per_h);
  EXPECT_EQ(magpk::dissolution_rate_per_h(find_form("hydroxide"), physiology),
            physiology.dissolution_hydroxide_per_h);
  EXPECT_EQ(magpk::dissolution_rate_per_h(find_form("citrate"), physiology),
            physiology.dissolution_soluble_per_h);
  // Oxide dissolves more slowly than a soluble salt.
  EXPECT_LT(physiology.dissolution_oxide_per_h, physiology.dissolution_soluble_per_h);
}

}  // namespace

#include "magpk/forms.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "magpk/units.hpp"

namespace magpk {
namespace {

constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();

double composition_molar_mass(const Composition& k) {
  using namespace units;
  const double water = 2 * kAtomicWeightH + kAtomicWeightO;
  return k.mg * kAtomicWeightMg + k.o * kAtomicWeightO + k.h * kAtomicWeightH +
         k.c * kAtomicWeightC + k.n * kAtomicWeightN + k.s * kAtomicWeightS +
         k.cl * kAtomicWeightCl + k.water * water;
}

// Solubilities: project physiology review, s6; primary source not identified (cross-checked
// against PMC8122334 table 1).
// clang-format off: one row per form, wrapped by hand
const std::vector<Form> kForms = {
    {"oxide", "magnesium oxide", "MgO", {1, 1, 0, 0, 0, 0, 0, 0}, DissolutionClass::kOxide,
     false, 0.010, "moderate",
     "Firoz & Graber 2001 (4% absorbed); Lindberg 1990 (virtually insoluble in water, 43% at peak "
     "acid); Kappeler 2017 (less urinary Mg than citrate)",
     "human kinetics",
     {}},
    {"hydroxide", "magnesium hydroxide", "Mg(OH)2", {1, 2, 2, 0, 0, 0, 0, 0},
     DissolutionClass::kHydroxide, false, 0.00069, "moderate",
     "Dolberg 2017: F 14.9% (8.3-26.8) vs IV MgSO4, 10 healthy men", "human kinetics", {}},
    {"carbonate", "magnesium carbonate", "MgCO3", {1, 3, 0, 1, 0, 0, 0, 0},
     DissolutionClass::kHydroxide, false, 0.18, "low",
     "no human PK found; treated as an acid-dependent basic salt like Mg(OH)2", "none", {}},
    {"chloride", "magnesium chloride hexahydrate", "MgCl2·6H2O", {1, 0, 0, 0, 0, 0, 2, 6},
     DissolutionClass::kSoluble, false, 54.0, "moderate",
     "Firoz & Graber 2001: absorption higher than oxide and equivalent to lactate/aspartate",
     "human comparison", {}},
    {"sulfate", "magnesium sulfate heptahydrate (Epsom salt)", "MgSO4·7H2O",
     {1, 4, 0, 0, 0, 1, 0, 7}, DissolutionClass::kSoluble, false, 35.7, "moderate",
     "freely soluble; oral PK only from laxative studies", "human comparison", {}},
    {"citrate", "trimagnesium dicitrate (anhydrous)", "Mg3(C6H5O7)2", {3, 14, 10, 12, 0, 0, 0, 0},
     DissolutionClass::kSoluble, false, kNoData, "moderate",
     "Lindberg 1990 (55% soluble in water); Kappeler 2017 and Walker 2003 (more bioavailable "
     "than oxide); Wilimzig 1996 (oral vs IV)",
     "human kinetics",
     {}},
    {"glycinate", "magnesium bisglycinate", "Mg(C2H4NO2)2", {1, 4, 8, 4, 2, 0, 0, 0},
     DissolutionClass::kSoluble, true, 1.36, "low",
     "Schuette 1994 (26Mg, ileal resection: 23.5% vs oxide 22.8%, earlier peak); no healthy-"
     "adult PK; intact-chelate route is an interpretation",
     "human kinetics",
     {}},
    {"buffered_glycinate", "buffered magnesium glycinate (bisglycinate + oxide, 1:1 by Mg)",
     "Mg(C2H4NO2)2 + MgO", {}, DissolutionClass::kSoluble, true, kNoData, "low",
     "no primary source found on blend ratios; 1:1 by elemental Mg assumed",
     "none",
     {{"glycinate", 0.5}, {"oxide", 0.5}}},
    {"malate", "magnesium malate trihydrate", "MgC4H4O5·3H2O", {1, 5, 4, 4, 0, 0, 0, 3},
     DissolutionClass::kSoluble, false, kNoData, "low",
     "no human PK; rats: highest AUC of 5 salts (Uysal 2019)", "animal only", {}},
    {"threonate", "magnesium L-threonate", "Mg(C4H7O5)2", {1, 10, 14, 8, 0, 0, 0, 0},
     DissolutionClass::kSoluble, false, kNoData, "low",
     "no human PK; rats: raises CSF Mg (Slutsky 2010)", "animal only", {}},
    {"lactate", "magnesium lactate dihydrate", "Mg(C3H5O3)2·2H2O", {1, 6, 10, 6, 0, 0, 0, 2},
     DissolutionClass::kSoluble, false, kNoData, "moderate",
     "Firoz & Graber 2001: equivalent to chloride, higher than oxide", "human comparison", {}},
    {"aspartate", "magnesium L-aspartate dihydrate", "Mg(C4H6NO4)2·2H2O",
     {1, 8, 12, 8, 2, 0, 0, 2}, DissolutionClass::kSoluble, false, 4.0, "moderate",
     "Firoz & Graber 2001: equivalent to chloride, higher than oxide", "human comparison", {}},
    {"taurate", "magnesium taurate", "Mg(C2H6NO3S)2", {1, 6, 12, 4, 2, 2, 0, 0},
     DissolutionClass::kSoluble, false, kNoData, "low",
     "no human PK; rats: acetyl taurate high AUC and brain levels (Uysal 2019)", "animal only", {}},
    {"orotate", "magnesium orotate dihydrate", "Mg(C5H3N2O4)2·2H2O", {1, 8, 6, 10, 4, 0, 0, 2},
     DissolutionClass::kSoluble, false, kNoData, "low", "no human PK found", "none", {}},
    {"gluconate", "magnesium gluconate (anhydrous)", "Mg(C6H11O7)2", {1, 14, 22, 12, 0, 0, 0, 0},
     DissolutionClass::kSoluble, false, kNoData, "low",
     "no human PK; Mg-depleted rats: highest absorption of 10 salts (Coudray 2005)",
     "animal only", {}},
    {"solution", "dissolved magnesium (mineral water, solution)", "Mg2+ (aq)",
     {1, 0, 0, 0, 0, 0, 0, 0}, DissolutionClass::kDissolved, false, kNoData, "high",
     "Sabatier 2002/2003 (mineral water, 26Mg isotopes); Fine 1991 (Mg acetate solution)",
     "human kinetics", {}},
};
// clang-format on

}  // namespace

double Form::molar_mass_g_per_mol_mg() const {
  if (is_blend()) {
    double grams_per_mol_mg = 0.0;
    for (const auto& part : components) {
      grams_per_mol_mg += part.elemental_share * find_form(part.form_id).molar_mass_g_per_mol_mg();
    }
    return grams_per_mol_mg;
  }
  return composition_molar_mass(composition) / composition.mg;
}

double Form::elemental_fraction() const {
  if (dissolution == DissolutionClass::kDissolved) return 1.0;  // doses are elemental Mg
  return units::kAtomicWeightMg / molar_mass_g_per_mol_mg();
}

const std::vector<Form>& form_catalogue() { return kForms; }

std::vector<std::string> form_ids() {
  std::vector<std::string> ids;
  for (const auto& form : kForms) ids.push_back(form.id);
  return ids;
}

const Form& find_form(std::string_view id) {
  for (const auto& form : kForms) {
    if (form.id == id) return form;
  }
  std::string message = "unknown form '" + std::string(id) + "'; did you mean: ";
  const auto close = closest_names(id, form_ids());
  for (std::size_t i = 0; i < close.size(); ++i) message += (i ? ", " : "") + close[i];
  throw std::invalid_argument(message + "?");
}

double dissolution_rate_per_h(const Form& form, const Physiology& physiology) {
  switch (form.dissolution) {
    case DissolutionClass::kDissolved: return std::numeric_limits<double>::infinity();
    case DissolutionClass::kSoluble: return physiology.dissolution_soluble_per_h;
    case DissolutionClass::kOxide: return physiology.dissolution_oxide_per_h;
    case DissolutionClass::kHydroxide: return physiology.dissolution_hydroxide_per_h;
  }
  throw std::logic_error("unhandled dissolution class");
}

}  // namespace magpk

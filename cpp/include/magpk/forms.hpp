// The catalogue of supplement forms: chemistry (elemental fraction computed
// from formula and hydrate), dissolution behavior, absorption modifiers and
// the evidence behind each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "magpk/physiology.hpp"

namespace magpk {

// How a pure form reaches the dissolved pool of the small intestine.
enum class DissolutionClass {
  kDissolved,  // already in solution (mineral water, solutions): enters the lumen at once
  kSoluble,    // soluble salt: released at dissolution_soluble_per_h
  kOxide,      // MgO: acid-dependent, dissolution_oxide_per_h
  kHydroxide,  // Mg(OH)2 and MgCO3: acid-dependent, dissolution_hydroxide_per_h
};

// Element counts of one formula unit (hydrate water counted separately).
struct Composition {
  int mg = 0, o = 0, h = 0, c = 0, n = 0, s = 0, cl = 0;
  int water = 0;
};

// A blend (e.g. buffered glycinate) is made of pure components, each carrying a
// share of the blend's elemental Mg.
struct FormComponent {
  std::string form_id;
  double elemental_share;
};

struct Form {
  std::string id;
  std::string name;
  std::string formula;  // as stated, including hydrate water
  Composition composition;
  DissolutionClass dissolution;
  bool chelate;                   // carries the intact-chelate (dipeptide) route
  double solubility_g_per_100ml;  // NaN when not reported
  std::string confidence;         // "high", "moderate", "low"
  std::string evidence;           // human/animal evidence behind the form's behavior
  // What the form's modeled kinetics rest on: "human kinetics" (absorption or
  // serum/urine PK of this form in humans), "human comparison" (ranked against
  // other forms in humans, no kinetics), "animal only", "none".
  std::string evidence_grade;
  std::vector<FormComponent> components;  // empty for a pure form

  // Molar mass of the stated compound (g/mol); for a blend, grams of blend per
  // mol of Mg.
  double molar_mass_g_per_mol_mg() const;
  // Mass fraction of elemental Mg in the stated compound (0-1).
  double elemental_fraction() const;
  bool is_blend() const { return !components.empty(); }
};

// All forms, in a fixed order.
const std::vector<Form>& form_catalogue();
// Look-up by id; throws std::invalid_argument suggesting the closest ids.
const Form& find_form(std::string_view id);
std::vector<std::string> form_ids();

// First-order dissolution rate (1/h) of a pure form; +infinity for kDissolved.
double dissolution_rate_per_h(const Form& form, const Physiology& physiology);

}  // namespace magpk

#include <pybind11/stl.h>

#include "magpk/forms.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace {

const char* dissolution_name(magpk::DissolutionClass c) {
  switch (c) {
    case magpk::DissolutionClass::kDissolved: return "dissolved";
    case magpk::DissolutionClass::kSoluble: return "soluble";
    case magpk::DissolutionClass::kOxide: return "oxide (acid-dependent)";
    case magpk::DissolutionClass::kHydroxide: return "hydroxide (acid-dependent)";
  }
  return "";
}

}  // namespace

void register_forms(py::module_& m) {
  m.def(
      "form_catalogue",
      [] {
        py::list rows;
        for (const auto& f : magpk::form_catalogue()) {
          py::list components;
          for (const auto& c : f.components)
            components.append(py::make_tuple(c.form_id, c.elemental_share));
          py::dict row;
          row["id"] = f.id;
          row["name"] = f.name;
          row["formula"] = f.formula;
          row["molar_mass_g_per_mol_mg"] = f.molar_mass_g_per_mol_mg();
          row["elemental_fraction"] = f.elemental_fraction();
          row["dissolution"] = f.is_blend() ? "blend" : dissolution_name(f.dissolution);
          row["chelate_route"] = f.chelate;
          row["solubility_g_per_100ml"] = f.solubility_g_per_100ml;
          row["confidence"] = f.confidence;
          row["evidence"] = f.evidence;
          row["evidence_grade"] = f.evidence_grade;
          row["components"] = components;
          rows.append(row);
        }
        return rows;
      },
      "The supplement-form catalogue as a list of dicts.");
  m.def("form_ids", &magpk::form_ids);
}

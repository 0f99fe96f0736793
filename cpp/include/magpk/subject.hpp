// A subject's covariates and the per-subject parameters derived from them
// through documented relations (docs/model.md, "Covariates").
#pragma once

#include "magpk/physiology.hpp"

namespace magpk {

enum class Sex { kFemale, kMale };
enum class Diuretic { kNone, kLoop, kThiazide };

struct Covariates {
  double weight_kg = 70.0;
  double age_years = 40.0;
  double height_cm = 0.0;  // <= 0: the sex-specific default height
  double egfr_ml_min = 100.0;
  double diet_mg_per_day = 300.0;
  Sex sex = Sex::kFemale;
  bool pregnant = false;
  bool ppi = false;
  Diuretic diuretic = Diuretic::kNone;
};

// Everything the right-hand side needs, in model units (mmol, h, L).
struct SubjectParameters {
  // body
  double ecf_volume_l;
  double height_cm;
  double body_fat_fraction;
  double fat_free_mass_kg;
  double body_mg_mmol;
  // gut
  double si_transit_per_h;
  double si_transit_fed_per_h;
  double fed_state_duration_h;
  double si_vmax_mmol_h;
  double km_mmol;
  double si_paracellular_per_h;
  double chelate_absorption_per_h;
  double chelate_intact_fraction;
  double colon_transit_per_h;
  double colon_vmax_mmol_h;
  double secretion_clearance_l_h;
  // kidney
  double gfr_l_h;
  double ultrafilterable_fraction;
  double tm_mmol_h;
  double renal_splay;
  // stores
  double reference_serum_mmol_l;
  double tissue_reference_mmol;
  double bone_reference_mmol;
  double tissue_exchange_per_h;
  double bone_exchange_per_h;
  double store_uptake_half_serum_mmol_l;
  double store_uptake_hill;
  // parenteral
  double im_absorption_per_h;
  // tolerance
  double laxation_load50_mmol;
  double laxation_log_sd;
  // habitual diet (steady-state start)
  double diet_mmol_h;
};

// Throws std::invalid_argument for covariates outside the model's range.
void validate(const Covariates& covariates);

SubjectParameters derive_subject_parameters(const Covariates& covariates,
                                            const Physiology& physiology);

}  // namespace magpk

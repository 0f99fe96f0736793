// A subject's covariates and the per-subject parameters derived from them
// through documented relations (docs/model.md, "Covariates").
#pragma once

#include <vector>

#include "magpk/physiology.hpp"

namespace magpk {

enum class Sex { kFemale, kMale };
enum class Diuretic { kNone, kLoop, kThiazide };

// One meal of the daily schedule: its clock time and its share of the day's
// dietary Mg. A meal's Mg empties from the stomach into the small intestine at
// a constant rate over the fed period (Physiology::fed_state_duration_h).
struct Meal {
  double clock_h;  // 0 <= clock_h < 24
  double share;    // > 0; the shares of a schedule sum to 1
};

// The default schedule: breakfast 08:00 (20%), lunch 12:30 (35%), dinner 19:30
// (45%). Shares from US energy intake by meal (NHANES 1999-2002: breakfast
// 16.6%, evening 44.2%, snacks 20.8%, AJCN 2006;84:1215; lunch 31%, Ahuja 2005),
// snacks merged into the meals; Mg assumed to follow energy. Clock times are an
// assumption (typical; no source read). See docs/model.md.
const std::vector<Meal>& default_meals();
// Clock time of t = 0 by default: 07:00, an hour before breakfast, so that a
// dose at t = 0 is taken fasting and a dose every 12 h falls before dinner.
inline constexpr double kDefaultStartClockH = 7.0;
// eGFR of the reference adult, mL/min: tubular adaptation acts below it.
inline constexpr double kReferenceEgfrMlMin = 100.0;

struct Covariates {
  double weight_kg = 70.0;
  double age_years = 40.0;
  double height_cm = 0.0;      // <= 0: typical_height_cm
  double egfr_ml_min = 100.0;  // <= 0: typical_egfr_ml_min
  double diet_mg_per_day = 300.0;
  Sex sex = Sex::kFemale;
  bool pregnant = false;
  bool ppi = false;
  Diuretic diuretic = Diuretic::kNone;
  // Dietary Mg arrives as these meals; an empty schedule means a continuous
  // intake (no meals, no fed periods).
  std::vector<Meal> meals = default_meals();
  double start_clock_h = kDefaultStartClockH;  // clock time of t = 0, [0, 24)
};

// Everything the right-hand side needs, in model units (mmol, h, L).
struct SubjectParameters {
  // body
  double ecf_volume_l;
  double peripheral_volume_l;
  double intercompartmental_clearance_l_h;
  double height_cm;
  double body_fat_fraction;
  double fat_free_mass_kg;
  double body_mg_mmol;
  // gut
  double si_transit_per_h;
  double si_transit_fed_per_h;
  double gastric_emptying_fasting_per_h;
  double gastric_emptying_fed_per_h;
  double fed_state_duration_h;
  double si_vmax_mmol_h;  // without drugs (see the *_factor fields)
  double km_mmol;
  double si_paracellular_per_h;
  double chelate_absorption_per_h;
  double chelate_intact_fraction;
  double colon_transit_per_h;
  double colon_vmax_mmol_h;
  double secretion_clearance_l_h;
  double basal_acid_output_mmol_h;
  double fed_acid_output_mmol_h;
  // drug effects, applied while a drug is taken (Subject flags: throughout)
  double ppi_transcellular_factor;
  double ppi_acid_output_factor;
  double loop_tm_factor;
  double thiazide_tm_factor;
  bool ppi_throughout;
  bool loop_throughout;
  bool thiazide_throughout;
  // kidney
  double egfr_ml_min;  // as given, or typical for age and size
  double gfr_l_h;
  double ultrafilterable_fraction;
  double tm_mmol_h;  // without diuretics
  double renal_splay;
  // stores
  double reference_serum_mmol_l;
  double tissue_reference_mmol;  // exchangeable intracellular Mg at the reference serum
  double tissue_bound_mmol;      // intracellular Mg not exchanged within months (constant)
  double bone_reference_mmol;    // bone-surface Mg at the reference serum
  double deep_bone_reference_mmol;
  double tissue_exchange_per_h;
  double bone_exchange_per_h;
  double deep_bone_exchange_per_h;
  double sweat_clearance_l_h;
  double store_uptake_half_serum_mmol_l;
  double store_uptake_hill;
  // parenteral
  double im_absorption_per_h;
  double im_bioavailability;  // share of an IM dose released to plasma; the rest to muscle
  double thiazide_onset_per_h;
  // tolerance
  double laxation_load50_mmol;
  double diarrhea_soluble_feces50_mmol_day;
  double diarrhea_log_sd;
  // habitual diet (steady-state start): daily mean rate and meal schedule
  double diet_mmol_h;
  std::vector<Meal> meals;
  double start_clock_h;
};

// Covariate ranges: children from 1 year and 5 kg (Model 2); adults to 110 y.
inline constexpr double kMinAgeYears = 1.0;
inline constexpr double kAdultAgeYears = 18.0;
inline constexpr double kMinWeightKg = 5.0;
// The other covariate limits validate(Covariates) enforces (the Python layer and
// the CLI read them from the core).
inline constexpr double kMaxAgeYears = 110.0;
inline constexpr double kMinAdultWeightKg = 30.0;
inline constexpr double kMaxWeightKg = 250.0;
inline constexpr double kMinAdultHeightCm = 120.0;
inline constexpr double kMinChildHeightCm = 60.0;
inline constexpr double kMaxHeightCm = 230.0;
inline constexpr double kMaxEgfrMlMin = 250.0;
inline constexpr double kMaxDietMgPerDay = 5000.0;

// The GFR (mL/min) typical for age and size, used when none is given: the adult
// reference (100 mL/min at 70 kg) scaled by (weight/70)^0.75 and, in children,
// by the maturation function of Rhodin 2009 (post-menstrual age = age + 40 weeks).
double typical_egfr_ml_min(double age_years, double weight_kg, const Physiology& physiology);
// The height (cm) used when none is given: the adult mean for the sex; for a
// child, the height that gives a typical BMI for age at this weight.
double typical_height_cm(Sex sex, double age_years, double weight_kg, const Physiology& physiology);

// Throws std::invalid_argument for covariates outside the model's range.
void validate(const Covariates& covariates);
// Throws std::invalid_argument if two meals' fed periods overlap.
void validate_meal_spacing(const std::vector<Meal>& meals, double fed_state_duration_h);

SubjectParameters derive_subject_parameters(const Covariates& covariates,
                                            const Physiology& physiology);

}  // namespace magpk

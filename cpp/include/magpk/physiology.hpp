// Population-level physiological parameters of the magnesium model.
//
// Every parameter is declared once, in the table of physiology.cpp, with its
// value, unit, source and (when calibrated) the data it was calibrated against.
// `default_physiology()` fills the struct from that table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace magpk {

struct Physiology {
  // --- gut ---------------------------------------------------------------
  double si_transit_time_h;
  double fed_transit_time_factor;
  double fed_state_duration_h;
  double gastric_half_emptying_fasting_h;
  double gastric_half_emptying_fed_h;
  double si_vmax_mmol_h;
  double si_km_mmol;
  double si_paracellular_per_h;
  double colon_transit_time_h;
  double colon_vmax_mmol_h;
  double dissolution_soluble_per_h;
  double dissolution_oxide_per_h;
  double dissolution_hydroxide_per_h;
  double basal_acid_output_mmol_h;
  double fed_acid_output_mmol_h;
  double ppi_acid_output_factor;
  double chelate_intact_fraction;
  double upper_gi_secretion_l_per_day;
  double upper_gi_secretion_mg_mmol_l;
  double ppi_transcellular_factor;
  // --- plasma and kidney ---------------------------------------------------
  double ecf_volume_l_per_kg;
  double ecf_volume_pregnant_l_per_kg;
  double peripheral_volume_l_per_kg;
  double intercompartmental_clearance_l_h;
  double ultrafilterable_fraction;
  double renal_tm_mmol_per_l_filtrate;
  double renal_splay;
  double loop_diuretic_tm_factor;
  double thiazide_tm_factor;
  double im_absorption_per_h;
  double im_bioavailability;
  double ckd_tm_gfr_exponent;
  double thiazide_onset_half_life_h;
  double reference_serum_mmol_l;
  // --- stores ---------------------------------------------------------------
  double body_mg_mmol_per_kg_ffm;
  double tissue_fraction_of_body_mg;
  double exchangeable_mg_mmol_per_kg;
  double bone_exchangeable_fraction_of_body_mg;
  double tissue_exchange_half_life_h;
  double bone_exchange_half_life_h;
  double deep_bone_fraction_of_body_mg;
  double deep_bone_turnover_per_year;
  double sweat_mg_per_day;
  double store_uptake_half_serum_mmol_l;
  double store_uptake_hill;
  // --- gastrointestinal tolerance -------------------------------------------
  double laxation_load50_mmol;
  double diarrhea_soluble_feces50_mmol_day;
  double diarrhea_log_sd;
  // --- body composition -----------------------------------------------------
  double default_height_male_cm;
  double default_height_female_cm;
  double bodyfat_bmi_coef;
  double bodyfat_age_coef;
  double bodyfat_male_coef;
  double bodyfat_intercept;
  double bodyfat_child_bmi_coef;
  double bodyfat_child_age_coef;
  double bodyfat_child_male_coef;
  double bodyfat_child_intercept;
  double child_bmi_at_1_to_10_years;
  double ecf_volume_newborn_l_per_kg;
  double ecf_maturation_years;
  double gfr_maturation_pma_weeks;
  double gfr_maturation_hill;
};

// What a parameter is, which decides the values it may take (allowed_range()).
// Each row of the parameter table states its kind explicitly.
enum class ParameterKind {
  // A rate, time, amount, volume, concentration, exponent or multiplier that
  // must stay positive: 1e-3 to 1e3 times its table value, both ends included.
  kPositiveScale,
  // A share of a whole, or a multiplier that can only lower (a drug's factor),
  // or renal_splay: in (0, 1].
  kShare,
  // A share that may be exactly 0 (the effect switched off): in [0, 1].
  kFractionMayBeZero,
  // A coefficient of a regression equation (body fat %): any finite value.
  kRegressionCoefficient,
};

// The kind's name in snake case ("positive_scale", "share",
// "fraction_may_be_zero", "regression_coefficient").
const char* parameter_kind_name(ParameterKind kind);

struct ParameterInfo {
  const char* name;
  double Physiology::* member;
  double value;
  const char* unit;
  ParameterKind kind;  // decides the allowed range
  const char* description;
  const char* source;
  // Empty when the value was read from a source; otherwise the data the value
  // was calibrated against (reproduced by calibration/calibrate.py).
  const char* calibrated_against;
};

// The single table of parameters (value, unit, source, calibration).
const std::vector<ParameterInfo>& parameter_table();

// A Physiology filled with the table's values.
Physiology default_physiology();

// The values a parameter may take (validate() enforces them), derived from its
// kind alone: kPositiveScale 1e-3 to 1e3 times the table value (both
// included); kShare (0, 1]; kFractionMayBeZero [0, 1]; kRegressionCoefficient
// any finite value (min -inf, max +inf; validate() rejects non-finite values).
struct AllowedRange {
  double min;
  double max;
  bool min_inclusive;
  const char* rule;  // why, for error messages
};
AllowedRange allowed_range(const ParameterInfo& info);

// Throws std::invalid_argument naming the first parameter outside its allowed
// range (allowed_range(), from the parameter's kind) or not finite, and when
// tissue_fraction_of_body_mg + bone_exchangeable_fraction_of_body_mg >= 1.
void validate(const Physiology& physiology);

// Access by name. Unknown names throw std::invalid_argument naming the closest
// known parameters.
double get_parameter(const Physiology& physiology, std::string_view name);
void set_parameter(Physiology& physiology, std::string_view name, double value);

// Closest names of `candidates` to `query` (edit distance), best first.
std::vector<std::string> closest_names(std::string_view query,
                                       const std::vector<std::string>& candidates,
                                       std::size_t max_count = 3);

}  // namespace magpk

#include "magpk/subject.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "magpk/units.hpp"
#include "number_text.hpp"

namespace magpk {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

}  // namespace

double typical_egfr_ml_min(double age_years, double weight_kg, const Physiology& p) {
  // An adult's GFR is not scaled by size (eGFR is reported per adult body).
  if (age_years >= kAdultAgeYears) return kReferenceEgfrMlMin;
  const double pma_weeks = age_years * 52.18 + 40.0;  // post-menstrual age
  const double x = std::pow(pma_weeks / p.gfr_maturation_pma_weeks, p.gfr_maturation_hill);
  return kReferenceEgfrMlMin * std::pow(weight_kg / 70.0, 0.75) * x / (1.0 + x);
}

double typical_height_cm(Sex sex, double age_years, double weight_kg, const Physiology& p) {
  const double adult = sex == Sex::kMale ? p.default_height_male_cm : p.default_height_female_cm;
  if (age_years >= kAdultAgeYears) return adult;
  // Typical BMI: flat to 10 y, then linear to 22 kg/m2 (a mid adult value) at 18 y.
  const double adult_bmi = 22.0;
  const double bmi =
      age_years <= 10.0 ? p.child_bmi_at_1_to_10_years
                        : p.child_bmi_at_1_to_10_years +
                              (adult_bmi - p.child_bmi_at_1_to_10_years) * (age_years - 10.0) / 8.0;
  return std::min(100.0 * std::sqrt(weight_kg / bmi), 230.0);
}

const std::vector<Meal>& default_meals() {
  static const std::vector<Meal> meals{{8.0, 0.20}, {12.5, 0.35}, {19.5, 0.45}};
  return meals;
}

void validate(const Covariates& c) {
  const bool adult = c.age_years >= kAdultAgeYears;
  require(std::isfinite(c.age_years) && c.age_years >= kMinAgeYears && c.age_years <= kMaxAgeYears,
          "age_years=" + std::to_string(c.age_years) + " outside " + shortest_text(kMinAgeYears) +
              "-" + shortest_text(kMaxAgeYears));
  const double min_weight = adult ? kMinAdultWeightKg : kMinWeightKg;
  require(std::isfinite(c.weight_kg) && c.weight_kg >= min_weight && c.weight_kg <= kMaxWeightKg,
          "weight_kg=" + std::to_string(c.weight_kg) +
              (adult ? " outside the adult range " : " outside ") + shortest_text(min_weight) +
              "-" + shortest_text(kMaxWeightKg) + " kg");
  const double min_height = adult ? kMinAdultHeightCm : kMinChildHeightCm;
  require(std::isfinite(c.height_cm) &&
              (c.height_cm <= 0.0 || (c.height_cm >= min_height && c.height_cm <= kMaxHeightCm)),
          "height_cm=" + std::to_string(c.height_cm) + " outside " + shortest_text(min_height) +
              "-" + shortest_text(kMaxHeightCm) + " cm");
  require(std::isfinite(c.egfr_ml_min) && c.egfr_ml_min <= kMaxEgfrMlMin,
          "egfr_ml_min=" + std::to_string(c.egfr_ml_min) +
              " must be <= " + shortest_text(kMaxEgfrMlMin) + " (or <= 0: typical)");
  require(std::isfinite(c.diet_mg_per_day) && c.diet_mg_per_day > 0.0 &&
              c.diet_mg_per_day <= kMaxDietMgPerDay,
          "diet_mg_per_day=" + std::to_string(c.diet_mg_per_day) + " must be in (0, " +
              shortest_text(kMaxDietMgPerDay) + "]");
  // A C++ caller can cast any integer to an enum: only the listed values are valid.
  require(c.sex == Sex::kFemale || c.sex == Sex::kMale,
          "sex: unknown value (enum value " + std::to_string(static_cast<int>(c.sex)) + ")");
  require(
      c.diuretic == Diuretic::kNone || c.diuretic == Diuretic::kLoop ||
          c.diuretic == Diuretic::kThiazide,
      "diuretic: unknown value (enum value " + std::to_string(static_cast<int>(c.diuretic)) + ")");
  require(!(c.pregnant && c.sex == Sex::kMale), "pregnant=True requires sex='female'");
  require(std::isfinite(c.start_clock_h) && c.start_clock_h >= 0.0 && c.start_clock_h < 24.0,
          "start_clock_h=" + std::to_string(c.start_clock_h) + " must be in [0, 24)");
  double share_sum = 0.0;
  for (std::size_t i = 0; i < c.meals.size(); ++i) {
    const Meal& meal = c.meals[i];
    require(std::isfinite(meal.clock_h) && meal.clock_h >= 0.0 && meal.clock_h < 24.0,
            "meals: clock time " + std::to_string(meal.clock_h) + " must be in [0, 24)");
    require(std::isfinite(meal.share) && meal.share > 0.0 && meal.share <= 1.0,
            "meals: share " + std::to_string(meal.share) + " must be in (0, 1]");
    share_sum += meal.share;
  }
  require(c.meals.empty() || std::abs(share_sum - 1.0) < 1e-9,
          "meals: shares sum to " + std::to_string(share_sum) + "; they must sum to 1");
}

void validate_meal_spacing(const std::vector<Meal>& meals, double fed_state_duration_h) {
  // Meals may not overlap: each one's fed period must end before the next starts.
  std::vector<double> clocks;
  for (const Meal& meal : meals) clocks.push_back(meal.clock_h);
  std::sort(clocks.begin(), clocks.end());
  for (std::size_t i = 0; i < clocks.size(); ++i) {
    const double next = i + 1 < clocks.size() ? clocks[i + 1] : clocks.front() + 24.0;
    require(next - clocks[i] >= fed_state_duration_h,
            "meals at " + std::to_string(clocks[i]) + " h and " +
                std::to_string(std::fmod(next, 24.0)) + " h overlap: meals must be at least " +
                std::to_string(fed_state_duration_h) + " h apart (the fed period of a meal)");
  }
}

namespace {

// Body composition: Deurenberg 1991 body-fat equations from BMI, age and sex
// (the children's equation below 18 y); fat-free mass and total body Mg.
void derive_body_composition(const Covariates& c, const Physiology& p, SubjectParameters& s) {
  const bool male = c.sex == Sex::kMale;
  const bool child = c.age_years < kAdultAgeYears;
  s.height_cm =
      c.height_cm > 0.0 ? c.height_cm : typical_height_cm(c.sex, c.age_years, c.weight_kg, p);
  const double height_m = s.height_cm / 100.0;
  const double bmi = c.weight_kg / (height_m * height_m);
  const double fat_percent =
      child ? p.bodyfat_child_bmi_coef * bmi - p.bodyfat_child_age_coef * c.age_years -
                  p.bodyfat_child_male_coef * (male ? 1.0 : 0.0) + p.bodyfat_child_intercept
            : p.bodyfat_bmi_coef * bmi + p.bodyfat_age_coef * c.age_years -
                  p.bodyfat_male_coef * (male ? 1.0 : 0.0) - p.bodyfat_intercept;
  // Deurenberg's equation is a regression: at the edges of the allowed covariates
  // (e.g. 30 kg at 230 cm) it can give negative or implausible fat. The bounds
  // only keep fat-free mass physical there; they are not from a source and do
  // not act on typical adults (docs/model.md, section 4).
  s.body_fat_fraction = std::min(std::max(fat_percent, 5.0), 60.0) / 100.0;
  s.fat_free_mass_kg = c.weight_kg * (1.0 - s.body_fat_fraction);
  s.body_mg_mmol = p.body_mg_mmol_per_kg_ffm * s.fat_free_mass_kg;
}

// Distribution volumes and the intercompartmental clearance.
void derive_volumes(const Covariates& c, const Physiology& p, SubjectParameters& s) {
  const bool child = c.age_years < kAdultAgeYears;
  // ECF per kg falls from the newborn value towards the adult one in childhood.
  const double adult_ecf = c.pregnant ? p.ecf_volume_pregnant_l_per_kg : p.ecf_volume_l_per_kg;
  const double ecf_per_kg =
      child ? adult_ecf + (p.ecf_volume_newborn_l_per_kg - p.ecf_volume_l_per_kg) *
                              std::exp(-c.age_years / p.ecf_maturation_years)
            : adult_ecf;
  s.ecf_volume_l = c.weight_kg * ecf_per_kg;
  s.peripheral_volume_l = c.weight_kg * p.peripheral_volume_l_per_kg;
  // Allometric scaling of a clearance on weight (exponent 0.75), reference 70 kg.
  s.intercompartmental_clearance_l_h =
      p.intercompartmental_clearance_l_h * std::pow(c.weight_kg / 70.0, 0.75);
}

// Gut: transit, gastric emptying and acid, absorption routes and secretions.
void derive_gut(const Physiology& p, SubjectParameters& s) {
  s.si_transit_per_h = 1.0 / p.si_transit_time_h;
  s.si_transit_fed_per_h = 1.0 / (p.si_transit_time_h * p.fed_transit_time_factor);
  s.fed_state_duration_h = p.fed_state_duration_h;
  s.gastric_emptying_fasting_per_h = std::log(2.0) / p.gastric_half_emptying_fasting_h;
  s.gastric_emptying_fed_per_h = std::log(2.0) / p.gastric_half_emptying_fed_h;
  s.si_vmax_mmol_h = p.si_vmax_mmol_h;
  s.colon_vmax_mmol_h = p.colon_vmax_mmol_h;
  s.basal_acid_output_mmol_h = p.basal_acid_output_mmol_h;
  s.fed_acid_output_mmol_h = p.fed_acid_output_mmol_h;
  s.km_mmol = p.si_km_mmol;
  s.si_paracellular_per_h = p.si_paracellular_per_h;
  // The intact chelate crosses at the unsaturated first-order rate of the
  // transcellular route (Vmax/Km), without competing for it and without PPI effect.
  s.chelate_absorption_per_h = p.si_vmax_mmol_h / p.si_km_mmol;
  s.chelate_intact_fraction = p.chelate_intact_fraction;
  s.colon_transit_per_h = 1.0 / p.colon_transit_time_h;
  // Secretions carry Mg at a concentration proportional to serum.
  s.secretion_clearance_l_h = p.upper_gi_secretion_l_per_day / units::kHoursPerDay *
                              p.upper_gi_secretion_mg_mmol_l / p.reference_serum_mmol_l;
}

// Drug effects, applied while a drug is taken (the covariates' drugs: throughout).
void derive_drug_effects(const Covariates& c, const Physiology& p, SubjectParameters& s) {
  s.ppi_transcellular_factor = p.ppi_transcellular_factor;
  s.ppi_acid_output_factor = p.ppi_acid_output_factor;
  s.loop_tm_factor = p.loop_diuretic_tm_factor;
  s.thiazide_tm_factor = p.thiazide_tm_factor;
  s.ppi_throughout = c.ppi;
  s.loop_throughout = c.diuretic == Diuretic::kLoop;
  s.thiazide_throughout = c.diuretic == Diuretic::kThiazide;
}

// Kidney: GFR, filtration and the tubular maximum of reabsorption.
void derive_kidney(const Covariates& c, const Physiology& p, SubjectParameters& s) {
  const bool child = c.age_years < kAdultAgeYears;
  s.egfr_ml_min =
      c.egfr_ml_min > 0.0 ? c.egfr_ml_min : typical_egfr_ml_min(c.age_years, c.weight_kg, p);
  s.gfr_l_h = s.egfr_ml_min * units::kLiterPerHourPerMlPerMin;
  s.ultrafilterable_fraction = p.ultrafilterable_fraction;
  // Tubular adaptation in CKD: below the reference GFR (100 mL/min) the remaining
  // nephrons reabsorb less per liter of filtrate, so fractional excretion rises
  // as GFR falls (exponent calibrated: serum near normal down to ~30 mL/min).
  // (Children: relative to the typical GFR for their age and size.)
  const double typical_gfr =
      child ? typical_egfr_ml_min(c.age_years, c.weight_kg, p) : kReferenceEgfrMlMin;
  const double gfr_ratio = std::min(s.egfr_ml_min / typical_gfr, 1.0);
  s.tm_mmol_h =
      p.renal_tm_mmol_per_l_filtrate * s.gfr_l_h * std::pow(gfr_ratio, p.ckd_tm_gfr_exponent);
  s.renal_splay = p.renal_splay;
}

// Stores: intracellular and bone Mg at the reference serum, their exchange
// rates, sweat losses and store uptake. Needs the body composition and volumes.
void derive_stores(const Covariates& c, const Physiology& p, SubjectParameters& s) {
  s.reference_serum_mmol_l = p.reference_serum_mmol_l;
  // Intracellular Mg: a fast peripheral part, an exchangeable part (Avioli 1966:
  // exchangeable Mg per kg, less ECF and peripheral) and a bound remainder.
  const double ecf_and_fast = (s.ecf_volume_l + s.peripheral_volume_l) * p.reference_serum_mmol_l;
  const double tissue_total = p.tissue_fraction_of_body_mg * s.body_mg_mmol;
  const double fast = s.peripheral_volume_l * p.reference_serum_mmol_l;
  if (!(fast < tissue_total)) {
    throw std::invalid_argument(
        "peripheral_volume_l_per_kg " + std::to_string(p.peripheral_volume_l_per_kg) +
        " puts more Mg in the fast peripheral pool (" + std::to_string(fast) +
        " mmol) than the intracellular total (" + std::to_string(tissue_total) +
        " mmol, tissue_fraction_of_body_mg): allowed only below that");
  }
  s.tissue_reference_mmol =
      std::min(std::max(p.exchangeable_mg_mmol_per_kg * c.weight_kg - ecf_and_fast, 0.0),
               tissue_total - fast);
  s.tissue_bound_mmol = std::max(tissue_total - fast - s.tissue_reference_mmol, 0.0);
  s.bone_reference_mmol = p.bone_exchangeable_fraction_of_body_mg * s.body_mg_mmol;
  s.deep_bone_reference_mmol = p.deep_bone_fraction_of_body_mg * s.body_mg_mmol;
  s.tissue_exchange_per_h = std::log(2.0) / p.tissue_exchange_half_life_h;
  s.bone_exchange_per_h = std::log(2.0) / p.bone_exchange_half_life_h;
  s.deep_bone_exchange_per_h = p.deep_bone_turnover_per_year / (365.25 * units::kHoursPerDay);
  s.sweat_clearance_l_h =
      units::mg_per_day_to_mmol_per_h(p.sweat_mg_per_day) / p.reference_serum_mmol_l;
  s.store_uptake_half_serum_mmol_l = p.store_uptake_half_serum_mmol_l;
  s.store_uptake_hill = p.store_uptake_hill;
}

}  // namespace

SubjectParameters derive_subject_parameters(const Covariates& c, const Physiology& p) {
  validate(c);
  validate(p);
  validate_meal_spacing(c.meals, p.fed_state_duration_h);
  SubjectParameters s{};
  derive_body_composition(c, p, s);
  derive_volumes(c, p, s);
  derive_gut(p, s);
  derive_drug_effects(c, p, s);
  derive_kidney(c, p, s);
  derive_stores(c, p, s);
  // Parenteral doses and the thiazide's onset.
  s.im_absorption_per_h = p.im_absorption_per_h;
  s.im_bioavailability = p.im_bioavailability;
  s.thiazide_onset_per_h = std::log(2.0) / p.thiazide_onset_half_life_h;
  // Tolerance.
  s.laxation_load50_mmol = p.laxation_load50_mmol;
  s.diarrhea_soluble_feces50_mmol_day = p.diarrhea_soluble_feces50_mmol_day;
  s.diarrhea_log_sd = p.diarrhea_log_sd;
  // Habitual diet (the steady-state start): daily mean rate and meal schedule.
  s.diet_mmol_h = units::mg_per_day_to_mmol_per_h(c.diet_mg_per_day);
  s.meals = c.meals;
  s.start_clock_h = c.start_clock_h;
  return s;
}

}  // namespace magpk

#include "magpk/physiology.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "number_text.hpp"

namespace magpk {
namespace {

constexpr const char* kNotCalibrated = "";

// The kinds, short for the table's rows.
constexpr ParameterKind kPositiveScale = ParameterKind::kPositiveScale;
constexpr ParameterKind kShare = ParameterKind::kShare;
constexpr ParameterKind kFractionMayBeZero = ParameterKind::kFractionMayBeZero;
constexpr ParameterKind kRegressionCoefficient = ParameterKind::kRegressionCoefficient;

// Sources are abbreviated; the full references (with URLs) are listed in
// docs/model.md, section 13 "References".
// clang-format off: one entry per parameter, wrapped by hand
const std::vector<ParameterInfo> kTable = {
    // ---------------------------------------------------------------- gut
    {"si_transit_time_h", &Physiology::si_transit_time_h, 3.31, "h", kPositiveScale,
     "mean small-intestinal transit time (first-order transit rate = 1/this)",
     "video-capsule SBTT median 198.5 min, 71 healthy fasting adults (O'Grady 2020 Endosc Int Open 8:E396)",
     kNotCalibrated},
    {"fed_transit_time_factor", &Physiology::fed_transit_time_factor, 1.0, "-", kPositiveScale,
     "small-intestinal residence time multiplier in the fed state",
     "assumption: no fed-state change of small-intestinal transit (the capsule transit time is "
     "from fasting subjects; the meal effect on Mg absorption is carried by gastric emptying)",
     kNotCalibrated},
    {"fed_state_duration_h", &Physiology::fed_state_duration_h, 3.5, "h", kPositiveScale,
     "duration of the fed state after a meal (or a dose taken with food); a meal's Mg empties "
     "into the small intestine at a constant rate over it",
     "gastric emptying 2-5 h, wireless motility capsule normal range (Lee 2014 J Neurogastroenterol "
     "Motil 20:265), midpoint",
     kNotCalibrated},
    {"gastric_half_emptying_fasting_h", &Physiology::gastric_half_emptying_fasting_h, 0.25, "h",
     kPositiveScale,
     "half-emptying time of dissolved supplement Mg from a fasting stomach (first order)",
     "assumption: non-nutrient liquids empty from the fasting stomach with a half-time of "
     "~10-20 min (textbook gastric physiology); low confidence",
     kNotCalibrated},
    {"gastric_half_emptying_fed_h", &Physiology::gastric_half_emptying_fed_h, 1.4821, "h",
     kPositiveScale,
     "half-emptying time of dissolved supplement Mg taken with a meal (it empties with the meal)",
     "calibration", "Sabatier 2002: mineral water alone 45.7% vs with a meal 52.3% absorbed"},
    {"si_vmax_mmol_h", &Physiology::si_vmax_mmol_h, 0.57296, "mmol/h", kPositiveScale,
     "maximal transcellular (saturable, TRPM6/7) absorption rate, small intestine",
     "calibration",
     "Fine 1991 (65% -> 11% absorbed, linear 7%); Sabatier 2003 (0.48 of 70 mg); "
     "Schuchardt & Hahn 2017 (80% of absorption complete at 6 h)"},
    {"si_km_mmol", &Physiology::si_km_mmol, 0.87194, "mmol", kPositiveScale,
     "luminal Mg amount at half-maximal transcellular absorption (small intestine and colon)",
     "calibration", "as si_vmax_mmol_h"},
    {"si_paracellular_per_h", &Physiology::si_paracellular_per_h, 0.001011, "1/h", kPositiveScale,
     "first-order paracellular absorption rate, small intestine",
     "calibration", "Fine 1991: linear component absorbs 7% of intake (marginal absorption "
     "between 20 and 40 mmol), with the targets of si_vmax_mmol_h"},
    {"colon_transit_time_h", &Physiology::colon_transit_time_h, 22.4, "h", kPositiveScale,
     "mean colonic transit time without laxation",
     "capsule CTT study means 15.9-28.9 h, 1,885 volunteers (capsule transit-time review, PMC10455695), midpoint",
     kNotCalibrated},
    {"colon_vmax_mmol_h", &Physiology::colon_vmax_mmol_h, 0.034647, "mmol/h", kPositiveScale,
     "maximal transcellular absorption rate, colon",
     "calibration", "as si_vmax_mmol_h"},
    {"dissolution_soluble_per_h", &Physiology::dissolution_soluble_per_h, 2.0, "1/h",
     kPositiveScale,
     "release/dissolution rate of soluble salts in the stomach (tablet disintegration and "
     "dissolution)",
     "assumption consistent with absorption starting ~1 h after intake (Schuchardt & Hahn 2017); "
     "low confidence",
     kNotCalibrated},
    {"dissolution_oxide_per_h", &Physiology::dissolution_oxide_per_h, 0.077638, "1/h",
     kPositiveScale,
     "intrinsic dissolution rate of MgO with acid in excess; the rate is limited by gastric acid "
     "(2 mmol H+ per mmol Mg): J = k S a / (a + k S), a = acid output / 2",
     "calibration", "Firoz & Graber 2001: MgO ~4% absorbed at ~10.5 mmol/day"},
    {"dissolution_hydroxide_per_h", &Physiology::dissolution_hydroxide_per_h, 2, "1/h",
     kPositiveScale,
     "intrinsic dissolution rate of Mg(OH)2 (also MgCO3, no human data), acid-limited as MgO",
     "calibration", "Dolberg 2017: Mg(OH)2 F = 14.9% vs IV MgSO4"},
    {"basal_acid_output_mmol_h", &Physiology::basal_acid_output_mmol_h, 2.0, "mmol H+/h",
     kPositiveScale, "gastric acid output between meals (basal acid output, BAO)",
     "reference BAO 0-10.5 (men) and 0-5.6 (women) mmol/h (Davis's laboratory manual); "
     "a low-normal value: assumption within that range",
     kNotCalibrated},
    {"fed_acid_output_mmol_h", &Physiology::fed_acid_output_mmol_h, 15.0, "mmol H+/h",
     kPositiveScale,
     "gastric acid output in the fed state (meal-stimulated, ~60-70% of peak acid output)",
     "meal-stimulated acid output 15.8 +/- 1.7 mmol/h in 10 controls (Gut 1983;24:1126)",
     kNotCalibrated},
    {"ppi_acid_output_factor", &Physiology::ppi_acid_output_factor, 0.1, "-", kShare,
     "multiplier on gastric acid output during proton-pump inhibitor use",
     "omeprazole 20 mg/day: basal acid output -90% (McLauchlan 1988 Aliment Pharmacol Ther "
     "2:263); 24-h intragastric acidity -97% (J Gastroenterol Hepatol 1989;4 Suppl 2:19)",
     kNotCalibrated},
    {"chelate_intact_fraction", &Physiology::chelate_intact_fraction, 0.01, "-", kFractionMayBeZero,
     "share of dissolving bisglycinate that stays an intact chelate in the lumen, absorbed there at "
     "the unsaturated transcellular rate (Vmax/Km) by a non-competing dipeptide route; what "
     "reaches the colon is ordinary supplement Mg",
     "bounded by Walker 2003 (citrate >= amino-acid chelate by urinary Mg, 46 adults, 300 mg/day): "
     "0.01 keeps glycinate within 5% of citrate at 50-500 mg (0.1 gave 1.1-1.4x); Schuette 1994 "
     "(earlier peak in ileal resection) suggests the route exists; low confidence",
     kNotCalibrated},
    {"upper_gi_secretion_l_per_day", &Physiology::upper_gi_secretion_l_per_day, 6.6, "L/day",
     kPositiveScale,
     "upper-GI secretion volume (saliva 1.5 + gastric 2.0 + bile 0.6 + pancreatic 2.5 L/day)",
     "Deranged Physiology, composition and volumes of GI secretions (textbook values)",
     kNotCalibrated},
    {"upper_gi_secretion_mg_mmol_l", &Physiology::upper_gi_secretion_mg_mmol_l, 0.5, "mmol/L",
     kPositiveScale, "Mg concentration of upper-GI secretions at the reference serum concentration",
     "~1 mEq/L in upper-GI secretions (textbook figure read on a mirror site, secondary; "
     "primary source not identified)", kNotCalibrated},
    {"ppi_transcellular_factor", &Physiology::ppi_transcellular_factor, 0.8726, "-", kShare,
     "multiplier on transcellular (saturable) absorption during proton-pump inhibitor use",
     "calibration", "Kieboom 2015: serum -0.011 mmol/L in PPI users (Rotterdam Study)"},
    // ------------------------------------------------------ plasma, kidney
    {"ecf_volume_l_per_kg", &Physiology::ecf_volume_l_per_kg, 0.20, "L/kg", kPositiveScale,
     "extracellular fluid volume: the central compartment (serum = amount / volume)",
     "ECF ~20% of body weight in adults (bromide/sucrose space; textbook physiology)",
     kNotCalibrated},
    {"ecf_volume_pregnant_l_per_kg", &Physiology::ecf_volume_pregnant_l_per_kg, 0.26, "L/kg",
     kPositiveScale, "as ecf_volume_l_per_kg, in late pregnancy",
     "assumption: ECF ~30% larger per kg in late pregnancy (plasma volume +40-50% and "
     "interstitial expansion); low confidence",
     kNotCalibrated},
    {"peripheral_volume_l_per_kg", &Physiology::peripheral_volume_l_per_kg, 0.40531, "L/kg",
     kPositiveScale,
     "apparent volume of the fast peripheral pool (rapidly exchangeable cell Mg, amount = "
     "volume x its concentration)",
     "calibration", "Dolberg 2017: IV elimination half-life 8.3 h (V 60.2 L) in healthy men; "
     "Lu 2002 profile (Vc 24, Vp 25 L) in pre-eclampsia"},
    {"intercompartmental_clearance_l_h", &Physiology::intercompartmental_clearance_l_h, 11.829,
     "L/h", kPositiveScale,
     "exchange clearance between ECF and the fast peripheral pool, for 70 kg "
     "(allometric, weight^0.75)",
     "calibration", "Dolberg 2017 IV half-life 8.3 h and the Lu 2002 two-compartment profile "
     "(Q 5.6 L/h, IIV 59%) in pre-eclampsia"},
    {"ultrafilterable_fraction", &Physiology::ultrafilterable_fraction, 0.70, "-", kShare,
     "ultrafilterable (ionized + complexed) fraction of plasma Mg",
     "70-80% (physiology text); ionized 62% + complexed 7% (Boron & Boulpaep)", kNotCalibrated},
    {"renal_tm_mmol_per_l_filtrate", &Physiology::renal_tm_mmol_per_l_filtrate, 0.576,
     "mmol/L GF", kPositiveScale,
     "tubular maximum for Mg reabsorption per liter of glomerular filtrate",
     "Rude 1980: TmMg 1.4 mg/100 mL GF", kNotCalibrated},
    {"renal_splay", &Physiology::renal_splay, 0.99847, "-", kShare,
     "curvature of the titration curve (1 = sharp threshold, 0 = Michaelis-Menten)",
     "calibration", "baseline: serum 0.85 mmol/L (IOM reference 0.75-0.95) for the reference adult"},
    {"loop_diuretic_tm_factor", &Physiology::loop_diuretic_tm_factor, 0.91591, "-", kShare,
     "multiplier on the renal tubular maximum with a loop diuretic (thick ascending limb)",
     "calibration", "Sica review: plasma Mg -5 to -10% on long-term diuretics (midpoint -7.5%)"},
    {"thiazide_tm_factor", &Physiology::thiazide_tm_factor, 0.97597, "-", kShare,
     "multiplier on the renal tubular maximum with a thiazide (distal convoluted tubule)",
     "calibration", "Kieboom 2018: serum -0.018 mmol/L with >= 1 DDD thiazide"},
    {"im_absorption_per_h", &Physiology::im_absorption_per_h, 0.317, "1/h", kPositiveScale,
     "first-order release of an intramuscular MgSO4 depot",
     "Salinger 2013 BJOG 120:894: IM ka 0.317 /h (nlmixr2lib transcription of Table 2)",
     kNotCalibrated},
    {"im_bioavailability", &Physiology::im_bioavailability, 0.862, "-", kShare,
     "share of an IM dose released from the depot to plasma; the rest is taken up by muscle "
     "cells at the site (exchangeable tissue pool), so mass is conserved",
     "Salinger 2013 BJOG 120:894: F_IM 86.2% (population PK, 258 women)", kNotCalibrated},
    {"ckd_tm_gfr_exponent", &Physiology::ckd_tm_gfr_exponent, 0.057236, "-", kPositiveScale,
     "tubular adaptation in CKD: below eGFR 100 mL/min the tubular maximum per liter of filtrate "
     "scales with (eGFR/100)^exponent, so fractional excretion rises as GFR falls",
     "calibration",
     "serum Mg near normal until GFR < ~30 mL/min in CKD (de Baaij 2015 review; Cunningham 2012 "
     "not read): serum 0.90 mmol/L at eGFR 30 for the reference adult"},
    {"thiazide_onset_half_life_h", &Physiology::thiazide_onset_half_life_h, 72.0, "h",
     kPositiveScale,
     "half-time of the onset (and offset) of the thiazide effect on distal reabsorption "
     "(chronic TRPM6 down-regulation, not an acute effect)",
     "assumption: TRPM6 down-regulation develops over days of thiazide treatment (Nijenhuis "
     "2004, rodents; no human time course read); low confidence",
     kNotCalibrated},
    {"reference_serum_mmol_l", &Physiology::reference_serum_mmol_l, 0.85, "mmol/L", kPositiveScale,
     "serum concentration at which stores hold their reference content",
     "IOM 1997 reference interval 0.75-0.95 mmol/L, midpoint", kNotCalibrated},
    // ------------------------------------------------------------- stores
    {"body_mg_mmol_per_kg_ffm", &Physiology::body_mg_mmol_per_kg_ffm, 18.9, "mmol/kg",
     kPositiveScale, "total body Mg per kg fat-free mass",
     "1,000-1,120 mmol in a 70 kg adult with 20% fat (review quoted on an aggregator page, "
     "secondary; primary review not identified), midpoint", kNotCalibrated},
    {"tissue_fraction_of_body_mg", &Physiology::tissue_fraction_of_body_mg, 0.39, "-", kShare,
     "share of body Mg in soft tissue and muscle (intracellular: fast peripheral + exchangeable "
     "+ bound)",
     "bone/muscle/soft tissue 60/20/20% minus ~1% extracellular (Medscape; IOM 1997)",
     kNotCalibrated},
    {"exchangeable_mg_mmol_per_kg", &Physiology::exchangeable_mg_mmol_per_kg, 1.77, "mmol/kg",
     kPositiveScale,
     "Mg exchangeable within days (28Mg): ECF + fast peripheral + exchangeable intracellular; the "
     "rest of the intracellular Mg is bound (not exchanged within months)",
     "Avioli & Berman 1966 J Appl Physiol 21:1688: exchangeable Mg 3.54 mEq/kg (~15% of body Mg), "
     "15 adults",
     kNotCalibrated},
    {"bone_exchangeable_fraction_of_body_mg", &Physiology::bone_exchangeable_fraction_of_body_mg,
     0.20, "-", kShare, "share of body Mg on the exchangeable bone surface",
     "bone 60% of body Mg, one third exchangeable (IOM 1997)", kNotCalibrated},
    {"tissue_exchange_half_life_h", &Physiology::tissue_exchange_half_life_h, 1000.0, "h",
     kPositiveScale, "half-life of Mg turnover in the exchangeable intracellular pool",
     "Avioli & Berman 1966: the slow exchangeable compartment (>80% of exchangeable Mg, "
     "intracellular) has t1/2 ~1,000 (unit cut off on the page; read as h)",
     kNotCalibrated},
    {"bone_exchange_half_life_h", &Physiology::bone_exchange_half_life_h, 2000.0, "h",
     kPositiveScale, "half-life of Mg turnover on the exchangeable bone surface",
     "assumption: bone-surface Mg is drawn down over months of depletion (no rate constant read); "
     "longer than the intracellular exchange (it was not seen within Avioli's 28Mg study)",
     kNotCalibrated},
    {"deep_bone_fraction_of_body_mg", &Physiology::deep_bone_fraction_of_body_mg, 0.40, "-", kShare,
     "share of body Mg in deep (non-surface) bone, exchanged only by remodeling",
     "bone 60% of body Mg, one third exchangeable (IOM 1997): 60% - 20%", kNotCalibrated},
    {"deep_bone_turnover_per_year", &Physiology::deep_bone_turnover_per_year, 0.10, "1/year",
     kPositiveScale, "fraction of deep-bone Mg released (and replaced) by remodeling per year",
     "adult skeletal remodeling ~10% per year (cortical ~4%, trabecular ~25%; textbook bone "
     "physiology); assumption that Mg follows mineral turnover",
     kNotCalibrated},
    {"sweat_mg_per_day", &Physiology::sweat_mg_per_day, 4.0, "mg/day", kPositiveScale,
     "dermal (sweat) Mg loss at the reference serum, proportional to serum",
     "Hunt & Johnson 2006 AJCN 84:843 (USDA-ARS summary): ~4 mg/day in young men",
     kNotCalibrated},
    {"store_uptake_half_serum_mmol_l", &Physiology::store_uptake_half_serum_mmol_l, 1.7313,
     "mmol/L", kPositiveScale,
     "serum concentration at half-maximal uptake into the exchangeable tissue and "
     "bone-surface pools (Hill relation normalized at the reference serum)",
     "calibration",
     "depletion: serum 0.70 mmol/L after 3 weeks Mg-free (falls over weeks, not days); RBC Mg 2/3 "
     "and serum 1/3-1/4 of control after 3 months; Nielsen 2007 stores drawn down on 101 mg/day"},
    {"store_uptake_hill", &Physiology::store_uptake_hill, 3.9263, "-", kPositiveScale,
     "steepness (Hill coefficient) of store uptake vs serum concentration",
     "calibration", "as store_uptake_half_serum_mmol_l"},
    // ------------------------------------------------- GI tolerance
    {"laxation_load50_mmol", &Physiology::laxation_load50_mmol, 16.4, "mmol", kPositiveScale,
     "dissolved supplement Mg in the colon that doubles colonic transit speed (osmotic "
     "laxation; undissolved solid is not osmotic)",
     "Fine 1991 NEJM: each mmol of fecal Mg adds ~7.3 g of stool; a normal stool output of "
     "~128 g/day (Rose 2015 review, median) doubles at 128/7.3 = 17.5 mmol/day, i.e. "
     "17.5 x 22.4/24 = 16.4 mmol in a colon with a 22.4-h transit",
     kNotCalibrated},
    {"diarrhea_soluble_feces50_mmol_day", &Physiology::diarrhea_soluble_feces50_mmol_day, 25.588,
     "mmol/day", kPositiveScale,
     "soluble (dissolved) fecal Mg per 24 h at which half of people have diarrhea",
     "calibration",
     "Bashir 1993 (IOM LOAEL: GI symptoms in 6/21 at 15.8 mmol/day MgCl2) and the IOM 1997 "
     "regimens free of diarrhea (MgO 576 mg/day x 28 d, 400 mg/day x 8 wk); Fine 1991 NEJM "
     "upper normal soluble fecal Mg 14.6 mmol/day"},
    {"diarrhea_log_sd", &Physiology::diarrhea_log_sd, 0.54527, "-", kPositiveScale,
     "between-person SD of the log diarrhea threshold", "calibration",
     "as diarrhea_soluble_feces50_mmol_day"},
    // --------------------------------------------- body composition
    {"default_height_male_cm", &Physiology::default_height_male_cm, 175.4, "cm", kPositiveScale,
     "height used when none is given, men", "Fryar 2021, NHANES 2015-2018 adult mean",
     kNotCalibrated},
    {"default_height_female_cm", &Physiology::default_height_female_cm, 161.3, "cm", kPositiveScale,
     "height used when none is given, women", "Fryar 2021, NHANES 2015-2018 adult mean",
     kNotCalibrated},
    {"bodyfat_bmi_coef", &Physiology::bodyfat_bmi_coef, 1.20, "%/(kg/m2)", kRegressionCoefficient,
     "body fat % per unit BMI", "Deurenberg 1991 Br J Nutr 65:105", kNotCalibrated},
    {"bodyfat_age_coef", &Physiology::bodyfat_age_coef, 0.23, "%/year", kRegressionCoefficient,
     "body fat % per year",
     "Deurenberg 1991", kNotCalibrated},
    {"bodyfat_male_coef", &Physiology::bodyfat_male_coef, 10.8, "%", kRegressionCoefficient,
     "body fat % lower in men",
     "Deurenberg 1991", kNotCalibrated},
    {"bodyfat_intercept", &Physiology::bodyfat_intercept, 5.4, "%", kRegressionCoefficient,
     "subtracted constant",
     "Deurenberg 1991", kNotCalibrated},
    // ------------------------------------------------- children (1-17 years)
    {"bodyfat_child_bmi_coef", &Physiology::bodyfat_child_bmi_coef, 1.51, "%/(kg/m2)",
     kRegressionCoefficient,
     "children: body fat % per unit BMI", "Deurenberg 1991 Br J Nutr 65:105, children's equation",
     kNotCalibrated},
    {"bodyfat_child_age_coef", &Physiology::bodyfat_child_age_coef, 0.70, "%/year",
     kRegressionCoefficient,
     "children: body fat % lower per year of age", "Deurenberg 1991, children's equation",
     kNotCalibrated},
    {"bodyfat_child_male_coef", &Physiology::bodyfat_child_male_coef, 3.6, "%",
     kRegressionCoefficient,
     "children: body fat % lower in boys", "Deurenberg 1991, children's equation", kNotCalibrated},
    {"bodyfat_child_intercept", &Physiology::bodyfat_child_intercept, 1.4, "%",
     kRegressionCoefficient,
     "children: added constant", "Deurenberg 1991, children's equation", kNotCalibrated},
    {"child_bmi_at_1_to_10_years", &Physiology::child_bmi_at_1_to_10_years, 16.5, "kg/m2",
     kPositiveScale,
     "typical BMI of a child aged 1-10 y, used for a default height (rising linearly to the "
     "adult default height's BMI at 18 y)",
     "assumption: near the median of the CDC 2000 BMI-for-age charts (15.5-17.5 at 2-10 y)",
     kNotCalibrated},
    {"ecf_volume_newborn_l_per_kg", &Physiology::ecf_volume_newborn_l_per_kg, 0.331, "L/kg",
     kPositiveScale,
     "extracellular water at birth; the ECF per kg falls from it towards the adult value",
     "Singhi 1995 Indian J Med Res 101:193: ECW 331 +/- 30 mL/kg in term newborns",
     kNotCalibrated},
    {"ecf_maturation_years", &Physiology::ecf_maturation_years, 3.0, "years", kPositiveScale,
     "time constant of the fall of ECF per kg from the newborn to the adult value",
     "assumption: total body water reaches near-adult fractions in early childhood (79% at "
     "birth to 55-60% by age 1, textbook); low confidence",
     kNotCalibrated},
    {"gfr_maturation_pma_weeks", &Physiology::gfr_maturation_pma_weeks, 47.7, "weeks",
     kPositiveScale, "post-menstrual age at half-mature GFR (sigmoid maturation, with weight^0.75)",
     "Rhodin 2009 Pediatr Nephrol 24:67 (GFR maturation, 923 subjects)", kNotCalibrated},
    {"gfr_maturation_hill", &Physiology::gfr_maturation_hill, 3.4, "-", kPositiveScale,
     "Hill coefficient of the GFR maturation function", "Rhodin 2009", kNotCalibrated},
};
// clang-format on

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const ParameterInfo& find_parameter(std::string_view name) {
  for (const auto& info : kTable) {
    if (name == info.name) return info;
  }
  std::vector<std::string> names;
  for (const auto& info : kTable) names.emplace_back(info.name);
  std::string message = "unknown parameter '" + std::string(name) + "'; closest: ";
  const auto close = closest_names(name, names);
  for (std::size_t i = 0; i < close.size(); ++i) message += (i ? ", " : "") + close[i];
  throw std::invalid_argument(message);
}

}  // namespace

const std::vector<ParameterInfo>& parameter_table() { return kTable; }

Physiology default_physiology() {
  Physiology physiology{};
  for (const auto& info : kTable) physiology.*(info.member) = info.value;
  return physiology;
}

const char* parameter_kind_name(ParameterKind kind) {
  switch (kind) {
    case ParameterKind::kPositiveScale: return "positive_scale";
    case ParameterKind::kShare: return "share";
    case ParameterKind::kFractionMayBeZero: return "fraction_may_be_zero";
    case ParameterKind::kRegressionCoefficient: return "regression_coefficient";
  }
  throw std::invalid_argument("unknown ParameterKind " + std::to_string(static_cast<int>(kind)));
}

AllowedRange allowed_range(const ParameterInfo& info) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (info.kind) {
    case ParameterKind::kPositiveScale:
      // Three orders of magnitude either side of the table value: wide enough
      // for sensitivity analysis, narrow enough for a solvable model.
      return {1e-3 * info.value, 1e3 * info.value, true, "1e-3 to 1e3 x the default"};
    case ParameterKind::kShare: return {0.0, 1.0, false, "a share"};
    case ParameterKind::kFractionMayBeZero: return {0.0, 1.0, true, "a fraction that may be 0"};
    case ParameterKind::kRegressionCoefficient:
      return {-kInf, kInf, true, "a regression coefficient"};
  }
  throw std::invalid_argument("parameter '" + std::string(info.name) + "': unknown kind " +
                              std::to_string(static_cast<int>(info.kind)));
}

void validate(const Physiology& physiology) {
  for (const auto& info : kTable) {
    const double value = physiology.*(info.member);
    const AllowedRange range = allowed_range(info);
    auto fail = [&](const std::string& allowed) {
      throw std::invalid_argument("parameter '" + std::string(info.name) +
                                  "'=" + shortest_text(value) + ": allowed " + allowed);
    };
    if (!std::isfinite(value)) fail("finite values");
    const bool above_min = range.min_inclusive ? value >= range.min : value > range.min;
    if (!(above_min && value <= range.max)) {
      fail(std::string(range.min_inclusive ? ">= " : "> ") + shortest_text(range.min) +
           " and <= " + shortest_text(range.max) + " (" + range.rule + ")");
    }
  }
  // The stores' shares of body Mg (plasma and the fast peripheral pool hold the rest).
  if (physiology.tissue_fraction_of_body_mg + physiology.bone_exchangeable_fraction_of_body_mg +
          physiology.deep_bone_fraction_of_body_mg >=
      1.0) {
    throw std::invalid_argument(
        "parameters 'tissue_fraction_of_body_mg' + 'bone_exchangeable_fraction_of_body_mg' + "
        "'deep_bone_fraction_of_body_mg'=" +
        shortest_text(physiology.tissue_fraction_of_body_mg +
                      physiology.bone_exchangeable_fraction_of_body_mg +
                      physiology.deep_bone_fraction_of_body_mg) +
        ": must be < 1 (the stores' shares of body Mg)");
  }
}

double get_parameter(const Physiology& physiology, std::string_view name) {
  return physiology.*(find_parameter(name).member);
}

void set_parameter(Physiology& physiology, std::string_view name, double value) {
  const auto& info = find_parameter(name);
  if (!std::isfinite(value)) {
    throw std::invalid_argument("parameter '" + std::string(name) + "' must be finite");
  }
  physiology.*(info.member) = value;
}

std::vector<std::string> closest_names(std::string_view query,
                                       const std::vector<std::string>& candidates,
                                       std::size_t max_count) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& candidate : candidates) {
    std::size_t distance = edit_distance(query, candidate);
    // A candidate that starts with or contains the query is a strong match.
    if (!query.empty() && candidate.find(query) != std::string::npos) distance = 0;
    scored.emplace_back(distance, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> result;
  for (std::size_t i = 0; i < scored.size() && i < max_count; ++i)
    result.push_back(scored[i].second);
  return result;
}

}  // namespace magpk

#include "magpk/population.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "magpk/simulation.hpp"

namespace magpk {
namespace {

constexpr double kPi = 3.14159265358979323846;

// --- counter-based random numbers ------------------------------------------
// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Uniform in (0, 1) for draw `stream` of subject `index`.
double uniform(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  const std::uint64_t bits = mix64(mix64(mix64(seed) ^ index) ^ (stream * 0xD1B54A32D192ED03ULL));
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
}

// Standard normal from two uniforms (Box-Muller).
double normal(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  const double u1 = uniform(seed, index, 2 * stream);
  const double u2 = uniform(seed, index, 2 * stream + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

// Stream numbers: one block of 64 per variable, so adding a variable never
// changes the draws of the others; retries of a truncated draw use the block.
enum Stream : std::uint64_t {
  kSexStream = 0,
  kAgeStream = 64,
  kWeightStream = 128,
  kHeightStream = 192,
  kEgfrStream = 256,
  kDietStream = 320,
  kPregnantStream = 384,
  kPpiStream = 448,
  kDiureticStream = 512,
  kIivTranscellular = 576,
  kIivVolume = 640,
  kIivTm = 704
};

// Normal(mean, sd) truncated to [low, high] by resampling (deterministic).
double truncated_normal(double mean, double sd, double low, double high, std::uint64_t seed,
                        std::uint64_t index, std::uint64_t block) {
  for (std::uint64_t attempt = 0; attempt < 32; ++attempt) {
    const double value = mean + sd * normal(seed, index, block / 2 + attempt);
    if (value >= low && value <= high) return value;
  }
  return std::min(std::max(mean, low), high);  // practically unreachable
}

double lognormal_factor(double cv, std::uint64_t seed, std::uint64_t index, std::uint64_t block) {
  if (cv <= 0.0) return 1.0;
  const double sigma = std::sqrt(std::log1p(cv * cv));
  return std::exp(sigma * normal(seed, index, block / 2));
}

// Log-normal with arithmetic mean `mean` and coefficient of variation `cv`,
// truncated to [low, high].
double truncated_lognormal(double mean, double cv, double low, double high, std::uint64_t seed,
                           std::uint64_t index, std::uint64_t block) {
  const double sigma2 = std::log1p(cv * cv);
  const double log_value = truncated_normal(std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2),
                                            std::log(low), std::log(high), seed, index, block);
  return std::exp(log_value);
}

// --- presets ------------------------------------------------------------------
// Each preset's `source` is its description (magpk.populations()). Sources
// and assumptions: docs/model.md, section 11 "Virtual populations"; a value
// with no source named beside it has none (an assumption).

// The IIV of every preset: CVs assumed, checked against the spread of serum Mg
// (NHANES 2021-23) and of 24-h urinary Mg (PREVEND, Joosten 2013) in
// magpk.validation (docs/model.md, section 11, gives a rationale for each).
void set_shared_iiv(PopulationSpec& p) {
  p.iiv_cv_transcellular = 0.25;
  p.iiv_cv_ecf_volume = 0.26;
  p.iiv_cv_renal_tm = 0.067;
}

PopulationSpec adults() {
  PopulationSpec p;
  p.name = "adults";
  p.source =
      "US adults: weight and height means from NHANES 2015-2018 (Fryar 2021); eGFR falling "
      "~0.9 mL/min per year after 30; intake means 352/256 mg/day (men/women, NHANES 1999-2000, "
      "Ford & Mokdad 2003 J Nutr 133:2879) with CV 0.30 (CSFII 1994 5th-95th percentiles via "
      "IOM 1997); drug use assumed; IIV CVs assumed, checked against the spread of serum Mg "
      "(NHANES 2021-23) and 24-h urinary Mg (PREVEND, Joosten 2013) in magpk.validation";
  p.female_fraction = 0.5;
  p.age_min_years = 18.0;
  p.age_max_years = 80.0;
  // Weight and height means: NHANES 2015-2018 (Fryar 2021); spreads assumed.
  p.weight_mean_male_kg = 90.6;
  p.weight_mean_female_kg = 77.5;
  p.weight_cv = 0.22;
  p.height_mean_male_cm = 175.4;
  p.height_mean_female_cm = 161.3;
  p.height_sd_cm = 7.5;
  // eGFR 115 mL/min up to age 30, then falling ~0.9 mL/min per year (assumed).
  p.egfr_intercept_ml_min = 115.0;
  p.egfr_slope_per_year = -0.9;
  p.egfr_sd_ml_min = 15.0;
  p.egfr_min_ml_min = 15.0;
  p.egfr_max_ml_min = 150.0;
  // Intake means: NHANES 1999-2000 (Ford & Mokdad 2003 J Nutr 133:2879); CV
  // from the CSFII 1994 5th-95th percentiles (via IOM 1997).
  p.diet_mean_male_mg = 352.0;
  p.diet_mean_female_mg = 256.0;
  p.diet_cv = 0.30;
  p.pregnant_fraction = 0.0;
  // Drug use assumed.
  p.ppi_fraction = 0.10;
  p.loop_fraction = 0.03;
  p.thiazide_fraction = 0.08;
  set_shared_iiv(p);
  return p;
}

// The adults preset restricted to 65-90 years, with more PPI and diuretic use.
PopulationSpec elderly() {
  PopulationSpec p = adults();
  p.name = "elderly";
  p.source =
      "adults preset restricted to 65-90 years, with more PPI and diuretic use; the sex ratio, "
      "weights, heights, eGFR cap and intake for older adults are assumptions (no source read)";
  p.age_min_years = 65.0;
  p.age_max_years = 90.0;
  p.ppi_fraction = 0.20;
  p.loop_fraction = 0.10;
  p.thiazide_fraction = 0.15;
  // Also changed from adults (assumptions, as the description says): more
  // women, lighter and shorter, a lower eGFR cap, lower intake.
  p.female_fraction = 0.55;
  p.weight_mean_male_kg = 84.0;
  p.weight_mean_female_kg = 72.0;
  p.weight_cv = 0.20;
  p.height_mean_male_cm = 174.0;
  p.height_mean_female_cm = 160.0;
  p.height_sd_cm = 7.0;
  p.egfr_max_ml_min = 130.0;
  p.diet_mean_male_mg = 320.0;
  p.diet_mean_female_mg = 250.0;
  p.diet_cv = 0.35;
  // Kept from adults: the eGFR decline with age, its SD and floor, and the IIV.
  return p;
}

PopulationSpec ckd3() {
  PopulationSpec p;
  p.name = "ckd3";
  p.source = "CKD stage 3 (eGFR 30-59 mL/min, uniform), 50-85 years";
  p.female_fraction = 0.5;
  p.age_min_years = 50.0;
  p.age_max_years = 85.0;
  p.weight_mean_male_kg = 88.0;
  p.weight_mean_female_kg = 76.0;
  p.weight_cv = 0.22;
  p.height_mean_male_cm = 174.0;
  p.height_mean_female_cm = 160.0;
  p.height_sd_cm = 7.0;
  // The stage's eGFR range, uniform (independent of age: intercept and slope stay 0).
  p.egfr_sd_ml_min = kUniformEgfr;
  p.egfr_min_ml_min = 30.0;
  p.egfr_max_ml_min = 59.0;
  p.diet_mean_male_mg = 320.0;
  p.diet_mean_female_mg = 250.0;
  p.diet_cv = 0.35;
  p.pregnant_fraction = 0.0;
  p.ppi_fraction = 0.25;
  p.loop_fraction = 0.20;
  p.thiazide_fraction = 0.10;
  set_shared_iiv(p);
  return p;
}

// Stage 4: the ckd3 preset (sexes, ages, height, spreads, IIV) with the
// stage's eGFR range and its own body weights, intake and drug use.
PopulationSpec ckd4() {
  PopulationSpec p = ckd3();
  p.name = "ckd4";
  p.source = "CKD stage 4 (eGFR 15-29 mL/min, uniform), 50-85 years";
  p.egfr_min_ml_min = 15.0;  // uniform, as in ckd3
  p.egfr_max_ml_min = 29.0;
  p.weight_mean_male_kg = 86.0;
  p.weight_mean_female_kg = 74.0;
  p.diet_mean_male_mg = 300.0;
  p.diet_mean_female_mg = 240.0;
  p.ppi_fraction = 0.30;
  p.loop_fraction = 0.35;
  p.thiazide_fraction = 0.05;
  return p;
}

PopulationSpec preeclampsia() {
  PopulationSpec p;
  p.name = "preeclampsia";
  p.source =
      "pregnant women with pre-eclampsia, 18-40 years; weight ~75 kg (Salinger 2013 55 kg, "
      "Easterling 2018 90.5 kg); GFR ~95 mL/min (calibration of Brookfield 2016)";
  p.female_fraction = 1.0;
  p.pregnant_fraction = 1.0;
  p.age_min_years = 18.0;
  p.age_max_years = 40.0;
  // ~75 kg, between the cohort means of Salinger 2013 (55 kg) and Easterling
  // 2018 (90.5 kg); male values unused (every subject is a woman).
  p.weight_mean_male_kg = 75.0;
  p.weight_mean_female_kg = 75.0;
  p.weight_cv = 0.20;
  p.height_mean_male_cm = 160.0;
  p.height_mean_female_cm = 160.0;
  p.height_sd_cm = 7.0;
  // GFR ~95 mL/min (calibration of Brookfield 2016), not falling with age.
  p.egfr_intercept_ml_min = 95.0;
  p.egfr_slope_per_year = 0.0;
  p.egfr_sd_ml_min = 20.0;
  p.egfr_min_ml_min = 40.0;
  p.egfr_max_ml_min = 180.0;
  p.diet_mean_male_mg = 270.0;
  p.diet_mean_female_mg = 270.0;
  p.diet_cv = 0.35;
  // No PPI or diuretic (left 0).
  set_shared_iiv(p);
  return p;
}

const std::vector<PopulationSpec> kPresets = {adults(), elderly(), ckd3(), ckd4(), preeclampsia()};

}  // namespace

const std::vector<PopulationSpec>& population_presets() { return kPresets; }

const PopulationSpec& find_population(const std::string& name) {
  for (const auto& spec : kPresets) {
    if (spec.name == name) return spec;
  }
  std::vector<std::string> names;
  for (const auto& spec : kPresets) names.push_back(spec.name);
  std::string message = "unknown population '" + name + "'; known: ";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
  throw std::invalid_argument(message);
}

// Truncation bounds of the sampled covariates (weight 35-200 kg, height
// 135-215 cm, intake 30-2,000 mg/day) keep draws inside the model's covariate
// range; they are assumptions, not sourced, and cut only far tails.
VirtualSubject sample_subject(const PopulationSpec& p, std::uint64_t seed, std::uint64_t index) {
  VirtualSubject v;
  Covariates& c = v.covariates;
  const bool female = uniform(seed, index, kSexStream) < p.female_fraction;
  c.sex = female ? Sex::kFemale : Sex::kMale;
  c.age_years =
      p.age_min_years + (p.age_max_years - p.age_min_years) * uniform(seed, index, kAgeStream);
  c.weight_kg = truncated_lognormal(female ? p.weight_mean_female_kg : p.weight_mean_male_kg,
                                    p.weight_cv, 35.0, 200.0, seed, index, kWeightStream);
  c.height_cm = truncated_normal(female ? p.height_mean_female_cm : p.height_mean_male_cm,
                                 p.height_sd_cm, 135.0, 215.0, seed, index, kHeightStream);
  if (p.egfr_sd_ml_min < 0.0) {
    c.egfr_ml_min = p.egfr_min_ml_min +
                    (p.egfr_max_ml_min - p.egfr_min_ml_min) * uniform(seed, index, kEgfrStream);
  } else {
    const double mean =
        p.egfr_intercept_ml_min + p.egfr_slope_per_year * std::max(0.0, c.age_years - 30.0);
    c.egfr_ml_min = truncated_normal(mean, p.egfr_sd_ml_min, p.egfr_min_ml_min, p.egfr_max_ml_min,
                                     seed, index, kEgfrStream);
  }
  c.diet_mg_per_day = truncated_lognormal(female ? p.diet_mean_female_mg : p.diet_mean_male_mg,
                                          p.diet_cv, 30.0, 2000.0, seed, index, kDietStream);
  c.pregnant = female && uniform(seed, index, kPregnantStream) < p.pregnant_fraction;
  c.ppi = uniform(seed, index, kPpiStream) < p.ppi_fraction;
  const double diuretic = uniform(seed, index, kDiureticStream);
  c.diuretic = diuretic < p.loop_fraction                         ? Diuretic::kLoop
               : diuretic < p.loop_fraction + p.thiazide_fraction ? Diuretic::kThiazide
                                                                  : Diuretic::kNone;
  v.transcellular_factor = lognormal_factor(p.iiv_cv_transcellular, seed, index, kIivTranscellular);
  v.ecf_volume_factor = lognormal_factor(p.iiv_cv_ecf_volume, seed, index, kIivVolume);
  v.renal_tm_factor = lognormal_factor(p.iiv_cv_renal_tm, seed, index, kIivTm);
  return v;
}

Physiology individual_physiology(const Physiology& population, const VirtualSubject& v) {
  Physiology p = population;
  p.si_vmax_mmol_h *= v.transcellular_factor;
  p.colon_vmax_mmol_h *= v.transcellular_factor;
  p.ecf_volume_l_per_kg *= v.ecf_volume_factor;
  p.ecf_volume_pregnant_l_per_kg *= v.ecf_volume_factor;
  p.renal_tm_mmol_per_l_filtrate *= v.renal_tm_factor;
  return p;
}

SummaryVariable::SummaryVariable(std::string name, double low, double high)
    : name_(std::move(name)),
      low_(low),
      high_(high),
      log_low_(std::log(low)),
      bins_per_log_(kSummaryBins / (std::log(high) - std::log(low))) {}

std::size_t SummaryVariable::bin(double value) const {
  if (!(value >= low_)) return 0;
  if (value >= high_) return kSummaryBins + 1;
  const double position = (std::log(value) - log_low_) * bins_per_log_;
  return 1 + std::min<std::size_t>(static_cast<std::size_t>(position), kSummaryBins - 1);
}

std::vector<double> SummaryVariable::bin_edges() const {
  std::vector<double> edges(kSummaryBins + 1);
  for (int k = 0; k <= kSummaryBins; ++k) edges[k] = std::exp(log_low_ + k / bins_per_log_);
  edges.front() = low_;
  edges.back() = high_;
  return edges;
}

const std::vector<SummaryVariable>& summary_variables() {
  // Ranges wide enough for IV therapy, deep depletion and CKD accumulation.
  static const std::vector<SummaryVariable> variables{{"serum_mmol_l", 0.02, 20.0},
                                                      {"plasma_mmol", 0.1, 1000.0},
                                                      {"tissue_mmol", 1.0, 5000.0},
                                                      {"bone_mmol", 1.0, 5000.0},
                                                      {"gut_mmol", 1e-3, 1000.0}};
  return variables;
}

namespace {

// The request's shared parts (physiology, regimen, run length, output times,
// solver), checked once up front for the reference adult: a bad request is an
// std::invalid_argument even for an empty batch.
void check_batch_request(const BatchRequest& request) {
  SimulationRequest shared;
  shared.physiology = request.physiology;
  shared.regimen = request.regimen;
  shared.t_end_h = request.t_end_h;
  shared.output_times_h = request.output_times_h;
  shared.solver = request.solver;
  check_request(shared);
}

}  // namespace

BatchResult simulate_batch(const BatchRequest& request) {
  check_batch_request(request);
  const std::size_t n = request.subjects.size();
  const std::size_t n_times = request.output_times_h.size();
  const auto& variables = summary_variables();
  const std::size_t n_vars = variables.size();
  const std::size_t stride = kSummaryBins + 2;
  const std::size_t n_metrics = metric_names().size();
  // Columns of the output table holding each summary variable.
  const auto& columns = output_columns();
  std::vector<Eigen::Index> column_of(n_vars);
  for (std::size_t v = 0; v < n_vars; ++v) {
    column_of[v] = std::find(columns.begin(), columns.end(), variables[v].name()) - columns.begin();
  }

  BatchResult result;
  result.metrics.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n_metrics));
  if (request.keep_trajectories) {
    result.trajectories.resize(static_cast<Eigen::Index>(n),
                               static_cast<Eigen::Index>(n_times * n_vars));
  }
  const int n_threads = static_cast<int>(std::max<std::size_t>(
      1, std::min<std::size_t>(static_cast<std::size_t>(std::max(request.threads, 1)), n)));
  std::vector<std::vector<std::uint32_t>> histograms(
      static_cast<std::size_t>(n_threads),
      std::vector<std::uint32_t>(n_vars * n_times * stride, 0));

  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&](int thread) {
    SimulationRequest sr;
    sr.regimen = request.regimen;
    sr.t_end_h = request.t_end_h;
    sr.output_times_h = request.output_times_h;
    sr.solver = request.solver;
    std::vector<std::uint32_t>& histogram = histograms[static_cast<std::size_t>(thread)];
    for (std::size_t i = next++; i < n && !failed; i = next++) {
      try {
        sr.covariates = request.subjects[i].covariates;
        sr.physiology = individual_physiology(request.physiology, request.subjects[i]);
        const SimulationResult r = simulate(sr);
        const Eigen::MatrixXd table = output_table(r.supplemented, r.subject);
        const std::vector<double> metrics = metric_values(r.metrics);
        for (std::size_t k = 0; k < n_metrics; ++k) {
          result.metrics(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = metrics[k];
        }
        for (std::size_t v = 0; v < n_vars; ++v) {
          for (std::size_t t = 0; t < n_times; ++t) {
            const double value = table(static_cast<Eigen::Index>(t), column_of[v]);
            ++histogram[(v * n_times + t) * stride + variables[v].bin(value)];
            if (request.keep_trajectories) {
              result.trajectories(static_cast<Eigen::Index>(i),
                                  static_cast<Eigen::Index>(v * n_times + t)) = value;
            }
          }
        }
      } catch (const std::exception& e) {
        // The subject's own bad input (e.g. a covariate or IIV factor) stays an
        // invalid_argument; a failed integration stays a runtime_error.
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) {
          const std::string message = "subject " + std::to_string(i) + ": " + e.what();
          error = dynamic_cast<const std::invalid_argument*>(&e) != nullptr
                      ? std::make_exception_ptr(std::invalid_argument(message))
                      : std::make_exception_ptr(std::runtime_error(message));
        }
        failed = true;
      }
    }
  };
  if (n_threads == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker, t);
    for (auto& thread : pool) thread.join();
  }
  if (error) std::rethrow_exception(error);

  result.histogram = std::move(histograms.front());
  for (std::size_t t = 1; t < histograms.size(); ++t) {
    for (std::size_t k = 0; k < result.histogram.size(); ++k)
      result.histogram[k] += histograms[t][k];
  }
  return result;
}

}  // namespace magpk

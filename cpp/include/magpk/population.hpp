// Virtual populations: covariate distributions and inter-individual
// variability (sampling), and a multi-threaded batch engine that simulates a
// cohort and streams summaries (histograms for percentiles, per-subject
// metrics) without keeping trajectories unless asked.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "magpk/physiology.hpp"
#include "magpk/regimen.hpp"
#include "magpk/simulator.hpp"
#include "magpk/subject.hpp"

namespace magpk {

// Covariate distributions and IIV of a population (docs/model.md, "Populations").
// Default-constructed, every number is 0 (nobody pregnant or on a drug, no
// spread); each preset (population.cpp) sets its numbers by name.
struct PopulationSpec {
  std::string name;
  std::string source;
  double female_fraction = 0.0;
  double age_min_years = 0.0, age_max_years = 0.0;  // uniform
  // Weight: log-normal by sex (arithmetic mean, CV).
  double weight_mean_male_kg = 0.0, weight_mean_female_kg = 0.0, weight_cv = 0.0;
  // Height: normal by sex.
  double height_mean_male_cm = 0.0, height_mean_female_cm = 0.0, height_sd_cm = 0.0;
  // eGFR: normal around intercept + slope * max(0, age - 30), sd, truncated to
  // [egfr_min, egfr_max] (a uniform draw when egfr_sd < 0: kUniformEgfr).
  double egfr_intercept_ml_min = 0.0, egfr_slope_per_year = 0.0, egfr_sd_ml_min = 0.0;
  double egfr_min_ml_min = 0.0, egfr_max_ml_min = 0.0;
  double diet_mean_male_mg = 0.0, diet_mean_female_mg = 0.0, diet_cv = 0.0;  // log-normal
  double pregnant_fraction = 0.0;                                            // of women
  double ppi_fraction = 0.0, loop_fraction = 0.0, thiazide_fraction = 0.0;
  // Inter-individual variability (log-normal CV) of physiological parameters.
  double iiv_cv_transcellular = 0.0;  // si_vmax and colon_vmax
  double iiv_cv_ecf_volume = 0.0;     // ECF volume per kg
  double iiv_cv_renal_tm = 0.0;       // renal tubular maximum
};

// egfr_sd_ml_min of a preset whose eGFR is uniform on [egfr_min, egfr_max].
inline constexpr double kUniformEgfr = -1.0;

const std::vector<PopulationSpec>& population_presets();
const PopulationSpec& find_population(const std::string& name);

// One virtual subject: covariates and IIV multipliers (1 = typical).
struct VirtualSubject {
  Covariates covariates;
  double transcellular_factor = 1.0;
  double ecf_volume_factor = 1.0;
  double renal_tm_factor = 1.0;
};

// Subject `index` of the cohort drawn with `seed`: a pure function of
// (spec, seed, index), so results do not depend on threads or chunking.
VirtualSubject sample_subject(const PopulationSpec& spec, std::uint64_t seed, std::uint64_t index);

// Physiology of one subject: population values with its IIV multipliers.
Physiology individual_physiology(const Physiology& population, const VirtualSubject& subject);

inline constexpr int kSummaryBins = 2048;  // + 1 underflow + 1 overflow

// A variable summarized over time, and its histogram: kSummaryBins log-spaced
// bins between low and high, plus an underflow and an overflow bin.
class SummaryVariable {
 public:
  SummaryVariable(std::string name, double low, double high);
  const std::string& name() const { return name_; }
  double low() const { return low_; }
  double high() const { return high_; }
  // 0: below low (or NaN); 1..kSummaryBins: bin k holds [edge k-1, edge k);
  // kSummaryBins + 1: at or above high.
  std::size_t bin(double value) const;
  // The kSummaryBins + 1 bin edges, low .. high: low * exp(k / bins_per_log).
  std::vector<double> bin_edges() const;

 private:
  std::string name_;
  double low_, high_;
  double log_low_, bins_per_log_;
};
const std::vector<SummaryVariable>& summary_variables();

struct BatchRequest {
  std::vector<VirtualSubject> subjects;
  Physiology physiology = default_physiology();
  Regimen regimen;
  double t_end_h = 24.0;
  std::vector<double> output_times_h;
  SolverOptions solver;
  int threads = 1;
  bool keep_trajectories = false;
};

struct BatchResult {
  // counts[(variable * n_times + time) * (kSummaryBins + 2) + bin]
  std::vector<std::uint32_t> histogram;
  Eigen::MatrixXd metrics;  // one row per subject, metric_names() columns
  // one row per subject, n_times * n_variables columns (variable-major) when kept
  Eigen::MatrixXd trajectories;
};

// Simulates every subject (threads share the work; results are identical for
// any thread count). Throws std::runtime_error naming the subject on failure.
BatchResult simulate_batch(const BatchRequest& request);

}  // namespace magpk

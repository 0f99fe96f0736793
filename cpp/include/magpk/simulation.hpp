// One simulation request end to end: derive the subject, solve its steady
// state, integrate the regimen and the same subject's no-supplement baseline,
// and compute the per-regimen metrics (docs/model.md, "Outputs").
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "magpk/physiology.hpp"
#include "magpk/regimen.hpp"
#include "magpk/simulator.hpp"
#include "magpk/subject.hpp"

namespace magpk {

struct Metrics {
  double oral_supplement_mmol;
  double parenteral_mmol;
  double fraction_absorbed;         // NaN when no oral supplement was given
  double absorbed_supplement_mmol;  // tracer: supplement Mg that crossed the gut wall
  double absorbed_increment_mmol;   // vs the no-supplement baseline, all sources
  double urine_increment_24h_mmol;  // NaN when the run ends before 24 h after the first dose
  double urine_increment_mmol;      // over the whole run
  double urine_24h_mmol;            // urinary Mg 0-24 h (a 24-h collection); NaN if shorter
  double baseline_serum_mmol_l;     // homeostatic steady state (daily mean with meals)
  double cmax_mmol_l;
  double tmax_h;
  double cmin_mmol_l;
  double auc_above_baseline_mmol_h_l;
  std::vector<double> time_above_h;  // per serum_thresholds_above()
  double time_below_hypo_h;
  double body_store_change_mmol;              // plasma + tissue + bone, end - start
  double body_store_change_vs_baseline_mmol;  // end, vs the baseline run
  double peak_colon_load_mmol;          // unabsorbed supplement Mg in the colon, dissolved + solid
  double max_daily_soluble_feces_mmol;  // largest soluble fecal Mg in any 24 h (all sources)
  double diarrhea_probability;          // from max_daily_soluble_feces_mmol (Fine 1991)
  double mass_balance_rel_error;
};

// The state a run starts from instead of the homeostatic steady state: the
// final state of an earlier run of the same subject (SimulationResult), with
// the pure form of each undissolved-pool slot. Ledgers restart at zero.
struct InitialState {
  State state;
  std::vector<std::string> pool_forms;
};

// Longest run, h: 20 years. Longer runs would allocate and loop over hourly
// samples and daily meals without bound (the Python layer reads this limit).
inline constexpr double kMaxRunH = 24.0 * 365.0 * 20.0;

struct SimulationRequest {
  Covariates covariates;
  Physiology physiology = default_physiology();
  Regimen regimen;
  double t_end_h = 24.0;
  std::vector<double> output_times_h;  // sorted, within [0, t_end_h]
  SolverOptions solver;
  bool has_initial = false;  // start from `initial` instead of the steady state
  InitialState initial;
};

struct SimulationResult {
  SubjectParameters subject;
  std::vector<std::string> pool_forms;
  double steady_state_serum_mmol_l;
  Trajectory supplemented;
  Trajectory baseline;
  Metrics metrics;
};

SimulationResult simulate(const SimulationRequest& request);

// Everything simulate() checks before it integrates (run length, solver,
// initial state, physiology, covariates, regimen, output times): throws
// std::invalid_argument naming the first problem.
void check_request(const SimulationRequest& request);

// The metrics as a flat vector (names in metric_names() order; times above the
// thresholds of serum_thresholds_above() are time_hyper_h, time_above_2_h, ...).
const std::vector<std::string>& metric_names();
std::vector<double> metric_values(const Metrics& metrics);

// Named output columns derived from a trajectory's states (model units).
const std::vector<std::string>& output_columns();
Eigen::MatrixXd output_table(const Trajectory& trajectory, const SubjectParameters& subject);

}  // namespace magpk

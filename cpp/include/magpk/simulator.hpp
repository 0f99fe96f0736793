// Integration of the model through an event schedule with Boost.Odeint's
// controlled Dormand-Prince 5(4) stepper. Steps end exactly at events; outputs
// come from the continuous extension of the accepted step; serum extrema and
// threshold crossings are located on the solution.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "magpk/model.hpp"
#include "magpk/schedule.hpp"

namespace magpk {

// Thrown when the caller's stop request (SolverOptions::should_stop) returns true.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("simulation interrupted") {}
};

// Defaults: serum within 5.4e-7 relative of a tight (rtol 1e-13) reference on a
// 30-day twice-daily oral regimen with meals, 1.4e-6 on a 24-h IV regimen
// (benchmarks/accuracy.py, Model 2).
struct SolverOptions {
  double rtol = 1e-6;
  double atol = 1e-8;      // mmol, body and ledger states
  double atol_gut = 1e-6;  // mmol, gut lumen and undissolved pools (small, decaying)
  long max_steps = 50'000'000;
  // Polled every kStopPollSteps steps and at every event; true stops the run
  // (throws Interrupted). Lets a caller honour Ctrl-C during long runs.
  std::function<bool()> should_stop;
};
inline constexpr long kStopPollSteps = 1024;

// Throws std::invalid_argument unless `times` (named `what` in the message) are
// sorted and within [0, t_end].
void check_times(const std::vector<double>& times, double t_end, const char* what);

// Serum thresholds for time-above/time-below, mmol/L: below the reference
// interval 0.75-0.95 (IOM 1997) is hypomagnesemia.
inline constexpr double kHypoThreshold = 0.75;
inline constexpr double kReferenceIntervalHigh = 0.95;
inline const std::vector<double>& serum_thresholds_above() {
  // hyper (> 1.05), eclampsia target band from 2.0, upper target 3.5, toxic (>= 5).
  static const std::vector<double> thresholds{1.05, 2.0, 3.5, 5.0};
  return thresholds;
}

struct Trajectory {
  std::vector<double> output_times_h;
  Eigen::MatrixXd states;  // one row per output time, one column per state
  std::vector<double> probe_times_h;
  Eigen::MatrixXd probe_states;
  std::vector<double> sample_times_h;         // ledger samples at these times:
  std::vector<double> feces_soluble_samples;  // cumulative soluble fecal Mg
  std::vector<double> urine_samples;          // cumulative urinary Mg
  State final_state;
  double serum_max = 0.0, serum_max_time_h = 0.0;
  double serum_min = 0.0, serum_min_time_h = 0.0;
  double colon_load_max = 0.0, colon_load_max_time_h = 0.0;
  std::vector<double> time_above_h;  // per serum_thresholds_above()
  double time_below_hypo_h = 0.0;
  double mass_balance_rel_error = 0.0;  // max over outputs and the end
  long steps = 0;
};

// The trajectory of a subject resting at its steady state `x0` with constant
// inputs (no events): pools constant, ledger states growing linearly. Used for
// the no-supplement baseline when the diet never changes.
Trajectory steady_trajectory(const Model& model, const State& x0,
                             const std::vector<double>& output_times_h,
                             const std::vector<double>& probe_times_h,
                             const std::vector<double>& sample_times_h, double t_end_h);

// The trajectory of a subject at its 24-h periodic steady state `x0` eating the
// same meals every day (no doses, diet changes, fasts or drug changes): one day
// (`day`, 0-24 h) is integrated and repeated, ledgers growing by a day's amount
// each day; `last_part` is the same day's schedule cut at the phase of t_end
// (integrated for the times above/below thresholds of the last part day).
// Needs t_end >= 24 h. Used for the no-supplement baseline with meals.
Trajectory periodic_trajectory(const Model& model, const Schedule& day, const Schedule& last_part,
                               const State& x0, const std::vector<double>& output_times_h,
                               const std::vector<double>& probe_times_h,
                               const std::vector<double>& sample_times_h, double t_end_h,
                               const SolverOptions& options);

// Integrates from x0 (state at t = 0 before the events at t = 0) to the last
// breakpoint. Output and probe times must be sorted, within [0, t_end].
Trajectory integrate(Model model, const Schedule& schedule, const State& x0,
                     const std::vector<double>& output_times_h,
                     const std::vector<double>& probe_times_h, const SolverOptions& options);
// As above, also sampling the cumulative soluble fecal Mg at `sample_times_h`
// (sorted, within [0, t_end]) into Trajectory::feces_soluble_samples.
Trajectory integrate(Model model, const Schedule& schedule, const State& x0,
                     const std::vector<double>& output_times_h,
                     const std::vector<double>& probe_times_h,
                     const std::vector<double>& sample_times_h, const SolverOptions& options);

}  // namespace magpk

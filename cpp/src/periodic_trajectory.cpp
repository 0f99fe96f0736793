// The no-supplement baseline of a subject eating the same meals every day:
// from the 24-h periodic steady state the run repeats day after day, so one
// integrated day (and the part of a day the run ends in) gives the whole run.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "magpk/simulator.hpp"
#include "trajectory_from_function.hpp"

namespace magpk {
namespace {

constexpr double kDayH = 24.0;

// Whole days before t and the phase of t within its day.
struct DayPhase {
  double days;
  double phase_h;
};

DayPhase day_phase(double t) {
  const double days = std::floor(t / kDayH);
  return {days, t - days * kDayH};
}

// Sorted, unique phases of the given times (the output grid of the one-day run).
std::vector<double> phases(std::initializer_list<const std::vector<double>*> lists) {
  std::vector<double> out;
  for (const auto* times : lists) {
    for (double t : *times) out.push_back(day_phase(t).phase_h);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Trajectory periodic_trajectory(const Model& model, const Schedule& day, const Schedule& last_part,
                               const State& x0, const std::vector<double>& output_times_h,
                               const std::vector<double>& probe_times_h,
                               const std::vector<double>& sample_times_h, double t_end_h,
                               const SolverOptions& options) {
  if (day.breakpoints.front() != 0.0 || day.breakpoints.back() != kDayH) {
    throw std::invalid_argument("periodic_trajectory needs a 0-24 h day schedule");
  }
  const DayPhase end = day_phase(t_end_h);
  if (end.days < 1.0 ||
      (end.phase_h > 0.0 && std::abs(last_part.breakpoints.back() - end.phase_h) > 1e-9)) {
    throw std::invalid_argument(
        "periodic_trajectory needs a run of a day or more and the "
        "schedule of its last part day");
  }
  const std::vector<double> grid = phases({&output_times_h, &probe_times_h, &sample_times_h});
  const Trajectory one = integrate(model, day, x0, grid, {}, {}, options);
  // What one day adds to the ledgers; the pools' residual drift from exact
  // periodicity (<= 1e-10 of body Mg per day) is booked to feces so that mass
  // is conserved exactly, as in steady_trajectory.
  State per_day = one.final_state - x0;
  per_day[idx::kFecesCum] += per_day.head(idx::kImDepot + 1).sum();
  per_day.head(idx::kAbsorbedCum).setZero();
  per_day[idx::kThiazideEffect] = 0.0;
  per_day.tail(idx::kMaxPools).setZero();

  auto at = [&](double t) -> State {
    const DayPhase p = day_phase(t);
    const auto row = std::lower_bound(grid.begin(), grid.end(), p.phase_h) - grid.begin();
    return one.states.row(row).transpose() + p.days * per_day;
  };
  Trajectory tr = trajectory_from_function(at, output_times_h, probe_times_h, sample_times_h);
  tr.final_state = one.states.row(0).transpose() + end.days * per_day;
  tr.steps = one.steps;
  // Times above and below thresholds: whole days, then the last part day.
  tr.time_above_h = one.time_above_h;
  for (double& h : tr.time_above_h) h *= end.days;
  tr.time_below_hypo_h = one.time_below_hypo_h * end.days;
  if (end.phase_h > 0.0) {
    const Trajectory part = integrate(model, last_part, x0, {end.phase_h}, {}, {}, options);
    for (std::size_t i = 0; i < tr.time_above_h.size(); ++i)
      tr.time_above_h[i] += part.time_above_h[i];
    tr.time_below_hypo_h += part.time_below_hypo_h;
    tr.final_state = part.states.row(0).transpose() + end.days * per_day;
    tr.steps += part.steps;
  }
  // Every day repeats the first, so the first day holds the extrema (first occurrence).
  tr.serum_max = one.serum_max;
  tr.serum_max_time_h = one.serum_max_time_h;
  tr.serum_min = one.serum_min;
  tr.serum_min_time_h = one.serum_min_time_h;
  tr.colon_load_max = one.colon_load_max;
  tr.colon_load_max_time_h = one.colon_load_max_time_h;
  const double inputs = accounted_amount(x0);
  tr.mass_balance_rel_error = std::max(
      one.mass_balance_rel_error,
      std::abs(accounted_amount(tr.final_state) - inputs - tr.final_state[idx::kDietInCum]) /
          inputs);
  return tr;
}

}  // namespace magpk

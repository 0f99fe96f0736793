// The observers of magpk::integrate (private to the core): each records one
// kind of result along the solution, fed after the events of every breakpoint
// and once per accepted step (as the observers of Boost.Odeint's integrate
// functions). A step's dense output is passed to them as
// `state_at(t_h, State& out)`, the continuous extension of the accepted step.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "magpk/model.hpp"
#include "magpk/simulator.hpp"

namespace magpk {

// Bisection for the point in [lo, hi] where `positive(t)` switches from true to false.
template <class Predicate>
double bisect(double lo, double hi, Predicate positive) {
  for (int i = 0; i < 80 && hi - lo > 1e-13 * std::max(1.0, hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    (positive(mid) ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Maximiser of a function unimodal on [lo, hi] (golden-section search on the
// dense output itself, so the located maximum is at least every sampled value).
template <class Function>
double golden_section_max(double lo, double hi, Function f) {
  constexpr double kInvPhi = 0.6180339887498949;
  double x1 = hi - kInvPhi * (hi - lo), x2 = lo + kInvPhi * (hi - lo);
  double f1 = f(x1), f2 = f(x2);
  for (int i = 0; i < 100 && hi - lo > 1e-13 * std::max(1.0, hi); ++i) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + kInvPhi * (hi - lo);
      f2 = f(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - kInvPhi * (hi - lo);
      f1 = f(x1);
    }
  }
  return f1 > f2 ? x1 : x2;
}

// An accepted step from t_old_h to t_new_h: the states and their derivatives
// at both ends (FSAL: the derivative at the end is the next step's start one).
struct StepEnds {
  double t_old_h;
  double t_new_h;
  const State& x_old;
  const State& dxdt_old;
  const State& x_new;
  const State& dxdt_new;
};

// Mass balance: the relative difference between the Mg accounted for in the
// state and the Mg that entered (initial amount, doses, diet, infusions); the
// largest over the recorded states (every output and the final state).
class MassLedger {
 public:
  explicit MassLedger(const State& x0) : initial_mmol_(accounted_amount(x0)) {}

  void add_doses(double mmol) { dosed_mmol_ += mmol; }
  void record(const State& x) {
    const double inputs_mmol =
        initial_mmol_ + dosed_mmol_ + x[idx::kDietInCum] + x[idx::kInfusedCum];
    max_rel_error_ =
        std::max(max_rel_error_, std::abs(accounted_amount(x) - inputs_mmol) / inputs_mmol);
  }
  double max_rel_error() const { return max_rel_error_; }

 private:
  double initial_mmol_;
  double dosed_mmol_ = 0.0;
  double max_rel_error_ = 0.0;
};

// The states at the output and probe times and the cumulative soluble fecal
// and urinary Mg at the sample times, each read off the accepted step that
// holds the time (or at an event instant, after the events there). Every
// output is also a mass-balance check.
class OutputSampler {
 public:
  OutputSampler(const std::vector<double>& output_times_h, const std::vector<double>& probe_times_h,
                const std::vector<double>& sample_times_h, MassLedger& ledger)
      : output_times_h_(output_times_h),
        probe_times_h_(probe_times_h),
        sample_times_h_(sample_times_h),
        ledger_(ledger) {
    states_.resize(static_cast<Eigen::Index>(output_times_h.size()), idx::kStateSize);
    probe_states_.resize(static_cast<Eigen::Index>(probe_times_h.size()), idx::kStateSize);
    feces_soluble_samples_.resize(sample_times_h.size());
    urine_samples_.resize(sample_times_h.size());
  }

  // Emits outputs, probes and samples due before t_limit_h (or at it, if inclusive).
  template <class StateAt>
  void emit(double t_limit_h, bool inclusive, StateAt&& state_at) {
    auto due = [&](double t_h) { return t_h < t_limit_h || (inclusive && t_h <= t_limit_h); };
    for (; next_output_ < output_times_h_.size() && due(output_times_h_[next_output_]);
         ++next_output_) {
      state_at(output_times_h_[next_output_], scratch_);
      if (!scratch_.allFinite()) {
        throw std::runtime_error(
            "non-finite state at t=" + std::to_string(output_times_h_[next_output_]) + " h");
      }
      states_.row(static_cast<Eigen::Index>(next_output_)) = scratch_.transpose();
      ledger_.record(scratch_);
    }
    for (; next_probe_ < probe_times_h_.size() && due(probe_times_h_[next_probe_]); ++next_probe_) {
      state_at(probe_times_h_[next_probe_], scratch_);
      probe_states_.row(static_cast<Eigen::Index>(next_probe_)) = scratch_.transpose();
    }
    for (; next_sample_ < sample_times_h_.size() && due(sample_times_h_[next_sample_]);
         ++next_sample_) {
      state_at(sample_times_h_[next_sample_], scratch_);
      feces_soluble_samples_[next_sample_] = scratch_[idx::kFecesSolubleCum];
      urine_samples_[next_sample_] = scratch_[idx::kUrineCum];
    }
  }

  void move_into(Trajectory& tr) {
    tr.output_times_h = output_times_h_;
    tr.probe_times_h = probe_times_h_;
    tr.sample_times_h = sample_times_h_;
    tr.states = std::move(states_);
    tr.probe_states = std::move(probe_states_);
    tr.feces_soluble_samples = std::move(feces_soluble_samples_);
    tr.urine_samples = std::move(urine_samples_);
  }

 private:
  const std::vector<double>& output_times_h_;
  const std::vector<double>& probe_times_h_;
  const std::vector<double>& sample_times_h_;
  MassLedger& ledger_;
  Eigen::MatrixXd states_;        // one row per output time
  Eigen::MatrixXd probe_states_;  // one row per probe time
  std::vector<double> feces_soluble_samples_;
  std::vector<double> urine_samples_;
  std::size_t next_output_ = 0, next_probe_ = 0, next_sample_ = 0;
  State scratch_;
};

// An accepted step cut at its serum extremum, if it has one: serum is monotone
// on each part, so every threshold is crossed at most once per part.
struct MonotoneSerumParts {
  double t_h[3];
  double serum_mmol_l[3];  // at t_h
  int count;               // 1, or 2 when cut at an extremum
};

// Serum extremum inside the step: split the step there, so that serum is
// monotone on each part and every threshold is crossed at most once.
template <class SerumAt>
MonotoneSerumParts split_at_serum_extremum(const StepEnds& step, const Model& model,
                                           SerumAt&& serum_at) {
  const double volume_l = model.subject().ecf_volume_l;
  const double serum_old = model.serum_mmol_l(step.x_old);
  const double serum_new = model.serum_mmol_l(step.x_new);
  const double serum_rate_old = step.dxdt_old[idx::kPlasma] / volume_l;
  const double serum_rate_new = step.dxdt_new[idx::kPlasma] / volume_l;
  MonotoneSerumParts parts{
      {step.t_old_h, step.t_new_h, step.t_new_h}, {serum_old, serum_new, serum_new}, 1};
  if ((serum_rate_old > 0.0 && serum_rate_new < 0.0) ||
      (serum_rate_old < 0.0 && serum_rate_new > 0.0)) {
    const double sign = serum_rate_old > 0.0 ? 1.0 : -1.0;  // maximum or minimum
    const double t_extremum_h = golden_section_max(
        step.t_old_h, step.t_new_h, [&](double t_h) { return sign * serum_at(t_h); });
    parts.t_h[1] = t_extremum_h;
    parts.serum_mmol_l[1] = serum_at(t_extremum_h);
    parts.count = 2;
  }
  return parts;
}

// Serum maximum and minimum and their times. The extrema start from the state
// after the events at t = 0; one inside a step is the cut of MonotoneSerumParts.
class SerumExtrema {
 public:
  void note(double serum_mmol_l, double t_h) {
    if (first_ || serum_mmol_l > max_mmol_l_) {
      max_mmol_l_ = serum_mmol_l;
      max_time_h_ = t_h;
    }
    if (first_ || serum_mmol_l < min_mmol_l_) {
      min_mmol_l_ = serum_mmol_l;
      min_time_h_ = t_h;
    }
    first_ = false;
  }
  // The ends of the step's parts: its extremum (if any), then its end.
  void note_step(const MonotoneSerumParts& parts) {
    for (int part = 1; part <= parts.count; ++part) note(parts.serum_mmol_l[part], parts.t_h[part]);
  }
  void write_to(Trajectory& tr) const {
    tr.serum_max = max_mmol_l_;
    tr.serum_max_time_h = max_time_h_;
    tr.serum_min = min_mmol_l_;
    tr.serum_min_time_h = min_time_h_;
  }

 private:
  bool first_ = true;  // extrema start from the state after the events at t = 0
  double max_mmol_l_ = 0.0, max_time_h_ = 0.0;
  double min_mmol_l_ = 0.0, min_time_h_ = 0.0;
};

// The largest unabsorbed supplement Mg in the colon (dissolved + solid) and its time.
class ColonLoadMax {
 public:
  void note(double load_mmol, double t_h) {
    if (load_mmol > max_mmol_) {
      max_mmol_ = load_mmol;
      max_time_h_ = t_h;
    }
  }
  // A maximum inside the step (the load rises at its start and falls at its
  // end) is located on the dense output; then the step's end.
  template <class StateAt>
  void note_step(const StepEnds& step, StateAt&& state_at, State& scratch) {
    const double rate_old = step.dxdt_old[idx::kColonSup] + step.dxdt_old[idx::kColonSolid];
    const double rate_new = step.dxdt_new[idx::kColonSup] + step.dxdt_new[idx::kColonSolid];
    if (rate_old > 0.0 && rate_new < 0.0) {
      auto load_at = [&](double t_h) {
        state_at(t_h, scratch);
        return Model::colon_supplement_load(scratch);
      };
      const double t_max_h = golden_section_max(step.t_old_h, step.t_new_h, load_at);
      note(load_at(t_max_h), t_max_h);
    }
    note(Model::colon_supplement_load(step.x_new), step.t_new_h);
  }
  void write_to(Trajectory& tr) const {
    tr.colon_load_max = max_mmol_;
    tr.colon_load_max_time_h = max_time_h_;
  }

 private:
  double max_mmol_ = 0.0;
  double max_time_h_ = 0.0;
};

// Time serum spends above each of serum_thresholds_above() and below
// kHypoThreshold; a crossing inside a monotone part of a step is located by
// bisection on the dense output.
class ThresholdTimer {
 public:
  ThresholdTimer() : time_above_h_(serum_thresholds_above().size(), 0.0) {}

  template <class SerumAt>
  void add_step(const MonotoneSerumParts& parts, SerumAt&& serum_at) {
    const auto& thresholds = serum_thresholds_above();
    for (int part = 0; part < parts.count; ++part) {
      const double u = parts.t_h[part], w = parts.t_h[part + 1];
      const double su = parts.serum_mmol_l[part], sw = parts.serum_mmol_l[part + 1];
      auto time_beyond = [&](double threshold, bool above) {
        const bool in_u = above ? su > threshold : su < threshold;
        const bool in_w = above ? sw > threshold : sw < threshold;
        if (in_u && in_w) return w - u;
        if (!in_u && !in_w) return 0.0;
        const double tc = bisect(u, w, [&](double tq) {
          const bool inside = above ? serum_at(tq) > threshold : serum_at(tq) < threshold;
          return inside == in_u;
        });
        return in_u ? tc - u : w - tc;
      };
      for (std::size_t i = 0; i < thresholds.size(); ++i) {
        time_above_h_[i] += time_beyond(thresholds[i], true);
      }
      time_below_hypo_h_ += time_beyond(kHypoThreshold, false);
    }
  }
  void write_to(Trajectory& tr) const {
    tr.time_above_h = time_above_h_;
    tr.time_below_hypo_h = time_below_hypo_h_;
  }

 private:
  std::vector<double> time_above_h_;  // per serum_thresholds_above()
  double time_below_hypo_h_ = 0.0;
};

}  // namespace magpk

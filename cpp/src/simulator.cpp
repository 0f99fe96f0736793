#include "magpk/simulator.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen_algebra.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "trajectory_from_function.hpp"

namespace magpk {
namespace {

// The fixed-size Eigen state needs no resizing: only odeint's Eigen algebra
// (abs, infinity norm) is used, not its resize support.
namespace odeint = boost::numeric::odeint;
using Dopri5 =
    odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;

// Error control with a per-state absolute tolerance (the gut pools decay
// towards zero after every dose and would otherwise set the step size long
// after they stopped mattering) and the root-mean-square norm of Hairer,
// Norsett & Wanner (as in scipy's solve_ivp) over the states in use:
// sqrt(mean_i (err_i / (atol_i + rtol (|x_i| + dt |dx_i|)))^2) <= 1.
class PerStateErrorChecker {
 public:
  using value_type = double;
  using algebra_type = odeint::vector_space_algebra;
  using operations_type = odeint::default_operations;

  PerStateErrorChecker(const State& atol, double rtol, int states_in_use)
      : atol_(atol), rtol_(rtol), inverse_count_(1.0 / states_in_use) {}

  template <class StateIn, class Deriv, class Err, class Time>
  double error(algebra_type& /*algebra*/, const StateIn& x_old, const Deriv& dxdt_old, Err& x_err,
               Time dt) const {
    const auto scaled =
        x_err.array() /
        (atol_.array() + rtol_ * (x_old.array().abs() + std::abs(dt) * dxdt_old.array().abs()));
    return std::sqrt(scaled.square().sum() * inverse_count_);
  }
  template <class StateIn, class Deriv, class Err, class Time>
  double error(const StateIn& x_old, const Deriv& dxdt_old, Err& x_err, Time dt) const {
    algebra_type algebra;
    return error(algebra, x_old, dxdt_old, x_err, dt);
  }

 private:
  State atol_;
  double rtol_;
  double inverse_count_;  // unused pool slots carry zero error and are not counted
};

// The controlled stepper is driven directly (not through odeint's dense-output
// wrapper) so that steps end exactly at events, the FSAL derivative at each
// step end is reused for extremum detection, and dense output comes from the
// Dormand-Prince interpolant of the accepted step.
using Controlled = odeint::controlled_runge_kutta<Dopri5, PerStateErrorChecker>;

State absolute_tolerances(const SolverOptions& options) {
  State atol = State::Constant(options.atol);
  // The stomach pool is fed by slowly dissolving pools and empties fast, so it
  // holds tiny amounts for long: it keeps the body tolerance, which keeps its
  // undershoot within the numerical zero (docs/model.md, Numerics).
  for (int i : {idx::kSiDiet, idx::kSiSup, idx::kSiChelate, idx::kColonDiet, idx::kColonSup,
                idx::kColonSolid}) {
    atol[i] = options.atol_gut;
  }
  atol.tail(idx::kMaxPools).setConstant(options.atol_gut);
  return atol;
}

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

// States that only decay between doses (checked in this order; pool slots last).
// The diet pools decay between meals (towards the small level secretions keep).
constexpr int kDecayingStates[] = {
    idx::kImDepot,         idx::kSiSup,          idx::kSiChelate,       idx::kColonSup,
    idx::kColonSolid,      idx::kStomachSup,     idx::kSiDiet,          idx::kColonDiet,
    idx::kFixedCount,      idx::kFixedCount + 1, idx::kFixedCount + 2,  idx::kFixedCount + 3,
    idx::kFixedCount + 4,  idx::kFixedCount + 5, idx::kFixedCount + 6,  idx::kFixedCount + 7,
    idx::kFixedCount + 8,  idx::kFixedCount + 9, idx::kFixedCount + 10, idx::kFixedCount + 11,
    idx::kFixedCount + 12, idx::kFixedCount + 13};
static_assert(idx::kMaxPools == 14, "list every pool slot in kDecayingStates");

// Initial step after a dose, h: a fraction of the fastest gut time constant
// (dissolution of soluble salts, 1/2 h).
constexpr double kFirstStepAfterDoseH = 0.05;

double total_amount(const State& x) { return accounted_amount(x); }

void check_times(const std::vector<double>& times, double t_end, const char* what) {
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (!(times[i] >= 0.0 && times[i] <= t_end) || (i > 0 && times[i] < times[i - 1])) {
      throw std::invalid_argument(std::string(what) + " must be sorted and within [0, t_end]");
    }
  }
}

}  // namespace

Trajectory integrate(Model model, const Schedule& schedule, const State& x0,
                     const std::vector<double>& output_times_h,
                     const std::vector<double>& probe_times_h, const SolverOptions& options) {
  return integrate(std::move(model), schedule, x0, output_times_h, probe_times_h, {}, options);
}

Trajectory integrate(Model model, const Schedule& schedule, const State& x0,
                     const std::vector<double>& output_times_h,
                     const std::vector<double>& probe_times_h,
                     const std::vector<double>& sample_times_h, const SolverOptions& options) {
  const auto& breakpoints = schedule.breakpoints;
  const std::size_t n_breakpoints = breakpoints.size();
  const double t_end = breakpoints.back();
  check_times(output_times_h, t_end, "output times");
  check_times(probe_times_h, t_end, "probe times");
  check_times(sample_times_h, t_end, "sample times");
  if (!(options.rtol > 0.0 && options.atol > 0.0 && options.atol_gut > 0.0)) {
    throw std::invalid_argument("solver tolerances must be > 0");
  }

  const double volume = model.subject().ecf_volume_l;
  const auto& thresholds = serum_thresholds_above();
  Trajectory tr;
  tr.output_times_h = output_times_h;
  tr.probe_times_h = probe_times_h;
  tr.sample_times_h = sample_times_h;
  tr.states.resize(static_cast<Eigen::Index>(output_times_h.size()), idx::kStateSize);
  tr.probe_states.resize(static_cast<Eigen::Index>(probe_times_h.size()), idx::kStateSize);
  tr.feces_soluble_samples.resize(sample_times_h.size());
  tr.urine_samples.resize(sample_times_h.size());
  tr.time_above_h.assign(thresholds.size(), 0.0);

  // x/dxdt: state and derivative at the start of the current step (FSAL: the
  // derivative at a step's end is the next step's start derivative).
  State x = x0, dxdt, x_new, dxdt_new, xt;
  const double initial_amount = total_amount(x0);
  double dosed = 0.0;
  auto record_balance = [&](const State& s) {
    const double inputs = initial_amount + dosed + s[idx::kDietInCum] + s[idx::kInfusedCum];
    tr.mass_balance_rel_error =
        std::max(tr.mass_balance_rel_error, std::abs(total_amount(s) - inputs) / inputs);
  };
  std::size_t next_output = 0, next_probe = 0, next_sample = 0;
  // Emits outputs and probes due before t_limit (or at it, if inclusive).
  auto emit = [&](double t_limit, bool inclusive, auto&& state_at) {
    auto due = [&](double t) { return t < t_limit || (inclusive && t <= t_limit); };
    for (; next_output < output_times_h.size() && due(output_times_h[next_output]); ++next_output) {
      state_at(output_times_h[next_output], xt);
      if (!xt.allFinite()) {
        throw std::runtime_error(
            "non-finite state at t=" + std::to_string(output_times_h[next_output]) + " h");
      }
      tr.states.row(static_cast<Eigen::Index>(next_output)) = xt.transpose();
      record_balance(xt);
    }
    for (; next_probe < probe_times_h.size() && due(probe_times_h[next_probe]); ++next_probe) {
      state_at(probe_times_h[next_probe], xt);
      tr.probe_states.row(static_cast<Eigen::Index>(next_probe)) = xt.transpose();
    }
    for (; next_sample < sample_times_h.size() && due(sample_times_h[next_sample]); ++next_sample) {
      state_at(sample_times_h[next_sample], xt);
      tr.feces_soluble_samples[next_sample] = xt[idx::kFecesSolubleCum];
      tr.urine_samples[next_sample] = xt[idx::kUrineCum];
    }
  };
  bool first_serum = true;  // extrema start from the state after the events at t = 0
  auto note_serum = [&](double s, double t) {
    if (first_serum || s > tr.serum_max) {
      tr.serum_max = s;
      tr.serum_max_time_h = t;
    }
    if (first_serum || s < tr.serum_min) {
      tr.serum_min = s;
      tr.serum_min_time_h = t;
    }
    first_serum = false;
  };
  auto note_colon = [&](double load, double t) {
    if (load > tr.colon_load_max) {
      tr.colon_load_max = load;
      tr.colon_load_max_time_h = t;
    }
  };

  const State atol = absolute_tolerances(options);
  Controlled stepper(PerStateErrorChecker(
      atol, options.rtol, idx::kFixedCount + static_cast<int>(schedule.pools.size())));
  auto system = std::ref(model);
  double dt = 1e-3;
  for (std::size_t k = 0; k < n_breakpoints; ++k) {
    const double a = breakpoints[k];
    const InstantDoses& doses = schedule.instants[k];
    for (std::size_t p = 0; p < doses.undissolved_mmol.size(); ++p) {
      x[idx::kFixedCount + static_cast<int>(p)] += doses.undissolved_mmol[p];
    }
    x[idx::kStomachSup] += doses.dissolved_mmol;
    x[idx::kPlasma] += doses.iv_bolus_mmol;
    // IM: the bioavailable share enters the depot, the rest the muscle's cells.
    const double im_to_depot = model.subject().im_bioavailability * doses.im_mmol;
    x[idx::kImDepot] += im_to_depot;
    x[idx::kTissue] += doses.im_mmol - im_to_depot;
    dosed += doses.total();
    model.set_inputs(schedule.segments[k]);
    note_serum(model.serum_mmol_l(x), a);
    note_colon(Model::colon_supplement_load(x), a);
    emit(a, true, [&x](double, State& out) { out = x; });
    if (k + 1 == n_breakpoints) break;

    if (options.should_stop && options.should_stop()) throw Interrupted();
    const double b = breakpoints[k + 1];
    // After a dose the fast gut modes restart: begin with a short step rather
    // than the last (possibly long) one, which would be rejected repeatedly.
    // Likewise when a meal starts emptying into the small intestine.
    const bool meal_starts =
        k > 0 && schedule.segments[k].diet_mmol_h > schedule.segments[k - 1].diet_mmol_h;
    if (doses.total() > 0.0 || meal_starts) dt = std::min(dt, kFirstStepAfterDoseH);
    model(x, dxdt, a);
    double t = a;
    int failures = 0;
    while (t < b) {
      // Decaying pools (IM depot, undissolved doses, supplement in the gut) must
      // not be stepped over in one long step: the interpolant could dip below
      // zero. While a pool holds more than 1e-4 of its absolute tolerance, a step
      // spans at most one (IM depot) or two (gut pools) of its current time
      // constants x / (-dx/dt).
      double time_constant_cap = std::numeric_limits<double>::infinity();
      for (int i : kDecayingStates) {
        if (i >= idx::kFixedCount + static_cast<int>(schedule.pools.size())) break;
        if ((i == idx::kSiDiet || i == idx::kColonDiet) && x[i] <= atol[i]) continue;
        if (x[i] > 1e-4 * atol[i] && dxdt[i] < 0.0) {
          // One time constant for the IM depot (a pure exponential over days), two
          // for the gut pools (their steps are short anyway while they matter).
          const double factor = i == idx::kImDepot ? 1.0 : 2.0;
          time_constant_cap = std::min(time_constant_cap, factor * -x[i] / dxdt[i]);
        }
      }
      dt = std::min(dt, time_constant_cap);
      // Steps end exactly at the segment end: the right-hand side changes there.
      const bool last = dt >= b - t;
      double step = last ? b - t : dt;
      const double t_old = t;
      odeint::controlled_step_result outcome;
      try {
        outcome = stepper.try_step(system, x, dxdt, t, x_new, dxdt_new, step);
      } catch (const std::exception& error) {
        throw std::runtime_error("integration failed at t=" + std::to_string(t) + " h (segment " +
                                 std::to_string(a) + "-" + std::to_string(b) +
                                 " h): " + error.what());
      }
      if (outcome == odeint::fail) {
        dt = step;  // reduced by the controller
        if (++failures > 500 || !(dt > 1e-14 * std::max(1.0, b))) {
          throw std::runtime_error("step size underflow at t=" + std::to_string(t) + " h");
        }
        continue;
      }
      failures = 0;
      if (options.should_stop && tr.steps % kStopPollSteps == 0 && options.should_stop()) {
        throw Interrupted();
      }
      if (++tr.steps > options.max_steps) {
        throw std::runtime_error("integration exceeded max_steps=" +
                                 std::to_string(options.max_steps));
      }
      if (last) t = b;  // no round-off drift past the event
      const double t_new = t;
      // Keep the proposed step unless this one was shortened to hit the event.
      if (!last || step > dt) dt = step;
      auto state_at = [&](double tq, State& out) {
        stepper.stepper().calc_state(tq, out, x, dxdt, t_old, x_new, dxdt_new, t_new);
      };
      auto serum_at = [&](double tq) {
        state_at(tq, xt);
        return model.serum_mmol_l(xt);
      };
      const double serum_a = model.serum_mmol_l(x), serum_b = model.serum_mmol_l(x_new);
      const double serum_rate_a = dxdt[idx::kPlasma] / volume;
      const double serum_rate_b = dxdt_new[idx::kPlasma] / volume;

      // Serum extremum inside the step: split the step there, so that serum is
      // monotone on each part and every threshold is crossed at most once.
      double split[3] = {t_old, t_new, t_new};
      double split_serum[3] = {serum_a, serum_b, serum_b};
      int parts = 1;
      if ((serum_rate_a > 0.0 && serum_rate_b < 0.0) ||
          (serum_rate_a < 0.0 && serum_rate_b > 0.0)) {
        const double sign = serum_rate_a > 0.0 ? 1.0 : -1.0;  // maximum or minimum
        const double te =
            golden_section_max(t_old, t_new, [&](double tq) { return sign * serum_at(tq); });
        split[1] = te;
        split_serum[1] = serum_at(te);
        note_serum(split_serum[1], te);
        parts = 2;
      }
      const double colon_rate_a = dxdt[idx::kColonSup] + dxdt[idx::kColonSolid];
      const double colon_rate_b = dxdt_new[idx::kColonSup] + dxdt_new[idx::kColonSolid];
      if (colon_rate_a > 0.0 && colon_rate_b < 0.0) {
        auto load_at = [&](double tq) {
          state_at(tq, xt);
          return Model::colon_supplement_load(xt);
        };
        const double te = golden_section_max(t_old, t_new, load_at);
        note_colon(load_at(te), te);
      }
      note_serum(serum_b, t_new);
      note_colon(Model::colon_supplement_load(x_new), t_new);

      for (int part = 0; part < parts; ++part) {
        const double u = split[part], w = split[part + 1];
        const double su = split_serum[part], sw = split_serum[part + 1];
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
          tr.time_above_h[i] += time_beyond(thresholds[i], true);
        }
        tr.time_below_hypo_h += time_beyond(kHypoThreshold, false);
      }

      // Outputs inside the step; one at the segment end waits for its events.
      emit(t_new, !last, state_at);
      std::swap(x, x_new);
      std::swap(dxdt, dxdt_new);
    }
  }
  if (!x.allFinite()) throw std::runtime_error("non-finite final state");
  tr.final_state = x;
  record_balance(x);
  return tr;
}

Trajectory steady_trajectory(const Model& model, const State& x0,
                             const std::vector<double>& output_times_h,
                             const std::vector<double>& probe_times_h,
                             const std::vector<double>& sample_times_h, double t_end_h) {
  check_times(output_times_h, t_end_h, "output times");
  check_times(probe_times_h, t_end_h, "probe times");
  check_times(sample_times_h, t_end_h, "sample times");
  State rate;
  model(x0, rate, 0.0);
  // Only the ledger states move. The pools' residual rates are the steady
  // state's round-off; they are booked to feces so that mass is conserved exactly.
  rate[idx::kFecesCum] += rate.head(idx::kImDepot + 1).sum();
  rate.head(idx::kAbsorbedCum).setZero();
  rate.tail(idx::kMaxPools).setZero();
  auto at = [&](double t) -> State { return x0 + t * rate; };
  Trajectory tr = trajectory_from_function(at, output_times_h, probe_times_h, sample_times_h);
  tr.final_state = at(t_end_h);
  const double serum = model.serum_mmol_l(x0);
  tr.serum_max = tr.serum_min = serum;
  const auto& thresholds = serum_thresholds_above();
  tr.time_above_h.assign(thresholds.size(), 0.0);
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (serum > thresholds[i]) tr.time_above_h[i] = t_end_h;
  }
  tr.time_below_hypo_h = serum < kHypoThreshold ? t_end_h : 0.0;
  // Mass balance holds by construction: the ledger rates balance the inputs.
  const double inputs = total_amount(x0);
  tr.mass_balance_rel_error =
      std::abs(total_amount(tr.final_state) - inputs - tr.final_state[idx::kDietInCum]) / inputs;
  return tr;
}

}  // namespace magpk

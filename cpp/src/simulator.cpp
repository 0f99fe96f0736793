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

#include "integration_observers.hpp"
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

// The step-size cap of the decaying pools, h (infinity when none limits the step).
// Decaying pools (IM depot, undissolved doses, supplement in the gut) must
// not be stepped over in one long step: the interpolant could dip below
// zero. While a pool holds more than 1e-4 of its absolute tolerance, a step
// spans at most one (IM depot) or two (gut pools) of its current time
// constants x / (-dx/dt).
double decaying_pool_step_cap_h(const State& x, const State& dxdt, const State& atol,
                                int states_in_use) {
  double time_constant_cap = std::numeric_limits<double>::infinity();
  for (int i : kDecayingStates) {
    if (i >= states_in_use) break;
    if ((i == idx::kSiDiet || i == idx::kColonDiet) && x[i] <= atol[i]) continue;
    if (x[i] > 1e-4 * atol[i] && dxdt[i] < 0.0) {
      // One time constant for the IM depot (a pure exponential over days), two
      // for the gut pools (their steps are short anyway while they matter).
      const double factor = i == idx::kImDepot ? 1.0 : 2.0;
      time_constant_cap = std::min(time_constant_cap, factor * -x[i] / dxdt[i]);
    }
  }
  return time_constant_cap;
}

// Initial step after a dose, h: a fraction of the fastest gut time constant
// (dissolution of soluble salts, 1/2 h).
constexpr double kFirstStepAfterDoseH = 0.05;

double total_amount(const State& x) { return accounted_amount(x); }

// Adds the doses given at one instant (a breakpoint) to the state.
void add_instant_doses(const InstantDoses& doses, double im_bioavailability, State& x) {
  for (std::size_t p = 0; p < doses.undissolved_mmol.size(); ++p) {
    x[idx::kFixedCount + static_cast<int>(p)] += doses.undissolved_mmol[p];
  }
  x[idx::kStomachSup] += doses.dissolved_mmol;
  x[idx::kPlasma] += doses.iv_bolus_mmol;
  // IM: the bioavailable share enters the depot, the rest the muscle's cells.
  const double im_to_depot = im_bioavailability * doses.im_mmol;
  x[idx::kImDepot] += im_to_depot;
  x[idx::kTissue] += doses.im_mmol - im_to_depot;
}

// Whether a meal starts emptying into the small intestine at breakpoint k.
bool meal_starts(const Schedule& schedule, std::size_t k) {
  return k > 0 && schedule.segments[k].diet_mmol_h > schedule.segments[k - 1].diet_mmol_h;
}

// The observers of one integration (integration_observers.hpp), fed after the
// events at every breakpoint and after every accepted step; together they
// make the Trajectory.
class TrajectoryRecorder {
 public:
  TrajectoryRecorder(const Model& model, const State& x0, const std::vector<double>& output_times_h,
                     const std::vector<double>& probe_times_h,
                     const std::vector<double>& sample_times_h)
      : model_(model),
        ledger_(x0),
        sampler_(output_times_h, probe_times_h, sample_times_h, ledger_) {}

  void add_doses(double mmol) { ledger_.add_doses(mmol); }

  // The state at an event time, after the events there.
  void after_events(double t_h, const State& x) {
    serum_extrema_.note(model_.serum_mmol_l(x), t_h);
    colon_load_.note(Model::colon_supplement_load(x), t_h);
    sampler_.emit(t_h, true, [&x](double, State& out) { out = x; });
  }

  // An accepted step with its dense output state_at(t_h, State& out);
  // `ends_segment`: the step ends at the next event.
  template <class StateAt>
  void after_step(const StepEnds& step, bool ends_segment, StateAt&& state_at) {
    auto serum_at = [&](double t_h) {
      state_at(t_h, scratch_);
      return model_.serum_mmol_l(scratch_);
    };
    const MonotoneSerumParts parts = split_at_serum_extremum(step, model_, serum_at);
    serum_extrema_.note_step(parts);
    colon_load_.note_step(step, state_at, scratch_);
    threshold_timer_.add_step(parts, serum_at);
    // Outputs inside the step; one at the segment end waits for its events.
    sampler_.emit(step.t_new_h, !ends_segment, state_at);
  }

  Trajectory finish(const State& x_end, long steps) {
    Trajectory tr;
    sampler_.move_into(tr);
    serum_extrema_.write_to(tr);
    colon_load_.write_to(tr);
    threshold_timer_.write_to(tr);
    tr.final_state = x_end;
    ledger_.record(x_end);
    tr.mass_balance_rel_error = ledger_.max_rel_error();
    tr.steps = steps;
    return tr;
  }

 private:
  const Model& model_;
  MassLedger ledger_;
  OutputSampler sampler_;
  SerumExtrema serum_extrema_;
  ColonLoadMax colon_load_;
  ThresholdTimer threshold_timer_;
  State scratch_;  // dense-output evaluations
};

// Steps the state through the segments between events with the controlled
// Dormand-Prince stepper. The step size carries over from one segment to the next.
class SegmentIntegrator {
 public:
  SegmentIntegrator(const Model& model, int states_in_use, const SolverOptions& options)
      : model_(model),
        options_(options),
        atol_(absolute_tolerances(options)),
        states_in_use_(states_in_use),
        stepper_(PerStateErrorChecker(atol_, options.rtol, states_in_use)) {}

  void restart_with_short_step() { dt_h_ = std::min(dt_h_, kFirstStepAfterDoseH); }

  // Integrates x from a_h to b_h (no events in between), feeding every accepted
  // step to the recorder.
  void integrate_segment(double a_h, double b_h, State& x, TrajectoryRecorder& recorder) {
    model_(x, dxdt_, a_h);
    double t = a_h;
    int failures = 0;
    while (t < b_h) {
      dt_h_ = std::min(dt_h_, decaying_pool_step_cap_h(x, dxdt_, atol_, states_in_use_));
      // Steps end exactly at the segment end: the right-hand side changes there.
      const bool last = dt_h_ >= b_h - t;
      double step = last ? b_h - t : dt_h_;
      const double t_old = t;
      if (!try_step(x, t, step, a_h, b_h)) {
        dt_h_ = step;  // reduced by the controller
        if (++failures > 500 || !(dt_h_ > 1e-14 * std::max(1.0, b_h))) {
          throw std::runtime_error("step size underflow at t=" + std::to_string(t) + " h");
        }
        continue;
      }
      failures = 0;
      count_accepted_step();
      if (last) t = b_h;  // no round-off drift past the event
      const double t_new = t;
      // Keep the proposed step unless this one was shortened to hit the event.
      if (!last || step > dt_h_) dt_h_ = step;
      auto state_at = [&](double tq, State& out) {
        stepper_.stepper().calc_state(tq, out, x, dxdt_, t_old, x_new_, dxdt_new_, t_new);
      };
      recorder.after_step(StepEnds{t_old, t_new, x, dxdt_, x_new_, dxdt_new_}, last, state_at);
      std::swap(x, x_new_);
      std::swap(dxdt_, dxdt_new_);
    }
  }

  long steps() const { return steps_; }

 private:
  // One attempt at a step from (t, x): true if accepted (t advanced, the step's
  // end in x_new_ and dxdt_new_), false if rejected; `step` is the next proposal.
  bool try_step(const State& x, double& t, double& step, double a_h, double b_h) {
    odeint::controlled_step_result outcome;
    try {
      outcome = stepper_.try_step(std::cref(model_), x, dxdt_, t, x_new_, dxdt_new_, step);
    } catch (const std::exception& error) {
      throw std::runtime_error("integration failed at t=" + std::to_string(t) + " h (segment " +
                               std::to_string(a_h) + "-" + std::to_string(b_h) +
                               " h): " + error.what());
    }
    return outcome != odeint::fail;
  }

  // Polls the stop request every kStopPollSteps steps and enforces max_steps.
  void count_accepted_step() {
    if (options_.should_stop && steps_ % kStopPollSteps == 0 && options_.should_stop()) {
      throw Interrupted();
    }
    if (++steps_ > options_.max_steps) {
      throw std::runtime_error("integration exceeded max_steps=" +
                               std::to_string(options_.max_steps));
    }
  }

  const Model& model_;
  const SolverOptions& options_;
  State atol_;
  int states_in_use_;  // fixed states and the schedule's pool slots
  Controlled stepper_;
  // dxdt_: the derivative at the start of the current step (FSAL: the
  // derivative at a step's end is the next step's start derivative).
  State dxdt_, x_new_, dxdt_new_;
  double dt_h_ = 1e-3;  // the next step proposed
  long steps_ = 0;      // accepted steps
};

}  // namespace

void check_times(const std::vector<double>& times, double t_end, const char* what) {
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (!(times[i] >= 0.0 && times[i] <= t_end) || (i > 0 && times[i] < times[i - 1])) {
      throw std::invalid_argument(std::string(what) + " must be sorted and within [0, t_end]");
    }
  }
}

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

  TrajectoryRecorder recorder(model, x0, output_times_h, probe_times_h, sample_times_h);
  SegmentIntegrator integrator(model, idx::kFixedCount + static_cast<int>(schedule.pools.size()),
                               options);
  State x = x0;
  for (std::size_t k = 0; k < n_breakpoints; ++k) {
    const InstantDoses& doses = schedule.instants[k];
    add_instant_doses(doses, model.subject().im_bioavailability, x);
    recorder.add_doses(doses.total());
    model.set_inputs(schedule.segments[k]);
    recorder.after_events(breakpoints[k], x);
    if (k + 1 == n_breakpoints) break;

    if (options.should_stop && options.should_stop()) throw Interrupted();
    // After a dose the fast gut modes restart: begin with a short step rather
    // than the last (possibly long) one, which would be rejected repeatedly.
    // Likewise when a meal starts emptying into the small intestine.
    if (doses.total() > 0.0 || meal_starts(schedule, k)) integrator.restart_with_short_step();
    integrator.integrate_segment(breakpoints[k], breakpoints[k + 1], x, recorder);
  }
  if (!x.allFinite()) throw std::runtime_error("non-finite final state");
  return recorder.finish(x, integrator.steps());
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

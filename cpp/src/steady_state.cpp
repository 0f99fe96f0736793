#include "magpk/steady_state.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "magpk/simulator.hpp"

namespace magpk {
namespace {

// Positive root L of  inflow = vmax L / (km + L) + k L  (k > 0, inflow >= 0).
double saturable_pool(double inflow, double vmax, double km, double k) {
  if (inflow <= 0.0) return 0.0;
  const double b = k * km + vmax - inflow;
  const double disc = std::sqrt(b * b + 4.0 * k * inflow * km);
  // Numerically stable form of the two equivalent roots.
  return b >= 0.0 ? 2.0 * inflow * km / (b + disc) : (-b + disc) / (2.0 * k);
}

struct GutBalance {
  double si, colon, absorbed;
};

GutBalance gut_balance(const Model& model, double diet_mmol_h, double serum) {
  const SubjectParameters& s = model.subject();
  const double inflow = diet_mmol_h + s.secretion_clearance_l_h * serum;
  const double si_vmax = model.si_vmax_mmol_h(), colon_vmax = model.colon_vmax_mmol_h();
  const double si =
      saturable_pool(inflow, si_vmax, s.km_mmol, s.si_paracellular_per_h + s.si_transit_per_h);
  const double colon =
      saturable_pool(s.si_transit_per_h * si, colon_vmax, s.km_mmol, s.colon_transit_per_h);
  const double absorbed = si_vmax * si / (s.km_mmol + si) + s.si_paracellular_per_h * si +
                          colon_vmax * colon / (s.km_mmol + colon);
  return {si, colon, absorbed};
}

}  // namespace

SteadyState solve_steady_state(const Model& model_in, const SegmentInputs& inputs) {
  Model model = model_in;
  SegmentInputs constant = inputs;
  constant.fed = false;
  constant.infusion_mmol_h = 0.0;
  model.set_inputs(constant);
  const double diet_mmol_h = constant.diet_mmol_h;
  const SubjectParameters& s = model.subject();
  if (!(diet_mmol_h > 0.0)) {
    throw std::runtime_error(
        "no homeostatic steady state without dietary intake (diet must be > 0)");
  }
  // Net plasma balance: absorption - urine - secretion - sweat, decreasing in
  // serum (the stores are in balance with serum on their own).
  const double thiazide_effect = constant.thiazide ? 1.0 : 0.0;
  auto balance = [&](double serum) {
    return gut_balance(model, diet_mmol_h, serum).absorbed -
           model.urine_rate(serum, thiazide_effect) -
           (s.secretion_clearance_l_h + s.sweat_clearance_l_h) * serum;
  };
  double low = 0.0, high = 1.0;
  while (balance(high) > 0.0) {
    high *= 2.0;
    if (high > 1e3)
      throw std::runtime_error("steady-state serum above 1000 mmol/L: no steady state");
  }
  for (int iteration = 0; iteration < 200 && high - low > 1e-15 * high; ++iteration) {
    const double mid = 0.5 * (low + high);
    (balance(mid) > 0.0 ? low : high) = mid;
  }
  const double serum = 0.5 * (low + high);
  const GutBalance gut = gut_balance(model, diet_mmol_h, serum);

  SteadyState result;
  result.serum_mmol_l = serum;
  result.mean_serum_mmol_l = serum;
  result.state = State::Zero();
  result.state[idx::kSiDiet] = gut.si;
  result.state[idx::kColonDiet] = gut.colon;
  result.state[idx::kPlasma] = serum * s.ecf_volume_l;
  result.state[idx::kPeripheral] = serum * s.peripheral_volume_l;
  const double ratio = model.store_uptake_ratio(serum);
  result.state[idx::kTissue] = s.tissue_reference_mmol * ratio;
  result.state[idx::kBone] = s.bone_reference_mmol * ratio;
  result.state[idx::kTissueBound] = s.tissue_bound_mmol;
  result.state[idx::kDeepBone] = s.deep_bone_reference_mmol * serum / s.reference_serum_mmol_l;
  result.state[idx::kThiazideEffect] = thiazide_effect;

  // Check: every pool's rate of change must vanish. A non-finite pool or rate
  // (e.g. a Hill coefficient so steep that h(reference serum) underflows) would
  // slip through the max() below, which skips NaN: refuse it first.
  State rate;
  model(result.state, rate, 0.0);
  if (!result.state.allFinite() || !rate.allFinite()) {
    throw std::runtime_error(
        "steady state is not finite: the parameters are outside the model's numerical range");
  }
  result.max_rate_residual = 0.0;
  for (int i = 0; i <= idx::kImDepot; ++i) {
    result.max_rate_residual = std::max(result.max_rate_residual, std::abs(rate[i]));
  }
  // Relative to the largest fluxes through the pools (plus an absolute floor of
  // round-off for near-zero intakes).
  const Fluxes f = model.fluxes(result.state);
  const double scale = diet_mmol_h + f.secretion + f.urine + f.tissue_release + f.bone_release +
                       s.intercompartmental_clearance_l_h * serum;
  if (!(result.max_rate_residual <= 1e-9 * scale + 1e-14)) {
    throw std::runtime_error("steady state did not converge: residual " +
                             std::to_string(result.max_rate_residual) + " mmol/h");
  }
  return result;
}

namespace {

// The pools that are not zero without doses: the unknowns of the periodic solve.
constexpr int kUnknowns[] = {idx::kSiDiet, idx::kColonDiet, idx::kPlasma,  idx::kPeripheral,
                             idx::kTissue, idx::kBone,      idx::kDeepBone};
constexpr int kUnknownCount = 7;
using Drift = Eigen::Matrix<double, kUnknownCount, 1>;
using DriftJacobian = Eigen::Matrix<double, kUnknownCount, kUnknownCount>;

SolverOptions day_options(double rtol, double atol_mmol) {
  SolverOptions options;
  options.rtol = rtol;
  options.atol = atol_mmol;
  options.atol_gut = atol_mmol;
  return options;
}

// Residuals are integrated at rtol 1e-9: one day from the solution then ends
// within 3e-10 mmol of an rtol 1e-13 integration (reference adult, measured),
// ~300x below the convergence tolerance, so a tighter run buys nothing.
const SolverOptions kResidualOptions = day_options(1e-9, 1e-11);
// The chord Jacobian only steers the iteration (convergence is judged on the
// residual), so its columns are integrated at rtol 1e-7 (end-state error
// ~1e-7 mmol) with a difference step of 1e-4 of the pool, at least 1e-6 of
// the body's Mg (~1e-3 mmol in an adult): <= 1e-4 relative error per column.
const SolverOptions kJacobianOptions = day_options(1e-7, 1e-9);

// The one-day map x(0) -> x(24 h) of the habitual day, its drift x(24 h) - x(0)
// on the unknowns, and a step budget shared by every day it integrates.
class DayMap {
 public:
  DayMap(const Model& model, const Schedule& day, long max_steps)
      : model_(model), day_(day), max_steps_(max_steps), steps_left_(max_steps) {}

  State end_of_day(const State& x0, SolverOptions options) {
    if (steps_left_ <= 0) {
      throw std::runtime_error("periodic steady state: the step budget max_steps=" +
                               std::to_string(max_steps_) + " is used up");
    }
    options.max_steps = steps_left_;
    try {
      const std::vector<double> none;
      const Trajectory run = integrate(model_, day_, x0, none, none, options);
      steps_left_ -= run.steps;
      return run.final_state;
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(std::string("periodic steady state (step budget max_steps=") +
                               std::to_string(max_steps_) +
                               " for the whole solve): " + error.what());
    }
  }

  static Drift drift(const State& x0, const State& end) {
    Drift r;
    for (int i = 0; i < kUnknownCount; ++i) r[i] = end[kUnknowns[i]] - x0[kUnknowns[i]];
    return r;
  }

  // Jacobian of the drift by forward differences (see kJacobianOptions).
  DriftJacobian jacobian(const State& x, double body_mmol) {
    DriftJacobian result;
    const Drift base = drift(x, end_of_day(x, kJacobianOptions));
    for (int j = 0; j < kUnknownCount; ++j) {
      State xp = x;
      const double h = std::max(1e-4 * std::abs(x[kUnknowns[j]]), 1e-6 * body_mmol);
      xp[kUnknowns[j]] += h;
      result.col(j) = (drift(xp, end_of_day(xp, kJacobianOptions)) - base) / h;
    }
    return result;
  }

 private:
  const Model& model_;
  const Schedule& day_;
  long max_steps_;
  long steps_left_;
};

}  // namespace

SteadyState solve_periodic_steady_state(const Model& model, const Schedule& day, long max_steps) {
  if (day.breakpoints.front() != 0.0 || day.breakpoints.back() != 24.0) {
    throw std::invalid_argument("periodic steady state needs a 0-24 h day schedule");
  }
  // Initial guess: the continuous steady state at the same daily intake.
  const SubjectParameters& s = model.subject();
  SegmentInputs mean_inputs = day.segments.front();
  mean_inputs.diet_mmol_h = s.diet_mmol_h;
  SteadyState result = solve_steady_state(model, mean_inputs);

  // Converged when no pool drifts by more than 1e-10 of the body's Mg per day
  // (with a floor of round-off for a body emptied by a near-zero diet).
  const double body_mmol = body_amount(result.state);
  const double tolerance = 1e-10 * body_mmol + 1e-12;

  DayMap map(model, day, max_steps);
  State x = result.state;
  State end = map.end_of_day(x, kResidualOptions);
  Drift r = DayMap::drift(x, end);
  Eigen::PartialPivLU<DriftJacobian> lu;
  bool have_jacobian = false;
  double previous = std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < 30 && r.cwiseAbs().maxCoeff() > tolerance; ++iteration) {
    const double size = r.cwiseAbs().maxCoeff();
    // Chord iterations reuse the Jacobian while the drift shrinks >= 4-fold a step.
    if (!have_jacobian || size > 0.25 * previous) {
      lu.compute(map.jacobian(x, body_mmol));
      have_jacobian = true;
    }
    previous = size;
    const Drift step = lu.solve(-r);
    for (int i = 0; i < kUnknownCount; ++i) x[kUnknowns[i]] += step[i];
    end = map.end_of_day(x, kResidualOptions);
    r = DayMap::drift(x, end);
  }
  result.max_rate_residual = r.cwiseAbs().maxCoeff();
  if (!(result.max_rate_residual <= tolerance)) {
    char drift[96];
    std::snprintf(drift, sizeof drift, "%.3g mmol/day (tolerance %.3g)", result.max_rate_residual,
                  tolerance);
    throw std::runtime_error(std::string("periodic steady state did not converge: drift ") + drift);
  }
  // Ledgers start at zero (the thiazide effect is not a ledger; pool slots are 0).
  const double thiazide_effect = x[idx::kThiazideEffect];
  x.tail(idx::kStateSize - idx::kAbsorbedCum).setZero();
  x[idx::kThiazideEffect] = thiazide_effect;
  result.state = x;
  result.serum_mmol_l = model.serum_mmol_l(x);
  result.mean_serum_mmol_l = end[idx::kSerumAuc] / 24.0;
  return result;
}

}  // namespace magpk

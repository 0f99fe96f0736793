#include "magpk/simulator.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen_algebra.hpp>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

namespace magpk {
namespace {

// The fixed-size Eigen state needs no resizing: only odeint's Eigen algebra
// (abs, infinity norm) is used, not its resize support.
namespace odeint = boost::numeric::odeint;
using Dopri5 = odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;

// Error control with a per-state absolute tolerance: the gut pools decay
// towards zero after every dose and would otherwise set the step size long
// after they stopped mattering. err_i / (atol_i + rtol (|x_i| + dt |dx_i|)).
class PerStateErrorChecker {
 public:
  using value_type = double;
  using algebra_type = odeint::vector_space_algebra;
  using operations_type = odeint::default_operations;

  PerStateErrorChecker(const State& atol, double rtol) : atol_(atol), rtol_(rtol) {}

  template <class StateIn, class Deriv, class Err, class Time>
  double error(algebra_type& /*algebra*/, const StateIn& x_old, const Deriv& dxdt_old, Err& x_err,
               Time dt) const {
    return (x_err.array().abs() /
            (atol_.array() + rtol_ * (x_old.array().abs() + std::abs(dt) * dxdt_old.array().abs())))
        .maxCoeff();
  }
  template <class StateIn, class Deriv, class Err, class Time>
  double error(const StateIn& x_old, const Deriv& dxdt_old, Err& x_err, Time dt) const {
    algebra_type algebra;
    return error(algebra, x_old, dxdt_old, x_err, dt);
  }

 private:
  State atol_;
  double rtol_;
};

using Controlled = odeint::controlled_runge_kutta<Dopri5, PerStateErrorChecker>;
using DenseOutput = odeint::dense_output_runge_kutta<Controlled>;

State absolute_tolerances(const SolverOptions& options) {
  State atol = State::Constant(options.atol);
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

// Initial step after a dose, h: a fraction of the fastest gut time constant
// (dissolution of soluble salts, 1/2 h).
constexpr double kFirstStepAfterDoseH = 0.05;

double total_amount(const State& x) {
  return gut_amount(x) + body_amount(x) + x[idx::kUrineCum] + x[idx::kFecesCum];
}

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
  const auto& breakpoints = schedule.breakpoints;
  const std::size_t n_breakpoints = breakpoints.size();
  const double t_end = breakpoints.back();
  check_times(output_times_h, t_end, "output times");
  check_times(probe_times_h, t_end, "probe times");

  const int n = model.state_size();
  const double volume = model.subject().ecf_volume_l;
  const auto& thresholds = serum_thresholds_above();
  Trajectory tr;
  tr.output_times_h = output_times_h;
  tr.probe_times_h = probe_times_h;
  tr.states.resize(static_cast<Eigen::Index>(output_times_h.size()), n);
  tr.probe_states.resize(static_cast<Eigen::Index>(probe_times_h.size()), n);
  tr.time_above_h.assign(thresholds.size(), 0.0);

  State x = x0, xa, xb, xt, dx;
  const double initial_amount = total_amount(x0);
  double dosed = 0.0;
  auto record_balance = [&](const State& s) {
    const double inputs = initial_amount + dosed + s[idx::kDietInCum] + s[idx::kInfusedCum];
    tr.mass_balance_rel_error =
        std::max(tr.mass_balance_rel_error, std::abs(total_amount(s) - inputs) / inputs);
  };
  std::size_t next_output = 0, next_probe = 0;
  auto emit = [&](double t_limit, bool inclusive, const std::function<void(double, State&)>& at) {
    auto due = [&](double t) { return t < t_limit || (inclusive && t <= t_limit); };
    for (; next_output < output_times_h.size() && due(output_times_h[next_output]); ++next_output) {
      at(output_times_h[next_output], xt);
      tr.states.row(static_cast<Eigen::Index>(next_output)) = xt.transpose();
      record_balance(xt);
    }
    for (; next_probe < probe_times_h.size() && due(probe_times_h[next_probe]); ++next_probe) {
      at(probe_times_h[next_probe], xt);
      tr.probe_states.row(static_cast<Eigen::Index>(next_probe)) = xt.transpose();
    }
  };
  bool first_serum = true;  // extrema start from the state after the events at t = 0
  auto note_serum = [&](double s, double t) {
    if (first_serum || s > tr.serum_max) { tr.serum_max = s; tr.serum_max_time_h = t; }
    if (first_serum || s < tr.serum_min) { tr.serum_min = s; tr.serum_min_time_h = t; }
    first_serum = false;
  };
  auto note_colon = [&](double load, double t) {
    if (load > tr.colon_load_max) { tr.colon_load_max = load; tr.colon_load_max_time_h = t; }
  };

  if (!(options.rtol > 0.0 && options.atol > 0.0 && options.atol_gut > 0.0)) {
    throw std::invalid_argument("solver tolerances must be > 0");
  }
  DenseOutput dense{Controlled(PerStateErrorChecker(absolute_tolerances(options), options.rtol))};
  double dt = 1e-3;
  for (std::size_t k = 0; k < n_breakpoints; ++k) {
    const double a = breakpoints[k];
    const InstantDoses& doses = schedule.instants[k];
    for (std::size_t p = 0; p < doses.undissolved_mmol.size(); ++p) {
      x[idx::kFixedCount + static_cast<int>(p)] += doses.undissolved_mmol[p];
    }
    x[idx::kSiSup] += doses.dissolved_mmol;
    x[idx::kPlasma] += doses.iv_bolus_mmol;
    x[idx::kImDepot] += doses.im_mmol;
    dosed += doses.total();
    model.set_inputs(schedule.segments[k]);
    note_serum(model.serum_mmol_l(x), a);
    note_colon(Model::colon_supplement_load(x), a);
    emit(a, true, [&x](double, State& out) { out = x; });
    if (k + 1 == n_breakpoints) break;

    const double b = breakpoints[k + 1];
    // After a dose the fast gut modes restart: begin with a short step rather
    // than the last (possibly long) one, which would be rejected repeatedly.
    const double first_dt = doses.total() > 0.0 ? std::min(dt, kFirstStepAfterDoseH) : dt;
    dense.initialize(x, a, std::min(first_dt, b - a));
    double ta = a;
    xa = x;
    model(xa, dx, ta);
    double serum_a = model.serum_mmol_l(xa);
    double serum_rate_a = dx[idx::kPlasma] / volume;
    double colon_rate_a = dx[idx::kColonSup] + dx[idx::kColonSolid];
    auto state_at = [&](double t, State& out) { dense.calc_state(t, out); };
    auto serum_at = [&](double t) { dense.calc_state(t, xt); return model.serum_mmol_l(xt); };
    auto rates_at = [&](double t) { dense.calc_state(t, xt); model(xt, dx, t); return dx; };
    while (ta < b) {
      try {
        dense.do_step(std::ref(model));
      } catch (const std::exception& error) {
        throw std::runtime_error("integration failed at t=" + std::to_string(dense.current_time()) +
                                 " h (segment " + std::to_string(a) + "-" + std::to_string(b) +
                                 " h): " + error.what());
      }
      if (++tr.steps > options.max_steps) {
        throw std::runtime_error("integration exceeded max_steps=" +
                                 std::to_string(options.max_steps));
      }
      const double tb = std::min(dense.current_time(), b);
      if (tb == dense.current_time()) {
        xb = dense.current_state();
      } else {
        dense.calc_state(tb, xb);
      }
      model(xb, dx, tb);
      const double serum_rate_b = dx[idx::kPlasma] / volume;
      const double colon_rate_b = dx[idx::kColonSup] + dx[idx::kColonSolid];

      // Serum extremum inside the step: split the step there, so that serum is
      // monotone on each part and every threshold is crossed at most once.
      const double serum_b = model.serum_mmol_l(xb);
      double split[3] = {ta, tb, tb};
      double split_serum[3] = {serum_a, serum_b, serum_b};
      int parts = 1;
      if ((serum_rate_a > 0.0 && serum_rate_b < 0.0) || (serum_rate_a < 0.0 && serum_rate_b > 0.0)) {
        const bool rising = serum_rate_a > 0.0;
        const double te = bisect(ta, tb, [&](double t) {
          const double rate = rates_at(t)[idx::kPlasma];
          return rising ? rate > 0.0 : rate < 0.0;
        });
        split[1] = te;
        split_serum[1] = serum_at(te);
        note_serum(split_serum[1], te);
        parts = 2;
      }
      if (colon_rate_a > 0.0 && colon_rate_b < 0.0) {
        const double te = bisect(ta, tb, [&](double t) {
          const State& r = rates_at(t);
          return r[idx::kColonSup] + r[idx::kColonSolid] > 0.0;
        });
        dense.calc_state(te, xt);
        note_colon(Model::colon_supplement_load(xt), te);
      }
      note_serum(serum_b, tb);
      note_colon(Model::colon_supplement_load(xb), tb);

      for (int part = 0; part < parts; ++part) {
        const double u = split[part], w = split[part + 1];
        const double su = split_serum[part], sw = split_serum[part + 1];
        auto time_beyond = [&](double threshold, bool above) {
          const bool in_u = above ? su > threshold : su < threshold;
          const bool in_w = above ? sw > threshold : sw < threshold;
          if (in_u && in_w) return w - u;
          if (!in_u && !in_w) return 0.0;
          const double tc = bisect(u, w, [&](double t) {
            const bool inside = above ? serum_at(t) > threshold : serum_at(t) < threshold;
            return inside == in_u;
          });
          return in_u ? tc - u : w - tc;
        };
        for (std::size_t i = 0; i < thresholds.size(); ++i) {
          tr.time_above_h[i] += time_beyond(thresholds[i], true);
        }
        tr.time_below_hypo_h += time_beyond(kHypoThreshold, false);
      }

      emit(tb, tb < b, state_at);
      ta = tb;
      xa = xb;
      serum_a = serum_b;
      serum_rate_a = serum_rate_b;
      colon_rate_a = colon_rate_b;
    }
    dt = dense.current_time_step();
    x = xb;
  }
  tr.final_state = x;
  record_balance(x);
  return tr;
}

Trajectory steady_trajectory(const Model& model, const State& x0,
                             const std::vector<double>& output_times_h,
                             const std::vector<double>& probe_times_h, double t_end_h) {
  check_times(output_times_h, t_end_h, "output times");
  check_times(probe_times_h, t_end_h, "probe times");
  State rate;
  model(x0, rate, 0.0);
  // Only the ledger states move; the pools' residual rates are round-off.
  rate.head(idx::kAbsorbedCum).setZero();
  rate.tail(idx::kMaxPools).setZero();
  auto at = [&](double t) -> State { return x0 + t * rate; };
  Trajectory tr;
  tr.output_times_h = output_times_h;
  tr.probe_times_h = probe_times_h;
  tr.states.resize(static_cast<Eigen::Index>(output_times_h.size()), idx::kStateSize);
  tr.probe_states.resize(static_cast<Eigen::Index>(probe_times_h.size()), idx::kStateSize);
  for (std::size_t i = 0; i < output_times_h.size(); ++i) {
    tr.states.row(static_cast<Eigen::Index>(i)) = at(output_times_h[i]).transpose();
  }
  for (std::size_t i = 0; i < probe_times_h.size(); ++i) {
    tr.probe_states.row(static_cast<Eigen::Index>(i)) = at(probe_times_h[i]).transpose();
  }
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

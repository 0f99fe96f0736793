#include "magpk/steady_state.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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

GutBalance gut_balance(const SubjectParameters& s, double diet_mmol_h, double serum) {
  const double inflow = diet_mmol_h + s.secretion_clearance_l_h * serum;
  const double si =
      saturable_pool(inflow, s.si_vmax_mmol_h, s.km_mmol, s.si_paracellular_per_h + s.si_transit_per_h);
  const double colon =
      saturable_pool(s.si_transit_per_h * si, s.colon_vmax_mmol_h, s.km_mmol, s.colon_transit_per_h);
  const double absorbed = s.si_vmax_mmol_h * si / (s.km_mmol + si) + s.si_paracellular_per_h * si +
                          s.colon_vmax_mmol_h * colon / (s.km_mmol + colon);
  return {si, colon, absorbed};
}

}  // namespace

SteadyState solve_steady_state(const Model& model_in, double diet_mmol_h) {
  Model model = model_in;
  model.set_inputs({diet_mmol_h, 0.0, false});
  const SubjectParameters& s = model.subject();
  if (!(diet_mmol_h > 0.0)) {
    throw std::runtime_error("no homeostatic steady state without dietary intake (diet must be > 0)");
  }
  // Net plasma balance: absorption - urine - secretion, decreasing in serum.
  auto balance = [&](double serum) {
    return gut_balance(s, diet_mmol_h, serum).absorbed - model.urine_rate(serum) -
           s.secretion_clearance_l_h * serum;
  };
  double low = 0.0, high = 1.0;
  while (balance(high) > 0.0) {
    high *= 2.0;
    if (high > 1e3) throw std::runtime_error("steady-state serum above 1000 mmol/L: no steady state");
  }
  for (int iteration = 0; iteration < 200 && high - low > 1e-15 * high; ++iteration) {
    const double mid = 0.5 * (low + high);
    (balance(mid) > 0.0 ? low : high) = mid;
  }
  const double serum = 0.5 * (low + high);
  const GutBalance gut = gut_balance(s, diet_mmol_h, serum);

  SteadyState result;
  result.serum_mmol_l = serum;
  result.state = State::Zero();
  result.state[idx::kSiDiet] = gut.si;
  result.state[idx::kColonDiet] = gut.colon;
  result.state[idx::kPlasma] = serum * s.ecf_volume_l;
  const double ratio = model.store_uptake_ratio(serum);
  result.state[idx::kTissue] = s.tissue_reference_mmol * ratio;
  result.state[idx::kBone] = s.bone_reference_mmol * ratio;

  // Check: every pool's rate of change must vanish.
  State rate;
  model(result.state, rate, 0.0);
  result.max_rate_residual = 0.0;
  for (int i = 0; i <= idx::kImDepot; ++i) {
    result.max_rate_residual = std::max(result.max_rate_residual, std::abs(rate[i]));
  }
  // Relative to the largest fluxes through the pools (plus an absolute floor of
  // round-off for near-zero intakes).
  const Fluxes f = model.fluxes(result.state);
  const double scale = diet_mmol_h + f.secretion + f.urine + f.tissue_release + f.bone_release;
  if (!(result.max_rate_residual <= 1e-9 * scale + 1e-14)) {
    throw std::runtime_error("steady state did not converge: residual " +
                             std::to_string(result.max_rate_residual) + " mmol/h");
  }
  return result;
}

}  // namespace magpk

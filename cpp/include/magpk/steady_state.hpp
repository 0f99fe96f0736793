// The homeostatic steady state of a subject on a constant diet (no doses):
// solved directly (a monotone 1-D root in serum concentration with the gut and
// store balances solved in closed form), then checked by evaluating the
// right-hand side.
#pragma once

#include "magpk/model.hpp"

namespace magpk {

struct SteadyState {
  State state;              // ledger states are zero
  double serum_mmol_l;
  double max_rate_residual;  // max |dx/dt| of the pools, mmol/h (should be ~0)
};

// Steady state of `model` with constant diet `diet_mmol_h` (fasting, no doses).
// Throws std::runtime_error if no positive steady state exists or the check fails.
SteadyState solve_steady_state(const Model& model, double diet_mmol_h);

}  // namespace magpk

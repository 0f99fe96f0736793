// The homeostatic steady state of a subject before any dose.
//
// Continuous diet: solved directly (a monotone 1-D root in serum concentration
// with the gut and store balances solved in closed form), then checked by
// evaluating the right-hand side.
// Meals: the state at t = 0 of the 24-h periodic solution, found by Newton
// shooting on the one-day map (x(24 h) = x(0)) from the continuous steady state
// at the same daily intake.
#pragma once

#include "magpk/model.hpp"
#include "magpk/schedule.hpp"
#include "magpk/simulator.hpp"

namespace magpk {

struct SteadyState {
  State state;               // ledger states are zero
  double serum_mmol_l;       // at t = 0
  double mean_serum_mmol_l;  // daily mean (equal to serum_mmol_l for a continuous diet)
  double max_rate_residual;  // continuous: max |dx/dt| of the pools, mmol/h;
                             // periodic: max |x(24 h) - x(0)| of the pools, mmol
};

// Steady state of `model` with constant inputs (no doses, not fed).
// Throws std::runtime_error if no positive steady state exists or the check fails.
SteadyState solve_steady_state(const Model& model, const SegmentInputs& inputs);

// Periodic steady state on a 24-h schedule without doses (build_day_schedule).
// All its one-day integrations together take at most `max_steps` steps (the
// request's solver budget: a very stiff parameter set fails with
// std::runtime_error instead of running for minutes).
SteadyState solve_periodic_steady_state(const Model& model, const Schedule& day,
                                        long max_steps = SolverOptions{}.max_steps);

}  // namespace magpk

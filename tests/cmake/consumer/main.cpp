// One short simulation through the installed public C++ API: 10 mmol of
// magnesium citrate at t = 1 h, 24 h run. Exit code 0 when the result is sane
// and an invalid request is rejected.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "magpk/regimen.hpp"
#include "magpk/simulation.hpp"

int main() {
  magpk::SimulationRequest request;
  request.regimen.oral = {{1.0, "citrate", 10.0, false}};
  request.t_end_h = 24.0;
  request.output_times_h = {0.0, 6.0, 12.0, 24.0};
  const magpk::SimulationResult result = magpk::simulate(request);
  const magpk::Metrics& m = result.metrics;
  std::printf("serum %.4f mmol/L at steady state, Cmax %.4f mmol/L at %.2f h, absorbed %.1f%%\n",
              result.steady_state_serum_mmol_l, m.cmax_mmol_l, m.tmax_h,
              100.0 * m.fraction_absorbed);
  const bool sane = result.supplemented.states.rows() == 4 && m.fraction_absorbed > 0.0 &&
                    m.fraction_absorbed < 1.0 && m.cmax_mmol_l > result.steady_state_serum_mmol_l &&
                    std::isfinite(m.mass_balance_rel_error);
  if (!sane) {
    std::fprintf(stderr, "magpk_consumer: unexpected result\n");
    return 1;
  }
  request.t_end_h = -1.0;
  try {
    magpk::simulate(request);
  } catch (const std::invalid_argument& error) {
    std::printf("rejected as expected: %s\n", error.what());
    return 0;
  }
  std::fprintf(stderr, "magpk_consumer: a negative t_end_h was accepted\n");
  return 1;
}

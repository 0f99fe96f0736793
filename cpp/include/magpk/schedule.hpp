// The event schedule: a regimen cut into segments between consecutive events
// (doses, infusion starts/stops, diet changes, end of fed state), each with
// constant inputs, so that the integrator never steps over a discontinuity.
#pragma once

#include <string>
#include <vector>

#include "magpk/model.hpp"
#include "magpk/regimen.hpp"

namespace magpk {

// Amounts given instantaneously at one breakpoint.
struct InstantDoses {
  std::vector<double> undissolved_mmol;  // per undissolved pool
  double dissolved_mmol = 0.0;           // supplement already in solution
  double iv_bolus_mmol = 0.0;
  double im_mmol = 0.0;
  double total() const;
};

struct Schedule {
  std::vector<std::string> pool_forms;  // pure form of each undissolved pool
  std::vector<UndissolvedPool> pools;
  std::vector<double> breakpoints;      // strictly increasing; first 0, last t_end
  std::vector<InstantDoses> instants;   // applied at breakpoints[k]
  std::vector<SegmentInputs> segments;  // inputs on [breakpoints[k], breakpoints[k+1])
  double oral_mmol = 0.0;               // supplement given by t_end
  double parenteral_mmol = 0.0;         // IV + IM given by t_end
  double first_dose_time_h = -1.0;      // first supplement or parenteral dose; -1 if none
};

// `initial_pool_forms`: pure forms whose undissolved pools exist at t = 0 (a run
// that starts from an earlier run's state); they get the first pools.
Schedule build_schedule(const Regimen& regimen, const SubjectParameters& subject,
                        const Physiology& physiology, double t_end_h,
                        const std::vector<std::string>& initial_pool_forms = {});

}  // namespace magpk

#pragma once
// A Trajectory's outputs, probes and ledger samples read off a known solution
// x(t) (the steady and periodic baselines, which need no step-by-step record).
#include <vector>

#include "magpk/simulator.hpp"

namespace magpk {

template <class SolutionAt>
Trajectory trajectory_from_function(SolutionAt at, const std::vector<double>& output_times_h,
                                    const std::vector<double>& probe_times_h,
                                    const std::vector<double>& sample_times_h) {
  Trajectory tr;
  tr.output_times_h = output_times_h;
  tr.probe_times_h = probe_times_h;
  tr.sample_times_h = sample_times_h;
  tr.states.resize(static_cast<Eigen::Index>(output_times_h.size()), idx::kStateSize);
  tr.probe_states.resize(static_cast<Eigen::Index>(probe_times_h.size()), idx::kStateSize);
  for (std::size_t i = 0; i < output_times_h.size(); ++i) {
    tr.states.row(static_cast<Eigen::Index>(i)) = at(output_times_h[i]).transpose();
  }
  for (std::size_t i = 0; i < probe_times_h.size(); ++i) {
    tr.probe_states.row(static_cast<Eigen::Index>(i)) = at(probe_times_h[i]).transpose();
  }
  for (double t : sample_times_h) {
    const State x = at(t);
    tr.feces_soluble_samples.push_back(x[idx::kFecesSolubleCum]);
    tr.urine_samples.push_back(x[idx::kUrineCum]);
  }
  return tr;
}

}  // namespace magpk

// The event-driven integrator: events, output rows, infusions, mass balance,
// positivity, dense-output independence and serum extrema.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "magpk//model.hpp"
#include "magpk/physiology.hpp"
#include "magpk/regimen.hpp"
#include "magpk/schedule.hpp"
#include "magpk/simulator.hpp"
#include "magpk/steady_state.hpp"
#include "magpk/subject.hpp"
#include "test_support.hpp"

namespace {

using magpk::Regimen;
using magpk::State;
using magpk::Trajectory;
namespace idx = magpk::idx;

std::vector<double> grid(double t0, double t1, double step) {
  std::vector<double> times;
  const auto n = static_cast<long>(std::llround((t1 - t0) / step));
  for (long i = 0; i <= n; ++i) times.push_back(std::min(t0 + static_cast<double>(i) * step, t1));
  return times;
}

struct Outcome {
  magpk::SubjectParameters subject;
  magpk::Schedule schedule;
  magpk::SteadyState steady;
  Trajectory trajectory;
};

Outcome run(const Regimen& regimen, double t_end, const std::vector<double>& outputs,
            const std::vector<double>& probes = {}) {
  const auto physiology = magpk::default_physiology();
  Outcome r;
  r.subject = magpk::derive_subject_parameters(test_support::continuous_diet(), physiology);
  r.schedule = magpk::build_schedule(regimen, r.subject, physiology, t_end);
  const magpk::Model model(r.subject, r.schedule.pools);
  r.steady = magpk::solve_steady_state(model, test_support::constant_diet(r.subject.diet_mmol_h));
  r.trajectory =
      magpk::integrate(model, r.schedule, r.steady.state, outputs, probes, magpk::SolverOptions{});
  return r;
}

double amount_total(const Eigen::MatrixXd& states, Eigen::Index row) {
  State x = states.row(row).transpose();
  return magpk::accounted_amount(x);
}

Regimen mixed_regimen() {
  Regimen regimen;
  regimen.oral = {{0.5, "citrate", 10.0, true},           {2.0, "oxide", 15.0, false},
                  {6.0, "buffered_glycinate", 8.0, true}, {9.0, "solution", 4.0, false},
                  {12.0, "hydroxide", 12.0, false},       {12.0, "sulfate", 20.0, false}};
  regimen.iv_bolus = {{3.0, 4.0}, {14.0, 8.0}};
  regimen.im = {{4.0, 10.0}};
  regimen.infusions = {{7.0, 2.5, 12.0}, {8.0, 4.0, 16.0}, {20.0, 10.0, 20.0}};
  regimen.diet_changes = {{10.0, 600.0}, {16.0, 150.0}};
  return regimen;
}

// Cumulative instantaneous doses given at or before t.
double dosed_by(const magpk::Schedule& schedule, double t) {
  double total = 0.0;
  for (std::size_t k = 0; k < schedule.breakpoints.size(); ++k) {
    if (schedule.breakpoints[k] <= t) total += schedule.instants[k].total();
  }
  return total;
}

TEST(Simulator, OutputRowsHaveRequestedTimes) {
  const auto outputs = grid(0.0, 24.0, 0.5);
  const Outcome r = run(Regimen{}, 24.0, outputs);
  EXPECT_EQ(r.trajectory.output_times_h, outputs);
  EXPECT_EQ(r.trajectory.states.rows(), static_cast<Eigen::Index>(outputs.size()));
  EXPECT_EQ(r.trajectory.states.cols(), idx::kStateSize);
}

TEST(Simulator, SimultaneousDosesAdd) {
  const auto outputs = grid(0.0, 24.0, 0.25);
  Regimen split, single;
  split.iv_bolus = {{5.0, 3.0}, {5.0, 4.0}};
  split.oral = {{2.0, "citrate", 5.0, false}, {2.0, "citrate", 7.0, false}};
  single.iv_bolus = {{5.0, 7.0}};
  single.oral = {{2.0, "citrate", 12.0, false}};
  const Outcome a = run(split, 24.0, outputs), b = run(single, 24.0, outputs);
  const double diff = (a.trajectory.states - b.trajectory.states).cwiseAbs().maxCoeff();
  EXPECT_LE(diff, 1e-12 * b.trajectory.states.cwiseAbs().maxCoeff());
  // And the doses did something.
  const Outcome none = run(Regimen{}, 24.0, outputs);
  EXPECT_GT((a.trajectory.states - none.trajectory.states).cwiseAbs().maxCoeff(), 1.0);
}

TEST(Simulator, DosesAfterEndAreIgnored) {
  const auto outputs = grid(0.0, 24.0, 1.0);
  Regimen late;
  late.iv_bolus = {{24.0 + 1e-9, 10.0}};
  late.oral = {{30.0, "citrate", 10.0, true}};
  late.infusions = {{25.0, 2.0, 10.0}};
  const Outcome a = run(late, 24.0, outputs), b = run(Regimen{}, 24.0, outputs);
  EXPECT_EQ((a.trajectory.states - b.trajectory.states).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(a.trajectory.final_state, b.trajectory.final_state);
}

TEST(Simulator, OutputAtEventTimeShowsStateAfterEvent) {
  const double x = 6.0, t_event = 4.0;
  Regimen regimen;
  regimen.iv_bolus = {{t_event, x}};
  const Outcome r = run(regimen, 12.0, {t_event - 1e-9, t_event, t_event + 1e-9});
  const auto& s = r.trajectory.states;
  EXPECT_NEAR(s(1, idx::kPlasma) - s(0, idx::kPlasma), x, 1e-6);
  EXPECT_NEAR(s(2, idx::kPlasma) - s(1, idx::kPlasma), 0.0, 1e-6);
  // Exactly: the row at the event equals the state just before plus the dose.
  const Outcome before = run(regimen, 12.0, {t_event});
  Regimen none;
  const Outcome undosed = run(none, 12.0, {t_event});
  EXPECT_NEAR(
      before.trajectory.states(0, idx::kPlasma) - undosed.trajectory.states(0, idx::kPlasma), x,
      1e-12 * x);
  // The same for an oral dose at an output time: it is in the gut at that row.
  Regimen oral;
  oral.oral = {{t_event, "oxide", 9.0, false}};
  const Outcome o = run(oral, 12.0, {t_event});
  State row = o.trajectory.states.row(0).transpose();
  EXPECT_NEAR(row[idx::kFixedCount], 9.0, 1e-12);
}

TEST(Simulator, IvBolusInSteadySubjectRaisesSerumByDoseOverVolume) {
  const double x = 8.0;
  Regimen regimen;
  regimen.iv_bolus = {{0.0, x}};
  const Outcome r = run(regimen, 6.0, {0.0, 6.0});
  const double serum0 = r.trajectory.states(0, idx::kPlasma) / r.subject.ecf_volume_l;
  EXPECT_NEAR(serum0, r.steady.serum_mmol_l + x / r.subject.ecf_volume_l, 1e-13);
  EXPECT_NEAR(r.trajectory.serum_max, serum0, 1e-13);
  EXPECT_EQ(r.trajectory.serum_max_time_h, 0.0);
}

TEST(Simulator, InfusionDeliversExactlyItsAmount) {
  Regimen regimen;
  regimen.infusions = {{2.0, 3.0, 12.0}};
  const Outcome r = run(regimen, 10.0, {1.0, 2.0, 3.5, 5.0, 10.0});
  const auto& s = r.trajectory.states;
  EXPECT_EQ(s(0, idx::kInfusedCum), 0.0);
  EXPECT_EQ(s(1, idx::kInfusedCum), 0.0);
  EXPECT_NEAR(s(2, idx::kInfusedCum), 6.0, 1e-12 * 6.0);  // half-way
  EXPECT_NEAR(s(3, idx::kInfusedCum), 12.0, 1e-12 * 12.0);
  EXPECT_NEAR(s(4, idx::kInfusedCum), 12.0, 1e-12 * 12.0);
  EXPECT_DOUBLE_EQ(r.schedule.parenteral_mmol, 12.0);
}

TEST(Simulator, OverlappingInfusionsAddUp) {
  Regimen regimen;
  regimen.infusions = {{1.0, 4.0, 8.0}, {3.0, 6.0, 6.0}};
  const Outcome r = run(regimen, 12.0, {3.0, 5.0, 9.0, 12.0});
  const auto& s = r.trajectory.states;
  EXPECT_NEAR(s(0, idx::kInfusedCum), 4.0, 1e-12 * 4.0);
  EXPECT_NEAR(s(1, idx::kInfusedCum), 8.0 + 2.0, 1e-12 * 10.0);
  EXPECT_NEAR(s(2, idx::kInfusedCum), 14.0, 1e-12 * 14.0);
  EXPECT_NEAR(s(3, idx::kInfusedCum), 14.0, 1e-12 * 14.0);
}

TEST(Simulator, InfusionRunningAtEndCountsOnlyThePartGiven) {
  Regimen regimen;
  regimen.infusions = {{20.0, 10.0, 10.0}};
  const Outcome r = run(regimen, 24.0, {24.0});
  EXPECT_NEAR(r.trajectory.states(0, idx::kInfusedCum), 4.0, 1e-12 * 4.0);
  EXPECT_NEAR(r.trajectory.final_state[idx::kInfusedCum], 4.0, 1e-12 * 4.0);
  EXPECT_DOUBLE_EQ(r.schedule.parenteral_mmol, 4.0);
}

TEST(Simulator, MassBalanceHoldsAtEveryOutputRow) {
  const auto outputs = grid(0.0, 36.0, 0.1);
  const Outcome r = run(mixed_regimen(), 36.0, outputs);
  const auto& s = r.trajectory.states;
  const double initial = magpk::gut_amount(r.steady.state) + magpk::body_amount(r.steady.state);
  for (Eigen::Index row = 0; row < s.rows(); ++row) {
    const double t = outputs[static_cast<std::size_t>(row)];
    const double intake =
        initial + dosed_by(r.schedule, t) + s(row, idx::kDietInCum) + s(row, idx::kInfusedCum);
    EXPECT_LE(std::abs(amount_total(s, row) - intake), 1e-12 * intake) << "t=" << t;
  }
  EXPECT_LE(r.trajectory.mass_balance_rel_error, 1e-12);
  // The ledger of given doses is complete.
  EXPECT_NEAR(dosed_by(r.schedule, 36.0) + r.trajectory.final_state[idx::kInfusedCum],
              r.schedule.oral_mmol + r.schedule.parenteral_mmol, 1e-12 * 100.0);
}

TEST(Simulator, NoStateGoesNegative) {
  const auto outputs = grid(0.0, 36.0, 0.01);
  const Outcome r = run(mixed_regimen(), 36.0, outputs);
  const double lowest = r.trajectory.states.minCoeff();
  EXPECT_GE(lowest, -1e-10);
  EXPECT_GE(r.trajectory.final_state.minCoeff(), -1e-10);
  EXPECT_GT(r.trajectory.serum_min, 0.0);
}

TEST(Simulator, DenseOutputIsIndependentOfTheOutputGrid) {
  const Regimen regimen = mixed_regimen();
  const auto coarse = grid(0.0, 36.0, 3.0);
  const auto fine = grid(0.0, 36.0, 0.05);
  const Outcome a = run(regimen, 36.0, coarse), b = run(regimen, 36.0, fine);
  std::size_t shared = 0;
  for (std::size_t i = 0; i < coarse.size(); ++i) {
    const auto it = std::find(fine.begin(), fine.end(), coarse[i]);
    if (it == fine.end()) continue;
    ++shared;
    const auto j = static_cast<Eigen::Index>(it - fine.begin());
    for (int c = 0; c < idx::kStateSize; ++c) {
      const double u = a.trajectory.states(static_cast<Eigen::Index>(i), c);
      const double v = b.trajectory.states(j, c);
      EXPECT_LE(std::abs(u - v), 1e-12 * std::max(1.0, std::abs(v)))
          << "t=" << coarse[i] << " state " << c;
    }
  }
  EXPECT_GE(shared, 10u);
  EXPECT_EQ(a.trajectory.steps, b.trajectory.steps);
  EXPECT_EQ(a.trajectory.serum_max, b.trajectory.serum_max);
}

TEST(Simulator, FedStateIncreasesAbsorption) {
  Regimen fasting, fed;
  fasting.oral = {{1.0, "solution", 5.0, false}};
  fed.oral = {{1.0, "solution", 5.0, true}};
  const Outcome a = run(fasting, 48.0, {48.0}), b = run(fed, 48.0, {48.0});
  EXPECT_GT(b.trajectory.final_state[idx::kAbsorbedSupCum],
            a.trajectory.final_state[idx::kAbsorbedSupCum]);
}

TEST(Simulator, CmaxIsLocatedBetweenOutputPoints) {
  Regimen regimen;
  regimen.oral = {{0.55, "solution", 10.0, false}};  // peak away from whole hours
  const double t_end = 24.0;
  const Outcome coarse = run(regimen, t_end, grid(0.0, t_end, 1.0));
  const auto fine_times = grid(0.0, t_end, 0.001);
  const Outcome fine = run(regimen, t_end, fine_times);
  const double volume = fine.subject.ecf_volume_l;
  Eigen::Index fine_row = 0;
  const double fine_max = fine.trajectory.states.col(idx::kPlasma).maxCoeff(&fine_row) / volume;
  const double coarse_max = coarse.trajectory.states.col(idx::kPlasma).maxCoeff() / volume;
  const double cmax = coarse.trajectory.serum_max;
  EXPECT_GT(fine_max, fine.steady.serum_mmol_l);  // there is a peak
  EXPECT_GE(cmax, fine_max - 1e-15);
  EXPECT_LE(cmax - fine_max, 1e-9);
  EXPECT_GT(cmax, coarse_max + 1e-6);  // not just the best grid point
  EXPECT_NEAR(coarse.trajectory.serum_max_time_h, fine_times[static_cast<std::size_t>(fine_row)],
              0.01);
  EXPECT_NE(std::fmod(coarse.trajectory.serum_max_time_h, 1.0), 0.0);
}

TEST(Simulator, TimeAboveThresholdAfterLargeBolus) {
  // A bolus raising serum well above 1.05 mmol/L: the time above is positive,
  // ends before t_end and agrees with a fine grid.
  Regimen regimen;
  regimen.iv_bolus = {{1.0, 20.0}};
  const auto fine_times = grid(0.0, 48.0, 0.001);
  const Outcome r = run(regimen, 48.0, fine_times);
  const double volume = r.subject.ecf_volume_l;
  double above = 0.0;
  for (Eigen::Index row = 1; row < r.trajectory.states.rows(); ++row) {
    if (r.trajectory.states(row, idx::kPlasma) / volume > 1.05) above += 0.001;
  }
  ASSERT_GT(above, 0.0);
  EXPECT_NEAR(r.trajectory.time_above_h.at(0), above, 0.005);
  EXPECT_EQ(r.trajectory.time_above_h.at(3), 0.0);
}

TEST(Simulator, ProbesMatchOutputsAtTheSameTimes) {
  const Outcome r = run(mixed_regimen(), 36.0, {6.0, 12.0, 30.0}, {6.0, 12.0, 30.0});
  EXPECT_EQ((r.trajectory.states - r.trajectory.probe_states).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Simulator, UnsortedOutputTimesThrow) {
  EXPECT_THROW(run(Regimen{}, 24.0, {2.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(run(Regimen{}, 24.0, {25.0}), std::invalid_argument);
}

}  // namespace

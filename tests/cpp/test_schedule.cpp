// The event schedule: breakpoints, simultaneous doses, window and fed state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "magpk//physiology.hpp"
#include "magpk/regimen.hpp"
#include "magpk/schedule.hpp"
#include "magpk/subject.hpp"
#include "test_support.hpp"

namespace {

using magpk::Regimen;

struct Fixture {
  magpk::Physiology physiology = magpk::default_physiology();
  magpk::SubjectParameters subject =
      magpk::derive_subject_parameters(test_support::continuous_diet(), physiology);
  magpk::Schedule build(const Regimen& regimen, double t_end) const {
    return magpk::build_schedule(regimen, subject, physiology, t_end);
  }
};

std::size_t index_of(const std::vector<double>& times, double t) {
  const auto it = std::find(times.begin(), times.end(), t);
  EXPECT_NE(it, times.end()) << "no breakpoint at " << t;
  return static_cast<std::size_t>(it - times.begin());
}

TEST(Schedule, BreakpointsAreStrictlyIncreasingFromZeroToEnd) {
  Fixture f;
  Regimen regimen;
  regimen.oral = {{5.0, "citrate", 5.0, true}, {1.0, "oxide", 5.0, false}};
  regimen.iv_bolus = {{5.0, 2.0}};
  regimen.infusions = {{2.0, 4.0, 8.0}};
  regimen.diet_changes = {{10.0, 200.0}};
  const auto schedule = f.build(regimen, 24.0);
  ASSERT_GE(schedule.breakpoints.size(), 2u);
  EXPECT_EQ(schedule.breakpoints.front(), 0.0);
  EXPECT_EQ(schedule.breakpoints.back(), 24.0);
  for (std::size_t k = 1; k < schedule.breakpoints.size(); ++k) {
    EXPECT_LT(schedule.breakpoints[k - 1], schedule.breakpoints[k]);
  }
  EXPECT_EQ(schedule.instants.size(), schedule.breakpoints.size());
  EXPECT_EQ(schedule.segments.size(), schedule.breakpoints.size());
  EXPECT_EQ(schedule.first_dose_time_h, 1.0);
}

TEST(Schedule, DosesAtTheSameInstantAdd) {
  Fixture f;
  Regimen regimen;
  regimen.iv_bolus = {{3.0, 2.5}, {3.0, 4.0}};
  regimen.im = {{3.0, 1.0}, {3.0, 2.0}};
  regimen.oral = {{3.0, "citrate", 5.0, false},
                  {3.0, "citrate", 7.0, false},
                  {3.0, "solution", 1.0, false},
                  {3.0, "solution", 2.0, false}};
  const auto schedule = f.build(regimen, 24.0);
  ASSERT_EQ(schedule.breakpoints.size(), 3u);  // 0, 3, 24
  const auto& at = schedule.instants[index_of(schedule.breakpoints, 3.0)];
  EXPECT_DOUBLE_EQ(at.iv_bolus_mmol, 6.5);
  EXPECT_DOUBLE_EQ(at.im_mmol, 3.0);
  EXPECT_DOUBLE_EQ(at.dissolved_mmol, 3.0);
  ASSERT_EQ(schedule.pools.size(), 1u);  // one pool per form, not per dose
  EXPECT_DOUBLE_EQ(at.undissolved_mmol.at(0), 12.0);
  EXPECT_DOUBLE_EQ(at.total(), 6.5 + 3.0 + 3.0 + 12.0);
  EXPECT_DOUBLE_EQ(schedule.oral_mmol, 15.0);
  EXPECT_DOUBLE_EQ(schedule.parenteral_mmol, 9.5);
}

TEST(Schedule, BlendSplitsIntoComponentPools) {
  Fixture f;
  Regimen regimen;
  regimen.oral = {{0.0, "buffered_glycinate", 10.0, false}, {0.0, "oxide", 2.0, false}};
  const auto schedule = f.build(regimen, 12.0);
  ASSERT_EQ(schedule.pool_forms.size(), 2u);
  const auto& at = schedule.instants[0];
  for (std::size_t p = 0; p < schedule.pool_forms.size(); ++p) {
    if (schedule.pool_forms[p] == "glycinate") {
      EXPECT_DOUBLE_EQ(at.undissolved_mmol[p], 5.0);
      EXPECT_GT(schedule.pools[p].chelate_fraction, 0.0);
    } else {
      EXPECT_EQ(schedule.pool_forms[p], "oxide");
      EXPECT_DOUBLE_EQ(at.undissolved_mmol[p], 7.0);
      EXPECT_EQ(schedule.pools[p].chelate_fraction, 0.0);
    }
  }
  EXPECT_DOUBLE_EQ(schedule.oral_mmol, 12.0);
}

TEST(Schedule, DosesAfterEndAreIgnored) {
  Fixture f;
  Regimen regimen;
  regimen.oral = {{30.0, "citrate", 5.0, true}};
  regimen.iv_bolus = {{24.5, 2.0}};
  regimen.im = {{100.0, 2.0}};
  regimen.infusions = {{25.0, 1.0, 8.0}};
  regimen.diet_changes = {{26.0, 100.0}};
  const auto schedule = f.build(regimen, 24.0);
  EXPECT_EQ(schedule.breakpoints, (std::vector<double>{0.0, 24.0}));
  EXPECT_EQ(schedule.oral_mmol, 0.0);
  EXPECT_EQ(schedule.parenteral_mmol, 0.0);
  EXPECT_EQ(schedule.first_dose_time_h, -1.0);
  for (const auto& at : schedule.instants) EXPECT_EQ(at.total(), 0.0);
  for (const auto& seg : schedule.segments) {
    EXPECT_EQ(seg.infusion_mmol_h, 0.0);
    EXPECT_FALSE(seg.fed);
    EXPECT_EQ(seg.diet_mmol_h, f.subject.diet_mmol_h);
  }
}

TEST(Schedule, DoseExactlyAtEndIsGiven) {
  Fixture f;
  Regimen regimen;
  regimen.iv_bolus = {{24.0, 2.0}};
  const auto schedule = f.build(regimen, 24.0);
  EXPECT_EQ(schedule.instants.back().iv_bolus_mmol, 2.0);
  EXPECT_EQ(schedule.parenteral_mmol, 2.0);
}

TEST(Schedule, WithFoodDoseCreatesFedStateBreakpoint) {
  Fixture f;
  const double dur = f.subject.fed_state_duration_h;
  ASSERT_GT(dur, 0.0);
  Regimen fed;
  fed.oral = {{2.0, "citrate", 5.0, true}};
  const auto schedule = f.build(fed, 24.0);
  EXPECT_EQ(schedule.breakpoints, (std::vector<double>{0.0, 2.0, 2.0 + dur, 24.0}));
  EXPECT_FALSE(schedule.segments[0].fed);
  EXPECT_TRUE(schedule.segments[1].fed);
  EXPECT_FALSE(schedule.segments[2].fed);

  Regimen fasting = fed;
  fasting.oral[0].with_food = false;
  const auto fasting_schedule = f.build(fasting, 24.0);
  EXPECT_EQ(fasting_schedule.breakpoints, (std::vector<double>{0.0, 2.0, 24.0}));
  for (const auto& seg : fasting_schedule.segments) EXPECT_FALSE(seg.fed);
}

TEST(Schedule, OverlappingFedStatesStayFedUntilTheLastEnds) {
  Fixture f;
  const double dur = f.subject.fed_state_duration_h;
  Regimen regimen;
  regimen.oral = {{2.0, "citrate", 5.0, true}, {2.0 + 0.5 * dur, "citrate", 5.0, true}};
  const auto schedule = f.build(regimen, 24.0);
  const auto& bp = schedule.breakpoints;
  for (std::size_t k = 0; k + 1 < bp.size(); ++k) {
    const bool expected = bp[k] >= 2.0 && bp[k] < 2.0 + 1.5 * dur;
    EXPECT_EQ(schedule.segments[k].fed, expected) << "segment starting at " << bp[k];
  }
}

TEST(Schedule, InfusionRatesOverlapAndCountOnlyThePartGiven) {
  Fixture f;
  Regimen regimen;
  regimen.infusions = {{1.0, 4.0, 8.0}, {3.0, 6.0, 6.0}, {20.0, 10.0, 10.0}};
  const auto schedule = f.build(regimen, 24.0);
  const auto& bp = schedule.breakpoints;
  EXPECT_EQ(bp, (std::vector<double>{0.0, 1.0, 3.0, 5.0, 9.0, 20.0, 24.0}));
  const std::vector<double> rates = {0.0, 2.0, 3.0, 1.0, 0.0, 1.0};
  for (std::size_t k = 0; k < rates.size(); ++k) {
    EXPECT_NEAR(schedule.segments[k].infusion_mmol_h, rates[k], 1e-15) << "segment " << k;
  }
  EXPECT_DOUBLE_EQ(schedule.parenteral_mmol, 8.0 + 6.0 + 4.0);
  EXPECT_EQ(schedule.first_dose_time_h, 1.0);
}

TEST(Schedule, DietChangesApplyFromTheirTime) {
  Fixture f;
  Regimen regimen;
  regimen.diet_changes = {{6.0, 600.0}, {12.0, 0.0}};
  const auto schedule = f.build(regimen, 24.0);
  EXPECT_EQ(schedule.breakpoints, (std::vector<double>{0.0, 6.0, 12.0, 24.0}));
  EXPECT_DOUBLE_EQ(schedule.segments[0].diet_mmol_h, f.subject.diet_mmol_h);
  EXPECT_DOUBLE_EQ(schedule.segments[1].diet_mmol_h, 600.0 / 24.305 / 24.0);
  EXPECT_EQ(schedule.segments[2].diet_mmol_h, 0.0);
  EXPECT_EQ(schedule.first_dose_time_h, -1.0);  // a diet change is not a dose
}

TEST(Schedule, InvalidInputsThrow) {
  Fixture f;
  Regimen bad_form;
  bad_form.oral = {{0.0, "glycinat", 5.0, false}};
  EXPECT_THROW(f.build(bad_form, 24.0), std::invalid_argument);
  Regimen negative;
  negative.iv_bolus = {{-1.0, 1.0}};
  EXPECT_THROW(f.build(negative, 24.0), std::invalid_argument);
  Regimen zero_duration;
  zero_duration.infusions = {{0.0, 0.0, 1.0}};
  EXPECT_THROW(f.build(zero_duration, 24.0), std::invalid_argument);
  EXPECT_THROW(f.build(Regimen{}, 0.0), std::invalid_argument);
  EXPECT_THROW(f.build(Regimen{}, std::nan("")), std::invalid_argument);
}

}  // namespace

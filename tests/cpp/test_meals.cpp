// Meals, fasting, drugs that start and stop, and the periodic steady state.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "magpk/simulation.hpp"
#include "magpk/steady_state.hpp"
#include "magpk/units.hpp"

namespace {

namespace idx = magpk::idx;
using magpk::Regimen;
using magpk::SimulationRequest;

SimulationRequest request_for(const Regimen& regimen, double t_end,
                              std::vector<double> outputs = {}) {
  SimulationRequest request;
  request.regimen = regimen;
  request.t_end_h = t_end;
  request.output_times_h = std::move(outputs);
  return request;
}

double daily_diet_mmol(const magpk::Covariates& c) { return c.diet_mg_per_day / 24.305; }

TEST(Meals, DailyMealMgEqualsTheDiet) {
  const auto result = magpk::simulate(request_for(Regimen{}, 72.0, {0.0, 24.0, 48.0, 72.0}));
  const double day = daily_diet_mmol(magpk::Covariates{});
  for (int r = 1; r < 4; ++r) {
    EXPECT_NEAR(result.supplemented.states(r, idx::kDietInCum), r * day, 1e-9 * day) << r;
  }
}

// The solver's step budget bounds the whole periodic steady-state solve: a budget
// smaller than one day's integration fails clearly instead of running on.
TEST(Meals, PeriodicSteadyStateRespectsTheStepBudget) {
  auto request = request_for(Regimen{}, 24.0, {0.0, 24.0});
  request.solver.max_steps = 50;
  try {
    (void)magpk::simulate(request);
    ADD_FAILURE() << "a 50-step budget was enough for the periodic steady state";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("periodic steady state"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("max_steps=50"), std::string::npos) << error.what();
  }
  request.solver.max_steps = 5'000;  // ~1,450 steps for the reference adult
  EXPECT_NO_THROW((void)magpk::simulate(request));
}

TEST(Meals, PeriodicSteadyStateRepeatsEveryDay) {
  const auto result = magpk::simulate(request_for(Regimen{}, 96.0, {0.0, 24.0, 48.0, 72.0, 96.0}));
  const auto& states = result.supplemented.states;
  for (int r = 1; r < 5; ++r) {
    for (int i = 0; i <= idx::kImDepot; ++i) {
      // To the run's own solver tolerance (rtol 1e-6); the orbit itself is solved at 1e-9.
      EXPECT_NEAR(states(r, i), states(0, i), 1e-5 * (1.0 + std::abs(states(0, i))))
          << "state " << i << " day " << r;
    }
  }
  // Serum varies over the day with the meals but stays within 5% of its mean.
  const auto& m = result.metrics;
  EXPECT_GT(m.cmax_mmol_l, m.cmin_mmol_l + 1e-4)
      << m.cmax_mmol_l << " " << m.cmin_mmol_l << " " << m.baseline_serum_mmol_l;
  EXPECT_LT(m.cmax_mmol_l, 1.05 * m.baseline_serum_mmol_l);
  EXPECT_GT(m.cmin_mmol_l, 0.95 * m.baseline_serum_mmol_l);
  EXPECT_LT(m.mass_balance_rel_error, 1e-9);
}

TEST(Meals, MealMgEntersOnlyWhileAMealEmpties) {
  // Default: t = 0 is 07:00, breakfast at 08:00 (t = 1 h), emptying over 3.5 h.
  const auto result = magpk::simulate(request_for(Regimen{}, 5.5, {0.0, 1.0, 4.5, 5.5}));
  const auto& s = result.supplemented.states;
  EXPECT_EQ(s(1, idx::kDietInCum), 0.0);  // nothing before breakfast (dinner ended 23:00)
  const double breakfast = 0.20 * daily_diet_mmol(magpk::Covariates{});
  EXPECT_NEAR(s(2, idx::kDietInCum), breakfast, 1e-10);
  EXPECT_NEAR(s(3, idx::kDietInCum), breakfast, 1e-10);
}

TEST(Meals, FastSkipsMealsThatStartInIt) {
  Regimen regimen;
  regimen.fasts = {{0.0, 12.0}};  // skips breakfast (t = 1) and lunch (t = 5.5)
  const auto result = magpk::simulate(request_for(regimen, 24.0, {12.0, 24.0}));
  const double day = daily_diet_mmol(magpk::Covariates{});
  EXPECT_EQ(result.supplemented.states(0, idx::kDietInCum), 0.0);
  EXPECT_NEAR(result.supplemented.states(1, idx::kDietInCum), 0.45 * day, 1e-10);  // dinner
  // The baseline run keeps the same fasts.
  EXPECT_NEAR(result.baseline.states(1, idx::kDietInCum), 0.45 * day, 1e-10);
}

TEST(Meals, OverlappingMealsAreRejected) {
  SimulationRequest request = request_for(Regimen{}, 24.0);
  request.covariates.meals = {{8.0, 0.5}, {10.0, 0.5}};  // fed periods of 3.5 h overlap
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
  request.covariates.meals = {{8.0, 0.5}, {18.0, 0.4}};  // shares sum to 0.9
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
  request.covariates.meals = {{8.0, 1.0}};
  request.covariates.start_clock_h = 24.0;
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
}

TEST(Meals, ContinuousDietIsTheMeanOfMeals) {
  SimulationRequest meals = request_for(Regimen{}, 24.0);
  SimulationRequest continuous = meals;
  continuous.covariates.meals.clear();
  const double a = magpk::simulate(meals).metrics.baseline_serum_mmol_l;
  const double b = magpk::simulate(continuous).metrics.baseline_serum_mmol_l;
  EXPECT_NEAR(a, b, 0.03 * b);
}

TEST(Drugs, StartAndStopDuringARun) {
  // A loop diuretic from 24 h to 48 h raises urine in that window only.
  Regimen regimen;
  regimen.drugs = {{magpk::Drug::kLoop, 24.0, 48.0}};
  const auto with = magpk::simulate(request_for(regimen, 96.0, {0.0, 24.0, 48.0, 72.0, 96.0}));
  const auto without = magpk::simulate(request_for(Regimen{}, 96.0, {0.0, 24.0, 48.0, 72.0, 96.0}));
  auto urine_day = [](const magpk::Trajectory& t, int day) {
    return t.states(day + 1, idx::kUrineCum) - t.states(day, idx::kUrineCum);
  };
  EXPECT_NEAR(urine_day(with.supplemented, 0), urine_day(without.supplemented, 0),
              1e-6 * urine_day(without.supplemented, 0));
  EXPECT_GT(urine_day(with.supplemented, 1), 1.2 * urine_day(without.supplemented, 1));
  // After stopping, the body retains Mg again (urine below the steady value).
  EXPECT_LT(urine_day(with.supplemented, 2), urine_day(without.supplemented, 2));
  // A stop before the start is refused.
  regimen.drugs = {{magpk::Drug::kPpi, 10.0, 5.0}};
  EXPECT_THROW(magpk::simulate(request_for(regimen, 24.0)), std::invalid_argument);
}

TEST(Tolerance, DailySolubleFecalMgDoesNotGrowWithRunLength) {
  Regimen regimen;
  for (int day = 0; day < 14; ++day) regimen.oral.push_back({24.0 * day, "chloride", 8.0, false});
  const auto week = magpk::simulate(request_for(regimen, 24.0 * 7)).metrics;
  const auto fortnight = magpk::simulate(request_for(regimen, 24.0 * 14)).metrics;
  EXPECT_NEAR(week.max_daily_soluble_feces_mmol, fortnight.max_daily_soluble_feces_mmol,
              0.02 * week.max_daily_soluble_feces_mmol);
  EXPECT_NEAR(week.diarrhea_probability, fortnight.diarrhea_probability, 0.02);
}

TEST(Tolerance, UndissolvedOxideIsNotOsmotic) {
  // Equal elemental doses: oxide leaves mostly as solid, chloride dissolved.
  Regimen oxide, chloride;
  oxide.oral = {{0.0, "oxide", 20.0, false}};
  chloride.oral = {{0.0, "chloride", 20.0, false}};
  const auto a = magpk::simulate(request_for(oxide, 96.0)).metrics;
  const auto b = magpk::simulate(request_for(chloride, 96.0)).metrics;
  EXPECT_LT(a.max_daily_soluble_feces_mmol, b.max_daily_soluble_feces_mmol);
  EXPECT_LT(a.diarrhea_probability, b.diarrhea_probability);
}

}  // namespace

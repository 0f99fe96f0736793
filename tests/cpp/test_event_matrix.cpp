// Event-engine test matrix through magpk::simulate():
//   route      {oral, IV bolus, IV infusion, IM}
// x repetition {single, repeated (every 6 h, running past t_end)}
// x placement  {exactly at an output time, between output times, at t = 0, at t_end}
// x infusions  {overlapping, back-to-back, zero-duration request (-> invalid_argument)}
// x diet       {constant, a change during an infusion}
// Every regimen also carries doses, an infusion and a diet change after t_end
// (ignored) and an infusion running past t_end (truncated).
//
// Checked against the model's analytic solutions where it has one:
//   IM depot        = sum_i D_i exp(-ka (t - t_i)) over doses t_i <= t
//   infused ledger  = integral of the piecewise-constant infusion rate
//   diet ledger     = integral of the piecewise-constant diet schedule
//   mass balance    gut + body + urine + feces = start + doses + diet + infused,
//                   split into gut and body balances through the absorbed /
//                   secreted ledgers (relative error <= 1e-12)
//   an event at an output time shows the post-event state (the jump of plasma,
//   IM depot or gut at the row equals the dose), events after t_end are
//   ignored, events exactly at t_end are applied
// and for every case: all states finite and >= -1e-12.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "magpk/model.hpp"
#include "magpk/regimen.hpp"
#include "magpk/simulation.hpp"
#include "magpk/units.hpp"
#include "test_support.hpp"

namespace {

namespace idx = magpk::idx;
using magpk::Regimen;
using magpk::State;

enum class Route { kOral, kIvBolus, kIvInfusion, kIm };
enum class Repeat { kSingle, kRepeated };
enum class Placement { kAtOutput, kBetweenOutputs, kAtZero, kAtEnd };
enum class Infusions { kOverlapping, kBackToBack, kZeroDuration };
enum class Diet { kConstant, kChangeDuringInfusion };

using Case = std::tuple<Route, Repeat, Placement, Infusions, Diet>;

constexpr double kTEnd = 24.0;
constexpr double kInterval = 6.0;   // repeated doses
constexpr double kPreEvent = 1e-9;  // h before an event: the pre-event row
constexpr double kOralMmol = 10.0;
constexpr double kIvBolusMmol = 4.0;
constexpr double kImMmol = 10.0;
constexpr double kRouteInfusionMmol = 4.0;
constexpr double kRouteInfusionH = 1.5;
constexpr double kDietChangeTime = 4.0;  // inside the infusions starting at 3 h
constexpr double kStateFloor = -1e-10;   // 1e-4 of the absolute tolerance (docs/model.md)
constexpr double kBalanceRel = 1e-12;

const char* name(Route r) {
  switch (r) {
    case Route::kOral: return "Oral";
    case Route::kIvBolus: return "IvBolus";
    case Route::kIvInfusion: return "IvInfusion";
    case Route::kIm: return "Im";
  }
  return "?";
}
const char* name(Repeat r) { return r == Repeat::kSingle ? "Single" : "Repeated"; }
const char* name(Placement p) {
  switch (p) {
    case Placement::kAtOutput: return "AtOutputTime";
    case Placement::kBetweenOutputs: return "BetweenOutputs";
    case Placement::kAtZero: return "AtZero";
    case Placement::kAtEnd: return "AtEnd";
  }
  return "?";
}
const char* name(Infusions i) {
  switch (i) {
    case Infusions::kOverlapping: return "Overlapping";
    case Infusions::kBackToBack: return "BackToBack";
    case Infusions::kZeroDuration: return "ZeroDuration";
  }
  return "?";
}
const char* name(Diet d) { return d == Diet::kConstant ? "DietConstant" : "DietChange"; }

std::string case_name(const testing::TestParamInfo<Case>& info) {
  const auto& [route, repeat, placement, infusions, diet] = info.param;
  return std::string(name(route)) + "_" + name(repeat) + "_" + name(placement) + "_" +
         name(infusions) + "_" + name(diet);
}

// Dose times of the route under test; some lie after t_end on purpose.
std::vector<double> dose_times(Repeat repeat, Placement placement) {
  double first = 0.0;
  switch (placement) {
    case Placement::kAtOutput: first = 5.0; break;
    case Placement::kBetweenOutputs: first = 5.5; break;
    case Placement::kAtZero: first = 0.0; break;
    case Placement::kAtEnd: first = kTEnd; break;
  }
  std::vector<double> times;
  if (repeat == Repeat::kSingle) {
    times = {first};
  } else if (placement == Placement::kAtEnd) {
    times = {kTEnd - 2 * kInterval, kTEnd - kInterval, kTEnd, kTEnd + kInterval};
  } else {
    for (int k = 0; k < 6; ++k) times.push_back(first + k * kInterval);
  }
  times.push_back(kTEnd + 0.5);  // always one after the end
  return times;
}

Regimen make_regimen(const Case& c) {
  const auto& [route, repeat, placement, infusions, diet] = c;
  Regimen regimen;
  bool with_food = true;  // alternate: fed periods and their breakpoints too
  for (double t : dose_times(repeat, placement)) {
    switch (route) {
      case Route::kOral: regimen.oral.push_back({t, "citrate", kOralMmol, with_food}); break;
      case Route::kIvBolus: regimen.iv_bolus.push_back({t, kIvBolusMmol}); break;
      case Route::kIvInfusion:
        regimen.infusions.push_back({t, kRouteInfusionH, kRouteInfusionMmol});
        break;
      case Route::kIm: regimen.im.push_back({t, kImMmol}); break;
    }
    with_food = !with_food;
  }
  switch (infusions) {
    case Infusions::kOverlapping:  // overlap on [5, 7]
      regimen.infusions.push_back({3.0, 4.0, 10.0});
      regimen.infusions.push_back({5.0, 4.0, 6.0});
      break;
    case Infusions::kBackToBack:  // the second starts as the first stops
      regimen.infusions.push_back({3.0, 2.0, 8.0});
      regimen.infusions.push_back({5.0, 3.0, 6.0});
      break;
    case Infusions::kZeroDuration: regimen.infusions.push_back({3.0, 0.0, 5.0}); break;
  }
  regimen.infusions.push_back({kTEnd - 2.0, 4.0, 8.0});  // half given by t_end
  regimen.infusions.push_back({kTEnd + 1.0, 2.0, 5.0});  // after the end
  if (diet == Diet::kChangeDuringInfusion) {
    regimen.diet_changes = {{kDietChangeTime, 600.0}, {kTEnd, 100.0}, {kTEnd + 2.0, 900.0}};
  }
  return regimen;
}

std::vector<double> output_times(const Regimen& regimen) {
  std::vector<double> times;
  for (int h = 0; h <= static_cast<int>(kTEnd); ++h) times.push_back(h);
  // A row just before every instantaneous dose that falls on an output row.
  auto add_pre = [&](double t) {
    if (t > 0.0 && t <= kTEnd && t == std::floor(t)) times.push_back(t - kPreEvent);
  };
  for (const auto& d : regimen.oral) add_pre(d.time_h);
  for (const auto& d : regimen.iv_bolus) add_pre(d.time_h);
  for (const auto& d : regimen.im) add_pre(d.time_h);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  return times;
}

// --- Analytic references -----------------------------------------------------

double infused_by(const Regimen& regimen, double t) {
  double total = 0.0;
  for (const auto& inf : regimen.infusions) {
    if (inf.start_h > kTEnd) continue;
    const double rate = inf.mmol / inf.duration_h;
    total += rate * std::max(0.0, std::min(t, inf.start_h + inf.duration_h) - inf.start_h);
  }
  return total;
}

double diet_by(const Regimen& regimen, double initial_mmol_h, double t) {
  std::vector<magpk::DietChange> changes;
  for (const auto& c : regimen.diet_changes) {
    if (c.time_h <= kTEnd) changes.push_back(c);
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.time_h < b.time_h; });
  double total = 0.0, rate = initial_mmol_h, from = 0.0;
  for (const auto& c : changes) {
    if (c.time_h >= t) break;
    total += rate * (c.time_h - from);
    from = c.time_h;
    rate = magpk::units::mg_per_day_to_mmol_per_h(c.mg_per_day);
  }
  return total + rate * (t - from);
}

double im_depot_at(const Regimen& regimen, double ka, double t) {
  double depot = 0.0;
  for (const auto& d : regimen.im) {
    if (d.time_h <= kTEnd && d.time_h <= t) depot += d.mmol * std::exp(-ka * (t - d.time_h));
  }
  return depot;
}

// Instantaneous doses (oral, IV bolus, IM) given at or before t, by compartment.
struct Given {
  double oral = 0.0, iv = 0.0, im = 0.0;
  double total() const { return oral + iv + im; }
};
Given given_by(const Regimen& regimen, double t, bool only_at_t = false) {
  auto counts = [&](double time) { return time <= kTEnd && (only_at_t ? time == t : time <= t); };
  Given g;
  for (const auto& d : regimen.oral)
    if (counts(d.time_h)) g.oral += d.elemental_mmol;
  for (const auto& d : regimen.iv_bolus)
    if (counts(d.time_h)) g.iv += d.mmol;
  for (const auto& d : regimen.im)
    if (counts(d.time_h)) g.im += d.mmol;
  return g;
}

State row_state(const Eigen::MatrixXd& states, Eigen::Index r) { return states.row(r).transpose(); }

double total_amount(const State& x) { return magpk::accounted_amount(x); }

// --- The matrix ---------------------------------------------------------------

class EventMatrix : public testing::TestWithParam<Case> {};

TEST_P(EventMatrix, MatchesAnalyticSolutionsAndInvariants) {
  const Case c = GetParam();
  const Route route = std::get<0>(c);
  const Regimen regimen = make_regimen(c);

  magpk::SimulationRequest request;
  request.covariates = test_support::continuous_diet();
  request.regimen = regimen;
  request.t_end_h = kTEnd;
  request.output_times_h = output_times(regimen);

  if (std::get<3>(c) == Infusions::kZeroDuration) {
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
    return;
  }
  const magpk::SimulationResult result = magpk::simulate(request);
  const auto& times = request.output_times_h;
  const auto& sup = result.supplemented;
  const auto& base = result.baseline;
  const auto rows = static_cast<Eigen::Index>(times.size());
  ASSERT_EQ(sup.states.rows(), rows);
  ASSERT_EQ(base.states.rows(), rows);
  ASSERT_EQ(sup.output_times_h, times);
  ASSERT_EQ(times.front(), 0.0);
  ASSERT_EQ(times.back(), kTEnd);

  // Invariants: finite and non-negative, every row of both runs and the ends.
  for (const auto* states : {&sup.states, &base.states}) {
    ASSERT_TRUE(states->allFinite());
    EXPECT_GE(states->minCoeff(), kStateFloor);
  }
  for (const State* x : {&sup.final_state, &base.final_state}) {
    ASSERT_TRUE(x->allFinite());
    EXPECT_GE(x->minCoeff(), kStateFloor);
  }
  // The output at t_end is the final state: events at t_end included.
  EXPECT_EQ(row_state(sup.states, rows - 1), sup.final_state);

  // State at t = 0 before the events at t = 0: the baseline's first row (the
  // baseline has no doses, only zero-amount meals).
  const State x0 = row_state(base.states, 0);
  const double total0 = total_amount(x0);
  const double ka = result.subject.im_absorption_per_h;
  const double diet0 = result.subject.diet_mmol_h;
  ASSERT_GT(total0, 0.0);

  for (Eigen::Index r = 0; r < rows; ++r) {
    const double t = times[static_cast<std::size_t>(r)];
    SCOPED_TRACE("t = " + std::to_string(t));
    const State x = row_state(sup.states, r);
    const Given given = given_by(regimen, t);

    // Infused ledger = integral of the piecewise-constant rate.
    const double infused = infused_by(regimen, t);
    EXPECT_NEAR(x[idx::kInfusedCum], infused, 1e-12 * (1.0 + infused));
    // Diet ledger = integral of the diet schedule (both runs).
    const double diet_in = diet_by(regimen, diet0, t);
    EXPECT_NEAR(x[idx::kDietInCum], diet_in, 1e-12 * (1.0 + diet_in));
    EXPECT_NEAR(base.states(r, idx::kDietInCum), diet_in, 1e-12 * (1.0 + diet_in));
    EXPECT_EQ(base.states(r, idx::kInfusedCum), 0.0);

    // IM depot: first-order release, D exp(-ka (t - t0)) summed over doses.
    // Integrated with the default solver (rtol 1e-6, atol 1e-8 per step): the
    // global error of the decaying depot reaches ~3e-7 mmol (~1e-5 relative)
    // after 24 h, i.e. ~3e-8 of the 10 mmol dose.
    // The bioavailable share of each IM dose enters the depot (the rest the muscle).
    const double depot =
        magpk::default_physiology().im_bioavailability * im_depot_at(regimen, ka, t);
    if (route == Route::kIm) {
      EXPECT_NEAR(x[idx::kImDepot], depot, 1e-5 * depot + 1e-6);
    } else {
      EXPECT_EQ(x[idx::kImDepot], 0.0);
    }

    // Mass balance, total and split into gut and body through the ledgers.
    const State d = x - x0;
    const double total_err =
        total_amount(x) - (total0 + given.total() + d[idx::kDietInCum] + d[idx::kInfusedCum]);
    EXPECT_LE(std::abs(total_err), kBalanceRel * total0);
    const double gut_err = magpk::gut_amount(x) - magpk::gut_amount(x0) -
                           (given.oral + d[idx::kDietInCum] + d[idx::kSecretedCum] -
                            d[idx::kAbsorbedCum] - d[idx::kFecesCum]);
    EXPECT_LE(std::abs(gut_err), kBalanceRel * total0);
    const double body_err = magpk::body_amount(x) - magpk::body_amount(x0) -
                            (given.iv + given.im + d[idx::kAbsorbedCum] + d[idx::kInfusedCum] -
                             d[idx::kUrineCum] - d[idx::kSecretedCum] - d[idx::kSweatCum]);
    EXPECT_LE(std::abs(body_err), kBalanceRel * total0);
    // Supplement-labeled absorption never exceeds the oral supplement given.
    EXPECT_LE(x[idx::kAbsorbedSupCum], given.oral + 1e-12);
    if (route != Route::kOral) {
      EXPECT_EQ(x[idx::kAbsorbedSupCum], 0.0);
    }

    // An event at an output time: the row shows the state after it, the jump
    // from just before equals the dose.
    const Given at = given_by(regimen, t, /*only_at_t=*/true);
    if (at.total() > 0.0) {
      const State before = t == 0.0 ? x0 : row_state(sup.states, r - 1);
      if (t > 0.0) {
        ASSERT_DOUBLE_EQ(times[static_cast<std::size_t>(r - 1)], t - kPreEvent);
      }
      const double tol = t == 0.0 ? 1e-12 : 1e-6;  // dense output 1e-9 h earlier
      EXPECT_NEAR(x[idx::kPlasma] - before[idx::kPlasma], at.iv, tol);
      const double f_im = magpk::default_physiology().im_bioavailability;
      EXPECT_NEAR(x[idx::kImDepot] - before[idx::kImDepot], f_im * at.im, tol);
      EXPECT_NEAR(x[idx::kTissue] - before[idx::kTissue], (1.0 - f_im) * at.im,
                  tol + 1e-6 * at.im * (t > 0.0));  // muscle takes the rest
      EXPECT_NEAR(magpk::gut_amount(x) - magpk::gut_amount(before), at.oral, tol);
    }
  }

  // Metrics: only doses by t_end count; the infusion running past t_end counts
  // for the part given by then; events at t_end are applied.
  const magpk::Metrics& m = result.metrics;
  const Given all = given_by(regimen, kTEnd);
  EXPECT_DOUBLE_EQ(m.oral_supplement_mmol, all.oral);
  EXPECT_NEAR(m.parenteral_mmol, all.iv + all.im + infused_by(regimen, kTEnd), 1e-12);
  EXPECT_LE(m.mass_balance_rel_error, kBalanceRel);
  EXPECT_LE(sup.mass_balance_rel_error, kBalanceRel);
  EXPECT_LE(base.mass_balance_rel_error, kBalanceRel);
  for (double v : magpk::metric_values(m)) {
    EXPECT_FALSE(std::isinf(v));
  }
  EXPECT_TRUE(std::isfinite(m.cmax_mmol_l));
  EXPECT_TRUE(std::isfinite(m.cmin_mmol_l));
  EXPECT_GE(m.cmax_mmol_l, m.cmin_mmol_l);
  if (route == Route::kOral) {
    EXPECT_TRUE(std::isfinite(m.fraction_absorbed));
  } else {
    EXPECT_TRUE(std::isnan(m.fraction_absorbed));
  }

  // Output table: same rows, time column as requested.
  const Eigen::MatrixXd table = magpk::output_table(sup, result.subject);
  ASSERT_EQ(table.rows(), rows);
  ASSERT_EQ(table.cols(), static_cast<Eigen::Index>(magpk::output_columns().size()));
  EXPECT_TRUE(table.allFinite());
  for (Eigen::Index r = 0; r < rows; ++r) {
    EXPECT_EQ(table(r, 0), times[static_cast<std::size_t>(r)]);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Events, EventMatrix,
    testing::Combine(testing::Values(Route::kOral, Route::kIvBolus, Route::kIvInfusion, Route::kIm),
                     testing::Values(Repeat::kSingle, Repeat::kRepeated),
                     testing::Values(Placement::kAtOutput, Placement::kBetweenOutputs,
                                     Placement::kAtZero, Placement::kAtEnd),
                     testing::Values(Infusions::kOverlapping, Infusions::kBackToBack,
                                     Infusions::kZeroDuration),
                     testing::Values(Diet::kConstant, Diet::kChangeDuringInfusion)),
    case_name);

// The matrix relies on events after t_end being dropped: the same run without
// them must give identical rows.
TEST(EventMatrixEnd, EventsAfterEndChangeNothing) {
  for (Route route : {Route::kOral, Route::kIvBolus, Route::kIvInfusion, Route::kIm}) {
    const Case c{route, Repeat::kRepeated, Placement::kAtEnd, Infusions::kOverlapping,
                 Diet::kChangeDuringInfusion};
    Regimen with_late = make_regimen(c), without_late = with_late;
    auto drop_late = [](auto& events, auto time_of) {
      events.erase(std::remove_if(events.begin(), events.end(),
                                  [&](const auto& e) { return time_of(e) > kTEnd; }),
                   events.end());
    };
    drop_late(without_late.oral, [](const auto& e) { return e.time_h; });
    drop_late(without_late.iv_bolus, [](const auto& e) { return e.time_h; });
    drop_late(without_late.im, [](const auto& e) { return e.time_h; });
    drop_late(without_late.infusions, [](const auto& e) { return e.start_h; });
    drop_late(without_late.diet_changes, [](const auto& e) { return e.time_h; });
    ASSERT_LT(without_late.infusions.size(), with_late.infusions.size());

    magpk::SimulationRequest a, b;
    a.regimen = with_late;
    b.regimen = without_late;
    a.t_end_h = b.t_end_h = kTEnd;
    a.output_times_h = b.output_times_h = output_times(with_late);
    const auto ra = magpk::simulate(a), rb = magpk::simulate(b);
    EXPECT_EQ(ra.supplemented.states, rb.supplemented.states) << name(route);
    EXPECT_EQ(ra.supplemented.final_state, rb.supplemented.final_state) << name(route);
    const auto ma = magpk::metric_values(ra.metrics), mb = magpk::metric_values(rb.metrics);
    ASSERT_EQ(ma.size(), mb.size());
    for (std::size_t i = 0; i < ma.size(); ++i) {
      if (std::isnan(ma[i])) {
        EXPECT_TRUE(std::isnan(mb[i])) << magpk::metric_names()[i];
      } else {
        EXPECT_EQ(ma[i], mb[i]) << magpk::metric_names()[i] << " " << name(route);
      }
    }
  }
}

// A zero-duration infusion is rejected wherever it is requested, also after
// t_end; so is a negative one.
TEST(EventMatrixEnd, ZeroOrNegativeDurationInfusionThrows) {
  for (double start : {0.0, 5.0, kTEnd, kTEnd + 1.0}) {
    for (double duration : {0.0, -1.0}) {
      magpk::SimulationRequest request;
      request.regimen.infusions = {{start, duration, 5.0}};
      request.t_end_h = kTEnd;
      EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << start << " " << duration;
    }
  }
}

}  // namespace

#include "magpk/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "magpk/forms.hpp"
#include "magpk/units.hpp"

namespace magpk {
namespace {

// A change of a piecewise-constant input at time_h.
struct Change {
  double time_h;
  int order;  // keeps the given order of simultaneous diet changes
  double value;
};

std::size_t breakpoint_index(const std::vector<double>& breakpoints, double t) {
  const auto it = std::lower_bound(breakpoints.begin(), breakpoints.end(), t);
  return static_cast<std::size_t>(it - breakpoints.begin());
}

}  // namespace

double InstantDoses::total() const {
  double sum = dissolved_mmol + iv_bolus_mmol + im_mmol;
  for (double amount : undissolved_mmol) sum += amount;
  return sum;
}

Schedule build_schedule(const Regimen& regimen, const SubjectParameters& subject,
                        const Physiology& physiology, double t_end_h,
                        const std::vector<std::string>& initial_pool_forms) {
  validate(regimen);
  if (!std::isfinite(t_end_h) || t_end_h <= 0.0) {
    throw std::invalid_argument("t_end_h=" + std::to_string(t_end_h) + " must be finite and > 0");
  }
  Schedule schedule;
  auto in_window = [t_end_h](double t) { return t <= t_end_h; };

  // Undissolved pools: one per pure form that is not already dissolved.
  auto pool_of = [&](const std::string& pure_id) -> int {
    const Form& form = find_form(pure_id);
    if (form.dissolution == DissolutionClass::kDissolved) return -1;
    const auto it = std::find(schedule.pool_forms.begin(), schedule.pool_forms.end(), pure_id);
    if (it != schedule.pool_forms.end()) {
      return static_cast<int>(it - schedule.pool_forms.begin());
    }
    schedule.pool_forms.push_back(pure_id);
    const bool acid_limited = form.dissolution == DissolutionClass::kOxide ||
                              form.dissolution == DissolutionClass::kHydroxide;
    schedule.pools.push_back({dissolution_rate_per_h(form, physiology),
                              form.chelate ? subject.chelate_intact_fraction : 0.0, acid_limited});
    return static_cast<int>(schedule.pool_forms.size()) - 1;
  };
  for (const auto& form_id : initial_pool_forms) pool_of(form_id);

  // Intervals with a constant effect: meals (Mg emptying into the small intestine
  // and a fed stomach), fed periods of doses taken with food, drugs.
  struct Interval {
    double start_h, stop_h;
    double meal_share;  // > 0 for a meal
    int kind;           // 0 meal, 1 fed (dose with food), 2 ppi, 3 loop, 4 thiazide
  };
  std::vector<Interval> intervals;
  const double fed_h = subject.fed_state_duration_h;
  for (const auto& meal : subject.meals) {
    // First occurrence still emptying at t = 0 (it may have started before 0).
    double t = meal.clock_h - subject.start_clock_h;
    while (t + fed_h > 0.0) t -= 24.0;
    for (t += 24.0; t < t_end_h; t += 24.0) {
      bool skipped = false;
      for (const auto& fast : regimen.fasts) {
        if (t >= fast.start_h && t < fast.stop_h) skipped = true;
      }
      if (!skipped) intervals.push_back({t, t + fed_h, meal.share, 0});
    }
  }
  for (const auto& d : regimen.oral) {
    if (in_window(d.time_h) && d.with_food) intervals.push_back({d.time_h, d.time_h + fed_h, 0.0, 1});
  }
  for (const auto& period : regimen.drugs) {
    if (!in_window(period.start_h)) continue;
    intervals.push_back({period.start_h, period.stop_h, 0.0, 2 + static_cast<int>(period.drug)});
  }

  // Breakpoints.
  std::vector<double> times{0.0, t_end_h};
  auto add_time = [&](double t) {
    if (t > 0.0 && t < t_end_h) times.push_back(t);
  };
  for (const auto& d : regimen.oral) if (in_window(d.time_h)) times.push_back(d.time_h);
  for (const auto& d : regimen.iv_bolus) if (in_window(d.time_h)) times.push_back(d.time_h);
  for (const auto& d : regimen.im) if (in_window(d.time_h)) times.push_back(d.time_h);
  for (const auto& inf : regimen.infusions) {
    if (!in_window(inf.start_h)) continue;
    times.push_back(inf.start_h);
    add_time(inf.start_h + inf.duration_h);
  }
  for (const auto& c : regimen.diet_changes) if (in_window(c.time_h)) times.push_back(c.time_h);
  for (const auto& interval : intervals) {
    add_time(interval.start_h);
    add_time(interval.stop_h);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  schedule.breakpoints = times;
  const std::size_t n = times.size();

  // Instantaneous doses.
  schedule.instants.resize(n);
  for (const auto& d : regimen.oral) {
    if (!in_window(d.time_h)) continue;
    InstantDoses& at = schedule.instants[breakpoint_index(times, d.time_h)];
    const Form& form = find_form(d.form_id);
    std::vector<FormComponent> parts = form.components;
    if (parts.empty()) parts.push_back({form.id, 1.0});
    for (const auto& part : parts) {
      const double amount = d.elemental_mmol * part.elemental_share;
      const int pool = pool_of(part.form_id);
      if (pool < 0) {
        at.dissolved_mmol += amount;
      } else {
        at.undissolved_mmol.resize(schedule.pools.size(), 0.0);
        at.undissolved_mmol[static_cast<std::size_t>(pool)] += amount;
      }
    }
    schedule.oral_mmol += d.elemental_mmol;
  }
  for (auto& at : schedule.instants) at.undissolved_mmol.resize(schedule.pools.size(), 0.0);
  for (const auto& d : regimen.iv_bolus) {
    if (!in_window(d.time_h)) continue;
    schedule.instants[breakpoint_index(times, d.time_h)].iv_bolus_mmol += d.mmol;
    schedule.parenteral_mmol += d.mmol;
  }
  for (const auto& d : regimen.im) {
    if (!in_window(d.time_h)) continue;
    schedule.instants[breakpoint_index(times, d.time_h)].im_mmol += d.mmol;
    schedule.parenteral_mmol += d.mmol;
  }

  // Piecewise-constant inputs by a sweep over sorted changes.
  std::vector<Change> infusion_changes, diet_changes;
  for (const auto& inf : regimen.infusions) {
    if (!in_window(inf.start_h)) continue;
    const double rate = inf.mmol / inf.duration_h;
    infusion_changes.push_back({inf.start_h, +1, rate});
    infusion_changes.push_back({inf.start_h + inf.duration_h, -1, -rate});
    // Only the part given by t_end counts as given.
    const double given_h = std::min(inf.duration_h, t_end_h - inf.start_h);
    schedule.parenteral_mmol += rate * given_h;
  }
  for (std::size_t i = 0; i < regimen.diet_changes.size(); ++i) {
    const auto& c = regimen.diet_changes[i];
    if (in_window(c.time_h)) diet_changes.push_back({c.time_h, static_cast<int>(i), c.mg_per_day});
  }
  // Interval starts (+1) and stops (-1); `order` carries the interval index.
  std::vector<Change> interval_changes;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    interval_changes.push_back({intervals[i].start_h, static_cast<int>(i), +1.0});
    interval_changes.push_back({intervals[i].stop_h, static_cast<int>(i), -1.0});
  }
  auto by_time = [](const Change& a, const Change& b) { return a.time_h < b.time_h; };
  std::stable_sort(infusion_changes.begin(), infusion_changes.end(), by_time);
  std::stable_sort(diet_changes.begin(), diet_changes.end(), by_time);
  std::stable_sort(interval_changes.begin(), interval_changes.end(), by_time);

  schedule.segments.resize(n);
  std::size_t next_infusion = 0, next_diet = 0, next_interval = 0;
  int active_infusions = 0, active_meals = 0;
  int active[5] = {0, 0, 0, 0, 0};  // per interval kind
  double infusion_rate = 0.0, meal_shares = 0.0;
  double diet_mmol_h = subject.diet_mmol_h;
  const bool continuous_diet = subject.meals.empty();
  for (std::size_t k = 0; k < n; ++k) {
    const double t = times[k];
    for (; next_infusion < infusion_changes.size() && infusion_changes[next_infusion].time_h <= t;
         ++next_infusion) {
      active_infusions += infusion_changes[next_infusion].order;
      infusion_rate += infusion_changes[next_infusion].value;
    }
    if (active_infusions == 0) infusion_rate = 0.0;  // no round-off residue
    for (; next_interval < interval_changes.size() && interval_changes[next_interval].time_h <= t;
         ++next_interval) {
      const Change& change = interval_changes[next_interval];
      const Interval& interval = intervals[static_cast<std::size_t>(change.order)];
      const int sign = change.value > 0.0 ? 1 : -1;
      active[interval.kind] += sign;
      if (interval.kind == 0) {
        active_meals += sign;
        meal_shares += sign * interval.meal_share;
      }
    }
    if (active_meals == 0) meal_shares = 0.0;
    for (; next_diet < diet_changes.size() && diet_changes[next_diet].time_h <= t; ++next_diet) {
      diet_mmol_h = units::mg_per_day_to_mmol_per_h(diet_changes[next_diet].value);
    }
    SegmentInputs& segment = schedule.segments[k];
    // A meal's share of the day's Mg empties at a constant rate over the fed period.
    segment.diet_mmol_h = continuous_diet
                              ? diet_mmol_h
                              : std::max(meal_shares, 0.0) * diet_mmol_h * units::kHoursPerDay / fed_h;
    segment.infusion_mmol_h = std::max(infusion_rate, 0.0);
    segment.fed = active[0] > 0 || active[1] > 0;
    segment.ppi = subject.ppi_throughout || active[2] > 0;
    segment.loop = subject.loop_throughout || active[3] > 0;
    segment.thiazide = subject.thiazide_throughout || active[4] > 0;
  }

  for (std::size_t k = 0; k < n; ++k) {
    if (schedule.instants[k].total() > 0.0 ||
        (k + 1 < n && schedule.segments[k].infusion_mmol_h > 0.0)) {
      schedule.first_dose_time_h = times[k];
      break;
    }
  }
  return schedule;
}

}  // namespace magpk
